//! A change to a contact ledger typed in one line, as the case screen asks
//! for it: `3 missed visit cancelled`, `2 partial meeting without the
//! person`, `3 clear`, `dropout 2025-06-01 moved away`.

use super::{ContactLedger, ContactMarkKind, Dropout};

/// Refuses a mark on a point past the case's `points`.
pub fn beyond_plan(point: u32, points: u32) -> Result<(), String> {
    if point > points {
        return Err(format!(
            "Contact {point} is past the case's {points} contact points: give the case more points first (contact plan --case CODE --points N)."
        ));
    }
    Ok(())
}

pub const FORM: &str =
    "3 missed REASON · 2 partial REASON · 3 clear · dropout YYYY-MM-DD REASON · dropout clear";

impl ContactLedger {
    /// Applies a typed entry; `held(point)` says how many sessions a point
    /// has (a point with sessions was not missed), `points` how many points
    /// the case has (a mark past them is refused; a clear is not, so an old
    /// mark there can go). Says why an entry is refused.
    pub fn apply(&mut self, text: &str, held: impl Fn(u32) -> usize, points: u32) -> Result<String, String> {
        let text = crate::domain::text::sanitise(text);
        let mut words = text.split_whitespace();
        let first = words.next().unwrap_or("");
        let rest = |words: std::str::SplitWhitespace| words.collect::<Vec<_>>().join(" ");
        if first == "dropout" && text.split_whitespace().nth(1) == Some("clear") {
            self.dropout = None;
            return Ok("No dropout: the case is in the follow-up again.".into());
        }
        if first == "dropout" {
            let date = crate::domain::followup::parse_date(words.next().unwrap_or(""))?;
            let reason = rest(words);
            if reason.is_empty() {
                return Err("Say why the case dropped out: dropout YYYY-MM-DD REASON".into());
            }
            self.dropout = Some(Dropout { date, reason });
            return Ok(format!("Dropped out on {date}."));
        }
        let point: u32 = first.parse().map_err(|_| format!("{first:?} is no contact point: write {FORM}"))?;
        let kind = match words.next().unwrap_or("") {
            "missed" => Some(ContactMarkKind::Missed),
            "partial" => Some(ContactMarkKind::Partial),
            "clear" => None,
            other => return Err(format!("{other:?} is neither missed, partial nor clear: write {FORM}")),
        };
        if kind.is_some() {
            beyond_plan(point, points)?;
        }
        let sessions = held(point);
        if kind == Some(ContactMarkKind::Missed) && sessions > 0 {
            return Err(format!(
                "Contact {point} has {sessions} session(s), so it was not missed: mark it partial if it was held only in part."
            ));
        }
        self.mark(point, kind, &rest(words))?;
        Ok(match kind {
            Some(k) => format!("Contact {point}: {}.", k.word()),
            None => format!("Contact {point}: no mark."),
        })
    }
}
