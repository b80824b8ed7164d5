//! The follow-up overview: every case with its sessions by kind, contact
//! points covered, caseworker changes, first and last session.

use super::{hints, Effect, Input};
use crate::domain::overview::{overview_table, FollowUp};
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

    /// The row `old` had chosen, on this (newly read) overview.
    pub fn keep_selection(&mut self, old: &OverviewState) {
        self.selected = old.selected.min(self.rows.len().saturating_sub(1));
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
            Input::Action(Action::OpenTimeline) => return Effect::OpenTimeline,
            Input::Action(Action::OpenContactsTable) => return Effect::OpenContactsTable,
            Input::Action(Action::OpenTables) => return Effect::OpenTables,
            Input::Action(Action::OpenCase) => {
                if let Some(row) = self.rows.get(self.selected) {
                    return Effect::OpenCase(row.case_id);
                }
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
        let header = Row::new([
            "case", "int", "obs", "prof", "meet", "points", "kept", "miss", "cw chg", "first", "last",
        ])
        .style(Style::default().add_modifier(Modifier::BOLD));
        let table = overview_table(&self.rows, ",");
        let last = table.len() - 1;
        let rows: Vec<Row> = table
            .into_iter()
            .enumerate()
            .map(|(i, cells)| {
                let row = Row::new(cells);
                if i == last {
                    row.style(Style::default().add_modifier(Modifier::BOLD))
                } else {
                    row
                }
            })
            .collect();
        let widths = [
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(8),
            // "32 (34)": kept, and held counting partial ones, for the whole study.
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(6),
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
            &[
                (Action::SelectDown, "move"),
                (Action::OpenTimeline, "time view"),
                (Action::OpenContactsTable, "contacts"),
                (Action::OpenTables, "tables"),
                (Action::Help, "help"),
                (Action::Back, "back"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }
}
