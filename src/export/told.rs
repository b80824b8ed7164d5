//! What the tables need from a study's lines, gathered as they are
//! written a session at a time: how many lines each session has, and each
//! narrative's text.

use crate::domain::{Id, Narrative, Session, Utterance};
use std::collections::HashMap;

/// What the other tables need from the lines: how many lines each session
/// has, and each narrative's text (its lines as `speaker: text`).
#[derive(Debug, Default)]
pub struct Told {
    lines: HashMap<Id, usize>,
    narrative_texts: HashMap<Id, String>,
}

impl Told {
    /// What one session's lines tell; `narratives` are the session's own (not deleted).
    pub fn of(session: &Session, lines: &[Utterance], narratives: &[&Narrative]) -> Told {
        let mut told = Told::default();
        told.lines.insert(session.id, lines.iter().filter(|l| !l.deleted).count());
        for n in narratives {
            // Lines are in seq order: find the span instead of walking the session.
            let from = lines.partition_point(|l| l.seq < n.first_seq);
            let mut text = String::new();
            for l in lines[from..].iter().take_while(|l| l.seq <= n.last_seq).filter(|l| !l.deleted) {
                // Never empty once a line is in: `speaker: ` at least.
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&l.speaker);
                text.push_str(": ");
                text.push_str(&l.text);
            }
            told.narrative_texts.insert(n.id, text);
        }
        told
    }

    /// What every session of `sessions` tells, read whole (a small study, a test).
    pub fn of_all(sessions: &[(Session, Vec<Utterance>)], narratives: &[Narrative]) -> Told {
        let mut told = Told::default();
        for (session, lines) in sessions {
            let own: Vec<&Narrative> =
                narratives.iter().filter(|n| n.session == session.id && !n.deleted).collect();
            told.add(Told::of(session, lines, &own));
        }
        told
    }

    /// How many lines (not deleted) `session` has.
    pub fn lines_of(&self, session: Id) -> usize {
        self.lines.get(&session).copied().unwrap_or(0)
    }

    /// A narrative's lines as `speaker: text`, one a row.
    pub fn text_of(&self, narrative: Id) -> &str {
        self.narrative_texts.get(&narrative).map_or("", String::as_str)
    }

    pub fn add(&mut self, other: Told) {
        self.lines.extend(other.lines);
        self.narrative_texts.extend(other.narrative_texts);
    }
}
