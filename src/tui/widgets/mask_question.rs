//! The question every masking asks the same way: what to write instead of a
//! term, prefilled when the term is already listed (for this case, the study
//! or another case), for the whole study or for this case only (a key in the
//! question switches), with the mask list's own refusal under it.

use crate::domain::mask::fold;
use crate::domain::{Id, MaskList, Masker};
use crate::keymap::{Action, Keymap};
use crate::tui::screens::Input;
use crate::tui::widgets::prompt::{ask, Prompt};
use ratatui::layout::Rect;
use ratatui::Frame;
use std::ops::Range;

/// Where a term is masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Study,
    Case,
}

/// A term on its way to the mask list.
pub struct MaskQuestion {
    about: Term,
    prompt: Prompt<Scope>,
}

/// What is asked about.
struct Term {
    term: String,
    case: Id,
    case_code: String,
    /// A text the term was chosen in and where: the new list must mask it there.
    seen: Option<(String, Range<usize>)>,
}

/// The answer: the list with the term on it, and what to say once it is saved.
pub struct Masked {
    pub list: MaskList,
    pub said: String,
}

impl MaskQuestion {
    /// Asks for `term` of a line in case `case` (`case_code` names it).
    pub fn new(term: &str, case: Id, case_code: &str, list: &MaskList) -> Self {
        let term = term.trim().to_string();
        let same = |listed: &str| words(listed) == words(&term);
        let listed = |want: Option<Id>| {
            list.terms.iter().find(|t| t.case == want && same(&t.term)).map(|t| &t.replacement)
        };
        let elsewhere = list.terms.iter().find(|t| t.case.is_some() && same(&t.term));
        let (scope, prefill) = match (listed(Some(case)), listed(None), elsewhere) {
            (Some(r), _, _) => (Scope::Case, r.clone()),
            (None, Some(r), _) => (Scope::Study, r.clone()),
            // Listed for another case: most likely someone of this case too, so this case only.
            (None, None, Some(t)) => (Scope::Case, t.replacement.clone()),
            (None, None, None) => (Scope::Study, String::new()),
        };
        let label = label(&term, scope, case_code);
        let prompt = Prompt::new(scope, label, "mask")
            .with_key(Action::MaskScope, "study / this case")
            .with_text(&prefill);
        MaskQuestion { about: Term { term, case, case_code: case_code.to_string(), seen: None }, prompt }
    }

    /// The same question, refusing a list that would not mask `range` of `text`.
    pub fn seen_in(mut self, text: &str, range: Range<usize>) -> Self {
        self.about.seen = Some((text.to_string(), range));
        self
    }

    pub fn term(&self) -> &str {
        &self.about.term
    }

    /// Where the term was chosen in its text.
    pub fn seen(&self) -> Option<&Range<usize>> {
        self.about.seen.as_ref().map(|(_, range)| range)
    }

    pub fn prompt(&self) -> &Prompt<Scope> {
        &self.prompt
    }

    /// Takes a key; returns the question if it is still open, and the new list once answered.
    pub fn update(mut self, input: Input, list: &MaskList) -> (Option<MaskQuestion>, Option<Masked>) {
        if input == Input::Action(Action::MaskScope) {
            let scope = match self.prompt.asking {
                Scope::Study => Scope::Case,
                Scope::Case => Scope::Study,
            };
            self.prompt.asking = scope;
            self.prompt.set_label(label(&self.about.term, scope, &self.about.case_code));
            return (Some(self), None);
        }
        let MaskQuestion { about, prompt } = self;
        let (prompt, done) = ask(prompt, input, |scope, text| answer(&about, scope, text, list));
        (prompt.map(|prompt| MaskQuestion { about, prompt }), done)
    }

    pub fn render(&self, frame: &mut Frame, row: Rect, below: Rect, keys: &Keymap) {
        self.prompt.render(frame, row, below, keys);
    }
}

/// The list with the term on it, or the one sentence saying why not.
fn answer(q: &Term, scope: Scope, replacement: &str, list: &MaskList) -> Result<Masked, String> {
    let case = match scope {
        Scope::Study => None,
        Scope::Case => Some(q.case),
    };
    let mut new = list.clone();
    new.add(&q.term, replacement, case).map_err(|e| sentence(&e.to_string()))?;
    if let Some((text, range)) = &q.seen {
        if !masks_whole(&Masker::new(&new, Some(q.case)), text, range.clone()) {
            return Err(format!("\"{}\" would not be masked where it was said: choose whole words.", q.term));
        }
    }
    let whose = match scope {
        Scope::Study => "in the whole study".to_string(),
        Scope::Case => format!("in case {} only", q.case_code),
    };
    let said = format!("\"{}\" is masked as {} {whose}.", q.term, replacement.trim());
    Ok(Masked { list: new, said })
}

fn label(term: &str, scope: Scope, case_code: &str) -> String {
    let shown: String = if term.chars().count() > 24 {
        term.chars().take(23).chain(['…']).collect()
    } else {
        term.to_string()
    };
    match scope {
        Scope::Study => format!("Mask \"{shown}\" (whole study) as: "),
        Scope::Case => format!("Mask \"{shown}\" (case {case_code} only) as: "),
    }
}

/// An error's words as a sentence on the screen: capital first, full stop last.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// The words of a term as the mask list compares them.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty()).map(fold).collect()
}

/// Whether `masker` masks all of the words in `range` of `text`.
pub fn masks_whole(masker: &Masker, text: &str, range: Range<usize>) -> bool {
    let range = words_only(text, range);
    masker.find(text).iter().any(|f| f.range.start <= range.start && range.end <= f.range.end)
}

/// `range` of `text` without what is no word at either end (`+` before a phone number).
fn words_only(text: &str, range: Range<usize>) -> Range<usize> {
    let part = &text[range.clone()];
    let start = range.start + (part.len() - part.trim_start_matches(|c| !is_word_char(c)).len());
    let end = range.end - (part.len() - part.trim_end_matches(|c| !is_word_char(c)).len());
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(q: MaskQuestion, text: &str, list: &MaskList) -> Result<Masked, String> {
        answer(&q.about, q.prompt.asking, text, list)
    }

    #[test]
    fn a_listed_term_is_asked_with_its_replacement_and_scope() {
        let (aa, bb) = (Id::from_bytes([1; 16]), Id::from_bytes([2; 16]));
        let mut list = MaskList::default();
        list.add("Lise", "[datteren]", Some(bb)).unwrap();
        list.add("Køge", "[byen]", None).unwrap();
        let q = MaskQuestion::new("lise", aa, "AA", &list);
        assert_eq!((q.prompt.asking, q.prompt.text()), (Scope::Case, "[datteren]".to_string()));
        let q = MaskQuestion::new("KØGE", aa, "AA", &list);
        assert_eq!((q.prompt.asking, q.prompt.text()), (Scope::Study, "[byen]".to_string()));
        let q = MaskQuestion::new("Mette", aa, "AA", &list);
        assert_eq!((q.prompt.asking, q.prompt.text()), (Scope::Study, String::new()));
    }

    #[test]
    fn a_refusal_is_one_sentence_and_the_list_is_left_alone() {
        let list = MaskList::default();
        let q = MaskQuestion::new("Mette", Id::from_bytes([1; 16]), "AA", &list);
        let refused = given(q, "[Mette K.]", &list).err().unwrap();
        assert!(refused.starts_with("The replacement \"[Mette K.]\" would still say \"Mette\""), "{refused}");
        assert!(refused.ends_with('.'));
        assert!(list.terms.is_empty());
    }

    #[test]
    fn words_with_punctuation_between_them_are_masked_as_written() {
        let list = MaskList::default();
        let text = "Mette, Hansen sagde";
        let q = MaskQuestion::new("Mette, Hansen", Id::from_bytes([1; 16]), "AA", &list).seen_in(text, 0..13);
        assert!(given(q, "[hende]", &list).is_ok());
        let q = MaskQuestion::new("ette, Hans", Id::from_bytes([1; 16]), "AA", &list).seen_in(text, 1..11);
        assert!(given(q, "[hende]", &list).is_err(), "parts of words are not masked");
        let q = MaskQuestion::new("+45 22 33 44 55", Id::from_bytes([1; 16]), "AA", &list)
            .seen_in("ring +45 22 33 44 55", 5..20);
        assert!(given(q, "[telefon]", &list).is_ok(), "the + is no word");
    }
}
