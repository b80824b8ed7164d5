//! The help overlay: every binding of the current screen, generated from
//! the active keymap (never written by hand).

use crate::keymap::{Action, Keymap, Table};
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

pub struct HelpState {
    /// The screen whose keys are shown.
    pub screen: Table,
    scroll: usize,
}

impl HelpState {
    pub fn new(screen: Table) -> Self {
        HelpState { screen, scroll: 0 }
    }

    /// Returns false when the overlay should close.
    pub fn update(&mut self, action: Action) -> bool {
        match action {
            Action::SelectUp => self.scroll = self.scroll.saturating_sub(1),
            Action::SelectDown => self.scroll += 1,
            Action::Back | Action::Help => return false,
            _ => {}
        }
        true
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let bindings = keys.help(self.screen);
        let key_width = bindings.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0).min(24);
        let mut lines: Vec<Line> = bindings
            .iter()
            .map(|(k, action)| {
                Line::from(vec![
                    Span::raw(format!(" {k:<key_width$}  ")).bold(),
                    Span::raw(action.describe()),
                ])
            })
            .collect();
        if self.screen.takes_typing() {
            lines.push(Line::from(" Any other key types text.").dim());
        }
        let scroll = self.scroll.min(lines.len().saturating_sub(1));
        let close = keys.keys_for(Table::Help, Action::Back).unwrap_or_default();
        let title = format!(" Keys: {} screen · keymap {} · {close} closes ", self.screen.name(), keys.name);
        frame.render_widget(Clear, area);
        let block = Block::default().borders(Borders::ALL).title(title);
        frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll as u16, 0)), area);
    }
}
