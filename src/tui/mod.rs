//! The full-screen app: terminal, event loop, screens and widgets.

pub mod app;
pub mod jobs;
pub mod loaders;
pub mod microphone;
pub mod screen;
pub mod screens;
pub mod sound;
pub mod terminal;
pub mod widgets;

use crate::domain::SystemClock;
use crate::keymap::Loaded;
use crate::store::Store;
use app::App;
use ratatui::crossterm::event;
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Opens the full-screen app on `store` until the user quits.
pub fn run(store: Store, keymap: Loaded, audio_source: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let store = Arc::new(store);
    let refused = keymap.refused.map(|e| format!("Keymap refused, using the shipped default: {e}"));
    // Damage the journal had when the store opened is said until someone looks (`fieldlog check`).
    let damage = store.journal_damage().map(|d| format!("Warning: {d}; `fieldlog check` lists it."));
    let banner = match (refused, damage) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    let mut app = App::new(store.clone(), keymap.keymap, Box::new(SystemClock), banner)?;
    app.set_audio_source(audio_source);
    terminal::save_and_exit_on_signal(store, app.shared_draft());
    let mut term = terminal::enter()?;
    let result = event_loop(&mut term, &mut app);
    app.shutdown();
    terminal::restore();
    result
}

/// What wakes the event loop: the terminal (a key, a paste, a resize, or
/// its failure), or the writer having acknowledged saves.
enum Wake {
    Terminal(std::io::Result<event::Event>),
    Saved,
}

/// Keys are read on a thread of their own and sent here together with the
/// writer's acknowledgements, so the loop sleeps until either comes (or the
/// clock's next tick) and "saved" is drawn as soon as it is true.
fn event_loop(term: &mut terminal::Term, app: &mut App) -> anyhow::Result<()> {
    // For the test that the terminal is restored on a panic: FIELDLOG_TEST_PANIC=1.
    let panic_for_test = std::env::var_os("FIELDLOG_TEST_PANIC").is_some();
    let (wake, woken) = mpsc::channel::<Wake>();
    let saved = wake.clone();
    app.ring_on_save(move || {
        let _ = saved.send(Wake::Saved);
    });
    std::thread::Builder::new().name("terminal-input".into()).spawn(move || loop {
        let read = event::read();
        let failed = read.is_err();
        if wake.send(Wake::Terminal(read)).is_err() || failed {
            return;
        }
    })?;
    while !app.quit {
        term.draw(|frame| app.render(frame))?;
        if panic_for_test {
            panic!("a panic on purpose (FIELDLOG_TEST_PANIC)");
        }
        // The clock on screen ticks at least every 100 ms; the line being played, every 40.
        let tick = if app.is_playing() { 40 } else { 100 };
        let first = match woken.recv_timeout(Duration::from_millis(tick)) {
            Ok(first) => Some(first),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("the terminal's input stopped"),
        };
        for woke in first.into_iter().chain(std::iter::from_fn(|| woken.try_recv().ok())) {
            if let Wake::Terminal(read) = woke {
                app.handle_event(read?);
            }
        }
        app.tick();
    }
    Ok(())
}
