use super::*;
use crate::domain::{Case, CaseCode};
use chrono::DateTime;

fn case(code: &str) -> Case {
    let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    Case::new(CaseCode::parse(code).unwrap(), vec![], t)
}

fn codes(store: &Store) -> Vec<String> {
    store.cases().unwrap().iter().map(|c| c.code.to_string()).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A store holding cases AA and BB, and beside it the sled of one holding only BB.
fn old_and_new(parent: &Path) -> (PathBuf, PathBuf) {
    let dir = parent.join("study");
    let other = parent.join("other");
    {
        let store = Store::create(&dir, None).unwrap();
        store.add_case(&case("AA")).unwrap();
        store.add_case(&case("BB")).unwrap();
        // As a rewrite does first: the journal is emptied into sled.
        store.checkpoint().unwrap();
        let newer = Store::create(&other, None).unwrap();
        newer.add_case(&case("BB")).unwrap();
        newer.checkpoint().unwrap();
    }
    (dir, other.join("sled"))
}

#[test]
fn a_path_with_no_store_is_refused_and_left_as_it_was() {
    let parent = tempfile::tempdir().unwrap();
    let typo = parent.path().join("stduy");
    let err = Store::open(&typo).err().expect("no store there");
    assert!(matches!(err, StoreError::NoStore(_)), "{err}");
    assert!(err.to_string().contains("fieldlog --store"), "{err}");
    assert!(!typo.exists(), "nothing is made at a mistyped path");
}

#[test]
fn a_store_left_by_an_older_purge_is_named() {
    let parent = tempfile::tempdir().unwrap();
    drop(Store::create(&parent.path().join("study.purged"), None).unwrap());
    let err = Store::open(&parent.path().join("study")).err().unwrap();
    assert!(err.to_string().contains("study.purged"), "{err}");
}

#[test]
fn creation_happens_beside_and_an_unplaced_store_leaves_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("study");
    {
        let unplaced = Store::build(&dir, None).unwrap();
        unplaced.store().add_case(&case("AA")).unwrap();
        assert!(!dir.exists(), "nothing is at the store's place while it is built");
    }
    assert!(!dir.exists());
    assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0, "nothing left beside it");
    let unplaced = Store::build(&dir, None).unwrap();
    unplaced.store().add_case(&case("AA")).unwrap();
    let store = unplaced.place().unwrap();
    assert_eq!(codes(&store), ["AA"]);
    assert!(holds_store(&dir));
}

#[test]
fn what_an_interrupted_creation_left_is_cleared_by_the_next() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("study");
    let leftover = parent.path().join(".study.creating-4000000");
    std::fs::create_dir_all(leftover.join("sled")).unwrap();
    std::fs::write(leftover.join("lock"), "4000000").unwrap();
    drop(Store::create(&dir, None).unwrap());
    assert!(!leftover.exists());
    assert!(Store::open(&dir).is_ok());
}

#[test]
fn a_directory_with_other_files_is_not_made_a_store_and_an_existing_store_not_made_again() {
    let parent = tempfile::tempdir().unwrap();
    std::fs::write(parent.path().join("notes.txt"), "mine").unwrap();
    let err = Store::create(parent.path(), None).err().unwrap();
    assert!(matches!(err, StoreError::NotAStore(_)), "{err}");
    assert_eq!(std::fs::read(parent.path().join("notes.txt")).unwrap(), b"mine");
    let dir = parent.path().join("study");
    drop(Store::create(&dir, None).unwrap());
    assert!(matches!(Store::create(&dir, None), Err(StoreError::StoreExists(_))));
}

#[test]
fn a_rewrite_keeps_the_lock_and_swaps_in_the_new_data() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("study");
    let store = Store::create(&dir, None).unwrap();
    store.add_case(&case("AA")).unwrap();
    store.add_case(&case("BB")).unwrap();
    let keep = store.cases().unwrap().into_iter().find(|c| c.code.as_str() == "BB").unwrap();
    let store = store.rewrite(&[Change::Case(keep)]).unwrap();
    assert_eq!(codes(&store), ["BB"]);
    assert!(matches!(Store::open(&dir), Err(StoreError::InUse { .. })), "the lock was never let go");
    store.add_case(&case("CC")).unwrap();
    drop(store);
    let store = Store::open(&dir).unwrap();
    assert_eq!(codes(&store), ["BB", "CC"]);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with("sled.") || n == "swap"), "{names:?}");
}

#[test]
fn an_unfinished_rewrite_is_rolled_back_on_open() {
    let parent = tempfile::tempdir().unwrap();
    let (dir, new) = old_and_new(parent.path());
    copy_dir(&new, &dir.join("sled.new"));
    // No swap marker: the new data was never known to be whole.
    let store = Store::open(&dir).unwrap();
    assert_eq!(codes(&store), ["AA", "BB"]);
    assert!(!dir.join("sled.new").exists());
}

#[test]
fn a_swap_stopped_at_any_step_is_finished_on_open() {
    // Before the first rename, between the two, and after both.
    for step in 0..3 {
        let parent = tempfile::tempdir().unwrap();
        let (dir, new) = old_and_new(parent.path());
        copy_dir(&new, &dir.join("sled.new"));
        std::fs::write(dir.join(SWAP), "whole").unwrap();
        if step >= 1 {
            std::fs::rename(dir.join("sled"), dir.join("sled.old")).unwrap();
        }
        if step >= 2 {
            std::fs::rename(dir.join("sled.new"), dir.join("sled")).unwrap();
        }
        assert!(holds_store(&dir), "step {step}: the store is still known to be there");
        let store = Store::open(&dir).unwrap_or_else(|e| panic!("step {step}: {e}"));
        assert_eq!(codes(&store), ["BB"], "step {step}");
        for gone in ["sled.new", "sled.old", SWAP] {
            assert!(!dir.join(gone).exists(), "step {step}: {gone} is left");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_store_made_readable_to_others_is_made_private_again_on_open() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("study");
    drop(Store::create(&dir, None).unwrap());
    let loosen = |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    loosen(&dir, 0o755);
    loosen(&dir.join("journal"), 0o644);
    loosen(&dir.join("sled").join("db"), 0o644);
    drop(Store::open(&dir).unwrap());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for entry in walk(&dir) {
        let expected = if entry.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&entry), expected, "{}", entry.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(walk(&path));
        }
        all.push(path);
    }
    all
}
