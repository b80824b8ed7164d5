use super::*;
use crate::domain::{CaseCode, Place, SessionClock, SessionKind};
use chrono::DateTime;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn session(case: &Case, contact: u32, day: &str) -> Session {
    let at = DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+01:00")).unwrap();
    Session {
        id: Id::new(),
        case_id: case.id,
        kind: SessionKind::Interview,
        contact_point: contact,
        place: Place::JobCentre,
        place_text: String::new(),
        speakers: vec![],
        clock: SessionClock::start(at),
        ended: None,
        recording_started: None,
        themes_ticked: vec![],
        notes: String::new(),
    }
}

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-01-06T10:00:00+01:00").unwrap()
}

#[test]
fn points_are_due_by_the_rhythm_and_kept_partial_missed_or_dropped() {
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], now());
    let sessions = vec![
        session(&case, 1, "2025-01-06"),
        session(&case, 1, "2025-01-08"),
        session(&case, 2, "2025-04-07"),
    ];
    let mut ledger = ContactLedger::new(case.id, now());
    ledger.mark(2, Some(ContactMarkKind::Partial), "meeting without the person").unwrap();
    ledger.mark(3, Some(ContactMarkKind::Missed), "cancelled").unwrap();
    ledger.dropout = Some(Dropout { date: date("2025-09-01"), reason: "moved".into() });
    let plan = ContactPlan { every_months: 3, points: 5 };
    let row = case_contacts(&case, &sessions, &plan, Some(&ledger), date("2026-01-01"));
    let due: Vec<_> = row.points.iter().map(|p| p.due.unwrap().to_string()).collect();
    assert_eq!(due, ["2025-01-06", "2025-04-06", "2025-07-06", "2025-10-06", "2026-01-06"]);
    let words: Vec<_> = row.points.iter().map(|p| p.status.word()).collect();
    assert_eq!(words, ["kept", "partial", "missed", "dropped out", "dropped out"]);
    assert_eq!((row.kept(), row.partial(), row.missed()), (1, 1, 1));
    assert_eq!(row.points[0].status, ContactStatus::Kept(2));
}

#[test]
fn a_case_can_keep_its_own_rhythm_and_unrecorded_past_points_count_as_missed() {
    let case = Case::new(CaseCode::parse("BB").unwrap(), vec![], now());
    let sessions = vec![session(&case, 1, "2025-01-06")];
    let mut ledger = ContactLedger::new(case.id, now());
    ledger.every_months = Some(6);
    ledger.points = Some(3);
    let row = case_contacts(&case, &sessions, &ContactPlan::default(), Some(&ledger), date("2025-08-01"));
    let words: Vec<_> = row.points.iter().map(|p| p.status.word()).collect();
    assert_eq!(words, ["kept", "unrecorded", "planned"]);
    assert_eq!(row.points[2].due, Some(date("2026-01-06")));
    assert_eq!(row.missed(), 1);
}

#[test]
fn marks_need_a_point_and_a_missed_one_a_reason() {
    let mut ledger = ContactLedger::new(Id::new(), now());
    assert!(ledger.mark(0, Some(ContactMarkKind::Partial), "x").is_err());
    assert!(ledger.mark(2, Some(ContactMarkKind::Missed), " ").unwrap_err().contains("say why"));
    ledger.mark(2, Some(ContactMarkKind::Partial), "").unwrap();
    ledger.mark(2, None, "").unwrap();
    assert!(ledger.marks.is_empty());
    assert!(ContactPlan::check(0, 4).is_err() && ContactPlan::check(3, 0).is_err());
}

#[test]
fn the_appendix_writes_kept_then_held_in_parentheses() {
    assert_eq!(kept_and_partial(3, 1), "3 (4)");
    assert_eq!(kept_and_partial(4, 0), "4");
    assert_eq!(RecruitmentOutcome::parse("No-Answer").unwrap(), RecruitmentOutcome::NoAnswer);
    assert!(RecruitmentOutcome::parse("maybe").is_err());
}

#[test]
fn a_typed_entry_marks_clears_or_ends_the_follow_up() {
    let mut ledger = ContactLedger::new(Id::new(), now());
    let none = |_| 0;
    assert_eq!(ledger.apply("3 missed visit cancelled", none, 4).unwrap(), "Contact 3: missed.");
    assert_eq!(ledger.marks[0].reason, "visit cancelled");
    ledger.apply("2 partial meeting without the person", none, 4).unwrap();
    ledger.apply("3 clear", none, 4).unwrap();
    assert_eq!(ledger.marks.len(), 1);
    ledger.apply("dropout 2025-06-01 moved away", none, 4).unwrap();
    assert_eq!(ledger.dropout.as_ref().unwrap().date, date("2025-06-01"));
    assert!(ledger.apply("1 missed ill", |_| 2, 4).unwrap_err().contains("has 2 session(s)"));
    assert!(ledger.apply("two missed", none, 4).unwrap_err().contains("is no contact point"));
    assert!(ledger.apply("2 forgotten", none, 4).unwrap_err().contains("neither missed, partial nor clear"));
    assert!(ledger.apply("dropout 2025-02-30 x", none, 4).unwrap_err().contains("has 28 days"));
    assert!(ledger.apply("dropout 2025-02-01", none, 4).unwrap_err().contains("Say why"));
    // A mark past the case's points is refused (4000 once crashed the time view); a clear there is not.
    let past = ledger.apply("4000 missed far out", none, 4).unwrap_err();
    assert!(past.contains("Contact 4000 is past the case's 4 contact points"), "{past}");
    assert!(ledger.apply("5 partial x", none, 4).is_err());
    assert_eq!(ledger.apply("5 clear", none, 4).unwrap(), "Contact 5: no mark.");
    assert_eq!(ledger.marks.len(), 1, "nothing marked past the plan");
    ledger.apply("dropout clear", none, 4).unwrap();
    assert!(ledger.dropout.is_none(), "a dropout can be taken off");
}

#[test]
fn an_old_mark_far_past_the_plan_neither_overflows_nor_stretches_the_ledger() {
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], now());
    let sessions = vec![session(&case, 1, "2025-01-06")];
    let mut ledger = ContactLedger::new(case.id, now());
    // Stored before marks past the plan were refused.
    ledger.mark(4000, Some(ContactMarkKind::Missed), "far out").unwrap();
    ledger.mark(u32::MAX, Some(ContactMarkKind::Partial), "farther").unwrap();
    ledger.every_months = Some(24);
    let plan = ContactPlan::default();
    let contacts = case_contacts(&case, &sessions, &plan, Some(&ledger), date("2025-06-01"));
    assert_eq!(contacts.points.len(), ContactPlan::MOST as usize);
    assert_eq!(points_of(&case, &sessions, &plan, Some(&ledger)), plan.points);
}
