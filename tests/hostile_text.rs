//! Hostile text never reaches the terminal raw: the bytes written to a real
//! crossterm backend are inspected, whatever the store holds.

mod common;

use common::Harness;
use fieldlog::domain::{Utterance, UtteranceKind};
use fieldlog::store::Change;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// Escape sequences a line could carry to take over a terminal.
const HOSTILE: &str =
    "før\u{1b}]0;overtaget\u{7}\u{1b}[2J\u{1b}P+q\u{1b}\\\u{202e}drow\u{2066}\u{200b}\u{9b}31m efter";

/// A writer whose bytes the test can read after the terminal wrote them.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything fieldlog wrote to the terminal for one frame.
fn frame_bytes(h: &mut Harness) -> Vec<u8> {
    let out = Shared::default();
    let viewport = Viewport::Fixed(Rect::new(0, 0, 100, 30));
    let mut terminal =
        Terminal::with_options(CrosstermBackend::new(out.clone()), TerminalOptions { viewport }).unwrap();
    terminal.draw(|frame| h.app.render(frame)).unwrap();
    let bytes = out.0.borrow().clone();
    bytes
}

fn assert_safe(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains("\u{1b}]"), "an OSC sequence reached the terminal");
    assert!(!text.contains("\u{1b}P"), "a DCS sequence reached the terminal");
    assert!(!text.contains("\u{1b}[2J"), "a clear-screen reached the terminal");
    assert!(!bytes.contains(&7), "a bell reached the terminal");
    for c in ['\u{202e}', '\u{2066}', '\u{200b}', '\u{9b}'] {
        assert!(!text.contains(c), "{c:?} reached the terminal");
    }
    assert!(text.contains("efter"), "the harmless part is still shown");
}

#[test]
fn typed_and_pasted_escapes_are_stored_clean_and_drawn_clean() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.paste(HOSTILE);
    h.press("enter");
    h.type_text(HOSTILE);
    h.press("enter");
    h.settle();
    let session = h.store.sessions().unwrap().remove(0);
    for line in h.store.utterances(session.id).unwrap() {
        assert!(!line.text.chars().any(|c| c.is_control() || c == '\u{202e}'), "{:?}", line.text);
    }
    assert_safe(&frame_bytes(&mut h));
}

#[test]
fn escapes_already_in_the_store_are_still_drawn_clean_on_every_screen() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("hej");
    h.press("enter");
    h.settle();
    // A line written past the input cleaning (an old store, a hand-edited backup).
    let session = h.store.sessions().unwrap().remove(0);
    let mut raw: Utterance = h.store.utterances(session.id).unwrap().remove(0);
    raw.seq = 2;
    raw.text = HOSTILE.into();
    raw.kind = UtteranceKind::Speech;
    h.store.commit(&[Change::Utterance(raw)]).unwrap();
    h.press("esc esc");
    h.restart();
    h.press("o");
    assert_safe(&frame_bytes(&mut h));
    h.press("esc enter enter");
    assert_safe(&frame_bytes(&mut h));
    h.press("esc esc /");
    h.type_text("efter");
    h.press("enter");
    assert_safe(&frame_bytes(&mut h));
}
