//! One logged line, its corrections, marks and the draft being typed.

use super::{DomainError, Id};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UtteranceKind {
    // JSON writes the word; backups before version 2 wrote the name.
    #[serde(rename = "speech", alias = "Speech")]
    Speech,
    #[serde(rename = "event", alias = "Event")]
    Event,
    #[serde(rename = "note", alias = "Note")]
    Note,
    #[serde(rename = "pause", alias = "Pause")]
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

impl Utterance {
    /// The line as every transcript shows it: events in brackets, notes and
    /// pauses in parentheses, so none reads as something said.
    pub fn shown(&self) -> String {
        let text = match self.kind {
            UtteranceKind::Speech => self.text.clone(),
            UtteranceKind::Event => format!("[{}]", self.text),
            UtteranceKind::Note => format!("(note) {}", self.text),
            UtteranceKind::Pause => match self.text.as_str() {
                "" => "(pause)".to_string(),
                length if length.parse::<f64>().is_ok() => format!("(pause {length} s)"),
                length => format!("(pause {length})"),
            },
        };
        if self.deleted {
            format!("(deleted) {text}")
        } else {
            text
        }
    }
}

/// A pause's length as typed before the pause key: seconds (`8`, `8s`, `2.5`)
/// or minutes and seconds (`1:30`); nothing for a pause of no stated length.
pub fn pause_length(typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    let seconds = typed.strip_suffix('s').unwrap_or(typed).trim();
    let minutes = typed
        .split_once(':')
        .filter(|(m, s)| m.parse::<u32>().is_ok() && s.len() == 2 && s.parse::<u32>().is_ok_and(|s| s < 60));
    if typed.is_empty() || minutes.is_some() {
        Ok(typed.to_string())
    } else if seconds.parse::<f64>().is_ok_and(|s| s.is_finite() && s >= 0.0) {
        Ok(seconds.to_string())
    } else {
        Err(format!(
            "{typed:?} is no pause length: type seconds (8) or minutes:seconds (1:30) before the pause key, or save the line first"
        ))
    }
}

/// A mark's word as typed before the mark key: a word or two to find it by,
/// never a line (that would read as something said).
pub fn mark_word(typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    if typed.split_whitespace().count() <= 3 && typed.chars().count() <= 30 {
        Ok(typed.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        Err("A mark takes a word or two (30 characters at most): save the line first with Enter, then mark it".into())
    }
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
