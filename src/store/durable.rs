//! The real fsync behind "saved": sled's `flush()` on Linux only calls
//! `sync_file_range`, which leaves the drive cache and file metadata unsynced.

use std::fs::File;
use std::path::{Path, PathBuf};

pub struct Syncer {
    data: File,
    blobs: PathBuf,
}

impl Syncer {
    pub fn new(sled_dir: &Path) -> std::io::Result<Syncer> {
        Ok(Syncer { data: File::open(sled_dir.join("db"))?, blobs: sled_dir.join("blobs") })
    }

    /// Call after sled's flush: syncs its log file and any large values it
    /// wrote as separate blob files (sled writes those without any sync).
    pub fn sync(&self) -> std::io::Result<()> {
        self.data.sync_data()?;
        if let Ok(entries) = std::fs::read_dir(&self.blobs) {
            let mut any = false;
            for entry in entries.flatten() {
                File::open(entry.path())?.sync_data()?;
                any = true;
            }
            if any {
                File::open(&self.blobs)?.sync_all()?;
            }
        }
        Ok(())
    }
}
