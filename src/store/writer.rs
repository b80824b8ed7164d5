//! The store writer: a thread that applies changes and makes them durable,
//! so that saving never blocks typing. Jobs queued while one is being synced
//! are committed together with one fsync (group commit). Checkpoints run on
//! a thread of their own, so a line never waits behind one.

use super::{Change, Store};
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex};
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

/// Called after acknowledgements are sent, to wake whoever waits for them.
pub type Bell = Arc<Mutex<Option<Box<dyn Fn() + Send>>>>;

pub struct Writer {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    checkpointer: Option<JoinHandle<()>>,
    bell: Bell,
}

impl Writer {
    pub fn spawn(store: Arc<Store>) -> (Writer, Receiver<Saved>) {
        let (jobs, inbox) = channel::<Job>();
        let (acks, saved) = channel();
        // At most one checkpoint asked for while one runs: asking again is a no-op.
        let (want, wanted) = sync_channel::<()>(1);
        let checkpointing = store.clone();
        let checkpointer = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || {
                for () in wanted {
                    let _ = checkpointing.checkpoint();
                }
                let _ = checkpointing.checkpoint();
            })
            .expect("spawning the checkpoint thread");
        let bell: Bell = Arc::new(Mutex::new(None));
        let ringing = bell.clone();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(&store, &inbox, &acks, &want, &ringing))
            .expect("spawning the store writer thread");
        (Writer { jobs: Some(jobs), thread: Some(thread), checkpointer: Some(checkpointer), bell }, saved)
    }

    /// Calls `bell` each time acknowledgements have been sent, so an event
    /// loop can wait for a key or an acknowledgement, whichever comes first.
    pub fn ring_on_save(&self, bell: impl Fn() + Send + 'static) {
        *self.bell.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(bell));
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
        // The writer is gone, so the checkpoint thread makes its last one and ends.
        if let Some(thread) = self.checkpointer.take() {
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

fn run(store: &Store, inbox: &Receiver<Job>, acks: &Sender<Saved>, want: &SyncSender<()>, bell: &Bell) {
    let checkpoint = || {
        // Full means one is asked for already; gone means it has stopped.
        let _ = want.try_send(());
    };
    loop {
        let first = match inbox.recv_timeout(IDLE) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                if store.unchecked_len() > 0 {
                    checkpoint();
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut batch = vec![first];
        batch.extend(inbox.try_iter());
        if !save(store, &batch, acks, bell) {
            return;
        }
        if store.unchecked_len() > JOURNAL_LIMIT {
            checkpoint();
        }
    }
}

/// Every job goes through the journal in the order it came; the batch is
/// fsynced once if any job in it asks for that, and each job acknowledged
/// as soon as the journal holds it. False once nobody takes acknowledgements.
/// The bell rings with the acknowledgements, before sled has the batch:
/// whoever waits for "saved" hears it the moment the journal holds it.
fn save(store: &Store, batch: &[Job], acks: &Sender<Saved>, bell: &Bell) -> bool {
    let changes: Vec<&[Change]> = batch.iter().map(|j| j.changes.as_slice()).collect();
    let sync = batch.iter().any(|j| j.durability == Durability::Synced);
    let mut listening = true;
    let _ = store.commit_then(&changes, sync, |outcome| {
        let error = outcome.err().map(|e| e.to_string());
        for job in batch {
            listening &= acks.send(Saved { tag: job.tag, error: error.clone() }).is_ok();
        }
        if let Some(ring) = bell.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            ring();
        }
    });
    listening
}
