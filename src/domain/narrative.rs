//! A short narrative: a span of consecutive lines of one session, with a
//! title (its point), codes, a memo, author and time.

use super::Id;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    pub id: Id,
    pub session: Id,
    /// The span, by the lines' stable numbers within the session (inclusive).
    pub first_seq: u32,
    pub last_seq: u32,
    pub title: String,
    pub codes: Vec<Id>,
    pub memo: String,
    pub author: String,
    pub created: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    /// Deletion is a tombstone, never an erase.
    pub deleted: bool,
}

impl Narrative {
    pub fn covers(&self, seq: u32) -> bool {
        (self.first_seq..=self.last_seq).contains(&seq)
    }
}

/// A mark made live that the researcher has looked at and let go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkDismissal {
    pub session: Id,
    pub seq: u32,
    pub at: DateTime<FixedOffset>,
}

/// Who is writing: `FIELDLOG_AUTHOR`, else the login name.
pub fn author_from_env() -> String {
    ["FIELDLOG_AUTHOR", "USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|a| a.trim().to_string())
        .find(|a| !a.is_empty())
        .unwrap_or_else(|| "researcher".to_string())
}
