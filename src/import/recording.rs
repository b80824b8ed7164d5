//! A recording attached to a session: read through to check it plays and
//! learn its length, kept (copied into the study, or linked where it is),
//! and the session's recording start set. The one way the command line and
//! the case screen attach one.

use crate::audio::{inspect, AudioError};
use crate::domain::{recording, Consent, Kept, Recording, Session};
use crate::store::{recordings::sha256_of, Change, Store, StoreError};
use chrono::{DateTime, FixedOffset};
use std::path::Path;

/// How to keep a recording: copied into the study (the default), or linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keeping {
    Copy,
    Link,
}

#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("{0} is no recording fieldlog can play: {1}")]
    Unplayable(String, String),
    #[error("cannot read {0}: {1}")]
    Unreadable(String, String),
    #[error("session {0} already has a recording ({1}): give --replace to put this one in its place")]
    HasOne(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to attach and how.
pub struct Attach<'a> {
    pub file: &'a Path,
    pub keeping: Keeping,
    /// When the recording began, in ms after the session started (negative:
    /// before); none keeps the start noted live (`alt-r`), else the session's start.
    pub offset_ms: Option<i64>,
    pub replace: bool,
    pub made_here: bool,
}

/// Attaches a recording to `session`: the recording's record and the session with its start, saved.
pub fn attach(
    store: &Store,
    session: &Session,
    how: Attach,
    now: DateTime<FixedOffset>,
) -> Result<Recording, AttachError> {
    let shown = how.file.display().to_string();
    let old = store.recording(session.id)?;
    let file = std::fs::File::open(how.file)
        .map_err(|e| AttachError::Unreadable(shown.clone(), crate::store::files::cause(&e)))?;
    let len = file
        .metadata()
        .map_err(|e| AttachError::Unreadable(shown.clone(), crate::store::files::cause(&e)))?
        .len();
    if len == 0 {
        return Err(AttachError::Unplayable(shown, "it is empty".into()));
    }
    let extension = how.file.extension().and_then(|e| e.to_str()).map(str::to_lowercase);
    let info = inspect(Box::new(file), Some(len), extension.as_deref()).map_err(|e| match e {
        AudioError::Unreadable(why) => AttachError::Unplayable(shown.clone(), why),
        other => AttachError::Unreadable(shown.clone(), other.to_string()),
    })?;
    if info.frames == 0 {
        return Err(AttachError::Unplayable(shown, "it holds no sound".into()));
    }
    if let Some(old) = &old {
        if !how.replace {
            return Err(AttachError::HasOne(session.id.short(), old.name.clone()));
        }
    }
    let (kept, sha256, bytes) = match how.keeping {
        Keeping::Copy => store.keep_recording_file(session.id, how.file)?,
        Keeping::Link => {
            let absolute = std::fs::canonicalize(how.file)
                .map_err(|e| AttachError::Unreadable(shown.clone(), crate::store::files::cause(&e)))?;
            let sha = sha256_of(&absolute)
                .map_err(|e| AttachError::Unreadable(shown.clone(), crate::store::files::cause(&e)))?;
            (Kept::Linked { path: absolute.display().to_string() }, sha, len)
        }
    };
    let recording = Recording {
        session: session.id,
        name: how.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        kept,
        codec: info.codec,
        frames: info.frames,
        sample_rate: info.sample_rate,
        channels: info.channels,
        bytes,
        sha256,
        attached: now,
        made_here: how.made_here,
    };
    let mut updated = session.clone();
    updated.recording_started = match how.offset_ms {
        Some(offset) => Some(recording::start_at(session, offset)),
        None => session.recording_started.or(Some(session.clock.started)),
    };
    store.commit(&[Change::Session(updated), Change::Recording(recording.clone())])?;
    if old.is_some_and(|old| old.kept != recording.kept) {
        // The copy replaced is no one's now.
        store.remove_unattached_recordings()?;
    }
    Ok(recording)
}

/// Notes that `speakers` (labels of the session's speakers) agreed to be recorded.
pub fn note_consent(
    store: &Store,
    session: &Session,
    speakers: &[String],
    now: DateTime<FixedOffset>,
) -> Result<Consent, String> {
    for label in speakers {
        if session.speaker(label).is_none() {
            let known: Vec<&str> = session.speakers.iter().map(|s| s.label.as_str()).collect();
            return Err(format!(
                "session {} has no speaker {label:?}: its speakers are {}",
                session.id.short(),
                known.join(", ")
            ));
        }
    }
    let mut consent = store.consent(session.id).map_err(|e| e.to_string())?.unwrap_or(Consent {
        session: session.id,
        speakers: Vec::new(),
        noted: now,
    });
    for label in speakers {
        if !consent.speakers.contains(label) {
            consent.speakers.push(label.clone());
        }
    }
    consent.noted = now;
    store.commit(&[Change::Consent(consent.clone())]).map_err(|e| e.to_string())?;
    Ok(consent)
}

/// The record of a recording being made in fieldlog: attached at once, so a
/// crash leaves it findable; its length is filled in when it stops (or is mended).
pub fn made_here(session: &Session, path: &Path, now: DateTime<FixedOffset>) -> Recording {
    use crate::audio::capture::{CHANNELS, RATE};
    Recording {
        session: session.id,
        name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        kept: Kept::Copied {
            file: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            sealed: false,
        },
        codec: "pcm_s16le".into(),
        frames: 0,
        sample_rate: RATE,
        channels: CHANNELS,
        bytes: 0,
        sha256: String::new(),
        attached: now,
        made_here: true,
    }
}

/// Whether a recording made here has not been finished (its length unknown).
pub fn is_unfinished(recording: &Recording) -> bool {
    recording.made_here && recording.sha256.is_empty()
}

/// Finishes a recording made here: the file made whole (after a crash, the
/// header's sizes set from what reached the disk), its length and SHA-256 kept.
pub fn finish(store: &Store, recording: &Recording) -> Result<Recording, String> {
    let Kept::Copied { file, .. } = &recording.kept else { return Ok(recording.clone()) };
    let path = store.path().join(crate::store::recordings::FOLDER).join(file);
    let frames = crate::audio::capture::mend(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut finished = recording.clone();
    finished.frames = frames;
    finished.bytes = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    finished.sha256 = sha256_of(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    store.commit(&[Change::Recording(finished.clone())]).map_err(|e| e.to_string())?;
    Ok(finished)
}

/// Finishes every recording a crash left unfinished (no recorder can be
/// running: the store is locked to this process). What was mended, said.
pub fn mend_unfinished(store: &Store) -> Result<Vec<String>, String> {
    let mut said = Vec::new();
    for recording in store.recordings().map_err(|e| e.to_string())? {
        if is_unfinished(&recording) {
            let finished = finish(store, &recording)?;
            said.push(format!(
                "The recording of session {} was cut short; {} of it is kept.",
                recording.session.short(),
                crate::domain::clock::format_duration_ms(finished.duration_ms() as i64)
            ));
        }
    }
    Ok(said)
}
