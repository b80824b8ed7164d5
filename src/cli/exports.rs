//! `fieldlog export`: the study, a case or a session, in each format.

use super::commands::{find_case, find_session, now};
use crate::export::json;
use crate::store::Store;
use anyhow::{bail, Context};
use std::path::Path;

pub fn export(
    store: &Store,
    format: &str,
    case: Option<&str>,
    session: Option<&str>,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let scope = json::Scope {
        case: case.map(|c| find_case(store, c)).transpose()?.map(|c| c.id),
        session: session.map(|s| find_session(store, s)).transpose()?.map(|s| s.id),
    };
    match (format, output) {
        ("json", None) => print!("{}", json::to_string(&json::build(store, scope)?)),
        (_, None) => bail!("a {format} export needs --output PATH"),
        (_, Some(output)) => {
            for path in crate::export::write(store, format, scope, output, now())? {
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
