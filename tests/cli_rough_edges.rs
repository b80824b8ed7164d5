//! The rough edges a new user hit on the command line (issue 11): each
//! reproduced with the real binary on a temporary store.

mod common;

use common::cli::{fieldlog, ok, refused};
use std::process::Command;

/// A new study with case AA.
fn study() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, &["init"]);
    ok(&store, &["case", "add", "AA"]);
    (dir, store)
}

#[test]
fn an_ended_session_takes_no_more_lines() {
    let (_dir, s) = study();
    let id = ok(&s, &["session", "start", "--case", "AA", "--kind", "interview"]);
    let id = id.trim();
    ok(&s, &["log", "--session", id, "Hej"]);
    ok(&s, &["session", "end", id]);
    let error = refused(&s, &["log", "--session", id, "Et ord mere"]);
    assert!(error.contains("ended") && error.contains("session start"), "{error}");
    let shown = ok(&s, &["session", "show", id]);
    assert!(!shown.contains("Et ord mere"), "{shown}");
}

#[test]
fn an_attribute_needs_a_variable_when_a_case_is_added_as_when_it_is_set() {
    let (_dir, s) = study();
    let add = refused(&s, &["case", "add", "BB", "--attr", "site=Nord"]);
    let set = refused(&s, &["case", "set", "AA", "site=Syd"]);
    assert!(
        add.contains("there is no variable site") && set.contains("there is no variable site"),
        "{add}{set}"
    );
    assert!(!ok(&s, &["case", "list"]).contains("BB"), "nothing stored by a refused command");
    ok(&s, &["variable", "add", "site", "--kind", "list", "--values", "Nord,Syd"]);
    assert!(refused(&s, &["case", "add", "BB", "--attr", "site=Øst"]).contains("is not a value of site"));
    ok(&s, &["case", "add", "BB", "--attr", "SITE=Nord"]);
    assert!(ok(&s, &["case", "list", "--json"]).contains("\"site\""), "stored under the variable's name");
}

#[test]
fn dev_generate_refuses_a_store_that_holds_a_study() {
    let (_dir, s) = study();
    let error = refused(&s, &["dev", "generate", "--cases", "1", "--sessions", "1", "--lines", "5"]);
    assert!(error.contains("already holds 1 case:") && error.contains("new store"), "{error}");
    assert_eq!(ok(&s, &["case", "list"]).lines().count(), 1, "no synthetic case added");
}

#[test]
fn narratives_are_by_the_login_name_when_the_environment_has_none() {
    let (_dir, s) = study();
    let id = ok(&s, &["session", "start", "--case", "AA", "--kind", "interview"]);
    ok(&s, &["log", "--session", id.trim(), "Hej"]);
    let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&s)
        .args(["narrative", "add", "--session", id.trim(), "--from", "1", "--to", "1", "--title", "Hej"])
        .env_remove("USER")
        .env_remove("USERNAME")
        .env_remove("LOGNAME")
        .env_remove("FIELDLOG_AUTHOR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let login = Command::new("id").arg("-un").output().unwrap();
    let login = String::from_utf8(login.stdout).unwrap().trim().to_string();
    let list = ok(&s, &["narrative", "list", "--json"]);
    assert!(list.contains(&format!("\"author\": \"{login}\"")), "by {login}: {list}");
}

#[test]
fn a_transcript_is_dated_the_day_it_was_recorded_and_never_ends_in_the_future() {
    let (dir, s) = study();
    let file = dir.path().join("interview.txt");
    std::fs::write(&file, "I: Hvordan går det? [00:00:05]\nAA: Godt. [00:10:00]\n").unwrap();
    let file = file.to_str().unwrap();
    let args = ["import", "transcript", file, "--case", "AA", "--kind", "interview"];
    let id = ok(&s, &[&args[..], &["--date", "2026-03-02 10:30"]].concat());
    let shown = ok(&s, &["session", "show", id.trim()]);
    assert!(shown.contains("started 2026-03-02 10:30:00"), "{shown}");
    assert!(shown.contains("ended 2026-03-02 10:40:00"), "{shown}");
    // Without a day, it ended now: started ten minutes before.
    let id = ok(&s, &args);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&s, &["session", "show", id.trim(), "--json"])).unwrap();
    let ended = chrono::DateTime::parse_from_rfc3339(json["session"]["ended"].as_str().unwrap()).unwrap();
    assert!(ended <= chrono::Local::now().fixed_offset(), "ends in the future: {ended}");
    let error = refused(&s, &[&args[..], &["--date", "2026-02-30"]].concat());
    assert!(error.contains("February 2026 has 28 days"), "{error}");
}

#[test]
fn usage_mistakes_and_impossible_input_are_one_sentence() {
    let (_dir, s) = study();
    let out = fieldlog(&s, &["session", "start", "--case", "AA"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    assert!(stderr.contains("--kind") && stderr.contains("fieldlog session start --help"), "{stderr}");
    let error = refused(&s, &["search", ""]);
    assert!(error.contains("nothing to search for"), "{error}");
    let error = refused(&s, &["effort", "add", "--case", "AA", "--kind", "x", "--start", "2026-02-30"]);
    assert!(error.contains("2026-02-30 is no date: February 2026 has 28 days"), "{error}");
    let error = refused(&s, &["effort", "add", "--case", "AA", "--kind", "x", "--start", "2026-13-01"]);
    assert!(error.contains("there is no month 13"), "{error}");
    let checked = ok(&s, &["check"]);
    assert!(checked.contains("1 case,") && checked.contains("0 sessions"), "{checked}");
}

#[test]
fn keymap_check_lists_every_problem_first_line_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(
        &file,
        "[live]\n\"alt-x\" = \"make-coffee\"\n\"hyper-q\" = \"commit-note\"\n[reviews]\nj = \"select-down\"\n",
    )
    .unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_fieldlog")).args(["keymap", "check"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].contains("keymap.toml:2: unknown action \"make-coffee\""), "{stderr}");
    assert!(lines[1].contains("keymap.toml:3: \"hyper-q\" is not a key"), "{stderr}");
    assert!(lines[2].contains("keymap.toml:4: unknown table [reviews]"), "{stderr}");
}

#[test]
fn an_unknown_keymap_name_is_told_with_the_shipped_ones() {
    let refused = fieldlog::keymap::load("nosuch", None).refused.expect("refused").to_string();
    assert!(refused.contains("nosuch") && refused.contains("default, function-keys"), "{refused}");
}

#[test]
fn a_mistyped_output_path_makes_no_folders_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    ok(s, &["init"]);
    ok(s, &["case", "add", "AA"]);
    let id = ok(s, &["session", "start", "--case", "AA", "--kind", "interview"]);
    ok(s, &["log", "--session", id.trim(), "Hej"]);
    for format in ["csv", "eaf", "json"] {
        let output = dir.path().join("no/such/folder").join(format);
        let said = refused(s, &["export", "--format", format, "--output", output.to_str().unwrap()]);
        assert!(said.contains("No such file or directory") || said.contains("no such"), "{format}: {said}");
        assert!(!dir.path().join("no").exists(), "{format} made folders down a mistyped path");
    }
}
