//! The contact ledger: which contact points a case was planned to have (a
//! study-wide rhythm, changeable per case), which were kept by sessions,
//! held only in part or missed, when a case dropped out, and the
//! recruitment log (who was asked, who refused, why), all pseudonymous.

use super::{Case, Id, Session};
use chrono::{DateTime, FixedOffset, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The study-wide rhythm: a contact every `every_months` from a case's first
/// contact, `points` contacts in all. Stored as one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPlan {
    pub every_months: u32,
    pub points: u32,
}

impl Default for ContactPlan {
    /// The founding study: about a year, a contact every three months.
    fn default() -> Self {
        ContactPlan { every_months: 3, points: 4 }
    }
}

impl ContactPlan {
    pub fn check(every_months: u32, points: u32) -> Result<(), String> {
        if !(1..=Self::MOST).contains(&every_months) {
            return Err(format!("a contact every {every_months} months is not a rhythm: use 1 to 24 months"));
        }
        if !(1..=Self::MOST).contains(&points) {
            return Err(format!("{points} contact points is not a plan: use 1 to 24"));
        }
        Ok(())
    }

    /// The most contact points (and months between two) a plan can have.
    pub const MOST: u32 = 24;
}

// Variants are only ever appended: bincode stores the variant index.
/// What the researcher recorded of a contact point that sessions alone cannot say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactMarkKind {
    /// It did not happen (cancelled, the researcher "forgotten", no-show).
    #[serde(rename = "missed")]
    Missed,
    /// It happened only in part, e.g. a meeting held without the person ("(x)").
    #[serde(rename = "partial")]
    Partial,
}

impl ContactMarkKind {
    pub fn word(self) -> &'static str {
        match self {
            ContactMarkKind::Missed => "missed",
            ContactMarkKind::Partial => "partial",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMark {
    pub point: u32,
    pub kind: ContactMarkKind,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropout {
    pub date: NaiveDate,
    pub reason: String,
}

/// One case's ledger: its own rhythm if it differs from the study's, the
/// marks on its contact points, and its dropout. Stored per case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLedger {
    pub case_id: Id,
    /// Overrides of the study's plan for this case.
    pub every_months: Option<u32>,
    pub points: Option<u32>,
    /// The follow-up's start, if not the case's first session.
    pub start: Option<NaiveDate>,
    pub marks: Vec<ContactMark>,
    pub dropout: Option<Dropout>,
    pub updated: DateTime<FixedOffset>,
}

impl ContactLedger {
    pub fn new(case_id: Id, now: DateTime<FixedOffset>) -> Self {
        ContactLedger {
            case_id,
            every_months: None,
            points: None,
            start: None,
            marks: vec![],
            dropout: None,
            updated: now,
        }
    }

    /// Marks `point` missed or partial (replacing an earlier mark), or clears it.
    pub fn mark(&mut self, point: u32, kind: Option<ContactMarkKind>, reason: &str) -> Result<(), String> {
        if point == 0 {
            return Err("contact point must be 1 or more, not 0".into());
        }
        let reason = super::text::sanitise(reason).trim().to_string();
        if kind == Some(ContactMarkKind::Missed) && reason.is_empty() {
            return Err(format!("say why contact {point} was missed: --reason TEXT"));
        }
        self.marks.retain(|m| m.point != point);
        if let Some(kind) = kind {
            self.marks.push(ContactMark { point, kind, reason });
            self.marks.sort_by_key(|m| m.point);
        }
        Ok(())
    }
}

/// Where a planned contact point stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactStatus {
    /// Held, by these sessions.
    Kept(usize),
    Partial(String),
    Missed(String),
    /// Due after the case dropped out.
    DroppedOut,
    /// Not yet due.
    Planned,
    /// Due and past, and nothing recorded of it.
    Unrecorded,
}

impl ContactStatus {
    pub fn word(&self) -> &'static str {
        match self {
            ContactStatus::Kept(_) => "kept",
            ContactStatus::Partial(_) => "partial",
            ContactStatus::Missed(_) => "missed",
            ContactStatus::DroppedOut => "dropped out",
            ContactStatus::Planned => "planned",
            ContactStatus::Unrecorded => "unrecorded",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPoint {
    pub point: u32,
    pub due: Option<NaiveDate>,
    pub status: ContactStatus,
    /// The sessions held at it (a partial point can have some).
    pub held: usize,
}

/// One case's contact points and their counts: the row of the appendix table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseContacts {
    pub case: String,
    pub points: Vec<ContactPoint>,
    pub dropout: Option<Dropout>,
}

impl CaseContacts {
    fn count(&self, f: impl Fn(&ContactStatus) -> bool) -> usize {
        self.points.iter().filter(|p| f(&p.status)).count()
    }
    pub fn kept(&self) -> usize {
        self.count(|s| matches!(s, ContactStatus::Kept(_)))
    }
    pub fn partial(&self) -> usize {
        self.count(|s| matches!(s, ContactStatus::Partial(_)))
    }
    pub fn missed(&self) -> usize {
        self.count(|s| matches!(s, ContactStatus::Missed(_) | ContactStatus::Unrecorded))
    }

    /// One line: `1 ✓  2 (x)  3 –  4 ·  contacts 1 (2), missed 1`.
    pub fn summary(&self) -> String {
        let points: Vec<String> =
            self.points.iter().map(|p| format!("{} {}", p.point, p.status.sign())).collect();
        let out = self.dropout.as_ref().map_or(String::new(), |d| format!(", dropped out {}", d.date));
        format!(
            "{}  contacts {}, missed {}{out}",
            points.join("  "),
            kept_and_partial(self.kept(), self.partial()),
            self.missed()
        )
    }
}

impl CaseContacts {
    /// Every point in words, with its due date and reason, a line each; the
    /// dropout last: what a QDA tool shows as the case's memo.
    pub fn ledger_text(&self) -> String {
        let mut lines: Vec<String> = self
            .points
            .iter()
            .map(|p| {
                let due = p.due.map_or(String::new(), |d| format!(" (due {d})"));
                let why = match &p.status {
                    ContactStatus::Partial(why) | ContactStatus::Missed(why) if !why.is_empty() => {
                        format!(": {why}")
                    }
                    _ => String::new(),
                };
                format!("Contact {}{due}: {}{why}", p.point, p.status.word())
            })
            .collect();
        if let Some(d) = &self.dropout {
            lines.push(format!("Dropped out {}: {}", d.date, d.reason));
        }
        lines.join("\n")
    }
}

/// How many contact points `case` has: its plan's (its own, else the
/// study's), or more where sessions were held at later points.
pub fn points_of(
    case: &Case,
    sessions: &[Session],
    plan: &ContactPlan,
    ledger: Option<&ContactLedger>,
) -> u32 {
    let planned = ledger.and_then(|l| l.points).unwrap_or(plan.points);
    let held = sessions.iter().filter(|s| s.case_id == case.id).map(|s| s.contact_point).max();
    planned.max(held.unwrap_or(0))
}

/// The appendix's way of writing contacts: `3 (4)` is three contacts kept in
/// full and four held at all, a partial one included; with no partial
/// contact, just `3`.
pub fn kept_and_partial(kept: usize, partial: usize) -> String {
    if partial == 0 {
        kept.to_string()
    } else {
        format!("{kept} ({})", kept + partial)
    }
}

/// A case's contact points under the plan: point n is due `(n-1) × every`
/// months after the start (the ledger's, else the case's first session).
/// A point with sessions is kept unless marked partial; a mark says what
/// sessions cannot; past points after a dropout are the dropout's.
pub fn case_contacts(
    case: &Case,
    sessions: &[Session],
    plan: &ContactPlan,
    ledger: Option<&ContactLedger>,
    today: NaiveDate,
) -> CaseContacts {
    let mine: Vec<&Session> = sessions.iter().filter(|s| s.case_id == case.id).collect();
    let first = mine.iter().map(|s| s.clock.started.date_naive()).min();
    let start = ledger.and_then(|l| l.start).or(first);
    let every = ledger.and_then(|l| l.every_months).unwrap_or(plan.every_months);
    let planned = ledger.and_then(|l| l.points).unwrap_or(plan.points);
    // Sessions past the most a plan has were refused; one stored before is shown up to it.
    let held_max = mine.iter().map(|s| s.contact_point).max().unwrap_or(0).min(ContactPlan::MOST);
    // A mark past the plan is refused now; one made before that is shown, up to the most a plan has.
    let marked_max = ledger.map_or(0, |l| l.marks.iter().map(|m| m.point).max().unwrap_or(0));
    let marked_max = marked_max.min(ContactPlan::MOST);
    let dropout = ledger.and_then(|l| l.dropout.clone());
    let points = (1..=planned.max(held_max).max(marked_max))
        .map(|point| {
            let months = every.checked_mul(point - 1);
            let due = start.zip(months).and_then(|(s, m)| s.checked_add_months(Months::new(m)));
            let held = mine.iter().filter(|s| s.contact_point == point).count();
            let mark = ledger.and_then(|l| l.marks.iter().find(|m| m.point == point));
            let status = match (mark, held) {
                (Some(m), _) if m.kind == ContactMarkKind::Partial => {
                    ContactStatus::Partial(m.reason.clone())
                }
                (Some(m), 0) => ContactStatus::Missed(m.reason.clone()),
                (_, n) if n > 0 => ContactStatus::Kept(n),
                _ => match (due, &dropout) {
                    (Some(d), Some(out)) if out.date <= d => ContactStatus::DroppedOut,
                    (None, Some(_)) => ContactStatus::DroppedOut,
                    (Some(d), _) if d < today => ContactStatus::Unrecorded,
                    _ => ContactStatus::Planned,
                },
            };
            ContactPoint { point, due, status, held }
        })
        .collect();
    CaseContacts { case: case.code.to_string(), points, dropout }
}

impl ContactStatus {
    /// The table's sign: ✓ kept, (x) held in part, – missed, ? past and not
    /// recorded, · planned, out after a dropout.
    pub fn sign(&self) -> &'static str {
        match self {
            ContactStatus::Kept(_) => "✓",
            ContactStatus::Partial(_) => "(x)",
            ContactStatus::Missed(_) => "–",
            ContactStatus::Unrecorded => "?",
            ContactStatus::Planned => "·",
            ContactStatus::DroppedOut => "out",
        }
    }
}

/// The header of `contacts_table` for `points` contact points.
pub fn contacts_header(points: u32) -> Vec<String> {
    let mut header = vec!["case".to_string()];
    header.extend((1..=points).map(|p| p.to_string()));
    header.extend(["contacts".into(), "missed".into(), "dropped out".into()]);
    header
}

/// The appendix follow-up table: a row per case — a sign per contact
/// point, contacts as `kept (held)`, missed (recorded or not), dropout —
/// and a row of totals: per point and in all, kept with held in parentheses.
pub fn contacts_table(rows: &[CaseContacts]) -> (Vec<String>, Vec<Vec<String>>) {
    let points = rows.iter().map(|r| r.points.len()).max().unwrap_or(0);
    let mut per_point = vec![(0, 0); points];
    let (mut kept, mut partial, mut missed, mut out) = (0, 0, 0, 0);
    let mut table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            kept += r.kept();
            partial += r.partial();
            missed += r.missed();
            out += usize::from(r.dropout.is_some());
            let mut row = vec![r.case.clone()];
            for (i, slot) in per_point.iter_mut().enumerate() {
                let status = r.points.get(i).map(|p| &p.status);
                match status {
                    Some(ContactStatus::Kept(_)) => slot.0 += 1,
                    Some(ContactStatus::Partial(_)) => slot.1 += 1,
                    _ => {}
                }
                row.push(status.map_or("", ContactStatus::sign).to_string());
            }
            row.push(kept_and_partial(r.kept(), r.partial()));
            row.push(r.missed().to_string());
            row.push(r.dropout.as_ref().map_or(String::new(), |d| format!("{}: {}", d.date, d.reason)));
            row
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(per_point.iter().map(|(k, p)| kept_and_partial(*k, *p)));
    total.push(kept_and_partial(kept, partial));
    total.push(missed.to_string());
    total.push(out.to_string());
    table.push(total);
    (contacts_header(points as u32), table)
}

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecruitmentOutcome {
    #[serde(rename = "joined")]
    Joined,
    #[serde(rename = "refused")]
    Refused,
    #[serde(rename = "no-answer")]
    NoAnswer,
}

impl RecruitmentOutcome {
    pub const ALL: [RecruitmentOutcome; 3] =
        [RecruitmentOutcome::Joined, RecruitmentOutcome::Refused, RecruitmentOutcome::NoAnswer];
    pub fn word(self) -> &'static str {
        match self {
            RecruitmentOutcome::Joined => "joined",
            RecruitmentOutcome::Refused => "refused",
            RecruitmentOutcome::NoAnswer => "no-answer",
        }
    }
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|o| o.word() == text.trim().to_lowercase()).ok_or_else(|| {
            format!("recruitment outcome {text:?} is unknown: use joined, refused or no-answer")
        })
    }
}

/// One person asked to take part, known by a pseudonymous label (a case
/// code once they joined). No real name is ever asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recruitment {
    pub id: Id,
    pub label: super::CaseCode,
    pub asked: NaiveDate,
    /// Who asked or how (caseworker, letter, at a meeting…).
    pub via: String,
    pub outcome: RecruitmentOutcome,
    pub reason: String,
    pub created: DateTime<FixedOffset>,
}

pub mod entry;

#[cfg(test)]
mod tests;
