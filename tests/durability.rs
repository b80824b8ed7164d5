//! The promise behind "saved", attacked from outside with the real binary:
//! every acknowledged line is past an fsync of the journal, a damaged
//! journal is reported, a purge shuts other writers out, backups replace
//! old ones whole, stores are only made on purpose, and an encrypted study
//! stays encrypted. (Injected I/O errors: `faults.rs`; disk full: `disk_full.rs`.)

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use support::*;

#[test]
fn every_acknowledgement_comes_after_its_own_fsync_of_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = observation(&store);
    let trace = dir.path().join("trace");
    let mut child = Command::new("strace")
        .args(["-f", "-qq", "-y", "-e", "trace=fdatasync,fsync,write", "-e", "signal=none", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&store)
        .args(["dev", "log-stdin", "--session", &session])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("this test needs strace: apt-get install strace");
    let mut input = child.stdin.take().unwrap();
    let mut acks = BufReader::new(child.stdout.take().unwrap()).lines();
    for n in 1..=12 {
        writeln!(input, "linje {n}: ærgrelse").unwrap();
        assert_eq!(acks.next().unwrap().unwrap(), format!("saved {n}"));
    }
    drop(input);
    assert!(child.wait().unwrap().success());
    let trace = std::fs::read_to_string(&trace).unwrap();
    // Completed fdatasyncs of the journal, and acknowledgements, in the order they happened.
    let mut syncs = 0;
    let mut acked = 0;
    let mut syncing: Vec<String> = Vec::new();
    for line in trace.lines() {
        let pid = line.split_whitespace().next().unwrap_or("").to_string();
        let journal_sync = line.contains("fdatasync(") && line.contains("/journal>");
        if journal_sync && line.ends_with("<unfinished ...>") {
            syncing.push(pid);
        } else if journal_sync && line.contains(") = 0") {
            syncs += 1;
        } else if line.contains("<... fdatasync resumed>") && line.ends_with("= 0") {
            if let Some(i) = syncing.iter().position(|p| *p == pid) {
                syncing.remove(i);
                syncs += 1;
            }
        } else if line.contains("write(1") && line.contains("\"saved ") {
            acked += 1;
            assert!(syncs >= acked, "acknowledgement {acked} came after only {syncs} fsyncs of the journal");
        }
    }
    assert_eq!(acked, 12, "every acknowledgement was seen in the trace");
}

#[test]
fn a_damaged_journal_is_reported_and_every_whole_line_around_the_damage_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = observation(&store);
    // Lines acknowledged, then a kill before any checkpoint: they live in the journal only.
    let logged = log_then_kill(&store, &session, &["én", "to", "tre", "fire"]);
    assert_eq!(logged.saved.len(), 4);
    let path = store.join("journal");
    let mut bytes = std::fs::read(&path).unwrap();
    let records: Vec<usize> =
        bytes.windows(4).enumerate().filter(|(_, w)| w == b"FLR2").map(|(i, _)| i).collect();
    assert!(records.len() >= 4, "four records in {records:?}");
    let second = records[records.len() - 3];
    bytes[second + 14] ^= 0x5a;
    std::fs::write(&path, &bytes).unwrap();

    // The command that finds the damage says so, whatever it is.
    let listed = fieldlog(&store, &["case", "list"]);
    assert!(listed.status.success());
    let warned = String::from_utf8_lossy(&listed.stderr);
    assert!(warned.contains("warning") && warned.contains("damaged"), "{warned}");
    let out = fieldlog(&store, &["check"]);
    assert!(!out.status.success(), "check must not call a damaged journal sound");
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("damaged") && said.contains("journal.damaged-"), "{said}");
    // (sled may hold the damaged record's line already; the journal's own
    // salvage is checked in the store's tests, where sled has nothing.)
    let texts = texts(&store, &session);
    assert_eq!(texts, ["én", "to", "tre", "fire"], "no acknowledged line is lost, in order");
    // It stays reported until someone has looked at it and removed it.
    let again = fieldlog(&store, &["check"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("kept at"));
}

#[test]
fn a_mistyped_store_path_is_refused_and_nothing_is_made_there() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("stduy");
    for args in [&["case", "list"][..], &["check"], &[], &["backup", "x.json"]] {
        let out = fieldlog(&typo, args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: one sentence: {stderr}");
        assert!(stderr.contains("no fieldlog store") && stderr.contains("stduy"), "{stderr}");
        assert!(!typo.exists(), "{args:?} made something at the mistyped path");
    }
}

#[test]
fn a_failed_restore_into_a_new_path_leaves_nothing_and_a_good_one_a_whole_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    observation(&store);
    let backup = dir.path().join("backup.json");
    ok(&store, &["backup", backup.to_str().unwrap()]);
    let text = std::fs::read_to_string(&backup).unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, &text[..text.len() / 2]).unwrap();
    let target = dir.path().join("restored");
    let out = fieldlog(&target, &["restore", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!target.exists(), "a failed restore left {}", target.display());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    ok(&target, &["restore", backup.to_str().unwrap()]);
    assert!(ok(&target, &["check"]).contains("sound"));
    assert!(ok(&target, &["case", "list"]).contains("AA"));
}

#[cfg(unix)]
#[test]
fn a_backup_replaces_the_old_one_whole_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    observation(&store);
    let backup = dir.path().join("backup.json");
    std::fs::write(&backup, "the old backup").unwrap();
    std::fs::set_permissions(&backup, std::fs::Permissions::from_mode(0o644)).unwrap();
    ok(&store, &["backup", backup.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&backup).unwrap().contains("\"AA\""));
    assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);
    // Exports are private too.
    let export = dir.path().join("study.qdpx");
    ok(&store, &["export", "--format", "qdpx", "--output", export.to_str().unwrap()]);
    assert_eq!(std::fs::metadata(&export).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_purge_holds_the_store_from_first_read_to_swap_and_no_line_logged_meanwhile_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    // Enough study that the rewrite takes a while (made first: only a new store takes it).
    ok(&store, &["init"]);
    ok(&store, &["dev", "generate", "--cases", "3", "--sessions", "3", "--lines", "300"]);
    ok(&store, &["case", "add", "AA"]);
    let session =
        ok(&store, &["session", "start", "--case", "AA", "--kind", "observation"]).trim().to_string();
    ok(&store, &["case", "add", "BB"]);
    let other = ok(&store, &["session", "start", "--case", "BB", "--kind", "interview"]).trim().to_string();
    ok(&store, &["log", "--session", &other, "BB siger noget"]);
    let purging = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let (store, session, purging) = (store.clone(), session.clone(), purging.clone());
        std::thread::spawn(move || {
            let (mut saved, mut refused, mut after) = (Vec::new(), 0, 0);
            for n in 0.. {
                let text = format!("logget under sletningen {n}");
                if fieldlog(&store, &["log", "--session", &session, &text]).status.success() {
                    saved.push(text);
                } else {
                    refused += 1;
                }
                if !purging.load(std::sync::atomic::Ordering::SeqCst) {
                    after += 1;
                    if after == 3 {
                        break;
                    }
                }
            }
            (saved, refused)
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    // A purge that finds the store in use by a `log` is refused whole; try again.
    let mut purge = fieldlog(&store, &["case", "purge", "BB", "--yes"]);
    for _ in 0..100 {
        if purge.status.success() {
            break;
        }
        purge = fieldlog(&store, &["case", "purge", "BB", "--yes"]);
    }
    purging.store(false, std::sync::atomic::Ordering::SeqCst);
    let (saved, refused) = writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&purge.stderr);
    assert!(purge.status.success(), "{stderr}");
    let texts = texts(&store, &session);
    for text in &saved {
        assert_eq!(texts.iter().filter(|t| *t == text).count(), 1, "{text:?} was saved and then lost");
    }
    assert!(ok(&store, &["check"]).contains("sound"));
    assert!(!ok(&store, &["case", "list"]).contains("BB"), "the purge went through");
    println!("{} lines logged around the purge, all kept; {refused} refused while it ran", saved.len());
}

#[test]
fn an_encrypted_study_backs_up_sealed_and_exports_only_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let secret = "korrekt hest batteri";
    let with = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .env("FIELDLOG_PASSPHRASE", secret)
            .output()
            .unwrap()
    };
    assert!(with(&["init", "--encrypt"]).status.success());
    assert!(with(&["case", "add", "AA"]).status.success());
    let session =
        String::from_utf8(with(&["session", "start", "--case", "AA", "--kind", "interview"]).stdout).unwrap();
    assert!(with(&["log", "--session", session.trim(), "Tandlægen i Køge ærgrer mig"]).status.success());

    let backup = dir.path().join("backup");
    assert!(with(&["backup", backup.to_str().unwrap()]).status.success());
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!bytes.windows(5).any(|w| w == "Køge".as_bytes()[..5].as_ref()), "the backup is readable");
    assert!(!bytes.windows(9).any(|w| w == b"Tandl\xc3\xa6gen"), "the backup holds the text in plain form");

    let export = dir.path().join("study.json");
    let refused = with(&["export", "--format", "json", "--output", export.to_str().unwrap()]);
    assert!(!refused.status.success() && !export.exists());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--plaintext"));
    // The town is a name the leak check stops until it is masked; the mask list is sealed like the rest.
    let leaked = with(&["export", "--format", "json", "--output", export.to_str().unwrap(), "--plaintext"]);
    assert!(
        String::from_utf8_lossy(&leaked.stderr).contains("\"Køge\""),
        "{}",
        String::from_utf8_lossy(&leaked.stderr)
    );
    assert!(with(&["mask", "add", "Køge", "[byen]"]).status.success());
    let written = with(&["export", "--format", "json", "--output", export.to_str().unwrap(), "--plaintext"]);
    assert!(written.status.success() && export.exists(), "{}", String::from_utf8_lossy(&written.stderr));
    assert!(String::from_utf8_lossy(&written.stderr).contains("unencrypted"));
    assert!(std::fs::read_to_string(&export).unwrap().contains("Tandlægen i [byen]"));

    // Restored into a new path, it opens only with the passphrase and holds the study.
    let restored = dir.path().join("restored");
    let no_passphrase = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&restored)
        .args(["restore", backup.to_str().unwrap()])
        .env_remove("FIELDLOG_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!no_passphrase.status.success() && !restored.exists());
    let restore = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&restored)
        .args(["restore", backup.to_str().unwrap()])
        .env("FIELDLOG_PASSPHRASE", secret)
        .output()
        .unwrap();
    assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
    let locked = fieldlog(&restored, &["case", "list"]);
    assert!(!locked.status.success(), "the restored store is encrypted too");
    let listed = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&restored)
        .args(["session", "show", session.trim()])
        .env("FIELDLOG_PASSPHRASE", secret)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Køge"));
}

#[test]
fn errors_name_the_file_and_say_their_cause_once_without_debug_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    observation(&store);
    let missing = dir.path().join("nowhere").join("backup.json");
    for args in [
        vec!["backup".to_string(), missing.display().to_string()],
        vec!["restore".to_string(), missing.display().to_string()],
        vec!["merge".to_string(), missing.display().to_string()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = fieldlog(&store, &args);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("backup.json"), "names the file: {stderr}");
        assert!(stderr.contains("no such file or directory"), "{stderr}");
        assert_eq!(stderr.matches("no such file or directory").count(), 1, "said once: {stderr}");
        for debug in ["Os {", "kind:", "backtrace", "os error"] {
            assert!(!stderr.contains(debug), "{debug} in {stderr}");
        }
    }
    // A second fieldlog on the store: one sentence, no debug text.
    let mut holder = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&store)
        .args(["dev", "log-stdin", "--session", &first_session(&store)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut acks = BufReader::new(holder.stdout.take().unwrap()).lines();
    writeln!(holder.stdin.as_mut().unwrap(), "her").unwrap();
    assert_eq!(acks.next().unwrap().unwrap(), "saved 1");
    let out = fieldlog(&store, &["case", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in use by another fieldlog") && !stderr.contains("Os {"), "{stderr}");
    holder.kill().unwrap();
    holder.wait().unwrap();
}

fn first_session(store: &Path) -> String {
    let listed: serde_json::Value = serde_json::from_str(&ok(store, &["session", "list", "--json"])).unwrap();
    listed[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn a_store_killed_while_being_made_is_never_half_there_and_init_makes_it_anew() {
    let rounds: u64 = std::env::var("FIELDLOG_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(12);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let (mut whole, mut nothing) = (0, 0);
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("study");
        let mut child = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .arg("--store")
            .arg(&store)
            .arg("init")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let wait = (seed.wrapping_mul(round + 1).wrapping_mul(6_364_136_223_846_793_005) >> 33) % 150_000;
        std::thread::sleep(std::time::Duration::from_micros(wait));
        let _ = child.kill();
        child.wait().unwrap();
        if store.exists() {
            assert!(ok(&store, &["check"]).contains("sound"), "seed {seed} round {round}: half a store");
            whole += 1;
        } else {
            nothing += 1;
        }
        ok(&store, &["init"]);
        assert!(ok(&store, &["check"]).contains("sound"));
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["study"], "seed {seed} round {round}: left beside the store");
    }
    println!("{rounds} kills while making a store: {whole} whole, {nothing} not there, none half made");
}

#[test]
fn purge_restore_merge_and_backup_are_refused_whole_while_another_fieldlog_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = observation(&store);
    let backup = dir.path().join("backup.json");
    ok(&store, &["backup", backup.to_str().unwrap()]);
    let mut holder = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&store)
        .args(["dev", "log-stdin", "--session", &session])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = holder.stdin.take().unwrap();
    let mut acks = BufReader::new(holder.stdout.take().unwrap()).lines();
    let backup_text = backup.to_str().unwrap();
    for (n, args) in [
        vec!["case", "purge", "AA", "--yes"],
        vec!["restore", backup_text],
        vec!["merge", backup_text],
        vec!["backup", backup_text],
    ]
    .iter()
    .enumerate()
    {
        writeln!(input, "linje {n} mens andre prøver").unwrap();
        assert_eq!(acks.next().unwrap().unwrap(), format!("saved {}", n + 1));
        let out = fieldlog(&store, args);
        assert!(!out.status.success(), "{args:?} ran on a store in use");
        assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another fieldlog"), "{args:?}");
    }
    drop(input);
    assert!(holder.wait().unwrap().success());
    let lines = texts(&store, &session);
    assert_eq!(lines.len(), 4, "every line the holder saved is there: {lines:?}");
    assert!(ok(&store, &["case", "list"]).contains("AA"));
    ok(&store, &["merge", backup_text]);
    assert!(ok(&store, &["check"]).contains("sound"));
}

#[cfg(unix)]
#[test]
fn every_file_in_a_used_store_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = observation(&store);
    log_then_kill(&store, &session, &["en", "to"]);
    ok(&store, &["check"]);
    fn walk(dir: &Path, found: &mut Vec<(std::path::PathBuf, u32)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            if path.is_dir() {
                walk(&path, found);
            }
            found.push((path, mode));
        }
    }
    let mut found = Vec::new();
    walk(&store, &mut found);
    assert!(found.len() > 4);
    for (path, mode) in found {
        let private = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, private, "{} is {mode:o}", path.display());
    }
}
