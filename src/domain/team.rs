//! What a team working on one study keeps beside the study itself: this
//! laptop's name in the shared sync folder, how far each other laptop's
//! change file has been read, what was last exchanged of each record (so a
//! sync sends only what changed and knows which versions a version replaces),
//! and which sessions are coded blind.

use super::{Id, Narrative};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Whether a session is coded blind: each coder then sees only their own
/// narratives in it (brackets, titles, codes, memos), on every screen and
/// in search, until the setting is turned off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlindSetting {
    pub session: Id,
    pub on: bool,
}

/// Whether `author` must not see `narrative`: it is another coder's, in a blind session.
pub fn hidden_from(narrative: &Narrative, blind: &HashSet<Id>, author: &str) -> bool {
    narrative.author != author && blind.contains(&narrative.session)
}

/// One value of the team tree, under a key that says what it is about
/// (see `TeamKey`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamValue {
    /// This store's own change file in the sync folder is named by this id.
    Laptop(Id),
    /// Bytes of another laptop's change file already brought in (whole records only).
    ReadUpTo(u64),
    /// The version of a record last written to or read from the sync folder
    /// (a hash of its value), and every earlier version it replaces.
    Exchanged(Lineage),
    /// Whether a session is coded blind.
    Blind(bool),
    /// Bytes of another laptop's change file brought in, and the CRC-32 of
    /// those bytes: a file that no longer starts so (replaced by another
    /// copy, or another folder's) is read again from its start.
    ReadThrough { end: u64, crc: u32 },
    /// A case erased by `case purge` here or on a teammate's laptop, and
    /// how far that erasure has gone on this laptop.
    Purged {
        purged: PurgedCase,
        /// The study here no longer holds it (the store was rewritten without it).
        erased_here: bool,
        /// This laptop's change file says so, for teammates to erase it too.
        sent: bool,
        /// This laptop's change file was rewritten without the case's records.
        own_file_cleaned: bool,
    },
    /// The sync folder this laptop last synced through: a purge cleans its
    /// change file there at once.
    Folder(String),
    /// Bytes of another laptop's change file brought in, and the CRC-32 of
    /// the 4,096 bytes before `end` (see `sync::file::TAIL`): a file that
    /// no longer holds them there is read again from its start.
    ReadThroughTail { end: u64, crc: u32 },
    /// Since this laptop's first sync, the store marks what changed
    /// (`store::sync_marks`): a sync reads only that.
    ChangesMarked,
}

/// A case erased from the study (`case purge`): what every laptop needs to
/// erase it too, and to keep it from coming back from older change files.
/// Ids only, and the case's pseudonymous code: no words of the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgedCase {
    pub code: String,
    /// The case's id on the laptop that purged it, and on others where it differs.
    pub cases: Vec<Id>,
    pub sessions: Vec<Id>,
    pub narratives: Vec<Id>,
}

/// A record's version and the versions it replaces, by hash of their values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    pub version: u64,
    /// Kept sorted, without repeats.
    pub replaces: Vec<u64>,
}

impl Lineage {
    /// The version of a record settled from a conflict and not yet sent on:
    /// never a value's version (a hash), so the next sync sends it.
    pub const UNSENT: u64 = 0;

    /// Adds versions this one replaces (never itself).
    pub fn absorb(&mut self, versions: impl IntoIterator<Item = u64>) {
        self.replaces.extend(versions);
        self.replaces.sort_unstable();
        self.replaces.dedup();
        let own = self.version;
        self.replaces.retain(|v| *v != own);
    }

    pub fn replaces(&self, version: u64) -> bool {
        self.replaces.binary_search(&version).is_ok()
    }
}

/// The keys of the team tree.
pub struct TeamKey;

impl TeamKey {
    pub const LAPTOP: &'static str = "laptop";

    pub fn read_up_to(laptop: Id) -> String {
        format!("read/{laptop}")
    }

    pub fn exchanged(record: &str) -> String {
        format!("exchanged/{record}")
    }

    pub fn blind(session: Id) -> String {
        format!("{}{session}", Self::blind_prefix())
    }

    pub fn blind_prefix() -> &'static str {
        "blind/"
    }

    pub const FOLDER: &'static str = "folder";
    pub const CHANGES_MARKED: &'static str = "changes-marked";
    pub const PURGED_PREFIX: &'static str = "purged/";

    pub fn purged(code: &str) -> String {
        format!("{}{code}", Self::PURGED_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lineage_never_replaces_itself_and_keeps_one_of_each() {
        let mut l = Lineage { version: 5, replaces: vec![] };
        l.absorb([3, 5, 1, 3]);
        assert_eq!(l.replaces, vec![1, 3]);
        assert!(l.replaces(3) && !l.replaces(5));
    }
}
