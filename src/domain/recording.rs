//! A session's recording: the file it is kept in and what it is; the
//! speakers' consent to being recorded; and lines re-timed by ear.

use super::{Id, Session};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kept {
    /// A copy in the store's `recordings` folder (sealed in an encrypted study).
    #[serde(rename = "copied")]
    Copied { file: String, sealed: bool },
    /// The file where it is, by its absolute path.
    #[serde(rename = "linked")]
    Linked { path: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    pub session: Id,
    /// The file's name as it was attached (or made).
    pub name: String,
    pub kept: Kept,
    /// The codec it was decoded with (`mp3`, `aac`, `pcm_s16le`…).
    pub codec: String,
    pub frames: u64,
    pub sample_rate: u32,
    pub channels: u16,
    pub bytes: u64,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    pub attached: DateTime<FixedOffset>,
    /// Recorded in fieldlog (its start time is then exact).
    pub made_here: bool,
}

impl Recording {
    pub fn duration_ms(&self) -> u64 {
        self.frames * 1000 / u64::from(self.sample_rate.max(1))
    }

    /// The file's extension, lower case (`wav`, `mp3`…).
    pub fn extension(&self) -> String {
        std::path::Path::new(&self.name)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    }

    /// One line about it: `interview.m4a, 58:12, aac 48 kHz mono, copied into the study`.
    pub fn describe(&self) -> String {
        let kept = match &self.kept {
            Kept::Copied { sealed: true, .. } => "copied into the study, sealed".to_string(),
            Kept::Copied { .. } => "copied into the study".to_string(),
            Kept::Linked { path } => format!("linked at {path}"),
        };
        let channels = match self.channels {
            1 => "mono".to_string(),
            2 => "stereo".to_string(),
            n => format!("{n} channels"),
        };
        format!(
            "{}, {}, {} {} kHz {channels}, {kept}",
            self.name,
            super::clock::format_duration_ms(self.duration_ms() as i64),
            self.codec,
            f64::from(self.sample_rate) / 1000.0
        )
    }
}

/// The speakers of a session who agreed to be recorded, as noted by the researcher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub session: Id,
    /// Speaker labels.
    pub speakers: Vec<String>,
    pub noted: DateTime<FixedOffset>,
}

impl Consent {
    /// The session's speakers whose consent is not noted.
    pub fn missing(consent: Option<&Consent>, session: &Session) -> Vec<String> {
        session
            .speakers
            .iter()
            .map(|s| s.label.clone())
            .filter(|label| !consent.is_some_and(|c| c.speakers.contains(label)))
            .collect()
    }
}

/// A line given the moment it was heard to begin in the recording; the
/// time it was typed at is kept here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retiming {
    pub session: Id,
    pub seq: u32,
    /// The line's onset before.
    pub was: DateTime<FixedOffset>,
    /// Where it begins in the recording now, in ms.
    pub recording_ms: i64,
    pub at: DateTime<FixedOffset>,
}

/// Where a recording begins on the session's clock: `offset_ms` after the
/// session started (before it, when negative).
pub fn start_at(session: &Session, offset_ms: i64) -> DateTime<FixedOffset> {
    session.clock.started + chrono::Duration::milliseconds(offset_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Role, SessionKind, Speaker};

    #[test]
    fn consent_is_missing_for_every_speaker_not_noted() {
        let now = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        let speakers = vec![
            Speaker { key: 1, label: "P".into(), role: Role::Participant },
            Speaker { key: 2, label: "SB".into(), role: Role::Caseworker },
        ];
        let session = Session::new(Id::new(), SessionKind::Interview, 1, "jobcenter", speakers, now);
        assert_eq!(Consent::missing(None, &session), vec!["P", "SB"]);
        let some = Consent { session: session.id, speakers: vec!["SB".into()], noted: now };
        assert_eq!(Consent::missing(Some(&some), &session), vec!["P"]);
    }
}
