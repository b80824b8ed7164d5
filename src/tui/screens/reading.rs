//! A report to read on screen (the brief before the next contact, the
//! study's tables): its headings, paragraphs, lists, quotes and tables as
//! lines fitted to the width, scrolled.

use super::{hints, Effect, Input};
use crate::export::document::{Block, Document};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::document::document_lines;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub struct ReadingState {
    title: String,
    blocks: Vec<Block>,
    top: usize,
    page: std::cell::Cell<usize>,
    /// The last line that can be at the top, as the last frame found it.
    last_top: std::cell::Cell<usize>,
}

impl ReadingState {
    pub fn new(doc: Document) -> Self {
        ReadingState {
            title: doc.title,
            blocks: doc.blocks,
            top: 0,
            page: 10.into(),
            last_top: usize::MAX.into(),
        }
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
        self.top = self.top.min(self.last_top.get());
        Effect::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
        frame.render_widget(Line::from(format!(" {}", self.title)).bold(), title);
        let lines = document_lines(&self.blocks, usize::from(body.width.saturating_sub(3)));
        let height = usize::from(body.height);
        self.page.set(height.max(1));
        self.last_top.set(lines.len().saturating_sub(height));
        let top = self.top.min(self.last_top.get());
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
