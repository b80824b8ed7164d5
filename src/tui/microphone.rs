//! Recording a session with the laptop's microphone: refused, with the
//! reason, unless every speaker's consent to recording is noted; the
//! recording's start is the moment its first sound was heard.

use crate::audio::capture::{self, Recorder};
use crate::domain::{Consent, Id, Recording, Session};
use crate::import::recording;
use crate::store::Store;
use chrono::{DateTime, FixedOffset};
use std::path::PathBuf;

pub struct Microphone {
    /// A sound file to record from instead of the microphone (tests, demos).
    source: Option<PathBuf>,
    current: Option<(Id, Recorder, Recording)>,
}

impl Microphone {
    pub fn new(source: Option<PathBuf>) -> Microphone {
        Microphone { source, current: None }
    }

    /// The session being recorded.
    pub fn recording(&self) -> Option<Id> {
        self.current.as_ref().map(|(id, ..)| *id)
    }

    /// Starts recording `session`: the record to save with the session's new start.
    pub fn start(
        &mut self,
        store: &Store,
        session: &Session,
        now: DateTime<FixedOffset>,
    ) -> Result<(DateTime<FixedOffset>, Recording), String> {
        if self.current.is_some() {
            return Err("A recording is already being made: stop it first.".into());
        }
        if store.is_encrypted() {
            return Err("Recording in fieldlog is not yet possible in an encrypted study: record with a recorder, then attach the file.".into());
        }
        let missing =
            Consent::missing(store.consent(session.id).map_err(|e| e.to_string())?.as_ref(), session);
        if !missing.is_empty() {
            return Err(format!(
                "Not recording: no consent to recording is noted for {}. When everyone has agreed, note it (alt-y), then record.",
                missing.join(", ")
            ));
        }
        if let Some(old) = store.recording(session.id).map_err(|e| e.to_string())? {
            return Err(format!("This session has a recording already ({}).", old.name));
        }
        let input = capture::open(self.source.as_deref()).map_err(|e| format!("Cannot record: {e}"))?;
        let path = store.new_recording_path(session.id).map_err(|e| e.to_string())?;
        let recorder = Recorder::start(input, &path).map_err(|e| format!("Cannot record: {e}"))?;
        let started = now - chrono::Duration::from_std(recorder.heard_before).unwrap_or_default();
        let record = recording::made_here(session, &path, now);
        self.current = Some((session.id, recorder, record.clone()));
        Ok((started, record))
    }

    /// Stops the recording (if `session`'s, or any with `None`) and finishes its file.
    pub fn stop(&mut self, store: &Store, session: Option<Id>) -> Option<Result<String, String>> {
        if session.is_some() && self.current.as_ref().map(|(id, ..)| *id) != session {
            return None;
        }
        let (_, recorder, record) = self.current.take()?;
        let stopped = recorder.stop();
        let finished = recording::finish(store, &record);
        Some(match (stopped, finished) {
            (Ok(_), Ok(done)) => Ok(format!(
                "Recording stopped: {} kept with the session.",
                crate::domain::clock::format_duration_ms(done.duration_ms() as i64)
            )),
            (Err(e), _) => {
                Err(format!("The recording stopped with a problem: {e}; what reached the disk is kept."))
            }
            (_, Err(e)) => Err(format!("The recording could not be finished: {e}")),
        })
    }

    /// Why the recording failed, if it did.
    pub fn failure(&self) -> Option<String> {
        self.current.as_ref().and_then(|(_, r, _)| r.failure())
    }
}
