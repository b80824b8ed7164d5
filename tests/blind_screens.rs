//! Blind double coding on the screens: a second coder, in a session set
//! blind, never sees the first coder's brackets, titles, codes or memos —
//! in review, in the narratives list, in the display or in search — and
//! both sets are kept, each with its author.

mod common;

use common::Harness;
use fieldlog::domain::Narrative;

const LINES: [&str; 5] = [
    "Hvordan går det med praktikken?",
    "Det går faktisk godt, jeg møder hver dag",
    "Før troede jeg ikke, jeg kunne noget",
    "Nu tænker jeg, at jeg kan få et fleksjob",
    "Men ryggen driller stadig",
];

/// anna logs an observation, flags lines 2–4 (title, two codes, a memo)
/// and, if `blind`, sets the session to blind coding in review.
fn coded_by_anna(blind: bool) -> Harness {
    let mut h = Harness::new();
    h.app.set_author("anna");
    h.ended_session("AA", &LINES, 5_000);
    h.press("j v j j f");
    h.type_text("Fra tvivl til tro");
    h.press("tab j j j j j j j space j j j space tab");
    h.type_text("Vendepunktet i praktikken");
    h.press("ctrl-s");
    h.settle();
    if blind {
        h.press("B");
        h.settle();
        let screen = h.screen(80, 24);
        assert!(screen.contains("BLIND") && screen.contains("Blind coding on"), "{screen}");
    }
    h
}

/// What no screen of another coder may show of anna's narrative.
const ANNAS: [&str; 6] = ["Fra tvivl", "Vendepunktet", "forward-looking", "high", "┃", "┌"];

fn shows_none_of_annas_work(screen: &str) {
    for word in ANNAS {
        assert!(!screen.contains(word), "{word:?} shows to bo:\n{screen}");
    }
}

/// bo opens the session in review from home (the case, then its session).
fn bo_reviews(h: &mut Harness) -> String {
    h.app.set_author("bo");
    h.press("esc enter enter");
    h.screen(80, 24)
}

#[test]
fn a_second_coder_in_a_blind_session_sees_none_of_the_first_coders_work() {
    let mut h = coded_by_anna(true);
    let review = bo_reviews(&mut h);
    assert!(review.contains("BLIND") && review.contains("0 narr."), "{review}");
    assert!(review.contains("Det går faktisk godt"), "the lines show: {review}");
    shows_none_of_annas_work(&review);
    // The narrative keys find nothing of anna's either.
    h.press("j j e");
    shows_none_of_annas_work(&h.screen(80, 24));
    h.press("]");
    shows_none_of_annas_work(&h.screen(80, 24));

    // bo flags his own reading of the passage.
    h.press("g j v j f");
    h.type_text("Bos læsning");
    h.press("ctrl-s");
    h.settle();
    let review = h.screen(80, 24);
    assert!(review.contains("\"Bos læsning\" saved") && review.contains("1 narr."), "{review}");
    // bo's bracket (lines 2–3) is drawn, anna's (2–4) is not: line 4 has none.
    let row4 = review.lines().find(|r| r.contains("Nu tænker jeg")).unwrap();
    assert!(row4.starts_with(' '), "{review}");
    for word in &ANNAS[..4] {
        assert!(!review.contains(word), "{word:?} shows to bo:\n{review}");
    }

    h.press("esc esc n");
    let list = h.screen(80, 24);
    assert!(list.contains("Bos læsning"), "{list}");
    shows_none_of_annas_work(&list);
    h.press("esc x");
    shows_none_of_annas_work(&h.screen(80, 24));
    h.press("esc /");
    h.type_text("tvivl");
    h.press("enter");
    let found = h.screen(80, 24);
    assert!(found.contains("Nothing found for \"tvivl\"") && !found.contains("Fra tvivl"), "{found}");
    h.press("esc /");
    h.type_text("Vendepunktet");
    h.press("enter");
    assert!(
        h.screen(80, 24).contains("Nothing found for \"Vendepunktet\""),
        "a memo is found by its coder only"
    );
    h.press("esc /");
    h.type_text("praktikken");
    h.press("enter");
    assert!(h.screen(80, 24).contains("1 found"), "lines are found as ever: {}", h.screen(80, 24));

    // Both sets are kept, each with its author; anna sees hers and not bo's.
    let mut kept: Vec<(String, String)> =
        h.store.narratives().unwrap().into_iter().map(|n: Narrative| (n.author, n.title)).collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            ("anna".to_string(), "Fra tvivl til tro".to_string()),
            ("bo".to_string(), "Bos læsning".to_string())
        ]
    );
    h.app.set_author("anna");
    h.press("esc esc enter enter j j");
    let annas = h.screen(80, 24);
    assert!(annas.contains("Fra tvivl til tro") && !annas.contains("Bos læsning"), "{annas}");
}

#[test]
fn without_blind_coding_the_second_coder_sees_the_first_coders_narrative() {
    // The same steps with the setting off: what the test above hides shows.
    let mut h = coded_by_anna(false);
    bo_reviews(&mut h);
    h.press("j j");
    let review = h.screen(80, 24);
    assert!(review.contains("┃ Fra tvivl til tro") && !review.contains("BLIND"), "{review}");
}

#[test]
fn blind_coding_turned_off_shows_everyones_narratives_again() {
    let mut h = coded_by_anna(true);
    bo_reviews(&mut h);
    h.press("B");
    h.settle();
    assert!(h.screen(80, 24).contains("Blind coding off"));
    h.press("esc enter enter j j");
    let review = h.screen(80, 24);
    assert!(review.contains("┃ Fra tvivl til tro") && !review.contains("BLIND"), "{review}");
}
