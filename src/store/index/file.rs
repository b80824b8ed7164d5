//! The index file, `search.index`: the folded texts in blocks of whole
//! entries, each block checked by a CRC (or sealed with the study's key in
//! an encrypted store), then a directory of keys and blocks, then a footer.
//!
//! ```text
//! [HEAD][block]…[block][directory][footer: directory at u64, length u64, sealed u8, CRC u32, TAIL]
//! ```
//!
//! A block's payload is its entries' folded texts, each ended by `\n`,
//! then their patches (see `fold`). A plain block's CRC, kept in the
//! directory, covers the file's id, the block's number and its payload; a
//! sealed block seals the same three, so no block of another file or place
//! is taken for it. The directory is followed by its CRC, or sealed.

use super::{Directory, Unusable};
use crate::store::crypt::Cipher;
use crate::store::files;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "search.index";
/// Where a build writes before its file is whole and renamed into place.
pub const BUILDING: &str = "search.index.new";
const HEAD: &[u8; 8] = b"FLSIDX1\n";
const TAIL: &[u8; 8] = b"FLSEND1\n";
const FOOTER: usize = 8 + 8 + 1 + 4 + TAIL.len();
/// The most a directory may claim to be (a damaged length must not allocate exabytes).
const DIRECTORY_LIMIT: usize = 1 << 30;

/// Where one block is and what it holds.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct BlockInfo {
    /// Blocks are numbered through the file, across sections.
    pub number: u32,
    pub at: u64,
    pub stored: u32,
    /// Bytes of folded text; the patches follow.
    pub text: u32,
    /// The number of the block's first entry in its section, and how many it holds.
    pub first: u32,
    pub count: u32,
    /// CRC of a plain block (0 for a sealed one: its seal checks it).
    pub crc: u32,
}

fn crc(file_id: &[u8; 16], number: u32, payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(file_id);
    hasher.update(&number.to_le_bytes());
    hasher.update(payload);
    hasher.finalize()
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<DIRECTORY_LIMIT>()
}

/// Where a loaded index reads its blocks: the file, and (after a write
/// failed while building) the blocks that could not be written, in memory.
pub struct Backing {
    file: Option<File>,
    cipher: Option<Cipher>,
    file_id: [u8; 16],
    memory: Vec<Option<Vec<u8>>>,
}

impl Backing {
    /// A block's payload, checked: read into `buf`, or lent from memory.
    pub fn read<'a>(&'a self, info: &BlockInfo, buf: &'a mut Vec<u8>) -> Result<&'a [u8], Unusable> {
        if let Some(Some(payload)) = self.memory.get(info.number as usize) {
            return Ok(payload);
        }
        let damaged = |why: &str| Unusable::Damaged(format!("has a block ({}) that {why}", info.number));
        let file = self.file.as_ref().ok_or_else(|| damaged("is missing"))?;
        buf.resize(info.stored as usize, 0);
        file.read_exact_at(buf, info.at)
            .map_err(|e| damaged(&format!("could not be read ({})", files::cause(&e))))?;
        match &self.cipher {
            Some(cipher) => {
                let plain = cipher.open(buf).ok_or_else(|| damaged("does not open with the study's key"))?;
                let (head, payload) = plain.split_at_checked(20).ok_or_else(|| damaged("is cut short"))?;
                if head[..16] != self.file_id || head[16..] != info.number.to_le_bytes() {
                    return Err(damaged("belongs to another file or place"));
                }
                buf.clear();
                buf.extend_from_slice(payload);
            }
            None if crc(&self.file_id, info.number, buf) != info.crc => {
                return Err(damaged("does not match its checksum"));
            }
            None => {}
        }
        Ok(buf)
    }
}

/// Writes a new index file block by block. Should a write fail (a full
/// disk), the blocks from then on are kept in memory and the file is not
/// put in place: the index still serves this process, and the next one
/// builds it again.
pub struct Writer {
    path: PathBuf,
    file: Option<File>,
    at: u64,
    cipher: Option<Cipher>,
    file_id: [u8; 16],
    memory: Vec<Option<Vec<u8>>>,
    blocks: u32,
    failed: Option<String>,
}

impl Writer {
    pub fn new(dir: &Path, cipher: Option<Cipher>) -> Writer {
        let path = dir.join(BUILDING);
        let _ = std::fs::remove_file(&path);
        let mut failed = None;
        // Read as well as written: a build searches through the handle it wrote.
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = match options.open(&path).and_then(|mut f| f.write_all(HEAD).map(|()| f)) {
            Ok(file) => Some(file),
            Err(e) => {
                failed = Some(files::cause(&e));
                None
            }
        };
        let file_id = *crate::domain::Id::new().as_bytes();
        Writer { path, file, at: HEAD.len() as u64, cipher, file_id, memory: Vec::new(), blocks: 0, failed }
    }

    pub fn file_id(&self) -> [u8; 16] {
        self.file_id
    }

    /// Writes one block of `count` entries from entry `first`.
    pub fn block(&mut self, payload: &[u8], text: usize, first: u32, count: u32) -> BlockInfo {
        let number = self.blocks;
        self.blocks += 1;
        let (stored, crc) = match &self.cipher {
            Some(cipher) => {
                let mut plain = Vec::with_capacity(20 + payload.len());
                plain.extend_from_slice(&self.file_id);
                plain.extend_from_slice(&number.to_le_bytes());
                plain.extend_from_slice(payload);
                (cipher.seal(&plain), 0)
            }
            None => (Vec::new(), crc(&self.file_id, number, payload)),
        };
        let bytes = if self.cipher.is_some() { stored.as_slice() } else { payload };
        let info = BlockInfo {
            number,
            at: self.at,
            stored: bytes.len() as u32,
            text: text as u32,
            first,
            count,
            crc,
        };
        if self.failed.is_none() {
            match self.file.as_mut().map(|f| f.write_all(bytes)) {
                Some(Ok(())) => {
                    self.at += bytes.len() as u64;
                    return info;
                }
                Some(Err(e)) => self.failed = Some(files::cause(&e)),
                None => self.failed = Some("the file could not be made".into()),
            }
        }
        self.memory.resize(number as usize, None);
        self.memory.push(Some(payload.to_vec()));
        info
    }

    /// Writes the directory and footer and renames the file into place; on
    /// any failure keeps what could not be written in memory. Returns where
    /// the blocks are, and why the index could not be kept on disk, if not.
    pub fn finish(mut self, directory: &Directory, place: &Path) -> (Backing, Option<String>) {
        if self.failed.is_none() {
            if let Err(e) = self.write_directory(directory).and_then(|()| std::fs::rename(&self.path, place))
            {
                self.failed = Some(files::cause(&e));
            }
        }
        if self.failed.is_some() {
            // Kept open, its name gone: the blocks written so far are read from it.
            let _ = std::fs::remove_file(&self.path);
        }
        let backing = Backing {
            file: self.file.take(),
            cipher: self.cipher.take(),
            file_id: self.file_id,
            memory: self.memory,
        };
        (backing, self.failed)
    }

    fn write_directory(&mut self, directory: &Directory) -> std::io::Result<()> {
        let file = self.file.as_mut().ok_or_else(|| std::io::Error::other("no file"))?;
        let mut bytes =
            bincode::serde::encode_to_vec(directory, bincode_config()).map_err(std::io::Error::other)?;
        let sealed = match &self.cipher {
            Some(cipher) => cipher.seal(&bytes),
            None => {
                let sum = crc32fast::hash(&bytes);
                bytes.extend_from_slice(&sum.to_le_bytes());
                bytes
            }
        };
        let mut footer = Vec::with_capacity(FOOTER);
        footer.extend_from_slice(&self.at.to_le_bytes());
        footer.extend_from_slice(&(sealed.len() as u64).to_le_bytes());
        footer.push(u8::from(self.cipher.is_some()));
        footer.extend_from_slice(&crc32fast::hash(&footer).to_le_bytes());
        footer.extend_from_slice(TAIL);
        file.write_all(&sealed)?;
        file.write_all(&footer)
    }
}

/// Opens the index file in `dir`: its directory, checked, and where to read its blocks.
pub fn open(dir: &Path, cipher: Option<&Cipher>) -> Result<(Directory, Backing), Unusable> {
    let path = dir.join(FILE_NAME);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unusable::Missing),
        Err(e) => return Err(Unusable::Damaged(format!("could not be opened ({})", files::cause(&e)))),
    };
    let damaged = |why: &str| Unusable::Damaged(why.to_string());
    let len = file.metadata().map_err(|e| damaged(&files::cause(&e)))?.len();
    if len < (HEAD.len() + FOOTER) as u64 {
        return Err(damaged("is cut short"));
    }
    let mut head = [0u8; HEAD.len()];
    let mut footer = [0u8; FOOTER];
    file.read_exact_at(&mut head, 0)
        .and_then(|()| file.read_exact_at(&mut footer, len - FOOTER as u64))
        .map_err(|e| damaged(&files::cause(&e)))?;
    if &head != HEAD || &footer[FOOTER - TAIL.len()..] != TAIL {
        return Err(damaged("is cut short or is not an index file"));
    }
    let fields = &footer[..17];
    if crc32fast::hash(fields) != u32::from_le_bytes(footer[17..21].try_into().expect("4 bytes")) {
        return Err(damaged("has a damaged footer"));
    }
    let at = u64::from_le_bytes(fields[..8].try_into().expect("8 bytes"));
    let length = u64::from_le_bytes(fields[8..16].try_into().expect("8 bytes"));
    let sealed = fields[16] == 1;
    if at.checked_add(length) != Some(len - FOOTER as u64) || length as usize > DIRECTORY_LIMIT {
        return Err(damaged("has a damaged footer"));
    }
    match (sealed, cipher) {
        (true, None) => return Err(damaged("is sealed but the study is not encrypted")),
        (false, Some(_)) => return Err(damaged("is not sealed but the study is encrypted")),
        _ => {}
    }
    let mut bytes = vec![0u8; length as usize];
    file.read_exact_at(&mut bytes, at).map_err(|e| damaged(&files::cause(&e)))?;
    let bytes = match cipher {
        Some(cipher) => cipher
            .open(&bytes)
            .ok_or_else(|| damaged("has a directory that does not open with the study's key"))?,
        None => {
            let split = bytes.len().checked_sub(4).ok_or_else(|| damaged("has a damaged directory"))?;
            let sum = u32::from_le_bytes(bytes[split..].try_into().expect("4 bytes"));
            bytes.truncate(split);
            if crc32fast::hash(&bytes) != sum {
                return Err(damaged("has a directory that does not match its checksum"));
            }
            bytes
        }
    };
    let (directory, used): (Directory, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode_config())
            .map_err(|e| damaged(&format!("has a directory that does not decode ({e})")))?;
    if used != bytes.len() {
        return Err(damaged("has a directory with bytes left over"));
    }
    directory.check(at)?;
    let backing =
        Backing { file: Some(file), cipher: cipher.cloned(), file_id: directory.file_id, memory: Vec::new() };
    Ok((directory, backing))
}
