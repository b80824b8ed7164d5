//! Encryption at rest (opt-in, `fieldlog init --encrypt`): every stored
//! value is sealed with ChaCha20-Poly1305 under a key derived from the
//! passphrase with Argon2id. Without the passphrase no text is readable in
//! the store files; a wrong one is refused by a sealed check value.

use super::StoreError;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::ChaCha20Poly1305;

/// The first byte of a sealed value (value versions are small numbers).
pub const SEALED: u8 = 0xE1;
/// What the check value holds, sealed.
const CHECK: &[u8] = b"fieldlog passphrase check";

#[derive(Clone)]
pub struct Cipher(ChaCha20Poly1305);

impl Cipher {
    /// Derives the key from the passphrase and the store's salt.
    pub fn derive(passphrase: &str, salt: &[u8]) -> Result<Cipher, StoreError> {
        let mut key = [0u8; 32];
        argon2::Argon2::default()
            .hash_password_into(passphrase.as_bytes(), salt, &mut key)
            .map_err(|e| StoreError::Crypt(e.to_string()))?;
        let cipher = Cipher(ChaCha20Poly1305::new((&key).into()));
        key.fill(0);
        Ok(cipher)
    }

    /// A fresh random salt for a new encrypted store.
    pub fn new_salt() -> [u8; 16] {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let more = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut salt = [0u8; 16];
        salt[..12].copy_from_slice(&nonce);
        salt[12..].copy_from_slice(&more[..4]);
        salt
    }

    /// `[SEALED][nonce][ciphertext and tag]`.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.0.encrypt(&nonce, plain).expect("sealing into memory cannot fail");
        let mut out = Vec::with_capacity(1 + nonce.len() + sealed.len());
        out.push(SEALED);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The plain bytes, or `None` if the value was not sealed with this key.
    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let body = sealed.strip_prefix(&[SEALED])?;
        if body.len() < 12 {
            return None;
        }
        let (nonce, text) = body.split_at(12);
        self.0.decrypt(nonce.into(), text).ok()
    }

    pub fn check_value(&self) -> Vec<u8> {
        self.seal(CHECK)
    }

    pub fn accepts(&self, check: &[u8]) -> bool {
        self.open(check).as_deref() == Some(CHECK)
    }
}

/// The first bytes of a backup sealed with an encrypted study's key.
const BACKUP_MAGIC: &[u8] = b"fieldlog sealed backup 1\n";

/// Seals a backup: `[magic][salt][check length: u32 LE][check][sealed body]`,
/// so that it opens with the study's passphrase anywhere.
pub fn seal_backup(cipher: &Cipher, salt: &[u8], plain: &[u8]) -> Vec<u8> {
    let check = cipher.check_value();
    let mut out = BACKUP_MAGIC.to_vec();
    out.extend_from_slice(salt);
    out.extend_from_slice(&(check.len() as u32).to_le_bytes());
    out.extend_from_slice(&check);
    out.extend_from_slice(&cipher.seal(plain));
    out
}

pub fn is_sealed_backup(bytes: &[u8]) -> bool {
    bytes.starts_with(BACKUP_MAGIC)
}

/// The plain bytes of a sealed backup, given the passphrase it was sealed under.
pub fn open_backup(bytes: &[u8], passphrase: &str) -> Result<Vec<u8>, StoreError> {
    let damaged =
        || StoreError::Corrupt { what: "sealed backup", reason: "it is cut short or damaged".into() };
    let rest = bytes.strip_prefix(BACKUP_MAGIC).ok_or_else(damaged)?;
    let salt = rest.get(..16).ok_or_else(damaged)?;
    let len = u32::from_le_bytes(rest.get(16..20).ok_or_else(damaged)?.try_into().expect("4 bytes")) as usize;
    let check = rest.get(20..20 + len).ok_or_else(damaged)?;
    let body = rest.get(20 + len..).ok_or_else(damaged)?;
    let cipher = Cipher::derive(passphrase, salt)?;
    if !cipher.accepts(check) {
        return Err(StoreError::Crypt(
            "the passphrase does not open this backup; nothing was read or changed".into(),
        ));
    }
    cipher.open(body).ok_or_else(damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_passphrase() {
        let salt = Cipher::new_salt();
        let right = Cipher::derive("korrekt hest batteri", &salt).unwrap();
        let wrong = Cipher::derive("forkert", &salt).unwrap();
        let sealed = right.seal("Jeg ærgrer mig".as_bytes());
        assert!(!sealed.windows(5).any(|w| w == b"rgrer"));
        assert_eq!(right.open(&sealed).unwrap(), "Jeg ærgrer mig".as_bytes());
        assert!(wrong.open(&sealed).is_none());
        assert!(right.accepts(&right.check_value()) && !wrong.accepts(&right.check_value()));
    }

    #[test]
    fn a_sealed_backup_opens_with_its_passphrase_only() {
        let salt = Cipher::new_salt();
        let cipher = Cipher::derive("korrekt hest batteri", &salt).unwrap();
        let sealed = seal_backup(&cipher, &salt, "{\"tekst\": \"ærgrer\"}".as_bytes());
        assert!(is_sealed_backup(&sealed));
        assert!(!sealed.windows(5).any(|w| w == b"tekst"));
        assert_eq!(
            open_backup(&sealed, "korrekt hest batteri").unwrap(),
            "{\"tekst\": \"ærgrer\"}".as_bytes()
        );
        assert!(open_backup(&sealed, "forkert").is_err());
        assert!(open_backup(&sealed[..sealed.len() - 3], "korrekt hest batteri").is_err());
    }
}
