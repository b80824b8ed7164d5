//! `fieldlog sync --git DIR`: the sync folder is a working copy of a git
//! repository the team shares. Pull what teammates pushed, sync as through
//! any folder, commit this laptop's change file, push. Each laptop only
//! ever appends to its own file, so git never meets a conflict inside a
//! file: a push that lost a race is pulled (merged) and pushed again.
//! Offline, the pull and push are left for next time and the sync itself
//! still runs.

use std::path::Path;
use std::process::{Command, Output};

/// What git did, said in lines for the user.
#[derive(Debug, Default)]
pub struct GitReport {
    pub notes: Vec<String>,
}

fn git(dir: &Path, args: &[&str]) -> std::io::Result<Output> {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args(args);
    // Never wait for a password prompt in the middle of a sync.
    command.env("GIT_TERMINAL_PROMPT", "0");
    command.output()
}

fn succeeds(dir: &Path, args: &[&str]) -> bool {
    git(dir, args).is_ok_and(|o| o.status.success())
}

fn text(dir: &Path, args: &[&str]) -> Option<String> {
    let out = git(dir, args).ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn said(out: &Output) -> String {
    let all = String::from_utf8_lossy(&out.stderr);
    all.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string()
}

/// Refuses a folder that is not a git working copy, in one sentence.
pub fn check(dir: &Path) -> Result<(), String> {
    match git(dir, &["rev-parse", "--is-inside-work-tree"]) {
        Err(e) => Err(format!("git could not be run ({e}): install git to sync through a repository")),
        Ok(out) if out.status.success() => Ok(()),
        Ok(_) => Err(format!(
            "{} is not a git working copy: clone the team's repository there first (git clone URL {})",
            dir.display(),
            dir.display()
        )),
    }
}

/// The branch and whether `origin` has it.
fn branch(dir: &Path) -> Option<(String, bool)> {
    text(dir, &["remote"]).filter(|r| r.lines().any(|l| l == "origin"))?;
    let branch = text(dir, &["symbolic-ref", "--short", "HEAD"])?;
    let there = succeeds(dir, &["ls-remote", "--exit-code", "--heads", "origin", &branch]);
    Some((branch, there))
}

/// Brings in what teammates pushed.
pub fn pull(dir: &Path, report: &mut GitReport) {
    let Some((branch, true)) = branch(dir) else { return };
    match git(dir, &["pull", "--quiet", "--no-rebase", "--no-edit", "origin", &branch]) {
        Ok(out) if out.status.success() => {}
        Ok(out) => report
            .notes
            .push(format!("git pull did not run ({}); the folder's files as they are were read", said(&out))),
        Err(e) => report.notes.push(format!("git pull did not run ({e})")),
    }
}

/// Commits this laptop's change file and pushes it, pulling again if
/// someone pushed first.
pub fn commit_and_push(dir: &Path, own: &Path, author: &str, report: &mut GitReport) -> Result<(), String> {
    let name = own.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if !own.exists() {
        return Ok(());
    }
    let add = git(dir, &["add", "--", name]).map_err(|e| e.to_string())?;
    if !add.status.success() {
        return Err(format!("git add of {name} failed: {}", said(&add)));
    }
    if !succeeds(dir, &["diff", "--cached", "--quiet"]) {
        let mut command = Command::new("git");
        command.arg("-C").arg(dir);
        // A laptop with no git identity still commits, as its fieldlog author.
        if text(dir, &["config", "user.name"]).is_none_or(|n| n.is_empty()) {
            command.args([
                "-c",
                &format!("user.name={author}"),
                "-c",
                &format!("user.email={author}@fieldlog.invalid"),
            ]);
        }
        let message = format!("fieldlog sync: changes from {author}");
        let out = command
            .args(["commit", "--quiet", "-m", &message, "--", name])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("git commit failed: {}", said(&out)));
        }
    }
    let Some((branch, _)) = branch(dir) else {
        report.notes.push("the repository has no remote called origin: committed here only".into());
        return Ok(());
    };
    for _ in 0..3 {
        match git(dir, &["push", "--quiet", "origin", &branch]) {
            Ok(out) if out.status.success() => return Ok(()),
            Ok(out) => {
                let why = said(&out);
                if !why.contains("rejected")
                    && !why.contains("fetch first")
                    && !why.contains("non-fast-forward")
                {
                    report.notes.push(format!("git push did not run ({why}): pushed on a later sync"));
                    return Ok(());
                }
                pull(dir, report);
            }
            Err(e) => {
                report.notes.push(format!("git push did not run ({e}): pushed on a later sync"));
                return Ok(());
            }
        }
    }
    report.notes.push("git push lost the race three times: pushed on a later sync".into());
    Ok(())
}
