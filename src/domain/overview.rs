//! Across cases: the follow-up overview (how intensely each case was
//! followed) and displays (narratives laid out as a matrix).

use super::{Case, Codebook, Id, Narrative, Role, Session, SessionKind};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// One case's row of the follow-up overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub case: String,
    pub case_id: Id,
    /// Sessions per kind, in `SessionKind::ALL` order.
    pub sessions: [usize; 5],
    pub contact_points: Vec<u32>,
    /// A caseworker label not seen before on the case, after the first, is a change.
    pub caseworker_changes: usize,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    /// Planned contact points kept, held in part, and missed (from the contact ledger).
    pub kept: usize,
    pub partial: usize,
    pub missed: usize,
}

impl FollowUp {
    /// The row with the counts of its case's contact ledger.
    pub fn with_contacts(mut self, contacts: &super::contacts::CaseContacts) -> Self {
        (self.kept, self.partial, self.missed) = (contacts.kept(), contacts.partial(), contacts.missed());
        self
    }
}

pub fn follow_up(case: &Case, sessions: &[Session]) -> FollowUp {
    let mut mine: Vec<&Session> = sessions.iter().filter(|s| s.case_id == case.id).collect();
    mine.sort_by_key(|s| s.clock.started);
    let mut counts = [0; 5];
    let mut contacts = BTreeSet::new();
    let mut caseworkers: Vec<&str> = Vec::new();
    let mut changes = 0;
    for s in &mine {
        counts[SessionKind::ALL.iter().position(|k| *k == s.kind).unwrap_or(0)] += 1;
        contacts.insert(s.contact_point);
        for speaker in s.speakers.iter().filter(|sp| sp.role == Role::Caseworker) {
            if !caseworkers.contains(&speaker.label.as_str()) {
                if !caseworkers.is_empty() {
                    changes += 1;
                }
                caseworkers.push(&speaker.label);
            }
        }
    }
    FollowUp {
        case: case.code.to_string(),
        case_id: case.id,
        sessions: counts,
        contact_points: contacts.into_iter().collect(),
        caseworker_changes: changes,
        first: mine.first().map(|s| s.clock.started.date_naive()),
        last: mine.last().map(|s| s.clock.started.date_naive()),
        kept: 0,
        partial: 0,
        missed: 0,
    }
}

/// The overview as table cells — case, interviews, observations, professional
/// interviews, case meetings, contact points, contacts kept (held, partial
/// included: `3 (4)`), missed, caseworker changes, first, last — a row per
/// case and a last row of totals.
pub fn overview_table(rows: &[FollowUp], contact_separator: &str) -> Vec<Vec<String>> {
    let mut totals = [0usize; 5];
    let mut changes = 0;
    let (mut kept, mut partial, mut missed) = (0, 0, 0);
    let mut table: Vec<Vec<String>> = rows
        .iter()
        .map(|f| {
            for (t, n) in totals.iter_mut().zip(f.sessions) {
                *t += n;
            }
            changes += f.caseworker_changes;
            (kept, partial, missed) = (kept + f.kept, partial + f.partial, missed + f.missed);
            let contacts: Vec<String> = f.contact_points.iter().map(u32::to_string).collect();
            vec![
                f.case.clone(),
                f.sessions[0].to_string(),
                f.sessions[1].to_string(),
                f.sessions[2].to_string(),
                f.sessions[3].to_string(),
                contacts.join(contact_separator),
                super::contacts::kept_and_partial(f.kept, f.partial),
                f.missed.to_string(),
                f.caseworker_changes.to_string(),
                f.first.map_or("—".into(), |d| d.to_string()),
                f.last.map_or("—".into(), |d| d.to_string()),
            ]
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(totals[..4].iter().map(usize::to_string));
    total.extend([
        String::new(),
        super::contacts::kept_and_partial(kept, partial),
        missed.to_string(),
        changes.to_string(),
        String::new(),
        String::new(),
    ]);
    table.push(total);
    table
}

/// What a display's columns are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Columns {
    ContactPoints,
    /// The codes of one code group.
    Group(Id),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayRow {
    pub case: String,
    /// The narratives in each column, oldest first.
    pub cells: Vec<Vec<Id>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Display {
    pub columns: Vec<String>,
    pub rows: Vec<DisplayRow>,
}

/// What a display's rows are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rows {
    Cases,
    /// The codes of one code group (Display 6.2: kind of context × force).
    Group(Id),
}

/// Lays the narratives of `cases` out by case and column.
pub fn display(
    cases: &[Case],
    sessions: &[Session],
    narratives: &[Narrative],
    codebook: &Codebook,
    columns: &Columns,
) -> Display {
    display_by(cases, sessions, narratives, codebook, &Rows::Cases, columns)
}

/// Lays the narratives told in `cases` out by `rows` and `columns`: a cell
/// holds the narratives that belong to both its row and its column.
pub fn display_by(
    cases: &[Case],
    sessions: &[Session],
    narratives: &[Narrative],
    codebook: &Codebook,
    rows: &Rows,
    columns: &Columns,
) -> Display {
    let session_of = |n: &Narrative| sessions.iter().find(|s| s.id == n.session);
    let mut live: Vec<(&Narrative, &Session)> = narratives
        .iter()
        .filter(|n| !n.deleted)
        .filter_map(|n| session_of(n).map(|s| (n, s)))
        .filter(|(_, s)| cases.iter().any(|c| c.id == s.case_id))
        .collect();
    // In a cell, narratives come in the order they were told.
    live.sort_by_key(|(n, s)| (s.clock.started, n.first_seq));
    let codes_of = |group: &Id| -> Vec<(String, Key)> {
        codebook
            .groups
            .iter()
            .filter(|g| g.id == *group)
            .flat_map(|g| &g.codes)
            .filter(|c| !c.retired || live.iter().any(|(n, _)| n.codes.contains(&c.id)))
            .map(|c| (c.name.clone(), Key::Code(c.id)))
            .collect()
    };
    let column_keys: Vec<(String, Key)> = match columns {
        Columns::ContactPoints => {
            let points: BTreeSet<u32> = sessions
                .iter()
                .filter(|s| cases.iter().any(|c| c.id == s.case_id))
                .map(|s| s.contact_point)
                .collect();
            points.into_iter().map(|p| (format!("contact {p}"), Key::Contact(p))).collect()
        }
        Columns::Group(group) => codes_of(group),
    };
    let row_keys: Vec<(String, Key)> = match rows {
        Rows::Cases => cases.iter().map(|c| (c.code.to_string(), Key::Case(c.id))).collect(),
        Rows::Group(group) => codes_of(group),
    };
    let rows = row_keys
        .iter()
        .map(|(name, row)| {
            let cells = column_keys
                .iter()
                .map(|(_, column)| {
                    live.iter()
                        .filter(|(n, s)| row.holds(n, s) && column.holds(n, s))
                        .map(|(n, _)| n.id)
                        .collect()
                })
                .collect();
            DisplayRow { case: name.clone(), cells }
        })
        .collect();
    Display { columns: column_keys.into_iter().map(|(name, _)| name).collect(), rows }
}

/// What a row or column of a display stands for.
enum Key {
    Case(Id),
    Contact(u32),
    Code(Id),
}

impl Key {
    fn holds(&self, n: &Narrative, s: &Session) -> bool {
        match self {
            Key::Case(id) => s.case_id == *id,
            Key::Contact(p) => s.contact_point == *p,
            Key::Code(c) => n.codes.contains(c),
        }
    }
}

/// Whether a case has `key=value` among its attributes (key ignoring case).
pub fn has_attribute(case: &Case, key: &str, value: &str) -> bool {
    case.attributes.iter().any(|(k, v)| k.eq_ignore_ascii_case(key.trim()) && v == value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CaseCode, Place, SessionClock, Speaker};
    use chrono::{DateTime, Duration};

    fn at(days: i64) -> chrono::DateTime<chrono::FixedOffset> {
        DateTime::parse_from_rfc3339("2025-01-06T10:00:00+01:00").unwrap() + Duration::days(days)
    }

    fn session(case: &Case, kind: SessionKind, contact: u32, days: i64, caseworker: &str) -> Session {
        Session {
            id: Id::new(),
            case_id: case.id,
            kind,
            contact_point: contact,
            place: Place::JobCentre,
            place_text: String::new(),
            speakers: vec![
                Speaker { key: 1, label: case.code.to_string(), role: Role::Participant },
                Speaker { key: 2, label: caseworker.into(), role: Role::Caseworker },
            ],
            clock: SessionClock::start(at(days)),
            ended: None,
            recording_started: None,
            themes_ticked: vec![],
            notes: String::new(),
        }
    }

    #[test]
    fn the_overview_counts_kinds_contacts_and_caseworker_changes() {
        let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], at(0));
        let sessions = vec![
            session(&case, SessionKind::Observation, 1, 0, "CW"),
            session(&case, SessionKind::Interview, 1, 2, "CW"),
            session(&case, SessionKind::Observation, 2, 90, "CW2"),
            session(&case, SessionKind::CaseMeeting, 3, 200, "CW2"),
            session(&case, SessionKind::Observation, 3, 201, "CW3"),
        ];
        let row = follow_up(&case, &sessions);
        assert_eq!(row.sessions, [1, 3, 0, 1, 0]);
        assert_eq!(row.contact_points, vec![1, 2, 3]);
        assert_eq!(row.caseworker_changes, 2);
        assert_eq!(row.first, Some(at(0).date_naive()));
        assert_eq!(row.last, Some(at(201).date_naive()));
    }
}
