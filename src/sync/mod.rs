//! `fieldlog sync DIR`: a team keeps one study in step through a folder
//! that a sync tool they already run replicates (Syncthing, Nextcloud, a
//! university drive). Each laptop appends what it changed to its own change
//! file there (`file`), never touching another's, then brings in what is
//! new in every other laptop's file (`incoming`) with merge's rules.

mod exchanged;
pub mod file;
pub mod git;
mod incoming;
pub mod outgoing;
pub mod purge;
pub mod record;
pub mod recordings;

use crate::domain::{Id, TeamKey, TeamValue};
use crate::import::merge::MergeReport;
use crate::store::{files, Change, FileKey, Store, StoreError};
use file::{Header, Resume, Teammate};
use outgoing::Looked;
use record::ChangeRecord;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What went wrong, in words a user understands; nothing half-done is stored.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the sync folder {0} does not exist or is not a folder: make it (or let your sync tool make it) first")]
    NoFolder(PathBuf),
    #[error("{path}: {cause}")]
    File { path: PathBuf, cause: String },
}

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// This laptop's change file.
    pub own_file: PathBuf,
    /// Records this laptop wrote to its file, and the records of the study in them.
    pub written: usize,
    pub records_sent: usize,
    /// Records brought in, and from how many laptops.
    pub records_read: usize,
    pub laptops: usize,
    pub merged: MergeReport,
    /// Files read only in part, or not at all, and why: finished next time.
    pub waiting: Vec<String>,
    /// Cases purged on a teammate's laptop (or here, by a purge that did
    /// not finish) that this study still holds: to be erased (`purge::erase`).
    pub purges_due: Vec<purge::Note>,
    /// Purged cases whose records this sync took out of this laptop's change file.
    pub cleaned: Vec<String>,
    /// Recordings' sound put into the folder, and taken from it.
    pub recordings_sent: usize,
    pub recordings_taken: usize,
}

/// The suffix of change files in the sync folder.
pub const SUFFIX: &str = "changes";

/// This store's laptop id, if it has synced.
pub fn laptop_id(store: &Store) -> Result<Option<Id>, StoreError> {
    Ok(match store.team(TeamKey::LAPTOP)? {
        Some(TeamValue::Laptop(id)) => Some(id),
        _ => None,
    })
}

/// This laptop's change file in `dir`.
pub fn own_file(dir: &Path, laptop: Id) -> PathBuf {
    dir.join(format!("{laptop}.{SUFFIX}"))
}

/// The sync folder this laptop last synced through, if it did.
pub fn last_folder(store: &Store) -> Result<Option<PathBuf>, StoreError> {
    Ok(match store.team(TeamKey::FOLDER)? {
        Some(TeamValue::Folder(path)) => Some(PathBuf::from(path)),
        _ => None,
    })
}

/// This store's laptop id, made on its first sync.
fn laptop(store: &Store) -> Result<Id, StoreError> {
    if let Some(TeamValue::Laptop(id)) = store.team(TeamKey::LAPTOP)? {
        return Ok(id);
    }
    let id = Id::new();
    store.commit(&[Change::Team { key: TeamKey::LAPTOP.into(), value: Some(TeamValue::Laptop(id)) }])?;
    Ok(id)
}

/// Writes this laptop's changes to its file in `dir`, then brings in every
/// other laptop's new records. `passphrase` opens teammates' sealed files.
pub fn sync(
    store: &Store,
    dir: &Path,
    passphrase: Option<&str>,
    author: &str,
) -> Result<SyncReport, SyncError> {
    if !dir.is_dir() {
        return Err(SyncError::NoFolder(dir.to_path_buf()));
    }
    let me = laptop(store)?;
    let own = own_file(dir, me);
    if let Ok(folder) = std::fs::canonicalize(dir) {
        let folder = folder.to_string_lossy().into_owned();
        if last_folder(store)?.is_none_or(|known| known.to_string_lossy() != folder) {
            store.commit(&[Change::Team {
                key: TeamKey::FOLDER.into(),
                value: Some(TeamValue::Folder(folder)),
            }])?;
        }
    }
    let mut notes = purge::notes(store)?;
    let key = store.file_key()?;
    let header = Header::for_key(key.as_ref());
    let mut report = SyncReport { own_file: own.clone(), ..SyncReport::default() };
    let file_error = |path: &Path, e: std::io::Error| SyncError::File {
        path: path.to_path_buf(),
        cause: files::cause(&e),
    };

    // A folder that holds nothing of ours yet gets the whole study; so does
    // one whose copy of our file lost records we wrote (a sync tool put an
    // older copy back): what they held is sent again.
    let written = match store.team(&TeamKey::read_up_to(me))? {
        Some(TeamValue::ReadUpTo(end)) => end,
        _ => 0,
    };
    let whole_end = match file::scan(&own, written) {
        Ok(Some(scan)) if matches!(scan.header, Ok(Some(_))) => scan.whole,
        _ => 0,
    };
    let everything = whole_end == 0 || whole_end < written;
    let mut exchanged = exchanged::Exchanged::new(store);
    // The sound before the records that name it, so a teammate finds it sooner.
    report.recordings_sent =
        recordings::send(store, dir, me).map_err(|e| file_error(&dir.join(recordings::FOLDER), e))?;
    let outgoing = Outgoing { store, own: &own, header: &header, key: key.as_ref(), me, author };
    // What changed since the last sync, as the store marked it; the whole
    // study the first time (marks are kept from then on) or for a new folder.
    let marked = store.team(TeamKey::CHANGES_MARKED)?.is_some();
    let marks = store.sync_marks()?;
    let looked =
        if everything || !marked { Looked::Whole { send_all: everything } } else { Looked::Marked(&marks) };
    outgoing.send(&mut exchanged, looked, &mut notes, &mut report)?;
    store.clear_sync_marks(&marks)?;
    if !marked {
        store.commit(&[Change::Team {
            key: TeamKey::CHANGES_MARKED.into(),
            value: Some(TeamValue::ChangesMarked),
        }])?;
    }

    let mut theirs: Vec<(Id, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| file_error(dir, e))?
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let name = path.file_name()?.to_str()?;
            let id: Id = name.strip_suffix(&format!(".{SUFFIX}"))?.parse().ok()?;
            (id != me).then_some((id, path))
        })
        .collect();
    theirs.sort();
    let mut keys: HashMap<(Vec<u8>, Vec<u8>), FileKey> = HashMap::new();
    // Each laptop's study key, for its sealed recordings (this one's too).
    let mut laptop_keys: HashMap<Id, FileKey> = key.iter().map(|k| (me, k.clone())).collect();
    for (laptop, path) in theirs {
        let shown = path.display();
        let resume = match store.team(&TeamKey::read_up_to(laptop))? {
            Some(TeamValue::ReadThroughTail { end, crc }) => Resume::Tail { end, crc },
            Some(TeamValue::ReadThrough { end, crc }) => Resume::Prefix { end, crc },
            _ => Resume::Start,
        };
        let (header, records, stopped) =
            match file::read_teammate(&path, resume).map_err(|e| file_error(&path, e))? {
                Teammate::Read { header, records, stopped } => (header, records, stopped),
                Teammate::HeaderNotWhole => {
                    report.waiting.push(format!("{shown}: its header has not arrived whole yet"));
                    continue;
                }
                Teammate::NotAChangeFile(why) => {
                    report.waiting.push(format!("{shown} was left alone: {why}"));
                    continue;
                }
            };
        let key = match header {
            Header::Plain => None,
            Header::Sealed { salt, check } => {
                let Some(passphrase) = passphrase else {
                    report.waiting.push(format!(
                        "{shown} is sealed with a study key and this study has no passphrase: it was left alone"
                    ));
                    continue;
                };
                let known = (salt.clone(), check.clone());
                if !keys.contains_key(&known) {
                    match FileKey::derive(passphrase, &salt, &check) {
                        Ok(k) => keys.insert(known.clone(), k),
                        Err(_) => {
                            report.waiting.push(format!(
                                "{shown} is sealed with another passphrase than this study's: it was left alone"
                            ));
                            continue;
                        }
                    };
                }
                keys.get(&known).cloned()
            }
        };
        if let Some(key) = &key {
            laptop_keys.insert(laptop, key.clone());
        }
        let mut took = 0;
        for (body, end, crc) in records {
            let mut record = match ChangeRecord::from_body(&body, key.as_ref()) {
                Ok(record) => record,
                Err(why) => {
                    report.waiting.push(format!("{shown}: {why}; it was read up to there"));
                    break;
                }
            };
            // A teammate's purge: noted before the record's own changes, so
            // nothing of the case is brought in from here on.
            let mut noted = Vec::new();
            for purged in std::mem::take(&mut record.purged) {
                if !notes.iter().any(|n| n.purged.code == purged.code && n.purged.cases == purged.cases) {
                    // A case this study never held has nothing here to erase.
                    let held = purged.cases.iter().map(|id| store.case(*id)).chain(
                        crate::domain::CaseCode::parse(&purged.code)
                            .ok()
                            .map(|code| store.case_by_code(&code)),
                    );
                    let mut erased_here = true;
                    for case in held {
                        erased_here &= case?.is_none();
                    }
                    let note = purge::Note { purged, erased_here, sent: true, own_file_cleaned: false };
                    noted.push(note.change());
                    notes.push(note);
                }
            }
            if !noted.is_empty() {
                store.commit(&noted)?;
            }
            let purged: Vec<_> = notes.iter().map(|n| n.purged.clone()).collect();
            purge::strip_record(&mut record, &purged);
            let merged = incoming::bring_in(store, record, laptop, end, crc, &mut exchanged)?;
            add(&mut report.merged, merged);
            took += 1;
        }
        if let Some(why) = stopped {
            report.waiting.push(format!("{shown}: {why}; the rest is read on the next sync"));
        }
        report.records_read += took;
        report.laptops += usize::from(took > 0);
    }
    report.recordings_taken = recordings::fetch(store, dir, &laptop_keys, &mut report.waiting)?;
    // What conflicts settled to goes out now, not a sync later: a teammate
    // that settled them otherwise (having met other versions) comes round sooner.
    // (A settled conflict marks its record for this, changed here or not.)
    if exchanged.unsent {
        let marks = store.sync_marks()?;
        outgoing.send(&mut exchanged, Looked::Marked(&marks), &mut notes, &mut report)?;
        store.clear_sync_marks(&marks)?;
    }
    // This laptop's own file no longer holds a purged case's records.
    if notes.iter().any(|n| !n.own_file_cleaned) {
        let purged: Vec<_> = notes.iter().map(|n| n.purged.clone()).collect();
        let end = purge::clean_own_file(&own, key.as_ref(), &purged).map_err(|e| file_error(&own, e))?;
        let mut changes = Vec::new();
        if let Some(end) = end {
            changes
                .push(Change::Team { key: TeamKey::read_up_to(me), value: Some(TeamValue::ReadUpTo(end)) });
        }
        for note in notes.iter_mut().filter(|n| !n.own_file_cleaned) {
            note.own_file_cleaned = true;
            report.cleaned.push(note.purged.code.clone());
            changes.push(note.change());
        }
        store.commit(&changes)?;
    }
    report.purges_due = notes.into_iter().filter(|n| !n.erased_here).collect();
    Ok(report)
}

/// The records whose value differs from what this laptop last exchanged
/// of them, found by reading the whole study: what the next sync must
/// send. For checks (a sync reads only what the store marked as changed).
pub fn unsent(store: &Store) -> Result<Vec<String>, StoreError> {
    let mut exchanged = exchanged::Exchanged::new(store);
    exchanged.read_all()?;
    let mut study = crate::export::json::backup(store)?;
    let purged: Vec<_> = purge::notes(store)?.into_iter().map(|n| n.purged).collect();
    purge::strip(&mut study, &purged);
    let mut out = Vec::new();
    for v in outgoing::versions(&study) {
        if exchanged.get(&v.name)?.is_none_or(|l| l.version != v.version) {
            out.push(v.name);
        }
    }
    Ok(out)
}

/// Where and as whom this laptop writes its changes.
struct Outgoing<'a> {
    store: &'a Store,
    own: &'a Path,
    header: &'a Header,
    key: Option<&'a FileKey>,
    me: Id,
    author: &'a str,
}

impl Outgoing<'_> {
    /// Appends what changed since it was last exchanged, among the records
    /// `looked` at, to this laptop's file.
    /// Purges this laptop made go with the first record, once.
    fn send(
        &self,
        exchanged: &mut exchanged::Exchanged,
        looked: Looked,
        notes: &mut [purge::Note],
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let store = self.store;
        let purged: Vec<_> = notes.iter().map(|n| n.purged.clone()).collect();
        let unsent: Vec<_> = notes.iter().filter(|n| !n.sent).map(|n| n.purged.clone()).collect();
        let mut outgoing =
            outgoing::changes(store, exchanged, looked, &purged, !unsent.is_empty(), self.me, self.author)?;
        let mut noted = Vec::new();
        if let Some(first) = outgoing.records.first_mut() {
            first.purged = unsent;
            for note in notes.iter_mut().filter(|n| !n.sent) {
                note.sent = true;
                noted.push(note.change());
            }
        }
        if !outgoing.records.is_empty() {
            let bodies: Vec<Vec<u8>> = outgoing.records.iter().map(|r| r.to_body(self.key)).collect();
            let written = match store.team(&TeamKey::read_up_to(self.me))? {
                Some(TeamValue::ReadUpTo(end)) => end,
                _ => 0,
            };
            let end = file::append(self.own, self.header, &bodies, written)
                .map_err(|e| SyncError::File { path: self.own.to_path_buf(), cause: files::cause(&e) })?;
            noted.push(Change::Team {
                key: TeamKey::read_up_to(self.me),
                value: Some(TeamValue::ReadUpTo(end)),
            });
            report.written += bodies.len();
            report.records_sent += outgoing.records.iter().map(|r| r.lineage.len()).sum::<usize>();
        }
        // Only once the records are on disk: a crash before this sends it again, which changes nothing.
        noted.extend(outgoing.exchanged.iter().map(|(name, l)| Change::Team {
            key: TeamKey::exchanged(name),
            value: Some(TeamValue::Exchanged(l.clone())),
        }));
        if !noted.is_empty() {
            store.commit(&noted)?;
        }
        exchanged.unsent = false;
        for (name, lineage) in outgoing.exchanged {
            exchanged.insert(name, lineage);
        }
        Ok(())
    }
}

fn add(sum: &mut MergeReport, one: MergeReport) {
    sum.cases += one.cases;
    sum.sessions += one.sessions;
    sum.lines += one.lines;
    sum.narratives += one.narratives;
    sum.codes += one.codes;
    sum.efforts += one.efforts;
    sum.links += one.links;
    sum.conflicts.extend(one.conflicts);
}
