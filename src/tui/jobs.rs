//! Jobs: everything the app hands off so typing never waits. The store
//! writer (one tag counter for the whole app; each acknowledgement goes back
//! to the screen that asked), the draft timer, and background work such as
//! an export or reading a transcript, with its progress.

use super::screens::Receipt;
use crate::import::transcript::Imported;
use crate::store::writer::{Durability, Job, Saved, Writer};
use crate::store::{Change, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the line being typed is saved as a draft.
const DRAFT_EVERY: Duration = Duration::from_millis(250);

/// Which open screen asked for a save: each screen the app opens gets one.
pub type Room = u64;

/// An acknowledgement for the screen in `room`.
pub struct Acknowledged {
    pub room: Room,
    pub receipt: Receipt,
    pub error: Option<String>,
}

/// What a background job came back with.
pub enum Finished {
    Exported {
        what: String,
        result: Result<Vec<PathBuf>, String>,
    },
    /// The job's thread ended without an answer (it panicked).
    Stopped(String),
    /// A recording attached for the screen in `room`: what to say.
    Attached {
        room: Room,
        said: String,
    },
    /// A transcript read for the case screen in `room`; unknown speakers listed.
    Read {
        room: Room,
        result: Result<Box<(Imported, Vec<String>)>, String>,
    },
}

struct Background {
    what: String,
    started: Instant,
    done: Receiver<Finished>,
}

pub struct Jobs {
    writer: Writer,
    saved: Receiver<Saved>,
    next_tag: u64,
    /// Saves handed to the writer and not yet acknowledged: tag → who asked, and what for.
    pending: HashMap<u64, Option<(Room, Receipt)>>,
    last_draft: Instant,
    background: Option<Background>,
}

impl Jobs {
    pub fn spawn(store: Arc<Store>) -> Jobs {
        let (writer, saved) = Writer::spawn(store);
        Jobs {
            writer,
            saved,
            next_tag: 1,
            pending: HashMap::new(),
            last_draft: Instant::now(),
            background: None,
        }
    }

    /// Calls `bell` whenever acknowledgements have come in (see `App::ring_on_save`).
    pub fn ring_on_save(&self, bell: impl Fn() + Send + 'static) {
        self.writer.ring_on_save(bell);
    }

    /// Hands `changes` to the writer for the screen in `room`; false if the writer has stopped.
    pub fn save(
        &mut self,
        room: Room,
        changes: Vec<Change>,
        durability: Durability,
        receipt: Receipt,
    ) -> bool {
        self.send(changes, durability, Some((room, receipt)))
    }

    /// Saves the draft of the line being typed (nobody waits for its answer).
    pub fn save_draft(&mut self, change: Option<Change>) -> bool {
        self.last_draft = Instant::now();
        match change {
            Some(change) => self.send(vec![change], Durability::Flushed, None),
            None => true,
        }
    }

    pub fn draft_due(&self) -> bool {
        self.last_draft.elapsed() >= DRAFT_EVERY
    }

    fn send(&mut self, changes: Vec<Change>, durability: Durability, asked: Option<(Room, Receipt)>) -> bool {
        let tag = self.next_tag;
        self.next_tag += 1;
        if !self.writer.send(Job { tag, changes, durability }) {
            return false;
        }
        self.pending.insert(tag, asked);
        true
    }

    /// Whether any save is still to be acknowledged.
    pub fn owed(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Whether a screen still waits for a save.
    pub fn waiting(&self, room: Room) -> bool {
        self.pending.values().any(|asked| asked.as_ref().is_some_and(|(r, _)| *r == room))
    }

    /// The acknowledgements that have come in; with `wait`, every one still owed.
    pub fn acknowledged(&mut self, wait: bool) -> Vec<Acknowledged> {
        let mut out = Vec::new();
        loop {
            let saved = if wait && !self.pending.is_empty() {
                match self.saved.recv_timeout(Duration::from_secs(10)) {
                    Ok(saved) => saved,
                    Err(_) => break,
                }
            } else {
                match self.saved.try_recv() {
                    Ok(saved) => saved,
                    Err(_) => break,
                }
            };
            if let Some(Some((room, receipt))) = self.pending.remove(&saved.tag) {
                out.push(Acknowledged { room, receipt, error: saved.error });
            }
        }
        out
    }

    /// Runs `work` on a thread of its own, saying `what` while it runs;
    /// false (and nothing started) if another job is still running.
    pub fn start(
        &mut self,
        what: String,
        work: impl FnOnce() -> Finished + Send + 'static,
    ) -> Result<(), String> {
        if self.background.is_some() {
            return Err("Another job is still running: wait for it to finish.".into());
        }
        let (tell, done) = channel();
        std::thread::Builder::new()
            .name("background".into())
            .spawn(move || {
                let _ = tell.send(work());
            })
            .map_err(|e| format!("Cannot start {what}: {e}"))?;
        self.background = Some(Background { what, started: Instant::now(), done });
        Ok(())
    }

    /// "Exporting qdpx to ~/study.qdpx… 3 s" while a background job runs.
    pub fn progress(&self) -> Option<String> {
        self.background.as_ref().map(|b| format!("{}… {} s", b.what, b.started.elapsed().as_secs()))
    }

    /// The background job's answer, once it is done.
    pub fn finished(&mut self) -> Option<Finished> {
        let done = self.background.as_ref()?.done.try_recv();
        match done {
            Ok(finished) => {
                self.background = None;
                Some(finished)
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                let what = self.background.take().map(|b| b.what).unwrap_or_default();
                Some(Finished::Stopped(what))
            }
        }
    }

    pub fn busy(&self) -> bool {
        self.background.is_some()
    }

    /// Waits until every queued save is written.
    pub fn finish(&mut self) {
        self.writer.finish();
    }
}
