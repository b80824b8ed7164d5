//! The study's tables, chosen on screen: cases by two variables (or
//! sessions, contacts, efforts and professionals by one), narratives by two
//! code groups, two cases side by side, the plane of two scale groups, and
//! the contacts table. Up and down choose what to set, left and right
//! change it, the table shows below as `fieldlog report` writes it; Enter
//! reads it on a screen of its own.

use super::{hints, Effect, Input};
use crate::export::document::Document;
use crate::export::report::{contacts_report, Study};
use crate::export::tables_report::{code_display_report, compare_report, cross_report, plane_report};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::document::document_lines;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The tables there are, as the chooser names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `report table`: cases (or sessions, contacts, efforts, professionals) by two things.
    Cross,
    /// `report display --rows GROUP --cols GROUP`.
    Codes,
    /// `report compare A B`.
    Compare,
    /// `report plane --x GROUP --y GROUP`.
    Plane,
    /// `report contacts`.
    Contacts,
}

const KINDS: [(Kind, &str); 5] = [
    (Kind::Cross, "cases by variables"),
    (Kind::Codes, "narratives by two code groups"),
    (Kind::Compare, "two cases side by side"),
    (Kind::Plane, "the plane of two scale groups"),
    (Kind::Contacts, "contacts kept and missed"),
];

/// What columns of a cross table can count besides a variable's values.
const COUNTED: [&str; 4] = ["kind", "contact", "outcome", "effort"];

pub struct TablesState {
    study: Study,
    kind: usize,
    /// The chosen row and column option of each kind, as indexes into its options.
    chosen: [[usize; 2]; KINDS.len()],
    /// 0: the kind; 1: rows (first case, across); 2: columns (second case, up).
    field: usize,
    /// The chosen table, or why it cannot be made.
    shown: Result<Document, String>,
}

impl TablesState {
    pub fn new(study: Study) -> Self {
        let mut state = TablesState {
            study,
            kind: 0,
            chosen: [[0, 1], [0, 1], [0, 1], [0, 1], [0, 0]],
            field: 0,
            shown: Err(String::new()),
        };
        // Cross tables start with two variables where there are two.
        if state.study.variables.variables.len() >= 2 {
            state.chosen[0] = [2, 1];
        }
        state.rebuild();
        state
    }

    pub fn table(&self) -> Table {
        Table::Tables
    }

    fn kind(&self) -> Kind {
        KINDS[self.kind].0
    }

    /// The choices for rows (0) or columns (1) of the current kind, and their names.
    fn options(&self, field: usize) -> (&'static str, Vec<String>) {
        let variables = || self.study.variables.variables.iter().map(|v| v.name.clone());
        let groups = |scale_only: bool| {
            self.study
                .codebook
                .groups
                .iter()
                .filter(move |g| !scale_only || g.kind == crate::domain::GroupKind::Scale)
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
        };
        match (self.kind(), field) {
            (Kind::Cross, 0) => {
                ("rows", ["case".to_string(), "role".to_string()].into_iter().chain(variables()).collect())
            }
            (Kind::Cross, _) if self.chosen_name(0).as_deref() == Some("role") => {
                ("columns", variables().collect())
            }
            (Kind::Cross, _) => ("columns", variables().chain(COUNTED.map(String::from)).collect()),
            (Kind::Codes, 0) => ("rows", groups(false)),
            (Kind::Codes, _) => ("columns", groups(false)),
            (Kind::Compare, 0) => ("first case", self.case_codes()),
            (Kind::Compare, _) => ("second case", self.case_codes()),
            (Kind::Plane, 0) => ("across", groups(true)),
            (Kind::Plane, _) => ("up", groups(true)),
            (Kind::Contacts, _) => ("", Vec::new()),
        }
    }

    fn case_codes(&self) -> Vec<String> {
        self.study.cases.iter().map(|c| c.code.to_string()).collect()
    }

    fn chosen_name(&self, field: usize) -> Option<String> {
        let (_, options) = self.options(field);
        let i = self.chosen[self.kind][field];
        options.get(i.min(options.len().saturating_sub(1))).cloned()
    }

    /// The table as chosen, made again.
    fn rebuild(&mut self) {
        let names = (self.chosen_name(0).unwrap_or_default(), self.chosen_name(1).unwrap_or_default());
        let (rows, cols) = (names.0.as_str(), names.1.as_str());
        let study = &self.study;
        let missing = |what: &str| Err(format!("The study has no {what} yet."));
        self.shown = match self.kind() {
            Kind::Cross if cols.is_empty() => missing("variables"),
            Kind::Cross => cross_report(study, rows, cols),
            Kind::Codes if study.codebook.groups.len() < 2 => missing("two code groups"),
            Kind::Codes => code_display_report(study, rows, cols),
            Kind::Compare if study.cases.len() < 2 => missing("two cases"),
            Kind::Compare => {
                let case = |code: &str| study.cases.iter().find(|c| c.code.as_str() == code);
                match (case(rows), case(cols)) {
                    (Some(a), Some(b)) if a.id != b.id => Ok(compare_report(study, a, b)),
                    _ => Err(format!("Choose a second case other than {rows}.")),
                }
            }
            Kind::Plane if cols.is_empty() => missing("two scale code groups"),
            Kind::Plane => plane_report(study, rows, cols),
            Kind::Contacts => Ok(contacts_report(study)),
        }
        .map_err(|why| {
            // The reports' reasons are sentences for the command line: start them with a capital.
            let mut chars = why.chars();
            chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
        });
    }

    /// Moves the chosen option of the current field by `step`, round.
    fn change(&mut self, step: isize) {
        let wrap = |at: usize, len: usize| (at as isize + step).rem_euclid(len.max(1) as isize) as usize;
        if self.field == 0 {
            self.kind = wrap(self.kind, KINDS.len());
            if self.kind() == Kind::Contacts {
                self.field = 0;
            }
        } else {
            let len = self.options(self.field - 1).1.len();
            let at = &mut self.chosen[self.kind][self.field - 1];
            *at = wrap(*at, len);
            if self.field == 1 && self.kind() == Kind::Cross {
                // The columns' options depend on the rows (roles go with variables only).
                let columns = self.options(1).1.len();
                let at = &mut self.chosen[self.kind][1];
                *at = (*at).min(columns.saturating_sub(1));
            }
        }
        self.rebuild();
    }

    pub fn update(&mut self, input: Input) -> Effect {
        let fields = if self.kind() == Kind::Contacts { 1 } else { 3 };
        match input {
            Input::Action(Action::SelectUp) => self.field = self.field.saturating_sub(1),
            Input::Action(Action::SelectDown) => self.field = (self.field + 1).min(fields - 1),
            Input::Action(Action::SelectLeft) => self.change(-1),
            Input::Action(Action::SelectRight) => self.change(1),
            Input::Action(Action::Confirm) => {
                if let Ok(doc) = &self.shown {
                    return Effect::Read(Box::new(doc.clone()));
                }
            }
            Input::Action(Action::Back) => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, chooser, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Line::from(" Tables").bold(), title);
        let mut rows = vec![self.choice_line(0, "table", KINDS[self.kind].1)];
        if self.kind() != Kind::Contacts {
            for field in 0..2 {
                let (label, _) = self.options(field);
                let name = self.chosen_name(field).unwrap_or_else(|| "(none)".into());
                rows.push(self.choice_line(field + 1, label, &name));
            }
        }
        frame.render_widget(Paragraph::new(rows), chooser);
        let lines = match &self.shown {
            Ok(doc) => {
                let mut lines = vec![Line::from(format!(" {}", doc.title)).bold()];
                lines.extend(document_lines(&doc.blocks, usize::from(body.width.saturating_sub(3))));
                lines
            }
            Err(why) => vec![Line::from(format!(" {why}")).yellow()],
        };
        frame.render_widget(Paragraph::new(lines), body);
        let hint = hints(
            keys,
            Table::Tables,
            &[
                (Action::SelectDown, "choose"),
                (Action::SelectRight, "change"),
                (Action::Confirm, "read it"),
                (Action::Help, "help"),
                (Action::Back, "back"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }

    fn choice_line(&self, field: usize, label: &str, value: &str) -> Line<'static> {
        let style = if field == self.field {
            Style::default().fg(Color::Black).bg(Color::Cyan)
        } else {
            Style::default()
        };
        Line::from(vec![Span::raw(format!(" {label:<12}")), Span::styled(format!("‹ {value} ›"), style)])
    }
}
