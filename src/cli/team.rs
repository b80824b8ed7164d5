//! Team commands: `sync` through a shared folder.

use super::commands::find_session;
use crate::domain::narrative::author_from_env;
use crate::domain::BlindSetting;
use crate::export::json::blind_change;
use crate::store::Store;
use crate::sync::{git, purge, recordings, sync as run_sync, SyncReport};
use std::path::Path;

/// Syncs the study in `dir` through the shared folder `folder` (with
/// `through_git`, a clone of the team's repository) and says what happened.
pub fn sync(dir: &Path, folder: &Path, through_git: bool) -> anyhow::Result<()> {
    let (store, passphrase) = super::passphrase::open_keeping(dir)?;
    let author = author_from_env();
    let mut notes = git::GitReport::default();
    if through_git {
        git::check(folder).map_err(anyhow::Error::msg)?;
        git::pull(folder, &mut notes);
    }
    let mut report = run_sync(&store, folder, passphrase.as_deref(), &author)?;
    print!("{}", describe(&report));
    let mut store = store;
    for note in std::mem::take(&mut report.purges_due) {
        let code = note.purged.code.clone();
        let sounds = recordings::of_case(&store, &note.purged)?;
        let (reopened, sessions) = purge::erase(store, note)?;
        store = reopened;
        recordings::forget(folder, &sounds)?;
        println!("erased case {code}, purged on a teammate's laptop: {sessions} sessions, and the store was rewritten without it");
    }
    drop(store);
    if through_git {
        git::commit_and_push(folder, &report.own_file, &author, &mut notes).map_err(anyhow::Error::msg)?;
    }
    for note in notes.notes {
        println!("git: {note}");
    }
    Ok(())
}

/// Turns blind coding of a session on or off.
pub fn blind(store: &Store, id: &str, on: bool) -> anyhow::Result<()> {
    let session = find_session(store, id)?;
    let was = store.blind_sessions()?.contains(&session.id);
    if was != on {
        store.commit(&[blind_change(BlindSetting { session: session.id, on })])?;
    }
    if on {
        println!("session {id} is coded blind: each coder sees only their own narratives in it");
    } else {
        println!("session {id} is no longer coded blind: everyone's narratives in it show again");
    }
    Ok(())
}

fn describe(report: &SyncReport) -> String {
    let mut out = String::new();
    if report.written == 0 {
        out.push_str("nothing new to send\n");
    } else {
        out.push_str(&format!(
            "sent {} changed records to {}\n",
            report.records_sent,
            report.own_file.display()
        ));
    }
    let m = &report.merged;
    out.push_str(&format!(
        "brought in {} change sets from {} laptops: {} cases, {} sessions, {} lines, {} narratives, {} codes, {} efforts, {} links added\n",
        report.records_read, report.laptops, m.cases, m.sessions, m.lines, m.narratives, m.codes, m.efforts, m.links
    ));
    if m.conflicts.is_empty() {
        out.push_str("no conflicts\n");
    } else {
        out.push_str(&format!("{} conflicts:\n", m.conflicts.len()));
        for c in &m.conflicts {
            out.push_str(&format!("- {c}\n"));
        }
    }
    if report.recordings_sent + report.recordings_taken > 0 {
        out.push_str(&format!(
            "recordings: {} copied into the folder, {} taken from it\n",
            report.recordings_sent, report.recordings_taken
        ));
    }
    for code in &report.cleaned {
        out.push_str(&format!(
            "case {code} was purged: this laptop's change file was rewritten without it (each teammate's own file is cleaned when they sync)\n"
        ));
    }
    for w in &report.waiting {
        out.push_str(&format!("not yet: {w}\n"));
    }
    out
}
