//! `fieldlog sync` killed with SIGKILL at moments spread over its run —
//! while it writes its change file, while it brings records in — and then
//! run to the end: both laptops end with the same study, nothing lost or
//! doubled, and `check` finds nothing wrong. More kills:
//! `FIELDLOG_SYNC_KILLS=40 cargo test --test sync_crash -- --nocapture`.

use fieldlog::export::json;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fieldlog(store: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldlog"));
    command.arg("--store").arg(store).env_remove("FIELDLOG_PASSPHRASE").stdin(Stdio::null());
    command
}

fn ok(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The study as a comparable value (revisions in a fixed order: their keys are local).
fn canonical(store: &Path, dir: &Path, name: &str) -> serde_json::Value {
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    ok(store, &["backup", path.to_str().unwrap()]);
    let mut study = json::parse(name, &std::fs::read_to_string(&path).unwrap()).unwrap();
    for s in &mut study.sessions {
        s.revisions.sort_by(|a, b| (a.seq, a.replaced, &a.text).cmp(&(b.seq, b.replaced, &b.text)));
    }
    serde_json::to_value(&study).unwrap()
}

#[test]
fn a_sync_killed_at_any_moment_is_made_whole_by_the_next() {
    let kills: u64 = std::env::var("FIELDLOG_SYNC_KILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(6);
    let dir = tempfile::tempdir().unwrap();
    let (a, b, folder) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("shared"));
    std::fs::create_dir(&folder).unwrap();
    ok(&a, &["init"]);
    ok(&a, &["dev", "generate", "--cases", "3", "--sessions", "4", "--lines", "600"]);
    ok(&b, &["init"]);
    ok(&b, &["case", "add", "BO1"]);
    let folder_arg = folder.to_str().unwrap();

    // How long a whole sync of each takes here, to spread the kills over it.
    let mut spans = Vec::new();
    for store in [&a, &b] {
        let scratch = dir.path().join("scratch");
        std::fs::create_dir_all(&scratch).unwrap();
        let copy = dir.path().join("copy");
        let _ = std::fs::remove_dir_all(&copy);
        ok(store, &["backup", dir.path().join("timing.json").to_str().unwrap()]);
        ok(&copy, &["restore", dir.path().join("timing.json").to_str().unwrap()]);
        std::fs::remove_file(dir.path().join("timing.json")).unwrap();
        let started = Instant::now();
        ok(&copy, &["sync", scratch.to_str().unwrap()]);
        spans.push(started.elapsed());
        std::fs::remove_dir_all(&scratch).unwrap();
    }

    let mut killed = 0;
    for k in 0..kills {
        for (i, store) in [&a, &b].into_iter().enumerate() {
            // Spread over the run: 5%, 20%, 35% … of a whole sync, and round again.
            let share = (5 + (k * 15 + i as u64 * 7) % 95) as u32;
            let delay = spans[i] * share / 100;
            let mut child = fieldlog(store).args(["sync", folder_arg]).stdout(Stdio::null()).spawn().unwrap();
            std::thread::sleep(delay);
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                killed += 1;
            }
            child.wait().unwrap();
        }
    }
    eprintln!("{killed} of {} syncs killed before they ended", kills * 2);
    for _ in 0..2 {
        ok(&a, &["sync", folder_arg]);
        ok(&b, &["sync", folder_arg]);
    }
    for store in [&a, &b] {
        let said = ok(store, &["check"]);
        assert!(said.contains("is sound"), "{said}");
    }
    let (study_a, study_b) = (canonical(&a, dir.path(), "a.json"), canonical(&b, dir.path(), "b.json"));
    assert!(study_a == study_b, "the two laptops differ after the kills");
    let lines: usize = study_a["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["utterances"].as_array().unwrap().len())
        .sum();
    assert_eq!(lines, 3 * 4 * 600, "every line once");
    let cases: Vec<&str> =
        study_a["cases"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(cases.contains(&"BO1") && cases.len() == 4, "{cases:?}");
}

/// Kills the first sync of a study the moment its change file starts to
/// grow, so that the kill often lands inside the write of a record: the
/// next sync cuts off the half record before it appends, and a teammate
/// then reads everything.
#[test]
fn a_sync_killed_while_it_writes_its_change_file_leaves_no_half_record_behind() {
    let attempts: usize = std::env::var("FIELDLOG_SYNC_KILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(2);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    ok(&a, &["init"]);
    ok(&a, &["dev", "generate", "--cases", "2", "--sessions", "4", "--lines", "1500"]);
    let mut cut_mid_record = 0;
    for attempt in 0..attempts {
        let folder = dir.path().join(format!("shared-{attempt}"));
        std::fs::create_dir(&folder).unwrap();
        let mut child =
            fieldlog(&a).args(["sync", folder.to_str().unwrap()]).stdout(Stdio::null()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        'watch: while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                if entry.metadata().is_ok_and(|m| m.len() > 64) {
                    break 'watch;
                }
            }
        }
        let _ = child.kill();
        child.wait().unwrap();
        let file = std::fs::read_dir(&folder).unwrap().flatten().next().map(|e| e.path());
        if let Some(bytes) = file.as_ref().map(|f| std::fs::read(f).unwrap()) {
            if let Ok(Some((_, len))) = fieldlog::sync::file::Header::read(&bytes) {
                let read = fieldlog::sync::file::records(&bytes, len, 0);
                cut_mid_record += usize::from(read.stopped.is_some());
            }
        }
        // The next sync finishes what the killed one began; a new laptop then reads it all.
        ok(&a, &["sync", folder.to_str().unwrap()]);
        let teammate = dir.path().join(format!("teammate-{attempt}"));
        ok(&teammate, &["init"]);
        let said = ok(&teammate, &["sync", folder.to_str().unwrap()]);
        assert!(!said.contains("not yet"), "attempt {attempt}: {said}");
        let (ours, theirs) = (
            canonical(&a, dir.path(), &format!("a-{attempt}.json")),
            canonical(&teammate, dir.path(), &format!("t-{attempt}.json")),
        );
        assert!(ours == theirs, "attempt {attempt}: the teammate's study differs");
    }
    eprintln!("{cut_mid_record} of {attempts} kills left half a record in the change file");
}
