//! A study shaped like the founding one, built through the store API with
//! fixed dates: 19 cases followed for a year, a contact every three months,
//! some contacts held in part or missed, two dropouts, efforts and
//! narratives. Shared by the tests of the follow-up year.

#![allow(dead_code)]

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use fieldlog::domain::contacts::{ContactLedger, ContactMarkKind, Dropout};
use fieldlog::domain::narrated::{NarratedTime, NarratedWhen};
use fieldlog::domain::session::default_speakers;
use fieldlog::domain::*;
use fieldlog::store::{Change, Store};

pub fn at(days: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-01-06T10:00:00+01:00").unwrap() + Duration::days(days)
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The day the tests judge contacts on: after the year.
pub fn today() -> NaiveDate {
    date("2026-03-01")
}

/// Per case: code, gender, age group, education, site, and its four contact
/// points — k kept, p held in part (a case meeting without the person),
/// m missed, o after its dropout.
pub const CASES: [(&str, &str, &str, &str, &str, &str); 19] = [
    ("AA", "f", "30-39", "none", "Nord", "kkkk"),
    ("BB", "m", "40-49", "vocational", "Nord", "kkkp"),
    ("CC", "f", "18-29", "none", "Syd", "kkkk"),
    ("DD", "m", "30-39", "none", "Syd", "kkpk"),
    ("EE", "f", "40-49", "vocational", "Nord", "kkmk"),
    ("FF", "m", "18-29", "none", "Syd", "kkoo"),
    ("GG", "f", "50-59", "vocational", "Nord", "kkkk"),
    ("HH", "m", "30-39", "none", "Syd", "kpkk"),
    ("II", "f", "40-49", "none", "Nord", "kkkk"),
    ("JJ", "m", "50-59", "vocational", "Syd", "kkkm"),
    ("KK", "f", "18-29", "none", "Nord", "kkkk"),
    ("LL", "m", "30-39", "vocational", "Syd", "kkpp"),
    ("MM", "f", "40-49", "none", "Nord", "kooo"),
    ("NN", "m", "50-59", "none", "Syd", "kkkk"),
    ("OO", "f", "30-39", "vocational", "Nord", "kkkp"),
    ("PP", "m", "40-49", "none", "Syd", "kmkk"),
    ("QQ", "f", "18-29", "vocational", "Nord", "kkkk"),
    ("RR", "m", "30-39", "none", "Syd", "kkkk"),
    ("SS", "f", "50-59", "none", "Nord", "kkkk"),
];

pub fn session(
    case: &Case,
    kind: SessionKind,
    contact: u32,
    days: i64,
    lines: &[&str],
) -> (Session, Vec<Change>) {
    let speakers = default_speakers(kind, &case.code);
    let mut session = Session {
        id: Id::new(),
        case_id: case.id,
        kind,
        contact_point: contact,
        place: Place::JobCentre,
        place_text: String::new(),
        speakers,
        clock: SessionClock::start(at(days)),
        ended: Some(at(days) + Duration::minutes(45)),
        recording_started: None,
        themes_ticked: vec![],
        notes: String::new(),
    };
    session.clock.started = at(days);
    let mut changes = vec![Change::Session(session.clone())];
    for (i, text) in lines.iter().enumerate() {
        changes.push(Change::Utterance(Utterance {
            session: session.id,
            seq: i as u32 + 1,
            speaker: session.speakers[i % session.speakers.len()].label.clone(),
            kind: UtteranceKind::Speech,
            text: text.to_string(),
            onset: at(days) + Duration::seconds(i as i64 * 20),
            committed: at(days) + Duration::seconds(i as i64 * 20 + 5),
            elapsed_ms: i as i64 * 20_000,
            mark: None,
            deleted: false,
        }));
    }
    (session, changes)
}

pub fn narrative(store: &Store, session: &Session, seq: u32, title: &str, codes: &[&str]) -> Narrative {
    let book = store.codebook().unwrap();
    Narrative {
        id: Id::new(),
        session: session.id,
        first_seq: seq,
        last_seq: seq,
        title: title.into(),
        codes: codes.iter().map(|c| book.find(c).unwrap()).collect(),
        memo: String::new(),
        author: "anna".into(),
        created: at(400),
        updated: at(400),
        deleted: false,
    }
}

/// Builds the study; returns its cases in code order.
pub fn build(store: &Store) -> Vec<Case> {
    let mut variables = Variables::default();
    for name in ["gender", "age group", "education", "site"] {
        variables.variables.push(Variable { name: name.into(), kind: VariableKind::Text });
    }
    store.commit(&[Change::Variables(variables)]).unwrap();
    let mut cases = Vec::new();
    for (i, (code, gender, age, education, site, contacts)) in CASES.iter().enumerate() {
        let attributes = [("gender", gender), ("age group", age), ("education", education), ("site", site)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let case = Case::new(CaseCode::parse(code).unwrap(), attributes, at(0));
        store.add_case(&case).unwrap();
        let mut ledger = ContactLedger::new(case.id, at(0));
        let offset = i as i64;
        for (n, state) in contacts.chars().enumerate() {
            let point = n as u32 + 1;
            let day = offset + n as i64 * 91;
            let lines = ["Jeg vil gerne arbejde", "Men ryggen driller", "Næste gang bliver det bedre"];
            match state {
                'k' => {
                    let (s, changes) = session(&case, SessionKind::Interview, point, day, &lines);
                    store.commit(&changes).unwrap();
                    let codes: &[&str] = match n {
                        0 => &["agency:low", "backward-looking", "force:negative"],
                        3 => &["agency:high", "forward-looking", "force:positive"],
                        _ => &["agency:interplay", "here-and-now", "force:positive"],
                    };
                    let n = narrative(store, &s, 1, &format!("{code} at contact {point}"), codes);
                    // Two narratives tell of earlier times: before the follow-up, and a month in it.
                    let when = match (*code, point) {
                        ("AA", 1) => Some(NarratedWhen::BeforeFollowUp),
                        ("BB", 3) => Some(NarratedWhen::Month(date("2025-02-01"))),
                        _ => None,
                    };
                    let narrated =
                        when.map(|when| Change::NarratedTime(NarratedTime { narrative: n.id, when }));
                    store.commit(&[Change::Narrative(n)]).unwrap();
                    store.commit(&narrated.into_iter().collect::<Vec<_>>()).unwrap();
                }
                'p' => {
                    let (_, changes) = session(&case, SessionKind::CaseMeeting, point, day, &lines[..1]);
                    store.commit(&changes).unwrap();
                    ledger
                        .mark(point, Some(ContactMarkKind::Partial), "meeting held without the person")
                        .unwrap();
                }
                'm' => {
                    let why = if n % 2 == 0 { "visit cancelled" } else { "the researcher was forgotten" };
                    ledger.mark(point, Some(ContactMarkKind::Missed), why).unwrap();
                }
                _ => {
                    if ledger.dropout.is_none() {
                        let out = at(day - 40).date_naive();
                        ledger.dropout = Some(Dropout { date: out, reason: "moved away".into() });
                    }
                }
            }
        }
        if ledger.marks.len() + usize::from(ledger.dropout.is_some()) > 0 {
            store.commit(&[Change::ContactLedger(ledger)]).unwrap();
        }
        let effort = Effort {
            id: Id::new(),
            case_id: case.id,
            kind: if i % 2 == 0 { "wage-subsidy job".into() } else { "dental treatment".into() },
            provider: String::new(),
            start: at(offset + 30).date_naive(),
            end: (i % 3 != 0).then(|| at(offset + 150).date_naive()),
            outcome: match i % 3 {
                0 => String::new(),
                1 => "ordinary job".into(),
                _ => "ended early".into(),
            },
            created: at(0),
        };
        store.commit(&[Change::Effort(effort)]).unwrap();
        cases.push(case);
    }
    cases
}
