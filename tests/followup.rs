//! Cases over time: the case screen, the display matrix, the follow-up
//! overview and the reports, on a small fixed study.

mod common;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use common::Harness;
use fieldlog::domain::session::default_speakers;
use fieldlog::domain::*;
use fieldlog::export::document::{html, markdown};
use fieldlog::export::report::{case_report, display_report, overview_report, Study};
use fieldlog::store::{Change, Store};

fn at(days: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-01-06T10:00:00+01:00").unwrap() + Duration::days(days)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn add_case(store: &Store, code: &str, attributes: &[(&str, &str)]) -> Case {
    let attributes = attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let case = Case::new(CaseCode::parse(code).unwrap(), attributes, at(0));
    store.add_case(&case).unwrap();
    case
}

/// A session with its lines; returns it.
fn add_session(
    store: &Store,
    case: &Case,
    kind: SessionKind,
    contact: u32,
    days: i64,
    caseworker: &str,
    lines: &[&str],
) -> Session {
    let mut speakers = default_speakers(kind, &case.code);
    if let Some(cw) = speakers.iter_mut().find(|s| s.role == Role::Caseworker) {
        cw.label = caseworker.to_string();
    }
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
        let speaker = session.speakers[i % session.speakers.len()].label.clone();
        changes.push(Change::Utterance(Utterance {
            session: session.id,
            seq: i as u32 + 1,
            speaker,
            kind: UtteranceKind::Speech,
            text: text.to_string(),
            onset: at(days) + Duration::seconds(i as i64 * 20),
            committed: at(days) + Duration::seconds(i as i64 * 20 + 5),
            elapsed_ms: i as i64 * 20_000,
            mark: None,
            deleted: false,
        }));
    }
    store.commit(&changes).unwrap();
    session
}

fn add_narrative(
    store: &Store,
    session: &Session,
    from: u32,
    to: u32,
    title: &str,
    codes: &[&str],
) -> Narrative {
    let book = store.codebook().unwrap();
    let narrative = Narrative {
        id: Id::new(),
        session: session.id,
        first_seq: from,
        last_seq: to,
        title: title.into(),
        codes: codes.iter().map(|c| book.find(c).unwrap()).collect(),
        memo: String::new(),
        author: "anna".into(),
        created: at(300),
        updated: at(300),
        deleted: false,
    };
    store.commit(&[Change::Narrative(narrative.clone())]).unwrap();
    narrative
}

/// AA followed at three contact points with a caseworker change, BB once, CC never.
fn study(store: &Store) {
    let aa = add_case(store, "AA", &[("site", "Nord"), ("gender", "f")]);
    let bb = add_case(store, "BB", &[("site", "Syd")]);
    add_case(store, "CC", &[("site", "Nord")]);
    let first = add_session(
        store,
        &aa,
        SessionKind::Observation,
        1,
        0,
        "CW",
        &[
            "Hvordan går det med ryggen?",
            "Jeg har ondt hver dag",
            "Tandlægen har lovet mig nye tænder",
            "Så kan jeg smile til en jobsamtale",
        ],
    );
    add_session(
        store,
        &aa,
        SessionKind::Interview,
        1,
        3,
        "CW",
        &["Jeg ved ikke, om jeg kan arbejde", "Måske om et år"],
    );
    let later = add_session(
        store,
        &aa,
        SessionKind::Observation,
        2,
        120,
        "CW2",
        &[
            "Jeg er ny sagsbehandler",
            "Tænderne er lavet, og jeg er startet i løntilskud",
            "Jeg glæder mig hver morgen",
        ],
    );
    add_session(store, &aa, SessionKind::CaseMeeting, 3, 250, "CW2", &["Vi taler om fleksjob"]);
    let bb_first = add_session(
        store,
        &bb,
        SessionKind::Interview,
        1,
        10,
        "CW",
        &["Jeg vil gerne i praktik", "Men jeg er bange"],
    );
    let teeth = add_narrative(
        store,
        &first,
        3,
        4,
        "Nye tænder, nyt smil",
        &["time orientation:forward-looking", "agency:interplay"],
    );
    add_narrative(store, &first, 1, 2, "Ryggen fylder alt", &["time orientation:here-and-now", "agency:low"]);
    add_narrative(
        store,
        &later,
        2,
        3,
        "Glæden ved at møde ind",
        &["here-and-now", "agency:high", "positive"],
    );
    add_narrative(store, &bb_first, 1, 2, "Praktik, men bange", &["forward-looking", "agency:low"]);
    let dental = Effort {
        id: Id::new(),
        case_id: aa.id,
        kind: "dental treatment".into(),
        provider: "kommunal tandpleje".into(),
        start: date("2025-02-01"),
        end: Some(date("2025-04-15")),
        outcome: "nye tænder".into(),
        created: at(30),
    };
    let job = Effort {
        id: Id::new(),
        case_id: aa.id,
        kind: "wage-subsidy job".into(),
        provider: "Netto".into(),
        start: date("2025-05-01"),
        end: None,
        outcome: String::new(),
        created: at(115),
    };
    let link = Link {
        id: Id::new(),
        case_id: aa.id,
        chain: vec!["tandbehandling".into(), "bedre selvværd".into(), "løntilskudsjob".into()],
        valence: Valence::Positive,
        narratives: vec![teeth.id],
        created: at(130),
    };
    store.commit(&[Change::Effort(dental), Change::Effort(job), Change::Link(link)]).unwrap();
}

fn harness_with_study() -> Harness {
    let mut h = Harness::new();
    study(&h.store);
    h.restart();
    h
}

#[test]
fn the_overview_counts_a_built_study_including_a_caseworker_change() {
    let h = harness_with_study();
    let mut study = Study::load(&h.store, false).unwrap();
    // Contact 4 of AA, and 2–4 of BB, were due by then with nothing recorded.
    study.today = date("2026-03-01");
    let report = markdown(&overview_report(&study));
    assert!(
        report.contains("| AA | 1 | 2 | 0 | 1 | 1, 2, 3 | 3 | 1 | 1 | 2025-01-06 | 2025-09-13 |"),
        "{report}"
    );
    assert!(report.contains("| BB | 1 | 0 | 0 | 0 | 1 | 1 | 3 | 0 | 2025-01-16 | 2025-01-16 |"), "{report}");
    assert!(report.contains("| CC | 0 | 0 | 0 | 0 |  | 0 | 0 | 0 | — | — |"), "{report}");
    assert!(report.contains("| total | 2 | 2 | 0 | 1 |  | 4 | 4 | 1 |  |  |"), "{report}");
}

#[test]
fn reports_for_a_fixed_study_are_checked_in_full() {
    let h = harness_with_study();
    let mut study = Study::load(&h.store, false).unwrap();
    study.today = date("2026-03-01");
    let aa = study.cases.iter().find(|c| c.code.as_str() == "AA").unwrap().clone();
    insta::assert_snapshot!("case_report", markdown(&case_report(&h.store, &study, &aa).unwrap()));
    let book = &study.codebook;
    let agency = book.groups.iter().find(|g| g.name == "agency").unwrap().id;
    let all = study.cases.clone();
    let display =
        display_report(&h.store, &study, &all, &overview::Columns::Group(agency), "Agency by case").unwrap();
    insta::assert_snapshot!("display_report", markdown(&display));
    insta::assert_snapshot!("overview_report", markdown(&overview_report(&study)));
    let page = html(&case_report(&h.store, &study, &aa).unwrap());
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<td>dental treatment</td>"), "{page}");
    assert!(page.contains("<li>tandbehandling → bedre selvværd → løntilskudsjob (positive) — told in “Nye tænder, nyt smil”</li>"));
}

#[test]
fn the_case_screen_shows_the_timeline_efforts_and_links() {
    let mut h = harness_with_study();
    h.press("enter");
    let narrow = h.screen(80, 24);
    insta::assert_snapshot!("case_screen_80x24", narrow);
    let wide = h.screen(140, 40);
    insta::assert_snapshot!("case_screen_140x40", wide);
    assert!(narrow.contains("site: Nord · gender: f"), "{narrow}");
    assert!(narrow.contains("tandbehandling → bedre selvværd → løntilskudsjob (positive)"), "{narrow}");
    // The link's narratives open from it.
    h.press("tab tab enter");
    let listed = h.screen(80, 24);
    assert!(listed.contains("Narratives · 1 of 1") && listed.contains("Nye tænder, nyt smil"), "{listed}");
}

#[test]
fn a_case_with_no_sessions_says_so() {
    let mut h = harness_with_study();
    h.press("j j enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Case CC") && screen.contains("No sessions yet."), "{screen}");
}

#[test]
fn efforts_links_and_attributes_are_added_on_the_case_screen() {
    let mut h = harness_with_study();
    // An attribute is a value of one of the study's variables.
    let age = Variable { name: "age".into(), kind: VariableKind::Number };
    h.store.commit(&[Change::Variables(Variables { variables: vec![age] })]).unwrap();
    h.press("j enter e");
    h.type_text("work-placement internship; 2025-02-01; 2025-03-01; Fakta; blev ikke forlænget");
    h.press("enter L");
    h.type_text("praktik -> skuffelse; negative");
    h.press("enter a");
    h.type_text("age=41");
    h.press("enter");
    h.settle();
    let store = &h.store;
    let bb = store.case_by_code(&CaseCode::parse("BB").unwrap()).unwrap().unwrap();
    let efforts: Vec<Effort> = store.efforts().unwrap().into_iter().filter(|e| e.case_id == bb.id).collect();
    assert_eq!(efforts.len(), 1);
    assert_eq!(
        (efforts[0].kind.as_str(), efforts[0].provider.as_str()),
        ("work-placement internship", "Fakta")
    );
    assert_eq!(efforts[0].end, Some(date("2025-03-01")));
    assert_eq!(efforts[0].outcome, "blev ikke forlænget");
    let links: Vec<Link> = store.links().unwrap().into_iter().filter(|l| l.case_id == bb.id).collect();
    assert_eq!(links[0].chain, vec!["praktik", "skuffelse"]);
    assert_eq!(links[0].valence, Valence::Negative);
    assert!(bb.attributes.contains(&("age".to_string(), "41".to_string())));
    // Ending the effort: edit it with an end date.
    h.press("tab E ctrl-u");
    h.type_text("work-placement internship; 2025-02-01; ; Fakta");
    h.press("enter");
    h.settle();
    assert_eq!(h.store.efforts().unwrap().into_iter().find(|e| e.case_id == bb.id).unwrap().end, None);
    h.press("E ctrl-u");
    h.type_text("internship; 2025-02-01; 2025-01-01");
    h.press("enter");
    assert!(h.screen(80, 24).contains("cannot end before it starts"));
}

#[test]
fn the_display_lays_narratives_out_by_contact_point_and_by_code() {
    let mut h = harness_with_study();
    h.press("x");
    let by_contact = h.screen(80, 24);
    insta::assert_snapshot!("display_by_contact_80x24", by_contact);
    // Columns: contact points, then each code group; agency is the third group.
    h.press("t t t");
    let by_agency = h.screen(120, 30);
    insta::assert_snapshot!("display_by_agency_120x30", by_agency);
    h.press("/");
    h.type_text("site=Nord");
    h.press("enter");
    let nord = h.screen(80, 24);
    let rows: Vec<&str> = nord.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(rows.contains(&"AA") && !rows.contains(&"BB") && rows.contains(&"CC"), "{nord}");
    h.press("/ ctrl-u");
    h.type_text("case:AA");
    h.press("enter l enter");
    let cell = h.screen(80, 24);
    assert!(cell.contains("Narratives · 1 of 1") && cell.contains("Nye tænder, nyt smil"), "{cell}");
}

#[test]
fn a_cell_with_many_narratives_says_how_many_more() {
    let mut h = harness_with_study();
    let session = h.store.sessions().unwrap().remove(0);
    for i in 0..6 {
        add_narrative(&h.store, &session, 1, 1, &format!("Ekstra {i}"), &[]);
    }
    h.restart();
    h.press("x");
    let screen = h.screen(80, 24);
    assert!(screen.contains("+6 more"), "8 narratives: 2 titles shown, then the count: {screen}");
}

#[test]
fn the_case_screen_at_60_by_15_keeps_the_counts_and_every_key_hint() {
    let mut h = harness_with_study();
    h.press("enter");
    let screen = h.screen(60, 15);
    let session_rows: Vec<&str> = screen.lines().filter(|l| l.contains(" l. ")).collect();
    assert!(!session_rows.is_empty(), "{screen}");
    assert!(session_rows.iter().all(|r| r.trim_end().ends_with("n.")), "counts are not cut: {screen}");
    // Hints are kept whole on their row.
    assert!(screen.contains("b brief · ? help · esc back"), "{screen}");
}
