//! Three laptops keep one study in step through a sync folder that a sync
//! tool copies between them, in any order, with files caught half copied.

use chrono::{DateTime, Duration, FixedOffset};
use fieldlog::domain::contacts::{ContactLedger, ContactMarkKind};
use fieldlog::domain::*;
use fieldlog::export::json;
use fieldlog::store::{Change, Store};
use fieldlog::sync::sync;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn at(minutes: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap() + Duration::minutes(minutes)
}

/// One step of the team's year.
#[derive(Clone, Debug)]
enum Step {
    /// A laptop changes the study (what, and which of its things it picks).
    Edit {
        laptop: usize,
        what: u8,
        pick: usize,
    },
    Sync {
        laptop: usize,
    },
    /// The sync tool copies one laptop's folder's files to another's, each
    /// cut to the given share of its length (a copy still under way).
    Copy {
        from: usize,
        to: usize,
        share: u8,
    },
}

/// How many kinds of edit `edit` makes.
const EDITS: u8 = 14;

/// Names two laptops may both give a code, a code group or a variable
/// before they sync: each must end as one.
const SHARED_NAMES: [&str; 3] = ["håb", "tvivl", "arbejde"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..3usize, 0..EDITS, any::<usize>()).prop_map(|(laptop, what, pick)| Step::Edit { laptop, what, pick }),
        2 => (0..3usize).prop_map(|laptop| Step::Sync { laptop }),
        2 => (0..3usize, 0..3usize, 0..=100u8).prop_map(|(from, to, share)| Step::Copy { from, to, share }),
    ]
}

struct Laptop {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    store: Store,
    folder: PathBuf,
    name: char,
    made: u32,
}

/// What was made anywhere, to find nothing lost or doubled at the end.
#[derive(Default)]
struct Made {
    lines: BTreeSet<(Id, u32)>,
    narratives: BTreeSet<Id>,
    cases: BTreeSet<String>,
}

fn laptop(name: char) -> Laptop {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = Store::create(&dirs.0.path().join("study"), None).unwrap();
    let folder = dirs.1.path().to_path_buf();
    Laptop { _dirs: dirs, store, folder, name, made: 0 }
}

fn edit(l: &mut Laptop, what: u8, pick: usize, clock: &mut i64, made: &mut Made) {
    *clock += 1;
    // Two steps a minute: some changes tie on time.
    let now = at(*clock / 2);
    let store = &l.store;
    let cases = store.cases().unwrap();
    let sessions = store.sessions().unwrap();
    let narratives = store.narratives().unwrap();
    match what {
        0 if cases.len() < 6 => {
            // Now and then a code another laptop may give a case of its own too.
            let code = if pick.is_multiple_of(5) {
                format!("S{}", pick / 5 % 2)
            } else {
                l.made += 1;
                format!("{}{}", l.name, l.made)
            };
            if cases.iter().any(|c| c.code.as_str() == code) {
                return;
            }
            store.add_case(&Case::new(CaseCode::parse(&code).unwrap(), vec![], now)).unwrap();
            made.cases.insert(code);
        }
        1 if !cases.is_empty() => {
            let case = &cases[pick % cases.len()];
            let speakers = session::default_speakers(SessionKind::Interview, &case.code);
            let mut s = Session::new(case.id, SessionKind::Interview, 1, "home", speakers, now);
            // Who started a session logs it: its notes say which laptop that is.
            s.notes = l.name.to_string();
            store.commit(&[Change::Session(s)]).unwrap();
        }
        2 => {
            let own: Vec<&Session> = sessions.iter().filter(|s| s.notes == l.name.to_string()).collect();
            let Some(s) = own.get(pick % own.len().max(1)) else { return };
            let seq = store.last_seq(s.id).unwrap() + 1;
            let line = Utterance {
                session: s.id,
                seq,
                speaker: "I".into(),
                kind: UtteranceKind::Speech,
                text: format!("linje {seq} fra {}", l.name),
                onset: now,
                committed: now,
                elapsed_ms: 0,
                mark: None,
                deleted: false,
            };
            store.commit(&[Change::Utterance(line)]).unwrap();
            made.lines.insert((s.id, seq));
        }
        3 if !sessions.is_empty() => {
            let s = &sessions[pick % sessions.len()];
            let lines = store.utterances(s.id).unwrap();
            let Some(old) = lines.get(pick % lines.len().max(1)) else { return };
            let revision = Revision {
                session: old.session,
                seq: old.seq,
                speaker: old.speaker.clone(),
                text: old.text.clone(),
                replaced: now,
            };
            let new = Utterance { text: format!("{} (rettet af {})", old.text, l.name), ..old.clone() };
            store.commit(&[Change::Revision(revision), Change::Utterance(new)]).unwrap();
        }
        4 if !sessions.is_empty() => {
            let s = &sessions[pick % sessions.len()];
            let last = store.last_seq(s.id).unwrap();
            if last == 0 {
                return;
            }
            let first = (pick as u32 % last) + 1;
            let n = Narrative {
                id: Id::new(),
                session: s.id,
                first_seq: first,
                last_seq: last,
                title: format!("fortælling fra {}", l.name),
                codes: vec![],
                memo: String::new(),
                author: l.name.to_string(),
                created: now,
                updated: now,
                deleted: false,
            };
            made.narratives.insert(n.id);
            store.commit(&[Change::Narrative(n)]).unwrap();
        }
        5 if !narratives.is_empty() => {
            let n = &narratives[pick % narratives.len()];
            let edited = Narrative { title: format!("{} / {}", n.title, l.name), updated: now, ..n.clone() };
            store.commit(&[Change::Narrative(edited)]).unwrap();
        }
        6 if !sessions.is_empty() => {
            let s = &sessions[pick % sessions.len()];
            let on = !store.blind_sessions().unwrap().contains(&s.id);
            store.commit(&[json::blind_change(BlindSetting { session: s.id, on })]).unwrap();
        }
        // A case attribute set, on the same key on several laptops.
        7 if !cases.is_empty() => {
            let mut case = cases[pick % cases.len()].clone();
            let key = ["site", "age"][pick / 7 % 2];
            let value = format!("{}{}", l.name, *clock);
            case.attributes.retain(|(k, _)| k != key);
            case.attributes.push((key.to_string(), value));
            store.commit(&[Change::Case(case)]).unwrap();
        }
        // An effort begun, or one ended or its outcome told.
        8 if !cases.is_empty() => {
            let efforts = store.efforts().unwrap();
            let effort = match efforts.get(pick % (efforts.len() + 1)) {
                None => Effort {
                    id: Id::new(),
                    case_id: cases[pick % cases.len()].id,
                    kind: "praktik".into(),
                    provider: String::new(),
                    start: now.date_naive(),
                    end: None,
                    outcome: String::new(),
                    created: now,
                },
                Some(e) if pick.is_multiple_of(2) => Effort { end: Some(now.date_naive()), ..e.clone() },
                Some(e) => Effort { outcome: format!("udfald fra {}", l.name), ..e.clone() },
            };
            store.commit(&[Change::Effort(effort)]).unwrap();
        }
        // A narrative's codes changed.
        9 if !narratives.is_empty() => {
            let n = &narratives[pick % narratives.len()];
            let book = store.codebook().unwrap();
            let codes: Vec<&Code> = book.groups.iter().flat_map(|g| &g.codes).collect();
            let code = codes[pick % codes.len()].id;
            let mut edited = Narrative { updated: now, ..n.clone() };
            book.toggle(&mut edited.codes, code);
            store.commit(&[Change::Narrative(edited)]).unwrap();
        }
        // A code added (names shared between laptops), renamed or retired.
        10 => {
            let mut book = store.codebook().unwrap();
            let group = book.groups[pick % book.groups.len()].id;
            let name = SHARED_NAMES[pick / 5 % SHARED_NAMES.len()];
            let codes: Vec<Id> = book.groups.iter().flat_map(|g| &g.codes).map(|c| c.id).collect();
            let changed = match pick % 3 {
                0 => book.add_code(group, name).is_ok(),
                1 => book.rename(codes[pick / 3 % codes.len()], &format!("{name} {}", l.name)).is_ok(),
                _ => {
                    book.toggle_retired(codes[pick / 3 % codes.len()]);
                    true
                }
            };
            if changed {
                store.commit(&[Change::Codebook(book)]).unwrap();
            }
        }
        // A code group or a variable made, of a name another laptop may give one too.
        11 => {
            let name = SHARED_NAMES[pick % SHARED_NAMES.len()];
            if (pick / 3).is_multiple_of(2) {
                let mut book = store.codebook().unwrap();
                if let Ok(group) = book.add_group(name, GroupKind::AnyOf) {
                    book.add_code(group, &format!("kode {}", l.name)).unwrap();
                    store.commit(&[Change::Codebook(book)]).unwrap();
                }
            } else {
                let mut variables = store.variables().unwrap();
                if variables.get(name).is_none() {
                    let kind = if pick.is_multiple_of(2) { VariableKind::Text } else { VariableKind::Number };
                    variables.variables.push(Variable { name: name.into(), kind });
                    store.commit(&[Change::Variables(variables)]).unwrap();
                }
            }
        }
        // A term added to the mask list (terms other laptops may add too), or a word let be.
        13 => {
            let mut masks = store.mask_list().unwrap();
            let word = ["Aarhus", "Mette", "Brønden"][pick % 3];
            if (pick / 3).is_multiple_of(3) {
                masks.allow(word);
            } else {
                masks.add(word, &format!("[{}{}]", l.name, pick % 2), None).unwrap();
            }
            store.commit(&[Change::MaskList(masks)]).unwrap();
        }
        // A contact point marked, or its mark cleared.
        12 if !cases.is_empty() => {
            let case = &cases[pick % cases.len()];
            let mut ledger =
                store.contact_ledger(case.id).unwrap().unwrap_or_else(|| ContactLedger::new(case.id, now));
            let kind = [Some(ContactMarkKind::Missed), Some(ContactMarkKind::Partial), None][pick / 3 % 3];
            ledger.mark(1 + (pick % 3) as u32, kind, &format!("fra {}", l.name)).unwrap();
            ledger.updated = now;
            store.commit(&[Change::ContactLedger(ledger)]).unwrap();
        }
        _ => {}
    }
}

/// The sync tool's copy of `from`'s files into `to`'s folder: never a
/// laptop's own file, never shorter than what is there already.
fn copy(from: &Path, to: &Path, own: Option<&Path>, share: u8) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if own.is_some_and(|o| o == target) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let len = bytes.len() * usize::from(share) / 100;
        let there = std::fs::metadata(&target).map(|m| m.len() as usize).unwrap_or(0);
        if len > there {
            std::fs::write(&target, &bytes[..len]).unwrap();
        }
    }
}

fn own_file(l: &Laptop) -> Option<PathBuf> {
    match l.store.team(TeamKey::LAPTOP).unwrap() {
        Some(TeamValue::Laptop(id)) => Some(l.folder.join(format!("{id}.changes"))),
        _ => None,
    }
}

/// The study as a comparable value: revisions in a fixed order (their keys
/// in the store are local).
fn canonical(store: &Store) -> serde_json::Value {
    let mut study = json::backup(store).unwrap();
    for s in &mut study.sessions {
        s.revisions.sort_by(|a, b| (a.seq, a.replaced, &a.text).cmp(&(b.seq, b.replaced, &b.text)));
    }
    serde_json::to_value(&study).unwrap()
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut laptops = [laptop('a'), laptop('b'), laptop('c')];
    let mut made = Made::default();
    let mut clock = 0;
    for step in steps {
        match step {
            Step::Edit { laptop, what, pick } => {
                edit(&mut laptops[laptop], what, pick, &mut clock, &mut made)
            }
            Step::Sync { laptop } => {
                let l = &laptops[laptop];
                sync(&l.store, &l.folder, None, "x").unwrap();
            }
            Step::Copy { from, to, share } if from != to => {
                let own = own_file(&laptops[to]);
                copy(&laptops[from].folder, &laptops[to].folder, own.as_deref(), share);
            }
            Step::Copy { .. } => {}
        }
    }
    // At the end of the year the sync tool catches up and everyone syncs,
    // round after round until a round changes nothing.
    for round in 0.. {
        prop_assert!(round < 8, "still changing after {round} rounds");
        let mut quiet = true;
        for l in &laptops {
            let report = sync(&l.store, &l.folder, None, "x").unwrap();
            quiet &= report.written == 0 && report.records_read == 0;
        }
        if quiet && round > 0 {
            // Nothing any laptop holds is left unsent (the store marked every change).
            for l in &laptops {
                let unsent = fieldlog::sync::unsent(&l.store).unwrap();
                prop_assert!(unsent.is_empty(), "laptop {} never sent {unsent:?}", l.name);
            }
            break;
        }
        for (from, to) in [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)] {
            let own = own_file(&laptops[to]);
            copy(&laptops[from].folder, &laptops[to].folder, own.as_deref(), 100);
        }
    }
    let first = canonical(&laptops[0].store);
    for l in &laptops[1..] {
        prop_assert_eq!(&canonical(&l.store), &first, "laptop {} differs from a", l.name);
    }
    let store = &laptops[0].store;
    let codes: BTreeSet<String> = store.cases().unwrap().iter().map(|c| c.code.to_string()).collect();
    prop_assert_eq!(codes, made.cases);
    let mut lines = BTreeSet::new();
    for s in store.sessions().unwrap() {
        for u in store.utterances(s.id).unwrap() {
            prop_assert!(lines.insert((u.session, u.seq)), "a line twice");
        }
    }
    prop_assert_eq!(lines, made.lines);
    let kept: BTreeSet<Id> = store.narratives().unwrap().iter().map(|n| n.id).collect();
    prop_assert_eq!(kept, made.narratives);
    prop_assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
    // One code per name in a group, one group and one variable per name,
    // and every code a narrative has is in the codebook.
    let book = store.codebook().unwrap();
    let mut names = BTreeSet::new();
    for g in &book.groups {
        prop_assert!(names.insert(g.name.to_lowercase()), "two groups named {}", g.name);
        let mut codes = BTreeSet::new();
        for c in &g.codes {
            prop_assert!(codes.insert(c.name.to_lowercase()), "two codes named {} in {}", c.name, g.name);
        }
    }
    let variables: BTreeSet<String> =
        store.variables().unwrap().variables.iter().map(|v| v.name.clone()).collect();
    prop_assert_eq!(variables.len(), store.variables().unwrap().variables.len(), "a variable twice");
    for n in store.all_narratives().unwrap() {
        for c in &n.codes {
            prop_assert!(book.code(*c).is_some(), "narrative {:?} has a code not in the codebook", n.title);
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("FIELDLOG_SYNC_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn three_laptops_in_any_order_end_with_one_study(steps in prop::collection::vec(step(), 10..80)) {
        run(steps)?;
    }
}

/// A teammate's change file arriving one byte at a time: every sync takes
/// the whole records there are, none twice, and the last leaves the two
/// studies alike.
#[test]
fn a_change_file_arriving_byte_by_byte_is_read_safely_at_every_cut() {
    let mut a = laptop('a');
    let b = laptop('b');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0), (2, 0), (4, 1)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    sync(&a.store, &a.folder, None, "a").unwrap();
    edit(&mut a, 5, 0, &mut clock, &mut made);
    edit(&mut a, 3, 0, &mut clock, &mut made);
    sync(&a.store, &a.folder, None, "a").unwrap();
    let file = own_file(&a).unwrap();
    let whole = std::fs::read(&file).unwrap();
    let there = b.folder.join(file.file_name().unwrap());
    let mut records = 0;
    for cut in 0..=whole.len() {
        std::fs::write(&there, &whole[..cut]).unwrap();
        let report = sync(&b.store, &b.folder, None, "b").unwrap();
        records += report.records_read;
        assert!(report.merged.conflicts.is_empty(), "cut at {cut}: {:?}", report.merged.conflicts);
        if report.records_read > 0 {
            assert!(b.store.check().unwrap().problems.is_empty(), "cut at {cut}");
        }
    }
    assert_eq!(records, 2, "each record brought in once");
    assert_eq!(canonical(&b.store), canonical(&a.store));
}

/// A first sync of a study larger than one record's worth of lines goes
/// in several records, each brought in on its own, and nothing is lost.
#[test]
fn a_large_first_sync_is_sent_and_brought_in_in_pieces() {
    let a = laptop('a');
    let b = laptop('b');
    fieldlog::dev::generate::generate(&a.store, 3, 4, 500).unwrap();
    let sent = sync(&a.store, &a.folder, None, "a").unwrap();
    assert!(sent.written >= 2, "{} records for 6000 lines", sent.written);
    let file = own_file(&a).unwrap();
    std::fs::copy(&file, b.folder.join(file.file_name().unwrap())).unwrap();
    let got = sync(&b.store, &b.folder, None, "b").unwrap();
    assert_eq!(got.records_read, sent.written);
    assert!(got.merged.conflicts.is_empty(), "{:?}", got.merged.conflicts);
    assert_eq!(canonical(&b.store), canonical(&a.store));
    assert!(b.store.check().unwrap().problems.is_empty());
}

/// A teammate's file replaced by another copy of that name (another
/// folder's, or one a sync tool made anew) is read again from its start,
/// not from where the old one was left.
#[test]
fn a_replaced_change_file_is_read_again_from_its_start() {
    let mut a = laptop('a');
    let b = laptop('b');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    sync(&a.store, &a.folder, None, "a").unwrap();
    let file = own_file(&a).unwrap();
    let name = file.file_name().unwrap().to_owned();
    std::fs::copy(&file, b.folder.join(&name)).unwrap();
    sync(&b.store, &b.folder, None, "b").unwrap();
    // a goes on in another folder: its file there holds the whole study, other bytes.
    edit(&mut a, 2, 0, &mut clock, &mut made);
    edit(&mut a, 2, 0, &mut clock, &mut made);
    let other = tempfile::tempdir().unwrap();
    sync(&a.store, other.path(), None, "a").unwrap();
    std::fs::copy(other.path().join(&name), b.folder.join(&name)).unwrap();
    let report = sync(&b.store, &b.folder, None, "b").unwrap();
    assert!(report.waiting.is_empty(), "{:?}", report.waiting);
    assert_eq!(canonical(&b.store), canonical(&a.store));
}

/// Copies every change file of `from`'s folder into `to`'s (whole).
fn pass(from: &Laptop, to: &Laptop) {
    copy(&from.folder, &to.folder, own_file(to).as_deref(), 100);
}

/// A code of one name added to one group on three laptops before they
/// sync, and narratives coded with it on each, end as one code (the
/// smallest id) that every narrative has, on every laptop, in any order.
#[test]
fn a_code_of_one_name_added_on_several_laptops_ends_as_one_code() {
    let mut a = laptop('a');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0), (2, 0)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    sync(&a.store, &a.folder, None, "a").unwrap();
    let (b, c) = (laptop('b'), laptop('c'));
    for l in [&b, &c] {
        pass(&a, l);
        sync(&l.store, &l.folder, None, "x").unwrap();
    }
    let laptops = [a, b, c];
    let mut ids = Vec::new();
    for l in &laptops {
        let mut book = l.store.codebook().unwrap();
        let group = book.groups[0].id;
        let code = book.add_code(group, "håb").unwrap();
        ids.push(code);
        let session = l.store.sessions().unwrap()[0].id;
        let n = Narrative {
            id: Id::new(),
            session,
            first_seq: 1,
            last_seq: 2,
            title: format!("håb hos {}", l.name),
            codes: vec![code],
            memo: String::new(),
            author: l.name.to_string(),
            created: at(10),
            updated: at(10),
            deleted: false,
        };
        l.store.commit(&[Change::Codebook(book), Change::Narrative(n)]).unwrap();
    }
    // c hears from b first: at once, its own narrative and b's have one code.
    sync(&laptops[1].store, &laptops[1].folder, None, "x").unwrap();
    pass(&laptops[1], &laptops[2]);
    sync(&laptops[2].store, &laptops[2].folder, None, "x").unwrap();
    let one = ids[1].min(ids[2]);
    let on_c = laptops[2].store.narratives().unwrap();
    assert!(on_c.iter().all(|n| n.codes == [one]), "{on_c:?}");
    // a from c (and through it b); b last.
    for (from, to) in [(2, 0), (0, 0), (0, 1), (1, 1), (0, 2), (1, 2), (2, 2)] {
        if from == to {
            sync(&laptops[to].store, &laptops[to].folder, None, "x").unwrap();
        } else {
            pass(&laptops[from], &laptops[to]);
        }
    }
    for _ in 0..3 {
        for l in &laptops {
            sync(&l.store, &l.folder, None, "x").unwrap();
        }
        for (from, to) in [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)] {
            pass(&laptops[from], &laptops[to]);
        }
    }
    let kept = *ids.iter().min().unwrap();
    for l in &laptops {
        let book = l.store.codebook().unwrap();
        let hope: Vec<Id> = book.groups[0].codes.iter().filter(|c| c.name == "håb").map(|c| c.id).collect();
        assert_eq!(hope, [kept], "laptop {}", l.name);
        let narratives = l.store.narratives().unwrap();
        assert_eq!(narratives.len(), 3);
        assert!(narratives.iter().all(|n| n.codes == [kept]), "laptop {}: {narratives:?}", l.name);
        assert_eq!(canonical(&l.store), canonical(&laptops[0].store), "laptop {}", l.name);
    }
}

/// The store marks what a sync must look at: once a laptop syncs, a line
/// marks its session, a narrative or a blind setting the rest of the
/// study; drafts and the sync's own bookkeeping mark nothing, and a sync
/// clears what it read. A study that never synced writes no marks.
#[test]
fn a_sync_looks_only_at_what_the_store_marked_as_changed() {
    let mut a = laptop('a');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    assert!(a.store.sync_marks().unwrap().is_empty(), "a study that never synced marks nothing");
    sync(&a.store, &a.folder, None, "a").unwrap();
    assert!(a.store.sync_marks().unwrap().is_empty());
    let session = a.store.sessions().unwrap()[0].id;
    edit(&mut a, 2, 0, &mut clock, &mut made);
    let marks = a.store.sync_marks().unwrap();
    assert_eq!((marks.study, marks.sessions.iter().copied().collect::<Vec<_>>()), (false, vec![session]));
    let draft =
        Draft { session, speaker: "I".into(), text: "halvt".into(), onset: None, onset_elapsed_ms: 0 };
    a.store.commit(&[Change::Draft(draft)]).unwrap();
    assert_eq!(a.store.sync_marks().unwrap(), marks);
    edit(&mut a, 4, 0, &mut clock, &mut made);
    assert!(a.store.sync_marks().unwrap().study);
    let report = sync(&a.store, &a.folder, None, "a").unwrap();
    assert_eq!(report.records_sent, 2, "the line and the narrative");
    assert!(a.store.sync_marks().unwrap().is_empty());
    let report = sync(&a.store, &a.folder, None, "a").unwrap();
    assert_eq!(report.written, 0);
}

/// A case added under one code on two laptops before they sync ends as
/// one case under the smaller id on both, its sessions with it, and the
/// syncs come to rest (before, each kept its id and the two versions of
/// the case's sessions went back and forth on every sync).
#[test]
fn a_case_of_one_code_added_on_two_laptops_ends_as_one_case_and_syncs_come_to_rest() {
    let (a, b) = (laptop('a'), laptop('b'));
    let mut ids = Vec::new();
    for l in [&a, &b] {
        let case = Case::new(CaseCode::parse("S1").unwrap(), vec![], at(0));
        ids.push(case.id);
        l.store.add_case(&case).unwrap();
        let speakers = session::default_speakers(SessionKind::Interview, &case.code);
        let s = Session::new(case.id, SessionKind::Interview, 1, "home", speakers, at(1));
        let mut ledger = ContactLedger::new(case.id, at(1));
        ledger.mark(2, Some(ContactMarkKind::Partial), l.name.to_string().as_str()).unwrap();
        l.store.commit(&[Change::Session(s), Change::ContactLedger(ledger)]).unwrap();
    }
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let mut busy = false;
        for l in [&a, &b] {
            let r = sync(&l.store, &l.folder, None, "x").unwrap();
            busy |= r.written > 0 || r.records_read > 0;
        }
        rounds.push(busy);
        pass(&a, &b);
        pass(&b, &a);
    }
    assert_eq!(rounds[3..], [false, false], "syncs never came to rest: {rounds:?}");
    let kept = *ids.iter().min().unwrap();
    for l in [&a, &b] {
        let cases: Vec<Id> = l.store.cases().unwrap().iter().map(|c| c.id).collect();
        assert_eq!(cases, [kept], "laptop {}", l.name);
        assert!(l.store.sessions().unwrap().iter().all(|s| s.case_id == kept));
        assert!(l.store.contact_ledger(kept).unwrap().is_some());
        assert!(l.store.check().unwrap().problems.is_empty(), "{:?}", l.store.check().unwrap().problems);
    }
    assert_eq!(canonical(&a.store), canonical(&b.store));
}
