//! `fieldlog export`: the study, a case or a session, in each format.

use super::commands::{find_case, find_session, now};
use crate::domain::Session;
use crate::export::{eaf, json, qdpx};
use crate::store::Store;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

pub const FORMATS: &str = "json, eaf or qdpx";

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
        "qdpx" => {
            let output = output.context("a REFI-QDA export needs --output FILE.qdpx")?;
            let cases: Vec<_> =
                store.cases()?.into_iter().filter(|c| scope.case.is_none_or(|id| c.id == id)).collect();
            let mut sessions = Vec::new();
            for s in store.sessions()? {
                let wanted =
                    cases.iter().any(|c| c.id == s.case_id) && scope.session.is_none_or(|id| s.id == id);
                if wanted {
                    let lines = store.utterances(s.id)?;
                    sessions.push((s, lines));
                }
            }
            let narratives = store.narratives()?;
            let codebook = store.codebook()?;
            let name =
                output.file_stem().map_or("fieldlog".to_string(), |n| n.to_string_lossy().into_owned());
            let project = qdpx::Project {
                name: &name,
                cases: &cases,
                sessions: &sessions,
                narratives: &narratives,
                codebook: &codebook,
            };
            let bytes = qdpx::qdpx(&project).context("cannot build the REFI-QDA project")?;
            std::fs::write(output, bytes).with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!(
                "wrote {} ({} sources, {} coded narratives)",
                output.display(),
                sessions.len(),
                narratives.iter().filter(|n| sessions.iter().any(|(s, _)| s.id == n.session)).count()
            );
        }
        other => bail!("export format {other:?} is not available: use {FORMATS}"),
    }
    Ok(())
}
