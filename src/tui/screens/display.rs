//! The display: narratives as a matrix — cases by contact point, or by the
//! codes of one group — each cell listing its narratives' titles. Filter
//! the rows by attribute (`site=Nord`) or to one case (`case:AA`).

use super::{hints, Effect, Input};
use crate::domain::overview::{display_by, has_attribute, Columns, Display, Rows};
use crate::domain::{Case, Codebook, Id, Narrative, Session};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::prompt::{ask, Prompt};
use crate::tui::widgets::wrap::wrap;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// How many titles a cell shows before "+N more".
const CELL_LINES: usize = 3;

pub struct DisplayData {
    pub cases: Vec<Case>,
    pub sessions: Vec<Session>,
    pub narratives: Vec<Narrative>,
    pub codebook: Codebook,
}

pub struct DisplayState {
    data: DisplayData,
    /// 0: contact points; 1…: the codebook's groups in order.
    columns: usize,
    /// 0: cases; 1…: the codebook's groups in order (never the columns' group).
    rows: usize,
    filter_text: String,
    editing: Option<Prompt<()>>,
    matrix: Display,
    row: usize,
    column: usize,
    message: Option<String>,
}

impl DisplayState {
    pub fn new(data: DisplayData) -> Self {
        let mut state = DisplayState {
            data,
            columns: 0,
            rows: 0,
            filter_text: String::new(),
            editing: None,
            matrix: Display { columns: Vec::new(), rows: Vec::new() },
            row: 0,
            column: 0,
            message: None,
        };
        let _ = state.rebuild();
        state
    }

    pub fn table(&self) -> Table {
        if self.editing.is_some() {
            Table::Prompt
        } else {
            Table::Display
        }
    }

    fn columns_name(&self) -> String {
        match self.columns {
            0 => "contact point".to_string(),
            n => self.group_name(n),
        }
    }

    fn rows_name(&self) -> String {
        match self.rows {
            0 => "cases".to_string(),
            n => self.group_name(n),
        }
    }

    fn group_name(&self, n: usize) -> String {
        self.data.codebook.groups.get(n - 1).map_or(String::new(), |g| g.name.clone())
    }

    /// The next choice after `from` of `0` and the groups, skipping the group `other` shows.
    fn next_choice(&self, from: usize, other: usize) -> usize {
        let choices = self.data.codebook.groups.len() + 1;
        let next = (from + 1) % choices;
        if next != 0 && next == other {
            (next + 1) % choices
        } else {
            next
        }
    }

    /// Recomputes the matrix for the columns and filter; a bad filter is refused.
    fn rebuild(&mut self) -> Result<(), String> {
        let mut cases = self.data.cases.clone();
        for term in self.filter_text.split_whitespace() {
            if let Some(code) = term.strip_prefix("case:") {
                cases.retain(|c| c.code.as_str().eq_ignore_ascii_case(code));
            } else if let Some((key, value)) = term.split_once('=') {
                cases.retain(|c| has_attribute(c, key, value));
            } else {
                return Err(format!("{term:?} is no filter: write KEY=VALUE or case:CODE"));
            }
        }
        let columns = match self.columns {
            0 => Columns::ContactPoints,
            n => Columns::Group(self.data.codebook.groups[n - 1].id),
        };
        let rows = match self.rows {
            0 => Rows::Cases,
            n => Rows::Group(self.data.codebook.groups[n - 1].id),
        };
        let data = &self.data;
        self.matrix = display_by(&cases, &data.sessions, &data.narratives, &data.codebook, &rows, &columns);
        self.row = self.row.min(self.matrix.rows.len().saturating_sub(1));
        self.column = self.column.min(self.matrix.columns.len().saturating_sub(1));
        Ok(())
    }

    pub fn update(&mut self, input: Input) -> Effect {
        if let Some(prompt) = self.editing.take() {
            (self.editing, _) = ask(prompt, input, |_, typed| {
                let previous = std::mem::replace(&mut self.filter_text, typed.trim().to_string());
                let rebuilt = self.rebuild();
                if rebuilt.is_err() {
                    self.filter_text = previous;
                    let _ = self.rebuild();
                }
                rebuilt
            });
            return Effect::None;
        }
        self.message = None;
        let Input::Action(action) = input else { return Effect::None };
        match action {
            Action::SelectUp => self.row = self.row.saturating_sub(1),
            Action::SelectDown => self.row = (self.row + 1).min(self.matrix.rows.len().saturating_sub(1)),
            Action::SelectLeft => self.column = self.column.saturating_sub(1),
            Action::SelectRight => {
                self.column = (self.column + 1).min(self.matrix.columns.len().saturating_sub(1))
            }
            Action::CycleColumns => {
                self.columns = self.next_choice(self.columns, self.rows);
                self.column = 0;
                let _ = self.rebuild();
            }
            Action::CycleRows => {
                self.rows = self.next_choice(self.rows, self.columns);
                self.row = 0;
                let _ = self.rebuild();
            }
            Action::EditFilter => {
                let prompt = Prompt::new((), " Rows (site=Nord, case:AA): ", "filter");
                self.editing = Some(prompt.with_text(&self.filter_text))
            }
            Action::Confirm => {
                let ids: Vec<Id> = self
                    .matrix
                    .rows
                    .get(self.row)
                    .and_then(|r| r.cells.get(self.column))
                    .cloned()
                    .unwrap_or_default();
                if ids.is_empty() {
                    self.message = Some("No narratives in this cell.".into());
                } else {
                    return Effect::OpenNarrativesOf(ids);
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
        let heading = format!(" Display · {} by {}", self.rows_name(), self.columns_name());
        frame.render_widget(Line::from(heading).bold(), title);
        match (&self.editing, &self.message) {
            (Some(prompt), _) => prompt.render(frame, filter, footer, keys),
            (None, Some(m)) => frame.render_widget(Line::from(format!(" {m}")).yellow(), filter),
            (None, None) if self.filter_text.is_empty() => {
                frame.render_widget(Line::from(" All cases").dim(), filter)
            }
            (None, None) => frame.render_widget(Line::from(format!(" Rows: {}", self.filter_text)), filter),
        }
        self.render_matrix(frame, body);
        let hint = hints(
            keys,
            self.table(),
            &[
                (Action::CycleColumns, "columns"),
                (Action::CycleRows, "rows"),
                (Action::EditFilter, "filter"),
                (Action::Confirm, "open cell"),
                (Action::Back, "back"),
            ],
        );
        if self.editing.is_none() {
            frame.render_widget(Line::from(hint).dim(), footer);
        }
    }

    fn title_of(&self, id: &Id) -> String {
        self.data.narratives.iter().find(|n| n.id == *id).map_or(String::new(), |n| n.title.clone())
    }

    fn render_matrix(&self, frame: &mut Frame, area: Rect) {
        let width = usize::from(area.width);
        let columns = self.matrix.columns.len().max(1);
        // Case codes are short; code names get up to a third of the width.
        let names = self.matrix.rows.iter().map(|r| unicode_width::UnicodeWidthStr::width(r.case.as_str()));
        let case_width = (names.max().unwrap_or(0) + 2).clamp(8, (width / 3).max(8));
        let cell_width = (width.saturating_sub(case_width) / columns).max(4);
        let mut y = area.y;
        let bottom = area.y + area.height;
        let corner = if self.rows == 0 { " case".to_string() } else { format!(" {}", self.rows_name()) };
        let mut header = fit(&corner, case_width);
        for c in &self.matrix.columns {
            header.push_str(&fit(c, cell_width));
        }
        if y < bottom {
            frame.render_widget(Line::from(header).bold(), Rect { y, height: 1, ..area });
            y += 1;
        }
        if self.matrix.rows.is_empty() && y < bottom {
            frame.render_widget(Line::from(" No cases match.").dim(), Rect { y, height: 1, ..area });
        }
        // Scroll so the selected row is in view (rows are up to CELL_LINES high).
        let first = self.row.saturating_sub(usize::from(area.height.saturating_sub(1)) / (CELL_LINES + 1));
        for (r, row) in self.matrix.rows.iter().enumerate().skip(first) {
            let cells: Vec<Vec<String>> = row
                .cells
                .iter()
                .map(|ids| {
                    let mut lines: Vec<String> = ids
                        .iter()
                        .take(CELL_LINES)
                        .map(|id| {
                            let t = self.title_of(id);
                            wrap(&t, cell_width.saturating_sub(2)).into_iter().next().unwrap_or_default()
                        })
                        .collect();
                    if ids.len() > CELL_LINES {
                        lines[CELL_LINES - 1] = format!("+{} more", ids.len() - CELL_LINES + 1);
                    }
                    lines
                })
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            for line in 0..height {
                if y >= bottom {
                    return;
                }
                let mut spans = vec![Span::raw(if line == 0 {
                    fit(&format!(" {}", row.case), case_width)
                } else {
                    " ".repeat(case_width)
                })];
                for (c, cell) in cells.iter().enumerate() {
                    let text = fit(cell.get(line).map_or("", String::as_str), cell_width);
                    let selected = r == self.row && c == self.column;
                    let style = if selected {
                        Style::default().add_modifier(Modifier::REVERSED)
                    } else {
                        Style::default()
                    };
                    spans.push(Span::styled(text, style));
                }
                frame.render_widget(Line::from(spans), Rect { y, height: 1, ..area });
                y += 1;
            }
            if y < bottom {
                y += 1;
            }
        }
    }
}

/// `text` cut or padded to exactly `width` columns, with a space between cells.
fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let room = width.saturating_sub(1);
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            if let Some(last) = out.pop() {
                used -= last.width().unwrap_or(0);
            }
            out.push('…');
            used += 1;
            break;
        }
        out.push(c);
        used += w;
    }
    out + &" ".repeat(width.saturating_sub(used))
}
