//! Which version of a record replaces which, where that is known: a sync
//! knows the history of what it exchanges, a backup file does not. Merge
//! asks this before treating two differing versions as a conflict.

use crate::domain::{CaseCode, Id};
use serde::Serialize;
use std::collections::HashMap;

/// How the version of a record arriving stands to ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Neither was made from the other: merge's conflict rules decide.
    Concurrent,
    /// Theirs was made from ours (or from a later one): it is taken, no conflict.
    TheirsReplacesOurs,
    /// Ours was made from theirs: theirs is old news and left out.
    OursReplacesTheirs,
}

/// Relations by record name (`record::*`); a record not named is concurrent.
#[derive(Debug, Default)]
pub struct Relations {
    known: HashMap<String, Relation>,
    /// Whether two concurrent versions are settled alike on every laptop
    /// (a sync: each laptop meets the conflict from its own side and all
    /// must end the same), or with this store's version first (a backup
    /// merged once: what is here is kept where the two differ).
    settle_alike: bool,
}

impl Relations {
    /// The relations a sync knows: conflicts settled alike on every laptop.
    pub fn settled_alike() -> Relations {
        Relations { known: HashMap::new(), settle_alike: true }
    }

    pub fn set(&mut self, record: String, relation: Relation) {
        self.known.insert(record, relation);
    }

    pub fn of(&self, record: &str) -> Relation {
        self.known.get(record).copied().unwrap_or(Relation::Concurrent)
    }

    pub fn settles_alike(&self) -> bool {
        self.settle_alike
    }

    /// Whether, of two concurrent versions of a record, ours leads (its
    /// order and its values where the two differ). In a sync the one whose
    /// version is the greater leads, whichever side it is on, so that every
    /// laptop settles the conflict alike.
    pub fn ours_leads<T: Serialize>(&self, ours: &T, theirs: &T) -> bool {
        !self.settle_alike || version(ours) >= version(theirs)
    }
}

/// A version of a value: a 64-bit FNV-1a hash of its JSON form, the same
/// on every laptop and in every later fieldlog that writes the value alike.
pub fn version<T: Serialize>(value: &T) -> u64 {
    fnv1a(&serde_json::to_vec(value).expect("study values always serialise"))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// The names of the records whose versions a sync follows.
pub mod record {
    use super::{CaseCode, Id};

    /// The study's one-value records.
    pub const CODEBOOK: &str = "codebook";
    pub const VARIABLES: &str = "variables";
    pub const EFFORT_KINDS: &str = "effort-kinds";
    pub const MASKS: &str = "masks";

    /// Cases are one case on every laptop when their codes are the same.
    pub fn case(code: &CaseCode) -> String {
        format!("case/{code}")
    }
    pub fn session(id: Id) -> String {
        format!("session/{id}")
    }
    pub fn line(session: Id, seq: u32) -> String {
        format!("line/{session}/{seq}")
    }
    pub fn narrative(id: Id) -> String {
        format!("narrative/{id}")
    }
    pub fn effort(id: Id) -> String {
        format!("effort/{id}")
    }
    pub fn link(id: Id) -> String {
        format!("link/{id}")
    }
    pub fn blind(session: Id) -> String {
        format!("blind/{session}")
    }
    pub fn recording(session: Id) -> String {
        format!("recording/{session}")
    }
    pub fn consent(session: Id) -> String {
        format!("consent/{session}")
    }
    pub const CONTACT_PLAN: &str = "contact-plan";
    pub fn ledger(case: Id) -> String {
        format!("ledger/{case}")
    }
    pub fn narrated(narrative: Id) -> String {
        format!("narrated/{narrative}")
    }
    pub fn recruitment(id: Id) -> String {
        format!("recruitment/{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_differ_with_the_value_and_not_between_runs() {
        assert_eq!(version(&"hej"), version(&"hej"));
        assert_ne!(version(&"hej"), version(&"hej!"));
        // The published FNV-1a test vectors: fixed, so laptops agree.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn an_unnamed_record_is_concurrent() {
        let mut r = Relations::default();
        r.set(record::narrative(Id::from_bytes([1; 16])), Relation::TheirsReplacesOurs);
        assert_eq!(r.of(&record::narrative(Id::from_bytes([1; 16]))), Relation::TheirsReplacesOurs);
        assert_eq!(r.of(&record::narrative(Id::from_bytes([2; 16]))), Relation::Concurrent);
    }
}
