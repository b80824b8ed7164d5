//! The coders' disagreements side by side, one passage at a time: what
//! each coder flagged there (span, title, codes, memo), and a key to make
//! one coder's version the team's. Both originals are kept; the team's
//! version is a narrative of its own, by `team`. Sessions coded blind are
//! left out: the team turns blind coding off when it meets to discuss.

use super::{hints, Effect, Input, Receipt};
use crate::domain::agreement::{settlement, value_words, Unit};
use crate::domain::{Codebook, Narrative};
use crate::keymap::{Action, Keymap, Table};
use crate::store::Change;
use crate::tui::widgets::wrap::wrap;
use chrono::{DateTime, FixedOffset};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// One passage to discuss.
pub struct Disagreement {
    pub unit: Unit,
    pub case: String,
    pub contact: u32,
    /// The coders compared, left and right (one may not have flagged it).
    pub coders: [String; 2],
    /// What differs: the code groups, or that only some flagged it.
    pub what: Vec<String>,
}

pub struct DisagreementsState {
    items: Vec<Disagreement>,
    codebook: Codebook,
    selected: usize,
    status: String,
    /// Passages in sessions coded blind, left out.
    blind_left_out: usize,
}

impl DisagreementsState {
    pub fn new(items: Vec<Disagreement>, codebook: Codebook, blind_left_out: usize) -> Self {
        DisagreementsState { items, codebook, selected: 0, status: String::new(), blind_left_out }
    }

    pub fn table(&self) -> Table {
        Table::Disagreements
    }

    pub fn on_saved(&mut self, receipt: &Receipt, error: Option<&str>) {
        self.status = match (error, receipt) {
            (Some(e), _) => format!("NOT SAVED: {e}"),
            (None, Receipt::Said(done)) => done.clone(),
            (None, _) => return,
        };
    }

    pub fn update(&mut self, input: Input, now: DateTime<FixedOffset>) -> Effect {
        match input {
            Input::Action(Action::SelectUp) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::SelectDown) => {
                self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1))
            }
            Input::Action(Action::SettleFirst) => return self.settle(0, now),
            Input::Action(Action::SettleSecond) => return self.settle(1, now),
            Input::Action(Action::Confirm) => {
                if let Some(item) = self.items.get(self.selected) {
                    let seq = item.unit.by.values().map(|n| n.first_seq).min();
                    return Effect::OpenReview { session: item.unit.session, seq };
                }
            }
            Input::Action(Action::Back) => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    /// The coder on `side` has the last word on the selected passage.
    fn settle(&mut self, side: usize, now: DateTime<FixedOffset>) -> Effect {
        if self.selected >= self.items.len() {
            return Effect::None;
        }
        let item = self.items.remove(self.selected);
        self.selected = self.selected.min(self.items.len().saturating_sub(1));
        let coder = &item.coders[side];
        let chosen = item.unit.by.get(coder);
        let Some(team) = settlement(&item.unit, chosen, now) else { return Effect::None };
        let done = match chosen {
            Some(n) => {
                format!("Settled: {coder}'s \"{}\" is the team's version; both originals are kept.", n.title)
            }
            None => format!("Settled as {coder} read it: no narrative there; both originals are kept."),
        };
        self.status = "Saving…".into();
        Effect::save(vec![Change::Narrative(team)], Receipt::Said(done))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, list, panes, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(6),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let blind = if self.blind_left_out > 0 {
            format!(" · {} in blind sessions left out", self.blind_left_out)
        } else {
            String::new()
        };
        frame.render_widget(
            Line::from(format!(" Disagreements · {} to settle{blind}", self.items.len())).bold(),
            title,
        );
        let top = self.selected.saturating_sub(list.height.saturating_sub(1) as usize);
        let rows: Vec<Line> = self
            .items
            .iter()
            .enumerate()
            .skip(top)
            .take(list.height as usize)
            .map(|(i, d)| {
                let first = d.unit.by.values().map(|n| n.first_seq).min().unwrap_or(0);
                let last = d.unit.by.values().map(|n| n.last_seq).max().unwrap_or(0);
                let text = format!(
                    " {:<8} contact {}  lines {first}–{last}  {}",
                    d.case,
                    d.contact,
                    d.what.join(", ")
                );
                let line = Line::from(text);
                if i == self.selected {
                    line.style(Style::default().add_modifier(Modifier::REVERSED))
                } else {
                    line
                }
            })
            .collect();
        if rows.is_empty() {
            frame.render_widget(Line::from(" Nothing to settle: the coders agree.").dim(), list);
        } else {
            frame.render_widget(Paragraph::new(rows), list);
        }
        if let Some(item) = self.items.get(self.selected) {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(panes);
            for (side, area) in [(0, left), (1, right)] {
                let coder = &item.coders[side];
                let lines = self.describe(item.unit.by.get(coder), area.width.saturating_sub(2) as usize);
                let block = Block::default().borders(Borders::ALL).title(format!(" {} {coder} ", side + 1));
                frame.render_widget(Paragraph::new(lines).block(block), area);
            }
        }
        frame.render_widget(Line::from(self.status.as_str()), status);
        let hint = hints(
            keys,
            Table::Disagreements,
            &[
                (Action::SettleFirst, "left is the team's"),
                (Action::SettleSecond, "right is"),
                (Action::Confirm, "read"),
                (Action::Help, "help"),
                (Action::Back, "back"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }

    /// What one coder did with the passage, in lines of `width`.
    fn describe(&self, narrative: Option<&Narrative>, width: usize) -> Vec<Line<'static>> {
        let Some(n) = narrative else { return vec![Line::from("(not flagged)").dim()] };
        let mut out = vec![Line::from(format!("lines {}–{}", n.first_seq, n.last_seq))];
        out.extend(wrap(&n.title, width.max(1)).into_iter().map(|l| Line::from(l).bold()));
        for group in &self.codebook.groups {
            let said = value_words(group, n);
            if said != "nothing" {
                out.extend(
                    wrap(&format!("{}: {said}", group.name), width.max(1)).into_iter().map(Line::from),
                );
            }
        }
        if !n.memo.is_empty() {
            out.extend(wrap(&n.memo, width.max(1)).into_iter().map(|l| Line::from(l).italic()));
        }
        out
    }
}
