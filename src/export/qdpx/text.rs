//! A session's transcript as a REFI-QDA source text: `LABEL: text` per
//! line, NFC-normalised, `\n` between lines, and where each line's own text
//! lies in it, counted in Unicode code points (see the README's "Positions
//! in a .qdpx" for why these three choices).

use crate::domain::{Utterance, UtteranceKind};
use unicode_normalization::UnicodeNormalization;

/// The source text and, per line, seq → (start, end) of the line's own text.
pub struct SourceText {
    pub text: String,
    pub spans: Vec<(u32, usize, usize)>,
}

impl SourceText {
    /// Where lines `first..=last` lie: from the first present line's text to
    /// the last one's end; `None` when no line of the span is in the text.
    pub fn span(&self, first: u32, last: u32) -> Option<(usize, usize)> {
        let start = self.spans.iter().find(|(seq, _, _)| *seq >= first).map(|(_, s, _)| *s)?;
        let end = self.spans.iter().rev().find(|(seq, _, _)| *seq <= last).map(|(_, _, e)| *e)?;
        (start <= end).then_some((start, end))
    }
}

/// NFC, so a reader that normalises the text counts the same code points.
fn nfc(text: &str) -> String {
    // Nearly all text is NFC already, and the quick check is far cheaper than normalising.
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes {
        text.to_string()
    } else {
        text.nfc().collect()
    }
}

/// What a line reads as in the source: the lead (speaker) and its own text.
fn parts(line: &Utterance) -> (String, String) {
    match line.kind {
        UtteranceKind::Speech => (format!("{}: ", line.speaker), line.text.clone()),
        UtteranceKind::Event => (format!("{}: ", line.speaker), format!("[{}]", line.text)),
        UtteranceKind::Note => ("(note) ".to_string(), line.text.clone()),
        UtteranceKind::Pause => (String::new(), format!("(pause {})", line.text).replace(" )", ")")),
    }
}

pub fn source_text(lines: &[Utterance]) -> SourceText {
    let mut text = String::new();
    let mut at = 0usize;
    let mut spans = Vec::new();
    for line in lines.iter().filter(|l| !l.deleted) {
        let (lead, body) = parts(line);
        // A carriage return would count as a character here and as part of a
        // line ending in a reader that takes `\r\n` as one: none is written.
        let (lead, body) = (nfc(&lead), nfc(&body.replace('\r', "")));
        text.push_str(&lead);
        at += lead.chars().count();
        let length = body.chars().count();
        spans.push((line.seq, at, at + length));
        text.push_str(&body);
        text.push('\n');
        at += length + 1;
    }
    SourceText { text, spans }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Id;
    use chrono::DateTime;
    use proptest::prelude::*;
    use unicode_normalization::is_nfc;

    pub(crate) fn line(seq: u32, speaker: &str, text: &str) -> Utterance {
        let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        Utterance {
            session: Id::from_bytes([1; 16]),
            seq,
            speaker: speaker.into(),
            kind: UtteranceKind::Speech,
            text: text.into(),
            onset: t,
            committed: t,
            elapsed_ms: 0,
            mark: None,
            deleted: false,
        }
    }

    fn selected(source: &SourceText, start: usize, end: usize) -> String {
        source.text.chars().skip(start).take(end - start).collect()
    }

    #[test]
    fn positions_count_code_points_and_select_exactly_the_lines_text() {
        let lines = [
            line(1, "I", "Hvor står du nu?"),
            line(2, "AA", "Dårlige tænder 👨‍👩‍👧 og én ting"),
            line(3, "I", "Og så?"),
        ];
        let source = source_text(&lines);
        for (seq, start, end) in &source.spans {
            assert_eq!(selected(&source, *start, *end), lines[*seq as usize - 1].text, "line {seq}");
        }
        assert_eq!(
            source.span(2, 3).map(|(s, e)| selected(&source, s, e)).unwrap(),
            "Dårlige tænder 👨‍👩‍👧 og én ting\nI: Og så?"
        );
    }

    #[test]
    fn a_combining_accent_is_composed_so_normalising_readers_count_the_same() {
        let source = source_text(&[line(1, "AA", "e\u{301}n cafe\u{301}"), line(2, "I", "ja")]);
        assert!(source.text.starts_with("AA: én café\n"), "{:?}", source.text);
        let (start, end) = source.span(2, 2).unwrap();
        assert_eq!(selected(&source, start, end), "ja");
    }

    proptest! {
        #[test]
        fn every_span_selects_its_line_normalised(texts in proptest::collection::vec("(\\PC|\r|\n){0,12}", 1..6)) {
            let lines: Vec<Utterance> =
                texts.iter().enumerate().map(|(i, t)| line(i as u32 + 1, "AA", t)).collect();
            let source = source_text(&lines);
            prop_assert!(is_nfc(&source.text));
            prop_assert!(!source.text.contains('\r'));
            for (seq, start, end) in &source.spans {
                let want: String = lines[*seq as usize - 1].text.replace('\r', "").nfc().collect();
                prop_assert_eq!(selected(&source, *start, *end), want);
            }
        }
    }
}
