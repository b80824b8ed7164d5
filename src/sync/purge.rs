//! A purged case through the sync folder. `case purge` erases a case here
//! and leaves a note of it (ids and the pseudonymous code only) in the team
//! tree; a sync sends the note to teammates, whose laptops erase the case
//! too, and a note keeps the case from coming back from older change files.
//! Each laptop rewrites its own change file without the case's records; a
//! laptop never edits another's file.

use super::file::{self, Header};
use super::outgoing::versions;
use super::record::ChangeRecord;
use crate::domain::{Case, PurgedCase, TeamKey, TeamValue};
use crate::export::json::{self, StudyExport};
use crate::store::{files, Change, FileKey, Store, StoreError};
use std::collections::BTreeSet;
use std::path::Path;

/// A purge note as the team tree keeps it.
#[derive(Clone, Debug)]
pub struct Note {
    pub purged: PurgedCase,
    pub erased_here: bool,
    pub sent: bool,
    pub own_file_cleaned: bool,
}

impl Note {
    pub fn change(&self) -> Change {
        Change::Team {
            key: TeamKey::purged(&self.purged.code),
            value: Some(TeamValue::Purged {
                purged: self.purged.clone(),
                erased_here: self.erased_here,
                sent: self.sent,
                own_file_cleaned: self.own_file_cleaned,
            }),
        }
    }
}

/// Every purge note this laptop holds.
pub fn notes(store: &Store) -> Result<Vec<Note>, StoreError> {
    Ok(store
        .team_values(TeamKey::PURGED_PREFIX)?
        .into_iter()
        .filter_map(|(_, value)| match value {
            TeamValue::Purged { purged, erased_here, sent, own_file_cleaned } => {
                Some(Note { purged, erased_here, sent, own_file_cleaned })
            }
            _ => None,
        })
        .collect())
}

/// Takes every purged case out of `study`: the case, its sessions with
/// their lines, its narratives, efforts, links, contact ledger, narrated
/// times, recruitment entry and mask terms. True if anything was taken.
pub fn strip(study: &mut StudyExport, purged: &[PurgedCase]) -> bool {
    if purged.is_empty() {
        return false;
    }
    let before = size(study);
    for p in purged {
        let case = |id: &crate::domain::Id| p.cases.contains(id);
        let session = |s: &crate::domain::Id| p.sessions.contains(s);
        study.cases.retain(|c| !case(&c.id));
        study.sessions.retain(|s| !case(&s.session.case_id) && !session(&s.session.id));
        study.narratives.retain(|n| !session(&n.session) && !p.narratives.contains(&n.id));
        study.efforts.retain(|e| !case(&e.case_id));
        study.links.retain(|l| !case(&l.case_id));
        study.contact_ledgers.retain(|l| !case(&l.case_id));
        study.narrated_times.retain(|t| !p.narratives.contains(&t.narrative));
        study.blind.retain(|b| !session(&b.session));
        // The recruitment entry under the case's code would name it still.
        study.recruitment.retain(|r| r.label.as_str() != p.code);
        if let Some(masks) = &mut study.masks {
            for id in &p.cases {
                masks.forget_case(*id);
            }
        }
    }
    size(study) != before
}

/// How many things a study holds, to tell whether `strip` took any.
fn size(study: &StudyExport) -> usize {
    let sessions: usize = study.sessions.iter().map(|s| 1 + s.utterances.len()).sum();
    study.cases.len()
        + sessions
        + study.narratives.len()
        + study.efforts.len()
        + study.links.len()
        + study.contact_ledgers.len()
        + study.narrated_times.len()
        + study.blind.len()
        + study.recruitment.len()
        + study.masks.as_ref().map_or(0, |m| m.terms.len())
}

/// Takes the purged cases out of a change record, and their names out of
/// its versions. True if anything was taken.
pub fn strip_record(record: &mut ChangeRecord, purged: &[PurgedCase]) -> bool {
    if !strip(&mut record.study, purged) {
        return false;
    }
    let left: BTreeSet<String> = versions(&record.study).into_iter().map(|v| v.name).collect();
    record.lineage.retain(|name, _| left.contains(name));
    record.context.retain(|name| left.contains(name));
    true
}

/// The note for purging `case` from this study.
pub fn note_for(store: &Store, case: &Case) -> Result<PurgedCase, StoreError> {
    let sessions: Vec<_> =
        store.sessions()?.into_iter().filter(|s| s.case_id == case.id).map(|s| s.id).collect();
    let narratives =
        store.all_narratives()?.into_iter().filter(|n| sessions.contains(&n.session)).map(|n| n.id).collect();
    Ok(PurgedCase { code: case.code.to_string(), cases: vec![case.id], sessions, narratives })
}

/// Erases the case of `note` from the study: the store is rewritten
/// without it (none of its text stays readable in the store files), its
/// team bookkeeping kept, less what named the case's records. Returns the
/// reopened store and how many sessions went.
pub fn erase(store: Store, mut note: Note) -> Result<(Store, usize), StoreError> {
    let mut study = json::backup(&store)?;
    // The case as this study knows it, if its id here is another one.
    if let Some(here) = study.cases.iter().find(|c| c.code.as_str() == note.purged.code) {
        if !note.purged.cases.contains(&here.id) {
            note.purged.cases.push(here.id);
        }
    }
    let sessions = study
        .sessions
        .iter()
        .filter(|s| {
            note.purged.cases.contains(&s.session.case_id) || note.purged.sessions.contains(&s.session.id)
        })
        .count();
    strip(&mut study, std::slice::from_ref(&note.purged));
    let kept: BTreeSet<String> = versions(&study).into_iter().map(|v| v.name).collect();
    let mut changes = json::changes(study);
    for (key, value) in store.team_values("")? {
        let keep = match &value {
            TeamValue::Blind(_) => false, // in the study's changes already
            TeamValue::Exchanged(_) => {
                key.strip_prefix(&TeamKey::exchanged("")).is_some_and(|name| kept.contains(name))
            }
            TeamValue::Purged { .. } => key != TeamKey::purged(&note.purged.code),
            _ => true,
        };
        if keep {
            changes.push(Change::Team { key, value: Some(value) });
        }
    }
    note.erased_here = true;
    changes.push(note.change());
    Ok((store.rewrite(&changes)?, sessions))
}

/// Rewrites this laptop's own change file without the purged cases'
/// records (atomically: a file beside it, synced, renamed over it, the
/// folder synced). A record left with nothing in it goes. Returns the new
/// length, or `None` if there is no file.
pub fn clean_own_file(
    path: &Path,
    key: Option<&FileKey>,
    purged: &[PurgedCase],
) -> std::io::Result<Option<u64>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let (header, header_len) = match Header::read(&bytes) {
        Ok(Some(found)) => found,
        // Not whole, or not ours to read: nothing of a case can be told in it.
        _ => return Ok(Some(bytes.len() as u64)),
    };
    if header != Header::for_key(key) {
        return Err(std::io::Error::other("this laptop's change file was written with another key or none"));
    }
    let mut bodies = Vec::new();
    for (body, _) in file::records(&bytes, header_len, 0).records {
        let Ok(mut record) = ChangeRecord::from_body(&body, key) else {
            bodies.push(body);
            continue;
        };
        if strip_record(&mut record, purged) {
            if record.lineage.is_empty() && record.purged.is_empty() {
                continue;
            }
            bodies.push(record.to_body(key));
        } else {
            bodies.push(body);
        }
    }
    let whole = file::whole(&header, &bodies);
    files::replace_synced(path, &whole)?;
    Ok(Some(whole.len() as u64))
}
