//! The study's tables in the app: chosen on the tables screen (x on the
//! follow-up overview) through the default keymap, on the 19-case study,
//! each the same table `fieldlog report` writes; Enter reads one whole.
//! Also the display's rows by a code group (Display 6.2) and Enter on a
//! lane of the time view.

mod common;
mod founding;

use common::Harness;
use fieldlog::domain::{Role, SessionKind, Speaker};
use fieldlog::store::Change;

fn on_the_tables() -> Harness {
    let mut h = Harness::new();
    let cases = founding::build(&h.store);
    // Professionals interviewed: two caseworkers in Nord, one in Syd, a job consultant in Syd.
    let people =
        [(0, "SB1", Role::Caseworker), (1, "SB2", Role::Caseworker), (2, "JK1", Role::JobConsultant)];
    for (i, (case, label, role)) in people.iter().enumerate() {
        let (mut session, mut changes) =
            founding::session(&cases[*case], SessionKind::ProfessionalInterview, 1, 20 + i as i64, &["Hej"]);
        session.speakers = vec![
            Speaker { key: 1, label: (*label).into(), role: *role },
            Speaker { key: 2, label: "I".into(), role: Role::Interviewer },
        ];
        changes[0] = Change::Session(session);
        h.store.commit(&changes).unwrap();
    }
    h.restart();
    h.press("f x");
    h
}

fn widest(screen: &str) -> usize {
    screen.lines().map(unicode_width::UnicodeWidthStr::width).max().unwrap_or(0)
}

#[test]
fn the_tables_screen_shows_each_table_as_the_report_writes_it() {
    let mut h = on_the_tables();
    let first = h.screen(80, 24);
    insta::assert_snapshot!("tables_gender_by_age_80x24", first);
    insta::assert_snapshot!("tables_gender_by_age_200x60", h.screen(200, 60));
    assert!(first.contains("‹ cases by variables ›") && first.contains("gender × age group"), "{first}");
    let total = first.lines().find(|l| l.starts_with(" total")).unwrap_or_default().to_string();
    assert!(total.trim_end().ends_with("19"), "all 19 cases counted: {first}");

    // Rows: role (professionals), columns: site.
    h.press("j h j l l");
    let professionals = h.screen(80, 24);
    assert!(professionals.contains("Professionals by role × site"), "{professionals}");
    let row = |screen: &str, name: &str| -> Vec<String> {
        let line = screen.lines().find(|l| l.starts_with(&format!(" {name} "))).unwrap_or_default();
        line.split_whitespace().map(String::from).collect()
    };
    let header = row(&professionals, "role");
    assert_eq!(header, ["role", "Nord", "Syd", "total"], "{professionals}");
    // Case meetings' caseworker (CW) in each site, SB1 and SB2 in Nord: CW once in the total.
    let caseworkers = row(&professionals, "caseworker");
    let consultants = row(&professionals, "job-consultant");
    assert_eq!(caseworkers, ["caseworker", "3", "1", "3"], "{professionals}");
    assert_eq!(consultants.last().unwrap(), "1", "{professionals}");

    // The kind of table: narratives by two code groups, then two cases side by side.
    h.press("k k l");
    let codes = h.screen(80, 24);
    assert!(codes.contains("‹ narratives by two code groups ›"), "{codes}");
    assert!(codes.contains("Narratives by "), "{codes}");
    h.press("l");
    let compare = h.screen(80, 24);
    assert!(compare.contains("Cases AA and BB side by side"), "{compare}");
    h.press("j j l");
    assert!(h.screen(80, 24).contains("Cases AA and CC side by side"));
    h.press("enter");
    let read = h.screen(80, 24);
    insta::assert_snapshot!("tables_compare_read_80x24", read);
    assert!(read.starts_with(" Cases AA and CC side by side"), "{read}");
    assert!(widest(&read) <= 80, "{read}");
    h.press("q");
    assert!(h.screen(80, 24).contains(" Tables"), "back on the tables screen");

    // The plane, then the contacts table (which has nothing to choose).
    h.press("k k l");
    let plane = h.screen(80, 24);
    assert!(plane.contains("‹ the plane of two scale groups ›"), "{plane}");
    h.press("l");
    let contacts = h.screen(80, 24);
    assert!(contacts.contains("Contacts kept and missed"), "{contacts}");
    assert!(!contacts.contains("‹ gender ›"), "{contacts}");
    h.press("l");
    assert!(h.screen(80, 24).contains("‹ cases by variables ›"), "round again");
    // Every size down to 1×1 draws.
    for (w, hgt) in [(1, 1), (10, 3), (30, 8), (200, 60)] {
        h.screen(w, hgt);
    }
}

#[test]
fn a_table_that_cannot_be_made_says_why_and_enter_does_nothing() {
    let mut h = on_the_tables();
    // Codes: the same group down and across.
    h.press("l j l");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Rows and columns are both"), "{screen}");
    h.press("enter");
    assert!(h.screen(80, 24).contains(" Tables"), "nothing to read: {screen}");
}

#[test]
fn the_display_lays_narratives_out_by_two_code_groups() {
    let mut h = Harness::new();
    founding::build(&h.store);
    h.restart();
    h.press("x");
    assert!(h.screen(80, 24).contains("Display · cases by contact point"));
    // Rows: the first group, then the second; columns: the first group other than the rows'.
    h.press("r r r t t t t");
    let screen = h.screen(80, 24);
    insta::assert_snapshot!("display_agency_by_force_80x24", screen);
    assert!(screen.contains("Display · agency by force"), "{screen}");
    let high = screen.lines().find(|l| l.starts_with(" high")).unwrap_or_default();
    assert!(high.contains("at contact 4"), "high agency was told at the fourth contacts: {screen}");
    // The first cell (low, positive) is empty and says so; Enter on high × positive opens its narratives.
    h.press("enter");
    assert!(h.screen(80, 24).contains("No narratives in this cell."));
    h.press("j j enter");
    let opened = h.screen(80, 24);
    assert!(opened.contains("at contact 4") && !opened.contains("Display ·"), "{opened}");
}

#[test]
fn enter_on_a_lane_of_the_time_view_opens_its_case() {
    let mut h = Harness::new();
    founding::build(&h.store);
    h.restart();
    h.press("t j j");
    let view = h.screen(80, 24);
    assert!(view.lines().nth(4).unwrap().starts_with("CC"), "{view}");
    h.press("enter");
    let case = h.screen(80, 24);
    assert!(case.contains("CC"), "{case}");
    assert!(!case.contains("Time view"), "{case}");
    h.press("q");
    assert!(h.screen(80, 24).contains("Time view"), "back on the time view");
    // Moving past the screen's last lane scrolls (seven lanes at 80×12).
    h.screen(80, 12);
    h.press("j j j j j j j j j j j j j j j j");
    let scrolled = h.screen(80, 12);
    assert!(!scrolled.contains("\nAA "), "AA scrolled away: {scrolled}");
    h.press("enter");
    let last = h.screen(80, 24);
    assert!(last.contains("SS") && !last.contains("Time view"), "the last case: {last}");
}
