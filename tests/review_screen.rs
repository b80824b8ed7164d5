//! Reading a session back and flagging short narratives, through the real
//! keymap and update loop.

mod common;

use common::Harness;
use fieldlog::domain::{Narrative, Session};

const LINES: [&str; 6] = [
    "Hvordan går det med praktikken?",
    "Det går faktisk godt, jeg møder hver dag",
    "Før troede jeg ikke, jeg kunne noget",
    "Nu tænker jeg, at jeg kan få et fleksjob",
    "Det lyder godt",
    "Men ryggen driller stadig",
];

/// A logged observation of six lines (line 3 marked live), then ended: review opens.
fn reviewed_session() -> Harness {
    let mut h = Harness::new();
    h.start_session("AA", "");
    for (i, text) in LINES.iter().enumerate() {
        h.press(if i % 2 == 0 { "alt-2" } else { "alt-1" });
        h.type_text(text);
        h.press("enter");
        if i == 2 {
            h.press("alt-m");
        }
        h.clock.advance_ms(5_000);
    }
    h.press("ctrl-x ctrl-x");
    h.settle();
    h
}

fn session(h: &Harness) -> Session {
    h.store.sessions().unwrap().remove(0)
}

fn narratives(h: &Harness) -> Vec<Narrative> {
    h.store.narratives_of(session(h).id).unwrap()
}

fn code(h: &Harness, name: &str) -> fieldlog::domain::Id {
    h.store.codebook().unwrap().find(name).unwrap()
}

/// Flags the selection with a title, the codes `forward-looking` and `agency: high`, and a memo.
fn flag_with_two_codes(h: &mut Harness, title: &str) {
    h.press("f");
    h.type_text(title);
    // The checklist starts on the first code: analytic focus has five, then time orientation.
    h.press("tab j j j j j j j space j j j space tab");
    h.type_text("Vendepunkt: praktikken ændrer billedet af sig selv");
    h.press("ctrl-s");
    h.settle();
}

#[test]
fn a_span_flagged_with_codes_shows_as_a_bracket_and_is_stored() {
    let mut h = reviewed_session();
    let before = h.screen(80, 24);
    assert!(
        before.contains(" AA · observation · contact 1 · 2026-03-02")
            && before.contains("6 lines · 0 narr. · ★ 1 to review"),
        "{before}"
    );
    h.press("j v j j");
    flag_with_two_codes(&mut h, "Fra tvivl til tro på fleksjob");

    let screen = h.screen(80, 24);
    assert!(screen.contains("Narrative \"Fra tvivl til tro på fleksjob\" saved to disk."), "{screen}");
    let rows: Vec<&str> = screen.lines().collect();
    let row_of =
        |text: &str| rows.iter().find(|r| r.contains(text)).unwrap_or_else(|| panic!("{text}: {screen}"));
    assert!(row_of("Det går faktisk godt").starts_with('┌'), "{screen}");
    assert!(row_of("Før troede jeg ikke").starts_with('│'), "{screen}");
    assert!(row_of("Nu tænker jeg").starts_with('└'), "{screen}");
    assert!(row_of("Det lyder godt").starts_with(' '), "{screen}");
    insta::assert_snapshot!(screen);

    let stored = narratives(&h);
    assert_eq!(stored.len(), 1);
    let n = &stored[0];
    assert_eq!((n.first_seq, n.last_seq), (2, 4));
    assert_eq!(n.title, "Fra tvivl til tro på fleksjob");
    assert_eq!(n.memo, "Vendepunkt: praktikken ændrer billedet af sig selv");
    assert_eq!(n.codes, vec![code(&h, "forward-looking"), code(&h, "agency:high")]);
}

#[test]
fn a_one_of_group_keeps_one_ticked_code() {
    let mut h = reviewed_session();
    h.press("f");
    h.type_text("Ryggen");
    // backward-looking, then here-and-now: the second replaces the first.
    h.press("tab j j j j j space j space");
    let screen = h.screen(80, 30);
    assert!(screen.contains("( ) backward-looking") && screen.contains("(•) here-and-now"), "{screen}");
    h.press("ctrl-s");
    h.settle();
    assert_eq!(narratives(&h)[0].codes, vec![code(&h, "here-and-now")]);
}

#[test]
fn a_narrative_needs_a_title_and_cancelling_changes_nothing() {
    let mut h = reviewed_session();
    h.press("f ctrl-s");
    assert!(h.screen(80, 24).contains("Give the narrative a title"));
    h.press("esc");
    h.settle();
    assert!(narratives(&h).is_empty());
}

#[test]
fn overlapping_and_nested_narratives_get_their_own_margin_lanes() {
    let mut h = reviewed_session();
    h.press("j v j j j f");
    h.type_text("Lang");
    h.press("ctrl-s");
    h.press("k k v j f");
    h.type_text("Indre");
    h.press("ctrl-s");
    h.settle();
    let screen = h.screen(80, 24);
    let row = |text: &str| screen.lines().find(|r| r.contains(text)).unwrap().to_string();
    assert!(row("Det går faktisk godt").starts_with("┌ "), "{screen}");
    assert!(row("Før troede jeg").starts_with("│ ┌"), "{screen}");
    assert!(row("Nu tænker jeg").starts_with("│ └"), "{screen}");
    assert!(row("Det lyder godt").starts_with("└ "), "{screen}");
}

#[test]
fn marks_are_walked_and_flagged_or_dismissed() {
    let mut h = reviewed_session();
    h.press("m");
    assert!(h.screen(80, 24).contains("Før troede jeg ikke, jeg kunne noget  ★"));
    h.press("x");
    h.settle();
    assert!(h.screen(80, 24).contains("Mark on line 3 dismissed."));
    assert_eq!(h.store.dismissed_marks(session(&h).id).unwrap(), vec![3]);
    assert!(!h.screen(80, 24).contains("to review"));

    // A mark can still become a narrative: flag its line alone.
    h.press("f");
    h.type_text("Troede ikke på sig selv");
    h.press("ctrl-s");
    h.settle();
    assert_eq!((narratives(&h)[0].first_seq, narratives(&h)[0].last_seq), (3, 3));
}

#[test]
fn narratives_are_edited_and_deleted_as_tombstones() {
    let mut h = reviewed_session();
    h.press("j v j f");
    h.type_text("Først");
    h.press("ctrl-s e ctrl-u");
    h.type_text("Bedre titel");
    h.press("ctrl-s");
    h.settle();
    let edited = narratives(&h);
    assert_eq!(edited.len(), 1);
    assert_eq!(edited[0].title, "Bedre titel");
    h.press("d");
    assert!(h.screen(80, 24).contains("Delete \"Bedre titel\"?"));
    h.press("d");
    h.settle();
    assert!(narratives(&h).is_empty());
    let all = h.store.all_narratives().unwrap();
    assert!(all.len() == 1 && all[0].deleted, "the tombstone stays");
}

#[test]
fn a_line_corrected_in_review_keeps_its_earlier_text_and_its_narrative() {
    let mut h = reviewed_session();
    h.press("j j v j f");
    h.type_text("Tro");
    h.press("ctrl-s k c ctrl-u");
    h.type_text("Før troede jeg slet ikke, jeg kunne noget");
    h.press("enter");
    h.settle();
    let s = session(&h);
    assert_eq!(
        h.store.utterance(s.id, 3).unwrap().unwrap().text,
        "Før troede jeg slet ikke, jeg kunne noget"
    );
    assert_eq!(h.store.revisions(s.id).unwrap()[0].text, "Før troede jeg ikke, jeg kunne noget");
    assert_eq!((narratives(&h)[0].first_seq, narratives(&h)[0].last_seq), (3, 4));
}

#[test]
fn the_narratives_screen_filters_by_exact_codes_and_opens_one_in_context() {
    let mut h = reviewed_session();
    h.press("j v j j");
    flag_with_two_codes(&mut h, "Fra tvivl til tro");
    h.press("j v");
    h.press("f");
    h.type_text("Ryggen driller");
    h.press("ctrl-s");
    h.settle();
    h.press("esc n");
    let all = h.screen(80, 24);
    assert!(all.contains("Narratives · 2 of 2"), "{all}");
    h.press("/");
    h.type_text("code:agency:high code:forward-looking");
    h.press("enter");
    let filtered = h.screen(80, 24);
    assert!(filtered.contains("Narratives · 1 of 2") && filtered.contains("Fra tvivl til tro"), "{filtered}");
    assert!(filtered.contains("Det går faktisk godt"), "the first words show: {filtered}");
    h.press("/ ctrl-u");
    h.type_text("code:nonsense");
    h.press("enter");
    assert!(h.screen(80, 24).contains("no code \"nonsense\""));
    h.press("esc enter");
    let review = h.screen(80, 24);
    assert!(review.contains("6 lines · 2 narr.") && review.contains("┃ Fra tvivl til tro"), "{review}");
}

#[test]
fn search_finds_danish_text_regardless_of_case_and_jumps_there() {
    let mut h = reviewed_session();
    h.press("esc /");
    h.type_text("RYGGEN");
    h.press("enter");
    let results = h.screen(80, 24);
    assert!(results.contains("1 found for \"RYGGEN\""), "{results}");
    assert!(results.contains("line 6") && results.contains("Men ryggen driller stadig"), "{results}");
    h.press("enter");
    let review = h.screen(80, 24);
    assert!(review.contains("6 lines · 0 narr."), "{review}");
    h.press("f");
    assert!(h.screen(80, 24).contains("Short narrative, line 6"), "the cursor is on the hit");
}

#[test]
fn renaming_and_retiring_a_code_keep_the_narratives_that_carry_it() {
    let mut h = reviewed_session();
    h.press("j v j j");
    flag_with_two_codes(&mut h, "Tro på fleksjob");
    h.press("esc c");
    // Rows: group, five codes, group, three codes, group (agency), low, interplay, high (row 13).
    for _ in 0..13 {
        h.press("j");
    }
    h.press("r ctrl-u");
    h.type_text("goal-directed");
    h.press("enter x");
    h.settle();
    let book = h.store.codebook().unwrap();
    let high = book.find("agency:goal-directed").unwrap();
    assert!(book.code(high).unwrap().retired);
    assert_eq!(narratives(&h)[0].codes[1], high, "the narrative still carries the code");
    assert!(h.screen(80, 24).contains("goal-directed (retired)"));
    h.press("esc n enter");
    assert!(h.screen(100, 24).contains("agency: goal-directed (retired)"), "{}", h.screen(100, 24));
}

#[test]
fn jumping_to_either_end_scrolls_just_enough_to_show_the_cursor() {
    let mut h = reviewed_session();
    h.press("G");
    let bottom = h.screen(80, 7);
    assert!(bottom.contains("Men ryggen driller stadig") && !bottom.contains("Hvordan går det"), "{bottom}");
    h.press("k");
    let still = h.screen(80, 7);
    assert_eq!(still.lines().nth(1), bottom.lines().nth(1), "one line up inside the view does not scroll");
    h.press("g");
    let top = h.screen(80, 7);
    assert!(top.contains("Hvordan går det") && !top.contains("Men ryggen driller"), "{top}");
}

#[test]
fn esc_in_the_narrative_editor_asks_before_throwing_work_away() {
    let mut h = reviewed_session();
    h.press("f");
    h.type_text("Vendepunkt");
    h.press("tab space esc");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Esc again throws away the title, codes and memo"), "{screen}");
    assert!(screen.contains("title  Vendepunkt"), "still editing: {screen}");
    // Any other key goes on editing; Esc twice in a row leaves.
    h.press("tab");
    h.type_text(" i livet");
    h.press("esc esc");
    h.settle();
    assert!(narratives(&h).is_empty());
    assert!(!h.screen(80, 24).contains("Vendepunkt"));
    // Nothing typed: Esc leaves at once.
    h.press("f esc");
    assert!(!h.screen(80, 24).contains("Short narrative"));
}

#[test]
fn walking_marks_goes_round_from_the_last_to_the_first() {
    let mut h = reviewed_session();
    h.press("G m");
    let screen = h.screen(80, 24);
    assert!(screen.contains("Round to the first mark."), "{screen}");
    let cursor_row = screen.lines().find(|l| l.contains("Før troede jeg ikke")).unwrap();
    assert!(cursor_row.contains("   3 "), "{screen}");
    h.press("m");
    assert!(h.screen(80, 24).contains("This is the only mark."));
}

#[test]
fn the_delete_question_is_readable_whole_at_80_columns() {
    let mut h = reviewed_session();
    h.press("f");
    h.type_text("Praktikken gav troen på at kunne noget tilbage igen");
    h.press("ctrl-s");
    h.settle();
    h.press("d");
    let screen: String = h.screen(80, 24).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        screen.contains("Delete \"Praktikken gav troen på at kunne noget tilbage igen\"? Press the same key again to delete it."),
        "{screen}"
    );
}
