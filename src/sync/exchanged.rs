//! What this laptop last exchanged of each record (its version and the
//! versions it replaces), read from the team tree as a sync asks for it:
//! a sync that looks at a few records reads only theirs, not the tens of
//! thousands a large study has.

use super::incoming::UNSENT;
use crate::domain::{Lineage, TeamKey, TeamValue};
use crate::store::{Store, StoreError};
use std::collections::HashMap;

pub struct Exchanged<'a> {
    store: &'a Store,
    /// Read or written so far (`None`: read, and never exchanged).
    known: HashMap<String, Option<Lineage>>,
    /// Every record's is in `known`.
    whole: bool,
    /// A settled conflict waits to be sent on.
    pub unsent: bool,
}

impl<'a> Exchanged<'a> {
    pub fn new(store: &'a Store) -> Exchanged<'a> {
        Exchanged { store, known: HashMap::new(), whole: false, unsent: false }
    }

    /// Reads every record's at once (one scan), before looking at the whole study.
    pub fn read_all(&mut self) -> Result<(), StoreError> {
        if self.whole {
            return Ok(());
        }
        let prefix = TeamKey::exchanged("");
        for (key, value) in self.store.team_values(&prefix)? {
            if let TeamValue::Exchanged(lineage) = value {
                self.known.entry(key[prefix.len()..].to_string()).or_insert(Some(lineage));
            }
        }
        self.whole = true;
        Ok(())
    }

    pub fn get(&mut self, name: &str) -> Result<Option<Lineage>, StoreError> {
        if let Some(known) = self.known.get(name) {
            return Ok(known.clone());
        }
        if self.whole {
            return Ok(None);
        }
        let found = match self.store.team(&TeamKey::exchanged(name))? {
            Some(TeamValue::Exchanged(lineage)) => Some(lineage),
            _ => None,
        };
        self.known.insert(name.to_string(), found.clone());
        Ok(found)
    }

    /// Notes what was exchanged (the caller stores it).
    pub fn insert(&mut self, name: String, lineage: Lineage) {
        self.unsent |= lineage.version == UNSENT;
        self.known.insert(name, Some(lineage));
    }
}
