//! Drawing review's transcript: lines wrapped under their number, time and
//! speaker, the cursor and the selection over them, the line being played,
//! and narratives as brackets in lanes in the margin.

use super::{ReviewState, LANES};
use crate::domain::clock::format_duration_ms;
use crate::domain::{Narrative, Utterance};
use crate::tui::widgets::transcript::{MarkState, TranscriptLine};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::Frame;

impl ReviewState {
    /// Lanes for the margin: each narrative gets the first lane free at its start.
    fn lanes(&self) -> Vec<(usize, &Narrative)> {
        let mut ends: Vec<u32> = Vec::new();
        let mut placed = Vec::new();
        for n in &self.narratives {
            let lane = match ends.iter().position(|end| *end < n.first_seq) {
                Some(lane) => lane,
                None => {
                    ends.push(0);
                    ends.len() - 1
                }
            };
            ends[lane] = n.last_seq;
            placed.push((lane, n));
        }
        placed
    }

    pub(super) fn render_lines(&self, frame: &mut Frame, area: Rect) {
        let height = usize::from(area.height);
        let width = usize::from(area.width);
        self.page.set(height.saturating_sub(1).max(1));
        if height == 0 || width == 0 || self.lines.is_empty() {
            if self.lines.is_empty() && height > 0 {
                frame.render_widget(Line::from(" This session has no lines yet.").dim(), area);
            }
            return;
        }
        let lanes = self.lanes();
        let lane_count = lanes.iter().map(|(l, _)| l + 1).max().unwrap_or(0).min(LANES);
        let show_time = width >= 60;
        let prefix_width = lane_count * 2 + 5 + if show_time { 9 } else { 0 } + 7;
        let text_width = width.saturating_sub(prefix_width).max(1);
        // Scroll so the cursor's line is in view, moving the top as little as
        // possible: the lowest top that still shows the cursor is found by
        // walking back from the cursor one screen's worth, never the whole session.
        let mut lowest = self.cursor;
        let mut used = 0;
        for i in (0..=self.cursor).rev() {
            used += self.rows_of(i, text_width).len();
            if used > height {
                break;
            }
            lowest = i;
        }
        let top = self.top.get().min(self.cursor).max(lowest);
        self.top.set(top);
        let (from, to) = self.span();
        let playing = self.playing_index();
        let mut rows: Vec<Line> = Vec::with_capacity(height);
        for (i, line) in self.lines.iter().enumerate().skip(top) {
            if rows.len() >= height {
                break;
            }
            let wrapped = self.rows_of(i, text_width);
            let count = wrapped.len();
            // The selection and the cursor show on the text, over its kind's style.
            let mut over = Style::default();
            if self.anchor.is_some() && (from..=to).contains(&i) {
                over = over.bg(Color::Blue).fg(Color::White);
            }
            if i == self.cursor {
                over = over.add_modifier(Modifier::REVERSED);
            }
            for (r, row) in wrapped.into_iter().enumerate() {
                let mut spans = vec![Span::styled(
                    self.margin(&lanes, lane_count, line.seq, r, count),
                    Style::default().fg(Color::Cyan),
                )];
                let lead = if r == 0 {
                    let time = if show_time {
                        format!("{} ", format_duration_ms(line.elapsed_ms))
                    } else {
                        String::new()
                    };
                    format!("{:>4} {time}{:<6} ", line.seq, line.speaker)
                } else {
                    " ".repeat(prefix_width - lane_count * 2)
                };
                if playing == Some(i) && r == 0 {
                    // The line being played: its number on green, a ▶ before it.
                    let number = format!("▶{}", line.seq);
                    spans.push(Span::raw(format!("{number:>4}")).black().on_green());
                    spans.push(Span::raw(lead[4..].to_string()).dim());
                } else {
                    spans.push(Span::raw(lead).dim());
                }
                spans.extend(row.into_iter().map(|span| {
                    let style = span.style.patch(over);
                    span.style(style)
                }));
                rows.push(Line::from(spans));
                if rows.len() >= height {
                    break;
                }
            }
        }
        for (r, row) in rows.into_iter().enumerate() {
            frame.render_widget(row, Rect::new(area.x, area.y + r as u16, area.width, 1));
        }
    }

    /// A line as review draws it: its mark open or dismissed.
    pub(super) fn line<'a>(&self, line: &'a Utterance) -> TranscriptLine<'a> {
        let mark = line.mark.as_ref().map(|_| {
            if self.dismissed.contains(&line.seq) {
                MarkState::Dismissed
            } else {
                MarkState::Open
            }
        });
        TranscriptLine { mark, ..TranscriptLine::new(line) }
    }

    /// The margin for row `row` of `count` rows of line `seq`: a bracket per lane.
    fn margin(
        &self,
        lanes: &[(usize, &Narrative)],
        lane_count: usize,
        seq: u32,
        row: usize,
        count: usize,
    ) -> String {
        let mut cells = vec![' '; lane_count * 2];
        for (lane, n) in lanes.iter().filter(|(lane, n)| *lane < LANES && n.covers(seq)) {
            let first_row = seq == n.first_seq && row == 0;
            let last_row = seq == n.last_seq && row + 1 == count;
            cells[lane * 2] = match (first_row, last_row) {
                (true, true) => '[',
                (true, false) => '┌',
                (false, true) => '└',
                (false, false) => '│',
            };
        }
        cells.into_iter().collect()
    }
}
