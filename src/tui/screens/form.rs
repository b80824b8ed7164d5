//! Starting a session: kind, contact point, place and speakers, with
//! defaults a researcher would pick (DESIGN §2).

use super::{hints, Effect, Input};
use crate::domain::session::{check_speakers, default_speakers};
use crate::domain::{Case, Place, Session, SessionKind, Speaker};
use crate::keymap::{Action, Keymap, Table};
use crate::tui::widgets::input::TextInput;
use chrono::{DateTime, FixedOffset};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::Frame;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Kind,
    Contact,
    Place,
    Speakers,
}

const FIELDS: [Field; 4] = [Field::Kind, Field::Contact, Field::Place, Field::Speakers];

pub struct FormState {
    case: Case,
    kind: SessionKind,
    contact: u32,
    place: TextInput,
    speakers: TextInput,
    focus: usize,
    error: Option<String>,
}

/// Speakers as the form shows them: `AA:participant, I:interviewer`.
fn speakers_text(speakers: &[Speaker]) -> String {
    speakers.iter().map(|s| format!("{}:{}", s.label, s.role)).collect::<Vec<_>>().join(", ")
}

impl FormState {
    pub fn new(case: Case, next_contact: u32) -> Self {
        let kind = SessionKind::Observation;
        let speakers = TextInput::with_text(&speakers_text(&default_speakers(kind, &case.code)));
        FormState {
            kind,
            contact: next_contact.max(1),
            place: TextInput::with_text(Place::JobCentre.word()),
            speakers,
            focus: 0,
            error: None,
            case,
        }
    }

    pub fn table(&self) -> Table {
        Table::Form
    }

    pub fn case_id(&self) -> crate::domain::Id {
        self.case.id
    }

    pub fn update(&mut self, input: Input, now: DateTime<FixedOffset>) -> Effect {
        let field = FIELDS[self.focus];
        match input {
            Input::Action(Action::Back) => return Effect::Back,
            Input::Action(Action::NextField) => self.focus = (self.focus + 1) % FIELDS.len(),
            Input::Action(Action::PreviousField) => {
                self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len()
            }
            Input::Action(Action::Confirm) => return self.start(now),
            Input::Action(a @ (Action::CursorLeft | Action::CursorRight)) if field == Field::Kind => {
                let step = if a == Action::CursorRight { 1 } else { SessionKind::ALL.len() - 1 };
                let i = SessionKind::ALL.iter().position(|k| *k == self.kind).unwrap_or(0);
                self.set_kind(SessionKind::ALL[(i + step) % SessionKind::ALL.len()]);
            }
            Input::Action(a @ (Action::CursorLeft | Action::CursorRight)) if field == Field::Contact => {
                self.contact = if a == Action::CursorRight {
                    (self.contact + 1).min(crate::domain::contacts::ContactPlan::MOST)
                } else {
                    self.contact.saturating_sub(1).max(1)
                };
            }
            Input::Char(c) if field == Field::Contact => {
                // Contact points are small ordinals: a digit sets it, arrows go beyond 9.
                if let Some(d) = c.to_digit(10) {
                    self.contact = d.max(1);
                }
            }
            input => {
                if let Some(text) = self.text_field() {
                    match input {
                        Input::Char(c) => text.insert_char(c),
                        Input::Paste(p) => text.insert_paste(&p),
                        Input::Action(action) => {
                            text.edit(action);
                        }
                    }
                }
            }
        }
        Effect::None
    }

    fn text_field(&mut self) -> Option<&mut TextInput> {
        match FIELDS[self.focus] {
            Field::Place => Some(&mut self.place),
            Field::Speakers => Some(&mut self.speakers),
            _ => None,
        }
    }

    /// A new kind brings its default speakers, unless the researcher changed them.
    fn set_kind(&mut self, kind: SessionKind) {
        let old_default = speakers_text(&default_speakers(self.kind, &self.case.code));
        if self.speakers.text() == old_default {
            self.speakers = TextInput::with_text(&speakers_text(&default_speakers(kind, &self.case.code)));
        }
        self.kind = kind;
    }

    fn parse_speakers(&self) -> Result<Vec<Speaker>, String> {
        let mut speakers = Vec::new();
        for (i, part) in self.speakers.text().split(',').filter(|p| !p.trim().is_empty()).enumerate() {
            speakers.push(Speaker::parse(part, (i + 1) as u8).map_err(|e| e.to_string())?);
        }
        check_speakers(&speakers).map_err(|e| e.to_string())?;
        Ok(speakers)
    }

    fn start(&mut self, now: DateTime<FixedOffset>) -> Effect {
        let speakers = match self.parse_speakers() {
            Ok(s) => s,
            Err(e) => {
                self.error = Some(e);
                self.focus = 3;
                return Effect::None;
            }
        };
        let session = Session::new(self.case.id, self.kind, self.contact, &self.place.text(), speakers, now);
        Effect::StartSession { session: Box::new(session), case: self.case.code.to_string() }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let rows = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .split(area);
        frame.render_widget(Line::from(format!(" New session for case {}", self.case.code).bold()), rows[0]);
        let label = |field: Field, name: &'static str| {
            let focused = FIELDS[self.focus] == field;
            let text = format!("{} {name:<14}", if focused { "▸" } else { " " });
            if focused {
                Span::raw(text).bold()
            } else {
                Span::raw(text)
            }
        };
        frame.render_widget(
            Line::from(vec![label(Field::Kind, "kind"), Span::raw(format!("◂ {} ▸", self.kind))]),
            rows[1],
        );
        frame.render_widget(
            Line::from(vec![
                label(Field::Contact, "contact point"),
                Span::raw(format!("◂ {} ▸", self.contact)),
            ]),
            rows[2],
        );
        self.place.render(frame, rows[3], label(Field::Place, "place"), FIELDS[self.focus] == Field::Place);
        self.speakers.render(
            frame,
            rows[4],
            label(Field::Speakers, "speakers"),
            FIELDS[self.focus] == Field::Speakers,
        );
        let help = match &self.error {
            Some(e) => Line::from(e.as_str()).red(),
            None => Line::from(
                "  Speakers as LABEL:ROLE separated by commas; their hotkeys follow this order. Roles: participant, caseworker, job-consultant, project-worker, other-professional, interviewer, other.",
            )
            .dim(),
        };
        frame.render_widget(
            ratatui::widgets::Paragraph::new(help).wrap(ratatui::widgets::Wrap { trim: true }),
            rows[6],
        );
        let hint = hints(
            keys,
            Table::Form,
            &[
                (Action::NextField, "next field"),
                (Action::CursorRight, "change"),
                (Action::Confirm, "start"),
                (Action::Back, "cancel"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), rows[7]);
    }
}
