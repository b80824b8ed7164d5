//! Bringing in one record of a teammate's change file with merge's rules.
//! Each changed record's versions say how it stands to ours: made from
//! ours (taken), ours made from it (left out), or neither (a conflict that
//! merge settles, the same way on every laptop). What a conflict settled
//! to is sent on as replacing both, so that laptops which met the
//! conflicting versions in other orders still end alike. The records and
//! how far the file has been read are stored in one commit: a crash brings
//! in the record again next time, whole.

use super::exchanged::Exchanged;
use super::record::ChangeRecord;
use crate::domain::{Id, Lineage, TeamKey, TeamValue};
use crate::import::lineage::{Relation, Relations};
use crate::import::merge::{merge_related, MergeReport};
use crate::store::{Change, Store, StoreError};

fn exchanged_change(name: &str, lineage: &Lineage) -> Change {
    Change::Team { key: TeamKey::exchanged(name), value: Some(TeamValue::Exchanged(lineage.clone())) }
}

/// Brings in `record`, read from `laptop`'s file up to byte `end` (`crc`:
/// the CRC-32 of the `file::TAIL` bytes before it), and keeps
/// `exchanged` (what this store last exchanged of each record) in step.
/// A settled conflict leaves its record marked to be sent (`UNSENT`).
pub fn bring_in(
    store: &Store,
    record: ChangeRecord,
    laptop: Id,
    end: u64,
    crc: u32,
    exchanged: &mut Exchanged,
) -> Result<MergeReport, StoreError> {
    let mut relations = Relations::settled_alike();
    for name in &record.context {
        if exchanged.get(name)?.is_some() {
            relations.set(name.clone(), Relation::OursReplacesTheirs);
        }
    }
    let mut settled = Vec::new();
    let mut conflicting = Vec::new();
    for (name, theirs) in &record.lineage {
        match exchanged.get(name)? {
            None => settled.push((name.clone(), theirs.clone())),
            Some(ours) if ours.version == theirs.version => {
                let mut both = ours.clone();
                both.absorb(theirs.replaces.iter().copied());
                settled.push((name.clone(), both));
            }
            // Each replacing the other: two laptops settled a conflict
            // differently, having met other versions; settled again here.
            Some(ours) if theirs.replaces(ours.version) && !ours.replaces(theirs.version) => {
                relations.set(name.clone(), Relation::TheirsReplacesOurs);
                let mut taken = theirs.clone();
                taken.absorb(ours.replaces.iter().copied());
                settled.push((name.clone(), taken));
            }
            Some(ours) if ours.replaces(theirs.version) && !theirs.replaces(ours.version) => {
                relations.set(name.clone(), Relation::OursReplacesTheirs);
            }
            Some(ours) => {
                // Whatever merge keeps replaces both, and is sent on.
                let mut both = Lineage { version: UNSENT, replaces: Vec::new() };
                both.absorb(ours.replaces.iter().chain(&theirs.replaces).copied());
                both.absorb([ours.version, theirs.version]);
                conflicting.push((name.clone(), both));
            }
        }
    }
    let (mut changes, report) = merge_related(store, record.study, &relations)?;
    let read = TeamValue::ReadThroughTail { end, crc };
    changes.push(Change::Team { key: TeamKey::read_up_to(laptop), value: Some(read) });
    for (name, lineage) in settled.iter().chain(&conflicting) {
        changes.push(exchanged_change(name, lineage));
        exchanged.insert(name.clone(), lineage.clone());
    }
    store.commit(&changes)?;
    Ok(report)
}

/// See `Lineage::UNSENT`.
pub const UNSENT: u64 = Lineage::UNSENT;
