//! The real binary on a temporary store: run a command, or one that must succeed or fail.

use std::path::Path;
use std::process::{Command, Output};

pub fn fieldlog(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldlog")).arg("--store").arg(store).args(args).output().unwrap()
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
