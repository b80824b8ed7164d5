//! A report to read on screen (the brief before the next contact): its
//! headings, paragraphs, lists and quotes as wrapped lines, scrolled.

use super::{hints, Effect, Input};
use crate::export::document::{Block, Document};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::wrap::wrap;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub struct ReadingState {
    title: String,
    /// Each block as (style, prefix, text).
    blocks: Vec<(Style, &'static str, String)>,
    top: usize,
    page: std::cell::Cell<usize>,
}

impl ReadingState {
    pub fn new(doc: Document) -> Self {
        let mut blocks = Vec::new();
        for block in doc.blocks {
            match block {
                Block::Heading(_, text) => {
                    blocks.push((Style::default(), "", String::new()));
                    blocks.push((Style::default().add_modifier(Modifier::BOLD), "", text));
                }
                Block::Paragraph(inlines) => blocks.push((Style::default(), "", inlines.text())),
                Block::List(items) => {
                    blocks.extend(items.into_iter().map(|i| (Style::default(), "• ", i.text())))
                }
                Block::Quote(lines) => blocks.extend(
                    lines.into_iter().map(|l| (Style::default().add_modifier(Modifier::ITALIC), "│ ", l)),
                ),
                Block::Table { header, rows } => {
                    // Columns as wide as their widest cell, so the table reads as one.
                    let width = |text: &str| unicode_width::UnicodeWidthStr::width(text);
                    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
                    for row in &rows {
                        for (w, cell) in widths.iter_mut().zip(row) {
                            *w = (*w).max(width(cell));
                        }
                    }
                    let line = |cells: &[String]| {
                        let padded = cells
                            .iter()
                            .zip(&widths)
                            .map(|(c, w)| format!("{c}{}", " ".repeat(w - width(c))));
                        padded.collect::<Vec<_>>().join("  ").trim_end().to_string()
                    };
                    blocks.push((Style::default().add_modifier(Modifier::BOLD), "", line(&header)));
                    blocks.extend(rows.iter().map(|r| (Style::default(), "", line(r))));
                }
                Block::Figure { caption, .. } => blocks.push((Style::default(), "", caption)),
            }
        }
        ReadingState { title: doc.title, blocks, top: 0, page: 10.into() }
    }

    pub fn table(&self) -> Table {
        Table::Reading
    }

    pub fn update(&mut self, input: Input) -> Effect {
        match input {
            Input::Action(Action::SelectUp) => self.top = self.top.saturating_sub(1),
            Input::Action(Action::SelectDown) => self.top += 1,
            Input::Action(Action::PageUp) => self.top = self.top.saturating_sub(self.page.get()),
            Input::Action(Action::PageDown) => self.top += self.page.get(),
            Input::Action(Action::Back) => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
        frame.render_widget(Line::from(format!(" {}", self.title)).bold(), title);
        let width = usize::from(body.width.saturating_sub(3)).max(1);
        let mut lines: Vec<Line> = Vec::new();
        for (style, prefix, text) in &self.blocks {
            for (i, part) in wrap(text, width.saturating_sub(prefix.len())).into_iter().enumerate() {
                let lead = if i == 0 {
                    *prefix
                } else {
                    if prefix.is_empty() {
                        ""
                    } else {
                        "  "
                    }
                };
                lines.push(Line::styled(format!(" {lead}{part}"), *style));
            }
        }
        let height = usize::from(body.height);
        self.page.set(height.max(1));
        let top = self.top.min(lines.len().saturating_sub(height));
        frame.render_widget(
            Paragraph::new(lines.into_iter().skip(top).take(height).collect::<Vec<_>>()),
            body,
        );
        let hint = hints(
            keys,
            Table::Reading,
            &[
                (Action::SelectDown, "scroll"),
                (Action::PageDown, "page"),
                (Action::Help, "help"),
                (Action::Back, "back"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }
}
