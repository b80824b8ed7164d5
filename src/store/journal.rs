//! The write-ahead journal behind "saved": each committed batch is appended
//! here and fsynced once, which is all a line waits for. sled gets the same
//! writes after that and syncs them only at checkpoints, after which the
//! journal is emptied; on open, whatever the journal still holds is
//! replayed.
//!
//! The journal never lies. After a failed write the file is cut back to its
//! last good length and synced before anything else is accepted; after a
//! failed fsync the file is never trusted again: the records it holds (kept
//! in memory too) are written whole into a new file, synced and renamed over
//! it. Until that succeeds nothing more is accepted.
//!
//! The file starts with `HEADER`; each record is
//! `[MAGIC][payload length: u32 LE][crc32 of length and payload: u32 LE][payload]`,
//! the payload a bincode list of `Op`s. The magic lets whole records after
//! a damaged one be found again. A torn record at the end (a crash while it
//! was written) was never acknowledged and is dropped; damage anywhere else
//! is kept aside in a file of its own and reported, never skipped in silence.

use super::envelope::decode_payload;
use super::files;
use super::StoreError;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One key write: the tree it goes to, the key, and the value (`None` removes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub tree: u8,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// The first bytes of a journal in this framing (older journals have none).
const HEADER: &[u8; 8] = b"FLJRNL2\n";
const MAGIC: &[u8; 4] = b"FLR2";
const FRAME: usize = 12;
pub const FILE_NAME: &str = "journal";
/// A journal longer than this is written anew at a checkpoint with only
/// what sled does not yet hold durably, even when that costs a rewrite.
const COMPACT_AT: usize = 8 << 20;
/// Damaged journals are kept aside under this prefix, for `check` to report.
pub const DAMAGED_PREFIX: &str = "journal.damaged-";

/// What opening the journal found besides its whole records.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// Unreadable stretches (offset, length) before the last whole record.
    pub damaged: Vec<(usize, usize)>,
    /// Bytes of a record left unfinished at the end: never acknowledged.
    pub torn_tail: usize,
    /// Where the damaged journal was kept, if it was.
    pub kept_aside: Option<PathBuf>,
}

impl Findings {
    /// One sentence on what was damaged and done, or `None` when nothing was.
    pub fn damage_report(&self) -> Option<String> {
        if self.damaged.is_empty() {
            return None;
        }
        let bytes: usize = self.damaged.iter().map(|(_, len)| len).sum();
        let kept =
            self.kept_aside.as_ref().map_or(String::new(), |p| format!("; it was kept at {}", p.display()));
        Some(format!(
            "the journal had {} damaged stretch(es), {bytes} bytes in all, first at byte {}: every whole record around them was replayed, the damaged bytes could not be read{kept}",
            self.damaged.len(),
            self.damaged[0].0
        ))
    }
}

pub struct Journal {
    path: PathBuf,
    file: File,
    /// Every byte the file holds since it was last emptied, header included:
    /// what a rewrite writes again when the file can no longer be trusted.
    contents: Vec<u8>,
    /// Where the last checkpoint's mark was: the journal up to here is durable in sled.
    checkpointed: usize,
    /// Why the file is not trusted (a failed fsync, or a failed cut-back):
    /// the next append first writes the journal anew.
    untrusted: Option<String>,
    /// Successful fsyncs of appended records, so tests can see each one.
    pub syncs: u64,
    /// Failures to inject, each taken by the next call it names: always
    /// empty but in tests of what a failed write or sync leaves behind.
    pub faults: Vec<Fault>,
}

/// A failure a test can inject into the journal's next call of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Half the bytes are written, then the disk is full.
    Write,
    Sync,
    CutBack,
    Rewrite,
}

impl Journal {
    /// Fails with an injected error if a test asked for one here.
    fn injected(&mut self, fault: Fault) -> std::io::Result<()> {
        match self.faults.iter().position(|f| *f == fault) {
            Some(i) => {
                self.faults.remove(i);
                Err(std::io::Error::from_raw_os_error(if fault == Fault::Write {
                    libc::ENOSPC
                } else {
                    libc::EIO
                }))
            }
            None => Ok(()),
        }
    }
}

/// Frames one record: the batches of one append, saved all or none.
fn frame(batches: &[&[Op]], into: &mut Vec<u8>) {
    let payload = bincode::serde::encode_to_vec(batches, bincode::config::standard())
        .expect("encoding into a Vec cannot fail");
    let len = (payload.len() as u32).to_le_bytes();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&len);
    crc.update(&payload);
    into.extend_from_slice(MAGIC);
    into.extend_from_slice(&len);
    into.extend_from_slice(&crc.finalize().to_le_bytes());
    into.extend_from_slice(&payload);
}

fn io(path: &Path, doing: &str, e: std::io::Error) -> StoreError {
    StoreError::File { path: path.to_path_buf(), doing: doing.to_string(), cause: files::cause(&e) }
}

impl Journal {
    /// Opens the journal in `dir`: returns it with the whole records it holds
    /// (to be replayed) and what else was found. A torn tail is cut off; a
    /// damaged journal is kept aside and written anew with its whole records.
    pub fn open(dir: &Path) -> Result<(Journal, Vec<Vec<Op>>, Findings), StoreError> {
        let path = dir.join(FILE_NAME);
        // A rewrite cut short by a crash leaves its temporary file; the store's
        // lock is held here, so no rewrite of another process is under way.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(".journal.new-") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(&path, "read", e)),
        };
        let parsed = parse(&bytes);
        let mut findings =
            Findings { damaged: parsed.damaged, torn_tail: parsed.torn_tail, kept_aside: None };
        if !findings.damaged.is_empty() {
            let name = format!("{DAMAGED_PREFIX}{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f"));
            let aside = dir.join(name);
            files::write_new_synced(&aside, &bytes).map_err(|e| io(&aside, "keep aside", e))?;
            findings.kept_aside = Some(aside);
        }
        let whole = parsed.framed && findings.damaged.is_empty() && !bytes.is_empty();
        let contents = if whole {
            // At most a torn tail to cut off, in place: no room is needed for that.
            let good = bytes.len() - findings.torn_tail;
            if findings.torn_tail > 0 {
                let file = OpenOptions::new().write(true).open(&path).map_err(|e| io(&path, "open", e))?;
                file.set_len(good as u64)
                    .and_then(|()| file.sync_data())
                    .map_err(|e| io(&path, "cut back", e))?;
            }
            bytes[..good].to_vec()
        } else {
            // Written anew: damage left behind, old framing upgraded.
            let mut contents = HEADER.to_vec();
            for ops in &parsed.records {
                frame(&[ops.as_slice()], &mut contents);
            }
            files::replace_synced(&path, &contents).map_err(|e| io(&path, "write", e))?;
            contents
        };
        let file = OpenOptions::new().append(true).open(&path).map_err(|e| io(&path, "open", e))?;
        let journal =
            Journal { path, file, contents, checkpointed: 0, untrusted: None, syncs: 0, faults: Vec::new() };
        Ok((journal, parsed.records, findings))
    }

    /// Bytes held since the journal was last emptied.
    pub fn len(&self) -> u64 {
        (self.contents.len() - HEADER.len()) as u64
    }

    pub fn is_empty(&self) -> bool {
        self.contents.len() == HEADER.len()
    }

    /// Appends one record per batch; with `sync`, fsyncs once for all of
    /// them. On any failure nothing of these batches stays in the journal.
    pub fn append(&mut self, batches: &[&[Op]], sync: bool) -> Result<(), StoreError> {
        if let Some(why) = self.untrusted.clone() {
            self.rewrite().map_err(|e| {
                let cause = files::cause(&e);
                StoreError::NotSaving {
                    path: self.path.clone(),
                    why: format!("{why}; writing it anew: {cause}"),
                }
            })?;
        }
        let mut buffer = Vec::new();
        frame(batches, &mut buffer);
        if let Err(e) = self.write(&buffer) {
            self.cut_back();
            return Err(io(&self.path, "write", e));
        }
        if sync {
            if let Err(e) = self.injected(Fault::Sync).and_then(|()| self.file.sync_data()) {
                // The kernel may have dropped the pages it could not write and
                // marked them clean: a later fsync of this file proves nothing.
                self.distrust(format!("fsync failed: {}", files::cause(&e)));
                return Err(io(&self.path, "sync", e));
            }
        }
        if sync {
            self.syncs += 1;
        }
        self.contents.extend_from_slice(&buffer);
        Ok(())
    }

    fn write(&mut self, buffer: &[u8]) -> std::io::Result<()> {
        if let Err(e) = self.injected(Fault::Write) {
            let _ = self.file.write_all(&buffer[..buffer.len() / 2]);
            return Err(e);
        }
        self.file.write_all(buffer)
    }

    /// After a failed write: back to the last good length, synced.
    fn cut_back(&mut self) {
        let good = self.contents.len() as u64;
        let cut = self
            .injected(Fault::CutBack)
            .and_then(|()| self.file.set_len(good))
            .and_then(|()| self.file.sync_data());
        if let Err(e) = cut {
            self.distrust(format!("cutting back a failed write failed: {}", files::cause(&e)));
        }
    }

    /// The file is not to be trusted: write it anew now if possible, so that
    /// nothing reported as failed comes back on the next open.
    fn distrust(&mut self, why: String) {
        if self.rewrite().is_ok() {
            return;
        }
        // Best effort until the rewrite succeeds: drop the failed bytes.
        let _ = self.file.set_len(self.contents.len() as u64);
        self.untrusted = Some(why);
    }

    /// Writes what the journal holds into a new file, synced, renamed over the old one.
    fn rewrite(&mut self) -> std::io::Result<()> {
        self.injected(Fault::Rewrite)?;
        files::replace_synced(&self.path, &self.contents)?;
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.untrusted = None;
        Ok(())
    }

    /// Where the journal ends now: a checkpoint notes it before it makes
    /// sled durable, and then empties the journal only up to it.
    pub fn mark(&self) -> usize {
        self.contents.len()
    }

    /// Bytes appended since the last checkpoint's mark: what sled does not
    /// yet hold durably.
    pub fn since_checkpoint(&self) -> u64 {
        (self.contents.len() - self.checkpointed.max(HEADER.len())) as u64
    }

    /// After everything up to `mark` was made durable in sled: empties the
    /// journal when nothing came after the mark. Records that came while sled
    /// was synced stay (replaying them again is harmless: a write of the same
    /// value), unless the journal has grown past `COMPACT_AT`; then only they
    /// are written anew, so that a study typed without pause keeps a short journal.
    pub fn clear_through(&mut self, mark: usize) -> Result<(), StoreError> {
        self.checkpointed = mark;
        if self.contents.len() == mark {
            return self.clear();
        }
        if self.contents.len() <= COMPACT_AT && self.untrusted.is_none() {
            return Ok(());
        }
        let mut kept = HEADER.to_vec();
        kept.extend_from_slice(&self.contents[mark..]);
        self.contents = kept;
        self.checkpointed = HEADER.len();
        self.rewrite().map_err(|e| io(&self.path, "write", e))
    }

    /// Empties the journal once everything in it is durable in sled.
    pub fn clear(&mut self) -> Result<(), StoreError> {
        self.checkpointed = HEADER.len();
        self.contents.truncate(HEADER.len());
        if self.untrusted.is_some() {
            return self.rewrite().map_err(|e| io(&self.path, "write", e));
        }
        let cleared = self.file.set_len(HEADER.len() as u64).and_then(|()| self.file.sync_data());
        if let Err(e) = cleared {
            self.distrust(format!("emptying it failed: {}", files::cause(&e)));
            return Err(io(&self.path, "empty", e));
        }
        Ok(())
    }
}

/// What `parse` read from a journal's bytes.
#[derive(Debug, Default)]
pub struct Parsed {
    pub records: Vec<Vec<Op>>,
    pub damaged: Vec<(usize, usize)>,
    pub torn_tail: usize,
    /// Whether the bytes were in the current framing.
    pub framed: bool,
}

/// Reads a whole framed record at `at`, if one is there.
fn record_at(bytes: &[u8], at: usize) -> Option<(Vec<Vec<Op>>, usize)> {
    let head = bytes.get(at..at + FRAME)?;
    if &head[..4] != MAGIC {
        return None;
    }
    let len = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    let payload = bytes.get(at + FRAME..at + FRAME + len)?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&head[4..8]);
    hasher.update(payload);
    if hasher.finalize() != crc {
        return None;
    }
    let batches = decode_payload::<Vec<Vec<Op>>>("journal record", payload).ok()?;
    Some((batches, FRAME + len))
}

/// Whether the bytes from `at` are a record cut short by a crash: a frame
/// that is not whole, or nothing but zeros (space allocated, never written).
fn torn(bytes: &[u8], at: usize) -> bool {
    let rest = &bytes[at..];
    if rest.iter().all(|b| *b == 0) {
        return true;
    }
    if rest.len() < FRAME {
        return MAGIC.starts_with(&rest[..rest.len().min(4)]);
    }
    if &rest[..4] != MAGIC {
        return false;
    }
    let len = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes")) as usize;
    // Cut short, or its frame written but its payload's end still zeros
    // (space allocated, data never written).
    let end = FRAME + len;
    rest.len() < end || (len > 0 && rest[end - len.min(16)..end].iter().all(|b| *b == 0))
}

/// Every whole record in `bytes`, with the damage and torn tail around them.
pub fn parse(bytes: &[u8]) -> Parsed {
    if bytes.is_empty() {
        return Parsed { framed: true, ..Parsed::default() };
    }
    let base = HEADER.len();
    let mut parsed = Parsed { framed: true, ..Parsed::default() };
    if !bytes.starts_with(HEADER) {
        // A damaged header before framed records is damage, not an old journal.
        if bytes.get(base..base + MAGIC.len()) != Some(MAGIC.as_slice()) {
            return parse_unframed(bytes);
        }
        parsed.damaged.push((0, base));
    }
    let body = &bytes[base.min(bytes.len())..];
    let mut at = 0;
    while at < body.len() {
        if let Some((batches, used)) = record_at(body, at) {
            parsed.records.extend(batches);
            at += used;
            continue;
        }
        // Look for the next whole record; what lies between is damage.
        let next = memchr::memmem::find_iter(&body[at + 1..], MAGIC)
            .map(|i| at + 1 + i)
            .find(|&i| record_at(body, i).is_some());
        match next {
            Some(next) => {
                parsed.damaged.push((base + at, next - at));
                at = next;
            }
            None if torn(body, at) => {
                parsed.torn_tail = body.len() - at;
                break;
            }
            None => {
                parsed.damaged.push((base + at, body.len() - at));
                break;
            }
        }
    }
    parsed
}

/// A journal written before records were framed: `[len][crc of payload][payload]`,
/// read up to the first record that is not whole.
fn parse_unframed(bytes: &[u8]) -> Parsed {
    let mut parsed = Parsed::default();
    let mut at = 0;
    while bytes.len() >= at + 8 {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
        let Some(payload) = bytes.get(at + 8..at + 8 + len) else { break };
        if crc32fast::hash(payload) != crc {
            break;
        }
        match decode_payload::<Vec<Op>>("journal record", payload) {
            Ok(ops) => parsed.records.push(ops),
            Err(_) => break,
        }
        at += 8 + len;
    }
    let rest = bytes.len() - at;
    let cut_short = bytes.len() < at + 8
        || bytes.len() < at + 8 + u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
    if rest > 0 && cut_short {
        parsed.torn_tail = rest;
    } else if rest > 0 {
        parsed.damaged.push((at, rest));
    }
    parsed
}

#[cfg(test)]
mod tests;
