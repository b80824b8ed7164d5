//! Bringing in one record of a teammate's change file with merge's rules.
//! Each changed record's versions say how it stands to ours: made from
//! ours (taken), ours made from it (left out), or neither (a conflict that
//! merge settles, the same way on every laptop). The records and how far
//! the file has been read are stored in one commit: a crash brings in the
//! record again next time, whole.

use super::outgoing::versions;
use super::record::ChangeRecord;
use crate::domain::{Id, Lineage, TeamKey, TeamValue};
use crate::export::json;
use crate::import::lineage::{Relation, Relations};
use crate::import::merge::{merge_related, MergeReport};
use crate::store::{Change, Store, StoreError};
use std::collections::HashMap;

fn exchanged_change(name: &str, lineage: &Lineage) -> Change {
    Change::Team { key: TeamKey::exchanged(name), value: Some(TeamValue::Exchanged(lineage.clone())) }
}

/// Brings in `record`, read from `laptop`'s file up to byte `end` (`crc`:
/// the CRC-32 of the file's bytes up to there), and keeps
/// `exchanged` (what this store last exchanged of each record) in step.
pub fn bring_in(
    store: &Store,
    record: ChangeRecord,
    laptop: Id,
    end: u64,
    crc: u32,
    exchanged: &mut HashMap<String, Lineage>,
) -> Result<MergeReport, StoreError> {
    let mut relations = Relations::default();
    for name in &record.context {
        if exchanged.contains_key(name) {
            relations.set(name.clone(), Relation::OursReplacesTheirs);
        }
    }
    let mut settled = Vec::new();
    let mut conflicting = Vec::new();
    for (name, theirs) in &record.lineage {
        match exchanged.get(name) {
            None => settled.push((name.clone(), theirs.clone())),
            Some(ours) if ours.version == theirs.version => {
                let mut both = ours.clone();
                both.absorb(theirs.replaces.iter().copied());
                settled.push((name.clone(), both));
            }
            Some(ours) if theirs.replaces(ours.version) => {
                relations.set(name.clone(), Relation::TheirsReplacesOurs);
                let mut taken = theirs.clone();
                taken.absorb(ours.replaces.iter().copied());
                settled.push((name.clone(), taken));
            }
            Some(ours) if ours.replaces(theirs.version) => {
                relations.set(name.clone(), Relation::OursReplacesTheirs);
            }
            Some(ours) => {
                // Whatever merge keeps replaces both.
                let mut both = Lineage { version: 0, replaces: Vec::new() };
                both.absorb(ours.replaces.iter().chain(&theirs.replaces).copied());
                both.absorb([ours.version, theirs.version]);
                conflicting.push((name.clone(), both));
            }
        }
    }
    let (mut changes, report) = merge_related(store, record.study, &relations)?;
    let read = TeamValue::ReadThrough { end, crc };
    changes.push(Change::Team { key: TeamKey::read_up_to(laptop), value: Some(read) });
    for (name, lineage) in &settled {
        changes.push(exchanged_change(name, lineage));
        exchanged.insert(name.clone(), lineage.clone());
    }
    store.commit(&changes)?;
    if !conflicting.is_empty() {
        // The versions merge kept, read back: known only now.
        let now: HashMap<String, u64> =
            versions(&json::backup(store)?).into_iter().map(|v| (v.name, v.version)).collect();
        let mut changes = Vec::new();
        for (name, mut lineage) in conflicting {
            let Some(&version) = now.get(&name) else { continue };
            lineage.version = version;
            lineage.absorb([]);
            changes.push(exchanged_change(&name, &lineage));
            exchanged.insert(name, lineage);
        }
        store.commit(&changes)?;
    }
    Ok(report)
}
