//! Writing: changes become key writes, journaled (acknowledged once the
//! journal holds them), then applied to sled and to the search corpora.

use super::envelope::encode;
use super::journal::Op;
use super::JournalFault;
use super::{keys, Change, Store, StoreError};
use super::{recordings, MASKS, RECORDINGS};
use super::{
    CASES, CASE_CODES, CODEBOOK, CODEBOOK_KEY, DISMISSALS, DRAFTS, EFFORTS, EFFORT_KINDS, LINKS, NARRATIVES,
    ONLY, REVISIONS, SESSIONS, TEAM, UTTERANCES, VARIABLES,
};
use super::{CONTACTS, RECRUITMENT};
use crate::domain::Id;
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use std::sync::atomic::Ordering;

impl Store {
    /// The key writes a list of changes comes down to.
    pub(super) fn ops(&self, changes: &[Change]) -> Vec<Op> {
        let op = |tree, key: &[u8], value: Option<Vec<u8>>| Op {
            tree,
            key: key.to_vec(),
            value: value.map(|v| self.seal(v)),
        };
        // A case record goes with its entry in the code index (ids are not sealed).
        let codes = changes.iter().filter_map(|change| match change {
            Change::Case(c) => Some(Op {
                tree: CASE_CODES,
                key: c.code.as_str().as_bytes().to_vec(),
                value: Some(c.id.as_bytes().to_vec()),
            }),
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
                Change::MaskList(m) => op(MASKS, ONLY, Some(encode(m))),
                Change::Recording(r) => {
                    op(RECORDINGS, &recordings::recording_key(r.session), Some(encode(r)))
                }
                Change::Consent(c) => op(RECORDINGS, &recordings::consent_key(c.session), Some(encode(c))),
                Change::Retiming(t) => {
                    op(RECORDINGS, &recordings::retiming_key(t.session, t.seq), Some(encode(t)))
                }
                Change::ContactPlan(p) => op(CONTACTS, keys::CONTACT_PLAN, Some(encode(p))),
                Change::ContactLedger(l) => op(CONTACTS, &keys::ledger(l.case_id), Some(encode(l))),
                Change::NarratedTime(t) => op(CONTACTS, &keys::narrated(t.narrative), Some(encode(t))),
                Change::ClearNarratedTime(n) => op(CONTACTS, &keys::narrated(*n), None),
                Change::Recruitment(r) => op(RECRUITMENT, r.id.as_bytes(), Some(encode(r))),
                Change::RemoveCase(id) => op(CASES, id.as_bytes(), None),
                Change::RemoveContactLedger(case) => op(CONTACTS, &keys::ledger(*case), None),
                Change::Team { key, value } => op(TEAM, key.as_bytes(), value.as_ref().map(encode)),
            })
            .chain(codes)
            .chain(self.search_stamp(changes))
            .chain(self.sync_marks_of(changes))
            .collect()
    }

    /// Writes ops atomically (all or none) to sled, not yet durable.
    pub(super) fn apply_ops(&self, ops: &[Op]) -> Result<(), StoreError> {
        if let Some(bad) = ops.iter().find(|op| usize::from(op.tree) >= self.sled.journaled.len()) {
            let reason = format!("unknown tree {}", bad.tree);
            return Err(StoreError::Corrupt { what: "journal record", reason });
        }
        let result = self.sled.journaled.as_slice().transaction(|trees| {
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
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(())) => unreachable!("journal ops never abort"),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// Keeps the search index in step with what is written (see `search`).
    pub(super) fn update_corpus(&self, ops: &[Op]) {
        self.search_follow(ops);
    }

    /// Writes the changes and makes them durable before returning.
    pub fn commit(&self, changes: &[Change]) -> Result<(), StoreError> {
        self.commit_many(&[changes], true)
    }

    /// Appends the batches to the journal in order — fsynced once when `sync`,
    /// else only handed to the OS, which survives kill -9 (drafts) — then
    /// writes each atomically to sled. All are saved, or none.
    pub fn commit_many(&self, batches: &[&[Change]], sync: bool) -> Result<(), StoreError> {
        self.commit_then(batches, sync, |_| {})
    }

    /// Like `commit_many`, and calls `saved` with the outcome as soon as the
    /// journal holds the batches (past its fsync when `sync`), before they
    /// are written to sled: a line is saved when its journal record is.
    pub fn commit_then(
        &self,
        batches: &[&[Change]],
        sync: bool,
        saved: impl FnOnce(Result<(), &StoreError>),
    ) -> Result<(), StoreError> {
        let ops: Vec<Vec<Op>> = batches.iter().map(|changes| self.ops(changes)).collect();
        let records: Vec<&[Op]> = ops.iter().map(Vec::as_slice).collect();
        // The journal stays locked until sled has the batches, so that no
        // checkpoint can empty it in between.
        let mut journal = self.journal();
        if let Err(e) = journal.append(&records, sync) {
            saved(Err(&e));
            return Err(e);
        }
        let applying = self.applying.lock().unwrap_or_else(|e| e.into_inner());
        // Should anything below panic, sled may lack what was acknowledged:
        // then no checkpoint may empty the journal (see `Unapplied`).
        let unapplied = Unapplied(self);
        saved(Ok(()));
        for ops in &ops {
            if self.apply_ops(ops).is_err() {
                // Saved in the journal all the same; it is replayed on the next open.
                self.sled_failed.store(true, Ordering::SeqCst);
            }
        }
        // The search index takes the batches before `applying` is let go,
        // so a search after an acknowledgement finds what was acknowledged
        // (it waits for `applying`, as every read does).
        for ops in &ops {
            self.update_corpus(ops);
        }
        std::mem::forget(unapplied);
        drop(applying);
        drop(journal);
        Ok(())
    }

    /// Makes the journal's next call of that kind fail, as a failing disk
    /// would: the hook the screen tests use to see what a user sees then.
    #[doc(hidden)]
    pub fn fail_journal(&self, fault: JournalFault) {
        self.journal().faults.push(fault);
    }

    /// Successful fsyncs of journal records so far (for tests that must see them).
    pub fn journal_syncs(&self) -> u64 {
        self.journal().syncs
    }
}

/// Held while acknowledged batches go into sled; dropped only by a panic,
/// which marks sled as not to be trusted, so the journal keeps them.
struct Unapplied<'a>(&'a Store);

impl Drop for Unapplied<'_> {
    fn drop(&mut self) {
        self.0.sled_failed.store(true, Ordering::SeqCst);
    }
}
