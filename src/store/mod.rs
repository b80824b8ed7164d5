//! The only code that knows sled: one study's store, its key layout, locking
//! and durability. Everything else reads and writes through `Store`.

pub mod check;
mod commit;
mod crypt;
mod durable;
pub mod envelope;
mod error;
mod file_key;
pub mod files;
pub use file_key::FileKey;
mod index;
mod journal;
mod keys;
mod layouts;
pub mod lifecycle;
mod lock;
mod reads;
pub mod recordings;
pub mod search;
pub mod sync_marks;
pub mod writer;

use crate::domain::contacts::{ContactLedger, ContactPlan, Recruitment};
use crate::domain::narrated::NarratedTime;
use crate::domain::MaskList;
use crate::domain::{
    Case, Codebook, Draft, Effort, EffortKinds, Id, Link, MarkDismissal, Narrative, Revision, Session,
    TeamValue, Utterance, Variables,
};
use crate::domain::{Consent, Recording, Retiming};
use envelope::{decode, Versioned};
pub use error::StoreError;
#[doc(hidden)]
pub use journal::Fault as JournalFault;
use journal::Journal;
use std::fs::File;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The trees that journal ops write to, by their number in an op. Numbers
/// are stored in the journal: only ever append.
const JOURNALED: [&str; 20] = [
    "utterances",
    "revisions",
    "sessions",
    "drafts",
    "narratives",
    "codebook",
    "dismissals",
    "cases",
    "variables",
    "efforts",
    "links",
    "effort_kinds",
    "case_codes",
    "masks",
    "search",
    // Reserved for work under way, so that branches do not number alike:
    // a session's recording (issue 15), the follow-up year's contact ledger
    // and recruitment log (issue 16). An empty tree is never written to the
    // journal.
    "recordings",
    "contacts",
    "recruitment",
    // A team's sync bookkeeping and blind-coding settings (`TeamValue`).
    "team",
    // What changed since this laptop last synced (see `sync_marks`).
    "sync_marks",
];
const UTTERANCES: u8 = 0;
const REVISIONS: u8 = 1;
const SESSIONS: u8 = 2;
const DRAFTS: u8 = 3;
const NARRATIVES: u8 = 4;
const CODEBOOK: u8 = 5;
const DISMISSALS: u8 = 6;
const CASES: u8 = 7;
const VARIABLES: u8 = 8;
const EFFORTS: u8 = 9;
const LINKS: u8 = 10;
const EFFORT_KINDS: u8 = 11;
const CASE_CODES: u8 = 12;
const MASKS: u8 = 13;
/// The search stamp (see `search`).
const SEARCH: u8 = 14;
/// Sessions' recordings, speakers' consent to them, lines re-timed by ear (see `recordings`).
const RECORDINGS: u8 = 15;
/// The follow-up year's facts: the study's contact plan, each case's
/// contact ledger and each narrative's narrated time (see `keys`).
const CONTACTS: u8 = 16;
/// The recruitment log, by entry id.
const RECRUITMENT: u8 = 17;
const TEAM: u8 = 18;
const SYNC_MARKS: u8 = 19;
/// The key of a tree that holds one value.
const ONLY: &[u8] = b"only";
/// The codebook's one key in its tree.
const CODEBOOK_KEY: &[u8] = b"codebook";

/// The layout of the whole store (trees and keys); values carry their own version.
pub const STORE_FORMAT: u8 = 1;

/// How an opened store finds its key: from a passphrase (or none), or
/// already derived (reopening after a rewrite).
enum Key<'a> {
    Passphrase(Option<&'a str>),
    Known(Option<crypt::Cipher>),
}

/// Opens sled in `sled_dir` with the settings every store uses.
/// sled 0.34 writes a snapshot as `snap.N.generating` and renames it when
/// whole; one left by a failed write (a full disk) is taken for a snapshot
/// on the next open, which then calls the store damaged. It is never whole.
fn remove_unfinished_snapshots(sled_dir: &Path) -> Result<(), StoreError> {
    let Ok(entries) = std::fs::read_dir(sled_dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path()).map_err(|e| StoreError::File {
                path: entry.path(),
                doing: "remove".into(),
                cause: files::cause(&e),
            })?;
        }
    }
    Ok(())
}

/// sled lets go of its files a little after its last handle is dropped, so
/// a store reopened in the same process (after creation or a rewrite) waits
/// for that; another process never gets this far (the store lock comes first).
fn open_sled(sled_dir: &Path, compressed: bool) -> Result<sled::Db, StoreError> {
    remove_unfinished_snapshots(sled_dir)?;
    let config =
        sled::Config::new().path(sled_dir).cache_capacity(8 * 1024 * 1024).use_compression(compressed);
    let mut tries = 0;
    loop {
        match config.open() {
            Err(sled::Error::Io(e)) if tries < 500 && e.to_string().contains("could not acquire lock") => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            opened => return Ok(opened?),
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the clock other processes read too.
pub fn monotonic_ns() -> u64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// One change to write; `Store::apply` writes a list of them atomically.
#[derive(Clone, Debug)]
pub enum Change {
    /// Inserts a line or replaces it under the same (session, seq).
    Utterance(Utterance),
    Revision(Revision),
    Session(Session),
    Draft(Draft),
    ClearDraft(Id),
    /// Inserts or replaces a narrative (deletion is its tombstone flag).
    Narrative(Narrative),
    Codebook(Codebook),
    DismissMark(MarkDismissal),
    /// Adds or replaces a case's record (its attributes); a case's code never changes.
    Case(Case),
    Variables(Variables),
    Effort(Effort),
    Link(Link),
    EffortKinds(EffortKinds),
    /// The study's mask list (one value).
    MaskList(MaskList),
    /// What a session's recording is and where it is kept.
    Recording(Recording),
    Consent(Consent),
    /// A line's start set by ear; goes with the line written with its new onset.
    Retiming(Retiming),
    /// The study-wide contact rhythm (one value).
    ContactPlan(ContactPlan),
    /// Adds or replaces a case's contact ledger.
    ContactLedger(ContactLedger),
    /// Sets a narrative's narrated time.
    NarratedTime(NarratedTime),
    /// Takes a narrative's narrated time away.
    ClearNarratedTime(Id),
    Recruitment(Recruitment),
    /// Removes a case's record under this id (a case made on two laptops
    /// under one code keeps the other id, see `import::renumber`); its
    /// code stays with the record written under the other.
    RemoveCase(Id),
    /// Removes the contact ledger kept under this case id.
    RemoveContactLedger(Id),
    /// Sets (or with `None` removes) one value of the team tree.
    Team {
        key: String,
        value: Option<TeamValue>,
    },
}

/// sled's handles, dropped by `Store`'s own drop (see there).
struct Sled {
    db: sled::Db,
    cases: sled::Tree,
    case_codes: sled::Tree,
    /// Indexed by the tree numbers above.
    journaled: Vec<sled::Tree>,
}

pub struct Store {
    dir: PathBuf,
    sled: ManuallyDrop<Sled>,
    durable: durable::Syncer,
    journal: Mutex<Journal>,
    /// Held from a batch's acknowledgement until it is in sled, so that a
    /// read after an acknowledgement sees what was acknowledged.
    applying: Mutex<()>,
    /// Set when syncing sled failed: its files are not trusted again in this
    /// process, so the journal keeps every saved line until the next open.
    sled_failed: AtomicBool,
    /// One checkpoint at a time (the writer's, a command's, the last on drop).
    checkpointing: Mutex<()>,
    /// Open but in tests (`hold_checkpoints`).
    checkpoint_gate: Mutex<()>,
    /// Adding a case checks its code and writes it as one step.
    adding_case: Mutex<()>,
    /// What opening the journal found besides its records.
    findings: journal::Findings,
    /// The key values are sealed with, in an encrypted store.
    cipher: Option<crypt::Cipher>,
    /// The search index, kept in step with every write.
    search: search::SearchIndex,
    /// Held until the store is dropped, or handed on to the store a rewrite reopens.
    lock: Option<File>,
}

impl Drop for Store {
    /// Checkpoints what the journal holds, then lets sled go. sled 0.34 panics when the fsync it
    /// does on drop fails (`sync_all().unwrap()`), though the journal holds
    /// every saved line: when our own checkpoint fails, sled's handles are
    /// left to the process's end; when only sled's last fsync fails, its
    /// panic is stopped here. Either way a saved line never turns into a
    /// failed command.
    fn drop(&mut self) {
        // A store that wrote nothing since its last checkpoint (every
        // read-only command) has nothing to sync: no fsync on the way out.
        let nothing_to_keep = self.journal().is_empty();
        if nothing_to_keep || self.checkpoint().is_ok() {
            let sled = &mut self.sled;
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                // SAFETY: dropped once, here; nothing uses the handles after.
                unsafe { ManuallyDrop::drop(sled) }
            }));
        }
    }
}

/// Whether sled compresses the store's pages: new stores do (zstd), stores
/// made before keep what they were made with (sled cannot change it).
/// Only a conf that says so means uncompressed: a missing or empty one (cut
/// short by a power cut before fieldlog synced it) is read as compressed,
/// as every store made by this fieldlog is.
fn compressed(sled_dir: &Path) -> bool {
    // The conf ends in a binary checksum, so it is searched as bytes.
    match std::fs::read(sled_dir.join("conf")) {
        Ok(conf) => !conf.windows(22).any(|w| w == b"use_compression: false"),
        Err(_) => true,
    }
}

impl Store {
    /// Opens the study store in `dir`; a path that holds no store is refused.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with(dir, None)
    }

    /// Opens a store that may be encrypted, with its passphrase.
    pub fn open_with(dir: &Path, passphrase: Option<&str>) -> Result<Store, StoreError> {
        let lock = lifecycle::lock_existing(dir)?;
        Store::open_locked(dir, lock, Key::Passphrase(passphrase))
    }

    /// Creates a new store in `dir` (which must not exist or be empty),
    /// encrypted with `passphrase` if one is given: built beside, then
    /// renamed into place, so no half-made store is ever at `dir`.
    pub fn create(dir: &Path, passphrase: Option<&str>) -> Result<Store, StoreError> {
        lifecycle::build(dir, passphrase)?.place()
    }

    /// A new store being built beside `dir`, to be filled and then placed
    /// (`restore` into a new path): dropped unplaced, nothing is left behind.
    pub fn build(dir: &Path, passphrase: Option<&str>) -> Result<lifecycle::Unplaced, StoreError> {
        lifecycle::build(dir, passphrase)
    }

    /// Opens the store in `dir`, creating it first if the path holds none.
    pub fn open_or_create(dir: &Path) -> Result<Store, StoreError> {
        if lifecycle::holds_store(dir) {
            Store::open(dir)
        } else {
            Store::create(dir, None)
        }
    }

    /// Whether `dir` holds a store.
    pub fn exists(dir: &Path) -> bool {
        lifecycle::holds_store(dir)
    }

    /// A store just made in `dir` (empty, beside its place), its lock held.
    fn open_new(dir: &Path, lock: File, passphrase: Option<&str>) -> Result<Store, StoreError> {
        let db = open_sled(&dir.join("sled"), true)?;
        let meta = db.open_tree("meta")?;
        meta.insert("format", &[STORE_FORMAT])?;
        if let Some(passphrase) = passphrase {
            let salt = crypt::Cipher::new_salt();
            let cipher = crypt::Cipher::derive(passphrase, &salt)?;
            meta.insert("crypt_salt", &salt)?;
            meta.insert("crypt_check", cipher.check_value())?;
        }
        drop((meta, db));
        Store::open_locked(dir, lock, Key::Passphrase(passphrase))
    }

    /// Opens the store in `dir` whose lock is held: finishes or rolls back an
    /// interrupted rewrite, makes its files private, replays the journal.
    fn open_locked(dir: &Path, lock: File, key: Key) -> Result<Store, StoreError> {
        let io = |error| StoreError::Io { store: dir.to_path_buf(), error };
        lifecycle::finish_or_roll_back(dir)?;
        files::tighten(dir).map_err(io)?;
        // The store's own directory entries (lock, journal, sled/) survive a power cut.
        files::sync_dir(dir).map_err(io)?;
        let sled_dir = dir.join("sled");
        let db = open_sled(&sled_dir, compressed(&sled_dir))?;
        let meta = db.open_tree("meta")?;
        match meta.get("format")? {
            Some(v) if v.first().copied().unwrap_or(0) > STORE_FORMAT => {
                return Err(StoreError::NewerStore { store: dir.to_path_buf(), found: v[0] });
            }
            Some(_) => {}
            None => {
                meta.insert("format", &[STORE_FORMAT])?;
            }
        }
        let cipher = match (meta.get("crypt_salt")?, meta.get("crypt_check")?, key) {
            (_, _, Key::Known(cipher)) => cipher,
            (Some(salt), Some(check), Key::Passphrase(passphrase)) => {
                let passphrase = passphrase.ok_or_else(|| StoreError::Locked(dir.to_path_buf()))?;
                let cipher = crypt::Cipher::derive(passphrase, &salt)?;
                if !cipher.accepts(&check) {
                    return Err(StoreError::WrongPassphrase(dir.to_path_buf()));
                }
                Some(cipher)
            }
            _ => None,
        };
        let durable = durable::Syncer::new(&sled_dir).map_err(io)?;
        let (journal, replay, findings) = Journal::open(dir)?;
        let sled = Sled {
            cases: db.open_tree("cases")?,
            case_codes: db.open_tree("case_codes")?,
            journaled: JOURNALED.iter().map(|name| db.open_tree(name)).collect::<Result<_, _>>()?,
            db,
        };
        let store = Store {
            dir: dir.to_path_buf(),
            sled: ManuallyDrop::new(sled),
            durable,
            journal: Mutex::new(journal),
            applying: Mutex::new(()),
            sled_failed: AtomicBool::new(false),
            checkpointing: Mutex::new(()),
            checkpoint_gate: Mutex::new(()),
            adding_case: Mutex::new(()),
            findings,
            cipher,
            search: search::SearchIndex::default(),
            lock: Some(lock),
        };
        // Lines acknowledged before a crash but not yet checkpointed into sled.
        for ops in &replay {
            if let Err(e) = store.apply_ops(ops) {
                // Its drop must not checkpoint: the journal is all that holds these.
                store.sled_failed.store(true, Ordering::SeqCst);
                return Err(e);
            }
        }
        if store.tree(CODEBOOK).get(CODEBOOK_KEY)?.is_none() {
            store.commit(&[Change::Codebook(Codebook::default_frame())])?;
        }
        // What was replayed is made durable in sled and the journal emptied;
        // a store opened clean has nothing to sync.
        if !store.journal().is_empty() {
            store.checkpoint()?;
        }
        lifecycle::mark(dir)?;
        Ok(store)
    }

    /// A backup's bytes as they may leave the store: sealed with the study's
    /// key in an encrypted store, as they are otherwise.
    pub fn seal_backup(&self, plain: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        let Some(cipher) = &self.cipher else { return Ok(plain) };
        Ok(crypt::seal_backup(cipher, &self.key_salt()?, &plain))
    }

    /// The salt the study's key is derived with (encrypted studies).
    fn key_salt(&self) -> Result<sled::IVec, StoreError> {
        self.sled.db.open_tree("meta")?.get("crypt_salt")?.ok_or(StoreError::Missing { what: "key salt" })
    }

    /// The key this study's files for teammates (sync change files) are
    /// sealed with, in an encrypted study: the study's own key, with the
    /// salt and check value a teammate's laptop needs to derive it from the
    /// passphrase.
    pub fn file_key(&self) -> Result<Option<FileKey>, StoreError> {
        let Some(cipher) = &self.cipher else { return Ok(None) };
        let salt = self.key_salt()?;
        Ok(Some(FileKey::of_study(cipher.clone(), salt.to_vec())))
    }

    /// Whether a backup file's bytes are sealed (they then need a passphrase).
    pub fn is_sealed_backup(bytes: &[u8]) -> bool {
        crypt::is_sealed_backup(bytes)
    }

    /// The plain bytes of a sealed backup.
    pub fn open_sealed_backup(bytes: &[u8], passphrase: &str) -> Result<Vec<u8>, StoreError> {
        crypt::open_backup(bytes, passphrase)
    }

    /// What was wrong with the journal when the store was opened, if anything.
    pub fn journal_damage(&self) -> Option<String> {
        self.findings.damage_report()
    }

    /// A tree to read, once no acknowledged batch is still on its way into sled.
    fn tree(&self, number: u8) -> &sled::Tree {
        self.wait_for_apply();
        &self.sled.journaled[usize::from(number)]
    }

    fn wait_for_apply(&self) {
        drop(self.applying.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Whether values are sealed with a passphrase.
    pub fn is_encrypted(&self) -> bool {
        self.cipher.is_some()
    }

    /// A value as stored: sealed in an encrypted store.
    fn seal(&self, plain: Vec<u8>) -> Vec<u8> {
        match &self.cipher {
            Some(cipher) => cipher.seal(&plain),
            None => plain,
        }
    }

    /// A stored value's plain bytes.
    fn unseal<'a>(&self, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>, StoreError> {
        match (bytes.first(), &self.cipher) {
            (Some(&crypt::SEALED), Some(cipher)) => {
                cipher.open(bytes).map(std::borrow::Cow::Owned).ok_or(StoreError::Corrupt {
                    what: "sealed value",
                    reason: "it does not open with this key".into(),
                })
            }
            (Some(&crypt::SEALED), None) => Err(StoreError::Locked(self.dir.clone())),
            _ => Ok(std::borrow::Cow::Borrowed(bytes)),
        }
    }

    /// Decodes a stored value of type `T`, unsealing it first if need be.
    fn read<T: Versioned>(&self, bytes: &[u8]) -> Result<T, StoreError> {
        decode(&self.unseal(bytes)?)
    }

    fn get<T: Versioned>(&self, tree: &sled::Tree, key: &[u8]) -> Result<Option<T>, StoreError> {
        self.wait_for_apply();
        tree.get(key)?.map(|v| self.read(&v)).transpose()
    }

    fn values<T: Versioned>(&self, tree: &sled::Tree) -> Result<Vec<T>, StoreError> {
        self.wait_for_apply();
        tree.iter().map(|item| self.read(&item?.1)).collect()
    }

    fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes everything written so far durable in sled and empties the
    /// journal of it. Saving goes on meanwhile: the journal is locked only
    /// to note where it ends and, after sled's sync, to empty it up to there
    /// (every record before that point is in sled: a commit holds the
    /// journal until sled has its batches). After a failed sync of sled the
    /// journal is never emptied again in this process.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.checkpointing.lock().unwrap_or_else(|e| e.into_inner());
        let mark = self.journal().mark();
        drop(self.checkpoint_gate.lock().unwrap_or_else(|e| e.into_inner()));
        self.trace_checkpoint(|| self.make_durable())?;
        self.journal().clear_through(mark)
    }

    /// With `FIELDLOG_TRACE_CHECKPOINTS=FILE`, each checkpoint's sync of sled
    /// appends to FILE its start (CLOCK_MONOTONIC nanoseconds and a space)
    /// as it begins and its end (and a newline) as it ends, so a benchmark in
    /// another process can act the moment one starts and class its samples.
    fn trace_checkpoint<T>(&self, sync: impl FnOnce() -> T) -> T {
        let Some(path) = std::env::var_os("FIELDLOG_TRACE_CHECKPOINTS") else { return sync() };
        let trace = std::fs::OpenOptions::new().create(true).append(true).open(path);
        let note = |text: String| {
            if let Ok(mut file) = trace.as_ref() {
                let _ = std::io::Write::write_all(&mut file, text.as_bytes());
            }
        };
        note(format!("{} ", monotonic_ns()));
        let result = sync();
        note(format!("{}\n", monotonic_ns()));
        result
    }

    /// Holds every checkpoint after it has noted where the journal ends and
    /// before it syncs sled, until the guard is dropped: how the tests show
    /// that saving goes on while a checkpoint runs.
    #[doc(hidden)]
    pub fn hold_checkpoints(&self) -> MutexGuard<'_, ()> {
        self.checkpoint_gate.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Bytes in the journal, synced into sled or not.
    pub fn journal_len(&self) -> u64 {
        self.journal().len()
    }

    /// Bytes saved in the journal since the last checkpoint: what a
    /// checkpoint would make durable in sled.
    pub fn unchecked_len(&self) -> u64 {
        self.journal().since_checkpoint()
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Flushes sled and fsyncs what it wrote: after this returns, the data
    /// survives power loss, not only a killed process. Once this has failed
    /// it fails for good: a later fsync of the same files proves nothing.
    pub fn make_durable(&self) -> Result<(), StoreError> {
        if self.sled_failed.load(Ordering::SeqCst) {
            return Err(StoreError::Sled(
                "an earlier sync of its files failed, so the journal keeps every saved line until fieldlog is opened again".into(),
            ));
        }
        let synced = self.sled.db.flush().map_err(StoreError::from).and_then(|_| {
            self.durable.sync().map_err(|error| StoreError::Io { store: self.dir.clone(), error })
        });
        if synced.is_err() {
            self.sled_failed.store(true, Ordering::SeqCst);
        }
        synced
    }

    /// Adds a case; its code must be new to the study.
    pub fn add_case(&self, case: &Case) -> Result<(), StoreError> {
        let _adding = self.adding_case.lock().unwrap_or_else(|e| e.into_inner());
        if self.case_by_code(&case.code)?.is_some() {
            return Err(StoreError::CaseExists(case.code.to_string()));
        }
        self.commit(&[Change::Case(case.clone())])
    }
}

#[cfg(test)]
mod tests;
