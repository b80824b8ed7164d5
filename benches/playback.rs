//! Playing a recording from a line (DESIGN §8: key press to first audio
//! frame ≤ 150 ms on a one-hour file): the real app's update loop, keymap
//! and review screen, the key `o` pressed on a line anywhere in an hour-long
//! interview, timed to the first frame handed to the sound output (a null
//! output, which takes frames as a device would). Idle and with both cores busy.
//!
//! `cargo bench --bench playback` (`-- --quick`: a one-minute recording).
//! `FIELDLOG_BENCH_RECORDING=FILE` attaches that file instead of a
//! generated hour of 48 kHz mono WAV (the recordings fieldlog makes).

mod support;

use fieldlog::audio::output::{Heard, NullOutput, Output};
use fieldlog::domain::{
    Case, CaseCode, Role, Session, SessionKind, Speaker, SystemClock, Utterance, UtteranceKind,
};
use fieldlog::import::recording::{attach, Attach, Keeping};
use fieldlog::store::{Change, Store};
use fieldlog::tui::app::App;
use fieldlog::tui::sound::Sound;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Condition, Samples};

fn press(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// An ended interview of `lines` lines, one every `every_ms`, with `file` attached from its start.
fn study(dir: &std::path::Path, file: &std::path::Path, lines: u32, every_ms: i64) -> Arc<Store> {
    let store = Store::create(&dir.join("study"), None).unwrap();
    let now = chrono::Local::now().fixed_offset();
    let case = Case::new(CaseCode::parse("AA").unwrap(), Vec::new(), now);
    let speakers = vec![
        Speaker { key: 1, label: "AA".into(), role: Role::Participant },
        Speaker { key: 2, label: "I".into(), role: Role::Interviewer },
    ];
    let mut session = Session::new(case.id, SessionKind::Interview, 1, "home", speakers, now);
    session.ended = Some(now + chrono::Duration::milliseconds(every_ms * i64::from(lines)));
    let mut changes = vec![Change::Case(case), Change::Session(session.clone())];
    for seq in 1..=lines {
        let onset = now + chrono::Duration::milliseconds(every_ms * i64::from(seq - 1));
        changes.push(Change::Utterance(Utterance {
            session: session.id,
            seq,
            speaker: if seq % 2 == 0 { "I".into() } else { "AA".into() },
            kind: UtteranceKind::Speech,
            text: format!("Linje {seq}: det går faktisk godt med praktikken"),
            onset,
            committed: onset,
            elapsed_ms: every_ms * i64::from(seq - 1),
            mark: None,
            deleted: false,
        }));
    }
    store.commit(&changes).unwrap();
    let how = Attach { file, keeping: Keeping::Copy, offset_ms: Some(0), replace: false, made_here: false };
    attach(&store, &session, how, now).unwrap();
    Arc::new(store)
}

fn main() {
    support::serve_launch();
    let quick = std::env::args().any(|a| a == "--quick");
    let (seconds, samples) = if quick { (60.0, 10) } else { (3_600.0, 60) };
    let scratch = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let file = match std::env::var_os("FIELDLOG_BENCH_RECORDING") {
        Some(given) => std::path::PathBuf::from(given),
        None => {
            let wav = scratch.path().join("hour.wav");
            fieldlog::dev::sound::write_marker_wav(&wav, seconds, &fieldlog::dev::sound::MARKERS).unwrap();
            wav
        }
    };
    let lines = (seconds / 10.0) as u32;
    let store = study(scratch.path(), &file, lines, 10_000);
    let keys = fieldlog::keymap::load("default", None).keymap;
    let mut app = App::new(store.clone(), keys, Box::new(SystemClock), None).unwrap();
    let heard: Arc<Mutex<Option<Arc<Mutex<Heard>>>>> = Arc::default();
    let shared = heard.clone();
    app.set_sound(Sound::with_output(Arc::new(move |rate, channels| {
        let output = NullOutput::new(rate, channels, true);
        *shared.lock().unwrap() = Some(output.heard.clone());
        Ok(Box::new(output) as Box<dyn Output>)
    })));
    // Home → the case → review its session.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('r'));
    println!(
        "play from a line, {} recording ({} lines), key `o` to the first frame handed to the output:",
        fieldlog::domain::clock::format_duration_ms((seconds * 1000.0) as i64),
        lines
    );
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for condition in Condition::BOTH {
        let _load = condition.start();
        let mut times = Samples::default();
        for _ in 0..samples {
            // A line somewhere in the hour: from the top, down a random number of lines.
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            press(&mut app, KeyCode::Char('g'));
            for _ in 0..rng % u64::from(lines) {
                press(&mut app, KeyCode::Char('j'));
            }
            if let Some(h) = heard.lock().unwrap().as_ref() {
                *h.lock().unwrap() = Heard::default();
            }
            let pressed = Instant::now();
            press(&mut app, KeyCode::Char('o'));
            let first = loop {
                let at = heard.lock().unwrap().as_ref().and_then(|h| h.lock().unwrap().first_at);
                match at {
                    Some(at) => break at,
                    None => std::thread::sleep(Duration::from_micros(200)),
                }
            };
            times.push(first.saturating_duration_since(pressed));
            press(&mut app, KeyCode::Char(' '));
            app.tick();
        }
        println!("  {}: {}", condition.word(), times.summary());
    }
}
