//! Full-text search over the study: every line's text, every narrative's
//! title and memo, ignoring case over all of Unicode, in a stable order.

use super::corpus::Corpus;
use super::envelope::decode;
use super::{Store, StoreError, NARRATIVES, UTTERANCES};
use crate::domain::text::{find_folded, fold};
use crate::domain::{Id, Narrative, Utterance};
use std::ops::Range;

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

/// A narrative's key in the corpus: its id, then 0 for the title or 1 for the memo.
type NarrativeKey = [u8; 17];

fn narrative_keys(n: &Narrative) -> [(NarrativeKey, Option<&str>); 2] {
    let mut title = [0u8; 17];
    title[..16].copy_from_slice(n.id.as_bytes());
    let mut memo = title;
    memo[16] = 1;
    let alive = !n.deleted;
    [(title, alive.then_some(n.title.as_str())), (memo, alive.then_some(n.memo.as_str()))]
}

/// The search corpora: lines by their store key, narratives by id and field.
pub struct Corpora {
    lines: Corpus<20>,
    narratives: Corpus<17>,
}

impl Corpora {
    fn build(store: &Store) -> Result<Corpora, StoreError> {
        // Sessions are read on every core, each thread a run of them in key order.
        let sessions: Vec<Id> = store.sessions()?.into_iter().map(|s| s.id).collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let chunk = sessions.len().div_ceil(threads).max(1);
        let parts: Vec<Result<Corpus<20>, StoreError>> = std::thread::scope(|scope| {
            let workers: Vec<_> = sessions
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut corpus = Corpus::new();
                        for session in part {
                            for item in store.tree(UTTERANCES).scan_prefix(session.as_bytes()) {
                                let (key, value) = item?;
                                let line: Utterance = store.read(&value)?;
                                if let (Ok(key), false) = (<[u8; 20]>::try_from(key.as_ref()), line.deleted) {
                                    corpus.add(key, &line.text);
                                }
                            }
                        }
                        Ok(corpus)
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("a corpus thread panicked")).collect()
        });
        let mut lines = Corpus::new();
        for part in parts {
            lines.append(part?);
        }
        let mut narratives = Corpus::new();
        for n in store.all_narratives()? {
            for (key, text) in narrative_keys(&n) {
                if let Some(text) = text {
                    narratives.add(key, text);
                }
            }
        }
        lines.shrink();
        narratives.shrink();
        Ok(Corpora { lines, narratives })
    }

    /// Takes one write to the utterance or narrative tree.
    pub fn update(&mut self, tree: u8, key: &[u8], value: Option<&[u8]>) {
        if tree == UTTERANCES {
            let Ok(key) = <[u8; 20]>::try_from(key) else { return };
            let line: Option<Utterance> = value.and_then(|v| decode(v).ok());
            self.lines.update(key, line.as_ref().filter(|l| !l.deleted).map(|l| l.text.as_str()));
        } else if tree == NARRATIVES {
            if let Some(n) = value.and_then(|v| decode::<Narrative>(v).ok()) {
                for (key, text) in narrative_keys(&n) {
                    self.narratives.update(key, text);
                }
            }
        }
    }
}

impl Store {
    /// The search corpora, built on first use (the lock is held while building,
    /// so a search that comes meanwhile waits for it instead of building again).
    fn corpora(&self) -> Result<std::sync::MutexGuard<'_, Option<Corpora>>, StoreError> {
        let mut corpora = self.corpora.lock().unwrap_or_else(|e| e.into_inner());
        if corpora.is_none() {
            *corpora = Some(Corpora::build(self)?);
        }
        Ok(corpora)
    }

    /// Builds the search corpora now (call it on a thread of its own when a
    /// search is coming), so that the search itself is fast.
    pub fn prepare_search(&self) -> Result<(), StoreError> {
        self.corpora().map(|_| ())
    }

    /// Narrative titles and memos first (oldest narrative first), then lines
    /// in store order (sessions oldest first, then line number). At most `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let needle = fold(query.trim());
        let mut hits = Vec::new();
        if needle.is_empty() {
            return Ok(hits);
        }
        let (narratives, lines) = {
            let corpora = self.corpora()?;
            let corpora = corpora.as_ref().expect("built by corpora()");
            (corpora.narratives.find(&needle), corpora.lines.find(&needle))
        };
        for key in narratives {
            let Some(n) = self.narrative(Id::from_bytes(key[..16].try_into().expect("16 bytes")))? else {
                continue;
            };
            let (text, memo) = if key[16] == 0 { (n.title, false) } else { (n.memo, true) };
            if let Some(matched) = find_folded(&text, &needle) {
                let (narrative, session, seq) = (n.id, n.session, n.first_seq);
                let place = if memo {
                    HitPlace::NarrativeMemo { narrative, session, seq }
                } else {
                    HitPlace::NarrativeTitle { narrative, session, seq }
                };
                hits.push(Hit { place, text, matched });
            }
        }
        for key in lines {
            if hits.len() >= limit {
                break;
            }
            let Some(value) = self.tree(UTTERANCES).get(key)? else { continue };
            let line: Utterance = self.read(&value)?;
            if let Some(matched) = find_folded(&line.text, &needle) {
                let place = HitPlace::Line { session: line.session, seq: line.seq };
                hits.push(Hit { place, text: line.text, matched });
            }
        }
        hits.truncate(limit);
        Ok(hits)
    }
}
