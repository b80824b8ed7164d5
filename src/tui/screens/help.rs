//! The help overlay: every binding of the current screen, generated from
//! the active keymap (never written by hand), without the ones that mean
//! nothing here (speakers a session does not have), scrolled within its
//! list and saying when more follows.

use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use std::cell::Cell;

pub struct HelpState {
    /// The screen whose keys are shown.
    pub screen: Table,
    /// Actions the screen has keys for that mean nothing where it is now.
    hidden: Vec<Action>,
    scroll: usize,
    /// How far the list can scroll at the last render: rows past the box.
    most: Cell<usize>,
}

impl HelpState {
    pub fn new(screen: Table, hidden: Vec<Action>) -> Self {
        HelpState { screen, hidden, scroll: 0, most: Cell::new(usize::MAX) }
    }

    /// Returns false when the overlay should close.
    pub fn update(&mut self, action: Action) -> bool {
        match action {
            Action::SelectUp => self.scroll = self.scroll.saturating_sub(1),
            Action::SelectDown => self.scroll = (self.scroll + 1).min(self.most.get()),
            Action::Back | Action::Help => return false,
            _ => {}
        }
        true
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let bindings: Vec<(String, Action)> =
            keys.help(self.screen).into_iter().filter(|(_, a)| !self.hidden.contains(a)).collect();
        let key_width = bindings.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0).min(24);
        // A description too long for the box goes on under itself, never cut.
        let room = usize::from(area.width.saturating_sub(2)).saturating_sub(key_width + 3).max(10);
        let mut lines: Vec<Line> = Vec::new();
        for (k, action) in &bindings {
            for (i, row) in wrap(&action.describe(), room).into_iter().enumerate() {
                let key = if i == 0 { k.as_str() } else { "" };
                lines.push(Line::from(vec![
                    Span::raw(format!(" {key:<key_width$}  ")).bold(),
                    Span::raw(row),
                ]));
            }
        }
        if self.screen.takes_typing() {
            lines.push(Line::from(" Any other key types text.").dim());
        }
        let rows = usize::from(area.height.saturating_sub(2));
        let most = lines.len().saturating_sub(rows);
        self.most.set(most);
        let scroll = self.scroll.min(most);
        let close = keys.keys_for(Table::Help, Action::Back).unwrap_or_default();
        let mut title =
            format!(" Keys: {} screen · keymap {} · {close} closes ", self.screen.name(), keys.name);
        if title.chars().count() + 4 > usize::from(area.width) {
            title = format!(" Keys: {} screen · {close} closes ", self.screen.name());
        }
        // What lies outside the box, and how to get there.
        let below = lines.len().saturating_sub(scroll + rows);
        let down = keys.keys_for(Table::Help, Action::SelectDown).unwrap_or_default();
        let up = keys.keys_for(Table::Help, Action::SelectUp).unwrap_or_default();
        let more = match (scroll, below) {
            (0, 0) => String::new(),
            (_, 0) => format!(" ↑ {scroll} more above ({up}) "),
            (0, _) => format!(" ↓ {below} more below ({down}) "),
            (_, _) => format!(" ↑ {scroll} above · ↓ {below} below "),
        };
        frame.render_widget(Clear, area);
        let mut block = Block::default().borders(Borders::ALL).title(title);
        if !more.is_empty() {
            block = block.title_bottom(Line::from(more).bold().right_aligned());
        }
        frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll as u16, 0)), area);
    }
}
