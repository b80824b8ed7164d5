//! Full-text search over the study: every line's text, every narrative's
//! title and memo, ignoring case over all of Unicode, in a stable order,
//! through the search index (`index`), which this file keeps in step with
//! every write and loads, checks and builds again as needed.
//!
//! How the index knows it is in step with the store: every batch that
//! writes lines or narratives also writes a new random *stamp* into sled
//! (tree `search`), journaled and applied with the batch, so sled's stamp
//! always names the last such batch. The index file records the stamp it
//! was built at, and each record of its log the stamps before and after
//! its batch. An index is used only if its file and log read whole and
//! chain from the file's stamp to sled's; anything else (a write whose log
//! record a crash lost, a torn or damaged file, another format) is found
//! and the index built again. Nothing here runs before a save is
//! acknowledged: the stamp is one more key in the batch, and the log record
//! is appended after the batch is in sled, without a sync.

use super::index::log::{self, Delta, DeltaRef, Stamp};
use super::index::{build, file, Found, Key, Loaded, Target, Unusable};
use super::journal::Op;
use super::{Change, Store, StoreError, NARRATIVES, SEARCH, UTTERANCES};
use crate::domain::text::fold;
use crate::domain::{Id, Narrative, Utterance};
use std::fs::File;
use std::io::{Read, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HitPlace {
    Line { session: Id, seq: u32 },
    NarrativeTitle { narrative: Id, session: Id, seq: u32 },
    NarrativeMemo { narrative: Id, session: Id, seq: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub place: HitPlace,
    /// The whole text the hit is in, and where in it the match is.
    pub text: String,
    pub matched: Range<usize>,
}

impl Hit {
    /// The session and line a hit opens at.
    pub fn target(&self) -> (Id, u32) {
        match self.place {
            HitPlace::Line { session, seq }
            | HitPlace::NarrativeTitle { session, seq, .. }
            | HitPlace::NarrativeMemo { session, seq, .. } => (session, seq),
        }
    }
}

/// The stamp's key in the `search` tree.
const STAMP_KEY: &[u8] = b"stamp";
/// A log larger than this is folded into a new index file when next loaded
/// (from the old file and the log: quick, and no line is read from sled).
const LOG_LIMIT: u64 = if cfg!(test) { 16 << 10 } else { 2 << 20 };
/// A log larger than this (a restore or an import into a store that has
/// an index) is not followed further: the index is built anew from sled.
const LOG_CAP: u64 = 16 << 20;

/// What this process knows of the store's stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    /// Not read yet (no batch has been written, no index loaded).
    Unread,
    Stamp(Option<Stamp>),
    /// It could not be read: no log record can be chained.
    Lost,
}

enum Appender {
    /// Not looked for yet: the first write looks whether there is an index to follow.
    Unknown,
    Off,
    On(File),
}

/// Follows the store's writes: its stamp, the log to append to, and the
/// writes an index in memory has still to take.
struct Tracker {
    known: Known,
    appender: Appender,
    /// Bytes in the log the appender writes to.
    log_len: u64,
    /// Some while an index is loaded (or being loaded or built) in this process.
    queue: Option<Vec<Delta>>,
}

/// The store's search index, as far as this process has it.
pub struct SearchIndex {
    /// Taken by every write after it is in sled: held only for a moment.
    tracker: Mutex<Tracker>,
    /// Held while searching, loading or building: writes never wait for it.
    loaded: Mutex<Option<Loaded>>,
    builds: AtomicU64,
    notes: Mutex<Vec<String>>,
}

impl Default for SearchIndex {
    fn default() -> Self {
        SearchIndex {
            tracker: Mutex::new(Tracker {
                known: Known::Unread,
                appender: Appender::Unknown,
                log_len: 0,
                queue: None,
            }),
            loaded: Mutex::new(None),
            builds: AtomicU64::new(0),
            notes: Mutex::new(Vec::new()),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the index's files from a store directory (a rewrite leaves none behind).
pub fn remove_files(dir: &Path) -> std::io::Result<()> {
    for name in [file::FILE_NAME, file::BUILDING, log::FILE_NAME, log::BUILDING] {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

fn hit(found: Found, narrative: bool) -> Hit {
    let session = Id::from_bytes(found.target.session);
    let seq = found.target.seq;
    let place = match (narrative, found.key.part) {
        (false, _) => HitPlace::Line { session, seq },
        (true, 0) => HitPlace::NarrativeTitle { narrative: Id::from_bytes(found.key.id), session, seq },
        (true, _) => HitPlace::NarrativeMemo { narrative: Id::from_bytes(found.key.id), session, seq },
    };
    Hit { place, text: found.text, matched: found.matched }
}

impl Store {
    /// The stamp op for a batch that writes lines or narratives (see the
    /// module's head). Called while the batch's ops are made, before it is
    /// journaled: so this process has read the store's stamp before its
    /// first batch is in sled.
    pub(super) fn search_stamp(&self, changes: &[Change]) -> Option<Op> {
        if !changes.iter().any(|c| matches!(c, Change::Utterance(_) | Change::Narrative(_))) {
            return None;
        }
        drop(self.tracker());
        Some(Op { tree: SEARCH, key: STAMP_KEY.to_vec(), value: Some(Id::new().as_bytes().to_vec()) })
    }

    /// The tracker, the store's stamp read into it if it was not yet.
    fn tracker(&self) -> MutexGuard<'_, Tracker> {
        let mut tracker = lock(&self.search.tracker);
        if tracker.known == Known::Unread {
            tracker.known = match self.tree(SEARCH).get(STAMP_KEY) {
                Ok(None) => Known::Stamp(None),
                Ok(Some(v)) => {
                    <[u8; 16]>::try_from(v.as_ref()).map_or(Known::Lost, |s| Known::Stamp(Some(s)))
                }
                Err(_) => Known::Lost,
            };
        }
        tracker
    }

    /// Keeps the index in step with one batch now in sled: appends its
    /// record to the log (no sync) and queues it for an index in memory.
    /// Runs after the batch was acknowledged; never waits for a search.
    pub(super) fn search_follow(&self, ops: &[Op]) {
        let Some(stamp) = ops.iter().find(|op| op.tree == SEARCH) else { return };
        let Some(to) = stamp.value.as_deref().and_then(|v| <[u8; 16]>::try_from(v).ok()) else { return };
        let mut tracker = lock(&self.search.tracker);
        let from = match tracker.known {
            Known::Stamp(from) => from,
            // A batch this process did not stamp: the log cannot follow it.
            Known::Unread | Known::Lost => {
                tracker.known = Known::Lost;
                tracker.appender = Appender::Off;
                let _ = remove_files(&self.dir);
                return;
            }
        };
        tracker.known = Known::Stamp(Some(to));
        if matches!(tracker.appender, Appender::Unknown) {
            let opened = self
                .dir
                .join(file::FILE_NAME)
                .exists()
                .then(|| log::open_append(&self.dir))
                .and_then(Result::ok);
            let len = opened.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.len());
            tracker.appender = opened.map_or(Appender::Off, Appender::On);
            tracker.log_len = len;
        }
        let searched = || ops.iter().filter(|op| op.tree == UTTERANCES || op.tree == NARRATIVES);
        // A log that would grow past its cap (a restore, a large import) is
        // let go before its record is even made: the index is built anew.
        let size: usize = searched().map(|op| op.key.len() + op.value.as_ref().map_or(0, Vec::len)).sum();
        if matches!(tracker.appender, Appender::On(_)) && tracker.log_len + size as u64 > LOG_CAP {
            tracker.appender = Appender::Off;
            let _ = remove_files(&self.dir);
        }
        if let Appender::On(file) = &mut tracker.appender {
            let mut record = Vec::new();
            log::frame(&DeltaRef { from, to, ops: searched().collect() }, &mut record);
            if file.write_all(&record).is_err() {
                // The chain on disk now ends short of the store: the next load builds anew.
                tracker.appender = Appender::Off;
            }
            tracker.log_len += record.len() as u64;
        }
        if let Some(queue) = &mut tracker.queue {
            queue.push(Delta { from, to, ops: searched().cloned().collect() });
        }
    }

    /// Loads the index, or builds it when it is missing, damaged or behind,
    /// then lets it take the writes queued since.
    fn search_ready(&self, slot: &mut Option<Loaded>) -> Result<(), StoreError> {
        if slot.is_none() {
            let (target, log_len, had) = {
                let mut tracker = self.tracker();
                tracker.queue = Some(Vec::new());
                let log_len = std::fs::metadata(self.dir.join(log::FILE_NAME)).map_or(0, |m| m.len());
                let had = self.dir.join(file::FILE_NAME).exists() || self.dir.join(log::FILE_NAME).exists();
                (tracker.known, log_len, had)
            };
            *slot = Some(match self.search_load(target, log_len) {
                Ok(loaded) if log_len > LOG_LIMIT => self.search_compact(loaded)?,
                Ok(loaded) => loaded,
                Err(Unusable::Missing) if !had => self.search_build(None)?,
                Err(why) => self.search_build(Some(format!("the search index {why}; it was built again")))?,
            });
        }
        let queued = lock(&self.search.tracker).queue.replace(Vec::new()).unwrap_or_default();
        let loaded = slot.as_mut().expect("loaded above");
        for delta in &queued {
            loaded.apply(self, delta);
        }
        Ok(())
    }

    /// The index on disk, if it is whole and its log chains to `target`.
    fn search_load(&self, target: Known, log_len: u64) -> Result<Loaded, Unusable> {
        let Known::Stamp(target) = target else {
            return Err(Unusable::Stale("cannot be matched with the store".into()));
        };
        let (directory, backing) = file::open(&self.dir, self.cipher.as_ref())?;
        if log_len > LOG_CAP {
            return Err(Unusable::Stale("has more writes since it was built than it follows".into()));
        }
        let mut bytes = Vec::new();
        if log_len > 0 {
            let read = File::open(self.dir.join(log::FILE_NAME))
                .and_then(|f| f.take(log_len).read_to_end(&mut bytes))
                .map_err(|e| {
                    Unusable::Damaged(format!(
                        "has a log that could not be read ({})",
                        super::files::cause(&e)
                    ))
                })?;
            if read as u64 != log_len {
                return Err(Unusable::Damaged("has a log that is cut short".into()));
            }
        }
        let deltas = log::parse(&bytes).map_err(|why| Unusable::Damaged(format!("is damaged: {why}")))?;
        let mut at = directory.stamp;
        for delta in &deltas {
            if delta.from != at {
                return Err(Unusable::Stale("misses a write to the store (its log is broken)".into()));
            }
            at = Some(delta.to);
        }
        if at != target {
            return Err(Unusable::Stale("is behind the store (a write was not logged in it)".into()));
        }
        let mut loaded = Loaded::new(directory, backing, true);
        for delta in &deltas {
            loaded.apply(self, delta);
        }
        Ok(loaded)
    }

    /// Builds the index from sled, writing its file and a log of the writes
    /// made meanwhile. Writes go on while it builds: they are queued, not held up.
    fn search_build(&self, note: Option<String>) -> Result<Loaded, StoreError> {
        let stamp = {
            let mut tracker = self.tracker();
            tracker.appender = Appender::Off;
            tracker.queue = Some(Vec::new());
            let _ = remove_files(&self.dir);
            match tracker.known {
                Known::Stamp(stamp) => stamp,
                // A stamp no store has: the file is never taken for in step.
                _ => Some(*Id::new().as_bytes()),
            }
        };
        self.search.builds.fetch_add(1, Ordering::Relaxed);
        let started = std::time::Instant::now();
        let built = build::build(self, stamp, &self.dir);
        // The build's buffers, freed on the threads that read sled, stay in
        // glibc's arenas as resident memory unless given back.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns the allocator's free memory to the OS.
        unsafe {
            libc::malloc_trim(0);
        }
        let (loaded, failed) = built?;
        let mut notes = lock(&self.search.notes);
        notes.extend(note);
        if failed.is_none() && notes.is_empty() {
            notes.push(format!(
                "built the search index in {:.1?}; it is kept up to date from now on",
                started.elapsed()
            ));
        }
        drop(notes);
        Ok(self.search_install(loaded, failed))
    }

    /// Folds the log into a new index file (see `build::compact`); builds
    /// anew from sled should the old file turn out damaged.
    fn search_compact(&self, loaded: Loaded) -> Result<Loaded, StoreError> {
        match build::compact(self, &loaded, &self.dir) {
            Ok((compacted, failed)) => Ok(self.search_install(compacted, failed)),
            Err(why) => {
                drop(loaded);
                self.search_build(Some(format!("the search index {why}; it was built again")))
            }
        }
    }

    /// Gives a new index file the log that chains on from its stamp: the
    /// writes queued since, so none made while it was written is missed.
    fn search_install(&self, mut loaded: Loaded, failed: Option<String>) -> Loaded {
        if loaded.kept {
            let mut tracker = lock(&self.search.tracker);
            let pending = tracker.queue.clone().unwrap_or_default();
            let logged = log::write_new(&self.dir, &pending)
                .and_then(|()| std::fs::rename(self.dir.join(log::BUILDING), self.dir.join(log::FILE_NAME)));
            if logged.is_ok() {
                tracker.appender = Appender::Unknown;
            } else {
                tracker.appender = Appender::Off;
                let _ = remove_files(&self.dir);
                loaded.kept = false;
            }
        }
        if let Some(why) = failed {
            lock(&self.search.notes).push(format!(
                "the search index could not be kept on disk ({why}): it is in memory until fieldlog ends"
            ));
        }
        loaded
    }

    /// Gives a new store its (empty) index, so that it is followed from the
    /// first line on and never has to be built from sled.
    pub(super) fn search_begin(&self) {
        let _slot = lock(&self.search.loaded);
        let _ = self.search_build(None);
        // Not kept loaded: what is written next (a restore, say) goes to the
        // log only, not into memory as well.
        lock(&self.search.tracker).queue = None;
        lock(&self.search.notes).clear();
    }

    /// Makes the search index ready now (call it on a thread of its own
    /// when a search is coming): loaded, or built when there is none yet.
    pub fn prepare_search(&self) -> Result<(), StoreError> {
        self.search_ready(&mut lock(&self.search.loaded))
    }

    /// Narrative titles and memos first (oldest narrative first), then lines
    /// in store order (sessions oldest first, then line number). At most `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let mut hits = Vec::new();
        self.search_each(query, limit, |hit| hits.push(hit))?;
        Ok(hits)
    }

    /// Like `search`, handing each hit to `each` as it is found instead of
    /// collecting them (a word in every line need not be held in memory).
    /// Returns how many there were.
    pub fn search_each(
        &self,
        query: &str,
        limit: usize,
        mut each: impl FnMut(Hit),
    ) -> Result<usize, StoreError> {
        let needle = fold(query.trim());
        if needle.is_empty() || limit == 0 {
            return Ok(0);
        }
        // Whatever was acknowledged before this search is in the index.
        self.wait_for_apply();
        let mut slot = lock(&self.search.loaded);
        self.search_ready(&mut slot)?;
        let mut handed = 0;
        let found = slot.as_ref().expect("ready").find(&needle, limit, &mut |found, narrative| {
            each(hit(found, narrative));
            handed += 1;
        });
        if let Err(why) = found {
            // A block found damaged: built again, and searched again from
            // where it was (every hit handed on came from a checked block).
            *slot = Some(self.search_build(Some(format!("the search index {why}; it was built again")))?);
            self.search_ready(&mut slot)?;
            let mut skip = handed;
            let found = slot.as_ref().expect("ready").find(&needle, limit, &mut |found, narrative| {
                if skip > 0 {
                    skip -= 1;
                } else {
                    each(hit(found, narrative));
                    handed += 1;
                }
            });
            found.map_err(|why| StoreError::Corrupt {
                what: "search index",
                reason: format!("it {why} even when just built"),
            })?;
        }
        Ok(handed)
    }

    /// What happened to the search index that a user should hear of (built,
    /// built again and why), each said once.
    pub fn search_notes(&self) -> Vec<String> {
        std::mem::take(&mut lock(&self.search.notes))
    }

    /// How many times this store built its search index (for tests).
    pub fn search_index_builds(&self) -> u64 {
        self.search.builds.load(Ordering::Relaxed)
    }

    /// For `check`: reads the index on disk whole and compares it with the
    /// store's lines and narratives; builds it again if it is damaged or
    /// differs. Says what was done, or `None` when there is no index or it is sound.
    pub(super) fn check_search_index(
        &self,
        narratives: &[(Vec<u8>, Narrative)],
    ) -> Result<Option<String>, StoreError> {
        let mut slot = lock(&self.search.loaded);
        if !self.dir.join(file::FILE_NAME).exists() && !self.dir.join(log::FILE_NAME).exists() {
            return Ok(None);
        }
        // Read from disk afresh, not as this process may have it.
        *slot = None;
        self.search_ready(&mut slot)?;
        let built = lock(&self.search.notes).pop();
        if let Some(note) = built {
            return Ok(Some(note));
        }
        let loaded = slot.as_ref().expect("ready");
        // The lines are read again from sled as they are compared, never all
        // held (`check` has already said which of them do not decode).
        let expected_lines = self.tree(UTTERANCES).iter().filter_map(|item| {
            let (k, value) = item.ok()?;
            let l: Utterance = self.read(&value).ok()?;
            if l.deleted || l.text.is_empty() {
                return None;
            }
            let key = super::index::line_key(&k).map_or(Key { id: [0; 16], part: 0 }, |(key, _)| key);
            Some((key, Target { session: key.id, seq: key.part }, std::borrow::Cow::Owned(l.text)))
        });
        let expected_narratives = narratives.iter().filter(|(_, n)| !n.deleted).flat_map(|(k, n)| {
            let id = <[u8; 16]>::try_from(k.as_slice()).unwrap_or([0; 16]);
            let target = Target { session: *n.session.as_bytes(), seq: n.first_seq };
            [(0, n.title.as_str()), (1, n.memo.as_str())]
                .into_iter()
                .filter(|(_, text)| !text.is_empty())
                .map(move |(part, text)| (Key { id, part }, target, std::borrow::Cow::Borrowed(text)))
        });
        let differs = match compare(expected_lines, |f| loaded.each_line(f)) {
            Ok(None) => compare(expected_narratives, |f| loaded.each_narrative(f)),
            other => other,
        };
        let why = match differs {
            Ok(None) => return Ok(None),
            Ok(Some(difference)) => format!("did not match the store ({difference})"),
            Err(why) => why.to_string(),
        };
        *slot = None;
        *slot = Some(self.search_build(None)?);
        lock(&self.search.notes).clear();
        Ok(Some(format!("the search index {why}; it was built again")))
    }
}

/// Compares what the index holds, in order, with what the store holds.
fn compare<'a>(
    expected: impl Iterator<Item = (Key, Target, std::borrow::Cow<'a, str>)>,
    each: impl FnOnce(&mut dyn FnMut(Key, Target, &str)) -> Result<(), Unusable>,
) -> Result<Option<String>, Unusable> {
    let mut expected = expected.peekable();
    let mut difference = None;
    each(&mut |key, target, text| {
        if difference.is_some() {
            return;
        }
        match expected.next() {
            Some(want) if (want.0, want.1, want.2.as_ref()) == (key, target, text) => {}
            Some((want, ..)) => {
                difference = Some(format!("at {} line {}", Id::from_bytes(want.id).short(), want.part))
            }
            None => {
                difference = Some(format!(
                    "it holds {} line {}, which the store has not",
                    Id::from_bytes(key.id).short(),
                    key.part
                ))
            }
        }
    })?;
    if difference.is_none() {
        if let Some((want, ..)) = expected.next() {
            difference = Some(format!("it lacks {} line {}", Id::from_bytes(want.id).short(), want.part));
        }
    }
    Ok(difference)
}
