//! The study's mask list (terms people said that identify someone, each
//! with what to write instead) and the matcher that applies it.
//!
//! Matching is by whole words, ignoring case over all of Unicode (both
//! sides lowercased and NFC-normalised), the longest term first ("Mette
//! Hansen" before "Mette"); the words of a term may be apart by any run of
//! spaces, line breaks or hyphens in the text; and the last word may carry
//! a Danish genitive (`Mettes`, `Mette's`, `Jens'`), which is kept after the
//! replacement (`[sagsbehandleren]s`).

pub mod detect;

use super::Id;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;

/// One listed term: for the whole study, or for one case's sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskTerm {
    pub term: String,
    pub replacement: String,
    pub case: Option<Id>,
}

/// The study's mask list, stored as one value; never part of an export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskList {
    pub terms: Vec<MaskTerm>,
    /// Words and detector findings looked at and let be (compared ignoring case).
    pub allowed: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MaskError {
    #[error("a term to mask needs at least one letter or digit, not {0:?}")]
    NoWord(String),
    #[error("the replacement for {0:?} is empty: give what to write instead, e.g. [byen]")]
    EmptyReplacement(String),
    #[error("the replacement {replacement:?} would still say {term:?}: choose one that does not")]
    ReplacementLeaks { term: String, replacement: String },
    #[error("{0:?} is not on the mask list")]
    NotListed(String),
}

impl MaskList {
    /// Adds `term` (or gives an existing one of the same words and case its
    /// new replacement); the term leaves the allow-list if it was on it.
    pub fn add(&mut self, term: &str, replacement: &str, case: Option<Id>) -> Result<(), MaskError> {
        let (term, replacement) = (term.trim(), replacement.trim());
        let words = words_of(term);
        if words.is_empty() {
            return Err(MaskError::NoWord(term.to_string()));
        }
        if replacement.is_empty() {
            return Err(MaskError::EmptyReplacement(term.to_string()));
        }
        let alone = MaskList {
            terms: vec![MaskTerm { term: term.into(), replacement: String::new(), case: None }],
            allowed: vec![],
        };
        // Not the term, nor any word of it ("Mette H." for "Mette Hansen").
        let kept = words_of(replacement).into_iter().any(|w| words.contains(&w));
        if kept || !Masker::new(&alone, None).find(replacement).is_empty() {
            return Err(MaskError::ReplacementLeaks { term: term.into(), replacement: replacement.into() });
        }
        match self.terms.iter_mut().find(|t| t.case == case && words_of(&t.term) == words) {
            Some(existing) => {
                existing.term = term.to_string();
                existing.replacement = replacement.to_string();
            }
            None => self.terms.push(MaskTerm { term: term.into(), replacement: replacement.into(), case }),
        }
        self.allowed.retain(|a| fold(a) != fold(term));
        Ok(())
    }

    /// Removes `term` (matched by its words, ignoring case) for `case`.
    pub fn remove(&mut self, term: &str, case: Option<Id>) -> Result<(), MaskError> {
        let words = words_of(term);
        let before = self.terms.len();
        self.terms.retain(|t| !(t.case == case && words_of(&t.term) == words));
        if self.terms.len() == before {
            return Err(MaskError::NotListed(term.to_string()));
        }
        Ok(())
    }

    /// Lets `word` be: detectors no longer propose it.
    pub fn allow(&mut self, word: &str) {
        let word = word.trim();
        if !word.is_empty() && !self.is_allowed(word) {
            self.allowed.push(word.to_string());
        }
    }

    pub fn is_allowed(&self, word: &str) -> bool {
        let word = fold(word);
        self.allowed.iter().any(|a| fold(a) == word)
    }

    /// Drops a purged case's terms.
    pub fn forget_case(&mut self, case: Id) {
        self.terms.retain(|t| t.case != Some(case));
    }
}

/// Lowercase NFC, the form both sides are compared in.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Folds `word` into `out` (reused, so a long text folds without allocating per word).
fn fold_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else if unicode_normalization::is_nfc_quick(word.chars()) == unicode_normalization::IsNormalized::Yes {
        // Most text is NFC already: normalising it again is most of masking's time.
        out.extend(word.chars().flat_map(char::to_lowercase));
    } else {
        out.extend(word.nfc().flat_map(char::to_lowercase));
    }
}

/// Whether `c` belongs to a word: letters, digits and combining marks.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
    }
}

/// The words of `text`, folded.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty()).map(fold).collect()
}

/// The words of a text (letters, digits, combining marks) with where they are (byte ranges).
pub fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(s..text.len());
    }
    spans
}

/// A term ready to match: its folded words and its replacement.
struct Compiled {
    words: Vec<String>,
    /// What stands between the term's words as listed (`.` and `@` in an address).
    gaps: Vec<String>,
    /// What the term starts with before its first word (the `+` of `+45 …`), taken along when the text has it.
    lead: String,
    /// Listed for one case: it wins over a study-wide term of the same words.
    own_case: bool,
    replacement: String,
    /// The term as listed, for reports.
    term: String,
}

/// Where a listed term (or a form of it) was found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Bytes of the text the term covers, its genitive ending included.
    pub range: Range<usize>,
    /// The term as listed.
    pub term: String,
    pub replacement: String,
    /// The genitive ending found after the term (`s`, `'s`, `'`), kept after the replacement.
    pub ending: String,
}

/// The mask list compiled for one case (its own terms and the study's).
pub struct Masker {
    by_first: HashMap<String, Vec<Compiled>>,
    /// Per first byte of a folded first word, a bit per byte length it may
    /// have (bit 63: longer): most words of a text are ruled out with one
    /// look here, before they are folded and hashed.
    quick: [u64; 256],
}

/// The bit of a word's byte length in `Masker::quick`.
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// The first byte a word's folded form starts with.
fn first_folded_byte(word: &str) -> u8 {
    if let Some(b) = word.bytes().next().filter(u8::is_ascii) {
        return b.to_ascii_lowercase();
    }
    let first = word.chars().next().unwrap_or_default();
    let mut buf = [0u8; 4];
    first.to_lowercase().next().unwrap_or(first).encode_utf8(&mut buf);
    buf[0]
}

const APOSTROPHES: [char; 2] = ['\'', '’'];

impl Masker {
    pub fn new(list: &MaskList, case: Option<Id>) -> Masker {
        let mut by_first: HashMap<String, Vec<Compiled>> = HashMap::new();
        for t in list.terms.iter().filter(|t| t.case.is_none() || t.case == case) {
            let words = words_of(&t.term);
            if let Some(first) = words.first() {
                let spans = word_spans(&t.term);
                let gaps = spans.windows(2).map(|w| t.term[w[0].end..w[1].start].to_string()).collect();
                let lead = t.term[..spans[0].start].trim().to_string();
                let compiled = Compiled {
                    words: words.clone(),
                    gaps,
                    lead,
                    own_case: t.case.is_some(),
                    replacement: t.replacement.clone(),
                    term: t.term.clone(),
                };
                by_first.entry(first.clone()).or_default().push(compiled);
            }
        }
        // Longest first: more words, then more letters.
        for terms in by_first.values_mut() {
            terms.sort_by_key(|t| {
                std::cmp::Reverse((t.words.len(), t.words.iter().map(String::len).sum::<usize>(), t.own_case))
            });
        }
        let mut quick = [0u64; 256];
        for first in by_first.keys() {
            let byte = first_folded_byte(first);
            // The word itself and its genitive (one byte more).
            quick[usize::from(byte)] |= length_bit(first.len()) | length_bit(first.len() + 1);
        }
        Masker { by_first, quick }
    }

    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }

    /// Every listed term in `text`, left to right, none overlapping.
    pub fn find(&self, text: &str) -> Vec<Found> {
        if self.by_first.is_empty() {
            return Vec::new();
        }
        let spans = word_spans(text);
        let mut found = Vec::new();
        let mut word = String::new();
        let mut i = 0;
        while i < spans.len() {
            let raw = &text[spans[i].clone()];
            // An ASCII word's folded length is its own; others may change length when folded.
            let bits = self.quick[usize::from(first_folded_byte(raw))];
            if bits == 0 || (raw.is_ascii() && bits & length_bit(raw.len()) == 0) {
                i += 1;
                continue;
            }
            fold_into(raw, &mut word);
            match self.match_at(text, &spans, &word, i) {
                Some((words, hit)) => {
                    found.push(hit);
                    i += words;
                }
                None => i += 1,
            }
        }
        found
    }

    /// The longest term starting at word `i` (`word`, folded): how many words it takes, and the hit.
    fn match_at(&self, text: &str, spans: &[Range<usize>], word: &str, i: usize) -> Option<(usize, Found)> {
        let exact = self.by_first.get(word);
        let stem = word.strip_suffix('s').and_then(|stem| self.by_first.get(stem));
        if exact.is_none() && stem.is_none() {
            return None;
        }
        let mut candidates: Vec<&Compiled> = exact.into_iter().chain(stem).flatten().collect();
        candidates.sort_by_key(|t| {
            std::cmp::Reverse((t.words.len(), t.words.iter().map(String::len).sum::<usize>(), t.own_case))
        });
        candidates.into_iter().find_map(|t| Self::try_term(text, spans, i, t))
    }

    /// Whether term `t` starts at word `i`: the words it takes, and the hit.
    fn try_term(text: &str, spans: &[Range<usize>], i: usize, t: &Compiled) -> Option<(usize, Found)> {
        let n = t.words.len();
        if i + n > spans.len() {
            return None;
        }
        let mut ending = String::new();
        for (k, want) in t.words.iter().enumerate() {
            let got = &fold(&text[spans[i + k].clone()]);
            if k > 0 {
                // Spaces, line breaks and hyphens stand for each other; other
                // punctuation must be as listed.
                let gap = &text[spans[i + k - 1].end..spans[i + k].start];
                let loose = |g: &str| g.chars().all(|c| c.is_whitespace() || c == '-' || c == '‐');
                if !(gap == t.gaps[k - 1] || (loose(gap) && loose(&t.gaps[k - 1]))) {
                    return None;
                }
            }
            if got == want {
                continue;
            }
            // Only the last word may carry the genitive `s`.
            if k + 1 == n && got.strip_suffix('s') == Some(want.as_str()) {
                ending = text[spans[i + k].clone()].chars().last().map(String::from).unwrap_or_default();
                continue;
            }
            return None;
        }
        let last = &spans[i + n - 1];
        let mut end = last.end;
        let mut taken = n;
        if ending.is_empty() {
            // `Mette's` or `Jens'`: an apostrophe, then an `s` word or nothing.
            let rest = &text[end..];
            if let Some(apostrophe) = rest.chars().next().filter(|c| APOSTROPHES.contains(c)) {
                let after = &rest[apostrophe.len_utf8()..];
                let next = spans.get(i + n).filter(|s| s.start == end + apostrophe.len_utf8());
                match next {
                    Some(s) if fold(&text[s.clone()]) == "s" => {
                        ending = text[end..s.end].to_string();
                        end = s.end;
                        taken += 1;
                    }
                    None if t.words[n - 1].ends_with(['s', 'x', 'z']) && !after.starts_with(is_word_char) => {
                        ending = apostrophe.to_string();
                        end += apostrophe.len_utf8();
                    }
                    _ => {}
                }
            }
        }
        let found = Found {
            range: if !t.lead.is_empty() && text[..spans[i].start].ends_with(t.lead.as_str()) {
                spans[i].start - t.lead.len()..end
            } else {
                spans[i].start..end
            },
            term: t.term.clone(),
            replacement: t.replacement.clone(),
            ending,
        };
        Some((taken, found))
    }

    /// `text` with every listed term replaced; borrowed when nothing is.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let found = self.find(text);
        if found.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in found {
            out.push_str(&text[at..f.range.start]);
            out.push_str(&f.replacement);
            out.push_str(&f.ending);
            at = f.range.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(terms: &[(&str, &str)]) -> MaskList {
        let mut list = MaskList::default();
        for (t, r) in terms {
            list.add(t, r, None).unwrap();
        }
        list
    }

    fn masked(terms: &[(&str, &str)], text: &str) -> String {
        Masker::new(&list(terms), None).mask(text).into_owned()
    }

    #[test]
    fn whole_words_ignoring_case_longest_first() {
        let terms =
            [("Mette", "[sagsbehandleren]"), ("Mette Hansen", "[sagsbehandleren H]"), ("Køge", "[byen]")];
        assert_eq!(
            masked(&terms, "Jeg talte med mette hansen i KØGE."),
            "Jeg talte med [sagsbehandleren H] i [byen]."
        );
        assert_eq!(
            masked(&terms, "Mette sagde nej; Metteline er en anden."),
            "[sagsbehandleren] sagde nej; Metteline er en anden."
        );
        assert_eq!(masked(&terms, "Ingen navne her"), "Ingen navne her");
    }

    #[test]
    fn the_danish_genitive_keeps_its_ending() {
        let terms = [("Mette", "[sagsbehandleren]"), ("Jens", "[manden]"), ("Netto", "[arbejdspladsen]")];
        assert_eq!(masked(&terms, "Mettes kontor"), "[sagsbehandleren]s kontor");
        assert_eq!(masked(&terms, "Mette's kontor"), "[sagsbehandleren]'s kontor");
        assert_eq!(masked(&terms, "Jens' bil og Nettos lager"), "[manden]' bil og [arbejdspladsen]s lager");
        assert_eq!(masked(&terms, "Mettesen"), "Mettesen");
    }

    #[test]
    fn a_term_may_span_a_line_break_or_a_hyphen() {
        let terms = [("Anne Marie Holm", "[kollegaen]")];
        assert_eq!(masked(&terms, "hun hedder Anne\nMarie  Holm, ja"), "hun hedder [kollegaen], ja");
        assert_eq!(masked(&terms, "Anne-Marie Holms mor"), "[kollegaen]s mor");
        assert_eq!(masked(&terms, "Anne, Marie Holm"), "Anne, Marie Holm");
    }

    #[test]
    fn a_term_with_punctuation_is_matched_as_written() {
        let terms =
            [("Mette", "[sagsbehandleren]"), ("mette.h@koege.dk", "[mail]"), ("010203-1234", "[cpr]")];
        assert_eq!(
            masked(&terms, "skriv til mette.h@koege.dk, Mette"),
            "skriv til [mail], [sagsbehandleren]"
        );
        assert_eq!(masked(&terms, "cpr 010203 1234 eller 010203-1234"), "cpr [cpr] eller [cpr]");
        assert_eq!(masked(&terms, "mette.h og koege.dk"), "[sagsbehandleren].h og koege.dk");
    }

    #[test]
    fn a_case_term_wins_over_the_study_term_and_a_lead_sign_is_taken_along() {
        let aa = Id::from_bytes([1; 16]);
        let mut list = MaskList::default();
        list.add("Mette", "[A]", None).unwrap();
        list.add("Mette", "[B]", Some(aa)).unwrap();
        list.add("+45 22 33 44 55", "[tlf]", None).unwrap();
        assert_eq!(
            Masker::new(&list, Some(aa)).mask("Mette ringer fra +45 22 33 44 55"),
            "[B] ringer fra [tlf]"
        );
        assert_eq!(Masker::new(&list, None).mask("Mette: 45 22 33 44 55"), "[A]: [tlf]");
    }

    #[test]
    fn unicode_case_and_composition_do_not_hide_a_name() {
        let terms = [("Ærø", "[øen]"), ("Zoë", "[pigen]")];
        assert_eq!(masked(&terms, "på ÆRØ med zoe\u{308}"), "på [øen] med [pigen]");
    }

    #[test]
    fn case_terms_apply_only_to_their_case() {
        let (aa, bb) = (Id::from_bytes([1; 16]), Id::from_bytes([2; 16]));
        let mut list = MaskList::default();
        list.add("Lise", "[datteren]", Some(aa)).unwrap();
        list.add("Køge", "[byen]", None).unwrap();
        assert_eq!(Masker::new(&list, Some(aa)).mask("Lise i Køge"), "[datteren] i [byen]");
        assert_eq!(Masker::new(&list, Some(bb)).mask("Lise i Køge"), "Lise i [byen]");
        list.forget_case(aa);
        assert_eq!(list.terms.len(), 1);
    }

    #[test]
    fn bad_terms_are_refused_with_the_reason() {
        let mut list = MaskList::default();
        assert_eq!(list.add(" - ", "[x]", None), Err(MaskError::NoWord("-".into())));
        assert!(matches!(list.add("Køge", " ", None), Err(MaskError::EmptyReplacement(_))));
        assert!(matches!(list.add("Køge", "[Køge kommune]", None), Err(MaskError::ReplacementLeaks { .. })));
        assert!(matches!(
            list.add("Mette Hansen", "Mette H.", None),
            Err(MaskError::ReplacementLeaks { .. })
        ));
        list.add("Køge", "[byen]", None).unwrap();
        list.add("KØGE", "[kommunen]", None).unwrap();
        assert_eq!(list.terms.len(), 1, "the same words get the new replacement");
        assert_eq!(list.remove("køge", None), Ok(()));
        assert!(matches!(list.remove("Køge", None), Err(MaskError::NotListed(_))));
    }
}
