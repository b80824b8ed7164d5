//! Enter to durably saved, beside one fsync of the same size on the same
//! disk, and key press to redrawn live screen with a long session.
//!
//! `cargo bench --bench durable_save` (add `-- --quick` for a tiny run).
//! Each figure is the median of many runs after a warm-up; the ratio is
//! taken within one run.

use chrono::DateTime;
use fieldlog::domain::*;
use fieldlog::keymap;
use fieldlog::store::writer::{Durability, Job, Writer};
use fieldlog::store::{Change, Store};
use fieldlog::tui::app::App;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn line(session: Id, seq: u32, text: &str) -> Utterance {
    let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    Utterance {
        session,
        seq,
        speaker: "AA".into(),
        kind: UtteranceKind::Speech,
        text: text.into(),
        onset: t,
        committed: t,
        elapsed_ms: i64::from(seq) * 3_000,
        mark: None,
        deleted: false,
    }
}

const TEXT: &str =
    "Jeg har været i praktik i tre måneder, og det har gjort noget ved mit selvværd, synes jeg";

/// Enter → durably saved, through the writer thread as on the live screen,
/// alternating with one fsync of the same size on the same disk, so both
/// are measured under the same conditions. Returns the medians and the size.
fn save_against_fsync(
    store: &Arc<Store>,
    dir: &std::path::Path,
    warmup: u32,
    runs: u32,
) -> (Duration, Duration, usize) {
    let session = Id::new();
    let (mut writer, saved) = Writer::spawn(store.clone());
    let mut reference = std::fs::File::create(dir.join("reference")).unwrap();
    let (mut save, mut fsync) = (Vec::new(), Vec::new());
    let mut size = 0;
    for seq in 1..=(warmup + runs) {
        let utterance = line(session, seq, TEXT);
        size = fieldlog::store::envelope::encode(&utterance).len();
        let started = Instant::now();
        writer.send(Job {
            tag: 0,
            changes: vec![Change::Utterance(utterance)],
            durability: Durability::Synced,
        });
        saved.recv().unwrap();
        let saving = started.elapsed();
        let bytes = vec![b'x'; size];
        let started = Instant::now();
        reference.write_all(&bytes).unwrap();
        reference.sync_data().unwrap();
        if seq > warmup {
            save.push(saving);
            fsync.push(started.elapsed());
        }
    }
    writer.finish();
    (median(save), median(fsync), size)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (warmup, runs, long_session) = if quick { (3, 10, 1_000) } else { (50, 500, 100_000) };
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let store = Arc::new(Store::open_or_create(&dir.path().join("study")).unwrap());

    let (save, fsync, size) = save_against_fsync(&store, dir.path(), warmup, runs);
    // The same with encryption at rest.
    let sealed_dir = dir.path().join("sealed");
    let sealed = Arc::new(Store::create(&sealed_dir, Some("bench passphrase")).unwrap());
    let (sealed_save, sealed_fsync, _) = save_against_fsync(&sealed, dir.path(), warmup, runs);
    drop(sealed);

    // Key press → redrawn frame on the live screen of a long session.
    let long = Id::new();
    let code = CaseCode::parse("AA").unwrap();
    let case =
        Case::new(code.clone(), vec![], DateTime::parse_from_rfc3339("2026-03-01T10:00:00+01:00").unwrap());
    store.add_case(&case).unwrap();
    let mut s = Session {
        id: long,
        case_id: case.id,
        kind: SessionKind::Observation,
        contact_point: 1,
        place: Place::JobCentre,
        place_text: String::new(),
        speakers: session::default_speakers(SessionKind::Observation, &code),
        clock: SessionClock::start(case.created),
        ended: None,
        recording_started: None,
        themes_ticked: vec![],
        notes: String::new(),
    };
    s.clock.started = case.created;
    store.commit(&[Change::Session(s)]).unwrap();
    for chunk in (1..=long_session).collect::<Vec<u32>>().chunks(5_000) {
        let changes: Vec<Change> = chunk.iter().map(|&n| Change::Utterance(line(long, n, TEXT))).collect();
        store.commit(&changes).unwrap();
    }
    store.checkpoint().unwrap();
    let keys = keymap::load("default", None).keymap;
    let mut app = App::new(store.clone(), keys, Box::new(SystemClock), None).unwrap();
    app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::NONE)));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut frame = Vec::new();
    for i in 0..(warmup + runs) {
        let c = if i % 40 == 39 { KeyCode::Backspace } else { KeyCode::Char('æ') };
        let started = Instant::now();
        app.handle_event(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)));
        terminal.draw(|f| app.render(f)).unwrap();
        if i >= warmup {
            frame.push(started.elapsed());
        }
    }

    let frame = median(frame);
    println!("durable_save ({runs} runs after {warmup} warm-up, medians; value of {size} bytes)");
    println!("  enter to durably saved (writer thread, journal fsync): {save:>10.2?}");
    println!("  one fsync of {size} bytes on the same disk:            {fsync:>10.2?}");
    println!(
        "  ratio:                                                {:>10.2}",
        save.as_secs_f64() / fsync.as_secs_f64()
    );
    println!(
        "  encrypted store: enter to saved {sealed_save:.2?} against one fsync {sealed_fsync:.2?}: ratio {:.2}",
        sealed_save.as_secs_f64() / sealed_fsync.as_secs_f64()
    );
    println!("  key press to redrawn live frame, {long_session} lines, 80x24: {frame:>10.2?}");
}
