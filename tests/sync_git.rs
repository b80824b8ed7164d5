//! `fieldlog sync --git DIR` against a local bare repository: two laptops'
//! clones, each pushing its own change file and pulling the other's.

mod common;

use common::cli::{fieldlog_as as run, ok_as as ok};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A clone of `bare` on branch main (the repository may still be empty).
fn clone(bare: &Path, to: &Path) {
    let parent = to.parent().unwrap();
    git(parent, &["clone", "--quiet", bare.to_str().unwrap(), to.to_str().unwrap()]);
    if git(to, &["branch", "--list"]).trim().is_empty() {
        git(to, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    }
}

#[test]
fn two_laptops_keep_in_step_through_a_bare_repository() {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("team.git");
    git(dir.path(), &["init", "--quiet", "--bare", "-b", "main", bare.to_str().unwrap()]);
    let (clone_a, clone_b) = (dir.path().join("clone-a"), dir.path().join("clone-b"));
    clone(&bare, &clone_a);
    clone(&bare, &clone_b);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));

    ok(&a, "anna", &["init"]);
    ok(&a, "anna", &["case", "add", "AA"]);
    let session = ok(&a, "anna", &["session", "start", "--case", "AA", "--kind", "interview"]);
    let session = session.trim();
    ok(&a, "anna", &["log", "--session", session, "--speaker", "AA", "Jeg vil gerne arbejde"]);
    let said = ok(&a, "anna", &["sync", "--git", clone_a.to_str().unwrap()]);
    assert!(!said.contains("git:"), "{said}");
    let log = git(&bare, &["log", "--format=%an %s", "main"]);
    assert!(log.contains("anna fieldlog sync: changes from anna"), "{log}");

    ok(&b, "bo", &["init"]);
    let said = ok(&b, "bo", &["sync", "--git", clone_b.to_str().unwrap()]);
    assert!(said.contains("1 cases, 1 sessions, 1 lines"), "{said}");
    ok(
        &b,
        "bo",
        &["narrative", "add", "--session", session, "--from", "1", "--to", "1", "--title", "Viljen"],
    );
    // anna changes too before bo pushes: git merges the two laptops' files.
    ok(&a, "anna", &["log", "--session", session, "--speaker", "AA", "Måske i en butik"]);
    ok(&a, "anna", &["sync", "--git", clone_a.to_str().unwrap()]);
    ok(&b, "bo", &["sync", "--git", clone_b.to_str().unwrap()]);
    ok(&a, "anna", &["sync", "--git", clone_a.to_str().unwrap()]);

    for (store, who) in [(&a, "anna"), (&b, "bo")] {
        let shown = ok(store, who, &["session", "show", session]);
        assert!(
            shown.contains("Jeg vil gerne arbejde") && shown.contains("Måske i en butik"),
            "{who}: {shown}"
        );
        assert!(ok(store, who, &["narrative", "list"]).contains("Viljen"), "{who}");
    }
    // Each laptop's file is in the repository, each written by its laptop only.
    let files = git(&bare, &["ls-tree", "--name-only", "main"]);
    assert_eq!(files.lines().filter(|f| f.ends_with(".changes")).count(), 2, "{files}");
}

#[test]
fn a_folder_that_is_no_git_working_copy_is_refused_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, "anna", &["init"]);
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let out = run(&store, "anna", &["sync", "--git", plain.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = String::from_utf8(out.stderr).unwrap();
    assert_eq!(said.trim_end().lines().count(), 1, "{said}");
    assert!(said.contains("is not a git working copy"), "{said}");
    assert_eq!(std::fs::read_dir(&plain).unwrap().count(), 0, "nothing written");
}
