//! The real fsync behind "saved": sled's `flush()` on Linux only calls
//! `sync_file_range`, which leaves the drive cache and file metadata unsynced.

use std::fs::File;
use std::path::{Path, PathBuf};

pub struct Syncer {
    data: File,
    blobs: PathBuf,
    dir: PathBuf,
}

impl Syncer {
    /// Also syncs sled's `conf` and its directory entries once: sled writes
    /// the conf when it makes a store and never syncs it, and an empty conf
    /// after a power cut makes sled misread every page (found by power cuts).
    pub fn new(sled_dir: &Path) -> std::io::Result<Syncer> {
        let conf = sled_dir.join("conf");
        if conf.exists() {
            File::open(&conf)?.sync_all()?;
        }
        super::files::sync_dir(sled_dir)?;
        Ok(Syncer {
            data: File::open(sled_dir.join("db"))?,
            blobs: sled_dir.join("blobs"),
            dir: sled_dir.to_path_buf(),
        })
    }

    /// Call after sled's flush: syncs its log file and any large values it
    /// wrote as separate blob files (sled writes those without any sync).
    pub fn sync(&self) -> std::io::Result<()> {
        self.data.sync_data()?;
        if let Ok(entries) = std::fs::read_dir(&self.blobs) {
            let mut any = false;
            for entry in entries.flatten() {
                // sled may remove a blob it no longer needs while we look.
                match File::open(entry.path()) {
                    Ok(blob) => blob.sync_data()?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                any = true;
            }
            if any {
                File::open(&self.blobs)?.sync_all()?;
            }
        }
        // sled renames snapshots into place; their entries must survive too.
        super::files::sync_dir(&self.dir)
    }
}
