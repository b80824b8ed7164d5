//! What the live screen has asked the store writer to save and what it
//! answered. A save the store refused is kept and sent again, first, with
//! the next one, so a line reported NOT SAVED is never lost while fieldlog
//! runs and never leaves a gap in the line numbers.

use crate::store::Change;
use std::collections::{BTreeMap, HashMap, VecDeque};

#[derive(Default)]
pub struct Saves {
    /// Saves sent and not yet answered, by the line they were sent for.
    pending: HashMap<u32, usize>,
    /// What each of those saves holds, oldest first: the writer answers in order.
    in_flight: HashMap<u32, VecDeque<Vec<Change>>>,
    /// Changes the store refused, by the line they were sent for.
    failed: BTreeMap<u32, Vec<Change>>,
}

/// The writer's answer, as the screen tells it.
pub enum Answer {
    /// These lines are saved; `missing` names lines still not saved.
    Saved { lines: Vec<u32>, missing: Option<String> },
    /// Nothing of it was saved; `missing` names every line waiting to go again.
    Refused { missing: String },
}

/// The line a change writes, if it writes one.
fn line_of(change: &Change) -> Option<u32> {
    match change {
        Change::Utterance(u) => Some(u.seq),
        _ => None,
    }
}

/// "line 5" or "lines 5, 6".
fn named(mut seqs: Vec<u32>) -> String {
    seqs.sort_unstable();
    seqs.dedup();
    let list: Vec<String> = seqs.iter().map(u32::to_string).collect();
    format!("{} {}", if list.len() == 1 { "line" } else { "lines" }, list.join(", "))
}

impl Saves {
    /// The batch to send for line `seq`: what failed before, then `changes`.
    pub fn send(&mut self, seq: u32, changes: Vec<Change>) -> Vec<Change> {
        *self.pending.entry(seq).or_default() += 1;
        let mut batch: Vec<Change> = std::mem::take(&mut self.failed).into_values().flatten().collect();
        batch.extend(changes);
        self.in_flight.entry(seq).or_default().push_back(batch.clone());
        batch
    }

    /// Takes the writer's answer to the oldest save sent for line `seq`.
    pub fn answer(&mut self, seq: u32, refused: bool) -> Answer {
        if let Some(count) = self.pending.get_mut(&seq) {
            *count -= 1;
            if *count == 0 {
                self.pending.remove(&seq);
            }
        }
        let batch = self.in_flight.get_mut(&seq).and_then(VecDeque::pop_front).unwrap_or_default();
        if refused {
            // A newer draft may have been saved since: what is kept never clears it.
            let kept = batch.into_iter().filter(|c| !matches!(c, Change::ClearDraft(_)));
            self.failed.entry(seq).or_default().extend(kept);
            return Answer::Refused { missing: self.missing() };
        }
        let mut lines: Vec<u32> = batch.iter().filter_map(line_of).collect();
        lines.sort_unstable();
        lines.dedup();
        // An older refused version of these lines must not overwrite them when sent again.
        for kept in self.failed.values_mut() {
            kept.retain(|c| !line_of(c).is_some_and(|seq| lines.contains(&seq)));
        }
        self.failed.retain(|_, kept| !kept.is_empty());
        let missing = (!self.failed.is_empty()).then(|| self.missing());
        Answer::Saved { lines, missing }
    }

    /// Whether line `seq` is saved as it stands: nothing for it in flight or refused.
    pub fn is_saved(&self, seq: u32) -> bool {
        !self.pending.contains_key(&seq) && !self.failed.values().flatten().any(|c| line_of(c) == Some(seq))
    }

    fn missing(&self) -> String {
        named(self.failed.values().flatten().filter_map(line_of).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Id, Utterance, UtteranceKind};

    fn line(seq: u32) -> Change {
        let t = chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        Change::Utterance(Utterance {
            session: Id::new(),
            seq,
            speaker: "AA".into(),
            kind: UtteranceKind::Speech,
            text: format!("linje {seq}"),
            onset: t,
            committed: t,
            elapsed_ms: 0,
            mark: None,
            deleted: false,
        })
    }

    #[test]
    fn a_refused_line_goes_first_with_the_next_and_is_saved_with_it() {
        let mut saves = Saves::default();
        assert_eq!(saves.send(1, vec![line(1)]).len(), 1);
        assert!(!saves.is_saved(1), "in flight");
        assert!(
            matches!(saves.answer(1, false), Answer::Saved { ref lines, missing: None } if *lines == [1])
        );
        assert!(saves.is_saved(1));
        saves.send(2, vec![line(2)]);
        assert!(matches!(saves.answer(2, true), Answer::Refused { ref missing } if missing == "line 2"));
        assert!(!saves.is_saved(2), "refused");
        let batch = saves.send(3, vec![line(3)]);
        assert_eq!(batch.iter().filter_map(line_of).collect::<Vec<_>>(), [2, 3], "the refused line first");
        assert!(matches!(saves.answer(3, true), Answer::Refused { ref missing } if missing == "lines 2, 3"));
        saves.send(4, vec![line(4)]);
        match saves.answer(4, false) {
            Answer::Saved { lines, missing } => {
                assert_eq!(lines, [2, 3, 4]);
                assert!(missing.is_none());
            }
            Answer::Refused { .. } => panic!("saved"),
        }
        assert!(saves.is_saved(2) && saves.is_saved(3) && saves.is_saved(4));
    }

    #[test]
    fn a_refused_old_version_never_overwrites_a_newer_saved_one() {
        let mut saves = Saves::default();
        saves.send(5, vec![line(5)]);
        saves.send(5, vec![line(5)]); // marked or corrected while the first was in flight
        assert!(matches!(saves.answer(5, true), Answer::Refused { .. }));
        assert!(matches!(saves.answer(5, false), Answer::Saved { missing: None, .. }));
        assert!(saves.is_saved(5));
        assert_eq!(saves.send(6, vec![line(6)]).iter().filter_map(line_of).collect::<Vec<_>>(), [6]);
    }
}
