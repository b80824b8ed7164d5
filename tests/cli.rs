//! The real binary on a temporary store.

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn fieldlog(store: &Path, args: &[&str]) -> Output {
    support::made(store, args);
    Command::new(env!("CARGO_BIN_EXE_fieldlog")).arg("--store").arg(store).args(args).output().unwrap()
}

fn ok(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail; returns its stderr.
fn refused(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    stderr
}

#[test]
fn lines_logged_from_the_command_line_come_back_in_order_with_times() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    ok(store, &["variable", "add", "site", "--kind", "list", "--values", "Nord,Syd"]);
    ok(store, &["case", "add", "AA", "--attr", "site=Nord"]);
    let id = ok(store, &["session", "start", "--case", "AA", "--kind", "observation", "--contact", "2"]);
    let id = id.trim();
    ok(store, &["log", "--session", id, "--speaker", "CW", "Hvordan går det med selvværdet?"]);
    ok(store, &["log", "--session", id, "--speaker", "AA", "Jeg ærgrer mig over, at praktikken stoppede"]);
    ok(
        store,
        &["log", "--session", id, "--speaker", "CW", "--kind", "event", "rækker jobplanen over bordet 📄"],
    );

    let shown: Value = serde_json::from_str(&ok(store, &["session", "show", id, "--json"])).unwrap();
    assert_eq!(shown["case"], "AA");
    assert_eq!(shown["session"]["contact_point"], 2);
    let lines = shown["utterances"].as_array().unwrap();
    let got: Vec<(u64, &str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["seq"].as_u64().unwrap(),
                l["speaker"].as_str().unwrap(),
                l["kind"].as_str().unwrap(),
                l["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "CW", "speech", "Hvordan går det med selvværdet?"),
            (2, "AA", "speech", "Jeg ærgrer mig over, at praktikken stoppede"),
            (3, "CW", "event", "rækker jobplanen over bordet 📄"),
        ]
    );
    for line in lines {
        let onset = chrono::DateTime::parse_from_rfc3339(line["onset"].as_str().unwrap()).unwrap();
        let committed = chrono::DateTime::parse_from_rfc3339(line["committed"].as_str().unwrap()).unwrap();
        assert!(onset <= committed);
        assert!(line["elapsed_ms"].as_i64().unwrap() >= 0);
    }
    let text = ok(store, &["session", "show", id]);
    assert!(text.contains("    2  ") && text.contains("AA     Jeg ærgrer mig"), "{text}");

    let cases: Value = serde_json::from_str(&ok(store, &["case", "list", "--json"])).unwrap();
    assert_eq!(cases[0]["code"], "AA");
    assert_eq!(cases[0]["sessions"]["observation"], 1);
    assert_eq!(cases[0]["attributes"][0], serde_json::json!(["site", "Nord"]));
}

#[test]
fn the_json_export_holds_every_case_session_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    ok(store, &["case", "add", "AA"]);
    ok(store, &["case", "add", "NTC"]);
    let id = ok(store, &["session", "start", "--case", "NTC", "--kind", "interview"]);
    ok(store, &["log", "--session", id.trim(), "Det var en god dag"]);
    let out = dir.path().join("study.json");
    ok(store, &["export", "--format", "json", "--output", out.to_str().unwrap()]);
    let study: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(study["format"], "fieldlog-study");
    assert_eq!(study["cases"].as_array().unwrap().len(), 2);
    assert_eq!(study["sessions"][0]["case"], "NTC");
    assert_eq!(study["sessions"][0]["session"]["speakers"][1]["label"], "I");
    assert_eq!(study["sessions"][0]["utterances"][0]["text"], "Det var en god dag");
}

#[test]
fn bad_input_gets_one_sentence_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    ok(store, &["case", "add", "AA"]);
    let id = ok(store, &["session", "start", "--case", "AA", "--kind", "interview"]);
    let id = id.trim();
    let before = ok(store, &["export", "--format", "json"]);

    assert!(
        refused(store, &["case", "add", "Anne Hansen"]).contains("case code \"Anne Hansen\" is not valid")
    );
    assert!(refused(store, &["case", "add", "AA"]).contains("case AA already exists"));
    assert!(
        refused(store, &["session", "start", "--case", "ZZ", "--kind", "interview"]).contains("no case ZZ")
    );
    assert!(refused(store, &["session", "start", "--case", "AA", "--kind", "chat"])
        .contains("session kind \"chat\""));
    let speaker =
        refused(store, &["session", "start", "--case", "AA", "--kind", "interview", "--speaker", "AA:boss"]);
    assert!(speaker.contains("role \"boss\" is unknown"), "{speaker}");
    assert!(refused(store, &["log", "--session", id, "--speaker", "XX", "hej"])
        .contains("speaker XX is not in this session"));
    assert!(refused(store, &["log", "--session", "nonsense", "hej"]).contains("no session nonsense"));
    assert!(refused(store, &["log", "--session", id, "--kind", "song", "hej"]).contains("line kind \"song\""));
    assert!(refused(store, &["log", "--session", id, "   "]).contains("the line is empty"));

    let after = ok(store, &["export", "--format", "json"]);
    let strip = |s: &str| s.lines().filter(|l| !l.contains("\"exported\"")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&before), strip(&after));
}

#[test]
fn a_second_process_on_a_store_in_use_is_told_which_store_and_the_first_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, &["case", "add", "AA"]);
    let id = ok(&store, &["session", "start", "--case", "AA", "--kind", "observation"]);
    let mut first = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&store)
        .args(["dev", "log-stdin", "--session", id.trim()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = first.stdin.take().unwrap();
    let mut acks = BufReader::new(first.stdout.take().unwrap()).lines();
    writeln!(input, "første linje").unwrap();
    assert_eq!(acks.next().unwrap().unwrap(), "saved 1");

    let stderr = refused(&store, &["case", "list"]);
    assert!(
        stderr.contains(&format!("the store at {} is in use by another fieldlog", store.display())),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("process {}", first.id())), "{stderr}");

    writeln!(input, "anden linje").unwrap();
    assert_eq!(acks.next().unwrap().unwrap(), "saved 2");
    drop(input);
    assert!(first.wait().unwrap().success());
    let shown: Value = serde_json::from_str(&ok(&store, &["session", "show", id.trim(), "--json"])).unwrap();
    assert_eq!(shown["utterances"].as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_new_store_is_private_to_its_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("new-study");
    ok(&store, &["case", "list"]);
    assert_eq!(std::fs::metadata(&store).unwrap().permissions().mode() & 0o777, 0o700);
}

#[test]
fn the_store_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init"]);
    let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .env("FIELDLOG_STORE", dir.path())
        .args(["case", "add", "BB"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(ok(dir.path(), &["case", "list"]).contains("BB"));
}

#[test]
fn check_reports_a_value_corrupted_on_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, &["case", "add", "AA"]);
    let id = ok(&store, &["session", "start", "--case", "AA", "--kind", "observation"]);
    ok(&store, &["log", "--session", id.trim(), "En helt almindelig linje"]);
    assert!(ok(&store, &["check"]).contains("is sound: 1 case, 1 session, 1 line"));
    {
        let db = sled::Config::new().path(store.join("sled")).use_compression(true).open().unwrap();
        let lines = db.open_tree("utterances").unwrap();
        let (key, _) = lines.first().unwrap().unwrap();
        let mut broken = key.to_vec();
        broken[19] = 9;
        lines.insert(broken, vec![1, 0xff, 0xff, 0xff]).unwrap();
        db.open_tree("case_codes").unwrap().insert("ZZ", &[0u8; 16]).unwrap();
        db.flush().unwrap();
    }
    let out = fieldlog(&store, &["check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("utterance ") && stdout.contains("could not be read"), "{stdout}");
    assert!(stdout.contains("the case-code index names \"ZZ\", which is no case"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("has 2 problems"));
}

#[test]
fn a_purged_case_leaves_no_byte_of_its_text_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, &["case", "add", "AA"]);
    ok(&store, &["case", "add", "BB"]);
    let secret = "Hemmelighed-om-misbrug-7731";
    let aa = ok(&store, &["session", "start", "--case", "AA", "--kind", "interview"]);
    for _ in 0..3 {
        ok(&store, &["log", "--session", aa.trim(), &format!("{secret} fortalt i tillid")]);
    }
    ok(&store, &["narrative", "add", "--session", aa.trim(), "--from", "1", "--to", "2", "--title", secret]);
    ok(
        &store,
        &[
            "effort",
            "add",
            "--case",
            "AA",
            "--kind",
            "addiction treatment",
            "--start",
            "2025-01-01",
            "--outcome",
            secret,
        ],
    );
    let bb = ok(&store, &["session", "start", "--case", "BB", "--kind", "interview"]);
    ok(&store, &["log", "--session", bb.trim(), "BB bliver i studiet"]);

    assert!(refused(&store, &["case", "purge", "AA"]).contains("--yes"));
    ok(&store, &["case", "purge", "AA", "--yes"]);

    let mut files = vec![store.clone()];
    let mut leaked = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if std::fs::read(&path).unwrap().windows(secret.len()).any(|w| w == secret.as_bytes()) {
            leaked.push(path);
        }
    }
    assert!(leaked.is_empty(), "the purged text is still in {leaked:?}");
    assert!(!dir.path().join("study.purged").exists() && !dir.path().join("study.purging").exists());
    let cases: Value = serde_json::from_str(&ok(&store, &["case", "list", "--json"])).unwrap();
    assert_eq!(cases.as_array().unwrap().len(), 1);
    assert!(ok(&store, &["search", "studiet"]).contains("BB"));
    assert!(ok(&store, &["check"]).contains("is sound"));
}

#[test]
fn exports_can_replace_case_codes_and_speaker_labels() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, &["case", "add", "AA"]);
    let id = ok(&store, &["session", "start", "--case", "AA", "--kind", "observation"]);
    ok(&store, &["log", "--session", id.trim(), "--speaker", "CW", "Godmorgen"]);
    let map = dir.path().join("map.txt");
    std::fs::write(&map, "# pseudonyms for the article\nAA=P01\nCW=SB1\n").unwrap();
    let study: Value = serde_json::from_str(&ok(
        &store,
        &["export", "--format", "json", "--pseudonymise", map.to_str().unwrap()],
    ))
    .unwrap();
    assert_eq!(study["cases"][0]["code"], "P01");
    assert_eq!(study["sessions"][0]["case"], "P01");
    assert_eq!(study["sessions"][0]["utterances"][0]["speaker"], "SB1");
    let labels: Vec<&str> = study["sessions"][0]["session"]["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["P01", "SB1"]);
    std::fs::write(&map, "AA=Anne Hansen\n").unwrap();
    assert!(refused(&store, &["export", "--format", "json", "--pseudonymise", map.to_str().unwrap()])
        .contains("line 1"));
}
