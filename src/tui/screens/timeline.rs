//! The time view: every case's follow-up year on one screen, a lane per
//! case over the months — sessions by kind, efforts as bars, narratives as
//! marks by agency or time orientation (◇ where their told events
//! happened), missed and partial contacts, dropouts. Scroll by lane and by
//! month, zoom by how many cells a month gets; Enter opens the chosen
//! lane's case.

use super::{hints, Effect, Input};
use crate::domain::timeline::{Lane, Timeline};
use crate::domain::SessionKind;
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::lanes::{lane_spans, MarkBy, LEGEND, LEGEND_MORE};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// Cells a month can get, narrow to wide.
const ZOOMS: [u16; 6] = [1, 2, 3, 4, 6, 8];
/// The case code's column and the "before the follow-up" column.
const CODE_WIDTH: u16 = 6;

pub struct TimelineState {
    timeline: Timeline,
    /// The chosen lane (Enter opens its case), and the first lane shown.
    selected: usize,
    /// Kept so by each frame too: a resize or two rows a case can move it.
    top: std::cell::Cell<usize>,
    first_month: i32,
    /// An index into `ZOOMS`; `None` until the first frame fits it to the width.
    zoom: Option<usize>,
    mark_by: MarkBy,
    /// Two rows a case: the person's narratives (with everything else), the professionals'.
    voices: bool,
    /// Lanes shown by the last frame (for paging).
    page: std::cell::Cell<usize>,
}

impl TimelineState {
    pub fn new(timeline: Timeline) -> Self {
        TimelineState {
            timeline,
            selected: 0,
            top: 0.into(),
            first_month: 0,
            zoom: None,
            mark_by: MarkBy::Agency,
            voices: false,
            page: 10.into(),
        }
    }

    /// How `old` was looking (lane, months, zoom, marks, voices), on this newly read view.
    pub fn keep_view(&mut self, old: &TimelineState) {
        self.selected = old.selected.min(self.timeline.lanes.len().saturating_sub(1));
        self.top.set(old.top.get());
        self.first_month = old.first_month.min((self.timeline.months - 1).max(0));
        self.zoom = old.zoom;
        self.mark_by = old.mark_by;
        self.voices = old.voices;
    }

    pub fn table(&self) -> Table {
        Table::Timeline
    }

    /// The widest zoom at which every month fits in `width` cells.
    fn fitting(&self, width: u16) -> usize {
        let months = self.timeline.months.max(1) as u32;
        ZOOMS.iter().rposition(|z| u32::from(*z) * months <= u32::from(width)).unwrap_or(0)
    }

    pub fn update(&mut self, input: Input) -> Effect {
        let lanes = self.timeline.lanes.len();
        let zoom = self.zoom.unwrap_or(2);
        let last = lanes.saturating_sub(1);
        match input {
            Input::Action(Action::SelectUp) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::SelectDown) => self.selected = (self.selected + 1).min(last),
            Input::Action(Action::PageUp) => self.selected = self.selected.saturating_sub(self.page.get()),
            Input::Action(Action::PageDown) => self.selected = (self.selected + self.page.get()).min(last),
            Input::Action(Action::OpenCase) => {
                if let Some(lane) = self.timeline.lanes.get(self.selected) {
                    return Effect::OpenCase(lane.case_id);
                }
            }
            Input::Action(Action::SelectLeft) => self.first_month = (self.first_month - 1).max(0),
            Input::Action(Action::SelectRight) => {
                self.first_month = (self.first_month + 1).min(self.timeline.months - 1).max(0)
            }
            Input::Action(Action::ZoomIn) => self.zoom = Some((zoom + 1).min(ZOOMS.len() - 1)),
            Input::Action(Action::ZoomOut) => self.zoom = Some(zoom.saturating_sub(1)),
            Input::Action(Action::CycleMarks) => {
                self.mark_by = match self.mark_by {
                    MarkBy::Agency => MarkBy::Orientation,
                    MarkBy::Orientation => MarkBy::Agency,
                }
            }
            Input::Action(Action::ToggleVoices) => self.voices = !self.voices,
            Input::Action(Action::Back) => return Effect::Back,
            _ => {}
        }
        self.keep_in_view(self.page.get());
        Effect::None
    }

    /// Scrolls so the chosen lane is among the `shown` on screen.
    fn keep_in_view(&self, shown: usize) {
        let top = self.top.get();
        if self.selected < top {
            self.top.set(self.selected);
        } else if self.selected >= top + shown {
            self.top.set(self.selected + 1 - shown);
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [title, months, body, legend, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(area);
        let room = area.width.saturating_sub(CODE_WIDTH + 1);
        let zoom = ZOOMS[self.zoom.unwrap_or_else(|| self.fitting(room))];
        let shown = (i32::from(room) / i32::from(zoom)).min(self.timeline.months - self.first_month).max(0);
        let last = self.first_month + shown - 1;
        frame.render_widget(
            Line::from(format!(
                " Time view: {} cases, {} to {} · narratives by {}",
                self.timeline.lanes.len(),
                self.timeline.label(self.first_month),
                self.timeline.label(last.max(self.first_month)),
                self.mark_by.word()
            ))
            .bold(),
            title,
        );
        frame.render_widget(Line::from(self.month_header(shown, zoom)).dim(), months);
        let per_lane = if self.voices { 2 } else { 1 };
        self.page.set((usize::from(body.height) / per_lane).max(1));
        self.keep_in_view(self.page.get());
        let rows: Vec<(usize, Lane)> = self
            .timeline
            .lanes
            .iter()
            .enumerate()
            .skip(self.top.get())
            .take(usize::from(body.height))
            .flat_map(|(i, lane)| {
                let rows = if self.voices { voices(lane) } else { vec![lane.clone()] };
                rows.into_iter().map(move |row| (i, row))
            })
            .take(usize::from(body.height))
            .collect();
        let lines: Vec<Line> = rows
            .iter()
            .map(|(i, lane)| {
                let before = lane.narratives.iter().any(|n| n.before);
                let code = format!("{:<width$}", lane.case, width = usize::from(CODE_WIDTH));
                let chosen = *i == self.selected && !lane.case.starts_with(' ');
                let mut spans = vec![
                    if chosen { Span::raw(code).reversed() } else { Span::raw(code) },
                    Span::styled(if before { "◇" } else { " " }, Style::default().fg(Color::Cyan)),
                ];
                spans.extend(lane_spans(lane, self.first_month, shown, zoom, self.mark_by));
                Line::from(spans)
            })
            .collect();
        frame.render_widget(ratatui::widgets::Paragraph::new(lines), body);
        let legend_text = vec![
            Line::from(LEGEND).dim(),
            Line::from(format!("{LEGEND_MORE} {}", self.mark_by.legend())).dim(),
        ];
        frame.render_widget(ratatui::widgets::Paragraph::new(legend_text), legend);
        let hint = hints(
            keys,
            Table::Timeline,
            &[
                (Action::SelectDown, "cases"),
                (Action::OpenCase, "open"),
                (Action::SelectRight, "months"),
                (Action::ZoomIn, "zoom"),
                (Action::CycleMarks, "marks"),
                (Action::ToggleVoices, "voices"),
                (Action::Help, "help"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }

    /// Month labels where they fit: `2025-03` at wide zooms, else `03`, with
    /// the year written at the first label and wherever it changes.
    fn month_header(&self, shown: i32, zoom: u16) -> String {
        let mut header = " ".repeat(usize::from(CODE_WIDTH) + 1);
        let mut used = 0usize;
        let mut year: Option<String> = None;
        for i in 0..shown {
            let m = self.first_month + i;
            let at = (i as usize) * usize::from(zoom);
            if at < used {
                continue;
            }
            let full = self.timeline.label(m);
            let new_year = year.as_deref() != Some(&full[..4]);
            let label = if usize::from(zoom) * 2 > full.len() || new_year {
                full.clone()
            } else {
                full[5..].to_string()
            };
            year = Some(full[..4].to_string());
            header.push_str(&" ".repeat(at - used));
            header.push_str(&label);
            used = at + label.len() + 1;
            header.push(' ');
        }
        header
    }
}

/// A case's two rows when voices are apart: the person's narratives with
/// everything else, then the professionals' narratives and interviews.
fn voices(lane: &Lane) -> Vec<Lane> {
    let mut person = lane.clone();
    person.narratives.retain(|n| n.by_person);
    let professionals = Lane {
        case: " prof.".into(),
        case_id: lane.case_id,
        sessions: lane
            .sessions
            .iter()
            .filter(|s| s.kind == SessionKind::ProfessionalInterview)
            .cloned()
            .collect(),
        efforts: vec![],
        narratives: lane.narratives.iter().filter(|n| !n.by_person).cloned().collect(),
        contacts: vec![],
        dropout: lane.dropout,
    };
    vec![person, professionals]
}
