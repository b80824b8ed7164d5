//! Which parts of the study changed since this laptop last synced, so that
//! a sync reads only those: a mark per session whose lines, revisions,
//! recording or the session itself changed, and one for the rest of the
//! study (cases, narratives, the codebook, efforts…), which a sync reads
//! whole as it is small beside the lines. Marks are written with the
//! changes themselves, in the same journaled batch, and only in a study
//! that syncs (one with a laptop id): a study that never syncs writes
//! nothing more than before. A sync clears the marks it has read once
//! what it sent is on disk.

use super::journal::Op;
use super::{Change, Store, StoreError, SYNC_MARKS, TEAM};
use crate::domain::{Id, Lineage, TeamKey, TeamValue};
use std::collections::BTreeSet;

const STUDY: &[u8] = b"study";
const SESSION: u8 = b's';

/// The marks found at one moment.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncMarks {
    /// Something besides sessions' lines changed.
    pub study: bool,
    /// Sessions whose own records changed.
    pub sessions: BTreeSet<Id>,
}

impl SyncMarks {
    pub fn is_empty(&self) -> bool {
        !self.study && self.sessions.is_empty()
    }
}

/// The mark a change leaves, if any (drafts and sync bookkeeping leave none).
fn mark(change: &Change) -> Option<Vec<u8>> {
    let session = |id: Id| {
        let mut key = vec![SESSION];
        key.extend_from_slice(id.as_bytes());
        Some(key)
    };
    match change {
        Change::Utterance(u) => session(u.session),
        Change::Revision(r) => session(r.session),
        Change::Session(s) => session(s.id),
        Change::DismissMark(d) => session(d.session),
        Change::Recording(r) => session(r.session),
        Change::Consent(c) => session(c.session),
        Change::Retiming(t) => session(t.session),
        Change::Draft(_) | Change::ClearDraft(_) => None,
        Change::Team { key, .. } if key.starts_with(TeamKey::blind_prefix()) => Some(STUDY.to_vec()),
        // A conflict settled and to be sent on, though the value may not
        // have changed here: its record is looked at again.
        Change::Team { key, value: Some(TeamValue::Exchanged(l)) } if l.version == Lineage::UNSENT => {
            let name = key.strip_prefix(&TeamKey::exchanged("")).unwrap_or(key);
            let of_session = ["line/", "session/", "recording/", "consent/"]
                .iter()
                .find_map(|p| name.strip_prefix(p))
                .and_then(|rest| rest.split('/').next()?.parse::<Id>().ok());
            match of_session {
                Some(id) => session(id),
                None => Some(STUDY.to_vec()),
            }
        }
        Change::Team { .. } => None,
        _ => Some(STUDY.to_vec()),
    }
}

impl Store {
    /// The mark writes that go with `changes`, in a study that syncs.
    pub(super) fn sync_marks_of(&self, changes: &[Change]) -> Vec<Op> {
        // Read without waiting for a batch being applied: this runs while one may be.
        let team = &self.sled.journaled[usize::from(TEAM)];
        let syncs = matches!(team.contains_key(TeamKey::LAPTOP.as_bytes()), Ok(true))
            || changes.iter().any(|c| matches!(c, Change::Team { key, .. } if key == TeamKey::LAPTOP));
        if !syncs {
            return Vec::new();
        }
        let marks: BTreeSet<Vec<u8>> = changes.iter().filter_map(mark).collect();
        marks.into_iter().map(|key| Op { tree: SYNC_MARKS, key, value: Some(Vec::new()) }).collect()
    }

    /// The marks there are now.
    pub fn sync_marks(&self) -> Result<SyncMarks, StoreError> {
        let mut marks = SyncMarks::default();
        for item in self.tree(SYNC_MARKS).iter() {
            let (key, _) = item?;
            if key.as_ref() == STUDY {
                marks.study = true;
            } else if let Some(id) = key.strip_prefix(&[SESSION]).and_then(|b| <[u8; 16]>::try_from(b).ok()) {
                marks.sessions.insert(Id::from_bytes(id));
            }
        }
        Ok(marks)
    }

    /// Clears `marks` (read earlier): what they marked has been synced. Not
    /// journaled: a mark a crash brings back only has a sync look again.
    pub fn clear_sync_marks(&self, marks: &SyncMarks) -> Result<(), StoreError> {
        let tree = self.tree(SYNC_MARKS);
        if marks.study {
            tree.remove(STUDY)?;
        }
        for id in &marks.sessions {
            let mut key = vec![SESSION];
            key.extend_from_slice(id.as_bytes());
            tree.remove(key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_to_send_on_marks_its_records_session_or_the_study() {
        let session = Id::new();
        let to_send = |name: &str| Change::Team {
            key: TeamKey::exchanged(name),
            value: Some(TeamValue::Exchanged(Lineage { version: Lineage::UNSENT, replaces: vec![1, 2] })),
        };
        let mut of_session = vec![SESSION];
        of_session.extend_from_slice(session.as_bytes());
        assert_eq!(mark(&to_send(&format!("line/{session}/3"))), Some(of_session.clone()));
        assert_eq!(mark(&to_send(&format!("session/{session}"))), Some(of_session));
        assert_eq!(mark(&to_send("case/AA")), Some(STUDY.to_vec()));
        // What a sync notes of a record it sent or took marks nothing.
        let sent = Change::Team {
            key: TeamKey::exchanged("case/AA"),
            value: Some(TeamValue::Exchanged(Lineage { version: 7, replaces: vec![] })),
        };
        assert_eq!(mark(&sent), None);
    }
}
