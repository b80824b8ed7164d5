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

/// Appends `text` in NFC to `out`, so a reader that normalises the text
/// counts the same code points; gives back how many code points it added.
fn push_nfc(out: &mut String, text: &str) -> usize {
    let start = out.len();
    // Nearly all text is NFC already, and the checks are far cheaper than normalising.
    if text.is_ascii() {
        out.push_str(text);
        return text.len();
    }
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes {
        out.push_str(text);
    } else {
        out.extend(text.nfc());
    }
    out[start..].chars().count()
}

/// What a line reads as in the source: the lead (speaker) and its own text.
/// (Written straight into the source for speech, events and notes; see `source_text`.)
fn parts(line: &Utterance) -> (String, String) {
    match line.kind {
        UtteranceKind::Speech => (format!("{}: ", line.speaker), line.text.clone()),
        UtteranceKind::Event => (format!("{}: ", line.speaker), format!("[{}]", line.text)),
        UtteranceKind::Note => ("(note) ".to_string(), line.text.clone()),
        UtteranceKind::Pause => (String::new(), format!("(pause {})", line.text).replace(" )", ")")),
    }
}

/// A line's own text without carriage returns: a carriage return would
/// count as a character here and as part of a line ending in a reader that
/// takes `\r\n` as one, so none is written.
fn without_cr(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace('\r', "").into()
    } else {
        text.into()
    }
}

pub fn source_text(lines: &[Utterance]) -> SourceText {
    let mut text = String::with_capacity(lines.iter().map(|l| l.speaker.len() + l.text.len() + 4).sum());
    let mut at = 0usize;
    let mut spans = Vec::with_capacity(lines.len());
    for line in lines.iter().filter(|l| !l.deleted) {
        // NFC of `speaker: ` is NFC of the speaker then `: `, and NFC of
        // `[text]` is `[`, NFC of the text, `]`: brackets and colons never
        // compose with what stands beside them.
        let length = match line.kind {
            UtteranceKind::Speech | UtteranceKind::Event => {
                at += push_nfc(&mut text, &line.speaker) + 2;
                text.push_str(": ");
                let event = line.kind == UtteranceKind::Event;
                if event {
                    text.push('[');
                }
                let length = push_nfc(&mut text, &without_cr(&line.text));
                if event {
                    text.push(']');
                }
                length + 2 * usize::from(event)
            }
            UtteranceKind::Note => {
                text.push_str("(note) ");
                at += 7;
                push_nfc(&mut text, &without_cr(&line.text))
            }
            UtteranceKind::Pause => {
                let (lead, body) = parts(line);
                at += push_nfc(&mut text, &lead);
                push_nfc(&mut text, &without_cr(&body))
            }
        };
        spans.push((line.seq, at, at + length));
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

    /// The source text as it was first written: each line's lead and text
    /// made whole, then normalised.
    fn written_whole(lines: &[Utterance]) -> (String, Vec<(u32, usize, usize)>) {
        let (mut text, mut at, mut spans) = (String::new(), 0, Vec::new());
        for line in lines.iter().filter(|l| !l.deleted) {
            let (lead, body) = parts(line);
            let (lead, body): (String, String) =
                (lead.nfc().collect(), body.replace('\r', "").nfc().collect());
            text.push_str(&lead);
            at += lead.chars().count();
            let length = body.chars().count();
            spans.push((line.seq, at, at + length));
            text.push_str(&body);
            text.push('\n');
            at += length + 1;
        }
        (text, spans)
    }

    proptest! {
        #[test]
        fn written_straight_in_it_is_the_text_made_whole_then_normalised(
            said in proptest::collection::vec(("(\\PC|\r|\u{301}|\u{308}){0,3}", "(\\PC|\r|\n|\u{301}|\u{308}|\\)|\\(| ){0,10}", 0..4usize), 1..8)
        ) {
            let kinds = [UtteranceKind::Speech, UtteranceKind::Event, UtteranceKind::Note, UtteranceKind::Pause];
            let lines: Vec<Utterance> = said
                .iter()
                .enumerate()
                .map(|(i, (speaker, text, kind))| Utterance { kind: kinds[*kind], ..line(i as u32 + 1, speaker, text) })
                .collect();
            let source = source_text(&lines);
            let (text, spans) = written_whole(&lines);
            prop_assert_eq!(source.text, text);
            prop_assert_eq!(source.spans, spans);
        }

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
