//! The only code that knows sled: one study's store, its key layout, locking
//! and durability. Everything else reads and writes through `Store`.

pub mod check;
mod corpus;
mod crypt;
mod durable;
pub mod envelope;
mod journal;
mod keys;
mod layouts;
mod lock;
mod reads;
pub mod search;
pub mod writer;

use crate::domain::{
    Case, CaseCode, Codebook, Draft, Effort, EffortKinds, Id, Link, MarkDismissal, Narrative, Revision,
    Session, Utterance, Variables,
};
use envelope::{decode, encode, Versioned};
use journal::{Journal, Op};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The trees that journal ops write to, by their number in an op. Numbers
/// are stored in the journal: only ever append.
const JOURNALED: [&str; 13] = [
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
/// The key of a tree that holds one value.
const ONLY: &[u8] = b"only";
/// The codebook's one key in its tree.
const CODEBOOK_KEY: &[u8] = b"codebook";

/// The layout of the whole store (trees and keys); values carry their own version.
pub const STORE_FORMAT: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store at {store} is in use by another fieldlog{holder}; close it there first")]
    InUse { store: PathBuf, holder: String },
    #[error("the store at {store} was written by a newer fieldlog (store format {found}, this one reads up to {STORE_FORMAT}); nothing was changed")]
    NewerStore { store: PathBuf, found: u8 },
    #[error("a stored {what} has format version {version}, newer than this fieldlog understands")]
    NewerFormat { what: &'static str, version: u8 },
    #[error("a stored {what} could not be read ({reason})")]
    Corrupt { what: &'static str, reason: String },
    #[error("the {what} is no longer in the store")]
    Missing { what: &'static str },
    #[error("case {0} already exists")]
    CaseExists(String),
    #[error("cannot use the store at {store}: {source}")]
    Io { store: PathBuf, source: std::io::Error },
    #[error("the store at {0} is encrypted: give its passphrase (FIELDLOG_PASSPHRASE, or at the prompt)")]
    Locked(PathBuf),
    #[error("the passphrase for the store at {0} is wrong; nothing was read or changed")]
    WrongPassphrase(PathBuf),
    #[error("encryption failed: {0}")]
    Crypt(String),
    #[error("the store failed: {0}")]
    Sled(#[from] sled::Error),
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
}

pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    cases: sled::Tree,
    case_codes: sled::Tree,
    /// Indexed by the tree numbers above.
    journaled: Vec<sled::Tree>,
    durable: durable::Syncer,
    journal: Mutex<Journal>,
    /// The key values are sealed with, in an encrypted store.
    cipher: Option<crypt::Cipher>,
    /// The search corpora, once a search has asked for them.
    corpora: Mutex<Option<search::Corpora>>,
    _lock: File,
}

/// Whether sled compresses the store's pages: new stores do (zstd), stores
/// made before keep what they were made with (sled cannot change it).
fn compressed(sled_dir: &Path) -> bool {
    // The conf ends in a binary checksum, so it is searched as bytes.
    match std::fs::read(sled_dir.join("conf")) {
        Ok(conf) => conf.windows(21).any(|w| w == b"use_compression: true"),
        Err(_) => true,
    }
}

impl Store {
    /// Opens (creating if needed) the study store in `dir`, private to its user.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with(dir, None)
    }

    /// Opens a store that may be encrypted, with its passphrase.
    pub fn open_with(dir: &Path, passphrase: Option<&str>) -> Result<Store, StoreError> {
        let io = |source| StoreError::Io { store: dir.to_path_buf(), source };
        lock::create_private_dir(dir).map_err(io)?;
        let lock = lock::take(dir)?;
        let sled_dir = dir.join("sled");
        let db = sled::Config::new()
            .path(&sled_dir)
            .cache_capacity(32 * 1024 * 1024)
            .use_compression(compressed(&sled_dir))
            .open()?;
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
        let cipher = match (meta.get("crypt_salt")?, meta.get("crypt_check")?) {
            (Some(salt), Some(check)) => {
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
        let (journal, replay) = Journal::open(dir)?;
        let store = Store {
            dir: dir.to_path_buf(),
            cases: db.open_tree("cases")?,
            case_codes: db.open_tree("case_codes")?,
            journaled: JOURNALED.iter().map(|name| db.open_tree(name)).collect::<Result<_, _>>()?,
            db,
            durable,
            journal: Mutex::new(journal),
            cipher,
            corpora: Mutex::new(None),
            _lock: lock,
        };
        // Lines acknowledged before a crash but not yet checkpointed into sled.
        for ops in &replay {
            store.apply_ops(ops)?;
        }
        if store.tree(CODEBOOK).get(CODEBOOK_KEY)?.is_none() {
            store.commit(&[Change::Codebook(Codebook::default_frame())])?;
        }
        store.checkpoint()?;
        Ok(store)
    }

    fn tree(&self, number: u8) -> &sled::Tree {
        &self.journaled[usize::from(number)]
    }

    /// Whether values are sealed with a passphrase.
    pub fn is_encrypted(&self) -> bool {
        self.cipher.is_some()
    }

    /// Turns on encryption for a new, empty store: from now on it opens only
    /// with `passphrase`. The values already written are written again, sealed.
    pub fn encrypt(dir: &Path, passphrase: &str) -> Result<(), StoreError> {
        let store = Store::open(dir)?;
        if !store.is_empty()? {
            return Err(StoreError::Crypt(format!(
                "the store at {} already holds a study; encryption is set up on a new store (restore a backup into it)",
                dir.display()
            )));
        }
        let salt = crypt::Cipher::new_salt();
        let cipher = crypt::Cipher::derive(passphrase, &salt)?;
        {
            let meta = store.db.open_tree("meta")?;
            meta.insert("crypt_salt", &salt)?;
            meta.insert("crypt_check", cipher.check_value())?;
            store.checkpoint()?;
        }
        // Every handle on sled must go before it can be opened again.
        drop(store);
        let sealed = Store::open_with(dir, Some(passphrase))?;
        sealed.commit(&[Change::Codebook(sealed.codebook()?)])?;
        sealed.checkpoint()
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
        tree.get(key)?.map(|v| self.read(&v)).transpose()
    }

    fn values<T: Versioned>(&self, tree: &sled::Tree) -> Result<Vec<T>, StoreError> {
        tree.iter().map(|item| self.read(&item?.1)).collect()
    }

    fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes everything in sled durable and empties the journal.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let mut journal = self.journal();
        self.make_durable()?;
        if !journal.is_empty() {
            journal.clear().map_err(|source| StoreError::Io { store: self.dir.clone(), source })?;
        }
        Ok(())
    }

    /// Bytes in the journal since the last checkpoint.
    pub fn journal_len(&self) -> u64 {
        self.journal().len()
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Flushes sled and fsyncs what it wrote: after this returns, the data
    /// survives power loss, not only a killed process.
    pub fn make_durable(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        self.durable.sync().map_err(|source| StoreError::Io { store: self.dir.clone(), source })
    }

    pub fn add_case(&self, case: &Case) -> Result<(), StoreError> {
        let code = case.code.as_str().as_bytes();
        let id = case.id.as_bytes().as_slice();
        let sealed = self.seal(encode(case));
        let result = (&self.cases, &self.case_codes).transaction(|(cases, codes)| {
            if codes.get(code)?.is_some() {
                return Err(ConflictableTransactionError::Abort(()));
            }
            codes.insert(code, id)?;
            cases.insert(id, sealed.as_slice())?;
            Ok(())
        });
        match result {
            Ok(()) => self.make_durable(),
            Err(TransactionError::Abort(())) => Err(StoreError::CaseExists(case.code.to_string())),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    pub fn cases(&self) -> Result<Vec<Case>, StoreError> {
        let mut cases: Vec<Case> = self.values(&self.cases)?;
        cases.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(cases)
    }

    pub fn case(&self, id: Id) -> Result<Option<Case>, StoreError> {
        self.get(&self.cases, id.as_bytes())
    }

    pub fn case_by_code(&self, code: &CaseCode) -> Result<Option<Case>, StoreError> {
        match self.case_codes.get(code.as_str().as_bytes())? {
            Some(id) => self.get(&self.cases, &id),
            None => Ok(None),
        }
    }

    /// The key writes a list of changes comes down to.
    fn ops(&self, changes: &[Change]) -> Vec<Op> {
        let op = |tree, key: &[u8], value: Option<Vec<u8>>| Op {
            tree,
            key: key.to_vec(),
            value: value.map(|v| self.seal(v)),
        };
        // A case record goes with its entry in the code index.
        let codes = changes.iter().filter_map(|change| match change {
            Change::Case(c) => {
                Some(op(CASE_CODES, c.code.as_str().as_bytes(), Some(c.id.as_bytes().to_vec())))
            }
            _ => None,
        });
        let codes: Vec<Op> = codes.collect();
        changes
            .iter()
            .map(|change| match change {
                Change::Utterance(u) => op(UTTERANCES, &keys::line(u.session, u.seq), Some(encode(u))),
                Change::Revision(r) => {
                    op(REVISIONS, &keys::revision(r.session, r.seq, Id::new()), Some(encode(r)))
                }
                Change::Session(s) => op(SESSIONS, s.id.as_bytes(), Some(encode(s))),
                Change::Draft(d) => op(DRAFTS, d.session.as_bytes(), Some(encode(d))),
                Change::ClearDraft(session) => op(DRAFTS, session.as_bytes(), None),
                Change::Narrative(n) => op(NARRATIVES, n.id.as_bytes(), Some(encode(n))),
                Change::Codebook(book) => op(CODEBOOK, CODEBOOK_KEY, Some(encode(book))),
                Change::DismissMark(d) => op(DISMISSALS, &keys::line(d.session, d.seq), Some(encode(d))),
                Change::Case(c) => op(CASES, c.id.as_bytes(), Some(encode(c))),
                Change::Variables(v) => op(VARIABLES, ONLY, Some(encode(v))),
                Change::Effort(e) => op(EFFORTS, e.id.as_bytes(), Some(encode(e))),
                Change::Link(l) => op(LINKS, l.id.as_bytes(), Some(encode(l))),
                Change::EffortKinds(k) => op(EFFORT_KINDS, ONLY, Some(encode(k))),
            })
            .chain(codes)
            .collect()
    }

    /// Writes ops atomically (all or none) to sled, not yet durable.
    fn apply_ops(&self, ops: &[Op]) -> Result<(), StoreError> {
        if let Some(bad) = ops.iter().find(|op| usize::from(op.tree) >= self.journaled.len()) {
            let reason = format!("unknown tree {}", bad.tree);
            return Err(StoreError::Corrupt { what: "journal record", reason });
        }
        let result = self.journaled.as_slice().transaction(|trees| {
            for op in ops {
                let tree = &trees[usize::from(op.tree)];
                match &op.value {
                    Some(value) => tree.insert(op.key.as_slice(), value.as_slice())?,
                    None => tree.remove(op.key.as_slice())?,
                };
            }
            Ok::<(), ConflictableTransactionError<()>>(())
        });
        match result {
            Ok(()) => {
                self.update_corpus(ops);
                Ok(())
            }
            Err(TransactionError::Abort(())) => unreachable!("journal ops never abort"),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// Keeps the search corpora, if built, in step with what is written.
    fn update_corpus(&self, ops: &[Op]) {
        let mut corpora = self.corpora.lock().unwrap_or_else(|e| e.into_inner());
        let Some(corpora) = corpora.as_mut() else { return };
        for op in ops {
            let plain = op.value.as_deref().map(|v| self.unseal(v)).transpose().ok().flatten();
            corpora.update(op.tree, &op.key, plain.as_deref());
        }
    }

    /// Writes the changes and makes them durable before returning.
    pub fn commit(&self, changes: &[Change]) -> Result<(), StoreError> {
        self.commit_many(&[changes], true).pop().unwrap_or(Ok(()))
    }

    /// Appends the batches to the journal in order — fsynced once when `sync`,
    /// else only handed to the OS, which survives kill -9 (drafts) — then
    /// writes each atomically to sled. One result per batch.
    pub fn commit_many(&self, batches: &[&[Change]], sync: bool) -> Vec<Result<(), StoreError>> {
        let ops: Vec<Vec<Op>> = batches.iter().map(|changes| self.ops(changes)).collect();
        let mut journal = self.journal();
        let records: Vec<&[Op]> = ops.iter().map(Vec::as_slice).collect();
        if let Err(e) = journal.append(&records, sync) {
            let reason = e.to_string();
            return ops
                .iter()
                .map(|_| {
                    let source = std::io::Error::other(reason.clone());
                    Err(StoreError::Io { store: self.dir.clone(), source })
                })
                .collect();
        }
        ops.iter().map(|ops| self.apply_ops(ops)).collect()
    }
}

#[cfg(test)]
mod tests;
