//! One transcript line as the live and review screens draw it: the text in
//! its kind's style, wrapped to the room, and a mark as a chip after it in a
//! style of its own, so a mark's word never reads as something said.

use super::wrap::wrap;
use crate::domain::{Utterance, UtteranceKind};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use std::ops::Range;
use unicode_width::UnicodeWidthStr;

/// How a line's mark is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkState {
    /// Still to be looked at in review.
    Open,
    /// Looked at and let go.
    Dismissed,
}

/// A line to draw: the utterance, its mark's state, whether it is saved yet.
pub struct TranscriptLine<'a> {
    pub utterance: &'a Utterance,
    pub mark: Option<MarkState>,
    /// Not yet past the store's fsync: drawn dim until it is.
    pub saved: bool,
}

impl<'a> TranscriptLine<'a> {
    /// A line with its mark drawn as still to be looked at.
    pub fn new(utterance: &'a Utterance) -> Self {
        TranscriptLine { utterance, mark: utterance.mark.as_ref().map(|_| MarkState::Open), saved: true }
    }

    /// The style of the line's text.
    pub fn style(&self) -> Style {
        let style = match self.utterance.kind {
            UtteranceKind::Speech => Style::default(),
            UtteranceKind::Event => Style::default().fg(Color::Yellow).add_modifier(Modifier::ITALIC),
            UtteranceKind::Note => Style::default().fg(Color::Cyan),
            UtteranceKind::Pause => Style::default().add_modifier(Modifier::DIM),
        };
        if self.saved {
            style
        } else {
            style.add_modifier(Modifier::DIM)
        }
    }

    /// The mark as a chip: `★ word` (or `☆` once dismissed).
    fn chip(&self) -> Option<Span<'static>> {
        let mark = self.utterance.mark.as_ref()?;
        let (star, style) = match self.mark? {
            MarkState::Open => ("★", Style::default().fg(Color::Magenta).add_modifier(Modifier::BOLD)),
            MarkState::Dismissed => ("☆", Style::default().fg(Color::Magenta).add_modifier(Modifier::DIM)),
        };
        let text = if mark.word.is_empty() { star.to_string() } else { format!("{star} {}", mark.word) };
        Some(Span::styled(text, style))
    }

    /// The rows of the line in `width` columns, each a list of spans: the
    /// text's rows, with the mark's chip after the last one when it fits
    /// (else on a row of its own).
    pub fn rows(&self, width: usize) -> Vec<Vec<Span<'static>>> {
        self.rows_with(width, None)
    }

    /// The same rows with `chosen` (bytes of the utterance's text) drawn in `over`.
    pub fn rows_choosing(&self, width: usize, chosen: Range<usize>, over: Style) -> Vec<Vec<Span<'static>>> {
        self.rows_with(width, Some((chosen, over)))
    }

    fn rows_with(&self, width: usize, chosen: Option<(Range<usize>, Style)>) -> Vec<Vec<Span<'static>>> {
        let style = self.style();
        let shown = self.utterance.shown();
        let wrapped = wrap(&shown, width);
        // Where the text is in what is shown (after "[", "(note) "…).
        let offset = Some(self.utterance.text.as_str()).filter(|t| !t.is_empty()).and_then(|t| shown.find(t));
        let mut rows: Vec<Vec<Span<'static>>> = match (chosen, offset) {
            (Some((range, over)), Some(offset)) => {
                let range = range.start + offset..range.end + offset;
                split_rows(&shown, wrapped, range, style, style.patch(over))
            }
            _ => wrapped.into_iter().map(|row| vec![Span::styled(row, style)]).collect(),
        };
        if let Some(chip) = self.chip() {
            let last = rows.last_mut().expect("wrap gives at least one row");
            let used: usize = last.iter().map(|s| s.content.width()).sum();
            if used + 2 + chip.content.width() <= width {
                last.push(Span::raw("  "));
                last.push(chip);
            } else {
                rows.push(vec![chip]);
            }
        }
        rows
    }
}

/// Wrapped rows of `shown` with the bytes `range` of it in a style of their own.
fn split_rows(
    shown: &str,
    wrapped: Vec<String>,
    range: Range<usize>,
    style: Style,
    over: Style,
) -> Vec<Vec<Span<'static>>> {
    // Wrapping turns line breaks into spaces and drops the spaces it breaks at:
    // each row is found in the text from where the last one ended.
    let flat = shown.replace('\n', " ");
    let mut at = 0;
    wrapped
        .into_iter()
        .map(|row| {
            let start = flat[at..].find(row.as_str()).map_or(at, |i| at + i);
            let end = (start + row.len()).min(flat.len());
            at = end;
            let (a, b) = (range.start.clamp(start, end), range.end.clamp(start, end));
            let mut spans = Vec::new();
            for (part, style) in [(start..a, style), (a..b, over), (b..end, style)] {
                if !part.is_empty() {
                    spans.push(Span::styled(flat[part].to_string(), style));
                }
            }
            if spans.is_empty() {
                spans.push(Span::styled(row, style));
            }
            spans
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Id, Mark};
    use chrono::DateTime;

    fn line(kind: UtteranceKind, text: &str, mark: Option<&str>) -> Utterance {
        let at = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        Utterance {
            session: Id::new(),
            seq: 1,
            speaker: "AA".into(),
            kind,
            text: text.into(),
            onset: at,
            committed: at,
            elapsed_ms: 0,
            mark: mark.map(|w| Mark { word: w.into(), at }),
            deleted: false,
        }
    }

    fn text(rows: &[Vec<Span>]) -> Vec<String> {
        rows.iter().map(|r| r.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn a_mark_comes_after_the_text_in_a_style_of_its_own() {
        let said = line(UtteranceKind::Speech, "Dårlige tænder", Some("tænder"));
        let rows = TranscriptLine::new(&said).rows(40);
        assert_eq!(text(&rows), vec!["Dårlige tænder  ★ tænder"]);
        assert_ne!(rows[0][0].style, rows[0][2].style);
        let narrow = TranscriptLine::new(&said).rows(16);
        assert_eq!(text(&narrow), vec!["Dårlige tænder", "★ tænder"]);
    }

    #[test]
    fn chosen_words_keep_their_style_across_a_wrap() {
        let said = line(UtteranceKind::Event, "giver Mette Hansen papiret", None);
        let said_text = &said.text;
        let chosen = said_text.find("Mette").unwrap()..said_text.find(" papiret").unwrap();
        let over = Style::default().bg(Color::Yellow);
        let rows = TranscriptLine::new(&said).rows_choosing(13, chosen, over);
        assert_eq!(text(&rows), vec!["[giver Mette", "Hansen", "papiret]"]);
        let chosen: Vec<&str> = rows
            .iter()
            .flatten()
            .filter(|s| s.style.bg == Some(Color::Yellow))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(chosen, ["Mette", "Hansen"]);
    }

    #[test]
    fn pauses_say_their_unit() {
        assert_eq!(line(UtteranceKind::Pause, "8", None).shown(), "(pause 8 s)");
        assert_eq!(line(UtteranceKind::Pause, "1:30", None).shown(), "(pause 1:30)");
        assert_eq!(line(UtteranceKind::Pause, "", None).shown(), "(pause)");
    }
}
