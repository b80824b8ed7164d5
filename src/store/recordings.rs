//! Sessions' recordings: what each is (tree `recordings`, journaled with
//! the rest), and the files themselves in the store's `recordings` folder —
//! as they were in a plain study, sealed chunk by chunk in an encrypted one,
//! so that any moment can be read without opening the whole file.

use super::{crypt::Cipher, files, keys, Store, StoreError, RECORDINGS};
use crate::audio::Bytes;
use crate::domain::{Consent, Id, Kept, Recording, Retiming};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub const FOLDER: &str = "recordings";
const MAGIC: &[u8; 8] = b"FLSEAL1\n";
const HEADER: u64 = 20;
/// Plain bytes per sealed chunk.
const CHUNK: u64 = 64 * 1024;
/// What sealing adds to a chunk: its number, and the cipher's marker, nonce and tag.
const OVERHEAD: u64 = 8 + 1 + 12 + 16;

pub(super) fn recording_key(session: Id) -> Vec<u8> {
    [b"r".as_slice(), session.as_bytes()].concat()
}

pub(super) fn consent_key(session: Id) -> Vec<u8> {
    [b"c".as_slice(), session.as_bytes()].concat()
}

pub(super) fn retiming_key(session: Id, seq: u32) -> Vec<u8> {
    [b"t".as_slice(), &keys::revision(session, seq, Id::new())].concat()
}

fn io(path: &Path, doing: &str) -> impl Fn(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    let doing = doing.to_string();
    move |e| StoreError::File { path: path.clone(), doing: doing.clone(), cause: files::cause(&e) }
}

impl Store {
    pub fn recording(&self, session: Id) -> Result<Option<Recording>, StoreError> {
        self.get(self.tree(RECORDINGS), &recording_key(session))
    }

    pub fn recordings(&self) -> Result<Vec<Recording>, StoreError> {
        self.tree(RECORDINGS).scan_prefix(b"r").map(|item| self.read(&item?.1)).collect()
    }

    pub fn consent(&self, session: Id) -> Result<Option<Consent>, StoreError> {
        self.get(self.tree(RECORDINGS), &consent_key(session))
    }

    pub fn consents(&self) -> Result<Vec<Consent>, StoreError> {
        self.tree(RECORDINGS).scan_prefix(b"c").map(|item| self.read(&item?.1)).collect()
    }

    /// Lines re-timed by ear, oldest first.
    pub fn retimings(&self, session: Id) -> Result<Vec<Retiming>, StoreError> {
        let prefix = [b"t".as_slice(), session.as_bytes()].concat();
        self.tree(RECORDINGS).scan_prefix(prefix).map(|item| self.read(&item?.1)).collect()
    }

    pub fn all_retimings(&self) -> Result<Vec<Retiming>, StoreError> {
        self.tree(RECORDINGS).scan_prefix(b"t").map(|item| self.read(&item?.1)).collect()
    }

    fn recordings_dir(&self) -> PathBuf {
        self.path().join(FOLDER)
    }

    /// Where a recording made in fieldlog for `session` is written (plain studies).
    pub fn new_recording_path(&self, session: Id) -> Result<PathBuf, StoreError> {
        let dir = self.recordings_dir();
        files::create_private_dir(&dir).map_err(io(&dir, "create"))?;
        Ok(dir.join(format!("{}-{}.wav", session, chrono::Local::now().format("%Y%m%d-%H%M%S"))))
    }

    /// Copies `source` into the store (sealed in an encrypted study), synced
    /// and under its final name only when whole: the kept file's name, and
    /// the SHA-256 and length of the bytes copied.
    pub fn keep_recording_file(&self, session: Id, source: &Path) -> Result<(Kept, String, u64), StoreError> {
        let dir = self.recordings_dir();
        files::create_private_dir(&dir).map_err(io(&dir, "create"))?;
        let extension = source.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        let sealed = self.cipher.is_some();
        let name = format!("{session}.{extension}{}", if sealed { ".sealed" } else { "" });
        let target = dir.join(&name);
        let temporary = dir.join(format!(".{name}.copying"));
        let mut input = File::open(source).map_err(io(source, "read"))?;
        let mut output = files::create_private(&temporary).map_err(io(&temporary, "create"))?;
        let length = input.metadata().map_err(io(source, "read"))?.len();
        let copied = copy(&mut input, length, &mut output, self.cipher.as_ref(), source, &temporary)
            .and_then(|hash| {
                output.sync_all().map_err(io(&temporary, "sync"))?;
                std::fs::rename(&temporary, &target).map_err(io(&target, "create"))?;
                files::sync_dir(&dir).map_err(io(&dir, "sync"))?;
                Ok(hash)
            });
        let (sha256, bytes) = copied.inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })?;
        Ok((Kept::Copied { file: name, sealed }, sha256, bytes))
    }

    /// The bytes of a recording, and their length: a copy read through its
    /// seal, or the linked file (which must still be what was attached: its
    /// length is checked here, its SHA-256 by `fieldlog check`).
    pub fn open_recording(&self, recording: &Recording) -> Result<(Box<dyn Bytes>, u64), StoreError> {
        match &recording.kept {
            Kept::Linked { path } => {
                let path = Path::new(path);
                let file = File::open(path).map_err(io(path, "open the recording"))?;
                let len = file.metadata().map_err(io(path, "read"))?.len();
                if len != recording.bytes {
                    return Err(StoreError::File {
                        path: path.to_path_buf(),
                        doing: "play".into(),
                        cause: format!(
                            "it has changed since it was attached ({len} bytes, not {})",
                            recording.bytes
                        ),
                    });
                }
                Ok((Box::new(file), len))
            }
            Kept::Copied { file, sealed } => {
                let path = self.recordings_dir().join(file);
                let opened = File::open(&path).map_err(io(&path, "open the recording"))?;
                match (sealed, &self.cipher) {
                    (false, _) => {
                        let len = opened.metadata().map_err(io(&path, "read"))?.len();
                        Ok((Box::new(opened), len))
                    }
                    (true, Some(cipher)) => {
                        let reader = SealedReader::open(opened, cipher.clone(), &path)?;
                        let len = reader.len;
                        Ok((Box::new(reader), len))
                    }
                    (true, None) => Err(StoreError::Missing { what: "key for a sealed recording" }),
                }
            }
        }
    }

    /// `check`: every recording's session is there, and its file is there
    /// with the bytes it had when it was attached (SHA-256), sealed ones read through the seal.
    pub(super) fn check_recordings(
        &self,
        sessions: &std::collections::HashSet<Id>,
        problems: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        for recording in self.recordings()? {
            let which =
                format!("the recording of session {} ({})", recording.session.short(), recording.name);
            if !sessions.contains(&recording.session) {
                problems.push(format!("{which} belongs to no session of the study"));
                continue;
            }
            if recording.made_here && recording.sha256.is_empty() {
                continue; // being made, or cut short: mended when it is next opened
            }
            let (mut bytes, _) = match self.open_recording(&recording) {
                Ok(opened) => opened,
                Err(e) => {
                    problems.push(format!("{which}: {e}"));
                    continue;
                }
            };
            let mut hash = Sha256::new();
            match std::io::copy(&mut bytes, &mut hash) {
                Ok(_) => {
                    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
                    if hex != recording.sha256 {
                        problems.push(format!("{which}: its bytes are not those attached (SHA-256 differs)"));
                    }
                }
                Err(e) => problems.push(format!("{which}: {e}")),
            }
        }
        Ok(())
    }

    /// Where this study keeps a copied recording's file (`None` for a linked one).
    pub fn kept_recording_path(&self, recording: &Recording) -> Option<PathBuf> {
        match &recording.kept {
            Kept::Copied { file, .. } => Some(self.recordings_dir().join(file)),
            Kept::Linked { .. } => None,
        }
    }

    /// Takes the file of a copied `recording` from `source` (a teammate's
    /// copy, sealed with `sealed_with` — their study's key — or plain),
    /// sealed with this study's key in an encrypted study, under the name
    /// the recording says; synced, and kept only if its plain bytes have
    /// the recording's SHA-256. False (and nothing kept) if they do not.
    pub fn take_recording_file(
        &self,
        recording: &Recording,
        source: &Path,
        sealed_with: Option<&super::FileKey>,
    ) -> Result<bool, StoreError> {
        let Some(target) = self.kept_recording_path(recording) else { return Ok(false) };
        let dir = self.recordings_dir();
        files::create_private_dir(&dir).map_err(io(&dir, "create"))?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temporary = dir.join(format!(".{name}.taking"));
        let file = File::open(source).map_err(io(source, "read"))?;
        let (mut input, length): (Box<dyn Read>, u64) = match sealed_with {
            Some(key) => {
                let reader = SealedReader::open(file, key.cipher().clone(), source)?;
                let length = reader.len;
                (Box::new(reader), length)
            }
            None => {
                let length = file.metadata().map_err(io(source, "read"))?.len();
                (Box::new(file), length)
            }
        };
        let mut output = files::create_private(&temporary).map_err(io(&temporary, "create"))?;
        let taken = copy(&mut input, length, &mut output, self.cipher.as_ref(), source, &temporary).and_then(
            |(sha256, _)| {
                if sha256 != recording.sha256 {
                    return Ok(false);
                }
                output.sync_all().map_err(io(&temporary, "sync"))?;
                std::fs::rename(&temporary, &target).map_err(io(&target, "create"))?;
                files::sync_dir(&dir).map_err(io(&dir, "sync"))?;
                Ok(true)
            },
        );
        if !matches!(taken, Ok(true)) {
            let _ = std::fs::remove_file(&temporary);
        }
        taken
    }

    /// Removes the copies of recordings no session has any more (after a purge, a replacement).
    pub fn remove_unattached_recordings(&self) -> Result<(), StoreError> {
        let dir = self.recordings_dir();
        let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(()) };
        let kept: Vec<String> = self
            .recordings()?
            .into_iter()
            .filter_map(|r| match r.kept {
                Kept::Copied { file, .. } => Some(file),
                Kept::Linked { .. } => None,
            })
            .collect();
        // A recording being made is kept too, though its record may still be on its way to the writer.
        let open: Vec<String> =
            self.sessions()?.iter().filter(|s| s.ended.is_none()).map(|s| s.id.to_string()).collect();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let being_made = name.ends_with(".wav") && open.iter().any(|id| name.starts_with(id.as_str()));
            if !kept.contains(&name) && !being_made {
                std::fs::remove_file(entry.path()).map_err(io(&entry.path(), "remove"))?;
            }
        }
        files::sync_dir(&dir).map_err(io(&dir, "sync"))
    }
}

/// Copies `input` to `output`, sealing it in chunks when a cipher is given;
/// the SHA-256 (hex) and length of the plain bytes.
fn copy(
    input: &mut dyn Read,
    length: u64,
    output: &mut File,
    cipher: Option<&Cipher>,
    from: &Path,
    to: &Path,
) -> Result<(String, u64), StoreError> {
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; CHUNK as usize];
    let mut total = 0u64;
    if cipher.is_some() {
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&(CHUNK as u32).to_le_bytes());
        header.extend_from_slice(&length.to_le_bytes());
        output.write_all(&header).map_err(io(to, "write"))?;
    }
    let mut index = 0u64;
    loop {
        let mut filled = 0;
        while filled < buffer.len() {
            match input.read(&mut buffer[filled..]).map_err(io(from, "read"))? {
                0 => break,
                n => filled += n,
            }
        }
        if filled == 0 {
            break;
        }
        let plain = &buffer[..filled];
        hash.update(plain);
        total += filled as u64;
        match cipher {
            Some(cipher) => {
                let numbered = [index.to_le_bytes().as_slice(), plain].concat();
                output.write_all(&cipher.seal(&numbered)).map_err(io(to, "write"))?;
            }
            None => output.write_all(plain).map_err(io(to, "write"))?,
        }
        index += 1;
    }
    if total != length {
        return Err(StoreError::File {
            path: from.to_path_buf(),
            doing: "copy".into(),
            cause: "it changed while it was copied".into(),
        });
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((hex, total))
}

/// The SHA-256 (hex) of a file's bytes.
pub fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hash = Sha256::new();
    std::io::copy(&mut file, &mut hash)?;
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A sealed recording read as its plain bytes, any part of it, a chunk at a time.
struct SealedReader {
    file: File,
    cipher: Cipher,
    len: u64,
    position: u64,
    /// The chunk last opened: its number and plain bytes.
    chunk: Option<(u64, Vec<u8>)>,
    path: PathBuf,
}

impl SealedReader {
    fn open(mut file: File, cipher: Cipher, path: &Path) -> Result<SealedReader, StoreError> {
        let mut header = [0u8; HEADER as usize];
        file.read_exact(&mut header).map_err(io(path, "read"))?;
        if &header[..8] != MAGIC
            || u64::from(u32::from_le_bytes(header[8..12].try_into().unwrap_or_default())) != CHUNK
        {
            return Err(StoreError::Corrupt {
                what: "sealed recording",
                reason: "its header is not fieldlog's".into(),
            });
        }
        let len = u64::from_le_bytes(header[12..20].try_into().unwrap_or_default());
        Ok(SealedReader { file, cipher, len, position: 0, chunk: None, path: path.to_path_buf() })
    }

    fn load(&mut self, index: u64) -> std::io::Result<&[u8]> {
        if self.chunk.as_ref().is_none_or(|(i, _)| *i != index) {
            let plain = CHUNK.min(self.len - index * CHUNK);
            let mut sealed = vec![0u8; (plain + OVERHEAD) as usize];
            self.file.seek(SeekFrom::Start(HEADER + index * (CHUNK + OVERHEAD)))?;
            self.file.read_exact(&mut sealed)?;
            let opened = self.cipher.open(&sealed).filter(|p| p.len() >= 8 && p[..8] == index.to_le_bytes());
            let Some(mut opened) = opened else {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: chunk {index} does not open with the study's key", self.path.display()),
                ));
            };
            opened.drain(..8);
            self.chunk = Some((index, opened));
        }
        Ok(&self.chunk.as_ref().expect("just loaded").1)
    }
}

impl Read for SealedReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.position >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let index = self.position / CHUNK;
        let within = (self.position % CHUNK) as usize;
        let chunk = self.load(index)?;
        let n = (chunk.len() - within).min(buf.len());
        buf[..n].copy_from_slice(&chunk[within..within + n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for SealedReader {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let to = match pos {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.position.checked_add_signed(d),
        };
        self.position =
            to.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}
