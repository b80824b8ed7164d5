//! `fieldlog export`: the study, a case or a session, in each format.

use super::commands::{find_case, find_session, now};
use crate::domain::Session;
use crate::export::{eaf, json};
use crate::store::Store;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

pub const FORMATS: &str = "json or eaf";

/// A file name for one session: case, contact point, kind and short id.
fn session_file(store: &Store, session: &Session, extension: &str) -> anyhow::Result<String> {
    let case = store.case(session.case_id)?.map(|c| c.code.to_string()).unwrap_or_default();
    Ok(format!("{case}-{}-{}-{}.{extension}", session.contact_point, session.kind, session.id.short()))
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

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
    match format {
        "json" => {
            let text = json::to_string(&json::build(store, scope, now())?);
            match output {
                Some(path) => {
                    write(path, &text)?;
                    eprintln!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
        }
        "eaf" => {
            let sessions: Vec<Session> = store
                .sessions()?
                .into_iter()
                .filter(|s| {
                    scope.case.is_none_or(|c| s.case_id == c) && scope.session.is_none_or(|id| s.id == id)
                })
                .collect();
            let output = output
                .context("an ELAN export needs --output: a file for one session, a folder for several")?;
            let single = scope.session.is_some();
            if !single {
                std::fs::create_dir_all(output)
                    .with_context(|| format!("cannot make the folder {}", output.display()))?;
            }
            for s in &sessions {
                let path: PathBuf =
                    if single { output.to_path_buf() } else { output.join(session_file(store, s, "eaf")?) };
                write(&path, &eaf::session_eaf(s, &store.utterances(s.id)?, now()))?;
                eprintln!("wrote {}", path.display());
            }
            if sessions.is_empty() {
                bail!("there are no sessions to export");
            }
        }
        other => bail!("export format {other:?} is not available: use {FORMATS}"),
    }
    Ok(())
}
