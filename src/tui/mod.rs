//! The full-screen app: terminal, event loop, screens and widgets.

pub mod app;
pub mod jobs;
pub mod loaders;
pub mod screen;
pub mod screens;
pub mod terminal;
pub mod widgets;

use crate::domain::SystemClock;
use crate::keymap::Loaded;
use crate::store::Store;
use app::App;
use ratatui::crossterm::event;
use std::sync::Arc;
use std::time::Duration;

/// Opens the full-screen app on `store` until the user quits.
pub fn run(store: Store, keymap: Loaded) -> anyhow::Result<()> {
    let store = Arc::new(store);
    let refused = keymap.refused.map(|e| format!("Keymap refused, using the shipped default: {e}"));
    // Damage the journal had when the store opened is said until someone looks (`fieldlog check`).
    let damage = store.journal_damage().map(|d| format!("Warning: {d}; `fieldlog check` lists it."));
    let banner = match (refused, damage) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    let mut app = App::new(store.clone(), keymap.keymap, Box::new(SystemClock), banner)?;
    terminal::save_and_exit_on_signal(store, app.shared_draft());
    let mut term = terminal::enter()?;
    let result = event_loop(&mut term, &mut app);
    app.shutdown();
    terminal::restore();
    result
}

fn event_loop(term: &mut terminal::Term, app: &mut App) -> anyhow::Result<()> {
    // For the test that the terminal is restored on a panic: FIELDLOG_TEST_PANIC=1.
    let panic_for_test = std::env::var_os("FIELDLOG_TEST_PANIC").is_some();
    while !app.quit {
        term.draw(|frame| app.render(frame))?;
        if panic_for_test {
            panic!("a panic on purpose (FIELDLOG_TEST_PANIC)");
        }
        // A short wait keeps the clock ticking on screen and acknowledgements prompt.
        if event::poll(Duration::from_millis(100))? {
            app.handle_event(event::read()?);
            while event::poll(Duration::ZERO)? {
                app.handle_event(event::read()?);
            }
        }
        app.tick();
    }
    Ok(())
}
