//! The real binary on a temporary store: run a command, or one that must succeed or fail.

use std::path::Path;
use std::process::{Command, Output};

pub fn fieldlog(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldlog")).arg("--store").arg(store).args(args).output().unwrap()
}

/// A command run by `author` (`FIELDLOG_AUTHOR`), with no passphrase from
/// the environment and no git identity of the machine's (`sync --git`
/// commits as the author).
pub fn fieldlog_as(store: &Path, author: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env("FIELDLOG_AUTHOR", author)
        .env_remove("FIELDLOG_PASSPHRASE")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap()
}

/// A command by `author` that must succeed; its output.
pub fn ok_as(store: &Path, author: &str, args: &[&str]) -> String {
    let out = fieldlog_as(store, author, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn ok(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail in one sentence; returns it.
pub fn refused(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    stderr
}
