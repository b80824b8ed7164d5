//! The one-line question every screen asks the same way: Enter answers, Esc
//! cancels, a refused answer stays to be mended with the reason under it,
//! and the hint under it names what Enter does here.

use crate::keymap::{Action, Keymap, Table};
use crate::tui::screens::{hints, Input};
use crate::tui::widgets::input::TextInput;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// What a key or a paste did to the question.
pub enum Reply {
    Given(String),
    Cancelled,
    Typing,
}

/// A question being answered; `T` says which question, for the screen.
pub struct Prompt<T> {
    pub asking: T,
    label: String,
    /// What Enter does, for the hint: "add", "export", "filter"…
    verb: &'static str,
    /// How to write the answer, shown under it: "kind; start; end; provider; outcome".
    form: Option<&'static str>,
    text: TextInput,
    refused: Option<String>,
    /// Keys of this question beyond Enter and Esc, for the hint.
    keys: Vec<(Action, &'static str)>,
}

impl<T: Copy> Prompt<T> {
    pub fn new(asking: T, label: impl Into<String>, verb: &'static str) -> Self {
        Prompt {
            asking,
            label: label.into(),
            verb,
            form: None,
            text: TextInput::default(),
            refused: None,
            keys: Vec::new(),
        }
    }

    /// The same question with how to write the answer under it, so the
    /// label stays short and the answer has the row.
    pub fn with_form(mut self, form: &'static str) -> Self {
        self.form = Some(form);
        self
    }

    /// The same question, starting from text to edit.
    pub fn with_text(mut self, text: &str) -> Self {
        self.text = TextInput::with_text(text);
        self
    }

    /// The same question with one more key named in its hint.
    pub fn with_key(mut self, action: Action, label: &'static str) -> Self {
        self.keys.push((action, label));
        self
    }

    /// Says the question anew (what it asks has changed), keeping the answer typed.
    pub fn set_label(&mut self, label: impl Into<String>) {
        self.label = label.into();
    }

    pub fn text(&self) -> String {
        self.text.text()
    }

    pub fn update(&mut self, input: Input) -> Reply {
        match input {
            Input::Action(Action::Confirm) => return Reply::Given(self.text.text()),
            Input::Action(Action::Back) => return Reply::Cancelled,
            Input::Char(c) => self.text.insert_char(c),
            Input::Paste(p) => self.text.insert_paste(&p),
            Input::Action(action) => {
                self.text.edit(action);
            }
        }
        self.refused = None;
        Reply::Typing
    }

    /// The answer was refused: it stays, with the reason, to be mended.
    pub fn refuse(&mut self, reason: impl Into<String>) {
        self.refused = Some(reason.into());
    }

    /// Draws the question in `row` and, in `below`, why the last answer was
    /// refused or what Enter and Esc do.
    pub fn render(&self, frame: &mut Frame, row: Rect, below: Rect, keys: &Keymap) {
        self.text.render(frame, row, Span::raw(self.label.clone()).bold(), true);
        // Both wrap over the rows below, so a long reason is read whole.
        let paragraph = match &self.refused {
            Some(reason) => Paragraph::new(reason.clone()).yellow().bold(),
            None => Paragraph::new(self.hint(keys)).dim(),
        };
        frame.render_widget(paragraph.wrap(Wrap { trim: true }), below);
    }

    /// How many rows what goes under the question needs in `width` columns (1 to 3).
    pub fn rows_below(&self, keys: &Keymap, width: usize) -> u16 {
        let text = match &self.refused {
            Some(reason) => reason.clone(),
            None => self.hint(keys),
        };
        (super::wrap::wrap(&text, width.max(1)).len() as u16).clamp(1, 3)
    }

    /// "kind; start; … · enter add · esc cancel", from the active keymap.
    pub fn hint(&self, keys: &Keymap) -> String {
        let mut named = vec![(Action::Confirm, self.verb)];
        named.extend(self.keys.iter().copied());
        named.push((Action::Back, "cancel"));
        let keys = hints(keys, Table::Prompt, &named);
        match self.form {
            Some(form) => format!("{form} · {keys}"),
            None => keys,
        }
    }
}

/// The two bottom rows of a screen that asks questions: the open question
/// and its hint, or else the screen's last message and its key hints.
/// Key hints (`a add case · s start session`) as rows of `width`, broken
/// between hints, never inside one ("m contact" stays whole).
pub fn hint_lines(hints: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for hint in hints.split(" · ").filter(|h| !h.is_empty()) {
        let joined = if row.is_empty() { hint.to_string() } else { format!("{row} · {hint}") };
        if unicode_width::UnicodeWidthStr::width(joined.as_str()) <= width || row.is_empty() {
            row = joined;
        } else {
            rows.push(std::mem::take(&mut row));
            row = hint.to_string();
        }
    }
    rows.push(row);
    // A hint wider than the row on its own still wraps.
    rows.iter().flat_map(|r| super::wrap::wrap(r, width)).collect()
}

pub fn bottom<T: Copy>(
    frame: &mut Frame,
    [row, below]: [Rect; 2],
    keys: &Keymap,
    asking: Option<&Prompt<T>>,
    message: Option<&str>,
    hints: String,
) {
    if let Some(prompt) = asking {
        return prompt.render(frame, row, below, keys);
    }
    let rows = message.map(|m| super::wrap::wrap(m, usize::from(row.width).max(1)));
    match rows {
        // A message too long for its row takes the hints' rows too: it is read once, whole.
        Some(rows) if rows.len() > 1 => {
            let lines: Vec<Line> = rows.into_iter().map(Line::from).collect();
            let both = Rect { height: row.height + below.height, ..row };
            frame.render_widget(Paragraph::new(lines).yellow(), both);
        }
        Some(rows) => {
            frame.render_widget(Line::from(rows.concat()).yellow(), row);
            render_hints(frame, &hints, below);
        }
        None => render_hints(frame, &hints, below),
    }
}

/// Feeds `input` to a question taken out of its screen; on Enter, `answer`
/// either takes the text (the question closes) or refuses it with a reason
/// (the question stays, text and all). Returns the question if it is still
/// open, and what the answer gave.
pub fn ask<T: Copy, E>(
    mut prompt: Prompt<T>,
    input: Input,
    answer: impl FnOnce(T, &str) -> Result<E, String>,
) -> (Option<Prompt<T>>, Option<E>) {
    match prompt.update(input) {
        Reply::Typing => (Some(prompt), None),
        Reply::Cancelled => (None, None),
        Reply::Given(text) => match answer(prompt.asking, &text) {
            Ok(done) => (None, Some(done)),
            Err(reason) => {
                prompt.refuse(reason);
                (Some(prompt), None)
            }
        },
    }
}

fn render_hints(frame: &mut Frame, hints: &str, area: Rect) {
    let lines: Vec<Line> = hint_lines(hints, usize::from(area.width)).into_iter().map(Line::from).collect();
    frame.render_widget(Paragraph::new(lines).dim(), area);
}

#[cfg(test)]
mod hint_tests {
    use super::hint_lines;

    #[test]
    fn hints_break_between_hints_never_inside_one() {
        let hints = "tab section · enter open · m contact · b brief · esc back";
        assert_eq!(hint_lines(hints, 30), ["tab section · enter open", "m contact · b brief · esc back"]);
        assert_eq!(hint_lines(hints, 80), [hints]);
        assert_eq!(hint_lines("a very long hint", 6), ["a", "very", "long", "hint"]);
    }
}
