//! The codebook screen: groups and their codes; add, rename, describe,
//! retire (never delete), and change a group's kind.

use super::{hints, Effect, Input, Receipt};
use crate::domain::{Codebook, GroupKind, Id, Narrative};
use crate::keymap::{Action, Keymap, Table};
use crate::store::Change;
use crate::tui::widgets::prompt::{self, ask, Prompt};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::Frame;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Asking {
    NewGroup,
    NewCode(Id),
    Rename(Id),
    Describe(Id),
}

/// Each question the codebook asks, with what Enter does.
fn question(asking: Asking) -> Prompt<Asking> {
    let (label, verb) = match asking {
        Asking::NewGroup => ("New any-of group (the kind key changes it): ", "add"),
        Asking::NewCode(_) => ("New code: ", "add"),
        Asking::Rename(_) => ("New name: ", "rename"),
        Asking::Describe(_) => ("Description: ", "save"),
    };
    Prompt::new(asking, label, verb)
}

pub struct CodebookState {
    book: Codebook,
    /// The study's narratives, to refuse a kind change they would break.
    narratives: Vec<Narrative>,
    /// Rows: (group id, code id if a code row).
    rows: Vec<(Id, Option<Id>)>,
    selected: usize,
    asking: Option<Prompt<Asking>>,
    message: Option<String>,
}

impl CodebookState {
    pub fn new(book: Codebook, narratives: Vec<Narrative>) -> Self {
        let mut state =
            CodebookState { book, narratives, rows: Vec::new(), selected: 0, asking: None, message: None };
        state.refresh_rows();
        state
    }

    fn refresh_rows(&mut self) {
        self.rows = self
            .book
            .groups
            .iter()
            .flat_map(|g| {
                std::iter::once((g.id, None)).chain(g.codes.iter().map(move |c| (g.id, Some(c.id))))
            })
            .collect();
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn table(&self) -> Table {
        if self.asking.is_some() {
            Table::Prompt
        } else {
            Table::Codebook
        }
    }

    fn selected_id(&self) -> Option<Id> {
        self.rows.get(self.selected).map(|(g, c)| c.unwrap_or(*g))
    }

    fn save(&mut self) -> Effect {
        Effect::save(vec![Change::Codebook(self.book.clone())], Receipt::Said("Codebook saved.".into()))
    }

    /// Takes the store writer's word on a save this screen asked for.
    pub fn on_saved(&mut self, receipt: &Receipt, error: Option<&str>) {
        self.message = match (error, receipt) {
            (Some(e), _) => Some(format!("NOT SAVED: {e}")),
            (None, Receipt::Said(done)) => Some(done.clone()),
            (None, _) => return,
        };
    }

    pub fn update(&mut self, input: Input) -> Effect {
        if let Some(prompt) = self.asking.take() {
            let (still, done) = ask(prompt, input, |asking, text| self.answer(asking, text));
            self.asking = still;
            return done.unwrap_or(Effect::None);
        }
        self.message = None;
        let Input::Action(action) = input else { return Effect::None };
        let group = self.rows.get(self.selected).map(|(g, _)| *g);
        match action {
            Action::SelectUp => self.selected = self.selected.saturating_sub(1),
            Action::SelectDown => self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1)),
            Action::AddGroup => self.asking = Some(question(Asking::NewGroup)),
            Action::AddCode => {
                if let Some(g) = group {
                    self.asking = Some(question(Asking::NewCode(g)));
                }
            }
            Action::Rename => {
                if let Some(id) = self.selected_id() {
                    self.asking = Some(question(Asking::Rename(id)).with_text(&self.name(id)));
                }
            }
            Action::Describe => {
                if let Some(id) = self.selected_id() {
                    self.asking = Some(question(Asking::Describe(id)).with_text(&self.description(id)));
                }
            }
            Action::Retire => {
                if let Some(id) = self.selected_id() {
                    self.book.toggle_retired(id);
                    return self.save();
                }
            }
            Action::CycleKind => {
                if let Some(g) = group {
                    return self.cycle_kind(g);
                }
            }
            Action::Back => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    fn name(&self, id: Id) -> String {
        self.book
            .groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.name.clone())
            .or_else(|| self.book.code(id).map(|c| c.name.clone()))
            .unwrap_or_default()
    }

    fn description(&self, id: Id) -> String {
        self.book
            .groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.description.clone())
            .or_else(|| self.book.code(id).map(|c| c.description.clone()))
            .unwrap_or_default()
    }

    fn answer(&mut self, asking: Asking, text: &str) -> Result<Effect, String> {
        let result = match asking {
            Asking::NewGroup => self.book.add_group(text, GroupKind::AnyOf).map(|_| ()),
            Asking::NewCode(group) => self.book.add_code(group, text).map(|_| ()),
            Asking::Rename(id) => self.book.rename(id, text),
            Asking::Describe(id) => {
                self.book.describe(id, text);
                Ok(())
            }
        };
        result.map_err(|e| e.to_string())?;
        self.refresh_rows();
        Ok(self.save())
    }

    /// one-of → any-of → scale → one-of; refused where narratives already
    /// carry two codes of the group and the new kind allows one.
    fn cycle_kind(&mut self, group: Id) -> Effect {
        let mut changed = self.book.clone();
        let Some(g) = changed.groups.iter_mut().find(|g| g.id == group) else { return Effect::None };
        let i = GroupKind::ALL.iter().position(|k| *k == g.kind).unwrap_or(0);
        g.kind = GroupKind::ALL[(i + 1) % GroupKind::ALL.len()];
        if let Some(n) = self.narratives.iter().find(|n| !n.deleted && changed.check(&n.codes).is_err()) {
            self.message = Some(format!(
                "Narrative \"{}\" carries two codes of this group, so it must stay any-of.",
                n.title
            ));
            return Effect::None;
        }
        self.book = changed;
        self.save()
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, body, prompt_row, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Line::from(" Codebook").bold(), title);
        let height = usize::from(body.height);
        let top = self.selected.saturating_sub(height.saturating_sub(1));
        for (row, (i, (group_id, code_id))) in self.rows.iter().enumerate().skip(top).take(height).enumerate()
        {
            let Some(group) = self.book.groups.iter().find(|g| g.id == *group_id) else { continue };
            let (text, bold, retired, description) = match code_id
                .and_then(|c| group.codes.iter().find(|x| x.id == c))
            {
                Some(code) => (format!("    {}", code.name), false, code.retired, code.description.clone()),
                None => (
                    format!(" {} ({})", group.name, group.kind),
                    true,
                    group.retired,
                    group.description.clone(),
                ),
            };
            let mut style =
                if bold { Style::default().add_modifier(Modifier::BOLD) } else { Style::default() };
            if retired {
                style = style.add_modifier(Modifier::DIM | Modifier::CROSSED_OUT);
            }
            if i == self.selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let mut spans = vec![Span::styled(text, style)];
            if retired {
                spans.push(Span::raw(" (retired)").dim());
            }
            if !description.is_empty() {
                spans.push(Span::raw(format!("  {description}")).dim());
            }
            frame.render_widget(Line::from(spans), Rect::new(body.x, body.y + row as u16, body.width, 1));
        }
        let hint = hints(
            keys,
            self.table(),
            &[
                (Action::AddCode, "add code"),
                (Action::AddGroup, "add group"),
                (Action::Rename, "rename"),
                (Action::Describe, "describe"),
                (Action::Retire, "retire"),
                (Action::CycleKind, "kind"),
                (Action::Back, "back"),
            ],
        );
        let (asking, message) = (self.asking.as_ref(), self.message.as_deref());
        prompt::bottom(frame, [prompt_row, footer], keys, asking, message, hint);
    }
}
