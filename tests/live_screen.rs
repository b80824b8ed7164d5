//! The live screen, driven through the real keymap and update loop.

mod common;

use common::Harness;
use fieldlog::domain::{SessionKind, UtteranceKind};

fn only_session(h: &Harness) -> fieldlog::domain::Session {
    let sessions = h.store.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    sessions.into_iter().next().unwrap()
}

#[test]
fn a_meeting_logged_live_is_on_screen_and_in_the_store() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.clock.advance_ms(4_000);
    h.type_text("Jeg vil gerne have et arbejde, men ryggen driller");
    h.clock.advance_ms(3_000);
    h.press("enter");
    h.press("alt-2");
    h.type_text("Hvad tænker du om praktikken?");
    h.press("enter");
    h.type_text("rækker kaffe frem");
    h.press("alt-e");
    h.type_text("vigtig");
    h.press("alt-m");
    h.press("alt-c ctrl-u");
    h.type_text("rækker kaffen frem");
    h.press("enter");
    h.settle();

    let screen = h.screen(80, 24);
    assert!(screen.contains("AA · observation · contact 1 · job centre"), "{screen}");
    assert!(screen.contains("00:00:04 AA   Jeg vil gerne have et arbejde, men ryggen driller"), "{screen}");
    assert!(screen.contains("00:00:07 CW   Hvad tænker du om praktikken?"), "{screen}");
    assert!(screen.contains("CW   [rækker kaffen frem]  ★ vigtig"), "{screen}");
    assert!(screen.contains("Line 3 saved to disk"), "{screen}");
    insta::assert_snapshot!(screen);

    let session = only_session(&h);
    let lines = h.store.utterances(session.id).unwrap();
    let got: Vec<_> = lines.iter().map(|u| (u.seq, u.speaker.as_str(), u.kind, u.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (1, "AA", UtteranceKind::Speech, "Jeg vil gerne have et arbejde, men ryggen driller"),
            (2, "CW", UtteranceKind::Speech, "Hvad tænker du om praktikken?"),
            (3, "CW", UtteranceKind::Event, "rækker kaffen frem"),
        ]
    );
    assert_eq!(lines[2].mark.as_ref().map(|m| m.word.as_str()), Some("vigtig"));
    let revisions = h.store.revisions(session.id).unwrap();
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].text, "rækker kaffe frem");
}

#[test]
fn a_line_is_timed_from_its_first_keystroke_not_from_enter() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.clock.advance_ms(10_000);
    h.type_text("J");
    h.clock.advance_ms(6_000);
    h.type_text("eg kommer for sent");
    h.press("enter");
    h.settle();
    let line = &h.store.utterances(only_session(&h).id).unwrap()[0];
    assert_eq!(line.elapsed_ms, 10_000);
    assert_eq!((line.committed - line.onset).num_milliseconds(), 6_000);
}

#[test]
fn the_last_line_can_be_given_to_another_speaker_keeping_the_old_one() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("Det må du selv om");
    h.press("enter alt-g");
    h.settle();
    let session = only_session(&h);
    assert_eq!(h.store.utterances(session.id).unwrap()[0].speaker, "CW");
    assert_eq!(h.store.revisions(session.id).unwrap()[0].speaker, "AA");
}

#[test]
fn notes_and_pauses_belong_to_no_speaker() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("CW virker træt");
    h.press("alt-n alt-p");
    h.type_text("12 s");
    h.press("alt-p");
    h.settle();
    let lines = h.store.utterances(only_session(&h).id).unwrap();
    let got: Vec<_> = lines.iter().map(|u| (u.speaker.as_str(), u.kind, u.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("", UtteranceKind::Note, "CW virker træt"),
            ("", UtteranceKind::Pause, ""),
            ("", UtteranceKind::Pause, "12")
        ]
    );
    let screen = h.screen(80, 24);
    assert!(screen.contains("(note) CW virker træt") && screen.contains("(pause 12 s)"), "{screen}");
}

#[test]
fn the_clock_pauses_and_resumes_without_resetting_and_recording_time_is_kept() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.clock.advance_ms(60_000);
    h.press("alt-r");
    h.clock.advance_ms(5_000);
    h.press("alt-k");
    h.clock.advance_ms(120_000);
    assert!(h.screen(80, 24).contains("⏸ 00:01:05 paused"));
    h.press("alt-k");
    h.clock.advance_ms(10_000);
    h.type_text("Så er vi i gang igen");
    h.press("enter");
    h.settle();
    let session = only_session(&h);
    let line = &h.store.utterances(session.id).unwrap()[0];
    assert_eq!(line.elapsed_ms, 75_000);
    assert_eq!(session.recording_ms(line.onset), Some(135_000));
    assert!(h.screen(80, 24).contains("rec 00:02:15"));
}

#[test]
fn interviews_show_the_guide_and_themes_can_be_ticked() {
    let mut h = Harness::new();
    h.start_session("AA", "left");
    assert_eq!(only_session(&h).kind, SessionKind::Interview);
    h.press("f2 f4 f4 f1");
    h.settle();
    assert_eq!(only_session(&h).themes_ticked, vec![0, 1]);
    let narrow = h.screen(80, 24);
    assert!(narrow.contains("Themes: ✓T1 ✓T2 ·T3 ·T4 ·T5"), "{narrow}");
    let wide = h.screen(120, 30);
    assert!(wide.contains("[x] T2 efforts offered or started"), "{wide}");
    assert!(wide.contains("[ ] T3"), "{wide}");
}

#[test]
fn function_keys_switch_speakers_in_the_function_keys_keymap() {
    let mut h = Harness::with_keymap("function-keys");
    h.start_session("AA", "");
    h.press("f2");
    h.type_text("Hvordan går det?");
    h.press("enter f1");
    h.type_text("Fint");
    h.press("enter");
    h.settle();
    let lines = h.store.utterances(only_session(&h).id).unwrap();
    assert_eq!(lines.iter().map(|u| u.speaker.as_str()).collect::<Vec<_>>(), vec!["CW", "AA"]);
}

#[test]
fn ending_the_session_asks_once_more_and_stores_its_end() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.press("ctrl-x");
    assert!(h.screen(80, 24).contains("End this session?"));
    h.type_text("x");
    h.press("ctrl-u ctrl-x ctrl-x");
    h.settle();
    let session = only_session(&h);
    assert_eq!(session.ended, Some(common::start_time()));
    let review = h.screen(80, 24);
    assert!(
        review.contains("AA · observation · contact 1 · 2026-03-02") && review.contains("0 lines"),
        "{review}"
    );
    h.press("esc");
    let home = h.screen(80, 24);
    assert!(home.contains("observation 2026-03-02") && !home.contains("open:"), "{home}");
}

#[test]
fn a_draft_left_by_a_crash_is_offered_back() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("Jeg nåede ikke at");
    // The event loop saves the draft every quarter second.
    std::thread::sleep(std::time::Duration::from_millis(300));
    h.app.tick();
    h.settle();
    h.restart();
    h.press("o");
    let screen = h.screen(80, 24);
    assert!(screen.contains("AA ▸ Jeg nåede ikke at"), "{screen}");
    assert!(screen.contains("Recovered the line you were typing"), "{screen}");
    h.type_text(" sige det");
    h.press("enter");
    h.settle();
    let lines = h.store.utterances(only_session(&h).id).unwrap();
    assert_eq!(lines[0].text, "Jeg nåede ikke at sige det");
    assert!(h.store.draft(lines[0].session).unwrap().is_none(), "a saved line clears its draft");
}

#[test]
fn escapes_in_pasted_text_are_stored_and_shown_without_control_characters() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.paste("rød\u{1b}[31m tekst\u{1b}]0;titel\u{7} og\r\nmere\u{202e}");
    h.press("enter");
    h.settle();
    let line = &h.store.utterances(only_session(&h).id).unwrap()[0];
    assert_eq!(line.text, "rød tekst og mere");
    let buffer = h.render(80, 24);
    assert!(buffer.content.iter().all(|c| !c.symbol().chars().any(char::is_control)));
}

#[test]
fn wide_characters_and_emoji_keep_their_columns() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("日本語 og 👩‍👩‍👧 og æøå");
    h.press("enter");
    h.settle();
    let screen = h.screen(40, 10);
    assert!(screen.contains("日本語 og"), "{screen}");
    assert!(screen.contains("æøå"), "{screen}");
}

#[test]
fn every_screen_draws_at_every_small_size_without_panicking() {
    let mut h = Harness::new();
    let sizes = [(1, 1), (0, 0), (0, 5), (5, 0), (2, 3), (10, 2), (20, 5), (80, 24), (300, 80)];
    for (w, hgt) in sizes {
        h.render(w, hgt);
    }
    h.press("a");
    for (w, hgt) in sizes {
        h.render(w, hgt);
    }
    h.type_text("AA");
    h.press("enter s");
    for (w, hgt) in sizes {
        h.render(w, hgt);
    }
    h.press("left enter");
    h.type_text("en lang linje med 👩‍👩‍👧 ".repeat(20).as_str());
    h.press("enter");
    h.type_text("halv");
    h.press("alt-h");
    for (w, hgt) in sizes {
        h.render(w, hgt);
    }
    h.press("esc alt-c");
    for (w, hgt) in sizes {
        h.render(w, hgt);
    }
}

#[test]
fn help_lists_the_bindings_of_the_screen_from_the_keymap() {
    let mut h = Harness::new();
    h.press("?");
    let home_help = h.screen(80, 24);
    assert!(home_help.contains("Keys: home screen"), "{home_help}");
    assert!(home_help.contains("a   ") && home_help.contains("add a case"), "{home_help}");
    h.press("esc");
    h.start_session("AA", "");
    h.press("alt-h");
    let live_help = h.screen(80, 24);
    assert!(live_help.contains("alt-2") && live_help.contains("speaker 2 speaks now"), "{live_help}");
    assert!(live_help.contains("alt-e") && live_help.contains("save the line as an event"), "{live_help}");
    h.press("esc");
    h.type_text("?");
    assert!(h.screen(80, 24).contains("AA ▸ ?"), "? is text while logging");
}

#[test]
fn a_one_megabyte_paste_is_taken_whole_and_saved_exactly() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    let paste: String = "Selvværd og ærgrelse 👩‍👩‍👧 ".repeat((1 << 20) / 32);
    h.paste(&paste);
    h.render(80, 24);
    h.press("enter");
    h.settle();
    let line = &h.store.utterances(only_session(&h).id).unwrap()[0];
    assert_eq!(line.text, paste.trim());
    assert!(h.screen(80, 24).contains("Line 1 saved to disk"));
}

#[test]
fn home_says_what_to_do_first_and_lists_cases_with_their_sessions() {
    let mut h = Harness::new();
    let empty = h.screen(80, 24);
    assert!(empty.contains("No cases yet.") && empty.contains("Press a to add a case"), "{empty}");
    h.press("a");
    h.type_text("Anne Hansen");
    h.press("enter");
    assert!(h.screen(80, 24).contains("is not valid: use 1 to 8 letters or digits"));
    assert!(h.store.cases().unwrap().is_empty());
    h.press("esc");
    h.start_session("NTC", "left");
    h.press("esc");
    h.settle();
    let home = h.screen(80, 24);
    assert!(home.contains("▸ NTC       1    0    0     0     0"), "{home}");
    assert!(home.contains("open: interview 2026-03-02 10:00"), "{home}");
    h.press("o");
    assert!(h.screen(80, 24).contains("NTC · interview · contact 1"));
}

#[test]
fn pastes_focus_changes_and_resizes_in_any_state_never_break_it() {
    use ratatui::crossterm::event::Event;
    let mut h = Harness::new();
    let storm = |h: &mut Harness| {
        for event in [
            Event::FocusLost,
            Event::FocusGained,
            Event::Resize(1, 1),
            Event::Resize(0, 0),
            Event::Resize(80, 24),
        ] {
            h.app.handle_event(event);
        }
        h.paste("indsat\u{1b}[31m tekst\r\nover to linjer");
        for (w, hgt) in [(1, 1), (3, 2), (80, 24)] {
            h.render(w, hgt);
        }
    };
    storm(&mut h);
    h.press("?");
    storm(&mut h);
    h.press("esc a");
    storm(&mut h);
    assert!(
        h.screen(80, 24).contains("New case code: indsat tekst over to"),
        "a paste into a prompt is one line of text"
    );
    h.press("ctrl-u");
    h.type_text("AA");
    h.press("enter s");
    storm(&mut h);
    h.press("enter");
    h.type_text("Første linje");
    h.press("enter");
    storm(&mut h);
    // The paste is in the input line: five words are no mark's word, and stay.
    h.press("alt-m ctrl-u");
    h.type_text("vigtig");
    h.press("alt-m alt-c");
    storm(&mut h);
    h.press("esc alt-h");
    storm(&mut h);
    h.press("esc");
    h.settle();
    let session = h.store.sessions().unwrap().remove(0);
    let lines = h.store.utterances(session.id).unwrap();
    assert_eq!(lines[0].text, "Første linje");
    assert_eq!(lines[0].mark.as_ref().unwrap().word, "vigtig", "typed before the mark key");
}

#[test]
fn marks_and_pauses_take_what_was_typed_before_their_key_and_look_unlike_speech() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("Dårlige tænder, det er det værste");
    h.press("enter");
    h.type_text("tænder");
    h.press("alt-m");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("AA ▸\n") || screen.lines().any(|l| l.trim_end() == "AA ▸"),
        "input cleared: {screen}"
    );
    // A sentence is no mark's word, nor a pause's length: refused, and kept to be saved as a line.
    h.type_text("Det er en hel sætning om noget andet");
    h.press("alt-m");
    let screen = h.screen(80, 24);
    assert!(screen.contains("A mark takes a word or two"), "{screen}");
    assert!(screen.contains("AA ▸ Det er en hel sætning om noget andet"), "{screen}");
    h.press("alt-p");
    assert!(h.screen(80, 24).contains("is no pause length"));
    h.press("ctrl-u");
    h.type_text("8");
    h.press("alt-p");
    h.settle();
    let lines = h.store.utterances(only_session(&h).id).unwrap();
    assert_eq!(lines[0].mark.as_ref().map(|m| m.word.as_str()), Some("tænder"));
    assert_eq!((lines.len(), lines[1].kind, lines[1].text.as_str()), (2, UtteranceKind::Pause, "8"));
    let buffer = h.render(80, 24);
    let screen = common::buffer_text(&buffer);
    let row = screen.lines().position(|l| l.contains("Dårlige tænder")).unwrap();
    assert!(
        screen.lines().nth(row).unwrap().ends_with("Dårlige tænder, det er det værste  ★ tænder"),
        "{screen}"
    );
    assert!(screen.contains("(pause 8 s)"), "{screen}");
    let cell = |text: &str| {
        let x = screen.lines().nth(row).unwrap().chars().position(|c| text.starts_with(c)).unwrap();
        buffer[(x as u16, row as u16)].style()
    };
    assert_ne!(cell("★").fg, cell("D").fg, "the mark is drawn unlike the speech");
}

/// The screen's words with rows joined, so a message wrapped over two rows reads whole.
fn words(screen: &str) -> String {
    screen.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_message_is_readable_at_80_by_24_and_the_header_at_60_by_15() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.press("ctrl-x");
    let screen = words(&h.screen(80, 24));
    assert!(
        screen.contains("End this session? Press the same key again to end it; any other key goes on."),
        "{screen}"
    );
    h.type_text("Jeg nåede ikke at");
    std::thread::sleep(std::time::Duration::from_millis(300));
    h.app.tick();
    h.settle();
    h.restart();
    h.press("o");
    let screen = words(&h.screen(80, 24));
    assert!(
        screen.contains("Recovered the line you were typing when fieldlog stopped: Enter saves it.")
            && screen.contains("Type reset."),
        "the recovered line says how to mend the terminal: {screen}"
    );
    let small = h.screen(60, 15);
    let header = small.lines().next().unwrap();
    assert!(header.starts_with(" AA · observation · contact 1") && header.contains(" 10:00:00"), "{small}");
    assert!(small.contains("AA ▸ Jeg nåede ikke at"), "{small}");
}

#[test]
fn help_at_80_by_24_says_more_follows_scrolls_to_its_end_and_lists_only_this_sessions_speakers() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.press("alt-h");
    let first = h.screen(80, 24);
    assert!(first.contains("alt-2") && !first.contains("alt-3"), "two speakers: {first}");
    assert!(!first.contains("tick or untick theme"), "no guide in an observation: {first}");
    assert!(first.contains("more below (down, j)"), "{first}");
    assert!(first.contains("its word)"), "a long description goes on under itself: {first}");
    for _ in 0..100 {
        h.press("j");
    }
    let last = h.screen(80, 24);
    assert!(last.contains("Any other key types text."), "the end is reached: {last}");
    assert!(last.contains("more above"), "{last}");
    let rows: Vec<&str> = last.lines().collect();
    let end = rows.iter().position(|r| r.contains("Any other key types text.")).unwrap();
    assert!(rows[end + 1].contains("more above"), "no empty box after the end: {last}");
    h.press("k");
    assert!(h.screen(80, 24).contains("↑") && h.screen(80, 24).contains("↓ 1 below"));
}

#[test]
fn a_save_acknowledged_while_ending_does_not_hide_the_question() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("Sidste linje");
    h.press("enter ctrl-x");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("End this session?"), "{screen}");
    assert_eq!(h.store.utterances(only_session(&h).id).unwrap().len(), 1);
}

#[test]
fn a_title_string_pasted_without_bracketed_paste_is_dropped_whole() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    // What crossterm makes of "x ESC ]0;PWNED BEL y" arriving in one read.
    h.type_text("x ");
    h.press("alt-]");
    h.type_text("0;PWNED");
    h.press("ctrl-g");
    h.type_text("y");
    h.app.tick();
    assert!(h.screen(80, 24).contains("AA ▸ x y\n"), "{}", h.screen(80, 24));
    // An unterminated one ends with its batch: what is typed next is kept.
    h.press("alt-]");
    h.type_text("2;half");
    h.app.tick();
    h.type_text(" z");
    assert!(h.screen(80, 24).contains("AA ▸ x y z\n"), "{}", h.screen(80, 24));
}

/// A line the disk would not take is shown NOT SAVED, kept on screen, and
/// saved with the next line: nothing lost while fieldlog runs, no gap in
/// the line numbers, and "saved" never said of a line that is not.
#[test]
fn a_line_the_disk_refused_is_said_not_saved_and_goes_again_with_the_next() {
    use fieldlog::store::JournalFault;
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("Første linje");
    h.press("enter");
    h.settle();
    // The fsync fails, and so does writing the journal anew: nothing more can be trusted for now.
    h.store.fail_journal(JournalFault::Sync);
    h.store.fail_journal(JournalFault::Rewrite);
    h.store.fail_journal(JournalFault::Rewrite);
    h.type_text("Anden linje om tænderne");
    h.press("enter");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("NOT SAVED (line 2;"), "{screen}");
    assert!(screen.contains("Anden linje om tænderne"), "the line stays on screen: {screen}");
    h.type_text("Tredje linje");
    h.press("enter");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("NOT SAVED (lines 2, 3;"), "{screen}");
    assert!(screen.contains("free disk space or check the disk"), "says what to do: {screen}");
    assert!(!screen.contains("saved to disk"), "nothing is said saved while the journal fails: {screen}");
    let session = only_session(&h);
    let stored: Vec<String> = h.store.utterances(session.id).unwrap().into_iter().map(|u| u.text).collect();
    assert_eq!(stored, ["Første linje"], "nothing reported as not saved is in the store");
    // The disk is well again: the next line takes the two with it.
    h.type_text("Fjerde linje");
    h.press("enter");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("Lines 2, 3, 4 saved to disk"), "{screen}");
    let stored: Vec<(u32, String)> =
        h.store.utterances(session.id).unwrap().into_iter().map(|u| (u.seq, u.text)).collect();
    assert_eq!(
        stored,
        [
            (1, "Første linje".to_string()),
            (2, "Anden linje om tænderne".to_string()),
            (3, "Tredje linje".to_string()),
            (4, "Fjerde linje".to_string())
        ]
    );
}
