//! Masking what people said, on the screens: words chosen in review go on
//! the study's mask list, the masked view shows what exports will, and the
//! detectors' proposals are masked or let be; through the real keymap and
//! update loop.

mod common;

use common::Harness;
use fieldlog::domain::{MaskList, MaskTerm};

const LINES: [&str; 6] = [
    "Hvordan går det i praktikken?",
    "Jeg talte med Mette i går",
    "Mettes kontor ligger i Køge",
    "Ring til mig på 22 33 44 55",
    "Jeg har været hos Netto i Roskilde",
    "Hun hedder Anne Marie Holm",
];

/// An observation of case AA whose lines name people and places, ended: review opens.
fn reviewed_session() -> Harness {
    let mut h = Harness::new();
    h.start_session("AA", "");
    for (i, text) in LINES.iter().enumerate() {
        h.press(if i % 2 == 0 { "alt-2" } else { "alt-1" });
        h.type_text(text);
        h.press("enter");
        h.clock.advance_ms(5_000);
    }
    h.press("ctrl-x ctrl-x");
    h.settle();
    h
}

fn masks(h: &Harness) -> MaskList {
    h.store.mask_list().unwrap()
}

fn term(term: &str, replacement: &str) -> MaskTerm {
    MaskTerm { term: term.into(), replacement: replacement.into(), case: None }
}

/// The screen's rows joined, so a sentence wrapped over two rows reads whole.
fn joined(screen: &str) -> String {
    screen.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

#[test]
fn a_word_masked_from_review_goes_on_the_list_and_the_masked_view_shows_it() {
    let mut h = reviewed_session();
    h.press("j w");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Which words of line 2 to mask?"), "{screen}");
    h.press("enter");
    assert!(h.screen(80, 24).contains("Mask \"Mette\" (whole study) as:"));
    h.type_text("[sagsbehandleren]");
    h.press("enter");
    h.settle();

    assert_eq!(masks(&h).terms, vec![term("Mette", "[sagsbehandleren]")]);
    let screen = h.screen(80, 24);
    assert!(screen.contains("\"Mette\" is masked as [sagsbehandleren] in the whole study."), "{screen}");
    // Review shows the text as said until the masked view is asked for.
    assert!(screen.contains("Jeg talte med Mette i går") && !screen.contains("MASKED VIEW"), "{screen}");

    h.press("alt-m");
    let screen = h.screen(80, 24);
    assert!(screen.contains("MASKED VIEW"), "{screen}");
    assert!(screen.contains("Jeg talte med [sagsbehandleren] i går"), "{screen}");
    assert!(screen.contains("[sagsbehandleren]s kontor ligger i Køge"), "the genitive keeps its s: {screen}");
    assert!(!screen.contains("Mette"), "{screen}");
    let stored = h.store.utterances(h.store.sessions().unwrap()[0].id).unwrap();
    assert_eq!(stored[1].text, "Jeg talte med Mette i går", "masking never changes what was said");
}

#[test]
fn the_choice_grows_to_a_name_of_three_words_and_a_term_can_be_this_case_only() {
    let mut h = reviewed_session();
    h.press("G w");
    // The choice starts on "Anne", the first word a detector would propose.
    h.press("L shift-right enter");
    assert!(h.screen(80, 24).contains("Mask \"Anne Marie Holm\" (whole study) as:"));
    h.press("tab");
    assert!(h.screen(80, 24).contains("Mask \"Anne Marie Holm\" (case AA only) as:"));
    h.type_text("[kollegaen]");
    h.press("enter");
    h.settle();
    let list = masks(&h);
    let aa = h.store.cases().unwrap()[0].id;
    assert_eq!(list.terms.len(), 1);
    assert_eq!((list.terms[0].term.as_str(), list.terms[0].case), ("Anne Marie Holm", Some(aa)));
    h.press("alt-m");
    assert!(h.screen(80, 24).contains("Hun hedder [kollegaen]"));

    // Asked again, the term comes with its replacement and scope. Nothing
    // is left to propose in the line, so the choice starts on its first word.
    h.press("alt-m w l l L L enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Mask \"Anne Marie Holm\" (case AA only) as: [kollegaen]"), "{screen}");
    h.press("esc w l l enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Mask \"Anne\" (whole study) as:"), "one word is another term: {screen}");
}

#[test]
fn the_masked_view_is_switched_per_screen_and_remembered_while_the_app_runs() {
    let mut h = reviewed_session();
    h.press("j w enter");
    h.type_text("[sagsbehandleren]");
    h.press("enter");
    h.settle();

    h.press("alt-m");
    assert!(h.screen(80, 24).contains("Jeg talte med [sagsbehandleren] i går"));
    h.press("alt-m");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Jeg talte med Mette i går") && !screen.contains("MASKED VIEW"), "{screen}");
    h.press("alt-m");

    // Back home and into the session again: still masked.
    h.press("esc enter r");
    let screen = h.screen(80, 24);
    assert!(screen.contains("MASKED VIEW") && screen.contains("[sagsbehandleren]s kontor"), "{screen}");

    // Search has a switch of its own, off until it is asked for.
    h.press("esc esc /");
    h.type_text("kontor");
    h.press("enter");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Mettes kontor ligger") && !screen.contains("MASKED VIEW"), "{screen}");
    h.press("alt-m");
    let screen = h.screen(80, 24);
    assert!(screen.contains("MASKED VIEW · 1 found for \"kontor\""), "{screen}");
    assert!(screen.contains("[sagsbehandleren]s kontor ligger i Køge"), "{screen}");
    h.press("esc /");
    assert!(h.screen(80, 24).contains("MASKED VIEW"), "search remembers its own switch");
}

#[test]
fn the_candidates_screen_masks_one_allows_another_and_shows_a_line() {
    let mut h = reviewed_session();
    h.press("p");
    let screen = h.screen(80, 24);
    assert!(screen.contains("To mask? · session AA · observation"), "{screen}");
    for proposed in ["22 33 44 55", "Køge", "Mette", "Netto", "Roskilde", "Anne"] {
        assert!(screen.contains(proposed), "{proposed}: {screen}");
    }
    let row = |screen: &str, text: &str| screen.lines().find(|r| r.contains(text)).unwrap_or("").to_string();
    assert!(
        row(&screen, "Køge").contains("capitalised word") && row(&screen, "Køge").contains("line 3"),
        "{screen}"
    );
    assert!(row(&screen, "22 33 44 55").contains("phone number"), "{screen}");

    // The phone number comes first (kind order), then the names by the alphabet.
    h.press("j");
    assert!(row(&h.screen(80, 24), "Anne").starts_with("▸"), "{}", h.screen(80, 24));
    h.press("j j m");
    assert!(h.screen(80, 24).contains("Mask \"Køge\" (whole study) as:"));
    h.type_text("[byen]");
    h.press("enter");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("\"Køge\" is masked as [byen] in the whole study."), "{screen}");
    let proposed =
        |screen: &str, text: &str| screen.lines().any(|r| r.contains(text) && r.contains("capitalised"));
    assert!(!proposed(&screen, "Køge"), "a masked proposal leaves the list: {screen}");

    // The choice stays where it was: now on Marie; two down is Netto.
    h.press("j j");
    assert!(row(&h.screen(80, 24), "Netto").starts_with("▸"), "{}", h.screen(80, 24));
    h.press("a");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("\"Netto\" is allowed: it is not proposed again."), "{screen}");
    assert!(!proposed(&screen, "Netto"), "{screen}");
    let list = masks(&h);
    assert_eq!(list.terms, vec![term("Køge", "[byen]")]);
    assert_eq!(list.allowed, vec!["Netto".to_string()]);

    // Enter shows the proposal's line in review: the session's own, below.
    h.press("enter w");
    assert!(h.screen(80, 24).contains("Which words of line 5 to mask?"), "{}", h.screen(80, 24));
    // The review below reads with the list as it now is.
    h.press("esc alt-m");
    assert!(h.screen(80, 24).contains("kontor ligger i [byen]"), "{}", h.screen(80, 24));
    // Reopened, the list has neither.
    h.press("alt-m p");
    let screen = h.screen(80, 24);
    assert!(!screen.contains("Køge") && !screen.contains("Netto"), "{screen}");
}

#[test]
fn from_home_the_whole_study_is_looked_through() {
    let mut h = reviewed_session();
    h.press("esc p");
    let screen = h.screen(80, 24);
    assert!(screen.contains("To mask? · the whole study"), "{screen}");
    let row = screen.lines().find(|r| r.contains("Køge")).unwrap_or_default();
    assert!(row.contains("AA line 3"), "the case says where: {screen}");
    h.press("esc");
    assert!(h.screen(80, 24).contains("p to mask"), "home names the key");
}

#[test]
fn a_bad_replacement_is_refused_in_one_sentence_and_nothing_changes() {
    let mut h = reviewed_session();
    h.press("j w enter");
    h.type_text("[Mette K.]");
    h.press("enter");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(
        joined(&screen)
            .contains("The replacement \"[Mette K.]\" would still say \"Mette\": choose one that does not."),
        "{screen}"
    );
    assert!(screen.contains("Mask \"Mette\" (whole study) as: [Mette K.]"), "the answer stays to be mended");
    assert_eq!(masks(&h), MaskList::default());

    h.press("ctrl-u enter");
    assert!(joined(&h.screen(80, 24)).contains("The replacement for \"Mette\" is empty"));
    h.press("esc");
    h.settle();
    assert!(h.screen(80, 24).contains("Nothing was masked."));
    assert_eq!(masks(&h), MaskList::default());
}

#[test]
fn masking_fits_at_80x24_and_60x15() {
    let mut h = reviewed_session();
    h.press("j w enter");
    h.type_text("[sagsbehandleren]");
    h.press("enter alt-m");
    h.settle();
    for (w, rows) in [(80, 24), (60, 15)] {
        let screen = h.screen(w, rows);
        assert!(screen.contains("MASKED VIEW"), "{w}x{rows}: {screen}");
        assert!(screen.contains("med [sagsbehandleren] i går"), "{w}x{rows}: {screen}");
    }
    // The next line: its first proposal is Køge.
    h.press("j w enter");
    let screen = h.screen(60, 15);
    assert!(screen.contains("Mask \"Køge\" (whole study) as:"), "{screen}");
    assert!(screen.contains("enter mask") && screen.contains("tab study / this case"), "{screen}");
    h.press("esc p");
    let screen = h.screen(60, 15);
    let row = screen.lines().find(|r| r.contains("Køge")).unwrap_or_default().to_string();
    assert!(row.contains("capitalised word") && row.contains("×1") && row.contains("line 3"), "{screen}");
    assert!(screen.contains("m mask · a allow"), "{screen}");
    insta::assert_snapshot!(h.screen(80, 24));
}
