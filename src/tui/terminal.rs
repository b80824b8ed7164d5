//! Terminal set-up and restore on every way out: normal exit, error, panic,
//! and the terminal going away (SIGHUP) or being told to stop (SIGTERM).

use super::app::SharedDraft;
use crate::store::{Change, Store};
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::prelude::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};
use std::sync::Arc;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Raw mode, the alternate screen and bracketed paste; a panic restores them first.
pub fn enter() -> std::io::Result<Term> {
    let previous = std::panic::take_hook();
    // The terminal is the thread's that entered it. A panic on another thread
    // (a decoder's bug on a bad packet, a background job) is that thread's to
    // report, and the app says so on screen ("playback stopped", "stopped
    // without finishing"): the screen stays as it is, with nothing written over it.
    let owner = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != owner {
            return;
        }
        restore();
        previous(info);
    }));
    enable_raw_mode()?;
    if let Err(e) = execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Puts the terminal back as it was; safe to call more than once, or with no terminal.
pub fn restore() {
    let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
}

/// On SIGHUP, SIGTERM or SIGINT (on their own thread: crossterm's event poll
/// spins once its terminal is gone), saves the line being typed as a draft,
/// through the journal, and exits.
pub fn save_and_exit_on_signal(store: Arc<Store>, draft: SharedDraft) {
    let result = ctrlc::set_handler(move || {
        let draft = draft.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(draft) = draft.filter(|d| !d.text.is_empty()) {
            let _ = store.commit(&[Change::Draft(draft)]);
        }
        restore();
        std::process::exit(0);
    });
    if let Err(e) = result {
        eprintln!("fieldlog: cannot watch for the terminal closing ({e}); quit with the quit key to be safe");
    }
}
