//! A real full disk: a small tmpfs mounted for the test (needs root, as CI
//! runs). Logging, flagging and backing up while it is full fail cleanly,
//! and once there is room again the next line is saved and survives a kill.

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use support::*;

/// A tmpfs of a few MiB, unmounted when dropped.
struct SmallDisk {
    _dir: tempfile::TempDir,
    mount: PathBuf,
}

impl SmallDisk {
    /// Mounts one, or says why not: in CI that fails the test, elsewhere it is skipped.
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mount = dir.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(&mount)
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            let why = "the disk-full tests mount a small tmpfs, which needs root";
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("skipped: {why}");
            return None;
        }
        Some(SmallDisk { _dir: dir, mount })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.mount.join(name)
    }

    /// Fills what room is left with one file; removing it makes room again.
    fn fill(&self) -> PathBuf {
        let filler = self.path("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0x5a_u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let small = [0x5a_u8; 512];
        while file.write_all(&small).is_ok() {}
        while file.write_all(&small[..1]).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

#[test]
fn a_line_that_found_the_disk_full_is_not_saved_and_the_next_one_after_room_is_made_survives() {
    let Some(disk) = SmallDisk::mount("8m") else { return };
    let store = disk.path("study");
    let session = observation(&store);
    let long = format!("en lang linje {}", "ærgrelse ".repeat(20_000));
    let filler = std::cell::RefCell::new(None);
    // Lines are sent one at a time; the disk fills after the second and is emptied after the fourth.
    let lines = ["før 1", "før 2", long.as_str(), "også fuld", "efter"];
    let fieldlog = Command::new(env!("CARGO_BIN_EXE_fieldlog"));
    let logged = log_stepwise(fieldlog, &store, &session, &lines, |i| {
        if i == 2 {
            *filler.borrow_mut() = Some(disk.fill());
        }
        if i == 4 {
            std::fs::remove_file(filler.borrow().as_ref().unwrap()).unwrap();
        }
    });
    assert!(logged.not_saved.contains(&2), "the long line found the disk full: {logged:?}");
    // (A short line may still fit where the long one's half-written bytes were cut off.)
    for i in [0, 1, 4] {
        assert!(logged.saved.contains(&i), "line {i} was not saved: {logged:?}");
    }
    // The process was killed before any checkpoint: what survives is what the journal holds.
    let saved: Vec<&str> = logged.saved.iter().map(|&i| lines[i]).collect();
    assert_eq!(texts(&store, &session), saved);
    assert!(ok(&store, &["check"]).contains("sound"));
}

#[test]
fn a_backup_onto_a_full_disk_fails_and_keeps_the_old_backup_whole() {
    let Some(disk) = SmallDisk::mount("4m") else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = observation(&store);
    for n in 0..50 {
        ok(&store, &["log", "--session", &session, &format!("linje {n} {}", "selvværd ".repeat(200))]);
    }
    let backup = disk.path("backup.json");
    std::fs::write(&backup, "the old backup").unwrap();
    disk.fill();
    let out = fieldlog(&store, &["backup", backup.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no space left on device") && stderr.contains("backup.json"), "{stderr}");
    assert_eq!(std::fs::read(&backup).unwrap(), b"the old backup");
    let names: Vec<String> = std::fs::read_dir(&disk.mount)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "nothing but the old backup and the filler: {names:?}");
}

#[test]
fn flagging_on_a_full_disk_is_refused_whole_and_works_once_there_is_room() {
    let Some(disk) = SmallDisk::mount("8m") else { return };
    let store = disk.path("study");
    let session = observation(&store);
    for n in 1..=3 {
        ok(&store, &["log", "--session", &session, &format!("linje {n}")]);
    }
    let filler = disk.fill();
    let title = format!("Tænderne {}", "og håbet ".repeat(5_000));
    let args = ["narrative", "add", "--session", &session, "--from", "1", "--to", "2", "--title", &title];
    let out = fieldlog(&store, &args);
    assert!(!out.status.success(), "a narrative was saved on a full disk");
    std::fs::remove_file(&filler).unwrap();
    assert!(!ok(&store, &["narrative", "list"]).contains("Tænderne"), "the refused narrative came back");
    ok(&store, &args);
    assert!(ok(&store, &["narrative", "list"]).contains("Tænderne"));
    assert!(ok(&store, &["check"]).contains("sound"));
}
