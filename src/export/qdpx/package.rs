//! The `.qdpx` zip: `project.qde`, then `sources/<guid>.txt`, stored (not
//! compressed) in a fixed order with fixed dates, so the same study gives the
//! same bytes. The source texts are made a session at a time on the reader
//! threads and kept in an unnamed temporary file until the project document,
//! which needs where every narrative lies in them, is written first, straight
//! into the zip. A session's recording carried in the package (unmasked
//! exports only) comes last, read through its seal if it has one.

use super::{audio, source_text, Placed, Project};
use crate::domain::{Id, Narrative};
use crate::export::masking::{self, Checking};
use crate::export::output::Output;
use crate::export::selection::{Reading, Selection, Source, Tally};
use crate::export::ExportError;
use std::collections::HashMap;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// What the project says of itself besides the study.
pub struct About<'a> {
    pub cases_as_codes: bool,
    pub description: Option<&'a str>,
    /// Carry recordings kept in the study inside the package (else link them where they are).
    pub unmasked: bool,
}

/// Writes the project of `selection` to `output`, put in place only if the
/// export passes the leak check; gives back the file and why a recording is
/// not linked, if one is not.
pub fn write(
    selection: &Selection,
    reading: &Reading,
    mut tally: Tally,
    output: &Path,
    about: &About,
) -> Result<(PathBuf, Vec<String>), ExportError> {
    let io = |source: io::Error| ExportError::Io { path: output.to_path_buf(), source };
    let beside = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut texts = BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(beside).map_err(io)?);
    let listed = reading.listed();
    let name = output.display().to_string();
    let mut own: HashMap<Id, Vec<&Narrative>> = HashMap::new();
    for n in selection.narratives.iter().filter(|n| !n.deleted) {
        own.entry(n.session).or_default().push(n);
    }
    let (recordings, notes) = recordings(selection, reading, output, about.unmasked)?;
    let mut placed: HashMap<Id, Placed> = HashMap::new();
    let mut lengths: Vec<(Id, u64)> = Vec::with_capacity(selection.sessions.len());
    // The sources come after the project document in the zip, and so in the check's report.
    let mut in_sources = Tally::default();
    selection.each_session(
        reading,
        &mut tally,
        |session, lines| {
            let source = source_text(&lines);
            let narratives = own.get(&session.id).map_or(&[][..], Vec::as_slice);
            let mut here = Placed::of(&source, narratives);
            if recordings.contains_key(&session.id) {
                here.sync = audio::sync_points(session, &lines, &source.spans);
            }
            let hits = listed.map(|every| masking::listed_hits(every, &masking::unescape(&source.text)));
            Ok((here, source.text, hits))
        },
        |session, (here, text, hits), tally| {
            placed.insert(session.id, here);
            lengths.push((session.id, text.len() as u64));
            if let Some(hits) = hits {
                in_sources.listed(&format!("{name}:sources/{}.txt", session.id), 0, &hits);
            }
            if tally.refused() || in_sources.refused() {
                return Ok(());
            }
            texts.write_all(text.as_bytes()).map_err(io)
        },
    )?;
    let name_stem = output.file_stem().map_or("fieldlog".to_string(), |n| n.to_string_lossy().into_owned());
    let project = Project {
        name: &name_stem,
        cases: &selection.cases,
        sessions: &selection.sessions,
        placed: &placed,
        narratives: &selection.narratives,
        codebook: &selection.codebook,
        variables: &selection.variables,
        cases_as_codes: about.cases_as_codes,
        description: about.description,
        recordings: &recordings,
        contacts: &selection.contacts,
    };
    // Refused by the detectors: no file is begun (a listed term in a source
    // text is reported after any in the document, which is read first).
    if tally.detected() {
        return Err(tally.verdict().expect_err("the detectors found something"));
    }
    let mut texts = texts.into_inner().map_err(|e| io(e.into_error()))?;
    texts.rewind().map_err(io)?;
    // The document goes straight into the zip (tens of megabytes for a long
    // study), read by the byte check on its way; the file is not kept if it fails.
    let mut out = Output::default();
    let at = out.file(output)?;
    let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(1 << 20, out.file_mut(at)));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("project.qde", options).map_err(|e| io(io::Error::other(e)))?;
    let mut checked = BufWriter::with_capacity(1 << 16, Checking::new(&mut zip, listed, true));
    super::write_project(&project, &mut checked).map_err(io)?;
    let (_, found) = checked.into_inner().map_err(|e| io(e.into_error()))?.finish();
    tally.listed(&format!("{name}:project.qde"), 0, &found);
    tally.merge_listed(in_sources);
    tally.verdict()?;
    for (id, length) in &lengths {
        zip.start_file(format!("sources/{id}.txt"), options).map_err(|e| io(io::Error::other(e)))?;
        let copied = io::copy(&mut (&mut texts).take(*length), &mut zip).map_err(io)?;
        if copied != *length {
            return Err(io(io::Error::new(io::ErrorKind::UnexpectedEof, "a source text was cut short")));
        }
    }
    for session in &selection.sessions {
        if let (Some(linked), Source::Store(store)) = (recordings.get(&session.id), &reading.source) {
            if linked.at == audio::Where::Inside {
                let large = linked.recording.bytes >= u64::from(u32::MAX);
                zip.start_file(linked.member(), options.large_file(large))
                    .map_err(|e| io(io::Error::other(e)))?;
                let (mut sound, _) = store.open_recording(&linked.recording)?;
                io::copy(&mut sound, &mut zip).map_err(io)?;
            }
        }
    }
    zip.finish().map_err(|e| io(io::Error::other(e)))?.flush().map_err(io)?;
    Ok((out.finish()?.remove(0), notes))
}

/// The recordings of the selection's sessions as the project links them,
/// and a note for each that it cannot link.
fn recordings(
    selection: &Selection,
    reading: &Reading,
    output: &Path,
    unmasked: bool,
) -> Result<(HashMap<Id, audio::Linked>, Vec<String>), ExportError> {
    let (mut linked, mut notes) = (HashMap::new(), Vec::new());
    let Source::Store(store) = &reading.source else { return Ok((linked, notes)) };
    for session in &selection.sessions {
        if let Some(recording) = store.recording(session.id)? {
            match audio::link(store, &recording, output, unmasked) {
                Ok(link) => {
                    linked.insert(session.id, link);
                }
                Err(why) => notes.push(why),
            }
        }
    }
    Ok((linked, notes))
}
