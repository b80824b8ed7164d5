//! One-line questions on every screen: a refused answer stays to be mended,
//! the hint under it names what Enter does there, and the narratives filter
//! takes code names with spaces (issue 11, items 1, 3 and 6).

mod common;

use common::Harness;

/// One ended session with a narrative coded "work identity".
fn with_a_narrative() -> Harness {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("Jeg er ikke den der sidder derhjemme");
    h.press("enter ctrl-x ctrl-x");
    h.settle();
    h.press("f");
    h.type_text("Ikke en der sidder derhjemme");
    // Analytic focus: first contact, course of events, contexts, work identity.
    h.press("tab j j j space ctrl-s");
    h.settle();
    h
}

#[test]
fn the_narratives_filter_names_a_code_with_a_space_three_ways() {
    let mut h = with_a_narrative();
    h.press("esc esc n");
    for filter in ["code:work identity", "code:\"work identity\"", "code:work-identity"] {
        h.press("/ ctrl-u");
        h.type_text(filter);
        h.press("enter");
        let screen = h.screen(80, 24);
        assert!(screen.contains("Narratives · 1 of 1"), "{filter}: {screen}");
        assert!(screen.contains(&format!("Filter: {filter}")), "{filter}: {screen}");
    }
    h.press("/ ctrl-u");
    h.type_text("code:first-contact");
    h.press("enter");
    assert!(h.screen(80, 24).contains("Narratives · 0 of 1"));
}

#[test]
fn a_refused_filter_stays_in_the_prompt_and_the_list_keeps_the_last_good_one() {
    let mut h = with_a_narrative();
    h.press("esc esc n /");
    h.type_text("code:nonsense");
    h.press("enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Filter: code:nonsense"), "the text stays: {screen}");
    assert!(screen.contains("nonsense"), "{screen}");
    assert!(screen.contains("Narratives · 1 of 1"), "{screen}");
    // Mended in place: the bad word goes, the right one comes.
    h.press("ctrl-w");
    h.type_text("code:work identity");
    h.press("enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Filter: code:work identity") && screen.contains("1 of 1"), "{screen}");
}

#[test]
fn a_refused_effort_stays_in_the_prompt_to_be_mended() {
    let mut h = Harness::new();
    h.press("a");
    h.type_text("AA");
    h.press("enter enter e");
    h.type_text("tandbehandling; 2026-02-30; ; tandlæge;");
    h.press("enter");
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("Effort: tandbehandling; 2026-02-30; ; tandlæge;")
            && screen.contains("2026-02-30; ; tandlæge;"),
        "{screen}"
    );
    assert!(screen.contains("2026-02-30 is no date: February 2026 has 28 days, not 30"), "{screen}");
    let small = h.screen(60, 15);
    assert!(
        small.contains("Effort: tandbehandling; 2026-02-30; ; tandlæge;"),
        "the answer has the row: {small}"
    );
    h.press("home");
    for _ in 0.."tandbehandling; 2026-02-3".chars().count() {
        h.press("right");
    }
    h.press("backspace delete");
    h.type_text("28");
    h.press("enter");
    h.settle();
    let efforts = h.store.efforts().unwrap();
    assert_eq!(efforts.len(), 1);
    assert_eq!(
        (efforts[0].kind.as_str(), efforts[0].start.to_string().as_str()),
        ("tandbehandling", "2026-02-28")
    );
    assert_eq!(efforts[0].provider, "tandlæge");
}

#[test]
fn an_attribute_on_the_case_screen_needs_a_variable_as_on_the_command_line() {
    let mut h = Harness::new();
    h.press("a");
    h.type_text("AA");
    h.press("enter enter a");
    h.type_text("site=Nord");
    h.press("enter");
    let screen = h.screen(80, 24);
    let words = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(
            "there is no variable site: add it first with `fieldlog variable add site --kind text`"
        ),
        "whole: {screen}"
    );
    assert!(screen.contains("Attribute: site=Nord"), "the answer stays: {screen}");
    h.press("esc");
    h.settle();
    assert!(h.store.cases().unwrap()[0].attributes.is_empty());
}

#[test]
fn hints_under_each_prompt_say_what_enter_does_there() {
    let mut h = Harness::new();
    h.press("E");
    assert!(h.screen(80, 24).contains("enter export · esc cancel"), "{}", h.screen(80, 24));
    h.press("esc a");
    assert!(h.screen(80, 24).contains("enter add · esc cancel"));
    h.type_text("AA");
    h.press("enter enter a");
    let screen = h.screen(80, 24);
    assert!(screen.contains("enter set · esc cancel") && !screen.contains("enter open"), "{screen}");
    h.press("esc e");
    let screen = h.screen(80, 24);
    assert!(screen.contains("enter add · esc cancel") && !screen.contains("enter open"), "{screen}");
    h.press("esc i");
    assert!(h.screen(80, 24).contains("enter import · esc cancel"));
}

#[test]
fn a_case_code_that_is_refused_stays_to_be_mended() {
    let mut h = Harness::new();
    h.press("a");
    h.type_text("Anne Hansen");
    h.press("enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("New case code: Anne Hansen") && screen.contains("is not valid"), "{screen}");
    h.press("ctrl-u");
    h.type_text("AH");
    h.press("enter");
    h.settle();
    assert_eq!(h.store.cases().unwrap()[0].code.as_str(), "AH");
}

#[test]
fn the_case_and_codebook_screens_hear_back_from_the_writer() {
    let mut h = Harness::new();
    h.press("a");
    h.type_text("AA");
    h.press("enter enter e");
    h.type_text("tandbehandling; 2026-02-02");
    h.press("enter");
    h.settle();
    assert!(h.screen(80, 24).contains("Effort saved."), "{}", h.screen(80, 24));
    h.press("esc esc c a");
    h.type_text("selvværd");
    h.press("enter");
    h.settle();
    assert!(h.screen(80, 24).contains("Codebook saved."), "{}", h.screen(80, 24));
}

#[test]
fn a_save_that_failed_is_shown_on_the_case_screen() {
    use fieldlog::domain::{Case, CaseCode, Variables};
    use fieldlog::tui::screens::case::{CaseData, CaseState};
    use fieldlog::tui::screens::Receipt;
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], common::start_time());
    let ledger = fieldlog::domain::contacts::ContactLedger::new(case.id, common::start_time());
    let data = CaseData {
        today: common::start_time().date_naive(),
        case,
        sessions: vec![],
        efforts: vec![],
        links: vec![],
        variables: Variables::default(),
        plan: Default::default(),
        ledger,
    };
    let mut screen = CaseState::new(data);
    screen.on_saved(&Receipt::Said("Effort saved.".into()), Some("No space left on device"));
    let keys = fieldlog::keymap::load("default", None).keymap;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| screen.render(frame, frame.area(), &keys)).unwrap();
    let text = common::buffer_text(terminal.backend().buffer());
    assert!(text.contains("NOT SAVED: No space left on device"), "{text}");
}
