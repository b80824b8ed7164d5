//! A brief before the next contact with a case: what happened last time
//! (the interview asks what has changed since), the efforts still under
//! way, the guide's themes not yet covered, the marks not yet reviewed.

use super::contacts::{CaseContacts, ContactStatus};
use super::{Case, Codebook, Effort, Id, Narrative, Session, SessionKind, INTERVIEW_THEMES};
use chrono::NaiveDate;

/// A line marked live that is neither dismissed nor inside a narrative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenMark {
    pub session: Id,
    pub contact_point: u32,
    pub seq: u32,
    pub word: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brief {
    pub case: String,
    /// The next contact point not yet held, and when it is due; none after a dropout.
    pub next: Option<(u32, Option<NaiveDate>)>,
    /// When the case left the follow-up, and why.
    pub dropout: Option<super::contacts::Dropout>,
    /// The latest contact point with sessions, and those sessions.
    pub previous: Option<u32>,
    pub previous_sessions: Vec<Session>,
    /// The narratives told at the previous contact, in the order told.
    pub narratives: Vec<Narrative>,
    pub open_efforts: Vec<Effort>,
    /// Themes of the interview guide no interview of the case has ticked
    /// and no narrative of it is coded with.
    pub themes_not_covered: Vec<&'static str>,
    pub open_marks: Vec<OpenMark>,
}

pub struct BriefInput<'a> {
    pub case: &'a Case,
    pub sessions: &'a [Session],
    pub narratives: &'a [Narrative],
    pub efforts: &'a [Effort],
    pub codebook: &'a Codebook,
    pub contacts: &'a CaseContacts,
    pub open_marks: Vec<OpenMark>,
}

pub fn brief(input: BriefInput) -> Brief {
    let mut mine: Vec<&Session> = input.sessions.iter().filter(|s| s.case_id == input.case.id).collect();
    mine.sort_by_key(|s| (s.contact_point, s.clock.started));
    let previous = mine.last().map(|s| s.contact_point);
    let previous_sessions: Vec<Session> =
        mine.iter().filter(|s| Some(s.contact_point) == previous).map(|s| (*s).clone()).collect();
    let mut narratives: Vec<Narrative> = input
        .narratives
        .iter()
        .filter(|n| !n.deleted && previous_sessions.iter().any(|s| s.id == n.session))
        .cloned()
        .collect();
    let order = |n: &Narrative| previous_sessions.iter().position(|s| s.id == n.session);
    narratives.sort_by_key(|n| (order(n), n.first_seq));
    let next = input
        .contacts
        .points
        .iter()
        .find(|p| {
            p.point > previous.unwrap_or(0)
                && matches!(p.status, ContactStatus::Planned | ContactStatus::Unrecorded)
        })
        .map(|p| (p.point, p.due))
        .filter(|_| input.contacts.dropout.is_none());
    let theme_codes: Vec<(usize, Id)> = (1..=INTERVIEW_THEMES.len())
        .filter_map(|i| input.codebook.find(&format!("interview theme:T{i}")).ok().map(|id| (i - 1, id)))
        .collect();
    let mine_ids: Vec<Id> = mine.iter().map(|s| s.id).collect();
    let covered = |i: usize| {
        mine.iter().any(|s| s.kind == SessionKind::Interview && s.themes_ticked.contains(&(i as u8)))
            || theme_codes.iter().any(|(t, id)| {
                *t == i
                    && input
                        .narratives
                        .iter()
                        .any(|n| !n.deleted && mine_ids.contains(&n.session) && n.codes.contains(id))
            })
    };
    Brief {
        case: input.case.code.to_string(),
        next,
        dropout: input.contacts.dropout.clone(),
        previous,
        previous_sessions,
        narratives,
        open_efforts: input
            .efforts
            .iter()
            .filter(|e| e.case_id == input.case.id && e.end.is_none())
            .cloned()
            .collect(),
        themes_not_covered: (0..INTERVIEW_THEMES.len())
            .filter(|i| !covered(*i))
            .map(|i| INTERVIEW_THEMES[i])
            .collect(),
        open_marks: input.open_marks,
    }
}
