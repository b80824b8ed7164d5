//! The search index from the command line: it follows writes from process
//! to process without being built again, a damaged or stale one gives the
//! right hits and is built again (and says so), `check` repairs it, and no
//! word of a purged case or of an encrypted study is left readable in it.

mod support;

use std::path::Path;
use std::process::Command;
use support::{fieldlog, files_holding, log_then_kill, observation, ok};

/// Runs a search; returns what it printed and what it said on stderr.
fn search(store: &Path, word: &str) -> (String, String) {
    let out = fieldlog(store, &["search", word]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn log(store: &Path, session: &str, text: &str) {
    ok(store, &["log", "--session", session, text]);
}

/// A study whose index has its lines in its file (built from sled, as for
/// a study made before the index) and a log of the writes since.
fn study(store: &Path) -> String {
    let session = observation(store);
    for n in 0..40 {
        log(store, &session, &format!("Linje {n}: Jeg ærgrer mig over SAGSBEHANDLEREN"));
    }
    for name in ["search.index", "search.log"] {
        std::fs::remove_file(store.join(name)).unwrap();
    }
    assert!(search(store, "ærgrer").1.contains("built the search index"));
    for n in 40..43 {
        log(store, &session, &format!("Linje {n}: ærgrelsen efter bygningen"));
    }
    ok(
        store,
        &["narrative", "add", "--session", &session, "--from", "1", "--to", "3", "--title", "Ærgrelse"],
    );
    session
}

fn flip(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0x20;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn the_index_follows_writes_from_process_to_process_without_being_built_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = observation(&store);
    for n in 0..40 {
        log(&store, &session, &format!("Linje {n}: Jeg ærgrer mig over SAGSBEHANDLEREN"));
    }
    assert!(store.join("search.index").exists() && store.join("search.log").exists());
    let (found, said) = search(&store, "ærgrer");
    assert_eq!(found.lines().count(), 40, "{found}");
    assert!(said.is_empty(), "a new study's index is followed from its first line: {said}");
    log(&store, &session, "Et nyt ord: fjordhest");
    let (found, said) = search(&store, "FJORDHEST");
    assert!(found.contains("line 41") && found.contains("Et nyt ord: fjordhest"), "{found}");
    assert!(said.is_empty(), "the line written by another process was followed: {said}");

    // A store from before the index: built once, said once, then followed.
    for name in ["search.index", "search.log"] {
        std::fs::remove_file(store.join(name)).unwrap();
    }
    let (found, said) = search(&store, "fjordhest");
    assert_eq!(found.lines().count(), 1);
    assert!(said.contains("built the search index"), "{said}");
    log(&store, &session, "Endnu en fjordhest");
    let (found, said) = search(&store, "fjordhest");
    assert_eq!(found.lines().count(), 2, "{found}");
    assert!(said.is_empty(), "{said}");
}

#[test]
fn a_cut_flipped_or_missing_index_file_gives_the_right_hits_and_is_built_again() {
    type Damage = (&'static str, fn(&Path));
    let damages: [Damage; 5] = [
        ("cut short", |s| {
            let file = std::fs::OpenOptions::new().write(true).open(s.join("search.index")).unwrap();
            file.set_len(file.metadata().unwrap().len() - 10).unwrap();
        }),
        ("a byte flipped in its text", |s| flip(&s.join("search.index"), 20)),
        ("a byte flipped in its log", |s| {
            let len = std::fs::metadata(s.join("search.log")).unwrap().len() as usize;
            flip(&s.join("search.log"), len - 5)
        }),
        ("its file removed", |s| std::fs::remove_file(s.join("search.index")).unwrap()),
        ("its log removed", |s| std::fs::remove_file(s.join("search.log")).unwrap()),
    ];
    for (what, damage) in damages {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("study");
        study(&store);
        let (before, _) = search(&store, "ærgre");
        damage(&store);
        let (after, said) = search(&store, "ærgre");
        assert_eq!(after, before, "{what}: the hits");
        assert!(said.contains("search index") && said.contains("built again"), "{what}: {said}");
        assert_eq!(said.lines().count(), 1, "{what}: said once: {said}");
        let (again, said) = search(&store, "ærgre");
        assert_eq!(again, before);
        assert!(said.is_empty(), "{what}: built once: {said}");
    }
}

#[test]
fn lines_saved_before_a_kill_are_found_whatever_the_log_got() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = study(&store);
    let lines: Vec<String> = (0..30).map(|n| format!("Dræbt midt i linje {n} om kattelem")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let logged = log_then_kill(&store, &session, &lines);
    assert!(!logged.saved.is_empty());
    let (found, _) = search(&store, "kattelem");
    for i in &logged.saved {
        assert!(found.contains(&format!("linje {i} om")), "saved line {i} not found: {found}");
    }
    assert!(ok(&store, &["check"]).contains("is sound"));
}

#[test]
fn check_reports_a_damaged_index_and_builds_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    study(&store);
    let (before, _) = search(&store, "ærgre");
    flip(&store.join("search.index"), 20);
    let out = ok(&store, &["check"]);
    assert!(out.contains("the search index") && out.contains("built again"), "{out}");
    assert!(out.contains("is sound"), "a derived index is repaired, not a problem of the store: {out}");
    let out = ok(&store, &["check"]);
    assert!(!out.contains("search index"), "sound once built again: {out}");
    assert_eq!(search(&store, "ærgre"), (before, String::new()));
}

/// Every file under `dir` that holds `needle`.
#[test]
fn a_purged_case_leaves_none_of_its_words_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let aa = observation(&store);
    ok(&store, &["case", "add", "BB"]);
    let bb = ok(&store, &["session", "start", "--case", "BB", "--kind", "interview"]).trim().to_string();
    let secret = "Tilbagefaldet-Hos-Morbroderen";
    log(&store, &aa, &format!("{secret} i marts"));
    log(&store, &bb, "BB bliver i studiet");
    // The index file holds the secret (folded), the log holds the later lines.
    assert_eq!(search(&store, "morbroderen").0.lines().count(), 1);
    log(&store, &aa, &format!("Igen {secret}"));
    ok(&store, &["narrative", "add", "--session", &aa, "--from", "1", "--to", "2", "--title", secret]);
    assert_eq!(search(&store, "morbroderen").0.lines().count(), 3);
    ok(&store, &["case", "purge", "AA", "--yes"]);
    for word in [secret.to_string(), secret.to_lowercase(), "morbroderen".into()] {
        assert!(
            files_holding(&store, word.as_bytes()).is_empty(),
            "{word:?} is still in {:?}",
            files_holding(&store, word.as_bytes())
        );
    }
    assert_eq!(search(&store, "morbroderen").0, "nothing found\n");
    assert!(search(&store, "studiet").0.contains("BB"));
    assert!(ok(&store, &["check"]).contains("is sound"));
}

#[test]
fn an_encrypted_study_writes_no_word_of_its_index_in_plain() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .env("FIELDLOG_PASSPHRASE", "korrekt hest batteri")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["init", "--encrypt"]);
    run(&["case", "add", "AA"]);
    let session = run(&["session", "start", "--case", "AA", "--kind", "interview"]).trim().to_string();
    let secret = "Overgrebet-Skete-Paa-Loftet";
    run(&["log", "--session", &session, &format!("{secret} sagde hun")]);
    assert!(run(&["search", "paa-loftet"]).contains(secret));
    run(&["log", "--session", &session, &format!("Og {secret} igen")]);
    run(&[
        "narrative",
        "add",
        "--session",
        &session,
        "--from",
        "1",
        "--to",
        "2",
        "--title",
        "Loftet",
        "--memo",
        secret,
    ]);
    assert_eq!(run(&["search", "SKETE"]).lines().count(), 3);
    assert!(run(&["check"]).contains("is sound"));
    assert!(store.join("search.index").exists() && store.join("search.log").exists());
    for word in [secret.to_string(), secret.to_lowercase(), "sagde hun".into()] {
        assert!(
            files_holding(&store, word.as_bytes()).is_empty(),
            "{word:?} is readable in {:?}",
            files_holding(&store, word.as_bytes())
        );
    }
}
