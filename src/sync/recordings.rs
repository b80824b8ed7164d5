//! Recordings' sound through the sync folder. A change record carries a
//! recording's record, not its sound: each laptop puts a copy of every
//! recording its study keeps into `DIR/recordings/`, written once (a file
//! beside it, synced, renamed), and takes from there the sound of each
//! recording it has the record of and not the file, keeping it only if its
//! SHA-256 is the recording's. In an encrypted study the copy is the
//! study's sealed file as it is, named with the laptop whose key sealed it
//! (teammates derive that key from the laptop's change file). A linked
//! recording stays a link: its file is where its laptop said, not here.

use crate::domain::{Id, Kept, Recording};
use crate::store::{files, FileKey, Store, StoreError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const FOLDER: &str = "recordings";

/// The copy's name in the folder.
fn name(recording: &Recording, sealed: bool, laptop: Id) -> String {
    let extension = recording.extension();
    if sealed {
        format!("{}.{laptop}.{extension}.sealed", recording.sha256)
    } else {
        format!("{}.{extension}", recording.sha256)
    }
}

fn copied(store: &Store) -> Result<Vec<(Recording, bool)>, StoreError> {
    Ok(store
        .recordings()?
        .into_iter()
        .filter(|r| !r.sha256.is_empty())
        .filter_map(|r| match r.kept {
            Kept::Copied { sealed, .. } => Some((r, sealed)),
            Kept::Linked { .. } => None,
        })
        .collect())
}

/// Puts a copy of each recording this study keeps, and the folder lacks,
/// into the folder. Returns how many were put there.
pub fn send(store: &Store, dir: &Path, me: Id) -> std::io::Result<usize> {
    let folder = dir.join(FOLDER);
    let mut sent = 0;
    for (recording, sealed) in copied(store).map_err(std::io::Error::other)? {
        let target = folder.join(name(&recording, sealed, me));
        let Some(source) = store.kept_recording_path(&recording).filter(|p| p.is_file()) else { continue };
        if target.exists() {
            continue;
        }
        files::create_private_dir(&folder)?;
        let mut input = std::fs::File::open(&source)?;
        files::replace_with(&target, |output| std::io::copy(&mut input, output).map(|_| ()))?;
        sent += 1;
    }
    Ok(sent)
}

/// Takes from the folder the sound of each recording this study has the
/// record of and not the file (`keys`: each teammate's study key, from their
/// change file, for sealed copies). Returns how many were taken, and notes
/// why any was left for a later sync.
pub fn fetch(
    store: &Store,
    dir: &Path,
    keys: &HashMap<Id, FileKey>,
    waiting: &mut Vec<String>,
) -> Result<usize, StoreError> {
    let folder = dir.join(FOLDER);
    let mut taken = 0;
    for (recording, sealed) in copied(store)? {
        if store.kept_recording_path(&recording).is_some_and(|p| p.is_file()) {
            continue;
        }
        let which = format!("the recording of session {} ({})", recording.session.short(), recording.name);
        if sealed != store.is_encrypted() {
            waiting.push(format!(
                "{which} is kept {} on a teammate's laptop and this study is {}: its sound was not taken",
                if sealed { "sealed" } else { "plain" },
                if sealed { "not encrypted" } else { "encrypted" }
            ));
            continue;
        }
        // Not there yet, or (sealed) its laptop's change file not read yet: a later sync takes it.
        let Some((source, key)) = copy_in_folder(&folder, &recording, sealed, keys) else { continue };
        if store.take_recording_file(&recording, &source, key)? {
            taken += 1;
        } else {
            waiting.push(format!(
                "{which}: the copy in {} is not the recording's (its SHA-256 differs): it was left alone",
                source.display()
            ));
        }
    }
    Ok(taken)
}

/// The SHA-256 of the recordings of a case's sessions, before a purge.
pub fn of_case(store: &Store, purged: &crate::domain::PurgedCase) -> Result<Vec<String>, StoreError> {
    let sessions: Vec<Id> = store
        .sessions()?
        .into_iter()
        .filter(|s| purged.cases.contains(&s.case_id) || purged.sessions.contains(&s.id))
        .map(|s| s.id)
        .collect();
    Ok(store
        .recordings()?
        .into_iter()
        .filter(|r| sessions.contains(&r.session) && !r.sha256.is_empty())
        .map(|r| r.sha256)
        .collect())
}

/// Removes the copies of a purged case's recordings from the folder (the
/// sound is the case's as much as its words are).
pub fn forget(dir: &Path, sha256s: &[String]) -> std::io::Result<()> {
    let folder = dir.join(FOLDER);
    let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(()) };
    let mut removed = false;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if sha256s.iter().any(|sha| name.starts_with(&format!("{sha}."))) {
            std::fs::remove_file(entry.path())?;
            removed = true;
        }
    }
    if removed {
        files::sync_dir(&folder)?;
    }
    Ok(())
}

/// A copy of `recording` in the folder, and the key it is sealed with.
fn copy_in_folder<'k>(
    folder: &Path,
    recording: &Recording,
    sealed: bool,
    keys: &'k HashMap<Id, FileKey>,
) -> Option<(PathBuf, Option<&'k FileKey>)> {
    if !sealed {
        let path = folder.join(name(recording, false, Id::from_bytes([0; 16])));
        return path.is_file().then_some((path, None));
    }
    let suffix = format!(".{}.sealed", recording.extension());
    for entry in std::fs::read_dir(folder).ok()?.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(laptop) = file
            .strip_prefix(&format!("{}.", recording.sha256))
            .and_then(|rest| rest.strip_suffix(&suffix))
            .and_then(|id| id.parse::<Id>().ok())
        else {
            continue;
        };
        if let Some(key) = keys.get(&laptop) {
            return Some((entry.path(), Some(key)));
        }
    }
    None
}
