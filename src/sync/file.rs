//! One laptop's change file in the shared sync folder: a header, then
//! records appended one after another, each `[length: u32 LE][CRC-32 of
//! the body: u32 LE][body]`. Only its own laptop ever writes it, and only
//! at its end; a reader takes the records that are whole and stops at the
//! first that is not (a file half copied by the folder's sync tool), to
//! finish it next time. In an encrypted study each body is sealed with the
//! study's key, and the header carries the salt and check value a
//! teammate's laptop derives that key with.

use crate::store::files;
use crate::store::FileKey;
use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

const PLAIN: &[u8] = b"fieldlog changes 1\n";
const SEALED: &[u8] = b"fieldlog sealed changes 1\n";
/// Length and checksum before each body.
const FRAME: usize = 8;
/// No record is near this; a larger length is damage, not a record.
const MOST: usize = 1 << 30;

/// How a change file's records are to be opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Header {
    Plain,
    /// Sealed: the salt and check value of the key (see `FileKey`).
    Sealed {
        salt: Vec<u8>,
        check: Vec<u8>,
    },
}

impl Header {
    pub fn for_key(key: Option<&FileKey>) -> Header {
        match key {
            None => Header::Plain,
            Some(key) => Header::Sealed { salt: key.salt.clone(), check: key.check.clone() },
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Header::Plain => PLAIN.to_vec(),
            Header::Sealed { salt, check } => {
                let mut out = SEALED.to_vec();
                out.push(salt.len() as u8);
                out.extend_from_slice(salt);
                out.extend_from_slice(&(check.len() as u32).to_le_bytes());
                out.extend_from_slice(check);
                out
            }
        }
    }

    /// The header at the start of `bytes` and its length; `Ok(None)` while
    /// it is not whole yet, an error if the file is no change file.
    pub fn read(bytes: &[u8]) -> Result<Option<(Header, usize)>, String> {
        let wanted = |magic: &[u8]| bytes.len() < magic.len() && magic.starts_with(bytes);
        if wanted(PLAIN) || wanted(SEALED) {
            return Ok(None);
        }
        if bytes.starts_with(PLAIN) {
            return Ok(Some((Header::Plain, PLAIN.len())));
        }
        let Some(rest) = bytes.strip_prefix(SEALED) else {
            return Err("it does not start as a fieldlog change file".into());
        };
        let Some(&salt_len) = rest.first() else { return Ok(None) };
        let salt_end = 1 + usize::from(salt_len);
        let Some(len) = rest.get(salt_end..salt_end + 4) else { return Ok(None) };
        let check_len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        if check_len > 4096 {
            return Err("its header is damaged".into());
        }
        let Some(check) = rest.get(salt_end + 4..salt_end + 4 + check_len) else { return Ok(None) };
        let header = Header::Sealed { salt: rest[1..salt_end].to_vec(), check: check.to_vec() };
        Ok(Some((header, SEALED.len() + salt_end + 4 + check_len)))
    }
}

/// What reading a change file from some point found.
#[derive(Debug, Default)]
pub struct Read {
    /// Each whole record's body and the byte offset just past it.
    pub records: Vec<(Vec<u8>, u64)>,
    /// Where reading stopped: past the last whole record.
    pub end: u64,
    /// Why reading stopped before the end of the file, if it did.
    pub stopped: Option<String>,
}

/// The whole records of `bytes` after offset `from` (0: from the start,
/// after the header). A record cut short, or whose checksum fails, ends
/// the reading there.
pub fn records(bytes: &[u8], header_len: usize, from: u64) -> Read {
    let mut at = (from as usize).max(header_len);
    let mut read = Read { end: at as u64, ..Read::default() };
    while at < bytes.len() {
        let Some(frame) = bytes.get(at..at + FRAME) else {
            read.stopped = Some(format!("its last record is cut short at byte {}", bytes.len()));
            break;
        };
        let len = u32::from_le_bytes(frame[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(frame[4..].try_into().expect("4 bytes"));
        if len > MOST {
            read.stopped = Some(format!("the record at byte {at} is damaged"));
            break;
        }
        let Some(body) = bytes.get(at + FRAME..at + FRAME + len) else {
            read.stopped = Some(format!("its last record is cut short at byte {}", bytes.len()));
            break;
        };
        if crc32fast::hash(body) != crc {
            read.stopped =
                Some(format!("the record at byte {at} does not check (damaged or still arriving)"));
            break;
        }
        at += FRAME + len;
        read.records.push((body.to_vec(), at as u64));
        read.end = at as u64;
    }
    read
}

/// How many bytes before a point of a teammate's file are checked (by
/// their CRC-32) to tell that the file still holds what was read there,
/// and was not replaced by another copy (another folder's, or made anew).
pub const TAIL: u64 = 4096;

/// Where reading a teammate's file goes on from.
pub enum Resume {
    Start,
    /// Past `end`, if the CRC-32 of every byte before it is `crc` (as
    /// stores noted it before they noted only the tail).
    Prefix {
        end: u64,
        crc: u32,
    },
    /// Past `end`, if the CRC-32 of the `TAIL` bytes before it is `crc`.
    Tail {
        end: u64,
        crc: u32,
    },
}

/// What reading a teammate's change file found.
pub enum Teammate {
    HeaderNotWhole,
    NotAChangeFile(String),
    Read {
        header: Header,
        /// Each new whole record's body, the offset past it and the CRC-32
        /// of the `TAIL` bytes before that offset (to resume from there).
        records: Vec<(Vec<u8>, u64, u32)>,
        /// Why reading stopped before the end of the file, if it did.
        stopped: Option<String>,
    },
}

/// Reads a teammate's change file from where this laptop stopped: its
/// header, a few bytes to check it is still the file that was read, and
/// what is new: never the whole of a large file again.
pub fn read_teammate(path: &Path, resume: Resume) -> std::io::Result<Teammate> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = Vec::new();
    (&mut file).take(8 * 1024).read_to_end(&mut head)?;
    let (header, header_len) = match Header::read(&head) {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(Teammate::HeaderNotWhole),
        Err(why) => return Ok(Teammate::NotAChangeFile(why)),
    };
    let mut bytes_at = |start: u64, end: u64| -> std::io::Result<Vec<u8>> {
        file.seek(SeekFrom::Start(start))?;
        let mut out = Vec::new();
        (&mut file).take(end - start).read_to_end(&mut out)?;
        Ok(out)
    };
    let from = match resume {
        Resume::Tail { end, crc }
            if end <= len
                && end >= header_len as u64
                && crc32fast::hash(&bytes_at(end.saturating_sub(TAIL), end)?) == crc =>
        {
            end
        }
        Resume::Prefix { end, crc } if end <= len && crc32fast::hash(&bytes_at(0, end)?) == crc => end,
        _ => 0,
    };
    // From the check window before `from`, so that each new record's own window is at hand.
    let base = from.saturating_sub(TAIL);
    let bytes = bytes_at(base, len)?;
    let read = records(&bytes, if base == 0 { header_len } else { 0 }, from - base);
    let records = read
        .records
        .into_iter()
        .map(|(body, end)| {
            let window = &bytes[(end as usize).saturating_sub(TAIL as usize)..end as usize];
            (body, base + end, crc32fast::hash(window))
        })
        .collect();
    Ok(Teammate::Read { header, records, stopped: read.stopped })
}

/// One record framed for the file.
fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME + body.len());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// A whole change file of `bodies`, for rewriting one.
pub fn whole(header: &Header, bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut out = header.bytes();
    for body in bodies {
        out.extend(frame(body));
    }
    out
}

/// What an existing change file holds: its header (as `Header::read`
/// gives it), where its whole records end, and its length.
pub struct Scan {
    pub header: Result<Option<(Header, usize)>, String>,
    pub whole: u64,
    pub len: u64,
}

/// Scans this laptop's own change file (`None` if there is none). Records
/// before `known` — an end this laptop wrote and synced — are taken as
/// whole without reading them, so a large file costs only its header and
/// what follows `known`; a file shorter than `known` is read whole.
pub fn scan(path: &Path, known: u64) -> std::io::Result<Option<Scan>> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    if known == 0 || len < known {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let header = Header::read(&bytes);
        let whole = match &header {
            Ok(Some((_, header_len))) => records(&bytes, *header_len, 0).end,
            _ => 0,
        };
        return Ok(Some(Scan { header, whole, len: bytes.len() as u64 }));
    }
    // A header is at most its magic, 256 bytes of salt and 4 KiB of check value.
    let mut head = Vec::new();
    (&mut file).take(8 * 1024).read_to_end(&mut head)?;
    let header = Header::read(&head);
    let whole = match &header {
        Ok(Some((_, header_len))) if known >= *header_len as u64 => {
            file.seek(SeekFrom::Start(known))?;
            let mut tail = Vec::new();
            file.read_to_end(&mut tail)?;
            known + records(&tail, 0, 0).end
        }
        _ => 0,
    };
    Ok(Some(Scan { header, whole, len }))
}

/// Appends records to this laptop's own change file, made (private,
/// with its header) if it is not there. A record left half written by a
/// crash is cut off first: nobody has read it, since readers take whole
/// records only. `known`: an end of the file written earlier (see `scan`).
/// Returns, once the record is on disk (fsync), the file's length.
pub fn append(path: &Path, header: &Header, bodies: &[Vec<u8>], known: u64) -> std::io::Result<u64> {
    let existing = scan(path, known)?;
    let mut file = match &existing {
        // None yet, or one whose header a crash cut short while it was
        // made: no record of it can have been read, so it is begun anew.
        None | Some(Scan { header: Ok(None), .. }) => {
            let mut file = match existing {
                None => files::create_private(path)?,
                Some(_) => {
                    let file = OpenOptions::new().write(true).open(path)?;
                    file.set_len(0)?;
                    file
                }
            };
            file.write_all(&header.bytes())?;
            file.sync_all()?;
            files::sync_dir(&files::parent(path))?;
            file
        }
        Some(found) => {
            match &found.header {
                Ok(Some((found, _))) if found == header => {}
                Ok(Some(_)) => return Err(other("it was written with another key or none")),
                Ok(None) => unreachable!("begun anew above"),
                Err(e) => return Err(other(e)),
            };
            let file = OpenOptions::new().write(true).open(path)?;
            if found.whole < found.len {
                file.set_len(found.whole)?;
            }
            file
        }
    };
    let end = file.seek(SeekFrom::End(0))?;
    let framed: Vec<u8> = bodies.iter().flat_map(|b| frame(b)).collect();
    file.write_all(&framed)?;
    file.sync_all()?;
    Ok(end + framed.len() as u64)
}

fn other(why: &str) -> std::io::Error {
    std::io::Error::other(format!("this laptop's change file cannot be added to: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(bodies: &[&[u8]]) -> Vec<u8> {
        let mut bytes = Header::Plain.bytes();
        for b in bodies {
            bytes.extend(frame(b));
        }
        bytes
    }

    #[test]
    fn a_file_cut_at_every_byte_gives_its_whole_records_and_no_more() {
        let bodies: [&[u8]; 3] = [b"first record", b"", b"the third, \xc3\xa6rgrer"];
        let whole = file_of(&bodies);
        for cut in 0..=whole.len() {
            let bytes = &whole[..cut];
            let Some((header, len)) = Header::read(bytes).unwrap() else {
                assert!(cut < PLAIN.len(), "a whole header read as cut at {cut}");
                continue;
            };
            assert_eq!(header, Header::Plain);
            let read = records(bytes, len, 0);
            let expected: Vec<&[u8]> = bodies
                .iter()
                .copied()
                .scan(len, |at, b| {
                    *at += FRAME + b.len();
                    Some((b, *at))
                })
                .filter(|(_, end)| *end <= cut)
                .map(|(b, _)| b)
                .collect();
            let got: Vec<&[u8]> = read.records.iter().map(|(b, _)| b.as_slice()).collect();
            assert_eq!(got, expected, "cut at {cut}");
            assert!(read.end as usize <= cut);
            // Going on from where it stopped, once the rest has arrived, gives the rest.
            let rest = records(&whole, len, read.end);
            assert_eq!(rest.records.len(), bodies.len() - got.len(), "cut at {cut}");
            assert!(rest.stopped.is_none());
        }
    }

    #[test]
    fn a_damaged_record_stops_the_reading_before_it() {
        let mut bytes = file_of(&[b"one", b"two"]);
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let read = records(&bytes, PLAIN.len(), 0);
        assert_eq!(read.records.len(), 1);
        assert!(read.stopped.unwrap().contains("does not check"));
    }

    #[test]
    fn appending_cuts_off_a_record_a_crash_left_half_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("laptop.changes");
        append(&path, &Header::Plain, &[b"one".to_vec()], 0).unwrap();
        let known = append(&path, &Header::Plain, &[b"two".to_vec()], 0).unwrap();
        let whole = std::fs::read(&path).unwrap();
        // kill -9 in the middle of writing a third record.
        let mut cut = whole.clone();
        cut.extend_from_slice(&frame(b"three")[..6]);
        std::fs::write(&path, &cut).unwrap();
        append(&path, &Header::Plain, &[b"four".to_vec(), b"five".to_vec()], known).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let read = records(&bytes, PLAIN.len(), 0);
        let got: Vec<&[u8]> = read.records.iter().map(|(b, _)| b.as_slice()).collect();
        assert_eq!(got, [b"one".as_slice(), b"two", b"four", b"five"]);
        assert!(read.stopped.is_none());
    }

    #[test]
    fn appending_begins_anew_a_file_whose_header_a_crash_cut_short() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("laptop.changes");
        let header = Header::Sealed { salt: vec![7; 16], check: vec![9; 40] };
        // kill -9 after the file was made, before (or while) its header was written.
        for cut in [0, 5, header.bytes().len() - 1] {
            std::fs::write(&path, &header.bytes()[..cut]).unwrap();
            append(&path, &header, &[b"one".to_vec()], 0).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            let (found, len) = Header::read(&bytes).unwrap().unwrap();
            assert_eq!(found, header);
            let read = records(&bytes, len, 0);
            assert_eq!(read.records.len(), 1, "cut at {cut}");
            assert!(read.stopped.is_none());
        }
    }

    #[test]
    fn sealed_headers_read_back_and_other_files_are_refused() {
        let header = Header::Sealed { salt: vec![7; 16], check: vec![9; 40] };
        let bytes = header.bytes();
        for cut in 0..bytes.len() {
            assert_eq!(Header::read(&bytes[..cut]).unwrap(), None, "cut at {cut}");
        }
        assert_eq!(Header::read(&bytes).unwrap(), Some((header, bytes.len())));
        assert!(Header::read(b"{\"format\": \"fieldlog-study\"}").is_err());
    }
}
