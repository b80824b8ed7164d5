use crate::domain::text::{find_folded, fold};
use crate::domain::{Case, CaseCode, Id, Narrative, Utterance};
use crate::store::search::{Hit, HitPlace};
use crate::store::{Change, Store, SEARCH, UTTERANCES};
use std::path::Path;
// The store tests' own study: one case's session and its lines.
use crate::store::tests::{line, session, t0};

fn narrative(session: Id, first_seq: u32, title: &str, memo: &str) -> Narrative {
    Narrative {
        id: Id::new(),
        session,
        first_seq,
        last_seq: first_seq + 1,
        title: title.into(),
        codes: vec![],
        memo: memo.into(),
        author: "anna".into(),
        created: t0(),
        updated: t0(),
        deleted: false,
    }
}

/// Texts with capitals, letters that fold to more than one, and newlines.
struct Texts(u64);

impl Texts {
    const WORDS: [&'static str; 14] = [
        "jeg",
        "ærgrer",
        "MIG",
        "Selvværd",
        "İstanbul",
        "STRAẞE",
        "ΣΟΦΊΑ",
        "sagsbehandler",
        "i",
        "e\u{301}tude",
        "Jobcentret",
        "praktik\n",
        "ǅemal",
        "😀",
    ];

    fn next(&mut self) -> String {
        let mut words = Vec::new();
        for _ in 0..2 + self.below(9) {
            words.push(Self::WORDS[self.below(Self::WORDS.len() as u64) as usize]);
        }
        words.join(" ")
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const QUERIES: [&str; 11] =
    ["jeg", "ÆRGRER mig", "i", "selvværd", "istanbul", "i̇", "strasse", "straße", "σοφία", "zzz", "é"];

/// What the search must give: a scan of everything in sled, as the search
/// did before it had an index.
fn plain_search(store: &Store, query: &str, limit: usize) -> Vec<Hit> {
    let needle = fold(query.trim());
    let mut hits = Vec::new();
    for n in store.all_narratives().unwrap().into_iter().filter(|n| !n.deleted) {
        let (narrative, session, seq) = (n.id, n.session, n.first_seq);
        if let Some(matched) = find_folded(&n.title, &needle) {
            hits.push(Hit {
                place: HitPlace::NarrativeTitle { narrative, session, seq },
                text: n.title,
                matched,
            });
        }
        if let Some(matched) = find_folded(&n.memo, &needle) {
            hits.push(Hit {
                place: HitPlace::NarrativeMemo { narrative, session, seq },
                text: n.memo,
                matched,
            });
        }
    }
    for item in store.tree(UTTERANCES).iter() {
        let line: Utterance = store.read(&item.unwrap().1).unwrap();
        if let (Some(matched), false) = (find_folded(&line.text, &needle), line.deleted) {
            hits.push(Hit {
                place: HitPlace::Line { session: line.session, seq: line.seq },
                text: line.text,
                matched,
            });
        }
    }
    hits.truncate(limit);
    hits
}

fn assert_finds_what_sled_holds(store: &Store) {
    for query in QUERIES {
        let all = plain_search(store, query, usize::MAX);
        for limit in [1, 3, 40, usize::MAX] {
            let want = &all[..all.len().min(limit)];
            assert_eq!(store.search(query, limit).unwrap(), want, "{query:?} {limit}");
        }
    }
}

/// A study of three sessions with gaps in their line numbers, deleted
/// lines and narratives; enough lines for several blocks (small in tests).
fn study(store: &Store, texts: &mut Texts) -> Vec<Id> {
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], t0());
    store.add_case(&case).unwrap();
    let mut sessions = Vec::new();
    for s in 0..3 {
        let session = session(&case);
        let mut batch = vec![Change::Session(session.clone())];
        for seq in (1..=600u32).filter(|seq| seq % 97 != s) {
            let mut l = line(session.id, seq, &texts.next());
            l.deleted = seq % 89 == 0;
            batch.push(Change::Utterance(l));
            if seq % 50 == 0 {
                batch.push(Change::Narrative(narrative(session.id, seq, &texts.next(), &texts.next())));
            }
        }
        store.commit(&batch).unwrap();
        sessions.push(session.id);
    }
    sessions
}

/// Edits, deletions, new lines and a new session, new and deleted narratives.
fn more_writes(store: &Store, sessions: &[Id], texts: &mut Texts) {
    let s = sessions[0];
    store.commit(&[Change::Utterance(line(s, 5, "nu om SELVVÆRD"))]).unwrap();
    store.commit(&[Change::Utterance(Utterance { deleted: true, ..line(s, 6, "væk") })]).unwrap();
    store.commit(&[Change::Utterance(line(s, 97, "et hul fyldt: jeg ærgrer mig"))]).unwrap();
    store.commit(&[Change::Utterance(line(sessions[2], 700, "sidst i ærgrer"))]).unwrap();
    let case = store.cases().unwrap().remove(0);
    let new = session(&case);
    let mut batch = vec![Change::Session(new.clone())];
    batch.extend((1..=30).map(|seq| Change::Utterance(line(new.id, seq, &texts.next()))));
    store.commit(&batch).unwrap();
    let mut gone = store.narratives().unwrap().remove(0);
    gone.deleted = true;
    let mut edited = store.narratives().unwrap().remove(1);
    edited.memo = "ærgrer sig over selvværd".into();
    store
        .commit(&[
            Change::Narrative(gone),
            Change::Narrative(edited),
            Change::Narrative(narrative(s, 7, "Ny", "i")),
        ])
        .unwrap();
}

fn index_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("search"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_index_finds_what_sled_holds_through_writes_and_reopening_without_building_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut texts = Texts(0x9e37_79b9_7f4a_7c15);
    let sessions = {
        let store = Store::create(&dir.path().join("s"), None).unwrap();
        assert_eq!(index_files(store.path()), ["search.index", "search.log"], "a new store has an index");
        let sessions = study(&store, &mut texts);
        assert_finds_what_sled_holds(&store);
        assert_eq!(store.search_index_builds(), 0, "followed from the first line, never built from sled");
        more_writes(&store, &sessions, &mut texts);
        assert_finds_what_sled_holds(&store);
        assert_eq!(store.search_index_builds(), 0);
        sessions
    };
    let store = Store::open(&dir.path().join("s")).unwrap();
    assert_finds_what_sled_holds(&store);
    assert_eq!(store.search_index_builds(), 0, "the index on disk followed every write");
    drop(store);
    // Writes by a store that never searched are logged too.
    let store = Store::open(&dir.path().join("s")).unwrap();
    more_writes(&store, &sessions, &mut texts);
    drop(store);
    let store = Store::open(&dir.path().join("s")).unwrap();
    assert_finds_what_sled_holds(&store);
    assert_eq!(store.search_index_builds(), 0);
    assert!(store.check().unwrap().search_index.is_none(), "check finds the index sound");
}

/// A store with an index on disk and logged writes since, closed.
fn indexed_study(dir: &Path) -> Vec<Id> {
    let mut texts = Texts(7);
    let store = Store::create(dir, None).unwrap();
    let sessions = study(&store, &mut texts);
    store.prepare_search().unwrap();
    more_writes(&store, &sessions, &mut texts);
    sessions
}

fn flip(path: &Path, at: impl FnOnce(u64) -> u64) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = at(bytes.len() as u64) as usize;
    bytes[at] ^= 0x20;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_damaged_missing_or_stale_index_gives_right_hits_and_is_built_again() {
    type Damage = (&'static str, fn(&Path));
    let damages: [Damage; 9] = [
        ("index cut short", |d| {
            let f = std::fs::OpenOptions::new().write(true).open(d.join("search.index")).unwrap();
            f.set_len(f.metadata().unwrap().len() / 2).unwrap();
        }),
        ("a byte flipped in a block", |d| flip(&d.join("search.index"), |_| 200)),
        ("a byte flipped in the directory", |d| flip(&d.join("search.index"), |len| len - 60)),
        ("index removed", |d| std::fs::remove_file(d.join("search.index")).unwrap()),
        ("log removed", |d| std::fs::remove_file(d.join("search.log")).unwrap()),
        ("log cut short", |d| {
            let f = std::fs::OpenOptions::new().write(true).open(d.join("search.log")).unwrap();
            f.set_len(f.metadata().unwrap().len() - 3).unwrap();
        }),
        ("a byte flipped in the log", |d| flip(&d.join("search.log"), |len| len - 10)),
        ("zeros after the log", |d| {
            let mut bytes = std::fs::read(d.join("search.log")).unwrap();
            bytes.extend_from_slice(&[0; 64]);
            std::fs::write(d.join("search.log"), bytes).unwrap();
        }),
        ("a log from an older index", |d| {
            let mut bytes = std::fs::read(d.join("search.log")).unwrap();
            let second = memchr::memmem::find_iter(&bytes, b"FLS1").nth(1).unwrap();
            bytes.drain(8..second);
            std::fs::write(d.join("search.log"), bytes).unwrap();
        }),
    ];
    for (what, damage) in damages {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        indexed_study(&path);
        damage(&path);
        let store = Store::open(&path).unwrap();
        // A search that reads every block first, so that any block is checked.
        assert!(store.search("zzz", usize::MAX).unwrap().is_empty(), "{what}");
        assert_finds_what_sled_holds(&store);
        assert_eq!(store.search_index_builds(), 1, "{what}");
        let notes = store.search_notes();
        assert!(notes.len() == 1 && notes[0].contains("built again"), "{what}: {notes:?}");
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_finds_what_sled_holds(&store);
        assert_eq!(store.search_index_builds(), 0, "{what}: built once, then kept");
    }
}

#[test]
fn a_write_the_log_missed_makes_the_index_stale_and_check_finds_an_index_that_differs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let sessions = indexed_study(&path);
    {
        // A batch applied to sled without its log record (a crash between the two).
        let store = Store::open(&path).unwrap();
        let ops = store.ops(&[Change::Utterance(line(sessions[1], 1, "ærgrer uden log"))]);
        store.apply_ops(&ops).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_finds_what_sled_holds(&store);
    assert_eq!(store.search_index_builds(), 1);
    drop(store);
    {
        // A write with no stamp at all (as a fieldlog from before the index
        // would write it): the stamps match, the contents do not.
        let store = Store::open(&path).unwrap();
        let mut ops = store.ops(&[Change::Utterance(line(sessions[1], 2, "skrevet af en ældre fieldlog"))]);
        ops.retain(|op| op.tree != SEARCH);
        store.apply_ops(&ops).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let report = store.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let said = report.search_index.unwrap();
    assert!(said.contains("did not match the store") && said.contains("built again"), "{said}");
    assert_finds_what_sled_holds(&store);
    drop(store);
    flip(&path.join("search.index"), |_| 100);
    let store = Store::open(&path).unwrap();
    let said = store.check().unwrap().search_index.unwrap();
    assert!(said.contains("checksum") && said.contains("built again"), "{said}");
    assert!(store.check().unwrap().search_index.is_none(), "sound once built again");
}

fn files_holding(dir: &Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        if path.is_dir() {
            todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if std::fs::read(&path).unwrap().windows(needle.len()).any(|w| w == needle) {
            found.push(path);
        }
    }
    found
}

#[test]
fn an_encrypted_study_writes_its_index_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let secret = "Hemmeligt-Ordsprog-Fjorten";
    let sessions = {
        let store = Store::create(&path, Some("korrekt hest batteri")).unwrap();
        let sessions = study(&store, &mut Texts(3));
        store.commit(&[Change::Utterance(line(sessions[0], 2, secret))]).unwrap();
        assert_eq!(store.search("ordsprog", 10).unwrap()[0].text, secret);
        store.commit(&[Change::Utterance(line(sessions[1], 3, &format!("{secret} igen")))]).unwrap();
        assert_finds_what_sled_holds(&store);
        sessions
    };
    assert_eq!(index_files(&path), ["search.index", "search.log"]);
    for word in [secret.to_string(), fold(secret), "selvværd".into(), "sagsbehandler".into()] {
        assert!(files_holding(&path, word.as_bytes()).is_empty(), "{word:?} is readable on disk");
    }
    assert!(Store::open(&path).is_err(), "no passphrase, no store");
    let store = Store::open_with(&path, Some("korrekt hest batteri")).unwrap();
    assert_eq!(store.search("ordsprog", 10).unwrap().len(), 2);
    assert_finds_what_sled_holds(&store);
    assert_eq!(store.search_index_builds(), 0, "the sealed index is read back");
    let _ = sessions;
}

#[test]
fn writes_made_while_the_index_is_built_are_all_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let store = std::sync::Arc::new(Store::create(&path, None).unwrap());
    let sessions = study(&store, &mut Texts(11));
    // As in a store made before the index: built from sled, while lines are written.
    crate::store::search::remove_files(&path).unwrap();
    let writer = {
        let (store, s) = (store.clone(), sessions[2]);
        std::thread::spawn(move || {
            for seq in 1..=300 {
                let text = format!("skrevet under bygningen {seq} ærgrer");
                store.commit(&[Change::Utterance(line(s, seq * 7, &text))]).unwrap();
            }
        })
    };
    store.prepare_search().unwrap();
    writer.join().unwrap();
    assert_eq!(store.search_index_builds(), 1);
    assert_finds_what_sled_holds(&store);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_finds_what_sled_holds(&store);
    assert_eq!(store.search_index_builds(), 0);
}

#[test]
fn a_rewrite_leaves_no_index_of_the_old_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    indexed_study(&path);
    let store = Store::open(&path).unwrap();
    assert!(!store.search("ærgrer", 1).unwrap().is_empty());
    let case = store.cases().unwrap().remove(0);
    let store = store.rewrite(&[Change::Case(case)]).unwrap();
    assert!(index_files(&path).is_empty(), "{:?}", index_files(&path));
    assert!(store.search("ærgrer", 10).unwrap().is_empty());
    assert_eq!(store.search_index_builds(), 1);
}

#[test]
fn a_long_log_is_folded_into_a_new_file_without_reading_sled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let sessions = study(&Store::create(&path, None).unwrap(), &mut Texts(13));
    let log_len = || std::fs::metadata(path.join("search.log")).unwrap().len();
    let logged = log_len();
    assert!(logged > 16 << 10, "the study's writes are logged ({logged} bytes)");
    let store = Store::open(&path).unwrap();
    assert_finds_what_sled_holds(&store);
    assert_eq!(store.search_index_builds(), 0, "folded, not built from sled");
    assert!(log_len() < 100, "the log is folded into the file ({} bytes)", log_len());
    // Writes go on after the fold, and are followed across reopening.
    more_writes(&store, &sessions, &mut Texts(5));
    assert_finds_what_sled_holds(&store);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_finds_what_sled_holds(&store);
    assert_eq!(store.search_index_builds(), 0);
    assert!(store.check().unwrap().search_index.is_none(), "{:?}", store.check().unwrap().search_index);
}
