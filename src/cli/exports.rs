//! `fieldlog export`: the study, a case or a session, in each format.

use super::commands::{find_case, find_session, now};
use crate::export::json;
use crate::export::pseudonyms::Pseudonyms;
use crate::store::Store;
use anyhow::{bail, Context};
use std::path::Path;

pub fn export(
    store: &Store,
    format: &str,
    case: Option<&str>,
    session: Option<&str>,
    output: Option<&Path>,
    pseudonymise: Option<&Path>,
) -> anyhow::Result<()> {
    let pseudonyms = match pseudonymise {
        Some(file) => {
            let text =
                std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            Some(Pseudonyms::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?)
        }
        None => None,
    };
    let scope = json::Scope {
        case: case.map(|c| find_case(store, c)).transpose()?.map(|c| c.id),
        session: session.map(|s| find_session(store, s)).transpose()?.map(|s| s.id),
    };
    match (format, output) {
        ("json", None) => print!("{}", crate::export::json_text(store, scope, pseudonyms.as_ref())?),
        (_, None) => bail!("a {format} export needs --output PATH"),
        (_, Some(output)) => {
            for path in crate::export::write(store, format, scope, output, now(), pseudonyms.as_ref())? {
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

/// Writes everything the store holds to one file, readable by its owner only.
pub fn backup(store: &Store, path: &Path) -> anyhow::Result<()> {
    let text = json::to_string(&json::build(store, json::Scope::default())?);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.sync_all().with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("backed up the study to {}", path.display());
    Ok(())
}

/// Fills an empty store from a backup, all or nothing.
pub fn restore(store: &Store, path: &Path) -> anyhow::Result<()> {
    if !store.is_empty()? {
        bail!(
            "the store at {} already holds a study: restore fills only an empty store (merge brings a backup into this one)",
            store.path().display()
        );
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let study = json::parse(&path.display().to_string(), &text)?;
    let (cases, sessions) = (study.cases.len(), study.sessions.len());
    store.commit(&json::changes(study))?;
    eprintln!("restored {cases} cases and {sessions} sessions from {}", path.display());
    Ok(())
}

/// Brings another fieldworker's backup into this store and reports what came in.
pub fn merge(store: &Store, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let theirs = json::parse(&path.display().to_string(), &text)?;
    let (changes, report) = crate::import::merge::merge(store, theirs, now())?;
    store.commit(&changes)?;
    println!(
        "merged {}: {} cases, {} sessions, {} lines, {} narratives, {} codes, {} efforts, {} links added",
        path.display(),
        report.cases,
        report.sessions,
        report.lines,
        report.narratives,
        report.codes,
        report.efforts,
        report.links
    );
    if report.conflicts.is_empty() {
        println!("no conflicts");
    } else {
        println!("{} conflicts:", report.conflicts.len());
        for c in &report.conflicts {
            println!("- {c}");
        }
    }
    Ok(())
}

/// Erases a case that withdrew consent — every session, line, revision,
/// narrative, draft, effort and link about it — and rewrites the store
/// without it, so that none of its text stays readable in the store files.
pub fn purge(dir: &Path, code: &str, yes: bool) -> anyhow::Result<()> {
    // (The passphrase of an encrypted store is asked for once, and kept for the rewrite.)
    let (store, passphrase) = super::passphrase::open_keeping(dir)?;
    let case = find_case(&store, code)?;
    if !yes {
        bail!("this erases case {code} and everything about it for good: run it again with --yes");
    }
    let mut study = json::build(&store, json::Scope::default())?;
    drop(store);
    let gone: Vec<crate::domain::Id> =
        study.sessions.iter().filter(|s| s.session.case_id == case.id).map(|s| s.session.id).collect();
    study.cases.retain(|c| c.id != case.id);
    study.sessions.retain(|s| s.session.case_id != case.id);
    study.narratives.retain(|n| !gone.contains(&n.session));
    study.efforts.retain(|e| e.case_id != case.id);
    study.links.retain(|l| l.case_id != case.id);
    let fresh = dir.with_extension("purging");
    let old = dir.with_extension("purged");
    let _ = std::fs::remove_dir_all(&fresh);
    {
        // An encrypted store is rewritten encrypted, under the same passphrase.
        if let Some(passphrase) = &passphrase {
            Store::encrypt(&fresh, passphrase)?;
        }
        let rewritten = Store::open_with(&fresh, passphrase.as_deref())?;
        rewritten.commit(&json::changes(study))?;
        rewritten.checkpoint()?;
    }
    std::fs::rename(dir, &old).with_context(|| format!("cannot move {} aside", dir.display()))?;
    std::fs::rename(&fresh, dir)
        .with_context(|| format!("cannot put the rewritten store at {}", dir.display()))?;
    std::fs::remove_dir_all(&old)
        .with_context(|| format!("cannot remove the old store at {}", old.display()))?;
    println!("erased case {code}: {} sessions, and the store was rewritten without it", gone.len());
    Ok(())
}
