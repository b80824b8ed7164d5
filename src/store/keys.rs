//! Key layout: big-endian so sled's byte order is the order we scan in.

use crate::domain::Id;

/// A line's key: session id, then its sequence number.
pub fn line(session: Id, seq: u32) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..16].copy_from_slice(session.as_bytes());
    key[16..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// A revision's key: its line's key, then a time-ordered id so revisions keep their order.
pub fn revision(session: Id, seq: u32, ordinal: Id) -> [u8; 36] {
    let mut key = [0u8; 36];
    key[..20].copy_from_slice(&line(session, seq));
    key[20..].copy_from_slice(ordinal.as_bytes());
    key
}

/// The sequence number of a line key.
pub fn seq_of(key: &[u8]) -> u32 {
    key.get(16..20).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes).unwrap_or(0)
}

/// In the contacts tree: the study's plan, then per case and per narrative
/// a prefix and the id, so each kind scans by its prefix.
pub const CONTACT_PLAN: &[u8] = b"plan";
pub const LEDGER_PREFIX: &[u8] = b"case";
pub const NARRATED_PREFIX: &[u8] = b"told";

fn prefixed(prefix: &[u8], id: Id) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..4].copy_from_slice(prefix);
    key[4..].copy_from_slice(id.as_bytes());
    key
}

pub fn ledger(case: Id) -> [u8; 20] {
    prefixed(LEDGER_PREFIX, case)
}

pub fn narrated(narrative: Id) -> [u8; 20] {
    prefixed(NARRATED_PREFIX, narrative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_keys_sort_by_session_then_seq() {
        let s = Id::from_bytes([1; 16]);
        assert!(line(s, 2) < line(s, 10));
        assert!(line(s, 255) < line(s, 256));
        assert!(line(s, u32::MAX) < line(Id::from_bytes([2; 16]), 0));
        assert_eq!(seq_of(&line(s, 70_000)), 70_000);
    }
}
