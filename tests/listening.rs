//! Reviewing by ear, through the real keymap and update loop: a line plays
//! from its moment in the recording (heard by the tone markers), the line
//! being played is drawn, pausing goes back as f4 does, a line takes the
//! moment heard, and a machine without sound says so once and goes on.

mod common;

use common::Harness;
use fieldlog::audio::output::{Heard, NullOutput, Output};
use fieldlog::dev::sound::{loudest_tone, onset, write_marker_wav, MARKERS};
use fieldlog::import::recording::{attach, Attach, Keeping};
use fieldlog::tui::sound::Sound;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LINES: [&str; 3] = ["Hvordan går det?", "Det går faktisk godt", "Før troede jeg ikke på det"];

/// An ended interview whose three lines began 1.0, 2.5 and 4.0 s into it,
/// with the marker recording attached as starting with the session; the
/// app plays through a null output whose frames the test can read.
fn listening(paced: bool) -> (Harness, Arc<Mutex<Arc<Mutex<Heard>>>>) {
    let mut h = Harness::new();
    h.start_session("AA", "");
    let mut at = 0;
    for (text, (start, _)) in LINES.iter().zip(MARKERS) {
        let due = (start * 1000.0) as i64;
        h.clock.advance_ms(due - at);
        at = due;
        h.type_text(text);
        h.press("enter");
    }
    h.press("ctrl-x ctrl-x");
    h.settle();
    let session = h.store.sessions().unwrap().remove(0);
    let wav = h.dir.path().join("markers.wav");
    write_marker_wav(&wav, 6.0, &MARKERS).unwrap();
    let how =
        Attach { file: &wav, keeping: Keeping::Copy, offset_ms: Some(0), replace: false, made_here: false };
    attach(&h.store, &session, how, common::start_time()).unwrap();
    // Review opened as the session ended, before the recording came: open it again.
    h.restart();
    h.press("enter r");
    // Each play opens a new output: the test reads the latest one's record.
    let heard: Arc<Mutex<Arc<Mutex<Heard>>>> = Arc::default();
    let shared = heard.clone();
    h.app.set_sound(Sound::with_output(Arc::new(move |rate, channels| {
        let output = NullOutput::new(rate, channels, paced);
        *shared.lock().unwrap() = output.heard.clone();
        Ok(Box::new(output) as Box<dyn Output>)
    })));
    h.press("g");
    (h, heard)
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(20), "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_line_under_the_cursor_plays_from_its_moment() {
    let (mut h, heard) = listening(false);
    let tones: Vec<f64> = MARKERS.iter().map(|m| m.1).collect();
    // What the output now playing was handed first.
    let first = || heard.lock().unwrap().lock().unwrap().first.clone();
    for (line, (_, hz)) in MARKERS.iter().enumerate() {
        // The last play has run to its end (the output is unpaced): forget it.
        heard.lock().unwrap().lock().unwrap().first.clear();
        h.press("o");
        wait_for("a second of sound", || first().len() >= 24_000);
        let first = first();
        let at = onset(&first, 48_000).expect("the marker is heard");
        assert!(at * 1000 / 48_000 <= 50, "line {}: its marker came {} ms in", line + 1, at * 1000 / 48_000);
        assert_eq!(loudest_tone(&first[at..at + 9_600], 48_000, &tones), Some(*hz), "line {}", line + 1);
        h.press("j");
    }
}

#[test]
fn the_line_being_played_is_drawn_and_the_cursor_follows_it_when_asked() {
    let (mut h, _heard) = listening(true);
    h.press("j o");
    h.app.tick();
    wait_for("playback past line 2's moment", || {
        h.app.tick();
        h.screen(80, 24).contains("▶ 00:00:02")
    });
    let screen = h.screen(80, 24);
    let row = screen.lines().find(|r| r.contains("Det går faktisk godt")).unwrap();
    assert!(row.contains("▶2"), "line 2 is marked as being played: {screen}");
    // Follow: the cursor moves to line 3 when its moment comes.
    h.press("F");
    wait_for("line 3's moment", || {
        h.app.tick();
        let screen = h.screen(80, 24);
        screen.lines().any(|r| r.contains("▶3") && r.contains("Før troede"))
    });
    // Pause: the header says so.
    h.press("space");
    h.app.tick();
    let screen = h.screen(80, 24);
    assert!(screen.contains("⏸ 00:00:0"), "{screen}");
}

#[test]
fn a_line_takes_the_moment_being_played_and_keeps_the_time_it_was_typed_at() {
    let (mut h, _heard) = listening(true);
    // Play from line 2 (2.5 s), pause a little later, and stamp line 3 there.
    h.press("j o");
    wait_for("playback to move", || {
        h.app.tick();
        h.screen(80, 24).contains("▶ 00:00:02")
    });
    h.press("space");
    h.app.tick();
    let session = h.store.sessions().unwrap().remove(0);
    let before = h.store.utterance(session.id, 3).unwrap().unwrap();
    h.press("j t");
    h.settle();
    let screen = h.screen(80, 24);
    assert!(screen.contains("Line 3 begins at 00:00:02 in the recording"), "{screen}");
    let after = h.store.utterance(session.id, 3).unwrap().unwrap();
    let ms = session.recording_ms(after.onset).unwrap();
    assert!((2_500..4_000).contains(&ms), "line 3 now begins {ms} ms in");
    assert_eq!(after.text, before.text);
    let kept = h.store.retimings(session.id).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].was, before.onset, "the typed time is kept");
    assert_eq!(kept[0].recording_ms, ms);
    // Played from line 3 now, it starts where it was stamped.
    h.press("o");
    wait_for("playback", || {
        h.app.tick();
        h.screen(80, 24).contains("▶ 00:00:0")
    });
}

#[test]
fn with_no_sound_device_playback_is_off_said_once_and_review_goes_on() {
    let (mut h, _heard) = listening(false);
    h.app.set_sound(Sound::with_output(Arc::new(|rate, channels| {
        fieldlog::audio::alsa::Playback::open("no-such-device-here", rate, channels)
            .map(|p| Box::new(p) as Box<dyn Output>)
    })));
    h.press("o");
    wait_for("the failure", || {
        h.app.tick();
        h.screen(80, 24).contains("Playback is off:")
    });
    let screen = h.screen(100, 24);
    assert!(
        screen.contains("no sound device \"no-such-device-here\"")
            || screen.contains("libasound.so.2) is not installed"),
        "{screen}"
    );
    // Said once: the next key clears it and it does not come back by itself.
    h.press("j");
    h.app.tick();
    h.app.tick();
    assert!(!h.screen(80, 24).contains("Playback is off"));
    // Review goes on: a narrative can still be flagged.
    h.press("f");
    h.type_text("Det går godt");
    h.press("ctrl-s");
    h.settle();
    assert_eq!(h.store.narratives().unwrap().len(), 1);
}

#[test]
fn a_session_without_a_recording_says_how_to_attach_one() {
    let mut h = Harness::new();
    h.ended_session("AA", &["Hej"], 5_000);
    h.press("o");
    let screen = h.screen(80, 24);
    assert!(screen.contains("This session has no recording: attach one on its case screen."), "{screen}");
    h.press("space");
    let screen = h.screen(100, 24);
    assert!(
        screen.contains("This session has no recording: attach one on its case screen, or with"),
        "{screen}"
    );
}

#[test]
fn recording_needs_every_speakers_consent_then_is_kept_with_the_session_when_stopped() {
    let mut h = Harness::new();
    let wav = h.dir.path().join("voice.wav");
    write_marker_wav(&wav, 10.0, &MARKERS).unwrap();
    h.app.set_audio_source(Some(wav));
    h.start_session("AA", "");
    h.press("alt-a");
    let screen = h.screen(120, 24);
    assert!(screen.contains("Not recording: no consent to recording is noted for"), "{screen}");
    assert!(h.store.recordings().unwrap().is_empty());
    h.press("alt-y");
    h.settle();
    h.press("alt-a");
    h.settle();
    let session = h.store.sessions().unwrap().remove(0);
    let made = h.store.recording(session.id).unwrap().expect("the recording is attached as it starts");
    assert!(made.made_here && made.sha256.is_empty());
    assert!(session.recording_started.is_some(), "its start is the moment its first sound came");
    h.app.tick();
    assert!(h.screen(120, 24).contains("● rec"), "{}", h.screen(120, 24));
    wait_for("a second and a half recorded", || {
        let file = h.store.path().join("recordings").join(&made.name);
        std::fs::metadata(file).map(|m| m.len()).unwrap_or(0) > 44 + 48_000 * 3
    });
    h.press("alt-a");
    h.settle();
    let screen = h.screen(120, 24);
    assert!(screen.contains("Recording stopped: 00:00:0"), "{screen}");
    let kept = h.store.recording(session.id).unwrap().unwrap();
    assert!(kept.frames >= 72_000, "{} frames", kept.frames);
    assert_eq!(kept.sha256.len(), 64);
    // It plays in review like any attached recording.
    assert!(!screen.contains("● rec"));
}

#[test]
fn a_recording_is_attached_from_the_case_screen_copied_or_linked() {
    let mut h = Harness::new();
    h.ended_session("AA", &["Hej"], 5_000);
    h.restart();
    // Home → the case → A on its session: the file, and the recording is read through and copied.
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/markers.flac");
    h.press("enter A");
    h.type_text(fixture.to_str().unwrap());
    h.press("enter");
    h.app.wait_for_export();
    let screen = h.screen(120, 24);
    assert!(
        screen.contains("Attached markers.flac, 00:00:06, flac 48 kHz mono, copied into the study."),
        "{screen}"
    );
    let copy = h.store.recording(h.store.sessions().unwrap()[0].id).unwrap().unwrap();
    // Again: the session has a recording, and it is not replaced unless asked.
    h.press("A");
    h.type_text(&format!("{} --link", fixture.display()));
    h.press("enter");
    h.app.wait_for_export();
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("This session already has a recording: write --replace after the file"),
        "{screen}"
    );
    assert_eq!(h.store.recording(copy.session).unwrap().unwrap(), copy, "the copy is kept");
    // With --replace (either order): used where it is, in place of the copy.
    h.press("A");
    h.type_text(&format!("{} --replace --link", fixture.display()));
    h.press("enter");
    h.app.wait_for_export();
    let screen = h.screen(160, 24);
    assert!(screen.contains("linked at"), "{screen}");
    let session = h.store.sessions().unwrap().remove(0);
    assert!(matches!(
        h.store.recording(session.id).unwrap().unwrap().kept,
        fieldlog::domain::Kept::Linked { .. }
    ));
    // A file that is no recording is refused in one sentence, and the recording stays.
    let notes = h.dir.path().join("notes.wav");
    std::fs::write(&notes, "not a recording").unwrap();
    h.press("A");
    h.type_text(&format!("{} --replace", notes.display()));
    h.press("enter");
    h.app.wait_for_export();
    let screen = h.screen(200, 24);
    assert!(screen.contains("notes.wav is no recording fieldlog can play"), "{screen}");
    assert!(h.store.recording(session.id).unwrap().is_some());
}

#[test]
fn a_session_with_a_recording_shows_its_play_key_in_the_footer() {
    let (mut h, _heard) = listening(false);
    let screen = h.screen(80, 24);
    assert!(screen.lines().last().unwrap().ends_with("· o play"), "{screen}");
    let mut plain = Harness::new();
    plain.ended_session("AA", &["Hej"], 5_000);
    assert!(!plain.screen(80, 24).contains("o play"));
}
