//! I/O-error sweep, as SQLite's ioerr tests do: for each workload, fail the
//! 1st, 2nd, … call of write, fdatasync, fsync, ftruncate, rename and
//! openat in turn (and "from the Nth on": a disk that stays broken) with
//! `strace -e inject`, on the real binary; then reopen without faults and
//! check that every acknowledged line is there once, nothing reported as
//! failed is there, the store opens and `check` calls it sound, and a
//! command that failed changed nothing (backups whole, purges all or none).
//!
//! Quick by default; `FIELDLOG_FAULTS=long cargo test --release --test faults`
//! fails each call up to its 15th.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::*;

const CALLS: [&str; 6] = ["write", "fdatasync", "fsync", "ftruncate", "rename", "openat"];

/// Which invocations fail: each of the first few alone, then all from one on.
fn whens() -> Vec<String> {
    let last = if std::env::var("FIELDLOG_FAULTS").as_deref() == Ok("long") { 15 } else { 3 };
    let mut whens: Vec<String> = (1..=last).map(|n| n.to_string()).collect();
    whens.push("2+".into());
    whens
}

/// fieldlog under strace, with the `when`-th call of `call` failing.
fn faulty(call: &str, when: &str) -> Command {
    let errno = if call == "write" { "ENOSPC" } else { "EIO" };
    let mut command = Command::new("strace");
    command
        .args(["-f", "-qq", "-o", "/dev/null", "-e", &format!("trace={call}")])
        .args(["-e", &format!("inject={call}:error={errno}:when={when}")])
        .arg(env!("CARGO_BIN_EXE_fieldlog"))
        .env_remove("FIELDLOG_PASSPHRASE");
    command
}

fn faulty_run(call: &str, when: &str, store: &Path, args: &[&str]) -> Output {
    faulty(call, when).arg("--store").arg(store).args(args).output().expect("these tests need strace")
}

/// Whether a command failed only in telling what it had done: the write of
/// its report to standard output failed, after the store had saved it.
fn after_saving(out: &Output) -> bool {
    String::from_utf8_lossy(&out.stderr).contains("failed printing to stdout")
}

fn sound(store: &Path, what: &str) {
    let out = fieldlog(store, &["check"]);
    assert!(
        out.status.success(),
        "{what}: the store is not sound: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A study to start each run from: case AA with a session of ten lines, case BB with one.
struct Template {
    dir: tempfile::TempDir,
    session: String,
    other: String,
}

impl Template {
    fn new() -> Template {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("study");
        let session = observation(&store);
        for n in 1..=10 {
            ok(&store, &["log", "--session", &session, &format!("før {n}: Dårlige tænder")]);
        }
        ok(&store, &["case", "add", "BB"]);
        let other =
            ok(&store, &["session", "start", "--case", "BB", "--kind", "interview"]).trim().to_string();
        ok(&store, &["log", "--session", &other, "BB's hemmelighed"]);
        ok(&store, &["backup", dir.path().join("theirs.json").to_str().unwrap()]);
        Template { dir, session, other }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("study")
    }

    /// A fresh copy of the study for one run.
    fn copy(&self, into: &Path) -> PathBuf {
        let store = into.join("study");
        copy_dir(&self.store(), &store);
        store
    }
}

struct Sweep {
    runs: usize,
    failed: usize,
}

impl Sweep {
    fn new() -> Sweep {
        Sweep { runs: 0, failed: 0 }
    }

    fn each(&mut self, mut run: impl FnMut(&str, &str) -> bool) {
        for call in CALLS {
            for when in whens() {
                self.runs += 1;
                if !run(call, &when) {
                    self.failed += 1;
                }
            }
        }
    }
}

#[test]
fn logging_across_checkpoints_under_injected_io_errors() {
    let template = Template::new();
    let before = texts(&template.store(), &template.session);
    // Long lines, so the journal passes its size limit and checkpoints midway.
    let lines: Vec<String> =
        (1..=40).map(|n| format!("linje {n} {}slut", "selvværd og ærgrelse ".repeat(1_500))).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut sweep = Sweep::new();
    let mut acknowledged = 0;
    sweep.each(|call, when| {
        let what = format!("{call} #{when}");
        let run = tempfile::tempdir().unwrap();
        let store = template.copy(run.path());
        let logged = log_with(faulty(call, when), &store, &template.session, &lines);
        acknowledged += logged.saved.len();
        let stored = texts(&store, &template.session);
        assert!(
            stored.len() >= before.len() && stored[..before.len()] == before[..],
            "{what}: earlier lines are intact"
        );
        let new: Vec<&str> = stored[before.len()..].iter().map(String::as_str).collect();
        // Exactly the acknowledged lines, in order; the one in flight when the process died may be there too.
        let mut expected: Vec<&str> = logged.saved.iter().map(|&i| lines[i]).collect();
        if new.len() == expected.len() + 1 {
            expected.extend(logged.in_flight.map(|i| lines[i]));
        }
        let short = |t: &str| t.chars().take(12).collect::<String>();
        assert!(
            new == expected,
            "{what}: stored {:?}, acknowledged {:?}, not saved {:?}, in flight {:?}: {}",
            new.iter().map(|t| short(t)).collect::<Vec<_>>(),
            logged.saved,
            logged.not_saved,
            logged.in_flight,
            logged.stderr.lines().next().unwrap_or("")
        );
        sound(&store, &what);
        !logged.not_saved.is_empty() || logged.in_flight.is_some()
    });
    println!(
        "logging: {} runs, {} with a failure seen, {acknowledged} acknowledged lines checked",
        sweep.runs, sweep.failed
    );
}

#[test]
fn flagging_a_narrative_under_injected_io_errors_is_all_or_nothing() {
    let template = Template::new();
    let mut sweep = Sweep::new();
    sweep.each(|call, when| {
        let what = format!("{call} #{when}");
        let run = tempfile::tempdir().unwrap();
        let store = template.copy(run.path());
        let args = ["narrative", "add", "--session", &template.session, "--from", "2", "--to", "4"];
        let out =
            faulty_run(call, when, &store, &[&args[..], &["--title", "Tænderne", "--code", "high"]].concat());
        let listed = ok(&store, &["narrative", "list", "--json"]);
        let there = listed.contains("Tænderne");
        if out.status.success() {
            assert!(there, "{what}: a narrative reported saved is missing");
        } else if !after_saving(&out) {
            assert!(!there, "{what}: a narrative reported as failed came back");
        }
        sound(&store, &what);
        !out.status.success()
    });
    println!("flagging: {} runs, {} failed cleanly", sweep.runs, sweep.failed);
}

#[test]
fn purge_under_injected_io_errors_leaves_the_old_study_or_the_new_one_never_less() {
    let template = Template::new();
    let before = texts(&template.store(), &template.session);
    let mut sweep = Sweep::new();
    sweep.each(|call, when| {
        let what = format!("{call} #{when}");
        let run = tempfile::tempdir().unwrap();
        let store = template.copy(run.path());
        let out = faulty_run(call, when, &store, &["case", "purge", "BB", "--yes"]);
        let cases = ok(&store, &["case", "list"]);
        assert_eq!(texts(&store, &template.session), before, "{what}: the other case's lines are intact");
        if out.status.success() {
            assert!(!cases.contains("BB"), "{what}: purge said done but BB is there");
        }
        if cases.contains("BB") {
            assert_eq!(texts(&store, &template.other), ["BB's hemmelighed"], "{what}: half purged");
        }
        sound(&store, &what);
        !out.status.success()
    });
    println!("purge: {} runs, {} failed cleanly", sweep.runs, sweep.failed);
}

#[test]
fn backup_under_injected_io_errors_keeps_the_old_backup_whole() {
    let template = Template::new();
    let mut sweep = Sweep::new();
    sweep.each(|call, when| {
        let what = format!("{call} #{when}");
        let run = tempfile::tempdir().unwrap();
        let store = template.copy(run.path());
        let backup = run.path().join("backup.json");
        std::fs::write(&backup, "the old backup").unwrap();
        let out = faulty_run(call, when, &store, &["backup", backup.to_str().unwrap()]);
        let now = std::fs::read(&backup).unwrap();
        if out.status.success() {
            let restored = run.path().join("restored");
            ok(&restored, &["restore", backup.to_str().unwrap()]);
            sound(&restored, &what);
        } else {
            assert!(
                now == b"the old backup" || restores(run.path(), &backup),
                "{what}: a failed backup left a broken file"
            );
        }
        let temporary = std::fs::read_dir(run.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(".new-"));
        assert!(!temporary, "{what}: a temporary file was left");
        sound(&store, &what);
        !out.status.success()
    });
    println!("backup: {} runs, {} failed cleanly", sweep.runs, sweep.failed);
}

/// Whether a backup file restores into a new store.
fn restores(dir: &Path, backup: &Path) -> bool {
    fieldlog(&dir.join("check-restore"), &["restore", backup.to_str().unwrap()]).status.success()
}

#[test]
fn restore_and_init_under_injected_io_errors_leave_a_whole_store_or_nothing() {
    let template = Template::new();
    let backup = template.dir.path().join("theirs.json");
    let mut sweep = Sweep::new();
    sweep.each(|call, when| {
        let what = format!("{call} #{when}");
        let run = tempfile::tempdir().unwrap();
        let target = run.path().join("restored");
        let out = faulty_run(call, when, &target, &["restore", backup.to_str().unwrap()]);
        if target.exists() {
            // Past the rename the store is whole, even if a later sync failed.
            assert!(ok(&target, &["case", "list"]).contains("BB"), "{what}: restored half a study");
            sound(&target, &what);
        } else {
            assert!(!out.status.success(), "{what}: restore said done but made nothing");
        }
        let made = run.path().join("made");
        let init = faulty_run(call, when, &made, &["init"]);
        if made.exists() {
            sound(&made, &what);
        } else {
            assert!(!init.status.success(), "{what}: init said done but made nothing");
            ok(&made, &["init"]);
            sound(&made, &format!("{what}, init again"));
        }
        !out.status.success() || !init.status.success()
    });
    println!("restore and init: {} runs, {} with a failure", sweep.runs, sweep.failed);
}

#[test]
fn merge_under_injected_io_errors_is_all_or_nothing() {
    let template = Template::new();
    let backup = template.dir.path().join("theirs.json");
    let theirs = tempfile::tempdir().unwrap();
    let other = theirs.path().join("study");
    ok(&other, &["restore", backup.to_str().unwrap()]);
    ok(&other, &["log", "--session", &template.session, "kun hos kollegaen"]);
    let merged = theirs.path().join("merged.json");
    ok(&other, &["backup", merged.to_str().unwrap()]);
    let mut sweep = Sweep::new();
    sweep.each(|call, when| {
        let what = format!("{call} #{when}");
        let run = tempfile::tempdir().unwrap();
        let store = template.copy(run.path());
        let out = faulty_run(call, when, &store, &["merge", merged.to_str().unwrap()]);
        let lines = texts(&store, &template.session);
        let came = lines.iter().any(|t| t == "kun hos kollegaen");
        if out.status.success() {
            assert!(came, "{what}: merge said done but brought nothing");
        } else if !after_saving(&out) {
            assert!(!came, "{what}: a failed merge came back in part");
        }
        sound(&store, &what);
        !out.status.success()
    });
    println!("merge: {} runs, {} failed cleanly", sweep.runs, sweep.failed);
}
