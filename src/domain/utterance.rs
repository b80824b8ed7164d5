//! One logged line, its corrections, marks and the draft being typed.

use super::{DomainError, Id};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UtteranceKind {
    Speech,
    Event,
    Note,
    Pause,
}

impl UtteranceKind {
    pub const ALL: &'static [UtteranceKind] =
        &[UtteranceKind::Speech, UtteranceKind::Event, UtteranceKind::Note, UtteranceKind::Pause];
    pub fn word(self) -> &'static str {
        match self {
            UtteranceKind::Speech => "speech",
            UtteranceKind::Event => "event",
            UtteranceKind::Note => "note",
            UtteranceKind::Pause => "pause",
        }
    }
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim().to_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.word() == t)
            .ok_or_else(|| DomainError::BadUtteranceKind(text.to_string()))
    }
}

impl fmt::Display for UtteranceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub word: String,
    pub at: DateTime<FixedOffset>,
}

/// A line of a session. `(session, seq)` is its stable identity: corrections
/// keep the sequence number, so later references never detach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utterance {
    pub session: Id,
    /// 1-based line number within the session.
    pub seq: u32,
    pub speaker: String,
    pub kind: UtteranceKind,
    pub text: String,
    /// Wall time of the line's first keystroke: when the speaker began.
    pub onset: DateTime<FixedOffset>,
    /// Wall time at which Enter was pressed.
    pub committed: DateTime<FixedOffset>,
    /// Session-clock milliseconds at the onset.
    pub elapsed_ms: i64,
    pub mark: Option<Mark>,
    /// Deletion is a tombstone, never an erase.
    pub deleted: bool,
}

/// The text a line had before a correction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub session: Id,
    pub seq: u32,
    pub speaker: String,
    pub text: String,
    pub replaced: DateTime<FixedOffset>,
}

/// The line being typed, saved at short intervals so a crash gives it back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub session: Id,
    pub speaker: String,
    pub text: String,
    pub onset: Option<DateTime<FixedOffset>>,
    pub onset_elapsed_ms: i64,
}
