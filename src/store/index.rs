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
mod corpus;
pub mod file;
mod fold;
pub mod log;

use super::{Store, NARRATIVES, UTTERANCES};
use crate::domain::{Narrative, Utterance};
use corpus::Corpus;
pub use corpus::{Found, Raw};
use file::{Backing, BlockInfo};
use log::{Delta, Stamp};
use serde::{Deserialize, Serialize};

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
