//! A session's recording in a project: an `AudioSource` beside the
//! session's `TextSource`, whose `Transcript` is the same source text with a
//! `SyncPoint` at the start of each line that has a time in the recording.
//! The text source keeps the codings, notes, case links and variables (see
//! the README's qdpx section for why they are not moved onto the
//! transcript). The same policy as ELAN's link: a masked export never
//! carries the sound (the voices say the names) but links the recording
//! where it is by its absolute path; an unmasked one carries it inside the
//! package; a sealed recording in a masked export is not linked, and the
//! export says why.

use super::{codes, user_id, when, Xml};
use crate::domain::{Id, Kept, Recording, Session, Utterance};
use crate::export::xml::attr;
use crate::store::Store;
use std::io;
use std::path::Path;

/// Where the project finds a session's recording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Where {
    /// In the package, at `sources/<guid>.<extension>`.
    Inside,
    /// Where it is, by its absolute path.
    Absolute(String),
}

/// A session's recording as the project links it.
#[derive(Clone, Debug)]
pub struct Linked {
    pub recording: Recording,
    pub at: Where,
}

impl Linked {
    /// The AudioSource's GUID, derived from the session's.
    pub fn guid(&self) -> Id {
        self.recording.session.derived("audio source")
    }

    /// The file inside the package (`Inside` only): `sources/<guid>.<extension>`.
    pub fn member(&self) -> String {
        format!("sources/{}.{}", self.guid(), self.recording.extension())
    }

    fn path(&self) -> String {
        match &self.at {
            Where::Inside => format!("internal://{}.{}", self.guid(), self.recording.extension()),
            Where::Absolute(path) => format!("absolute://{path}"),
        }
    }
}

/// How the project of `export` links `recording`, or the sentence saying why it does not.
pub fn link(store: &Store, recording: &Recording, export: &Path, unmasked: bool) -> Result<Linked, String> {
    let absolute = |file: &Path| -> Result<Where, String> {
        let found = std::fs::canonicalize(file).map_err(|e| {
            format!("{}: cannot find the recording {}: {e}", export.display(), file.display())
        })?;
        Ok(Where::Absolute(found.to_string_lossy().replace('\\', "/")))
    };
    let at = match (&recording.kept, unmasked) {
        (Kept::Linked { path }, _) => absolute(Path::new(path))?,
        (Kept::Copied { .. }, true) => Where::Inside,
        (Kept::Copied { sealed: false, file }, false) => {
            absolute(&store.path().join(crate::store::recordings::FOLDER).join(file))?
        }
        (Kept::Copied { sealed: true, .. }, false) => {
            return Err(format!(
                "{}: the recording {} of session {} is sealed in the encrypted study, so the masked \
                 project does not link it; give --unmasked to carry it inside the package",
                export.display(),
                recording.name,
                recording.session.short()
            ))
        }
    };
    Ok(Linked { recording: recording.clone(), at })
}

/// One sync point per line with a time in the recording: where the line
/// begins in the source text (its speaker's label included), in code
/// points, and its time in ms. `spans` are the source text's.
pub fn sync_points(
    session: &Session,
    lines: &[Utterance],
    spans: &[(u32, usize, usize)],
) -> Vec<(u32, usize, i64)> {
    let mut points = Vec::new();
    let mut line = lines.iter().filter(|l| !l.deleted);
    let mut begins = 0;
    for (seq, _, end) in spans {
        let Some(at) = line.find(|l| l.seq == *seq) else { break };
        if let Some(ms) = session.recording_ms(at.onset) {
            points.push((*seq, begins, ms));
        }
        begins = end + 1;
    }
    points
}

/// The AudioSource of `session`'s recording, named after its text source,
/// with the transcript (the text source's own file) and its sync points.
pub fn write_audio_source(
    w: &mut Xml<'_>,
    session: &Session,
    source_name: &str,
    linked: &Linked,
    sync: &[(u32, usize, i64)],
) -> io::Result<()> {
    let recording = &linked.recording;
    let (guid, user) = (linked.guid().to_string(), user_id("fieldlog").to_string());
    let name = format!("{source_name}.{}", recording.extension());
    let (path, attached, started) = (linked.path(), when(recording.attached), when(session.clock.started));
    w.create_element("AudioSource")
        .with_attributes([
            ("guid", guid.as_str()),
            ("name", &*attr(&name)),
            ("path", &*attr(&path)),
            ("creatingUser", &user),
            ("creationDateTime", &attached),
        ])
        .write_inner_content(|w| {
            let about = format!(
                "The recording of the source \"{source_name}\" ({}); its transcript is the text of \
                 that source, each line tied to its time by a sync point.",
                recording.name
            );
            codes::description(w, &about)?;
            let transcript = recording.session.derived("transcript").to_string();
            let text = format!("internal://{}.txt", session.id);
            w.create_element("Transcript")
                .with_attributes([
                    ("guid", transcript.as_str()),
                    ("name", &*attr(&format!("{name}.txt"))),
                    ("plainTextPath", &text),
                    ("creatingUser", &user),
                    ("creationDateTime", &started),
                ])
                .write_inner_content(|w| {
                    for (seq, position, ms) in sync {
                        let guid = session.id.derived(&format!("sync point:{seq}")).to_string();
                        let (position, ms) = (position.to_string(), ms.to_string());
                        w.create_element("SyncPoint")
                            .with_attributes([
                                ("guid", guid.as_str()),
                                ("position", &position),
                                ("timeStamp", &ms),
                            ])
                            .write_empty()?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}
