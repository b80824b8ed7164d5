//! Masking from review: choose words of the cursor's line, say what to
//! write instead (the term goes on the study's mask list), and read the
//! session masked as exports show it.

use super::{Mode, ReviewState};
use crate::domain::mask::detect;
use crate::domain::{Mark, MaskList, Masker, Utterance, UtteranceKind};
use crate::store::Change;
use crate::tui::screens::{Effect, Input, Receipt};
use crate::tui::widgets::mask_question::{MaskQuestion, Masked};
use crate::tui::widgets::word_picker::{Picked, WordPicker};
use ratatui::style::{Color, Style};
use ratatui::text::Span;
use std::borrow::Cow;

impl ReviewState {
    /// The study's mask list as it now is (the app hands it over at opening and after changes).
    pub fn set_masks(&mut self, list: MaskList) {
        self.masker = Masker::new(&list, Some(self.session.case_id));
        self.masks = list;
    }

    pub fn set_masked(&mut self, on: bool) {
        self.masked = on;
    }

    /// Whether the open question is what to write instead of a term.
    pub fn asks_mask(&self) -> bool {
        matches!(self.mode, Mode::Masking(_))
    }

    pub(super) fn toggle_masked(&mut self) -> Effect {
        self.masked = !self.masked;
        self.status = match self.masked {
            true => "Masked view: every term on the mask list shows as what is written instead.".into(),
            false => "The text as it was said.".into(),
        };
        Effect::MaskedView(self.masked)
    }

    /// Starts choosing words of the cursor's line, on the first a detector would propose.
    pub(super) fn start_picking(&mut self) {
        let Some(line) = self.lines.get(self.cursor) else {
            self.status = "This session has no lines yet.".into();
            return;
        };
        if line.kind == UtteranceKind::Pause {
            self.status = "A pause has no words to mask.".into();
            return;
        }
        let near =
            detect::findings(&line.text, &self.masks, &self.masker).first().map_or(0, |f| f.range.start);
        match WordPicker::new(self.cursor, &line.text, near) {
            Some(picker) => {
                self.status = format!("Which words of line {} to mask?", line.seq);
                self.mode = Mode::Picking(picker);
            }
            None => self.status = "This line has no words to mask.".into(),
        }
    }

    pub(super) fn pick(&mut self, mut picker: WordPicker, input: Input) -> Effect {
        let Input::Action(action) = input else {
            self.mode = Mode::Picking(picker);
            return Effect::None;
        };
        match picker.update(action) {
            Picked::Picking => self.mode = Mode::Picking(picker),
            Picked::Cancelled => self.status = "Nothing was masked.".into(),
            Picked::Chosen(range) => {
                let text = &self.lines[picker.line].text;
                let question =
                    MaskQuestion::new(&text[range.clone()], self.session.case_id, &self.case, &self.masks)
                        .seen_in(text, range);
                self.status.clear();
                self.mode = Mode::Masking(Box::new(question));
            }
        }
        Effect::None
    }

    pub(super) fn ask_mask(&mut self, question: MaskQuestion, input: Input) -> Effect {
        match question.update(input, &self.masks) {
            (Some(question), _) => self.mode = Mode::Masking(Box::new(question)),
            (None, Some(Masked { list, said })) => {
                self.set_masks(list.clone());
                self.status = "Saving the mask list…".into();
                return Effect::save(vec![Change::MaskList(list)], Receipt::MaskList(said));
            }
            (None, None) => self.status = "Nothing was masked.".into(),
        }
        Effect::None
    }

    /// `text` as this screen shows it: masked in the masked view.
    pub(super) fn shown<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.masked {
            true => self.masker.mask(text),
            false => Cow::Borrowed(text),
        }
    }

    /// The rows of line `i` in `width` columns: the words being chosen
    /// marked on it (always the text as said), else masked in the masked view.
    pub(super) fn rows_of(&self, i: usize, width: usize) -> Vec<Vec<Span<'static>>> {
        let line = &self.lines[i];
        let chosen = match &self.mode {
            Mode::Picking(picker) if picker.line == i => Some(picker.chosen()),
            Mode::Masking(question) if i == self.cursor => question.seen().cloned(),
            _ => None,
        };
        if let Some(range) = chosen {
            let over = Style::default().fg(Color::Black).bg(Color::Yellow);
            return self.line(line).rows_choosing(width, range, over);
        }
        if !self.masked || self.masker.is_empty() {
            return self.line(line).rows(width);
        }
        let masked = Utterance {
            text: self.masker.mask(&line.text).into_owned(),
            mark: line
                .mark
                .as_ref()
                .map(|m| Mark { word: self.masker.mask(&m.word).into_owned(), ..m.clone() }),
            ..line.clone()
        };
        self.line(&masked).rows(width)
    }
}
