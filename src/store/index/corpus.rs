//! A loaded section of the index: the file's entries, a bit for each one
//! replaced since, and the texts written since; searched block by block.

use super::file::{Backing, BlockInfo};
use super::{fold, Key, Section, Target, Unusable};
use crate::domain::text::{find_folded, fold};
use memchr::memmem::Finder;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// A text written since the build.
#[derive(Debug)]
pub struct Later {
    target: Target,
    folded: Box<str>,
    original: Box<str>,
}

/// One hit: whose it is, the original text, and where the match is in it.
#[derive(Debug)]
pub struct Found {
    pub key: Key,
    pub target: Target,
    pub text: String,
    pub matched: Range<usize>,
}

/// A loaded section: the file's entries, which of them are replaced, and
/// the texts written since.
#[derive(Debug)]
pub struct Corpus {
    pub section: Section,
    dead: Vec<u64>,
    pub later: BTreeMap<Key, Later>,
}

fn damaged_block(block: &BlockInfo) -> Unusable {
    Unusable::Damaged(format!("has a block ({}) whose entries do not read", block.number))
}

impl Corpus {
    pub fn new(section: Section) -> Corpus {
        let dead = vec![0u64; (section.entries as usize).div_ceil(64)];
        Corpus { section, dead, later: BTreeMap::new() }
    }

    fn is_dead(&self, entry: u32) -> bool {
        self.dead[entry as usize / 64] & (1 << (entry % 64)) != 0
    }

    /// Takes a write of `key`: its new text, or `None` when it is gone.
    pub fn set(&mut self, key: Key, target: Target, text: Option<&str>) {
        if let Some(entry) = self.section.keys.entry_of(&key, self.section.entries) {
            self.dead[entry as usize / 64] |= 1 << (entry % 64);
        }
        match text.filter(|t| !t.is_empty()) {
            Some(text) => {
                let later = Later { target, folded: fold(text).into(), original: text.into() };
                self.later.insert(key, later);
            }
            None => {
                self.later.remove(&key);
            }
        }
    }

    /// Hands `f` the first `limit` live entries that contain `needle`, in
    /// key order, as they are found; returns how many.
    pub fn find(
        &self,
        backing: &Backing,
        finder: &Finder,
        needle: &str,
        limit: usize,
        f: &mut dyn FnMut(Found),
    ) -> Result<usize, Unusable> {
        // Texts written since the build are few: their hits first, then
        // merged in key order into the file's as those come.
        let later = self.later.iter().filter(|(_, l)| finder.find(l.folded.as_bytes()).is_some());
        let mut later = later
            .filter_map(|(key, l)| {
                let matched = find_folded(&l.original, needle)?;
                Some(Found { key: *key, target: l.target, text: l.original.to_string(), matched })
            })
            .take(limit)
            .collect::<Vec<Found>>()
            .into_iter()
            .peekable();
        let mut count = 0;
        self.scan(backing, finder, limit >= ALL, &mut |found| {
            while count < limit {
                let Some(earlier) = later.next_if(|l| l.key < found.key) else { break };
                f(earlier);
                count += 1;
            }
            if count < limit {
                f(found);
                count += 1;
            }
            count < limit
        })?;
        for found in later.take(limit - count) {
            f(found);
            count += 1;
        }
        Ok(count)
    }

    /// Scans the file's blocks in order, handing each live hit to `f` until
    /// it says stop. When every hit is wanted (`all`, the command line's
    /// search), helper threads scan blocks ahead, each every n-th block,
    /// while this thread hands on the hits in order; a search that wants the
    /// first thousand is quicker on one thread, which stops when it has them.
    fn scan(
        &self,
        backing: &Backing,
        finder: &Finder,
        all: bool,
        f: &mut dyn FnMut(Found) -> bool,
    ) -> Result<(), Unusable> {
        let blocks = &self.section.blocks;
        let helpers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        if !all || helpers < 2 || blocks.len() < PARALLEL_BLOCKS {
            let mut scratch = Scratch::default();
            for block in blocks {
                if !self.scan_block(backing, block, finder, &mut scratch, f)? {
                    break;
                }
            }
            return Ok(());
        }
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let mut inboxes = Vec::with_capacity(helpers);
            for first in 0..helpers {
                // One block's hits waiting per helper: little scanned in vain when `f` stops early.
                let (hand, inbox) = std::sync::mpsc::sync_channel::<Result<Vec<Found>, Unusable>>(1);
                inboxes.push(inbox);
                let stop = &stop;
                scope.spawn(move || {
                    let mut scratch = Scratch::default();
                    for block in blocks.iter().skip(first).step_by(helpers) {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let mut hits = Vec::new();
                        let scanned = self.scan_block(backing, block, finder, &mut scratch, &mut |found| {
                            hits.push(found);
                            true
                        });
                        let failed = scanned.is_err();
                        if hand.send(scanned.map(|_| hits)).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            for i in 0..blocks.len() {
                let hits = match inboxes[i % helpers].recv() {
                    Ok(hits) => hits,
                    Err(_) => Err(Unusable::Damaged("could not be read (a search thread stopped)".into())),
                };
                let stopped = hits.map(|hits| hits.into_iter().any(|found| !f(found)));
                if !matches!(stopped, Ok(false)) {
                    stop.store(true, Ordering::Relaxed);
                    return stopped.map(|_| ());
                }
            }
            Ok(())
        })
    }

    /// Scans one block, handing each live hit to `f`; false once `f` said stop.
    /// Entries are found by counting the newlines between hits, never by
    /// searching for each hit's entry.
    fn scan_block(
        &self,
        backing: &Backing,
        block: &BlockInfo,
        finder: &Finder,
        scratch: &mut Scratch,
        f: &mut dyn FnMut(Found) -> bool,
    ) -> Result<bool, Unusable> {
        let needle_len = finder.needle().len();
        let payload = backing.read(block, &mut scratch.buf)?;
        let bad = || damaged_block(block);
        let (text, patch_bytes) = payload.split_at_checked(block.text as usize).ok_or_else(bad)?;
        let mut cursor = self.section.keys.cursor(block.first);
        let end_entry = block.first + block.count;
        let (mut pos, mut entry, mut entry_start, mut patch_at) = (0, block.first, 0, 0);
        while let Some(found) = finder.find(&text[pos..]) {
            let at = pos + found;
            let passed = memchr::memchr_iter(b'\n', &text[entry_start..at]).count();
            if passed > 0 {
                for _ in 0..passed {
                    fold::skip(patch_bytes, &mut patch_at).ok_or_else(bad)?;
                }
                entry += passed as u32;
                entry_start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
            }
            let end = at + memchr::memchr(b'\n', &text[at..]).ok_or_else(bad)?;
            if entry >= end_entry {
                return Err(bad());
            }
            if self.is_dead(entry) {
                fold::skip(patch_bytes, &mut patch_at).ok_or_else(bad)?;
            } else {
                fold::read(patch_bytes, &mut patch_at, &mut scratch.patches).ok_or_else(bad)?;
                // Only the entries hit are checked as UTF-8, not the whole block.
                let folded = std::str::from_utf8(&text[entry_start..end]).map_err(|_| bad())?;
                let original = fold::original(folded, &scratch.patches).ok_or_else(bad)?;
                let from = at - entry_start;
                let matched = fold::original_range(from..from + needle_len, &scratch.patches);
                let (key, target) = self.section.keys.key(entry, &mut cursor);
                if !f(Found { key, target, text: original, matched }) {
                    return Ok(false);
                }
            }
            entry += 1;
            entry_start = end + 1;
            pos = end + 1;
        }
        Ok(true)
    }

    /// Every live entry in key order, as the file holds it (its folded text
    /// and patches) or as written since (its text), every block checked.
    pub fn each_raw(&self, backing: &Backing, mut f: impl FnMut(Key, Target, Raw)) -> Result<(), Unusable> {
        let mut buf = Vec::new();
        let mut later = self.later.iter().peekable();
        for block in &self.section.blocks {
            let payload = backing.read(block, &mut buf)?;
            let bad = || damaged_block(block);
            let (text, patch_bytes) = payload.split_at_checked(block.text as usize).ok_or_else(bad)?;
            let mut cursor = self.section.keys.cursor(block.first);
            let mut patch_at = 0;
            let mut start = 0;
            for entry in block.first..block.first + block.count {
                let end = start + memchr::memchr(b'\n', &text[start..]).ok_or_else(bad)?;
                let patches_from = patch_at;
                fold::skip(patch_bytes, &mut patch_at).ok_or_else(bad)?;
                if !self.is_dead(entry) {
                    let (key, target) = self.section.keys.key(entry, &mut cursor);
                    while let Some((k, l)) = later.next_if(|(k, _)| **k < key) {
                        f(*k, l.target, Raw::Later(&l.original));
                    }
                    f(
                        key,
                        target,
                        Raw::Filed {
                            text: &text[start..=end],
                            patches: &patch_bytes[patches_from..patch_at],
                        },
                    );
                }
                start = end + 1;
            }
            if start != text.len() || patch_at != patch_bytes.len() {
                return Err(bad());
            }
        }
        for (k, l) in later {
            f(*k, l.target, Raw::Later(&l.original));
        }
        Ok(())
    }

    /// Every live entry's original text in key order, every block checked
    /// (for `check` to compare with the store).
    pub fn each(&self, backing: &Backing, mut f: impl FnMut(Key, Target, &str)) -> Result<(), Unusable> {
        let mut patches = Vec::new();
        let mut bad = None;
        self.each_raw(backing, |key, target, raw| match raw {
            Raw::Later(original) => f(key, target, original),
            Raw::Filed { text, patches: bytes } => {
                let original = fold::read(bytes, &mut 0, &mut patches)
                    .and_then(|()| std::str::from_utf8(&text[..text.len() - 1]).ok())
                    .and_then(|folded| fold::original(folded, &patches));
                match original {
                    Some(original) => f(key, target, &original),
                    None => bad = Some(Unusable::Damaged("has an entry that does not read".into())),
                }
            }
        })?;
        bad.map_or(Ok(()), Err)
    }
}

/// Sections of at least this many blocks are scanned on more than one
/// thread when at least `ALL` hits are wanted.
const PARALLEL_BLOCKS: usize = 8;
const ALL: usize = 100_000;

/// What scanning a block needs, kept from block to block.
#[derive(Default)]
struct Scratch {
    buf: Vec<u8>,
    patches: Vec<fold::Patch>,
}

/// One entry as `each_raw` hands it over.
pub enum Raw<'a> {
    /// From the file: its folded text with its newline, and its patches.
    Filed { text: &'a [u8], patches: &'a [u8] },
    /// Written since the file was built.
    Later(&'a str),
}
