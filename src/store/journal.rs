//! The write-ahead journal behind "saved": each committed batch is appended
//! here and fsynced once, which is all a line waits for. sled gets the same
//! writes at once but syncs them only at checkpoints, after which the
//! journal is emptied; on open, whatever the journal still holds is
//! replayed. One fsync per line instead of sled's flush plus an fsync.
//!
//! A record is `[payload length: u32 LE][crc32 of payload: u32 LE][payload]`,
//! the payload a bincode list of `Op`s. A torn record at the end (a crash in
//! the middle of writing it) was never acknowledged and is dropped.

use super::envelope::decode_payload;
use super::StoreError;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

/// One key write: the tree it goes to, the key, and the value (`None` removes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub tree: u8,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

pub struct Journal {
    file: File,
    len: u64,
}

impl Journal {
    /// Opens the journal in `dir`, returning what it holds to be replayed.
    pub fn open(dir: &Path) -> Result<(Journal, Vec<Vec<Op>>), StoreError> {
        let io = |source| StoreError::Io { store: dir.to_path_buf(), source };
        let mut file =
            OpenOptions::new().read(true).append(true).create(true).open(dir.join("journal")).map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let records = parse(&bytes);
        // The journal's own directory entry must survive power loss too.
        File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        Ok((Journal { file, len: bytes.len() as u64 }, records))
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one record per batch; with `sync`, fsyncs once for all of them.
    pub fn append(&mut self, batches: &[&[Op]], sync: bool) -> std::io::Result<()> {
        let mut buffer = Vec::new();
        for ops in batches {
            let payload = bincode::serde::encode_to_vec(ops, bincode::config::standard())
                .expect("encoding into a Vec cannot fail");
            buffer.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            buffer.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
            buffer.extend_from_slice(&payload);
        }
        self.file.write_all(&buffer)?;
        if sync {
            self.file.sync_data()?;
        }
        self.len += buffer.len() as u64;
        Ok(())
    }

    /// Empties the journal once everything in it is durable in sled.
    pub fn clear(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.sync_all()?;
        self.len = 0;
        Ok(())
    }
}

/// The whole records in `bytes`, stopping at the first torn or damaged one.
fn parse(bytes: &[u8]) -> Vec<Vec<Op>> {
    let mut records = Vec::new();
    let mut at = 0;
    while bytes.len() >= at + 8 {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
        let Some(payload) = bytes.get(at + 8..at + 8 + len) else { break };
        if crc32fast::hash(payload) != crc {
            break;
        }
        match decode_payload::<Vec<Op>>("journal record", payload) {
            Ok(ops) => records.push(ops),
            Err(_) => break,
        }
        at += 8 + len;
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(n: u8) -> Op {
        Op { tree: 0, key: vec![n; 20], value: Some(format!("linje {n} æøå").into_bytes()) }
    }

    #[test]
    fn records_come_back_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (mut journal, replay) = Journal::open(dir.path()).unwrap();
        assert!(replay.is_empty());
        journal.append(&[&[op(1)], &[op(2), op(3)]], true).unwrap();
        journal.append(&[&[op(4)]], false).unwrap();
        drop(journal);
        let path = dir.path().join("journal");
        let full = std::fs::read(&path).unwrap();
        for cut in 0..full.len() {
            std::fs::write(&path, &full[..cut]).unwrap();
            let (_, records) = Journal::open(dir.path()).unwrap();
            let expected = [vec![op(1)], vec![op(2), op(3)], vec![op(4)]];
            let whole = records.len();
            assert_eq!(records, expected[..whole], "cut at {cut}");
        }
        std::fs::write(&path, &full).unwrap();
        let (mut journal, records) = Journal::open(dir.path()).unwrap();
        assert_eq!(records.len(), 3);
        journal.clear().unwrap();
        assert!(Journal::open(dir.path()).unwrap().1.is_empty());
    }

    #[test]
    fn a_damaged_record_ends_the_replay() {
        let dir = tempfile::tempdir().unwrap();
        let (mut journal, _) = Journal::open(dir.path()).unwrap();
        journal.append(&[&[op(1)], &[op(2)]], true).unwrap();
        drop(journal);
        let path = dir.path().join("journal");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(Journal::open(dir.path()).unwrap().1, vec![vec![op(1)]]);
    }
}
