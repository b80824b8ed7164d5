//! Walking two coders' disagreements side by side and settling them: the
//! settled version becomes the team's, both originals are kept.

mod common;

use common::Harness;

/// anna flags lines 2–4 with agency high and forward-looking; bo flags the
/// same lines with no codes.
fn double_coded() -> Harness {
    let mut h = Harness::new();
    h.app.set_author("anna");
    let lines = ["Hvordan går det?", "Det går godt", "Jeg møder hver dag", "Jeg kan få et fleksjob", "Ja"];
    h.ended_session("AA", &lines, 5_000);
    h.press("j v j j f");
    h.type_text("Fra tvivl til tro");
    h.press("tab j j j j j j j space j j j space tab ctrl-s");
    h.settle();
    h.app.set_author("bo");
    h.press("esc enter enter j v j j f");
    h.type_text("Bos læsning");
    h.press("ctrl-s");
    h.settle();
    h.press("esc esc");
    h
}

#[test]
fn disagreements_show_side_by_side_and_a_settled_one_is_the_teams() {
    let mut h = double_coded();
    h.press("D");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Disagreements · 1 to settle"), "{screen}");
    assert!(screen.contains("AA") && screen.contains("lines 2–4") && screen.contains("agency"), "{screen}");
    assert!(screen.contains("1 anna") && screen.contains("2 bo"), "{screen}");
    assert!(screen.contains("Fra tvivl til tro") && screen.contains("agency: high"), "{screen}");
    assert!(screen.contains("Bos læsning"), "{screen}");

    h.press("1");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("Settled: anna's \"Fra tvivl til tro\" is the team's version"), "{screen}");
    assert!(screen.contains("0 to settle") && screen.contains("Nothing to settle"), "{screen}");
    let mut kept: Vec<(String, String)> =
        h.store.narratives().unwrap().into_iter().map(|n| (n.author, n.title)).collect();
    kept.sort();
    let want = [("anna", "Fra tvivl til tro"), ("bo", "Bos læsning"), ("team", "Fra tvivl til tro")];
    assert_eq!(kept, want.map(|(a, t)| (a.to_string(), t.to_string())));
    let team = h.store.narratives().unwrap().into_iter().find(|n| n.author == "team").unwrap();
    assert_eq!(team.codes.len(), 2, "the team's version carries anna's codes");
    // Settled stays settled when the screen opens again.
    h.press("esc D");
    assert!(h.screen(80, 24).contains("0 to settle"));
}

#[test]
fn passages_in_blind_sessions_are_left_out_and_not_drawn() {
    let mut h = double_coded();
    h.app.set_author("anna");
    h.press("enter enter B");
    h.settle();
    h.press("esc esc D");
    let screen = h.screen(80, 24);
    assert!(screen.contains("0 to settle · 1 in blind sessions left out"), "{screen}");
    assert!(!screen.contains("Bos læsning") && !screen.contains("Fra tvivl"), "{screen}");
}
