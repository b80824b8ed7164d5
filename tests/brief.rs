//! The brief before the next contact, as a report checked in full and as
//! the screen the case screen opens with `b`.

mod common;
mod founding;

use common::Harness;
use fieldlog::domain::*;
use fieldlog::export::brief_report::{brief_report, load_brief};
use fieldlog::export::document::markdown;
use fieldlog::export::report::Study;
use fieldlog::store::{Change, Store};

/// AA: two interviews; marks on the second's lines — one inside a
/// narrative, one dismissed, one open; an effort under way and one ended.
fn study(store: &Store) -> Case {
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], founding::at(0));
    store.add_case(&case).unwrap();
    let (mut first, mut changes) =
        founding::session(&case, SessionKind::Interview, 1, 0, &["Jeg vil have et job", "Men ryggen"]);
    first.themes_ticked = vec![0, 1];
    changes[0] = Change::Session(first.clone());
    store.commit(&changes).unwrap();
    let lines = ["Jeg har fået praktik", "Men chefen er streng", "Jeg vil gerne blive"];
    let (second, mut changes) = founding::session(&case, SessionKind::Interview, 2, 91, &lines);
    for (i, word) in [(1, ""), (2, "chef"), (3, "")] {
        if let Change::Utterance(u) = &mut changes[i] {
            u.mark = Some(Mark { word: word.into(), at: founding::at(91) });
        }
    }
    store.commit(&changes).unwrap();
    let dismissal = MarkDismissal { session: second.id, seq: 3, at: founding::at(92) };
    let told = founding::narrative(store, &first, 1, "Et job", &["T2"]);
    let mut practice = founding::narrative(store, &second, 1, "Praktikken", &["T3", "agency:high"]);
    practice.memo = "Første gang hun taler om en arbejdsplads".into();
    let effort = |kind: &str, end: Option<&str>| Effort {
        id: Id::new(),
        case_id: case.id,
        kind: kind.into(),
        provider: "jobcentret".into(),
        start: founding::date("2025-02-01"),
        end: end.map(founding::date),
        outcome: String::new(),
        created: founding::at(0),
    };
    store
        .commit(&[
            Change::DismissMark(dismissal),
            Change::Narrative(told),
            Change::Narrative(practice),
            Change::Effort(effort("mentor", None)),
            Change::Effort(effort("job-search course", Some("2025-03-01"))),
        ])
        .unwrap();
    case
}

#[test]
fn the_brief_holds_last_time_open_efforts_themes_and_marks() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("study"), None).unwrap();
    let case = study(&store);
    let mut study = Study::load(&store, false).unwrap();
    study.today = founding::today();
    let brief = load_brief(&store, &study, &case).unwrap();
    let expected = "\
# Before the next contact with AA

Next: contact 3, due 2025-07-06.

## Last time: contact 2

- interview on 2025-04-07, job centre

### “Praktikken”

interview, contact 2, 2025-04-07, lines 1–1

Codes: interview theme: T3; agency: high

> AA: Jeg har fået praktik  

Memo: Første gang hun taler om en arbejdsplads

## Efforts still under way

- mentor (jobcentret), since 2025-02-01

## Themes of the guide not yet covered

- T4 what being out of work has done
- T5 health, family, housing, network

## Marks not yet reviewed

- contact 2, line 2 ★ chef: Men chefen er streng
";
    assert_eq!(markdown(&brief_report(&store, &study, &brief).unwrap()), expected);
}

#[test]
fn the_case_screen_opens_the_brief_with_b() {
    let mut h = Harness::new();
    study(&h.store);
    h.restart();
    h.press("enter b");
    let screen = h.screen(80, 24);
    insta::assert_snapshot!("brief_80x24", screen);
    assert!(screen.contains("Before the next contact with AA"));
    h.press("q");
    assert!(!h.screen(80, 24).contains("Before the next contact"));
}

#[test]
fn contacts_are_recorded_from_the_case_screen() {
    let mut h = Harness::new();
    let case = study(&h.store);
    h.restart();
    h.press("enter");
    assert!(h.screen(80, 24).contains("Case AA   1 ✓  2 ✓  3 ?  4 ?  contacts 2, missed 2"));
    h.press("m");
    h.type_text("1 missed ill");
    h.press("enter");
    let refused = h.screen(80, 24);
    assert!(refused.contains("has 1 session(s), so it was not missed"), "{refused}");
    h.press("ctrl-u");
    h.type_text("3 missed visit cancelled");
    h.press("enter");
    h.settle();
    h.press("m");
    h.type_text("dropout 2025-09-01 moved away");
    h.press("enter");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("Case AA   1 ✓  2 ✓  3 –  4 out  contacts 2, missed 1, dropped out 2025-09-01"),
        "{screen}"
    );
    let ledger = h.store.contact_ledger(case.id).unwrap().unwrap();
    assert_eq!(ledger.marks[0].reason, "visit cancelled");
    assert_eq!(ledger.dropout.unwrap().reason, "moved away");
}
