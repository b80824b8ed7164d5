//! The real binary on a temporary store, for the durability and fault tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn fieldlog(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("FIELDLOG_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

pub fn ok(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Makes the store with `init` the first time a test uses its path (every
/// other command refuses a path that holds no store).
pub fn made(store: &Path, args: &[&str]) {
    let first = args.first().copied().unwrap_or("");
    if !store.join("store-format").exists() && !["init", "restore", "keymap"].contains(&first) {
        let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .arg("--store")
            .arg(store)
            .arg("init")
            .output()
            .unwrap();
        assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Copies a directory tree (a store, say) as it is; files that vanish meanwhile are passed over.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            let _ = std::fs::copy(entry.path(), to.join(entry.file_name()));
        }
    }
}

/// A new store with case AA and an observation of it; returns the session id.
pub fn observation(store: &Path) -> String {
    ok(store, &["init"]);
    ok(store, &["case", "add", "AA"]);
    ok(store, &["session", "start", "--case", "AA", "--kind", "observation"]).trim().to_string()
}

/// The texts of a session's lines, in order.
pub fn texts(store: &Path, session: &str) -> Vec<String> {
    let shown: serde_json::Value =
        serde_json::from_str(&ok(store, &["session", "show", session, "--json"])).unwrap();
    let lines = shown["utterances"].as_array().unwrap();
    let seqs: Vec<u64> = lines.iter().map(|u| u["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=lines.len() as u64).collect::<Vec<_>>(), "line numbers run 1..n");
    lines.iter().map(|u| u["text"].as_str().unwrap().to_string()).collect()
}

/// What happened to lines logged through `dev log-stdin`.
#[derive(Debug, Default)]
pub struct Logged {
    /// Indexes of the lines acknowledged as saved, and of those reported not saved.
    pub saved: Vec<usize>,
    pub not_saved: Vec<usize>,
    /// The line sent when the process stopped answering, if any.
    pub in_flight: Option<usize>,
    pub stderr: String,
}

/// Logs lines as the live screen saves them, waiting for each answer, then
/// kills the process with SIGKILL before it can checkpoint.
pub fn log_then_kill(store: &Path, session: &str, lines: &[&str]) -> Logged {
    log_with(Command::new(env!("CARGO_BIN_EXE_fieldlog")), store, session, lines)
}

/// `log_then_kill` for a command that runs fieldlog (under strace, say).
pub fn log_with(command: Command, store: &Path, session: &str, lines: &[&str]) -> Logged {
    log_stepwise(command, store, session, lines, |_| {})
}

/// `log_with`, calling `before(i)` before line `i` is sent (to fill a disk, say).
pub fn log_stepwise(
    mut command: Command,
    store: &Path,
    session: &str,
    lines: &[&str],
    mut before: impl FnMut(usize),
) -> Logged {
    // Its own process group, so that killing it kills what it runs (strace's tracee).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .arg("--store")
        .arg(store)
        .args(["dev", "log-stdin", "--session", session])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut answers = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut logged = Logged::default();
    for (i, line) in lines.iter().enumerate() {
        before(i);
        if writeln!(input, "{line}").is_err() {
            logged.in_flight = Some(i);
            break;
        }
        match answers.next() {
            Some(Ok(answer)) if answer.starts_with("saved ") => logged.saved.push(i),
            Some(Ok(answer)) if answer.starts_with("not saved ") => logged.not_saved.push(i),
            _ => {
                logged.in_flight = Some(i);
                break;
            }
        }
    }
    kill_group(&child);
    let out = child.wait_with_output().unwrap();
    logged.stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    logged
}

/// SIGKILL to a child and every process in its group.
pub fn kill_group(child: &std::process::Child) {
    #[cfg(unix)]
    // SAFETY: a signal to the process group this test made for the child.
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGKILL);
    }
}

/// Every file under `dir` (recursively) whose bytes hold `needle`: where a
/// word that must not be on disk in plain text was found.
pub fn files_holding(dir: &Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
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
