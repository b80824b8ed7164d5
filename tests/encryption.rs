//! Encryption at rest: no text readable in the store files without the
//! passphrase; a wrong or missing one is refused clearly.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::files_holding;

fn fieldlog(store: &Path, passphrase: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldlog"));
    command.arg("--store").arg(store).args(args).env_remove("FIELDLOG_PASSPHRASE");
    if let Some(p) = passphrase {
        command.env("FIELDLOG_PASSPHRASE", p);
    }
    command.output().unwrap()
}

fn ok(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, Some("korrekt hest batteri"), args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_encrypted_store_keeps_its_text_unreadable_and_asks_for_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, &["init", "--encrypt"]);
    ok(&store, &["case", "add", "AA"]);
    let session = ok(&store, &["session", "start", "--case", "AA", "--kind", "interview"]);
    let secret = "Misbruget-begyndte-da-jeg-var-fjorten";
    for _ in 0..3 {
        ok(&store, &["log", "--session", session.trim(), secret]);
    }
    ok(
        &store,
        &[
            "narrative",
            "add",
            "--session",
            session.trim(),
            "--from",
            "1",
            "--to",
            "2",
            "--title",
            secret,
            "--memo",
            secret,
        ],
    );
    assert!(files_holding(&store, secret.as_bytes()).is_empty(), "the text is readable in the store files");
    assert!(files_holding(&store, "fjorten".as_bytes()).is_empty());

    let missing = fieldlog(&store, None, &["case", "list"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is encrypted: give its passphrase"));
    let wrong = fieldlog(&store, Some("forkert"), &["case", "list"]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("passphrase for the store at"));

    assert!(ok(&store, &["search", "fjorten"]).contains(secret));
    assert!(ok(&store, &["check"]).contains("is sound: 1 case, 1 session, 3 lines, 1 narrative"));
    ok(&store, &["case", "purge", "AA", "--yes"]);
    assert!(ok(&store, &["case", "list"]).contains("no cases yet"));
    assert!(!fieldlog(&store, None, &["case", "list"]).status.success(), "still encrypted after the rewrite");
}
