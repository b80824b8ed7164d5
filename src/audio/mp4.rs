//! The edit list of an MP4/M4A recording: the encoder's priming frames to
//! skip at the start and the length meant to be heard, which the decoder
//! does not apply. Without it every time in an AAC recording is late by the
//! priming (1,024 frames, 21 ms at 48 kHz) and the length too long.

use std::io::{Read, Seek, SeekFrom};

/// Frames to skip at the start and the frames meant to be heard, in the
/// audio track's own rate, if the file is an MP4 with an edit list.
pub fn edit<R: Read + Seek + ?Sized>(file: &mut R) -> Option<(u64, Option<u64>)> {
    let start = file.stream_position().ok()?;
    let found = find_edit(file);
    file.seek(SeekFrom::Start(start)).ok()?;
    found
}

fn find_edit<R: Read + Seek + ?Sized>(file: &mut R) -> Option<(u64, Option<u64>)> {
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut first = true;
    loop {
        let (kind, size) = header(file)?;
        if first && &kind != b"ftyp" {
            return None;
        }
        first = false;
        if &kind == b"moov" {
            // A moov of a long recording is some hundreds of KB: read it whole.
            let mut moov = vec![0; usize::try_from(size).ok()?.min(64 << 20)];
            file.read_exact(&mut moov).ok()?;
            return from_moov(&moov);
        }
        file.seek(SeekFrom::Current(i64::try_from(size).ok()?)).ok()?;
    }
}

/// A box's type and the size of its body, the reader left at the body.
fn header<R: Read + ?Sized>(file: &mut R) -> Option<([u8; 4], u64)> {
    let mut h = [0u8; 8];
    file.read_exact(&mut h).ok()?;
    let size = u64::from(u32::from_be_bytes(h[..4].try_into().ok()?));
    let kind: [u8; 4] = h[4..].try_into().ok()?;
    match size {
        1 => {
            let mut big = [0u8; 8];
            file.read_exact(&mut big).ok()?;
            Some((kind, u64::from_be_bytes(big).checked_sub(16)?))
        }
        0 => Some((kind, u64::MAX / 2)),
        n => Some((kind, n.checked_sub(8)?)),
    }
}

/// The boxes directly inside `body`: (type, body).
fn children(body: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 8 <= body.len() {
        let size = u32::from_be_bytes(body[at..at + 4].try_into().unwrap_or_default()) as usize;
        let kind: [u8; 4] = body[at + 4..at + 8].try_into().unwrap_or_default();
        let (skip, end) = match size {
            1 if at + 16 <= body.len() => {
                let big = u64::from_be_bytes(body[at + 8..at + 16].try_into().unwrap_or_default());
                (16, at.saturating_add(usize::try_from(big).unwrap_or(usize::MAX)))
            }
            0 => (8, body.len()),
            n if n >= 8 => (8, at + n),
            _ => break,
        };
        if end > body.len() {
            break;
        }
        out.push((kind, &body[at + skip..end]));
        at = end;
    }
    out
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(body).into_iter().find(|(k, _)| k == kind).map(|(_, b)| b)
}

fn be(bytes: &[u8], at: usize, width: usize) -> Option<u64> {
    let b = bytes.get(at..at + width)?;
    Some(b.iter().fold(0u64, |v, x| (v << 8) | u64::from(*x)))
}

fn from_moov(moov: &[u8]) -> Option<(u64, Option<u64>)> {
    let mvhd = child(moov, b"mvhd")?;
    let movie_scale = if mvhd.first() == Some(&1) { be(mvhd, 20, 4)? } else { be(mvhd, 12, 4)? };
    for (kind, trak) in children(moov) {
        if &kind != b"trak" {
            continue;
        }
        let mdia = child(trak, b"mdia")?;
        let is_sound = child(mdia, b"hdlr").and_then(|h| h.get(8..12)) == Some(b"soun".as_slice());
        if !is_sound {
            continue;
        }
        let mdhd = child(mdia, b"mdhd")?;
        let media_scale = if mdhd.first() == Some(&1) { be(mdhd, 20, 4)? } else { be(mdhd, 12, 4)? };
        let elst = child(trak, b"edts").and_then(|e| child(e, b"elst"))?;
        let wide = elst.first() == Some(&1);
        let count = be(elst, 4, 4)?;
        let (duration_width, entry) = if wide { (8, 20) } else { (4, 12) };
        for n in 0..count.min(16) as usize {
            let at = 8 + n * entry;
            let duration = be(elst, at, duration_width)?;
            let time = be(elst, at + duration_width, duration_width)?;
            let empty = if wide { time == u64::MAX } else { time == u64::from(u32::MAX) };
            if empty {
                continue;
            }
            let length = (movie_scale > 0 && duration > 0).then(|| duration * media_scale / movie_scale);
            return Some((time, length));
        }
    }
    None
}
