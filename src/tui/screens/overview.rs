//! The follow-up overview: every case with its sessions by kind, contact
//! points covered, caseworker changes, first and last session.

use super::{hints, Effect, Input};
use crate::domain::overview::FollowUp;
use crate::keymap::{Action, Keymap, Table};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Row, Table as TableWidget, TableState};
use ratatui::Frame;

pub struct OverviewState {
    rows: Vec<FollowUp>,
    selected: usize,
}

impl OverviewState {
    pub fn new(rows: Vec<FollowUp>) -> Self {
        OverviewState { rows, selected: 0 }
    }

    pub fn table(&self) -> Table {
        Table::Overview
    }

    pub fn update(&mut self, input: Input) -> Effect {
        match input {
            Input::Action(Action::SelectUp) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::SelectDown) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Input::Action(Action::Back) => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
        frame.render_widget(Line::from(" Follow-up overview").bold(), title);
        let header = Row::new(["case", "int", "obs", "prof", "meet", "contacts", "cw chg", "first", "last"])
            .style(Style::default().add_modifier(Modifier::BOLD));
        let mut totals = [0usize; 5];
        let mut changes = 0;
        let mut rows: Vec<Row> = self
            .rows
            .iter()
            .map(|f| {
                for (t, n) in totals.iter_mut().zip(f.sessions) {
                    *t += n;
                }
                changes += f.caseworker_changes;
                let contacts: Vec<String> = f.contact_points.iter().map(u32::to_string).collect();
                Row::new(vec![
                    f.case.clone(),
                    f.sessions[0].to_string(),
                    f.sessions[1].to_string(),
                    f.sessions[2].to_string(),
                    f.sessions[3].to_string(),
                    contacts.join(","),
                    f.caseworker_changes.to_string(),
                    f.first.map_or("—".into(), |d| d.to_string()),
                    f.last.map_or("—".into(), |d| d.to_string()),
                ])
            })
            .collect();
        rows.push(
            Row::new(vec![
                "total".to_string(),
                totals[0].to_string(),
                totals[1].to_string(),
                totals[2].to_string(),
                totals[3].to_string(),
                String::new(),
                changes.to_string(),
                String::new(),
                String::new(),
            ])
            .style(Style::default().add_modifier(Modifier::BOLD)),
        );
        let widths = [
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Length(10),
        ];
        let table = TableWidget::new(rows, widths)
            .header(header)
            .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED));
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, body, &mut state);
        let hint = hints(
            keys,
            Table::Overview,
            &[(Action::SelectDown, "move"), (Action::Help, "help"), (Action::Back, "back")],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }
}
