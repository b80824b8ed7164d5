//! Cross-tabulations of the study: cases by two variables, and sessions,
//! contacts or efforts by a case variable and what they are (kind,
//! contact point, outcome), each with row and column totals.

use super::contacts::{kept_and_partial, CaseContacts, ContactStatus};
use super::{Case, Effort, Role, Session, SessionKind};
use std::collections::BTreeSet;

/// What the columns of a table count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Across {
    /// Cases, by the values of a variable.
    Variable(String),
    /// Sessions, by kind.
    SessionKind,
    /// Contacts, by contact point: kept, with held (a partial one included) in parentheses.
    ContactPoint,
    /// Efforts, by outcome (`ongoing` while they go on, `(none)` ended without one).
    EffortOutcome,
    /// Efforts, by kind.
    EffortKind,
}

impl Across {
    /// `kind`, `contact`, `outcome`, `effort`, or a variable's name.
    pub fn parse(text: &str) -> Across {
        match text.trim() {
            "kind" => Across::SessionKind,
            "contact" => Across::ContactPoint,
            "outcome" => Across::EffortOutcome,
            "effort" => Across::EffortKind,
            variable => Across::Variable(variable.to_string()),
        }
    }

    pub fn counts(&self) -> &'static str {
        match self {
            Across::Variable(_) => "cases",
            Across::SessionKind => "sessions",
            Across::ContactPoint => "contacts kept (held)",
            Across::EffortOutcome | Across::EffortKind => "efforts",
        }
    }
}

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A case's value of a variable, `(none)` when it has none.
pub fn value_of(case: &Case, variable: &str) -> String {
    case.attributes
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(variable))
        .map_or("(none)".to_string(), |(_, v)| v.clone())
}

fn outcome_of(e: &Effort) -> String {
    match (e.end, e.outcome.trim()) {
        (None, _) => "ongoing".into(),
        (Some(_), "") => "(none)".into(),
        (Some(_), outcome) => outcome.to_string(),
    }
}

/// Everything one case brings to the table: the column value of each thing counted.
fn items(
    case: &Case,
    across: &Across,
    sessions: &[Session],
    efforts: &[Effort],
    contacts: &CaseContacts,
) -> Vec<(String, u8)> {
    // (column, weight) where weight 1 counts in full and 2 only in parentheses.
    match across {
        Across::Variable(v) => vec![(value_of(case, v), 1)],
        Across::SessionKind => {
            sessions.iter().filter(|s| s.case_id == case.id).map(|s| (s.kind.word().to_string(), 1)).collect()
        }
        Across::ContactPoint => contacts
            .points
            .iter()
            .filter_map(|p| match p.status {
                ContactStatus::Kept(_) => Some((p.point.to_string(), 1)),
                ContactStatus::Partial(_) => Some((p.point.to_string(), 2)),
                _ => None,
            })
            .collect(),
        Across::EffortOutcome => {
            efforts.iter().filter(|e| e.case_id == case.id).map(|e| (outcome_of(e), 1)).collect()
        }
        Across::EffortKind => {
            efforts.iter().filter(|e| e.case_id == case.id).map(|e| (e.kind.clone(), 1)).collect()
        }
    }
}

/// Rows by the values of `rows` (a variable, or `case` for a row per case),
/// columns by `across`; the last row and column are totals.
pub fn cross_table(
    cases: &[Case],
    rows: &str,
    across: &Across,
    sessions: &[Session],
    efforts: &[Effort],
    contacts: &[CaseContacts],
) -> Table {
    let row_of = |case: &Case| if rows == "case" { case.code.to_string() } else { value_of(case, rows) };
    let per_case: Vec<(String, Vec<(String, u8)>)> = cases
        .iter()
        .zip(contacts)
        .map(|(case, k)| (row_of(case), items(case, across, sessions, efforts, k)))
        .collect();
    let row_keys: Vec<String> = match rows {
        "case" => per_case.iter().map(|(r, _)| r.clone()).collect(),
        _ => per_case.iter().map(|(r, _)| r.clone()).collect::<BTreeSet<_>>().into_iter().collect(),
    };
    let mut col_keys: Vec<String> = match across {
        Across::SessionKind => SessionKind::ALL.iter().map(|k| k.word().to_string()).collect(),
        _ => per_case
            .iter()
            .flat_map(|(_, items)| items.iter().map(|(c, _)| c.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    if *across == Across::ContactPoint {
        col_keys.sort_by_key(|c| c.parse::<u32>().unwrap_or(0));
    }
    let count = |row: Option<&str>, col: Option<&str>| {
        let (mut full, mut part) = (0, 0);
        for (r, items) in &per_case {
            if row.is_some_and(|row| row != r) {
                continue;
            }
            for (c, weight) in items {
                if col.is_none_or(|col| col == c) {
                    if *weight == 1 {
                        full += 1
                    } else {
                        part += 1
                    }
                }
            }
        }
        kept_and_partial(full, part)
    };
    let first = if rows == "case" { "case".to_string() } else { rows.to_string() };
    let mut header = vec![first];
    header.extend(col_keys.iter().cloned());
    header.push("total".into());
    let mut table: Vec<Vec<String>> = row_keys
        .iter()
        .map(|r| {
            let mut row = vec![r.clone()];
            row.extend(col_keys.iter().map(|c| count(Some(r), Some(c))));
            row.push(count(Some(r), None));
            row
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(col_keys.iter().map(|c| count(None, Some(c))));
    total.push(count(None, None));
    table.push(total);
    Table { header, rows: table }
}

/// The roles a professional has: everyone who speaks for the system.
pub const PROFESSIONAL_ROLES: [Role; 4] =
    [Role::Caseworker, Role::JobConsultant, Role::ProjectWorker, Role::OtherProfessional];

/// Professionals by role (rows) and a case variable (columns, e.g. the
/// municipality): each professional counted once per value and once in the
/// totals, known by their label, as the speakers of every session name them. Two people under one
/// label (every caseworker "CW") count as one: the note says so.
pub fn professionals_table(cases: &[Case], sessions: &[Session], variable: &str) -> Table {
    let mut seen: BTreeSet<(usize, String, String)> = BTreeSet::new();
    for s in sessions {
        let Some(case) = cases.iter().find(|c| c.id == s.case_id) else { continue };
        let value = value_of(case, variable);
        for speaker in &s.speakers {
            if let Some(role) = PROFESSIONAL_ROLES.iter().position(|r| *r == speaker.role) {
                seen.insert((role, speaker.label.trim().to_lowercase(), value.clone()));
            }
        }
    }
    let values: Vec<String> =
        seen.iter().map(|(_, _, v)| v.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    // A person who speaks in two municipalities counts in each, and once in the totals.
    let count = |role: Option<usize>, value: Option<&str>| {
        seen.iter()
            .filter(|(r, _, v)| role.is_none_or(|role| role == *r) && value.is_none_or(|value| value == v))
            .map(|(r, label, _)| (*r, label.as_str()))
            .collect::<BTreeSet<_>>()
            .len()
            .to_string()
    };
    let mut header = vec!["role".to_string()];
    header.extend(values.iter().cloned());
    header.push("total".into());
    let roles = (0..PROFESSIONAL_ROLES.len()).filter(|r| seen.iter().any(|(role, _, _)| role == r));
    let mut rows: Vec<Vec<String>> = roles
        .map(|r| {
            let mut row = vec![PROFESSIONAL_ROLES[r].word().to_string()];
            row.extend(values.iter().map(|v| count(Some(r), Some(v))));
            row.push(count(Some(r), None));
            row
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(values.iter().map(|v| count(None, Some(v))));
    total.push(count(None, None));
    rows.push(total);
    Table { header, rows }
}

/// Narratives by the codes of two groups (Display 6.2: kind of context ×
/// positive/negative): each cell the narratives that carry both codes.
pub struct CodeDisplay {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<Vec<super::Id>>>,
}

pub fn code_display(
    narratives: &[super::Narrative],
    rows: &super::CodeGroup,
    columns: &super::CodeGroup,
) -> CodeDisplay {
    let live: Vec<&super::Narrative> = narratives.iter().filter(|n| !n.deleted).collect();
    let used = |c: &&super::Code| !c.retired || live.iter().any(|n| n.codes.contains(&c.id));
    let row_codes: Vec<&super::Code> = rows.codes.iter().filter(used).collect();
    let col_codes: Vec<&super::Code> = columns.codes.iter().filter(used).collect();
    let cells = row_codes
        .iter()
        .map(|r| {
            col_codes
                .iter()
                .map(|c| {
                    live.iter()
                        .filter(|n| n.codes.contains(&r.id) && n.codes.contains(&c.id))
                        .map(|n| n.id)
                        .collect()
                })
                .collect()
        })
        .collect();
    CodeDisplay {
        rows: row_codes.iter().map(|c| c.name.clone()).collect(),
        columns: col_codes.iter().map(|c| c.name.clone()).collect(),
        cells,
    }
}
