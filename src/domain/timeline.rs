//! The follow-up year across cases: one lane per case over the months of
//! the follow-up — sessions by kind, efforts as bars, narratives as marks
//! (by agency or time orientation, and where their narrated time falls),
//! contacts missed or held in part, dropouts. Drawn by the time-view
//! screen as text and by the timeline report as SVG.

use super::contacts::{CaseContacts, ContactStatus};
use super::narrated::{NarratedTime, NarratedWhen};
use super::{Case, Codebook, Effort, Id, Narrative, Role, Session, SessionKind};
use chrono::{Datelike, NaiveDate};

/// A month counted from the follow-up's first month (0), with the day's place in it (0.0–1.0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct At {
    pub month: i32,
    pub within: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SessionMark {
    pub at: At,
    pub kind: SessionKind,
    pub contact_point: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EffortBar {
    pub from: At,
    /// `None` while it goes on (to the view's end).
    pub to: Option<At>,
    pub kind: String,
    pub outcome: String,
}

/// Which way a narrative's mark is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Low,
    Middle,
    High,
    Uncoded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NarrativeMark {
    pub told: At,
    /// Its narrated time: a month in the view, or `None` with `before` set.
    pub narrated: Option<At>,
    pub before: bool,
    /// By agency (low, interplay, high) and by time orientation (backward, here-and-now, forward).
    pub agency: Tone,
    pub orientation: Tone,
    /// Told by the person (an interview or an observation), not by a professional.
    pub by_person: bool,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContactMark {
    pub at: At,
    pub point: u32,
    pub missed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub case: String,
    pub case_id: Id,
    pub sessions: Vec<SessionMark>,
    pub efforts: Vec<EffortBar>,
    pub narratives: Vec<NarrativeMark>,
    /// Contacts missed (or past with nothing recorded), or held in part.
    pub contacts: Vec<ContactMark>,
    pub dropout: Option<At>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The first day of the follow-up's first month.
    pub start: NaiveDate,
    pub months: i32,
    pub lanes: Vec<Lane>,
}

impl Timeline {
    pub fn at(&self, date: NaiveDate) -> At {
        month_of(self.start, date)
    }

    /// The month label of month `m`: `2025-03`.
    pub fn label(&self, m: i32) -> String {
        let date = self.start.checked_add_months(chrono::Months::new(m.max(0) as u32)).unwrap_or(self.start);
        date.format("%Y-%m").to_string()
    }
}

fn month_of(start: NaiveDate, date: NaiveDate) -> At {
    let month = (date.year() - start.year()) * 12 + date.month() as i32 - start.month() as i32;
    let days = if date.month() == 12 {
        31
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
            .map_or(31, |next| (next - date.with_day(1).unwrap_or(date)).num_days())
    };
    At { month, within: (date.day0() as f32) / days as f32 }
}

fn tone(book: &Codebook, n: &Narrative, group: &str, words: [&str; 3]) -> Tone {
    let Some(g) = book.groups.iter().find(|g| g.name.eq_ignore_ascii_case(group)) else {
        return Tone::Uncoded;
    };
    let code = g.codes.iter().find(|c| n.codes.contains(&c.id));
    match code.map(|c| c.name.to_lowercase()) {
        Some(name) if name == words[0] => Tone::Low,
        Some(name) if name == words[1] => Tone::Middle,
        Some(name) if name == words[2] => Tone::High,
        // A scale group's other codes, by their place in it.
        Some(_) => code
            .and_then(|c| g.codes.iter().position(|x| x.id == c.id))
            .map_or(Tone::Uncoded, |i| [Tone::Low, Tone::Middle, Tone::High][(i * 3 / g.codes.len()).min(2)]),
        None => Tone::Uncoded,
    }
}

/// What the lanes are built from.
pub struct TimelineInput<'a> {
    pub cases: &'a [Case],
    pub sessions: &'a [Session],
    pub efforts: &'a [Effort],
    pub narratives: &'a [Narrative],
    pub narrated: &'a [NarratedTime],
    pub contacts: &'a [CaseContacts],
    pub codebook: &'a Codebook,
}

/// The lanes of `cases` (in the order given) from the first month anything
/// happened to the last (planned contacts included).
pub fn timeline(input: &TimelineInput) -> Timeline {
    let mine = |s: &&Session| input.cases.iter().any(|c| c.id == s.case_id);
    let mut dates: Vec<NaiveDate> =
        input.sessions.iter().filter(mine).map(|s| s.clock.started.date_naive()).collect();
    dates.extend(
        input
            .efforts
            .iter()
            .filter(|e| input.cases.iter().any(|c| c.id == e.case_id))
            .flat_map(|e| [Some(e.start), e.end])
            .flatten(),
    );
    dates.extend(input.contacts.iter().flat_map(|c| c.points.iter().filter_map(|p| p.due)));
    let first = dates
        .iter()
        .min()
        .copied()
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default());
    let last = dates.iter().max().copied().unwrap_or(first);
    let start = first.with_day(1).unwrap_or(first);
    let months = month_of(start, last).month + 1;
    let lanes = input
        .cases
        .iter()
        .zip(input.contacts)
        .map(|(case, contacts)| {
            let sessions: Vec<&Session> = input.sessions.iter().filter(|s| s.case_id == case.id).collect();
            let narratives = input
                .narratives
                .iter()
                .filter(|n| !n.deleted)
                .filter_map(|n| {
                    let s = sessions.iter().find(|s| s.id == n.session)?;
                    let when = input.narrated.iter().find(|t| t.narrative == n.id).map(|t| t.when);
                    let by_person = s.speakers.iter().any(|sp| sp.role == Role::Participant)
                        && s.kind != SessionKind::ProfessionalInterview;
                    Some(NarrativeMark {
                        told: month_of(start, s.clock.started.date_naive()),
                        narrated: when
                            .and_then(NarratedWhen::month)
                            .map(|m| month_of(start, m))
                            .filter(|a| a.month >= 0),
                        before: when.is_some_and(|w| w.month().is_none_or(|m| m < start)),
                        agency: tone(input.codebook, n, "agency", ["low", "interplay", "high"]),
                        orientation: tone(
                            input.codebook,
                            n,
                            "time orientation",
                            ["backward-looking", "here-and-now", "forward-looking"],
                        ),
                        by_person,
                        title: n.title.clone(),
                    })
                })
                .collect();
            Lane {
                case: case.code.to_string(),
                case_id: case.id,
                sessions: sessions
                    .iter()
                    .map(|s| SessionMark {
                        at: month_of(start, s.clock.started.date_naive()),
                        kind: s.kind,
                        contact_point: s.contact_point,
                    })
                    .collect(),
                efforts: input
                    .efforts
                    .iter()
                    .filter(|e| e.case_id == case.id)
                    .map(|e| EffortBar {
                        from: month_of(start, e.start),
                        to: e.end.map(|d| month_of(start, d)),
                        kind: e.kind.clone(),
                        outcome: e.outcome.clone(),
                    })
                    .collect(),
                narratives,
                contacts: contacts
                    .points
                    .iter()
                    .filter_map(|p| {
                        let missed = matches!(p.status, ContactStatus::Missed(_) | ContactStatus::Unrecorded);
                        let partial = matches!(p.status, ContactStatus::Partial(_));
                        (missed || partial).then_some(ContactMark {
                            at: month_of(start, p.due?),
                            point: p.point,
                            missed,
                        })
                    })
                    .collect(),
                dropout: contacts.dropout.as_ref().map(|d| month_of(start, d.date)),
            }
        })
        .collect();
    Timeline { start, months, lanes }
}
