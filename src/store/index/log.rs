//! The index's log, `search.log`: every write to lines or narratives since
//! the index file was built, appended (never synced) after the write is in
//! sled, so the index follows the store across processes without being
//! rebuilt.
//!
//! Each record names the store's search stamp before and after its batch
//! (a random id every batch that touches lines or narratives writes into
//! sled with it), so a record missing anywhere breaks the chain from the
//! index file's stamp to the store's, and the index is built again. Values
//! are kept as stored: sealed in an encrypted study.
//!
//! `[HEADER]` then records `[MAGIC][payload length: u32 LE][CRC of payload: u32 LE][payload]`.

use crate::store::files;
use crate::store::journal::Op;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

pub const FILE_NAME: &str = "search.log";
/// Where a build writes the log that goes with its new index file.
pub const BUILDING: &str = "search.log.new";
const HEADER: &[u8; 8] = b"FLSLOG1\n";
const MAGIC: &[u8; 4] = b"FLS1";
/// The most one record may claim to hold.
const RECORD_LIMIT: usize = 256 << 20;

pub type Stamp = [u8; 16];

/// One batch's writes to the searched trees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub from: Option<Stamp>,
    pub to: Stamp,
    pub ops: Vec<Op>,
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<RECORD_LIMIT>()
}

/// A record as written: the same encoding as `Delta`, its ops borrowed.
#[derive(Serialize)]
pub struct DeltaRef<'a> {
    pub from: Option<Stamp>,
    pub to: Stamp,
    pub ops: Vec<&'a Op>,
}

impl Delta {
    pub fn as_ref(&self) -> DeltaRef<'_> {
        DeltaRef { from: self.from, to: self.to, ops: self.ops.iter().collect() }
    }
}

/// Appends one framed record for `delta` to `out`.
pub fn frame(delta: &DeltaRef, out: &mut Vec<u8>) {
    let payload = bincode::serde::encode_to_vec(delta, config()).expect("encoding into a Vec cannot fail");
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
}

/// Opens the log for appending, creating it (private) with its header if need be.
pub fn open_append(dir: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(dir.join(FILE_NAME))?;
    if file.metadata()?.len() == 0 {
        file.write_all(HEADER)?;
    }
    Ok(file)
}

/// Writes a new log holding `deltas` beside its place (renamed into it by `place`).
pub fn write_new(dir: &Path, deltas: &[Delta]) -> std::io::Result<()> {
    let path = dir.join(BUILDING);
    let _ = std::fs::remove_file(&path);
    let mut bytes = HEADER.to_vec();
    for delta in deltas {
        frame(&delta.as_ref(), &mut bytes);
    }
    files::create_private(&path)?.write_all(&bytes)
}

/// Every record in a log's bytes, or what is wrong with them. A log is
/// trusted whole or not at all: a torn or damaged record anywhere means a
/// write it held may be missing, so the index is built again.
pub fn parse(bytes: &[u8]) -> Result<Vec<Delta>, String> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let body = bytes.strip_prefix(HEADER).ok_or("its log has no header")?;
    let mut deltas = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let damaged = || format!("its log is damaged or cut short at byte {}", HEADER.len() + at);
        let head = body.get(at..at + 12).ok_or_else(damaged)?;
        if &head[..4] != MAGIC {
            return Err(damaged());
        }
        let len = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes")) as usize;
        let sum = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
        let payload = body.get(at + 12..at + 12 + len).ok_or_else(damaged)?;
        if crc32fast::hash(payload) != sum {
            return Err(damaged());
        }
        let (delta, used) = bincode::serde::decode_from_slice(payload, config()).map_err(|_| damaged())?;
        if used != len {
            return Err(damaged());
        }
        deltas.push(delta);
        at += 12 + len;
    }
    Ok(deltas)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(from: Option<u8>, to: u8) -> Delta {
        let op = Op { tree: 0, key: vec![to; 20], value: Some(b"tekst".to_vec()) };
        Delta { from: from.map(|f| [f; 16]), to: [to; 16], ops: vec![op] }
    }

    #[test]
    fn records_read_back_and_any_damage_refuses_the_whole_log() {
        let mut bytes = HEADER.to_vec();
        frame(&delta(None, 1).as_ref(), &mut bytes);
        frame(&delta(Some(1), 2).as_ref(), &mut bytes);
        assert_eq!(parse(&bytes).unwrap(), vec![delta(None, 1), delta(Some(1), 2)]);
        assert!(parse(&bytes[..bytes.len() - 1]).is_err(), "a torn record");
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert!(parse(&flipped).is_err(), "a flipped byte");
        let mut zeros = bytes.clone();
        zeros.extend_from_slice(&[0; 40]);
        assert!(parse(&zeros).is_err(), "space allocated, never written");
        assert!(parse(&bytes[8..]).is_err(), "no header");
        assert_eq!(parse(&[]).unwrap(), vec![]);
    }
}
