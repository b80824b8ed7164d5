//! A case's sessions: read one back, go on logging an open one, or start another.

use super::{hints, Effect, Input};
use crate::domain::{Case, Session};
use crate::keymap::{Action, Keymap, Table};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Row, Table as TableWidget, TableState};
use ratatui::Frame;

/// A session as the list shows it.
pub struct SessionRow {
    pub session: Session,
    pub lines: usize,
    pub narratives: usize,
}

pub struct SessionsState {
    pub case: Case,
    rows: Vec<SessionRow>,
    selected: usize,
    message: Option<String>,
}

impl SessionsState {
    pub fn new(case: Case, rows: Vec<SessionRow>) -> Self {
        let selected = rows.len().saturating_sub(1);
        SessionsState { case, rows, selected, message: None }
    }

    pub fn table(&self) -> Table {
        Table::Sessions
    }

    pub fn update(&mut self, input: Input) -> Effect {
        self.message = None;
        let Input::Action(action) = input else { return Effect::None };
        match action {
            Action::SelectUp => self.selected = self.selected.saturating_sub(1),
            Action::SelectDown => self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1)),
            Action::ReviewSession => match self.rows.get(self.selected) {
                Some(row) => return Effect::OpenReview { session: row.session.id, seq: None },
                None => self.message = Some("This case has no sessions yet.".into()),
            },
            Action::OpenSession => match self.rows.get(self.selected) {
                Some(row) if row.session.ended.is_none() => return Effect::OpenLive(row.session.id),
                Some(_) => self.message = Some("That session has ended: read it back instead.".into()),
                None => self.message = Some("This case has no sessions yet.".into()),
            },
            Action::StartSession => return Effect::OpenForm(self.case.id),
            Action::Back => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, body, message, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Line::from(format!(" Case {} · sessions", self.case.code)).bold(), title);
        let header = Row::new(["contact", "kind", "date", "place", "lines", "narr.", ""])
            .style(Style::default().add_modifier(Modifier::BOLD));
        let rows = self.rows.iter().map(|r| {
            let s = &r.session;
            let state = if s.ended.is_none() { "open" } else { "" };
            Row::new(vec![
                s.contact_point.to_string(),
                s.kind.to_string(),
                s.clock.started.format("%Y-%m-%d").to_string(),
                s.place_name(),
                r.lines.to_string(),
                r.narratives.to_string(),
                state.to_string(),
            ])
        });
        let widths = [
            Constraint::Length(7),
            Constraint::Length(22),
            Constraint::Length(10),
            Constraint::Min(8),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(4),
        ];
        let table = TableWidget::new(rows, widths)
            .header(header)
            .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▸ ");
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, body, &mut state);
        if let Some(m) = &self.message {
            frame.render_widget(Line::from(m.as_str()).yellow(), message);
        }
        let hint = hints(
            keys,
            Table::Sessions,
            &[
                (Action::ReviewSession, "read back"),
                (Action::OpenSession, "go on logging"),
                (Action::StartSession, "new session"),
                (Action::Back, "back"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }
}
