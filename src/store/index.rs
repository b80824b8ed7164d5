//! The search index: every line's text and every narrative's title and
//! memo, case-folded, in a file of the store's directory (`search.index`)
//! that a search reads block by block, plus a log of the writes since it
//! was built (`search.log`). It is derived from the store, never the truth:
//! a missing, damaged or stale one is built again from sled.
//!
//! In memory a loaded index holds only its directory (keys as runs of line
//! numbers per session, and where each block is), a bit per entry replaced
//! since the build, and the texts written since; the folded text stays in
//! the file (in the OS's page cache once read), not in the process.

pub mod build;
pub mod file;
mod fold;
pub mod log;

use super::{Store, NARRATIVES, UTTERANCES};
use crate::domain::text::{find_folded, fold};
use crate::domain::{Narrative, Utterance};
use file::{Backing, BlockInfo};
use log::{Delta, Stamp};
use memchr::memmem::Finder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// The layout of the index file; a file of another format is built again.
pub const FORMAT: u32 = 1;

/// An entry's key, in store order: a line's session and number, or a
/// narrative's id and field (0 the title, 1 the memo).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub id: [u8; 16],
    pub part: u32,
}

/// Where a hit opens: the session and line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub session: [u8; 16],
    pub seq: u32,
}

/// Consecutive line numbers of one session, from entry `first_entry` on.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Run {
    /// The session's place in `Keys::Runs::sessions`.
    pub session: u32,
    pub first_seq: u32,
    pub first_entry: u32,
}

/// The keys of a section's entries, in entry order (which is key order).
#[derive(Debug, Serialize, Deserialize)]
pub enum Keys {
    /// Lines: a session's lines are mostly numbered without gaps, so a run
    /// of them takes 12 bytes instead of 20 a line.
    Runs { sessions: Vec<[u8; 16]>, runs: Vec<Run> },
    /// Narratives: each entry's key and target.
    Table(Vec<(Key, Target)>),
}

impl Keys {
    /// The run entry `entry` is in (for `Runs`), to start a cursor at.
    fn cursor(&self, entry: u32) -> usize {
        match self {
            Keys::Runs { runs, .. } => runs.partition_point(|r| r.first_entry <= entry).saturating_sub(1),
            Keys::Table(_) => 0,
        }
    }

    /// The key of `entry`, moving `cursor` forward: entries are asked for in order.
    fn key(&self, entry: u32, cursor: &mut usize) -> (Key, Target) {
        match self {
            Keys::Runs { sessions, runs } => {
                while *cursor + 1 < runs.len() && runs[*cursor + 1].first_entry <= entry {
                    *cursor += 1;
                }
                let run = runs[*cursor];
                let id = sessions[run.session as usize];
                let seq = run.first_seq + (entry - run.first_entry);
                (Key { id, part: seq }, Target { session: id, seq })
            }
            Keys::Table(table) => table[entry as usize],
        }
    }

    /// The entry holding `key`, if the section has one.
    fn entry_of(&self, key: &Key, entries: u32) -> Option<u32> {
        match self {
            Keys::Runs { sessions, runs } => {
                let session = sessions.binary_search(&key.id).ok()? as u32;
                let at = runs
                    .partition_point(|r| (r.session, r.first_seq) <= (session, key.part))
                    .checked_sub(1)?;
                let run = runs[at];
                let end = runs.get(at + 1).map_or(entries, |r| r.first_entry);
                let offset = key.part.checked_sub(run.first_seq)?;
                (run.session == session && offset < end - run.first_entry).then_some(run.first_entry + offset)
            }
            Keys::Table(table) => table.binary_search_by(|(k, _)| k.cmp(key)).ok().map(|i| i as u32),
        }
    }

    fn check(&self, entries: u32) -> Result<(), String> {
        match self {
            Keys::Runs { sessions, runs } => {
                if !sessions.windows(2).all(|w| w[0] < w[1]) {
                    return Err("its sessions are out of order".into());
                }
                if entries > 0 && runs.first().map(|r| r.first_entry) != Some(0) {
                    return Err("its first run does not start at the first line".into());
                }
                for (i, run) in runs.iter().enumerate() {
                    let end = runs.get(i + 1).map_or(entries, |r| r.first_entry);
                    let fits = run.first_entry < end
                        && (run.session as usize) < sessions.len()
                        && run.first_seq.checked_add(end - run.first_entry - 1).is_some();
                    let ordered = runs.get(i + 1).is_none_or(|next| {
                        (run.session, u64::from(run.first_seq) + u64::from(end - run.first_entry))
                            <= (next.session, u64::from(next.first_seq))
                    });
                    if !fits || !ordered {
                        return Err(format!("its run {i} of line numbers does not fit"));
                    }
                }
                Ok(())
            }
            Keys::Table(table) => {
                if table.len() != entries as usize || !table.windows(2).all(|w| w[0].0 < w[1].0) {
                    return Err("its narrative keys do not fit".into());
                }
                Ok(())
            }
        }
    }
}

/// One part of the index: lines, or narratives.
#[derive(Debug, Serialize, Deserialize)]
pub struct Section {
    pub keys: Keys,
    pub blocks: Vec<BlockInfo>,
    pub entries: u32,
}

/// What the index file's directory holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Directory {
    pub format: u32,
    /// Chosen at each build; every block carries it.
    pub file_id: [u8; 16],
    /// The store's search stamp when the build began.
    pub stamp: Option<Stamp>,
    /// How common each byte is in the folded texts (0 the rarest, 255 the
    /// most common): a search looks first for its needle's rarest bytes,
    /// which in Danish are not the bytes of æ, ø and å, as a guess made for
    /// English would have it.
    pub ranks: Vec<u8>,
    pub lines: Section,
    pub narratives: Section,
}

impl Directory {
    /// Whether the directory is whole and fits the file it came from.
    pub fn check(&self, directory_at: u64) -> Result<(), Unusable> {
        let damaged = |why: String| Unusable::Damaged(format!("has a directory that does not fit: {why}"));
        if self.format != FORMAT {
            return Err(Unusable::Stale(format!("is of another format ({})", self.format)));
        }
        if self.ranks.len() != 256 {
            return Err(damaged("its byte ranks".into()));
        }
        let mut number = 0;
        for section in [&self.lines, &self.narratives] {
            section.keys.check(section.entries).map_err(damaged)?;
            let mut first = 0u32;
            for b in &section.blocks {
                let fits = b.number == number
                    && b.at >= 8
                    && b.at.checked_add(u64::from(b.stored)).is_some_and(|end| end <= directory_at)
                    && b.text <= b.stored
                    && b.count > 0
                    && b.first == first;
                if !fits {
                    return Err(damaged(format!("block {number}")));
                }
                first = first.checked_add(b.count).ok_or_else(|| damaged(format!("block {number}")))?;
                number += 1;
            }
            if first != section.entries {
                return Err(damaged("its blocks do not hold every entry".into()));
            }
        }
        Ok(())
    }
}

/// Byte ranks for memchr's prefilter, from the index's own texts.
#[derive(Clone, Copy)]
struct Ranks<'a>(&'a [u8]);

impl memchr::arch::all::packedpair::HeuristicFrequencyRank for Ranks<'_> {
    fn rank(&self, byte: u8) -> u8 {
        self.0.get(usize::from(byte)).copied().unwrap_or(128)
    }
}

/// Ranks every byte by how often it occurs in `counts` (256 counts).
pub fn ranks(counts: &[u64; 256]) -> Vec<u8> {
    let mut order: Vec<u8> = (0..=255).collect();
    order.sort_by_key(|b| counts[usize::from(*b)]);
    let mut ranks = vec![0u8; 256];
    for (rank, byte) in order.into_iter().enumerate() {
        ranks[usize::from(byte)] = rank as u8;
    }
    ranks
}

/// Why an index on disk is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Missing,
    Damaged(String),
    Stale(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Missing => write!(f, "is missing"),
            Unusable::Damaged(why) | Unusable::Stale(why) => write!(f, "{why}"),
        }
    }
}

/// A text written since the build.
#[derive(Debug)]
struct Later {
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
struct Corpus {
    section: Section,
    dead: Vec<u64>,
    later: BTreeMap<Key, Later>,
}

fn damaged_block(block: &BlockInfo) -> Unusable {
    Unusable::Damaged(format!("has a block ({}) whose entries do not read", block.number))
}

impl Corpus {
    fn new(section: Section) -> Corpus {
        let dead = vec![0u64; (section.entries as usize).div_ceil(64)];
        Corpus { section, dead, later: BTreeMap::new() }
    }

    fn is_dead(&self, entry: u32) -> bool {
        self.dead[entry as usize / 64] & (1 << (entry % 64)) != 0
    }

    /// Takes a write of `key`: its new text, or `None` when it is gone.
    fn set(&mut self, key: Key, target: Target, text: Option<&str>) {
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
    fn find(
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
    fn each_raw(&self, backing: &Backing, mut f: impl FnMut(Key, Target, Raw)) -> Result<(), Unusable> {
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
    fn each(&self, backing: &Backing, mut f: impl FnMut(Key, Target, &str)) -> Result<(), Unusable> {
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

/// An index ready to search: the file's directory and blocks, and what
/// was written since.
pub struct Loaded {
    backing: Backing,
    ranks: Vec<u8>,
    /// The store's stamp this index is at: the file's, then each write's it took.
    pub stamp: Option<Stamp>,
    lines: Corpus,
    narratives: Corpus,
    /// Whether the file on disk is this index (false when it could not be written).
    pub kept: bool,
}

/// A line's key and target from its store key.
pub fn line_key(key: &[u8]) -> Option<(Key, Target)> {
    let id: [u8; 16] = key.get(..16)?.try_into().ok()?;
    let seq = u32::from_be_bytes(key.get(16..20)?.try_into().ok()?);
    (key.len() == 20).then_some((Key { id, part: seq }, Target { session: id, seq }))
}

impl Loaded {
    pub fn new(directory: Directory, backing: Backing, kept: bool) -> Loaded {
        Loaded {
            backing,
            ranks: directory.ranks,
            stamp: directory.stamp,
            lines: Corpus::new(directory.lines),
            narratives: Corpus::new(directory.narratives),
            kept,
        }
    }

    /// Takes one batch's writes to lines and narratives (values as stored).
    pub fn apply(&mut self, store: &Store, delta: &Delta) {
        self.stamp = Some(delta.to);
        for op in &delta.ops {
            if op.tree == UTTERANCES {
                let Some((key, target)) = line_key(&op.key) else { continue };
                let line: Option<Utterance> = op.value.as_deref().and_then(|v| store.read(v).ok());
                self.lines.set(key, target, line.as_ref().filter(|l| !l.deleted).map(|l| l.text.as_str()));
            } else if op.tree == NARRATIVES {
                let Ok(id) = <[u8; 16]>::try_from(op.key.as_slice()) else { continue };
                let n: Option<Narrative> = op.value.as_deref().and_then(|v| store.read(v).ok());
                let target = n.as_ref().map_or(Target { session: [0; 16], seq: 0 }, |n| Target {
                    session: *n.session.as_bytes(),
                    seq: n.first_seq,
                });
                let alive = n.as_ref().filter(|n| !n.deleted);
                self.narratives.set(Key { id, part: 0 }, target, alive.map(|n| n.title.as_str()));
                self.narratives.set(Key { id, part: 1 }, target, alive.map(|n| n.memo.as_str()));
            }
        }
    }

    /// Hands `f` the narrative hits, then the line hits (each with whether
    /// it is a narrative's), at most `limit` in all; returns how many.
    pub fn find(
        &self,
        needle: &str,
        limit: usize,
        f: &mut dyn FnMut(Found, bool),
    ) -> Result<usize, Unusable> {
        let finder = memchr::memmem::FinderBuilder::new()
            .build_forward_with_ranker(Ranks(&self.ranks), needle.as_bytes());
        let narratives =
            self.narratives.find(&self.backing, &finder, needle, limit, &mut |found| f(found, true))?;
        let lines = self
            .lines
            .find(&self.backing, &finder, needle, limit - narratives, &mut |found| f(found, false))?;
        Ok(narratives + lines)
    }

    /// Every live line, then every narrative title and memo, in key order.
    pub fn each_line(&self, f: impl FnMut(Key, Target, &str)) -> Result<(), Unusable> {
        self.lines.each(&self.backing, f)
    }

    pub fn each_narrative(&self, f: impl FnMut(Key, Target, &str)) -> Result<(), Unusable> {
        self.narratives.each(&self.backing, f)
    }
}

#[cfg(test)]
mod tests;
