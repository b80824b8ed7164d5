//! Home: the study's cases with their sessions by kind, and where to go next.

use super::{hints, Effect, Input};
use crate::domain::{Case, Session, SessionKind};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::prompt::{self, ask, Prompt};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table as TableWidget, TableState, Wrap};
use ratatui::Frame;

/// A case as home lists it.
#[derive(Clone, Debug)]
pub struct CaseRow {
    pub case: Case,
    /// Sessions per kind, in `SessionKind::ALL` order.
    pub counts: [usize; 5],
    pub open_session: Option<Session>,
    pub latest: Option<Session>,
}

impl CaseRow {
    /// Rows for every case from the study's sessions.
    pub fn build(cases: Vec<Case>, sessions: &[Session]) -> Vec<CaseRow> {
        cases
            .into_iter()
            .map(|case| {
                let mine: Vec<&Session> = sessions.iter().filter(|s| s.case_id == case.id).collect();
                let mut counts = [0; 5];
                for s in &mine {
                    let i = SessionKind::ALL.iter().position(|k| *k == s.kind).unwrap_or(0);
                    counts[i] += 1;
                }
                let open_session = mine.iter().rev().find(|s| s.ended.is_none()).map(|s| (*s).clone());
                let latest = mine.last().map(|s| (*s).clone());
                CaseRow { case, counts, open_session, latest }
            })
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Asking {
    CaseCode,
    Export,
}

pub struct HomeState {
    pub rows: Vec<CaseRow>,
    selected: usize,
    /// A question being answered: a new case's code, or an export's format and path.
    adding: Option<Prompt<Asking>>,
    pub message: Option<String>,
}

impl HomeState {
    pub fn new(rows: Vec<CaseRow>) -> Self {
        HomeState { rows, selected: 0, adding: None, message: None }
    }

    /// Shows a case just handed to the writer, selected, until the store has it.
    pub fn add(&mut self, case: Case) {
        self.message = Some(format!("Saving case {}…", case.code));
        self.rows.push(CaseRow { case, counts: [0; 5], open_session: None, latest: None });
        self.selected = self.rows.len() - 1;
    }

    /// Replaces the rows (after a change) and selects `code` if given.
    pub fn refresh(&mut self, rows: Vec<CaseRow>, select: Option<&str>) {
        self.rows = rows;
        if let Some(code) = select {
            self.selected = self.rows.iter().position(|r| r.case.code.as_str() == code).unwrap_or(0);
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn table(&self) -> Table {
        if self.adding.is_some() {
            Table::Prompt
        } else {
            Table::Home
        }
    }

    pub fn selected(&self) -> Option<&CaseRow> {
        self.rows.get(self.selected)
    }

    pub fn update(&mut self, input: Input) -> Effect {
        if let Some(prompt) = self.adding.take() {
            let (still, done) = ask(prompt, input, |asking, text| self.answer(asking, text));
            self.adding = still;
            return done.unwrap_or(Effect::None);
        }
        self.message = None;
        match input {
            Input::Action(Action::SelectUp) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::SelectDown) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Input::Action(Action::AddCase) => {
                self.adding = Some(Prompt::new(Asking::CaseCode, "New case code: ", "add"))
            }
            Input::Action(Action::Export) => {
                let prompt = Prompt::new(Asking::Export, "Export: ", "export");
                self.adding = Some(prompt.with_form("json, csv, xlsx, markdown, qdpx or eaf, then a path"))
            }
            Input::Action(Action::OpenCase) => match self.selected() {
                Some(row) => return Effect::OpenCase(row.case.id),
                None => self.message = Some("Add a case first.".into()),
            },
            Input::Action(Action::OpenNarratives) => return Effect::OpenNarratives,
            Input::Action(Action::OpenSearch) => return Effect::OpenSearch,
            Input::Action(Action::OpenCodebook) => return Effect::OpenCodebook,
            Input::Action(Action::OpenCandidates) => return Effect::OpenCandidates(None),
            Input::Action(Action::OpenOverview) => return Effect::OpenOverview,
            Input::Action(Action::OpenTimeline) => return Effect::OpenTimeline,
            Input::Action(Action::OpenDisplay) => return Effect::OpenDisplay,
            Input::Action(Action::OpenDisagreements) => return Effect::OpenDisagreements,
            Input::Action(Action::StartSession) => match self.selected() {
                Some(row) => return Effect::OpenForm(Box::new(row.case.clone())),
                None => self.message = Some("Add a case first.".into()),
            },
            Input::Action(Action::OpenSession) => match self.selected() {
                Some(CaseRow { open_session: Some(s), .. }) => return Effect::OpenLive(s.id),
                Some(row) => self.message = Some(format!("{} has no open session.", row.case.code)),
                None => self.message = Some("Add a case first.".into()),
            },
            _ => {}
        }
        Effect::None
    }

    /// A new case's code (checked here, so a bad one stays to be mended), or
    /// an export's format and path.
    fn answer(&mut self, asking: Asking, text: &str) -> Result<Effect, String> {
        match asking {
            Asking::CaseCode => {
                let code = crate::domain::CaseCode::parse(text).map_err(|e| e.to_string())?;
                if self.rows.iter().any(|r| r.case.code.as_str().eq_ignore_ascii_case(code.as_str())) {
                    return Err(format!("There is already a case {code}: give another code."));
                }
                Ok(Effect::AddCase(code.to_string()))
            }
            Asking::Export => {
                let (format, path) =
                    text.trim().split_once(' ').ok_or("Write the format and where to: qdpx ~/study.qdpx")?;
                if !crate::export::FORMAT_NAMES.contains(&format) {
                    return Err(format!("{format:?} is no format: use {}", crate::export::FORMATS));
                }
                Ok(Effect::Export { format: format.into(), path: path.trim().into() })
            }
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let hint = hints(
            keys,
            Table::Home,
            &[
                (Action::AddCase, "add case"),
                (Action::OpenCase, "sessions"),
                (Action::StartSession, "start"),
                (Action::OpenSession, "go on"),
                (Action::OpenNarratives, "narratives"),
                (Action::OpenSearch, "search"),
                (Action::OpenCodebook, "codebook"),
                (Action::OpenOverview, "overview"),
                (Action::OpenDisplay, "display"),
                (Action::Export, "export"),
                (Action::OpenCandidates, "to mask"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
        );
        // Every key hint shows, on as many rows as the width needs.
        let hint_rows = crate::tui::widgets::wrap::wrap(&hint, usize::from(area.width).max(1)).len() as u16;
        let [title, body, prompt_row, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(hint_rows.clamp(2, 4)),
        ])
        .areas(area);
        frame.render_widget(Line::from(" fieldlog · cases".bold()), title);
        if self.rows.is_empty() {
            let add = keys.keys_for(Table::Home, Action::AddCase).unwrap_or_default();
            let text = format!(
                "No cases yet.\n\nPress {add} to add a case: a pseudonymous code of 1–8 letters or digits, such as AA or NTC. Never a real name.\n\nThen start a session for it and log who says what."
            );
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        } else {
            self.render_cases(frame, body);
        }
        let (asking, message) = (self.adding.as_ref(), self.message.as_deref());
        prompt::bottom(frame, [prompt_row, footer], keys, asking, message, hint);
    }

    fn render_cases(&self, frame: &mut Frame, area: Rect) {
        let header = Row::new(["case", "int", "obs", "prof", "meet", "doc", "latest session"])
            .style(Style::default().add_modifier(Modifier::BOLD));
        let rows = self.rows.iter().map(|row| {
            let latest = match (&row.open_session, &row.latest) {
                (Some(s), _) => format!("open: {} {}", s.kind, s.clock.started.format("%Y-%m-%d %H:%M")),
                (None, Some(s)) => format!("{} {}", s.kind, s.clock.started.format("%Y-%m-%d")),
                (None, None) => "none yet".to_string(),
            };
            let mut cells = vec![Cell::from(row.case.code.to_string())];
            cells.extend(row.counts.iter().map(|n| Cell::from(n.to_string())));
            cells.push(Cell::from(latest));
            Row::new(cells)
        });
        let widths = [
            Constraint::Length(9),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(4),
            Constraint::Min(10),
        ];
        let table = TableWidget::new(rows, widths)
            .header(header)
            .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▸ ");
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
    }
}
