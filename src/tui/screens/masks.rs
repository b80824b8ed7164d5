//! What the detectors propose to mask — CPR numbers, phone numbers, e-mail
//! addresses, capitalised words — in one session or the whole study, each
//! once with how often and where first. One key masks it (asking what to
//! write instead), one lets it be; the list drops what is settled.

use super::{hints, Effect, Input, Receipt};
use crate::domain::mask::detect::Kind;
use crate::domain::mask::fold;
use crate::domain::{Id, MaskList, Masker};
use crate::keymap::{Action, Keymap, Table};
use crate::store::Change;
use crate::tui::widgets::header;
use crate::tui::widgets::mask_question::{masks_whole, MaskQuestion, Masked};
use crate::tui::widgets::prompt;
use crate::tui::widgets::wrap::wrap;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Row, Table as TableWidget, TableState};
use ratatui::Frame;
use std::cell::Cell;

/// Where a proposal was seen in one case: how often, and first.
#[derive(Clone, Debug)]
pub struct Seen {
    pub case: Id,
    pub case_code: String,
    pub count: usize,
    pub session: Id,
    /// The line (or a narrative's first line); none for a session's notes.
    pub seq: Option<u32>,
}

/// One proposal, with the cases it was seen in (masking for one case only
/// settles it there and leaves the rest).
#[derive(Clone, Debug)]
pub struct Candidate {
    pub kind: Kind,
    pub text: String,
    pub seen: Vec<Seen>,
}

impl Candidate {
    pub fn count(&self) -> usize {
        self.seen.iter().map(|s| s.count).sum()
    }
}

/// Adds one session's tally (`detect::tally` labelled with line numbers) to `rows`.
pub fn add_tally(
    rows: &mut Vec<Candidate>,
    (case, case_code, session): (Id, &str, Id),
    tally: Vec<(Kind, String, usize, Option<u32>)>,
) {
    for (kind, text, count, seq) in tally {
        let seen = Seen { case, case_code: case_code.to_string(), count, session, seq };
        match rows.iter_mut().find(|r| r.kind == kind && fold(&r.text) == fold(&text)) {
            Some(row) => match row.seen.iter_mut().find(|s| s.case == case) {
                Some(s) => s.count += count,
                None => row.seen.push(seen),
            },
            None => rows.push(Candidate { kind, text, seen: vec![seen] }),
        }
    }
}

pub struct CandidatesState {
    /// What was looked through: a session (its case, kind and date), or the whole study.
    scope: Vec<String>,
    whole_study: bool,
    rows: Vec<Candidate>,
    selected: usize,
    masks: MaskList,
    asking: Option<Box<MaskQuestion>>,
    message: Option<String>,
    page: Cell<usize>,
}

impl CandidatesState {
    /// The proposals, most frequent first.
    pub fn new(scope: Vec<String>, whole_study: bool, mut rows: Vec<Candidate>, masks: MaskList) -> Self {
        rows.sort_by(|a, b| b.count().cmp(&a.count()).then(a.kind.cmp(&b.kind)).then(a.text.cmp(&b.text)));
        CandidatesState {
            scope,
            whole_study,
            rows,
            selected: 0,
            masks,
            asking: None,
            message: None,
            page: Cell::new(10),
        }
    }

    pub fn table(&self) -> Table {
        match self.asking {
            Some(_) => Table::Prompt,
            None => Table::Masks,
        }
    }

    pub fn asks_mask(&self) -> bool {
        self.asking.is_some()
    }

    /// The study's mask list as it now is: what it masks or allows leaves the list.
    pub fn set_masks(&mut self, list: MaskList) {
        for row in &mut self.rows {
            if list.is_allowed(&row.text) {
                row.seen.clear();
            }
            row.seen
                .retain(|s| !masks_whole(&Masker::new(&list, Some(s.case)), &row.text, 0..row.text.len()));
        }
        self.rows.retain(|r| !r.seen.is_empty());
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.masks = list;
    }

    pub fn on_saved(&mut self, receipt: &Receipt, error: Option<&str>) {
        self.message = match (error, receipt) {
            (Some(e), _) => Some(format!("NOT SAVED: {e}")),
            (None, Receipt::MaskList(said) | Receipt::Said(said)) => Some(said.clone()),
            (None, _) => return,
        };
    }

    pub fn update(&mut self, input: Input) -> Effect {
        if let Some(question) = self.asking.take() {
            let (still, done) = question.update(input, &self.masks);
            self.asking = still.map(Box::new);
            return match done {
                Some(Masked { list, said }) => self.save(list, said),
                None if self.asking.is_none() => {
                    self.message = Some("Nothing was masked.".into());
                    Effect::None
                }
                None => Effect::None,
            };
        }
        self.message = None;
        let last = self.rows.len().saturating_sub(1);
        let page = self.page.get().max(1);
        let Input::Action(action) = input else { return Effect::None };
        match action {
            Action::SelectUp => self.selected = self.selected.saturating_sub(1),
            Action::SelectDown => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::GoFirst => self.selected = 0,
            Action::GoLast => self.selected = last,
            Action::MaskFinding => match self.rows.get(self.selected) {
                Some(row) => {
                    let first = &row.seen[0];
                    let question = MaskQuestion::new(&row.text, first.case, &first.case_code, &self.masks)
                        .seen_in(&row.text, 0..row.text.len());
                    self.asking = Some(Box::new(question));
                }
                None => self.message = Some("Nothing is proposed here.".into()),
            },
            Action::AllowFinding => {
                if let Some(text) = self.rows.get(self.selected).map(|r| r.text.clone()) {
                    let mut list = self.masks.clone();
                    list.allow(&text);
                    return self.save(list, format!("\"{text}\" is allowed: it is not proposed again."));
                }
            }
            Action::ShowLine => {
                if let Some(first) = self.rows.get(self.selected).map(|r| &r.seen[0]) {
                    return Effect::OpenReview { session: first.session, seq: first.seq };
                }
            }
            Action::Back => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    fn save(&mut self, list: MaskList, said: String) -> Effect {
        self.set_masks(list.clone());
        self.message = Some("Saving the mask list…".into());
        Effect::save(vec![Change::MaskList(list)], Receipt::MaskList(said))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let hint = hints(
            keys,
            Table::Masks,
            &[
                (Action::MaskFinding, "mask"),
                (Action::AllowFinding, "allow"),
                (Action::ShowLine, "show line"),
                (Action::Help, "help"),
                (Action::Back, "back"),
            ],
        );
        let width = usize::from(area.width).max(1);
        let below = match (&self.asking, &self.message) {
            (Some(question), _) => question.prompt().rows_below(keys, width),
            (None, Some(m)) if wrap(m, width).len() > 1 => wrap(m, width).len().saturating_sub(1) as u16,
            _ => wrap(&hint, width).len() as u16,
        };
        let [top, body, row, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(below.clamp(1, 3)),
        ])
        .areas(area);
        let proposed = crate::domain::text::count(self.rows.len(), "proposal");
        let right = format!("{proposed} · {} masked ", self.masks.terms.len());
        let mut left = vec!["To mask?".to_string()];
        left.extend(self.scope.iter().cloned());
        header::render(frame, top, &left, &right);
        self.render_rows(frame, body);
        let asking = self.asking.as_ref().map(|q| q.prompt());
        prompt::bottom(frame, [row, footer], keys, asking, self.message.as_deref(), hint);
    }

    fn render_rows(&self, frame: &mut Frame, area: Rect) {
        self.page.set(usize::from(area.height).saturating_sub(2).max(1));
        if self.rows.is_empty() {
            let text = "Nothing is proposed: every name, number and address the detectors know is masked or allowed.";
            let lines: Vec<ratatui::text::Line> =
                wrap(text, usize::from(area.width).saturating_sub(1).max(1))
                    .into_iter()
                    .map(Into::into)
                    .collect();
            frame.render_widget(ratatui::widgets::Paragraph::new(lines), area);
            return;
        }
        let header = Row::new(["proposed", "kind", "times", "first seen"])
            .style(Style::default().add_modifier(Modifier::BOLD));
        let rows = self.rows.iter().map(|c| {
            let first = &c.seen[0];
            let line = first.seq.map_or("notes".to_string(), |s| format!("line {s}"));
            let place = match self.whole_study {
                true => format!("{} {line}", first.case_code),
                false => line,
            };
            Row::new([c.text.replace('\n', " "), c.kind.word().to_string(), format!("×{}", c.count()), place])
        });
        let widths =
            [Constraint::Min(10), Constraint::Length(16), Constraint::Length(5), Constraint::Length(13)];
        let table = TableWidget::new(rows, widths)
            .header(header)
            .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▸ ");
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
    }
}
