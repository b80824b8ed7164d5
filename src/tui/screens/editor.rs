//! The narrative editor: title (its point), codes ticked from the codebook
//! grouped by code group (one value where the group says so), and a memo.

use crate::domain::{Codebook, GroupKind, Id, Narrative};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::screens::{hints, Input};
use crate::tui::widgets::input::TextInput;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Title,
    Codes,
    Memo,
}

const FIELDS: [Field; 3] = [Field::Title, Field::Codes, Field::Memo];

/// A checklist row: a group heading, or one of its codes.
enum Row {
    Group { name: String, kind: GroupKind },
    Code { id: Id, name: String, retired: bool },
}

pub enum Outcome {
    Editing,
    Cancelled,
    Save(Narrative),
}

pub struct NarrativeEditor {
    narrative: Narrative,
    title: TextInput,
    memo: TextInput,
    codes: Vec<Id>,
    rows: Vec<Row>,
    /// Index into `rows` of the checklist cursor (always a code row when there is one).
    row: usize,
    focus: usize,
    pub error: Option<String>,
    /// Esc was pressed once on unsaved changes: again throws them away.
    leaving: bool,
}

impl NarrativeEditor {
    pub fn new(narrative: Narrative, codebook: &Codebook) -> Self {
        let mut rows = Vec::new();
        for group in &codebook.groups {
            let codes: Vec<_> = group
                .codes
                .iter()
                .filter(|c| !(c.retired || group.retired) || narrative.codes.contains(&c.id))
                .collect();
            if codes.is_empty() {
                continue;
            }
            rows.push(Row::Group { name: group.name.clone(), kind: group.kind });
            rows.extend(codes.into_iter().map(|c| Row::Code {
                id: c.id,
                name: c.name.clone(),
                retired: c.retired || group.retired,
            }));
        }
        let row = rows.iter().position(|r| matches!(r, Row::Code { .. })).unwrap_or(0);
        NarrativeEditor {
            title: TextInput::with_text(&narrative.title),
            memo: TextInput::with_text(&narrative.memo),
            codes: narrative.codes.clone(),
            narrative,
            rows,
            row,
            focus: 0,
            error: None,
            leaving: false,
        }
    }

    pub fn table(&self) -> Table {
        match FIELDS[self.focus] {
            Field::Codes => Table::Checklist,
            _ => Table::Editor,
        }
    }

    pub fn span(&self) -> (u32, u32) {
        (self.narrative.first_seq, self.narrative.last_seq)
    }

    fn move_row(&mut self, down: bool) {
        let mut at = self.row;
        loop {
            at = if down { at + 1 } else { at.wrapping_sub(1) };
            match self.rows.get(at) {
                Some(Row::Code { .. }) => {
                    self.row = at;
                    return;
                }
                Some(Row::Group { .. }) => continue,
                None => return,
            }
        }
    }

    pub fn update(&mut self, input: Input, codebook: &Codebook) -> Outcome {
        self.error = None;
        let leaving = std::mem::take(&mut self.leaving);
        let field = FIELDS[self.focus];
        match input {
            Input::Action(Action::Back) if leaving || !self.changed() => return Outcome::Cancelled,
            Input::Action(Action::Back) => {
                self.leaving = true;
                self.error =
                    Some("Esc again throws away the title, codes and memo; ctrl-s saves them.".into());
            }
            Input::Action(Action::NextField) => self.focus = (self.focus + 1) % FIELDS.len(),
            Input::Action(Action::PreviousField) => {
                self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len()
            }
            Input::Action(Action::SaveNarrative) => return self.finish(codebook),
            Input::Action(Action::SelectUp) => self.move_row(false),
            Input::Action(Action::SelectDown) => self.move_row(true),
            Input::Action(Action::ToggleCode) => {
                if let Some(Row::Code { id, .. }) = self.rows.get(self.row) {
                    codebook.toggle(&mut self.codes, *id);
                }
            }
            input => {
                let text = match field {
                    Field::Title => &mut self.title,
                    Field::Memo => &mut self.memo,
                    Field::Codes => return Outcome::Editing,
                };
                match input {
                    Input::Char(c) => text.insert_char(c),
                    Input::Paste(p) => text.insert_paste(&p),
                    Input::Action(action) => {
                        text.edit(action);
                    }
                }
            }
        }
        Outcome::Editing
    }

    /// Whether anything typed or ticked differs from the narrative as opened.
    fn changed(&self) -> bool {
        self.title.text() != self.narrative.title
            || self.memo.text() != self.narrative.memo
            || self.codes != self.narrative.codes
    }

    fn finish(&mut self, codebook: &Codebook) -> Outcome {
        let title = self.title.text().trim().to_string();
        if title.is_empty() {
            self.error = Some("Give the narrative a title: its point, in a few words.".into());
            self.focus = 0;
            return Outcome::Editing;
        }
        if let Err(e) = codebook.check(&self.codes) {
            self.error = Some(e.to_string());
            return Outcome::Editing;
        }
        let mut narrative = self.narrative.clone();
        narrative.title = title;
        narrative.memo = self.memo.text().trim().to_string();
        narrative.codes = self.codes.clone();
        Outcome::Save(narrative)
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let (first, last) = self.span();
        let lines = if first == last { format!("line {first}") } else { format!("lines {first}–{last}") };
        let block =
            Block::default().borders(Borders::TOP).title(format!(" Short narrative, {lines} ")).bold();
        frame.render_widget(Clear, area);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [title, codes, memo, message, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let label = |field: Field, name: &str| {
            let focused = FIELDS[self.focus] == field;
            let text = format!("{}{name:<7}", if focused { "▸ " } else { "  " });
            if focused {
                Span::raw(text).bold()
            } else {
                Span::raw(text)
            }
        };
        self.title.render(frame, title, label(Field::Title, "title"), FIELDS[self.focus] == Field::Title);
        self.render_checklist(frame, codes);
        self.memo.render(frame, memo, label(Field::Memo, "memo"), FIELDS[self.focus] == Field::Memo);
        if let Some(e) = &self.error {
            frame.render_widget(Line::from(e.as_str()).yellow().bold(), message);
        }
        let table = self.table();
        let hint_text = hints(
            keys,
            table,
            &[
                (Action::NextField, "next field"),
                (Action::ToggleCode, "tick"),
                (Action::SaveNarrative, "save"),
                (Action::Back, "cancel"),
            ],
        );
        frame.render_widget(Line::from(hint_text).dim(), hint);
    }

    fn render_checklist(&self, frame: &mut Frame, area: Rect) {
        let height = usize::from(area.height);
        if height == 0 {
            return;
        }
        let focused = FIELDS[self.focus] == Field::Codes;
        // Keep the cursor row in view.
        let top = self.row.saturating_sub(height.saturating_sub(1));
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(top)
            .take(height)
            .map(|(i, row)| match row {
                Row::Group { name, kind } => {
                    let rule = match kind {
                        GroupKind::OneOf => "one of",
                        GroupKind::AnyOf => "any of",
                        GroupKind::Scale => "scale, one of",
                    };
                    Line::from(format!("  {name} ({rule})")).bold()
                }
                Row::Code { id, name, retired } => {
                    let ticked = self.codes.contains(id);
                    let single = matches!(self.group_kind_before(i), Some(k) if k.is_single());
                    let tick = match (single, ticked) {
                        (true, true) => "(•)",
                        (true, false) => "( )",
                        (false, true) => "[x]",
                        (false, false) => "[ ]",
                    };
                    let retired = if *retired { " (retired)" } else { "" };
                    let line = Line::from(format!("    {tick} {name}{retired}"));
                    let style = if focused && i == self.row {
                        Style::default().add_modifier(Modifier::REVERSED)
                    } else if ticked {
                        Style::default().add_modifier(Modifier::BOLD)
                    } else {
                        Style::default()
                    };
                    line.style(style)
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn group_kind_before(&self, row: usize) -> Option<GroupKind> {
        self.rows[..row].iter().rev().find_map(|r| match r {
            Row::Group { kind, .. } => Some(*kind),
            _ => None,
        })
    }
}
