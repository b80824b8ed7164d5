//! What `fieldlog sync DIR` costs from the shell, whole processes with
//! their peak memory, on a generated study: the first sync (the whole
//! study written to a new change file), a teammate's first sync (all of it
//! brought in), a sync with nothing new, a sync after one new line, and a
//! teammate's sync that brings that one line in. 40,000 lines by default;
//! `FIELDLOG_SYNC_BENCH_LINES=1000000` for a million.
//! `cargo bench --bench sync` (release) or `cargo test --bench sync` (debug).

mod support;

use fieldlog::dev::generate::generate;
use fieldlog::store::Store;
use std::ffi::OsStr;
use std::path::Path;

const RUNS: usize = 7;

fn sync(store: &Path, folder: &Path) -> support::Run {
    let args = [OsStr::new("--store"), store.as_os_str(), OsStr::new("sync"), folder.as_os_str()];
    let done = support::run(support::fieldlog(), &args);
    assert!(done.success, "fieldlog sync failed: {}", String::from_utf8_lossy(&done.stdout));
    done
}

fn fieldlog(store: &Path, args: &[&str]) {
    let out = std::process::Command::new(support::fieldlog())
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("running fieldlog");
    assert!(out.status.success(), "fieldlog {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Times `runs` of `one` (each after `before`), and prints their median and peak.
fn figure(label: &str, mut before: impl FnMut(usize), mut one: impl FnMut() -> support::Run) {
    let (mut samples, mut peak_kb) = (support::Samples::default(), 0);
    for i in 0..RUNS {
        before(i);
        let done = one();
        samples.push(done.elapsed);
        peak_kb = peak_kb.max(done.peak_kb);
    }
    println!("  {label:<44} {}, peak {:>4} MB", samples.summary(), peak_kb / 1024);
}

fn main() {
    support::serve_launch();
    let lines: usize =
        std::env::var("FIELDLOG_SYNC_BENCH_LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(40_000);
    // Cases of 8 sessions (10 when large) of 500 lines (5,000 when large).
    let (sessions, per_session) = if lines >= 200_000 { (10, 5_000) } else { (8, 500) };
    let cases = (lines / (sessions * per_session)).max(1);
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let (a, b, folder) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("shared"));
    std::fs::create_dir(&folder).unwrap();
    let (made, case) = {
        let store = Store::open_or_create(&a).unwrap();
        let made = generate(&store, cases, sessions, per_session).unwrap();
        store.checkpoint().unwrap();
        (made, store.cases().unwrap()[0].code.to_string())
    };
    // A session going on, which the new lines are logged in.
    let out = std::process::Command::new(support::fieldlog())
        .arg("--store")
        .arg(&a)
        .args(["session", "start", "--case", &case, "--kind", "interview"])
        .output()
        .unwrap();
    let session = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let speaker = case.clone();
    println!(
        "sync, study of {} lines ({} MB of text) in {} sessions; whole processes, median of {RUNS}",
        made.lines,
        made.text_bytes / 1_000_000,
        cases * sessions
    );
    let first = sync(&a, &folder);
    let file_mb =
        std::fs::read_dir(&folder).unwrap().flatten().map(|e| e.metadata().unwrap().len()).sum::<u64>()
            as f64
            / 1e6;
    println!(
        "  {:<44} {:>9.2?} (n=1), peak {:>4} MB, change file {file_mb:.1} MB",
        "first sync (whole study written)",
        first.elapsed,
        first.peak_kb / 1024
    );
    fieldlog(&b, &["init"]);
    let theirs = sync(&b, &folder);
    println!(
        "  {:<44} {:>9.2?} (n=1), peak {:>4} MB",
        "a teammate's first sync (all brought in)",
        theirs.elapsed,
        theirs.peak_kb / 1024
    );
    sync(&a, &folder);
    figure("sync with nothing new", |_| {}, || sync(&a, &folder));
    figure(
        "sync after one new line",
        |i| fieldlog(&a, &["log", "--session", &session, "--speaker", &speaker, &format!("ny linje {i}")]),
        || sync(&a, &folder),
    );
    figure(
        "a teammate's sync bringing that line in",
        |i| {
            fieldlog(&a, &["log", "--session", &session, "--speaker", &speaker, &format!("endnu en {i}")]);
            sync(&a, &folder);
        },
        || sync(&b, &folder),
    );
    figure("a teammate's sync with nothing new", |_| {}, || sync(&b, &folder));
}
