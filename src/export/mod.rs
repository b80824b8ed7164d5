//! Exports: one module per format, reading through the store API, and
//! `write`, which puts any of them on disk for the command line and the app.

pub mod codebook;
pub mod csv;
pub mod document;
pub mod eaf;
pub mod json;
pub mod markdown;
pub mod masking;
pub mod pseudonyms;
pub mod qdpx;
pub mod report;
pub mod tables;
pub mod xlsx;
pub mod xml;

use crate::domain::{Case, Codebook, Effort, Id, Link, Narrative, Session, Utterance, Variables};
use crate::store::{Store, StoreError};
use chrono::{DateTime, FixedOffset};
use std::path::{Path, PathBuf};

pub const FORMATS: &str = "json, csv, xlsx, markdown, qdpx or eaf";
/// The formats `write` knows.
pub const FORMAT_NAMES: [&str; 6] = ["json", "csv", "xlsx", "markdown", "qdpx", "eaf"];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("export format {0:?} is not available: use {FORMATS}")]
    UnknownFormat(String),
    #[error("there are no sessions to export")]
    Nothing,
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Spreadsheet { path: PathBuf, source: xlsx::SpreadsheetError },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the export was not written: {0}, or export with --allow-leaks")]
    Leak(masking::Leak),
}

/// What an unmasked export says of itself, in the file.
pub const UNMASKED: &str =
    "UNMASKED: this export holds the words as people said them, names and numbers included (written with --unmasked)";

/// How an export is written, beyond its format and scope.
#[derive(Clone, Debug)]
pub struct Options {
    /// qdpx: each case also a code over its sessions (`qdpx::Project::cases_as_codes`).
    pub cases_as_codes: bool,
    /// eaf: the recording the document links to.
    pub media: Option<eaf::Media>,
    /// csv: start each file with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
    /// Write the words as said, not through the mask list (the export says so).
    pub unmasked: bool,
    /// Write a masked export even where the leak check finds something.
    pub allow_leaks: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { cases_as_codes: false, media: None, bom: true, unmasked: false, allow_leaks: false }
    }
}

/// The part of the study an export covers, read once.
struct Selection {
    cases: Vec<Case>,
    sessions: Vec<(Session, Vec<Utterance>)>,
    narratives: Vec<Narrative>,
    codebook: Codebook,
    variables: Variables,
    efforts: Vec<Effort>,
    links: Vec<Link>,
}

fn select(store: &Store, scope: json::Scope) -> Result<Selection, ExportError> {
    let cases: Vec<Case> =
        store.cases()?.into_iter().filter(|c| scope.case.is_none_or(|id| c.id == id)).collect();
    let wanted: Vec<Session> = store
        .sessions()?
        .into_iter()
        .filter(|s| cases.iter().any(|c| c.id == s.case_id) && scope.session.is_none_or(|id| s.id == id))
        .collect();
    let sessions = read_lines(store, wanted)?;
    if sessions.is_empty() {
        return Err(ExportError::Nothing);
    }
    let narratives =
        store.narratives()?.into_iter().filter(|n| sessions.iter().any(|(s, _)| s.id == n.session)).collect();
    let ours = |case: Id| cases.iter().any(|c| c.id == case);
    let efforts = store.efforts()?.into_iter().filter(|e| ours(e.case_id)).collect();
    let links = store.links()?.into_iter().filter(|l| ours(l.case_id)).collect();
    Ok(Selection {
        codebook: store.codebook()?,
        variables: store.variables()?,
        efforts,
        links,
        cases,
        sessions,
        narratives,
    })
}

/// The study's mask list for an export, unless it is unmasked.
fn masks_for(store: &Store, options: &Options) -> Result<Option<masking::Masks>, ExportError> {
    if options.unmasked {
        return Ok(None);
    }
    let cases = store.cases()?.into_iter().map(|c| c.id);
    Ok(Some(masking::Masks::new(store.mask_list()?, cases)))
}

/// The leak check on the study itself: what a masked export of all of it
/// would still hold that the detectors find (neither masked nor allowed).
pub fn study_leaks(store: &Store) -> Result<Option<masking::Leak>, ExportError> {
    let masks = masks_for(store, &Options::default())?.expect("masked by default");
    let mut chosen = match select(store, json::Scope::default()) {
        Ok(chosen) => chosen,
        Err(ExportError::Nothing) => return Ok(None),
        Err(e) => return Err(e),
    };
    match mask_selection(&masks, &mut chosen, false) {
        Ok(()) => Ok(None),
        Err(ExportError::Leak(leak)) => Ok(Some(leak)),
        Err(e) => Err(e),
    }
}

/// Masks every text of the selection, then refuses (unless allowed) what the
/// detectors still find in it.
fn mask_selection(
    masks: &masking::Masks,
    chosen: &mut Selection,
    allow_leaks: bool,
) -> Result<(), ExportError> {
    chosen.cases.iter_mut().for_each(|c| masks.case(c));
    masks.lines(&mut chosen.sessions);
    let case_of: std::collections::HashMap<Id, Id> =
        chosen.sessions.iter().map(|(s, _)| (s.id, s.case_id)).collect();
    for n in &mut chosen.narratives {
        if let Some(case) = case_of.get(&n.session) {
            masks.narrative(*case, n);
        }
    }
    chosen.efforts.iter_mut().for_each(|e| masks.effort(e));
    chosen.links.iter_mut().for_each(|l| masks.link(l));
    if allow_leaks {
        return Ok(());
    }
    let study = masking::Study {
        cases: &chosen.cases,
        sessions: chosen.sessions.iter().map(|(s, lines)| (s, lines.as_slice())).collect(),
        narratives: &chosen.narratives,
        efforts: &chosen.efforts,
        links: &chosen.links,
    };
    match masking::check(masks, &study) {
        Some(leak) => Err(ExportError::Leak(leak)),
        None => Ok(()),
    }
}

/// Each session with its lines, read on as many threads as there are cores
/// (reading and decoding a million lines is most of an export's time).
/// A session with its lines.
type SessionLines = (Session, Vec<Utterance>);

fn read_lines(store: &Store, sessions: Vec<Session>) -> Result<Vec<SessionLines>, StoreError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = sessions.len().div_ceil(threads).max(1);
    let parts: Vec<Result<Vec<SessionLines>, StoreError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = sessions
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter().map(|s| store.utterances(s.id).map(|lines| (s.clone(), lines))).collect()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a reading thread panicked")).collect()
    });
    let mut all = Vec::with_capacity(sessions.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// A file name for one session: case, contact point, kind and short id.
fn session_file(cases: &[Case], session: &Session, extension: &str) -> String {
    let case = cases.iter().find(|c| c.id == session.case_id).map_or(String::new(), |c| c.code.to_string());
    format!("{case}-{}-{}-{}.{extension}", session.contact_point, session.kind, session.id.short())
}

fn put(path: &Path, bytes: &[u8], written: &mut Vec<PathBuf>) -> Result<(), ExportError> {
    std::fs::write(path, bytes).map_err(|source| ExportError::Io { path: path.to_path_buf(), source })?;
    written.push(path.to_path_buf());
    Ok(())
}

fn folder(path: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(path).map_err(|source| ExportError::Io { path: path.to_path_buf(), source })
}

/// The tables of the selection, with the variables, efforts and links of
/// its cases, as a folder of CSV files or as one workbook.
fn write_tables(
    chosen: &Selection,
    scope: json::Scope,
    format: &str,
    output: &Path,
    options: &Options,
) -> Result<Written, ExportError> {
    // One session's export shows its case, not the whole study's.
    let cases: Vec<Case> = chosen
        .cases
        .iter()
        .filter(|c| scope.session.is_none() || chosen.sessions.iter().any(|(s, _)| s.case_id == c.id))
        .cloned()
        .collect();
    let ours = |case_id: crate::domain::Id| cases.iter().any(|c| c.id == case_id);
    let efforts: Vec<_> = chosen.efforts.iter().filter(|e| ours(e.case_id)).cloned().collect();
    let links: Vec<_> = chosen.links.iter().filter(|l| ours(l.case_id)).cloned().collect();
    let tables = tables::Tables {
        cases: &cases,
        sessions: &chosen.sessions,
        narratives: &chosen.narratives,
        codebook: &chosen.codebook,
        variables: &chosen.variables,
        efforts: &efforts,
        links: &links,
    };
    if format == "csv" {
        let mut files = csv::write_folder(&tables, output, options.bom)
            .map_err(|source| ExportError::Io { path: output.to_path_buf(), source })?;
        if options.unmasked {
            put(&output.join("UNMASKED.txt"), format!("{UNMASKED}\n").as_bytes(), &mut files)?;
        }
        return Ok(Written { files, notes: Vec::new() });
    }
    let more = xlsx::write(&tables, output, options.unmasked.then_some(UNMASKED))
        .map_err(|source| ExportError::Spreadsheet { path: output.to_path_buf(), source })?;
    // Not an error: a table too long for one sheet goes on in the next, under the same heading.
    let notes = if more.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "a sheet holds at most {} rows: the rest went on in {}",
            xlsx::SHEET_ROWS,
            more.join(", ")
        )]
    };
    Ok(Written { files: vec![output.to_path_buf()], notes })
}

/// The JSON form of `scope`, with pseudonyms put in if given, masked unless
/// `options` say unmasked (and then it says so in a field `"masked": false`).
pub fn json_text(
    store: &Store,
    scope: json::Scope,
    pseudonyms: Option<&pseudonyms::Pseudonyms>,
    options: &Options,
) -> Result<String, ExportError> {
    let mut study = json::build(store, scope)?;
    if let Some(p) = pseudonyms {
        p.apply_study(&mut study);
    }
    study.masked = Some(!options.unmasked);
    if let Some(masks) = masks_for(store, options)? {
        masks.study(&mut study);
        if !options.allow_leaks {
            let parts = masking::Study {
                cases: &study.cases,
                sessions: study.sessions.iter().map(|s| (&s.session, s.utterances.as_slice())).collect(),
                narratives: &study.narratives,
                efforts: &study.efforts,
                links: &study.links,
            };
            if let Some(leak) = masking::check(&masks, &parts) {
                return Err(ExportError::Leak(leak));
            }
        }
    }
    Ok(json::to_string(&study))
}

/// What an export wrote, and what its user should know about it.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub notes: Vec<String>,
}

/// Writes `format` for `scope` at `output` (a folder for csv, and for eaf of
/// more than one session); returns the files written.
pub fn write(
    store: &Store,
    format: &str,
    scope: json::Scope,
    output: &Path,
    now: DateTime<FixedOffset>,
    pseudonyms: Option<&pseudonyms::Pseudonyms>,
    options: &Options,
) -> Result<Written, ExportError> {
    if !FORMAT_NAMES.contains(&format) {
        return Err(ExportError::UnknownFormat(format.to_string()));
    }
    let masks = masks_for(store, options)?;
    let existed = output.exists();
    let written = write_format(store, format, scope, output, now, pseudonyms, options, masks.as_ref())?;
    // The last word: no study-wide listed term in any byte written, zip members included.
    if let Some(masks) = masks.as_ref().filter(|_| !options.allow_leaks) {
        let leak = masking::listed_terms_in(masks, &written.files)
            .map_err(|source| ExportError::Io { path: output.to_path_buf(), source })?;
        if let Some(mut leak) = leak {
            leak.place = format!("{} (the file is not kept)", leak.place);
            for file in &written.files {
                let _ = std::fs::remove_file(file);
            }
            if !existed && output.is_dir() {
                let _ = std::fs::remove_dir(output);
            }
            return Err(ExportError::Leak(leak));
        }
    }
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
fn write_format(
    store: &Store,
    format: &str,
    scope: json::Scope,
    output: &Path,
    now: DateTime<FixedOffset>,
    pseudonyms: Option<&pseudonyms::Pseudonyms>,
    options: &Options,
    masks: Option<&masking::Masks>,
) -> Result<Written, ExportError> {
    let media = options.media.as_ref();
    let mut written = Vec::new();
    if format == "json" {
        put(output, json_text(store, scope, pseudonyms, options)?.as_bytes(), &mut written)?;
        return Ok(Written { files: written, notes: Vec::new() });
    }
    let mut chosen = select(store, scope)?;
    if let Some(p) = pseudonyms {
        chosen.cases.iter_mut().for_each(|c| p.apply_case(c));
        for (session, lines) in &mut chosen.sessions {
            p.apply_session(session, lines);
        }
        chosen.narratives.iter_mut().for_each(|n| p.apply_narrative(n));
    }
    if let Some(masks) = masks {
        mask_selection(masks, &mut chosen, options.allow_leaks)?;
    }
    match format {
        "csv" | "xlsx" => return write_tables(&chosen, scope, format, output, options),
        "markdown" => {
            let title = match (&chosen.sessions[..], scope.case) {
                ([(s, _)], _) if scope.session.is_some() => format!("Session {}", s.id.short()),
                (_, Some(_)) => format!("Case {}", chosen.cases[0].code),
                _ => "Transcripts".to_string(),
            };
            let mut doc = markdown::transcripts(
                &title,
                &chosen.cases,
                &chosen.sessions,
                &chosen.narratives,
                &chosen.codebook,
            );
            if options.unmasked {
                doc.blocks.insert(0, document::Block::Paragraph(UNMASKED.into()));
            }
            put(output, document::markdown(&doc).as_bytes(), &mut written)?;
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
                variables: &chosen.variables,
                cases_as_codes: options.cases_as_codes,
                description: options.unmasked.then_some(UNMASKED),
            };
            let bytes = qdpx::qdpx(&project)
                .map_err(|source| ExportError::Io { path: output.to_path_buf(), source })?;
            put(output, &bytes, &mut written)?;
        }
        _ => {
            // ELAN: one document per session; a file for one session, a folder for several.
            let single = scope.session.is_some();
            if !single {
                folder(output)?;
            }
            for (s, lines) in &chosen.sessions {
                let path = if single {
                    output.to_path_buf()
                } else {
                    output.join(session_file(&chosen.cases, s, "eaf"))
                };
                let narratives: Vec<Narrative> =
                    chosen.narratives.iter().filter(|n| n.session == s.id).cloned().collect();
                let note = options.unmasked.then_some(("unmasked", UNMASKED));
                let document =
                    eaf::session_eaf_noted(s, lines, &narratives, &chosen.codebook, media, now, note);
                put(&path, document.as_bytes(), &mut written)?;
            }
        }
    }
    Ok(Written { files: written, notes: Vec::new() })
}
