//! A one-line text field: editing by actions, safe text, and a view that
//! keeps the cursor visible however long the line grows.

use crate::domain::text::{is_unsafe, sanitise, Escapes};
use crate::keymap::Action;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    chars: Vec<char>,
    cursor: usize,
    /// Typed characters that arrive as an escape sequence are dropped whole.
    escapes: Escapes,
}

impl TextInput {
    pub fn with_text(text: &str) -> Self {
        let chars: Vec<char> = sanitise(text).chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
        TextInput { cursor: chars.len(), chars, escapes: Escapes::default() }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn clear(&mut self) {
        self.chars.clear();
        self.cursor = 0;
    }

    pub fn insert_char(&mut self, c: char) {
        if self.escapes.keep(c) && !is_unsafe(c) {
            self.chars.insert(self.cursor, c);
            self.cursor += 1;
        }
    }

    /// Pasted text goes in as one line: newlines become spaces, controls go.
    pub fn insert_paste(&mut self, text: &str) {
        self.escapes.reset();
        let clean = sanitise(text);
        let pasted: Vec<char> = clean.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
        let n = pasted.len();
        self.chars.splice(self.cursor..self.cursor, pasted);
        self.cursor += n;
    }

    /// Applies an editing action; returns false if the action is not an edit.
    pub fn edit(&mut self, action: Action) -> bool {
        self.escapes.reset();
        match action {
            Action::CursorLeft => self.cursor = self.cursor.saturating_sub(1),
            Action::CursorRight => self.cursor = (self.cursor + 1).min(self.chars.len()),
            Action::CursorHome => self.cursor = 0,
            Action::CursorEnd => self.cursor = self.chars.len(),
            Action::DeleteBack => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    self.chars.remove(self.cursor);
                }
            }
            Action::DeleteForward => {
                if self.cursor < self.chars.len() {
                    self.chars.remove(self.cursor);
                }
            }
            Action::DeleteWordBack => {
                let mut start = self.cursor;
                while start > 0 && self.chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && self.chars[start - 1] != ' ' {
                    start -= 1;
                }
                self.chars.drain(start..self.cursor);
                self.cursor = start;
            }
            Action::ClearInput => self.clear(),
            _ => return false,
        }
        true
    }

    /// Draws `prefix` then the text in `area` (one row), scrolled so the
    /// cursor shows, and puts the terminal cursor there when `focused`.
    pub fn render(&self, frame: &mut Frame, area: Rect, prefix: Span, focused: bool) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let room = usize::from(area.width).saturating_sub(prefix.width()).max(1);
        let width = |c: &char| c.width().unwrap_or(0);
        // Show the window of text ending at the cursor when the line is longer than the room.
        let mut start = 0;
        let mut used: usize = self.chars[..self.cursor].iter().map(width).sum();
        while used >= room && start < self.cursor {
            used -= width(&self.chars[start]);
            start += 1;
        }
        let mut shown = String::new();
        let mut total = 0;
        for c in &self.chars[start..] {
            total += width(c);
            if total > room {
                break;
            }
            shown.push(*c);
        }
        let prefix_width = prefix.width();
        let line = Line::from(vec![prefix, Span::styled(shown, Style::default())]);
        frame.render_widget(line, area);
        if focused {
            let x = area.x.saturating_add((prefix_width + used).min(usize::from(area.width) - 1) as u16);
            frame.set_cursor_position(Position::new(x, area.y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_moves_over_characters_not_bytes() {
        let mut input = TextInput::default();
        for c in "ærø".chars() {
            input.insert_char(c);
        }
        input.edit(Action::CursorLeft);
        input.edit(Action::DeleteBack);
        assert_eq!(input.text(), "æø");
        input.edit(Action::CursorEnd);
        input.insert_paste(" hej\r\nmed\tdig\u{1b}[2J");
        assert_eq!(input.text(), "æø hej med    dig");
        input.edit(Action::DeleteWordBack);
        assert_eq!(input.text(), "æø hej med    ");
    }

    #[test]
    fn a_typed_escape_sequence_is_dropped_whole() {
        let mut input = TextInput::default();
        for c in "a\u{1b}[31mRED\u{1b}[0m b\u{1b}]0;PWNED\u{7}c".chars() {
            input.insert_char(c);
        }
        assert_eq!(input.text(), "aRED bc");
        // A sequence left open ends at the next key that is no text.
        input.insert_char('\u{1b}');
        input.insert_char(']');
        input.edit(Action::CursorEnd);
        input.insert_char('d');
        assert_eq!(input.text(), "aRED bcd");
    }
}
