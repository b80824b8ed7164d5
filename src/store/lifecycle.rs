//! A store's life on disk: made atomically (built beside its place and
//! renamed into it), opened only where one is, and rewritten whole (purge;
//! later compaction and migrations) under its lock, beside the old data,
//! swapped with a marker that every open either finishes or rolls back.
//!
//! A store directory holds `lock`, `store-format` (the mark that a store is
//! here), `journal` and `sled/`; during a rewrite also `sled.new`, `swap`
//! (sled.new is whole) and `sled.old`.

use super::{files, lock, Change, Store, StoreError, JOURNALED};
use std::path::{Path, PathBuf};

pub const MARK: &str = "store-format";
const MARK_TEXT: &[u8] = b"fieldlog store, format 1\n";
const SWAP: &str = "swap";

/// Whether `dir` holds a store (one made before the mark existed has sled's conf).
pub fn holds_store(dir: &Path) -> bool {
    dir.join(MARK).exists() || dir.join("sled").join("conf").exists()
}

fn file_error(path: &Path, doing: &str, e: std::io::Error) -> StoreError {
    StoreError::File { path: path.to_path_buf(), doing: doing.into(), cause: files::cause(&e) }
}

/// The error for a path that holds no store, naming a store an interrupted
/// purge of an older fieldlog may have left beside it.
fn no_store(dir: &Path) -> StoreError {
    let purged = dir.with_extension("purged");
    if holds_store(&purged) {
        return StoreError::NoStoreButPurged { store: dir.to_path_buf(), purged };
    }
    StoreError::NoStore(dir.to_path_buf())
}

/// Takes the lock of the store in `dir`, refusing a path that holds none.
pub fn lock_existing(dir: &Path) -> Result<std::fs::File, StoreError> {
    if !holds_store(dir) {
        return Err(no_store(dir));
    }
    lock::take(dir)
}

/// Writes the mark that a store is here (stores made before it get it on open).
pub fn mark(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(MARK);
    if path.exists() {
        return Ok(());
    }
    files::replace_synced(&path, MARK_TEXT).map_err(|e| file_error(&path, "write", e))
}

/// Finishes a swap that an earlier rewrite began, or rolls back one that
/// never got as far as its marker. Called with the lock held, before sled opens.
pub fn finish_or_roll_back(dir: &Path) -> Result<(), StoreError> {
    let (current, new, old, swap) =
        (dir.join("sled"), dir.join("sled.new"), dir.join("sled.old"), dir.join(SWAP));
    let stuck =
        |e: std::io::Error| StoreError::SwapStuck { store: dir.to_path_buf(), cause: files::cause(&e) };
    if swap.exists() {
        if new.exists() {
            if current.exists() {
                if old.exists() {
                    std::fs::remove_dir_all(&old).map_err(stuck)?;
                }
                std::fs::rename(&current, &old).map_err(stuck)?;
            }
            std::fs::rename(&new, &current).map_err(stuck)?;
            files::sync_dir(dir).map_err(stuck)?;
        }
        std::fs::remove_file(&swap).map_err(stuck)?;
        files::sync_dir(dir).map_err(stuck)?;
    } else if new.exists() {
        // A rewrite that stopped before its new data was whole: the old data stands.
        // (Leftovers that will not go are tried again at the next open.)
        let _ = std::fs::remove_dir_all(&new);
    }
    if !current.exists() && old.exists() {
        std::fs::rename(&old, &current).map_err(stuck)?;
        files::sync_dir(dir).map_err(stuck)?;
    }
    if old.exists() {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// A new store being built beside its place; dropped unplaced, it is removed.
pub struct Unplaced {
    store: Option<Store>,
    building: PathBuf,
    dir: PathBuf,
}

impl Unplaced {
    pub fn store(&self) -> &Store {
        self.store.as_ref().expect("an unplaced store is open until placed")
    }

    /// Makes everything durable and renames the store into its place.
    pub fn place(mut self) -> Result<Store, StoreError> {
        let mut store = self.store.take().expect("placed once");
        store.checkpoint()?;
        let cipher = store.cipher.clone();
        // The lock stays held through the rename, so that no other creation
        // takes this directory for a leftover and removes it.
        let lock = store.lock.take().expect("an open store holds its lock");
        drop(store);
        // Everything in it is on disk before its name is.
        files::sync_tree(&self.building).map_err(|e| file_error(&self.building, "sync", e))?;
        let parent = files::parent(&self.dir);
        std::fs::rename(&self.building, &self.dir).map_err(|e| file_error(&self.dir, "create", e))?;
        files::sync_dir(&parent).map_err(|e| file_error(&parent, "sync", e))?;
        Store::open_locked(&self.dir, lock, super::Key::Known(cipher))
    }
}

impl Drop for Unplaced {
    fn drop(&mut self) {
        self.store.take();
        let _ = std::fs::remove_dir_all(&self.building);
    }
}

/// Where a store for `dir` is built: beside it, named so a later creation
/// knows it for a leftover of an interrupted one.
fn building_prefix(dir: &Path) -> String {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.creating-")
}

/// Removes what interrupted creations of `dir` left beside it, unless a
/// creation is going on there now (its lock is held).
fn remove_leftovers(dir: &Path) {
    let parent = files::parent(dir);
    let prefix = building_prefix(dir);
    let Ok(entries) = std::fs::read_dir(&parent) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) && lock::take(&entry.path()).is_ok() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Starts a new store for `dir` in a directory beside it.
pub fn build(dir: &Path, passphrase: Option<&str>) -> Result<Unplaced, StoreError> {
    if holds_store(dir) {
        return Err(StoreError::StoreExists(dir.to_path_buf()));
    }
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(StoreError::NotAStore(dir.to_path_buf()));
        }
    }
    let parent = files::parent(dir);
    std::fs::create_dir_all(&parent).map_err(|e| file_error(&parent, "create", e))?;
    remove_leftovers(dir);
    let building = parent.join(format!("{}{}", building_prefix(dir), std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    files::create_private_dir(&building).map_err(|e| file_error(&building, "create", e))?;
    let mut unplaced = Unplaced { store: None, building: building.clone(), dir: dir.to_path_buf() };
    let lock = lock::take(&building)?;
    unplaced.store = Some(Store::open_new(&building, lock, passphrase)?);
    unplaced.store().search_begin();
    mark(&building)?;
    Ok(unplaced)
}

impl Store {
    /// Rewrites the whole store as `changes`: the new data is built beside
    /// the old under the lock this store holds, synced, then swapped in.
    pub fn rewrite(mut self, changes: &[Change]) -> Result<Store, StoreError> {
        self.checkpoint()?;
        let dir = self.dir.clone();
        let new = dir.join("sled.new");
        let io = |path: &Path, doing: &str| {
            let path = path.to_path_buf();
            let doing = doing.to_string();
            move |e: std::io::Error| StoreError::File { path, doing, cause: files::cause(&e) }
        };
        if new.exists() {
            std::fs::remove_dir_all(&new).map_err(io(&new, "remove"))?;
        }
        {
            let db = super::open_sled(&new, true)?;
            let meta = db.open_tree("meta")?;
            for item in self.sled.db.open_tree("meta")?.iter() {
                let (key, value) = item?;
                meta.insert(key, value)?;
            }
            let trees: Vec<sled::Tree> =
                JOURNALED.iter().map(|name| db.open_tree(name)).collect::<Result<_, _>>()?;
            for op in self.ops(changes) {
                let tree = &trees[usize::from(op.tree)];
                match op.value {
                    Some(value) => tree.insert(op.key, value)?,
                    None => tree.remove(op.key)?,
                };
            }
            db.flush()?;
            super::durable::Syncer::new(&new).and_then(|s| s.sync()).map_err(io(&new, "sync"))?;
        }
        files::sync_dir(&new).map_err(io(&new, "sync"))?;
        // The search index holds every word of the old data (a purged case's
        // too): it goes before the swap, and is built anew from the new data.
        super::search::remove_files(&dir).map_err(io(&dir, "remove the search index from"))?;
        let swap = dir.join(SWAP);
        // Written whole or not at all: a marker is what makes an open finish the swap.
        files::replace_synced(&swap, b"sled.new is whole: it replaces sled\n").map_err(io(&swap, "write"))?;
        // Copies of the journal kept aside hold what the rewrite leaves out.
        for entry in std::fs::read_dir(&dir).map_err(io(&dir, "read"))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(super::journal::DAMAGED_PREFIX) || name.starts_with(".journal.new-") {
                std::fs::remove_file(entry.path()).map_err(io(&entry.path(), "remove"))?;
            }
        }
        let (cipher, lock) = (self.cipher.clone(), self.lock.take().expect("an open store holds its lock"));
        drop(self);
        finish_or_roll_back(&dir)?;
        let store = Store::open_locked(&dir, lock, super::Key::Known(cipher))?;
        // A purged session's recording goes with it.
        store.remove_unattached_recordings()?;
        Ok(store)
    }
}

#[cfg(test)]
mod tests;
