//! Folded text and what folding changed in it: the index keeps the folded
//! text (what a search scans) and, per text, the few characters folding
//! changed, so a hit's original text and the match's place in it come back
//! without reading the store.
//!
//! A text's patches are `[count: varint]` then, per changed character,
//! `[folded bytes since the previous patch ended: varint][the original character, UTF-8]`.

use std::ops::Range;

/// How `domain::text::fold` folds one character.
fn fold_char(c: char) -> impl Iterator<Item = char> {
    (if c == '\n' { ' ' } else { c }).to_lowercase()
}

/// The folded length in bytes of one original character.
fn folded_len(c: char) -> usize {
    fold_char(c).map(char::len_utf8).sum()
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(n);
        }
    }
    None
}

/// The character whose UTF-8 starts at `at` (checked: patches are read
/// from a file, and a damaged one must not become a wrong character).
fn char_at(bytes: &[u8], at: &mut usize) -> Option<char> {
    let lead = *bytes.get(*at)?;
    let (len, mut code) = match lead {
        0..=0x7f => {
            *at += 1;
            return Some(char::from(lead));
        }
        0xc2..=0xdf => (2, u32::from(lead & 0x1f)),
        0xe0..=0xef => (3, u32::from(lead & 0x0f)),
        0xf0..=0xf4 => (4, u32::from(lead & 0x07)),
        _ => return None,
    };
    for i in 1..len {
        let b = *bytes.get(*at + i)?;
        if b & 0xc0 != 0x80 {
            return None;
        }
        code = (code << 6) | u32::from(b & 0x3f);
    }
    let c = char::from_u32(code).filter(|c| c.len_utf8() == len)?;
    *at += len;
    Some(c)
}

/// Folds texts into one buffer and writes their patches into another.
#[derive(Default)]
pub struct Folder {
    items: Vec<u8>,
}

impl Folder {
    /// Appends `text` folded to `folded` and its patches to `patches`.
    pub fn add(&mut self, text: &str, folded: &mut Vec<u8>, patches: &mut Vec<u8>) {
        self.items.clear();
        let base = folded.len();
        let (mut count, mut last_end) = (0u64, 0usize);
        let mut utf8 = [0u8; 4];
        for c in text.chars() {
            if c.is_ascii() && !c.is_ascii_uppercase() && c != '\n' {
                folded.push(c as u8);
                continue;
            }
            let at = folded.len();
            for l in fold_char(c) {
                folded.extend_from_slice(l.encode_utf8(&mut utf8).as_bytes());
            }
            if folded[at..] != *c.encode_utf8(&mut utf8).as_bytes() {
                put_varint(&mut self.items, (at - base - last_end) as u64);
                self.items.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                last_end = folded.len() - base;
                count += 1;
            }
        }
        put_varint(patches, count);
        patches.extend_from_slice(&self.items);
    }
}

/// One character folding changed: where its folded form is in the folded
/// text, how long that is, and the character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patch {
    pub at: usize,
    pub len: usize,
    pub original: char,
}

/// Reads one text's patches at `at` (moving past them) into `out`.
pub fn read(bytes: &[u8], at: &mut usize, out: &mut Vec<Patch>) -> Option<()> {
    out.clear();
    let count = varint(bytes, at)?;
    let mut end = 0usize;
    for _ in 0..count {
        let gap = usize::try_from(varint(bytes, at)?).ok()?;
        let original = char_at(bytes, at)?;
        let start = end.checked_add(gap)?;
        let len = folded_len(original);
        out.push(Patch { at: start, len, original });
        end = start + len;
    }
    Some(())
}

/// Moves past one text's patches without reading them out.
pub fn skip(bytes: &[u8], at: &mut usize) -> Option<()> {
    let count = varint(bytes, at)?;
    for _ in 0..count {
        varint(bytes, at)?;
        char_at(bytes, at)?;
    }
    Some(())
}

/// The original text, from its folded form and its patches.
pub fn original(folded: &str, patches: &[Patch]) -> Option<String> {
    let extra: usize = patches.iter().map(|p| p.original.len_utf8()).sum();
    let mut out = String::with_capacity(folded.len() + extra);
    let mut at = 0;
    for p in patches {
        out.push_str(folded.get(at..p.at)?);
        out.push(p.original);
        at = p.at + p.len;
    }
    out.push_str(folded.get(at..)?);
    Some(out)
}

/// Where a match at `folded` in the folded text is in the original, as
/// `domain::text::find_folded` says it: from the start of the character
/// its first folded character came from to the end of its last one's.
pub fn original_range(folded: Range<usize>, patches: &[Patch]) -> Range<usize> {
    let (s, e) = (folded.start, folded.end);
    let mut shift = 0isize;
    let (mut start, mut end) = (None, None);
    let moved = |at: usize, shift: isize| (at as isize + shift) as usize;
    for p in patches {
        let span_end = p.at + p.len;
        if start.is_none() {
            if s < p.at {
                start = Some(moved(s, shift));
            } else if s < span_end {
                start = Some(moved(p.at, shift));
            }
        }
        if end.is_none() {
            if e <= p.at {
                end = Some(moved(e, shift));
            } else if e < span_end {
                end = Some(moved(p.at, shift) + p.original.len_utf8());
            }
        }
        if start.is_some() && end.is_some() {
            break;
        }
        shift += p.original.len_utf8() as isize - p.len as isize;
    }
    start.unwrap_or_else(|| moved(s, shift))..end.unwrap_or_else(|| moved(e, shift))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::{find_folded, fold};

    fn round_trip(text: &str) {
        let (mut folded, mut patches) = (Vec::new(), Vec::new());
        Folder::default().add(text, &mut folded, &mut patches);
        let folded = String::from_utf8(folded).unwrap();
        assert_eq!(folded, fold(text), "{text:?}");
        let (mut at, mut list) = (0, Vec::new());
        read(&patches, &mut at, &mut list).unwrap();
        assert_eq!(at, patches.len());
        let mut skipped = 0;
        skip(&patches, &mut skipped).unwrap();
        assert_eq!(skipped, patches.len());
        assert_eq!(original(&folded, &list).unwrap(), text);
        // Every needle that occurs maps to the range find_folded gives.
        let chars: Vec<(usize, char)> = folded.char_indices().collect();
        for i in 0..chars.len() {
            for j in i + 1..=chars.len().min(i + 4) {
                let end = chars.get(j).map_or(folded.len(), |c| c.0);
                let needle = &folded[chars[i].0..end];
                let first = folded.find(needle).unwrap();
                assert_eq!(
                    Some(original_range(first..first + needle.len(), &list)),
                    find_folded(text, needle),
                    "{text:?} {needle:?}"
                );
            }
        }
    }

    #[test]
    fn folded_text_and_patches_give_back_the_original_and_the_match() {
        for text in [
            "",
            "jeg ærgrer mig",
            "Jeg ÆRGRER mig",
            "Line one\nLine Two",
            "İstanbul İİ ı",
            "ΣΟΦΊΑ σοφία ẞ ß",
            "Å\u{30a} é\u{301} Ǆ ǅ ǆ",
            "😀 Ⅻ ⅻ ＡＢＣ",
            "\n\n\nX",
        ] {
            round_trip(text);
        }
    }

    #[test]
    fn damaged_patches_are_refused_not_trusted() {
        let mut out = Vec::new();
        assert!(read(&[3, 0], &mut 0, &mut out).is_none());
        assert!(read(&[1, 0xff, 0xff], &mut 0, &mut out).is_none());
        assert!(skip(&[0x80], &mut 0).is_none());
        assert!(original("abc", &[Patch { at: 5, len: 1, original: 'X' }]).is_none());
    }
}
