//! Full-text search over the study: every line's text, every narrative's
//! title and memo, ignoring case over all of Unicode, in a stable order.

use super::envelope::decode;
use super::{Store, StoreError, UTTERANCES};
use crate::domain::text::{find_folded, fold};
use crate::domain::{Id, Utterance};
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

impl Store {
    /// Narrative titles and memos first (oldest narrative first), then lines
    /// in store order (sessions oldest first, then line number). At most `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let needle = fold(query.trim());
        let mut hits = Vec::new();
        if needle.is_empty() {
            return Ok(hits);
        }
        for n in self.narratives()? {
            if let Some(matched) = find_folded(&n.title, &needle) {
                let place =
                    HitPlace::NarrativeTitle { narrative: n.id, session: n.session, seq: n.first_seq };
                hits.push(Hit { place, text: n.title.clone(), matched });
            }
            if let Some(matched) = find_folded(&n.memo, &needle) {
                let place = HitPlace::NarrativeMemo { narrative: n.id, session: n.session, seq: n.first_seq };
                hits.push(Hit { place, text: n.memo.clone(), matched });
            }
        }
        for item in self.tree(UTTERANCES).iter() {
            if hits.len() >= limit {
                return Ok(hits);
            }
            let line: Utterance = decode(&item?.1)?;
            if line.deleted {
                continue;
            }
            if let Some(matched) = find_folded(&line.text, &needle) {
                let place = HitPlace::Line { session: line.session, seq: line.seq };
                hits.push(Hit { place, text: line.text, matched });
            }
        }
        hits.truncate(limit);
        Ok(hits)
    }
}
