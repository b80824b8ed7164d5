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

/// Who is writing: `FIELDLOG_AUTHOR`, else the login name (from the
/// environment, else from the system's user database).
pub fn author_from_env() -> String {
    ["FIELDLOG_AUTHOR", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|a| a.trim().to_string())
        .find(|a| !a.is_empty())
        .or_else(login_name)
        .unwrap_or_else(|| "researcher".to_string())
}

/// The name the system knows the running user by, whatever the environment says.
#[cfg(unix)]
fn login_name() -> Option<String> {
    let mut record: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    let mut buffer = vec![0 as libc::c_char; 4096];
    // SAFETY: getpwuid_r writes only into `record` and `buffer`, whose sizes it
    // is given; `pw_name` points into `buffer`, read before it is dropped.
    let status = unsafe {
        libc::getpwuid_r(libc::getuid(), &mut record, buffer.as_mut_ptr(), buffer.len(), &mut found)
    };
    if status != 0 || found.is_null() || record.pw_name.is_null() {
        return None;
    }
    // SAFETY: a non-null `pw_name` from a successful call is a NUL-terminated string in `buffer`.
    let name = unsafe { std::ffi::CStr::from_ptr(record.pw_name) };
    Some(name.to_string_lossy().trim().to_string()).filter(|n| !n.is_empty())
}

#[cfg(not(unix))]
fn login_name() -> Option<String> {
    None
}
