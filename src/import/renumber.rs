//! A case added under one code on two laptops before they synced is one
//! case afterwards, under the smaller of its two ids, on every laptop: the
//! laptop whose id gives way re-points its records of the case (sessions,
//! efforts, links, its contact ledger, mask terms) to the other id. Without
//! this each laptop kept its own id, and their versions of the case's
//! sessions were sent back and forth on every sync, never alike.

use crate::domain::contacts::ContactLedger;
use crate::domain::{Effort, Id, Link, MaskList, Session};
use crate::store::{Change, Store, StoreError};
use std::collections::HashMap;

/// This study's case ids that give way, each to the id it becomes.
#[derive(Debug, Default)]
pub struct Renumbered(HashMap<Id, Id>);

impl Renumbered {
    pub fn insert(&mut self, old: Id, new: Id) {
        self.0.insert(old, new);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn id(&self, case: Id) -> Id {
        self.0.get(&case).copied().unwrap_or(case)
    }

    /// The id a case had here before it became `new`, if it had another.
    pub fn old_of(&self, new: Id) -> Option<Id> {
        self.0.iter().find(|(_, n)| **n == new).map(|(old, _)| *old)
    }

    pub fn session(&self, session: Session) -> Session {
        Session { case_id: self.id(session.case_id), ..session }
    }

    pub fn effort(&self, effort: Effort) -> Effort {
        Effort { case_id: self.id(effort.case_id), ..effort }
    }

    pub fn link(&self, link: Link) -> Link {
        Link { case_id: self.id(link.case_id), ..link }
    }

    pub fn masks(&self, mut masks: MaskList) -> MaskList {
        for term in &mut masks.terms {
            term.case = term.case.map(|c| self.id(c));
        }
        masks
    }

    /// This study's records that name a case id that gives way, re-pointed:
    /// written before what the merge decides, which may replace them.
    pub fn rewrites(&self, store: &Store) -> Result<Vec<Change>, StoreError> {
        let mut changes = Vec::new();
        if self.is_empty() {
            return Ok(changes);
        }
        let gives_way = |case: Id| self.0.contains_key(&case);
        for s in store.sessions()?.into_iter().filter(|s| gives_way(s.case_id)) {
            changes.push(Change::Session(self.session(s)));
        }
        for e in store.efforts()?.into_iter().filter(|e| gives_way(e.case_id)) {
            changes.push(Change::Effort(self.effort(e)));
        }
        for l in store.links()?.into_iter().filter(|l| gives_way(l.case_id)) {
            changes.push(Change::Link(self.link(l)));
        }
        for (old, new) in &self.0 {
            if let Some(ledger) = store.contact_ledger(*old)? {
                changes.push(Change::RemoveContactLedger(*old));
                changes.push(Change::ContactLedger(ContactLedger { case_id: *new, ..ledger }));
            }
        }
        let masks = store.mask_list()?;
        let moved = self.masks(masks.clone());
        if moved != masks {
            changes.push(Change::MaskList(moved));
        }
        Ok(changes)
    }
}
