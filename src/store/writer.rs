//! The store writer: a thread that applies changes and makes them durable,
//! so that saving never blocks typing. Jobs queued while one is being synced
//! are committed together with one fsync (group commit).

use super::{Change, Store};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How sure a job must be before it is acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Past a real fsync: a committed line.
    Synced,
    /// Handed to the OS: survives kill -9 but not power loss; for drafts.
    Flushed,
}

pub struct Job {
    /// Chosen by the sender, given back in the acknowledgement.
    pub tag: u64,
    pub changes: Vec<Change>,
    pub durability: Durability,
}

#[derive(Debug)]
pub struct Saved {
    pub tag: u64,
    /// The store's error in words, when the job was not saved.
    pub error: Option<String>,
}

pub struct Writer {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn spawn(store: Arc<Store>) -> (Writer, Receiver<Saved>) {
        let (jobs, inbox) = channel::<Job>();
        let (acks, saved) = channel();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(&store, &inbox, &acks))
            .expect("spawning the store writer thread");
        (Writer { jobs: Some(jobs), thread: Some(thread) }, saved)
    }

    /// Queues a job; returns false if the writer has stopped.
    pub fn send(&self, job: Job) -> bool {
        self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok())
    }

    /// Stops taking jobs and waits until every queued one is written.
    pub fn finish(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Checkpoint when typing pauses this long, or when the journal grows past this size.
const IDLE: Duration = Duration::from_secs(1);
const JOURNAL_LIMIT: u64 = 1 << 20;

fn run(store: &Store, inbox: &Receiver<Job>, acks: &Sender<Saved>) {
    loop {
        let first = match inbox.recv_timeout(IDLE) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                if store.journal_len() > 0 {
                    let _ = store.checkpoint();
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = store.checkpoint();
                return;
            }
        };
        let mut batch = vec![first];
        batch.extend(inbox.try_iter());
        if !save(store, &batch, acks) {
            return;
        }
        if store.journal_len() > JOURNAL_LIMIT {
            let _ = store.checkpoint();
        }
    }
}

/// Every job goes through the journal in the order it came; the batch is
/// fsynced once if any job in it asks for that, and each job acknowledged
/// as soon as the journal holds it. False once nobody takes acknowledgements.
fn save(store: &Store, batch: &[Job], acks: &Sender<Saved>) -> bool {
    let changes: Vec<&[Change]> = batch.iter().map(|j| j.changes.as_slice()).collect();
    let sync = batch.iter().any(|j| j.durability == Durability::Synced);
    let mut listening = true;
    let _ = store.commit_then(&changes, sync, |outcome| {
        let error = outcome.err().map(|e| e.to_string());
        for job in batch {
            listening &= acks.send(Saved { tag: job.tag, error: error.clone() }).is_ok();
        }
    });
    listening
}
