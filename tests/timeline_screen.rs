//! The time view: every case's follow-up year on one screen, driven through
//! the default keymap on the 19-case study, at 80×24 and 200×60.

mod common;
mod founding;

use common::Harness;

fn on_the_time_view() -> Harness {
    let mut h = Harness::new();
    founding::build(&h.store);
    h.restart();
    h.press("t");
    h
}

#[test]
fn the_time_view_fits_80x24_and_200x60() {
    let mut h = on_the_time_view();
    insta::assert_snapshot!("time_view_80x24", h.screen(80, 24));
    insta::assert_snapshot!("time_view_200x60", h.screen(200, 60));
}

#[test]
fn scrolling_zooming_and_switching_marks_change_the_picture() {
    let mut h = on_the_time_view();
    let first = h.screen(80, 24);
    assert!(first.contains("Time view: 19 cases, 2025-01 to 2025-10 · narratives by agency"), "{first}");
    let aa = first.lines().find(|l| l.starts_with("AA")).unwrap().to_string();
    assert!(aa.starts_with("AA    ◇I"), "AA told of before the follow-up, then was interviewed: {aa}");
    h.press("m");
    assert!(h.screen(80, 24).contains("narratives by time orientation"));
    h.press("+ + l l");
    let zoomed = h.screen(80, 24);
    assert!(zoomed.contains("2025-03 to"), "two months scrolled: {zoomed}");
    // Seven lanes show at 80×12: choosing the ninth scrolls two away.
    h.screen(80, 12);
    h.press("j j j j j j j j");
    let scrolled = h.screen(80, 12);
    assert!(scrolled.lines().nth(2).unwrap().starts_with("CC"), "{scrolled}");
    h.press("?");
    let help = h.screen(80, 24);
    assert!(
        help.contains("more room for each month")
            && help.contains("mark narratives by agency or by time orientation"),
        "{help}"
    );
    h.press("esc");
    h.press("v");
    let apart = h.screen(80, 24);
    assert!(apart.lines().nth(3).unwrap().starts_with(" prof."), "a second row a case: {apart}");
    h.press("q");
    assert!(!h.screen(80, 24).contains("Time view"));
    // Every size down to 1×1 draws.
    h.press("t");
    for (w, hgt) in [(1, 1), (10, 3), (30, 8)] {
        h.screen(w, hgt);
    }
}

#[test]
fn the_overview_shows_contacts_kept_held_and_missed() {
    let mut h = Harness::new();
    founding::build(&h.store);
    h.restart();
    h.press("f");
    let screen = h.screen(80, 24);
    let row = |code: &str| {
        screen.lines().find(|l| l.starts_with(code)).unwrap().split_whitespace().collect::<Vec<_>>()
    };
    assert!(screen.contains("kept") && screen.contains("miss"), "{screen}");
    // BB: three interviews and a case meeting; contacts 3 (4), none missed.
    assert_eq!(row("BB")[1..8], ["3", "0", "0", "1", "1,2,3,4", "3", "(4)"], "{screen}");
    assert_eq!(row("EE")[5..8], ["1,2,4", "3", "1"], "{screen}");
    // The study's kept (held) fits its column: "57 (62)", not "57 (62".
    let total = screen.lines().find(|l| l.starts_with("total")).unwrap_or_default();
    let kept: Vec<&str> = total.split_whitespace().filter(|w| w.starts_with('(')).collect();
    assert!(kept.len() == 1 && kept[0].ends_with(')'), "{total}");
    // Enter opens the chosen case.
    h.press("j enter");
    let case = h.screen(80, 24);
    assert!(case.contains("BB") && !case.contains("Follow-up overview"), "{case}");
    h.press("q");
    h.press("t");
    assert!(h.screen(80, 24).contains("Time view"), "t on the overview opens the time view");
    h.press("q c");
    let table = h.screen(80, 24);
    assert!(table.contains("Contacts kept and missed"), "{table}");
    let bb = table.lines().find(|l| l.starts_with(" BB")).unwrap_or_default();
    assert_eq!(bb, " BB     ✓   ✓        ✓        (x)      3 (4)     0", "{table}");
}

#[test]
fn a_mark_far_past_the_plan_stored_before_they_were_refused_does_not_crash_the_view() {
    use fieldlog::domain::contacts::{ContactLedger, ContactMarkKind};
    let mut h = Harness::new();
    let cases = founding::build(&h.store);
    let mut ledger = h
        .store
        .contact_ledger(cases[0].id)
        .unwrap()
        .unwrap_or_else(|| ContactLedger::new(cases[0].id, common::start_time()));
    ledger.mark(4000, Some(ContactMarkKind::Missed), "langt ude").unwrap();
    h.store.commit(&[fieldlog::store::Change::ContactLedger(ledger)]).unwrap();
    h.restart();
    h.press("t");
    let view = h.screen(80, 24);
    assert!(view.contains("Time view: 19 cases"), "{view}");
    h.press("- - - - + + + + + + + + l l l");
    h.screen(200, 60);
}

#[test]
fn the_chosen_lane_stays_on_screen_with_two_rows_a_case_and_the_year_leads_the_months() {
    let mut h = on_the_time_view();
    h.screen(80, 24);
    h.press("j j j j j j j j j j j j j j j v");
    let view = h.screen(80, 24);
    assert!(view.lines().any(|l| l.starts_with("PP")), "PP is chosen, so it is shown: {view}");
    h.press("enter");
    assert!(h.screen(80, 24).contains("Case PP"), "Enter opens the case on screen");
    h.press("q v - -");
    let narrow = h.screen(80, 24);
    let months = narrow.lines().nth(1).unwrap();
    assert!(months.trim_start().starts_with("2025-01"), "the first label has its year: {narrow}");
}

#[test]
fn a_dropout_recorded_on_a_case_opened_from_the_time_view_shows_on_return() {
    let mut h = on_the_time_view();
    h.press("+ + enter m");
    h.type_text("dropout 2025-06-01 flyttet til Aarhus");
    h.press("enter");
    assert!(h.screen(80, 24).contains("dropped out 2025-06-01"), "{}", h.screen(80, 24));
    h.press("esc");
    let view = h.screen(80, 24);
    let aa = view.lines().find(|l| l.starts_with("AA")).unwrap_or_default();
    assert!(aa.contains('┃'), "the view was read again: {view}");
    assert!(view.contains("Time view"), "{view}");
}
