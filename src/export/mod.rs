//! Exports: one module per format, reading through the store API, and
//! `write`, which puts any of them on disk for the command line and the app.

pub mod brief_report;
pub mod codebook;
pub mod csv;
pub mod document;
pub mod eaf;
pub mod json;
pub mod markdown;
pub mod masking;
mod output;
pub mod plane_svg;
pub mod pseudonyms;
pub mod qdpx;
pub mod report;
pub mod selection;
pub mod stream;
pub mod tables;
mod tables_followup;
pub mod tables_report;
pub mod timeline_svg;
pub mod told;
pub mod xlsx;
pub mod xml;

use crate::domain::{Case, Narrative, Session};
use crate::store::{Store, StoreError};
use chrono::{DateTime, FixedOffset};
use selection::{Reading, Selection, Source, Tally};
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
/// The lines are read a session at a time and let go.
pub fn study_leaks(store: &Store) -> Result<Option<masking::Leak>, ExportError> {
    let masks = masks_for(store, &Options::default())?.expect("masked by default");
    let reading =
        Reading { source: Source::Store(store), pseudonyms: None, masks: Some(&masks), check: true };
    let (chosen, mut tally) =
        match selection::select(store, json::Scope::default(), &reading, chrono::Local::now().date_naive()) {
            Ok(chosen) => chosen,
            Err(ExportError::Nothing) => return Ok(None),
            Err(e) => return Err(e),
        };
    chosen.each_session(&reading, &mut tally, |_, _| Ok(()), |_, (), _| Ok(()))?;
    match tally.verdict() {
        Ok(()) => Ok(None),
        Err(ExportError::Leak(leak)) => Ok(Some(leak)),
        Err(e) => Err(e),
    }
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

/// The folder `path`, made if need be: one level only, so a mistyped path
/// makes no folders all the way down.
fn folder(path: &Path) -> Result<(), ExportError> {
    match std::fs::create_dir(path) {
        Err(_) if path.is_dir() => Ok(()),
        made => made.map_err(|source| ExportError::Io { path: path.to_path_buf(), source }),
    }
}

/// The tables of the selection, with the variables, efforts and links of
/// its cases, as a folder of CSV files or as one workbook.
fn write_tables(
    chosen: &Selection,
    reading: &Reading,
    tally: Tally,
    scope: json::Scope,
    format: &str,
    output: &Path,
    options: &Options,
) -> Result<Written, ExportError> {
    let parts = tables::TableParts::new(chosen, scope.session.is_some());
    if format == "csv" {
        let files = csv::write_folder(&parts, chosen, reading, tally, output, options.bom, options.unmasked)?;
        return Ok(Written { files, notes: Vec::new() });
    }
    let book = xlsx::Book { output, note: options.unmasked.then_some(UNMASKED), rows: xlsx::SHEET_ROWS };
    let (more, file) = xlsx::write(&parts, chosen, reading, tally, &book)?;
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
    Ok(Written { files: vec![file], notes })
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
                ledgers: &study.contact_ledgers,
                recruitment: &study.recruitment,
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
    // The last word: no study-wide listed term in any byte written, zip
    // members included. CSV, xlsx and qdpx check their bytes as they make them
    // and put no file in place that fails; the others are checked on disk.
    let checked_as_made = matches!(format, "csv" | "xlsx" | "qdpx");
    if let Some(masks) = masks.as_ref().filter(|_| !options.allow_leaks && !checked_as_made) {
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
    let reading = Reading {
        source: Source::Store(store),
        pseudonyms,
        masks,
        check: masks.is_some() && !options.allow_leaks,
    };
    let (chosen, mut tally) = selection::select(store, scope, &reading, now.date_naive())?;
    match format {
        "csv" | "xlsx" => return write_tables(&chosen, &reading, tally, scope, format, output, options),
        "qdpx" => {
            let about = qdpx::About {
                cases_as_codes: options.cases_as_codes,
                description: options.unmasked.then_some(UNMASKED),
                unmasked: options.unmasked,
            };
            let (file, notes) = qdpx::write(&chosen, &reading, tally, output, &about)?;
            return Ok(Written { files: vec![file], notes });
        }
        _ => {}
    }
    // Markdown and ELAN are written whole: every line is read first.
    let sessions = chosen.with_lines(&reading, &mut tally)?;
    tally.verdict()?;
    if format == "markdown" {
        let title = match (&sessions[..], scope.case) {
            ([(s, _)], _) if scope.session.is_some() => format!("Session {}", s.id.short()),
            (_, Some(_)) => format!("Case {}", chosen.cases[0].code),
            _ => "Transcripts".to_string(),
        };
        let mut doc =
            markdown::transcripts(&title, &chosen.cases, &sessions, &chosen.narratives, &chosen.codebook);
        if options.unmasked {
            doc.blocks.insert(0, document::Block::Paragraph(UNMASKED.into()));
        }
        put(output, document::markdown(&doc).as_bytes(), &mut written)?;
        return Ok(Written { files: written, notes: Vec::new() });
    }
    // ELAN: one document per session; a file for one session, a folder for several.
    let single = scope.session.is_some();
    if !single {
        folder(output)?;
    }
    let mut notes = Vec::new();
    for (s, lines) in &sessions {
        let path =
            if single { output.to_path_buf() } else { output.join(session_file(&chosen.cases, s, "eaf")) };
        let narratives: Vec<Narrative> =
            chosen.narratives.iter().filter(|n| n.session == s.id).cloned().collect();
        let note = options.unmasked.then_some(("unmasked", UNMASKED));
        // The recording given on the command line, else the session's own.
        let attached = match (media, store.recording(s.id)?) {
            (None, Some(recording)) => match eaf::recording::link(store, &recording, &path, options.unmasked)
            {
                Ok((link, beside)) => {
                    written.extend(beside);
                    link
                }
                Err(why) => {
                    notes.push(why);
                    None
                }
            },
            _ => None,
        };
        let media = media.or(attached.as_ref());
        let document = eaf::session_eaf_noted(s, lines, &narratives, &chosen.codebook, media, now, note);
        put(&path, document.as_bytes(), &mut written)?;
    }
    Ok(Written { files: written, notes })
}
