//! Choosing words of one line: the choice moves a word at a time and grows
//! (or shrinks) by the next word, so a name of two words is one term.

use crate::domain::mask::word_spans;
use crate::keymap::Action;
use std::ops::Range;

/// The words of a line and which of them are chosen (from `first` to `last`).
pub struct WordPicker {
    /// The line's index in its screen.
    pub line: usize,
    words: Vec<Range<usize>>,
    first: usize,
    last: usize,
}

/// What a key did to the choice.
pub enum Picked {
    Picking,
    Cancelled,
    /// These bytes of the line are chosen.
    Chosen(Range<usize>),
}

impl WordPicker {
    /// Picks in `text` (the line at `line`), starting on the word at byte
    /// `near` or the first after it; `None` when the text has no words.
    pub fn new(line: usize, text: &str, near: usize) -> Option<WordPicker> {
        let words = word_spans(text);
        let at = words.iter().position(|w| w.end > near).unwrap_or(0);
        (!words.is_empty()).then_some(WordPicker { line, words, first: at, last: at })
    }

    /// The chosen bytes of the line.
    pub fn chosen(&self) -> Range<usize> {
        self.words[self.first].start..self.words[self.last].end
    }

    pub fn update(&mut self, action: Action) -> Picked {
        let last_word = self.words.len() - 1;
        match action {
            Action::SelectLeft => {
                self.first = self.first.saturating_sub(1);
                self.last = self.first;
            }
            Action::SelectRight => {
                self.first = (self.last + 1).min(last_word);
                self.last = self.first;
            }
            Action::ExtendChoice => self.last = (self.last + 1).min(last_word),
            Action::ShrinkChoice => self.last = self.last.saturating_sub(1).max(self.first),
            Action::Confirm => return Picked::Chosen(self.chosen()),
            Action::Back => return Picked::Cancelled,
            _ => {}
        }
        Picked::Picking
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_moves_by_words_and_grows_by_the_next() {
        let text = "Jeg talte med Mette Hansen i Køge.";
        let mut picker = WordPicker::new(0, text, text.find("Mette").unwrap()).unwrap();
        assert_eq!(&text[picker.chosen()], "Mette");
        picker.update(Action::ExtendChoice);
        assert_eq!(&text[picker.chosen()], "Mette Hansen");
        picker.update(Action::ShrinkChoice);
        picker.update(Action::ShrinkChoice);
        assert_eq!(&text[picker.chosen()], "Mette");
        for _ in 0..5 {
            picker.update(Action::SelectRight);
        }
        assert_eq!(&text[picker.chosen()], "Køge", "the last word is as far as it goes");
        picker.update(Action::SelectLeft);
        assert_eq!(&text[picker.chosen()], "i");
        assert!(WordPicker::new(0, " … ", 0).is_none());
    }
}
