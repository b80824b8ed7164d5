//! Transcripts in, backups out and back, from the command line.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn run(store: &Path, args: &[&str]) -> (bool, String, String) {
    support::made(store, args);
    let out =
        Command::new(env!("CARGO_BIN_EXE_fieldlog")).arg("--store").arg(store).args(args).output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn ok(store: &Path, args: &[&str]) -> String {
    let (success, stdout, stderr) = run(store, args);
    assert!(success, "{args:?}: {stderr}");
    stdout
}

fn refused(store: &Path, args: &[&str]) -> String {
    let (success, _, stderr) = run(store, args);
    assert!(!success, "{args:?} should fail");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    stderr
}

const TRANSCRIPT: &str = "\u{feff}I: Hvor står du nu i forhold til arbejde? [00:00:04]\r\n\r\n[00:01:12] AA: Dårlige tænder er mit\r\nandet kæmpeproblem 👨‍👩‍👧.\r\n#00:02:03-5# I: Og praktikken, \"caféen\"?\r\nAA: Den gik godt, tror jeg [02:10]\r\n";

#[test]
fn an_imported_transcript_comes_back_out_with_its_text_and_times() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("study");
    let file = dir.path().join("interview.txt");
    std::fs::write(&file, TRANSCRIPT).unwrap();
    ok(&s, &["case", "add", "AA"]);
    let id = ok(
        &s,
        &[
            "import",
            "transcript",
            file.to_str().unwrap(),
            "--case",
            "AA",
            "--kind",
            "interview",
            "--contact",
            "2",
        ],
    );
    let shown: Value = serde_json::from_str(&ok(&s, &["session", "show", id.trim(), "--json"])).unwrap();
    let lines: Vec<(String, String, i64)> = shown["utterances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["speaker"].as_str().unwrap().into(),
                u["text"].as_str().unwrap().into(),
                u["recording_ms"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String, i64)> = vec![
        ("I".into(), "Hvor står du nu i forhold til arbejde?".into(), 4_000),
        ("AA".into(), "Dårlige tænder er mit\nandet kæmpeproblem 👨‍👩‍👧.".into(), 72_000),
        ("I".into(), "Og praktikken, \"caféen\"?".into(), 123_500),
        ("AA".into(), "Den gik godt, tror jeg".into(), 130_000),
    ];
    assert_eq!(lines, expected);
    assert_eq!(shown["session"]["contact_point"], 2);
    assert_eq!(shown["session"]["speakers"][0]["role"], "interviewer");

    // Out again as CSV: the same text, RFC 4180 quoted.
    let out = dir.path().join("csv");
    ok(&s, &["export", "--format", "csv", "--output", out.to_str().unwrap()]);
    let csv = std::fs::read_to_string(out.join("utterances.csv")).unwrap();
    assert!(csv.contains(",72000,72000,\"Dårlige tænder er mit\nandet kæmpeproblem 👨‍👩‍👧.\"\r\n"), "{csv}");
    assert!(csv.contains(",\"Og praktikken, \"\"caféen\"\"?\"\r\n"), "{csv}");
}

#[test]
fn malformed_transcripts_are_refused_whole_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("study");
    ok(&s, &["case", "add", "AA"]);
    let mut long = b"I: hej\nAA: ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 10 << 20));
    let files: [(&str, Vec<u8>, &str); 4] = [
        ("nospeaker.txt", b"\nsom sagt\nI: hej\n".to_vec(), "line 2: has no speaker"),
        ("stamp.txt", b"I: hej\nAA: nej [00:61]\n".to_vec(), "line 2: has a broken time stamp"),
        ("latin1.txt", b"I: hej\nAA: s\xe5dan\n".to_vec(), "line 2: is not valid UTF-8"),
        ("long.txt", long, "line 2: is 10485764 bytes long"),
    ];
    for (name, bytes, reason) in files {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let error = refused(
            &s,
            &["import", "transcript", file.to_str().unwrap(), "--case", "AA", "--kind", "interview"],
        );
        assert!(error.contains(reason) && error.contains(name), "{name}: {error}");
    }
    let nothing: Value = serde_json::from_str(&ok(&s, &["session", "list", "--json"])).unwrap();
    assert_eq!(nothing, serde_json::json!([]), "nothing is half-imported");
    let file = dir.path().join("roles.txt");
    std::fs::write(&file, "MK: Hej\n").unwrap();
    let error =
        refused(&s, &["import", "transcript", file.to_str().unwrap(), "--case", "AA", "--kind", "interview"]);
    assert!(error.contains("--role MK=ROLE"), "{error}");
    ok(
        &s,
        &[
            "import",
            "transcript",
            file.to_str().unwrap(),
            "--case",
            "AA",
            "--kind",
            "interview",
            "--role",
            "MK=job-consultant",
        ],
    );
}

#[test]
fn backup_restore_backup_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    ok(&first, &["dev", "generate", "--cases", "2", "--sessions", "2", "--lines", "50"]);
    ok(&first, &["case", "set", "G1", "site=Nord"]);
    let session = ok(&first, &["session", "start", "--case", "G1", "--kind", "interview"]);
    ok(&first, &["log", "--session", session.trim(), "Æble, \"pære\" og 👩‍👩‍👧"]);
    ok(&first, &["effort", "add", "--case", "G1", "--kind", "bike course", "--start", "2025-03-01"]);
    ok(&first, &["link", "add", "--case", "G1", "--chain", "cykel -> frihed", "--valence", "positive"]);
    let one = dir.path().join("one.json");
    let two = dir.path().join("two.json");
    ok(&first, &["backup", one.to_str().unwrap()]);
    let second = dir.path().join("second");
    ok(&second, &["restore", one.to_str().unwrap()]);
    ok(&second, &["backup", two.to_str().unwrap()]);
    assert!(
        std::fs::read(&one).unwrap() == std::fs::read(&two).unwrap(),
        "backup → restore → backup differs"
    );
    assert_eq!(ok(&second, &["search", "pære"]), ok(&first, &["search", "pære"]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&one).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(refused(&second, &["restore", one.to_str().unwrap()]).contains("already holds a study"));
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"format\": \"fieldlog-study\", \"version\": 1}").unwrap();
    let empty = dir.path().join("empty");
    assert!(refused(&empty, &["restore", broken.to_str().unwrap()]).contains("is not a fieldlog backup"));
    assert_eq!(ok(&empty, &["case", "list"]).trim(), "no cases yet: add one with `fieldlog case add CODE`");
}
