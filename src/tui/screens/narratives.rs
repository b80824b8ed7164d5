//! Every narrative of the study, filtered by case, codes, session kind,
//! contact point and author; Enter opens one in its session.

use super::{hints, Effect, Input};
use crate::domain::{Case, Codebook, Narrative, NarrativeFilter, Session};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::prompt::{ask, Prompt};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Row, Table as TableWidget, TableState};
use ratatui::Frame;

/// A narrative as the list shows it.
pub struct NarrativeRow {
    pub narrative: Narrative,
    pub session: Session,
    pub case: String,
    /// The first words of the span.
    pub opening: String,
}

pub struct NarrativesState {
    all: Vec<NarrativeRow>,
    shown: Vec<usize>,
    cases: Vec<Case>,
    codebook: Codebook,
    filter_text: String,
    editing: Option<Prompt<()>>,
    selected: usize,
    message: Option<String>,
    page: std::cell::Cell<usize>,
}

impl NarrativesState {
    pub fn new(all: Vec<NarrativeRow>, cases: Vec<Case>, codebook: Codebook) -> Self {
        let shown = (0..all.len()).collect();
        NarrativesState {
            all,
            shown,
            cases,
            codebook,
            filter_text: String::new(),
            editing: None,
            selected: 0,
            message: None,
            page: std::cell::Cell::new(10),
        }
    }

    pub fn table(&self) -> Table {
        if self.editing.is_some() {
            Table::Prompt
        } else {
            Table::Narratives
        }
    }

    /// Narrows the list to these narratives (a display cell, a link's support).
    pub fn keep_only(&mut self, ids: &[crate::domain::Id]) {
        self.all.retain(|row| ids.contains(&row.narrative.id));
        self.shown = (0..self.all.len()).collect();
        self.selected = 0;
    }

    /// The filter as the researcher typed it.
    pub fn filter(&self) -> &str {
        &self.filter_text
    }

    /// Applies a filter as typed; a bad one is refused and the old one kept.
    pub fn apply_filter(&mut self, text: &str) -> Result<(), String> {
        let filter = NarrativeFilter::parse(text, &self.cases, &self.codebook)?;
        self.filter_text = text.trim().to_string();
        self.shown = self
            .all
            .iter()
            .enumerate()
            .filter(|(_, row)| filter.matches(&row.narrative, &row.session))
            .map(|(i, _)| i)
            .collect();
        self.selected = 0;
        Ok(())
    }

    pub fn update(&mut self, input: Input) -> Effect {
        if let Some(prompt) = self.editing.take() {
            // A refused filter stays to be mended; the list keeps the last good one.
            (self.editing, _) = ask(prompt, input, |_, typed| self.apply_filter(typed));
            return Effect::None;
        }
        self.message = None;
        let Input::Action(action) = input else { return Effect::None };
        let last = self.shown.len().saturating_sub(1);
        let page = self.page.get().max(1);
        match action {
            Action::SelectUp => self.selected = self.selected.saturating_sub(1),
            Action::SelectDown => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::GoFirst => self.selected = 0,
            Action::GoLast => self.selected = last,
            Action::EditFilter => {
                self.editing = Some(Prompt::new((), " Filter: ", "filter").with_text(&self.filter_text))
            }
            Action::Confirm => {
                if let Some(row) = self.shown.get(self.selected).map(|i| &self.all[*i]) {
                    return Effect::OpenReview {
                        session: row.session.id,
                        seq: Some(row.narrative.first_seq),
                    };
                }
            }
            Action::Back => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, filter, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let count = format!(" Narratives · {} of {}", self.shown.len(), self.all.len());
        frame.render_widget(Line::from(count).bold(), title);
        match (&self.editing, &self.message) {
            (Some(prompt), _) => prompt.render(frame, filter, footer, keys),
            (None, Some(m)) => frame.render_widget(Line::from(format!(" {m}")).yellow(), filter),
            (None, None) if self.filter_text.is_empty() => {
                let key = keys.keys_for(Table::Narratives, Action::EditFilter).unwrap_or_default();
                frame.render_widget(Line::from(format!(" All narratives ({key} filters)")).dim(), filter)
            }
            (None, None) => frame.render_widget(Line::from(format!(" Filter: {}", self.filter_text)), filter),
        }
        self.page.set(usize::from(body.height).saturating_sub(2).max(1));
        let header = Row::new(["case", "contact", "title", "first words"])
            .style(Style::default().add_modifier(Modifier::BOLD));
        let rows = self.shown.iter().map(|i| {
            let r = &self.all[*i];
            Row::new(vec![
                r.case.clone(),
                r.session.contact_point.to_string(),
                r.narrative.title.clone(),
                r.opening.clone(),
            ])
        });
        let widths =
            [Constraint::Length(8), Constraint::Length(7), Constraint::Percentage(45), Constraint::Min(10)];
        let table = TableWidget::new(rows, widths)
            .header(header)
            .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▸ ");
        let mut state =
            TableState::default().with_selected((!self.shown.is_empty()).then_some(self.selected));
        frame.render_stateful_widget(table, body, &mut state);
        let hint = hints(
            keys,
            self.table(),
            &[
                (Action::Confirm, "open"),
                (Action::EditFilter, "filter"),
                (Action::Help, "help"),
                (Action::Back, "back"),
            ],
        );
        if self.editing.is_none() {
            frame.render_widget(Line::from(hint).dim(), footer);
        }
    }
}
