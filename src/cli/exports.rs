//! `fieldlog export`: the study, a case or a session, in each format.

use super::commands::{find_case, find_session, now};
use crate::domain::{Case, Codebook, Narrative, Session, Utterance};
use crate::export::{csv, document, eaf, json, markdown, qdpx};
use crate::store::Store;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

pub const FORMATS: &str = "json, csv, markdown, qdpx or eaf";

/// The part of the study an export covers, read once.
struct Selection {
    cases: Vec<Case>,
    sessions: Vec<(Session, Vec<Utterance>)>,
    narratives: Vec<Narrative>,
    codebook: Codebook,
}

fn select(store: &Store, scope: json::Scope) -> anyhow::Result<Selection> {
    let cases: Vec<Case> =
        store.cases()?.into_iter().filter(|c| scope.case.is_none_or(|id| c.id == id)).collect();
    let mut sessions = Vec::new();
    for s in store.sessions()? {
        if cases.iter().any(|c| c.id == s.case_id) && scope.session.is_none_or(|id| s.id == id) {
            let lines = store.utterances(s.id)?;
            sessions.push((s, lines));
        }
    }
    if sessions.is_empty() {
        bail!("there are no sessions to export");
    }
    let narratives =
        store.narratives()?.into_iter().filter(|n| sessions.iter().any(|(s, _)| s.id == n.session)).collect();
    Ok(Selection { cases, sessions, narratives, codebook: store.codebook()? })
}

/// A file name for one session: case, contact point, kind and short id.
fn session_file(cases: &[Case], session: &Session, extension: &str) -> String {
    let case = cases.iter().find(|c| c.id == session.case_id).map_or(String::new(), |c| c.code.to_string());
    format!("{case}-{}-{}-{}.{extension}", session.contact_point, session.kind, session.id.short())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn folder(path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("cannot make the folder {}", path.display()))
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
    if format == "json" {
        let text = json::to_string(&json::build(store, scope)?);
        return match output {
            Some(path) => write(path, text.as_bytes()),
            None => {
                print!("{text}");
                Ok(())
            }
        };
    }
    if !["csv", "markdown", "qdpx", "eaf"].contains(&format) {
        bail!("export format {format:?} is not available: use {FORMATS}");
    }
    let output = output.with_context(|| format!("a {format} export needs --output PATH"))?;
    let chosen = select(store, scope)?;
    match format {
        "csv" => {
            folder(output)?;
            let tables = csv::Tables {
                cases: &chosen.cases,
                sessions: &chosen.sessions,
                narratives: &chosen.narratives,
                codebook: &chosen.codebook,
            };
            write(&output.join("utterances.csv"), tables.utterances().as_bytes())?;
            write(&output.join("narratives.csv"), tables.narratives().as_bytes())?;
        }
        "markdown" => {
            let title = match (&chosen.sessions[..], scope.case) {
                ([(s, _)], _) if scope.session.is_some() => format!("Session {}", s.id.short()),
                (_, Some(_)) => format!("Case {}", chosen.cases[0].code),
                _ => "Transcripts".to_string(),
            };
            let doc = markdown::transcripts(
                &title,
                &chosen.cases,
                &chosen.sessions,
                &chosen.narratives,
                &chosen.codebook,
            );
            write(output, document::markdown(&doc).as_bytes())?;
        }
        "qdpx" => {
            let name =
                output.file_stem().map_or("fieldlog".to_string(), |n| n.to_string_lossy().into_owned());
            let project = qdpx::Project {
                name: &name,
                cases: &chosen.cases,
                sessions: &chosen.sessions,
                narratives: &chosen.narratives,
                codebook: &chosen.codebook,
            };
            write(output, &qdpx::qdpx(&project).context("cannot build the REFI-QDA project")?)?;
        }
        _ => {
            // ELAN: one document per session; a file for one session, a folder for several.
            let single = scope.session.is_some();
            if !single {
                folder(output)?;
            }
            for (s, lines) in &chosen.sessions {
                let path: PathBuf = if single {
                    output.to_path_buf()
                } else {
                    output.join(session_file(&chosen.cases, s, "eaf"))
                };
                write(&path, eaf::session_eaf(s, lines, now()).as_bytes())?;
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
