//! Building the index file from sled: the lines on every core, a run of
//! them (all of one session, or the lines between two sessions' keys) per
//! job, handed to one writer in key order in pieces of about a megabyte, so
//! that what waits in memory stays small however large a session is.

use super::file::{self, BlockInfo, Writer};
use super::fold::Folder;
use super::log::Stamp;
use super::{Directory, Key, Keys, Loaded, Raw, Run, Section, Target, Unusable, FORMAT};
use crate::domain::{Narrative, Utterance};
use crate::store::{Store, StoreError, NARRATIVES, SESSIONS, UTTERANCES};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::ops::Bound;
use std::path::Path;
use std::sync::{Condvar, Mutex};

/// Folded text per block: small enough that a search for a common word
/// reads little before it has its hits, large enough that a block's
/// overhead (a read, a checksum, in an encrypted study a seal) is nothing.
const BLOCK: usize = if cfg!(test) { 4 << 10 } else { 256 << 10 };
/// A job hands its lines over in pieces of about this much text.
const PIECE: usize = if cfg!(test) { 8 << 10 } else { 1 << 20 };
/// At most this much text waits for the writer (besides the piece being written).
const WAITING: usize = if cfg!(test) { 16 << 10 } else { 8 << 20 };

/// Lines read and folded by one job, in key order.
#[derive(Default)]
struct Piece {
    text: Vec<u8>,
    patches: Vec<u8>,
    /// Per line: its key, and where its text and patches end.
    lines: Vec<([u8; 16], u32, u32, u32)>,
}

impl Piece {
    fn bytes(&self) -> usize {
        self.text.len() + self.patches.len() + self.lines.len() * 28
    }
}

/// Fills blocks with entries and hands each full one to the file.
struct Blocks<'w> {
    writer: &'w mut Writer,
    text: Vec<u8>,
    patches: Vec<u8>,
    first: u32,
    count: u32,
    infos: Vec<BlockInfo>,
    counts: [u64; 256],
}

impl<'w> Blocks<'w> {
    fn new(writer: &'w mut Writer) -> Blocks<'w> {
        Blocks {
            writer,
            text: Vec::new(),
            patches: Vec::new(),
            first: 0,
            count: 0,
            infos: Vec::new(),
            counts: [0; 256],
        }
    }

    fn push(&mut self, text: &[u8], patches: &[u8]) {
        // A sample of the texts is enough to rank bytes by how common they are.
        if self.count.is_multiple_of(8) {
            for &b in text {
                self.counts[usize::from(b)] += 1;
            }
        }
        self.text.extend_from_slice(text);
        self.patches.extend_from_slice(patches);
        self.count += 1;
        if self.text.len() >= BLOCK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.count == 0 {
            return;
        }
        let text = self.text.len();
        self.text.extend_from_slice(&self.patches);
        self.infos.push(self.writer.block(&self.text, text, self.first, self.count));
        self.first += self.count;
        self.count = 0;
        self.text.clear();
        self.patches.clear();
    }

    fn finish(mut self, counts: &mut [u64; 256]) -> (Vec<BlockInfo>, u32) {
        self.flush();
        for (total, n) in counts.iter_mut().zip(self.counts) {
            *total += n;
        }
        (self.infos, self.first)
    }
}

/// The lines' keys as runs of line numbers per session, made entry by entry in key order.
#[derive(Default)]
struct RunsBuilder {
    sessions: Vec<[u8; 16]>,
    runs: Vec<Run>,
    entries: u32,
}

impl RunsBuilder {
    fn push(&mut self, session: [u8; 16], seq: u32) {
        if self.sessions.last() != Some(&session) {
            self.sessions.push(session);
        }
        let number = self.sessions.len() as u32 - 1;
        let entries = self.entries;
        let continues = self.runs.last().is_some_and(|r| {
            r.session == number
                && u64::from(r.first_seq) + u64::from(entries - r.first_entry) == u64::from(seq)
        });
        if !continues {
            self.runs.push(Run { session: number, first_seq: seq, first_entry: entries });
        }
        self.entries += 1;
    }

    fn finish(mut self) -> Keys {
        self.sessions.shrink_to_fit();
        self.runs.shrink_to_fit();
        Keys::Runs { sessions: self.sessions, runs: self.runs }
    }
}

/// Where the jobs and the writer meet.
#[derive(Default)]
struct Queue {
    /// The next job to hand out, and the one being written.
    next: usize,
    current: usize,
    pieces: BTreeMap<usize, VecDeque<Result<Piece, StoreError>>>,
    finished: HashSet<usize>,
    waiting: usize,
    stop: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// A piece came, or a job finished.
    came: Condvar,
    /// Room was made, or the writer moved on to the next job.
    room: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands a piece of job `job` to the writer; false once building stopped.
    fn hand(&self, job: usize, piece: Result<Piece, StoreError>, last: bool) -> bool {
        let size = piece.as_ref().map_or(0, Piece::bytes);
        let mut queue = self.lock();
        while !queue.stop && job != queue.current && queue.waiting > 0 && queue.waiting + size > WAITING {
            queue = self.room.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
        if queue.stop {
            return false;
        }
        queue.waiting += size;
        queue.pieces.entry(job).or_default().push_back(piece);
        if last {
            queue.finished.insert(job);
        }
        self.came.notify_all();
        true
    }

    /// The next piece of job `job`, or `None` once it has no more.
    fn take(&self, job: usize) -> Option<Result<Piece, StoreError>> {
        let mut queue = self.lock();
        loop {
            if let Some(piece) = queue.pieces.get_mut(&job).and_then(VecDeque::pop_front) {
                queue.waiting -= piece.as_ref().map_or(0, Piece::bytes);
                self.room.notify_all();
                return Some(piece);
            }
            if queue.finished.contains(&job) {
                queue.pieces.remove(&job);
                queue.current = job + 1;
                self.room.notify_all();
                return None;
            }
            queue = self.came.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.room.notify_all();
    }
}

/// Reads the lines of one job's key range, handing them over piece by piece.
fn read_lines(store: &Store, range: KeyRange, job: usize, shared: &Shared) {
    let mut folder = Folder::default();
    let mut piece = Piece::default();
    for item in store.tree(UTTERANCES).range(range) {
        let read = item.map_err(StoreError::from).and_then(|(key, value)| {
            let line: Utterance = store.read(&value)?;
            Ok((key, line))
        });
        let (key, line) = match read {
            Ok(read) => read,
            Err(e) => {
                shared.hand(job, Err(e), true);
                return;
            }
        };
        let Some((key, _)) = super::line_key(&key) else { continue };
        if line.deleted || line.text.is_empty() {
            continue;
        }
        folder.add(&line.text, &mut piece.text, &mut piece.patches);
        piece.text.push(b'\n');
        piece.lines.push((key.id, key.part, piece.text.len() as u32, piece.patches.len() as u32));
        if piece.text.len() >= PIECE && !shared.hand(job, Ok(std::mem::take(&mut piece)), false) {
            return;
        }
    }
    shared.hand(job, Ok(piece), true);
}

/// A range of line keys.
type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The store's sessions' keys: the lines between two of them are one job.
fn jobs(store: &Store) -> Result<Vec<KeyRange>, StoreError> {
    let mut bounds = vec![Bound::Unbounded];
    for key in store.tree(SESSIONS).iter().keys() {
        bounds.push(Bound::Included(key?.to_vec()));
    }
    let ends = bounds.iter().skip(1).map(|b| match b {
        Bound::Included(k) => Bound::Excluded(k.clone()),
        other => other.clone(),
    });
    let ends: Vec<_> = ends.chain([Bound::Unbounded]).collect();
    Ok(bounds.into_iter().zip(ends).collect())
}

/// The lines' section: read on every core, written in key order.
fn lines(store: &Store, writer: &mut Writer, counts: &mut [u64; 256]) -> Result<Section, StoreError> {
    let jobs = jobs(store)?;
    let shared = Shared { queue: Mutex::new(Queue::default()), came: Condvar::new(), room: Condvar::new() };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let mut blocks = Blocks::new(writer);
    let mut keys = RunsBuilder::default();
    let written = std::thread::scope(|scope| {
        for _ in 0..workers {
            let (shared, jobs) = (&shared, &jobs);
            scope.spawn(move || loop {
                let job = {
                    let mut queue = shared.lock();
                    if queue.stop || queue.next >= jobs.len() {
                        return;
                    }
                    queue.next += 1;
                    queue.next - 1
                };
                let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    read_lines(store, jobs[job].clone(), job, shared)
                }));
                if read.is_err() {
                    let what = "line";
                    shared.hand(
                        job,
                        Err(StoreError::Corrupt { what, reason: "reading it failed".into() }),
                        true,
                    );
                }
            });
        }
        for job in 0..jobs.len() {
            while let Some(piece) = shared.take(job) {
                let piece = match piece {
                    Ok(piece) => piece,
                    Err(e) => {
                        shared.stop();
                        return Err(e);
                    }
                };
                let (mut text_at, mut patch_at) = (0usize, 0usize);
                for &(session, seq, text_end, patch_end) in &piece.lines {
                    let (text_end, patch_end) = (text_end as usize, patch_end as usize);
                    blocks.push(&piece.text[text_at..text_end], &piece.patches[patch_at..patch_end]);
                    (text_at, patch_at) = (text_end, patch_end);
                    keys.push(session, seq);
                }
            }
        }
        Ok(())
    });
    written?;
    let (infos, entries) = blocks.finish(counts);
    Ok(Section { keys: keys.finish(), blocks: infos, entries })
}

/// The narratives' section: titles and memos, in key order.
fn narratives(store: &Store, writer: &mut Writer, counts: &mut [u64; 256]) -> Result<Section, StoreError> {
    let mut blocks = Blocks::new(writer);
    let mut table = Vec::new();
    let mut folder = Folder::default();
    let (mut text, mut patches) = (Vec::new(), Vec::new());
    for item in store.tree(NARRATIVES).iter() {
        let (key, value) = item?;
        let n: Narrative = store.read(&value)?;
        let Ok(id) = <[u8; 16]>::try_from(key.as_ref()) else { continue };
        if n.deleted {
            continue;
        }
        let target = Target { session: *n.session.as_bytes(), seq: n.first_seq };
        for (part, field) in [(0, &n.title), (1, &n.memo)] {
            if field.is_empty() {
                continue;
            }
            text.clear();
            patches.clear();
            folder.add(field, &mut text, &mut patches);
            text.push(b'\n');
            blocks.push(&text, &patches);
            table.push((Key { id, part }, target));
        }
    }
    let (infos, entries) = blocks.finish(counts);
    Ok(Section { keys: Keys::Table(table), blocks: infos, entries })
}

/// Builds the index of the store as it is from `stamp` on into
/// `dir/search.index` (written beside, then renamed; never synced: a file
/// a power cut damaged is found by its checksums and built again).
/// Returns it loaded, and why it could not be kept on disk, if it could not.
pub fn build(
    store: &Store,
    stamp: Option<Stamp>,
    dir: &Path,
) -> Result<(Loaded, Option<String>), StoreError> {
    let mut writer = Writer::new(dir, store.cipher.clone());
    let mut counts = [0u64; 256];
    let built = lines(store, &mut writer, &mut counts)
        .and_then(|lines| Ok((lines, narratives(store, &mut writer, &mut counts)?)));
    let (lines, narratives) = match built {
        Ok(built) => built,
        Err(e) => {
            let _ = std::fs::remove_file(dir.join(file::BUILDING));
            return Err(e);
        }
    };
    let ranks = super::ranks(&counts);
    let directory = Directory { format: FORMAT, file_id: writer.file_id(), stamp, ranks, lines, narratives };
    let (backing, failed) = writer.finish(&directory, &dir.join(file::FILE_NAME));
    Ok((Loaded::new(directory, backing, failed.is_none()), failed))
}

/// Folds the writes a loaded index took since its file was built into a
/// new file, from the old file and those writes alone: no line is read from
/// sled, so it is quick and leaves sled's cache as it was. Returns it
/// loaded, and why it could not be kept on disk, if it could not.
pub fn compact(store: &Store, old: &Loaded, dir: &Path) -> Result<(Loaded, Option<String>), Unusable> {
    let mut writer = Writer::new(dir, store.cipher.clone());
    let mut counts = [0u64; 256];
    let mut folder = Folder::default();
    let (mut text, mut patches) = (Vec::new(), Vec::new());
    let mut add = |blocks: &mut Blocks, raw: Raw| match raw {
        Raw::Filed { text, patches } => blocks.push(text, patches),
        Raw::Later(original) => {
            text.clear();
            patches.clear();
            folder.add(original, &mut text, &mut patches);
            text.push(b'\n');
            blocks.push(&text, &patches);
        }
    };
    let lines = {
        let mut blocks = Blocks::new(&mut writer);
        let mut keys = RunsBuilder::default();
        old.lines.each_raw(&old.backing, |key, _, raw| {
            add(&mut blocks, raw);
            keys.push(key.id, key.part);
        })?;
        let (infos, entries) = blocks.finish(&mut counts);
        Section { keys: keys.finish(), blocks: infos, entries }
    };
    let narratives = {
        let mut blocks = Blocks::new(&mut writer);
        let mut table = Vec::new();
        old.narratives.each_raw(&old.backing, |key, target, raw| {
            add(&mut blocks, raw);
            table.push((key, target));
        })?;
        let (infos, entries) = blocks.finish(&mut counts);
        Section { keys: Keys::Table(table), blocks: infos, entries }
    };
    let ranks = super::ranks(&counts);
    let directory =
        Directory { format: FORMAT, file_id: writer.file_id(), stamp: old.stamp, ranks, lines, narratives };
    let (backing, failed) = writer.finish(&directory, &dir.join(file::FILE_NAME));
    Ok((Loaded::new(directory, backing, failed.is_none()), failed))
}
