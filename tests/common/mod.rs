//! Test harness: the real app and update loop on a temporary store, driven by
//! key strings resolved like a keymap file's, with a clock that moves only
//! when told to.

#![allow(dead_code)]

pub mod cli;

use chrono::DateTime;
use fieldlog::domain::ManualClock;
use fieldlog::keymap::{self, keys};
use fieldlog::store::Store;
use fieldlog::tui::app::App;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::sync::Arc;

pub struct Harness {
    pub app: App,
    pub clock: ManualClock,
    pub store: Arc<Store>,
    pub dir: tempfile::TempDir,
}

pub fn start_time() -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap()
}

impl Harness {
    pub fn new() -> Self {
        Self::with_keymap("default")
    }

    pub fn with_keymap(name: &str) -> Self {
        Self::on(name, None)
    }

    /// The app on an encrypted store.
    pub fn encrypted() -> Self {
        Self::on("default", Some("korrekt hest batteri"))
    }

    fn on(name: &str, passphrase: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::create(&dir.path().join("study"), passphrase).unwrap());
        let clock = ManualClock::new(start_time());
        let loaded = keymap::load(name, None);
        assert!(loaded.refused.is_none());
        let app = App::new(store.clone(), loaded.keymap, Box::new(clock.clone()), None).unwrap();
        Harness { app, clock, store, dir }
    }

    /// A new app on the same store, as after a restart.
    pub fn restart(&mut self) {
        let loaded = keymap::load("default", None);
        self.app = App::new(self.store.clone(), loaded.keymap, Box::new(self.clock.clone()), None).unwrap();
    }

    /// Presses keys written as in a keymap file: "enter", "alt-2", "f1", "a".
    pub fn press(&mut self, written: &str) {
        for key in written.split_whitespace() {
            let combination = keys::parse(key).unwrap_or_else(|| panic!("{key:?} is no key"));
            let event = KeyEvent::new(combination.codes.first().to_owned(), combination.modifiers);
            self.app.handle_event(Event::Key(event));
        }
    }

    /// Types text one key event per character, as a keyboard does.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let modifiers = if c.is_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            self.app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char(c), modifiers)));
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.app.handle_event(Event::Paste(text.to_string()));
    }

    /// Waits for the store writer's acknowledgements, as the event loop would take them.
    pub fn settle(&mut self) {
        self.app.wait_for_saves();
        self.app.tick();
    }

    pub fn render(&mut self, width: u16, height: u16) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| self.app.render(frame)).unwrap();
        terminal.backend().buffer().clone()
    }

    /// The screen as text, one line per row, trailing spaces trimmed.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        let buffer = self.render(width, height);
        buffer_text(&buffer)
    }

    /// Adds case `code` on the home screen and starts a session of the kind
    /// reached by pressing `kind_keys` in the form's kind field ("" keeps observation).
    pub fn start_session(&mut self, code: &str, kind_keys: &str) {
        self.press("a");
        self.type_text(code);
        self.press("enter s");
        if !kind_keys.is_empty() {
            self.press(kind_keys);
        }
        self.press("enter");
        // The case and the session are saved by the writer, behind the screen.
        self.settle();
    }

    /// Adds case `code`, logs `lines` in an observation, the clock moving
    /// `every_ms` after each, and ends it: review opens on the session.
    pub fn ended_session(&mut self, code: &str, lines: &[&str], every_ms: i64) {
        self.start_session(code, "");
        for text in lines {
            self.type_text(text);
            self.press("enter");
            self.clock.advance_ms(every_ms);
        }
        self.press("ctrl-x ctrl-x");
        self.settle();
    }
}

pub fn buffer_text(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let mut out = String::new();
    let mut hidden = 0;
    for (i, cell) in buffer.content.iter().enumerate() {
        // The cells a wide character covers hold only padding.
        if hidden > 0 {
            hidden -= 1;
        } else {
            out.push_str(cell.symbol());
            hidden = unicode_width::UnicodeWidthStr::width(cell.symbol()).saturating_sub(1);
        }
        if (i + 1) % width == 0 {
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        }
    }
    out
}
