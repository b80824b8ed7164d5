//! A study's key for files that leave the store: the sync change files a
//! teammate's laptop opens with the same passphrase.

use super::{crypt, StoreError};

/// A study's key for files that leave the store (see `Store::file_key`).
#[derive(Clone)]
pub struct FileKey {
    cipher: crypt::Cipher,
    /// What a reader derives the key from, with the passphrase.
    pub salt: Vec<u8>,
    /// Tells a reader whether its passphrase is the right one.
    pub check: Vec<u8>,
}

impl FileKey {
    /// The study's own key, with its salt and the check value a reader needs.
    pub(super) fn of_study(cipher: crypt::Cipher, salt: Vec<u8>) -> FileKey {
        let check = cipher.check_value();
        FileKey { cipher, salt, check }
    }

    /// The key of a file written with `salt`, from the passphrase; a wrong
    /// passphrase is refused by the file's check value.
    pub fn derive(passphrase: &str, salt: &[u8], check: &[u8]) -> Result<FileKey, StoreError> {
        let cipher = crypt::Cipher::derive(passphrase, salt)?;
        if !cipher.accepts(check) {
            return Err(StoreError::Crypt("the passphrase does not open this file".into()));
        }
        Ok(FileKey { cipher, salt: salt.to_vec(), check: check.to_vec() })
    }

    pub(super) fn cipher(&self) -> &crypt::Cipher {
        &self.cipher
    }

    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        self.cipher.seal(plain)
    }

    /// The plain bytes, or `None` if they were not sealed with this key.
    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        self.cipher.open(sealed)
    }
}
