//! What can go wrong with a store, in words a user understands.

use super::{files, STORE_FORMAT};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store at {store} is in use by another fieldlog{holder}; close it there first")]
    InUse { store: PathBuf, holder: String },
    #[error("the store at {store} was written by a newer fieldlog (store format {found}, this one reads up to {STORE_FORMAT}); nothing was changed")]
    NewerStore { store: PathBuf, found: u8 },
    #[error("a stored {what} has format version {version}, newer than this fieldlog understands")]
    NewerFormat { what: &'static str, version: u8 },
    #[error("a stored {what} could not be read ({reason})")]
    Corrupt { what: &'static str, reason: String },
    #[error("the {what} is no longer in the store")]
    Missing { what: &'static str },
    #[error("case {0} already exists")]
    CaseExists(String),
    #[error("cannot use the store at {}: {}", .store.display(), files::cause(.error))]
    Io { store: PathBuf, error: std::io::Error },
    #[error("could not {doing} {}: {cause}", .path.display())]
    File { path: PathBuf, doing: String, cause: String },
    #[error("{} cannot be written ({why}); free disk space or check the disk", .path.display())]
    NotSaving { path: PathBuf, why: String },
    #[error("there is no fieldlog store at {}: check the path, or create one with `fieldlog --store {} init`", .0.display(), .0.display())]
    NoStore(PathBuf),
    #[error("there is no fieldlog store at {}, but a store an interrupted purge left is at {}: move it back to {} and try again", .store.display(), .purged.display(), .store.display())]
    NoStoreButPurged { store: PathBuf, purged: PathBuf },
    #[error("there is already a fieldlog store at {}", .0.display())]
    StoreExists(PathBuf),
    #[error("{} holds other files and no fieldlog store: give a new or empty directory", .0.display())]
    NotAStore(PathBuf),
    #[error("the store at {} was being rewritten and could not be put back together ({cause}); its data is in sled, sled.new or sled.old there; only leftovers of the rewrite were removed", .store.display())]
    SwapStuck { store: PathBuf, cause: String },
    #[error("the store at {0} is encrypted: give its passphrase (FIELDLOG_PASSPHRASE, or at the prompt)")]
    Locked(PathBuf),
    #[error("the passphrase for the store at {0} is wrong; nothing was read or changed")]
    WrongPassphrase(PathBuf),
    #[error("encryption failed: {0}")]
    Crypt(String),
    #[error("the store's database failed: {0}")]
    Sled(String),
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Sled(match e {
            sled::Error::Io(e) => files::cause(&e),
            sled::Error::Corruption { at, .. } => match at {
                Some(at) => format!("its data file is damaged ({at})"),
                None => "its data file is damaged".into(),
            },
            sled::Error::CollectionNotFound(_) => "a part of it is missing".into(),
            sled::Error::Unsupported(what) | sled::Error::ReportableBug(what) => what,
        })
    }
}
