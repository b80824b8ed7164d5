//! Live logging (DESIGN §3): type who says what; Enter saves the line, and
//! the status line says "saved" only once the store writer has fsynced it.

mod saves;

use super::{hints, Effect, Input, Receipt};
use crate::domain::clock::format_duration_ms;
use crate::domain::utterance::{mark_word, pause_length};
use crate::domain::{
    Draft, Mark, Revision, Session, SessionKind, Utterance, UtteranceKind, INTERVIEW_THEMES,
};
use crate::keymap::{Action, Keymap, Table, SPEAKER_KEYS, THEME_KEYS};
use crate::store::Change;
use crate::tui::widgets::header;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::prompt::{ask, Prompt};
use crate::tui::widgets::transcript::TranscriptLine;
use crate::tui::widgets::wrap::wrap;
use chrono::{DateTime, FixedOffset};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use saves::{Answer, Saves};

enum Mode {
    Typing,
    Correcting(Prompt<()>),
    ConfirmEnd,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tone {
    Info,
    Saved,
    Problem,
}

struct Logged {
    utterance: Utterance,
    saved: bool,
}

pub struct LiveState {
    pub session: Session,
    case: String,
    lines: Vec<Logged>,
    input: TextInput,
    /// Wall time and session-clock time of the current line's first keystroke.
    onset: Option<(DateTime<FixedOffset>, i64)>,
    speaker: usize,
    mode: Mode,
    status: (String, Tone),
    /// What the writer was asked to save and what it answered.
    saves: Saves,
    draft_dirty: bool,
    /// Whether the microphone is recording this session (the app says).
    pub microphone: bool,
}

impl LiveState {
    /// Opens a session for logging; a draft left by a crash is put back in the input line.
    pub fn open(session: Session, case: String, utterances: Vec<Utterance>, draft: Option<Draft>) -> Self {
        let lines = utterances.into_iter().map(|utterance| Logged { utterance, saved: true }).collect();
        let mut state = LiveState {
            session,
            case,
            lines,
            input: TextInput::default(),
            onset: None,
            speaker: 0,
            mode: Mode::Typing,
            status: ("Type what is said; Enter saves the line.".into(), Tone::Info),
            saves: Saves::default(),
            draft_dirty: false,
            microphone: false,
        };
        if let Some(draft) = draft.filter(|d| !d.text.is_empty()) {
            state.input = TextInput::with_text(&draft.text);
            state.speaker = state.session.speakers.iter().position(|s| s.label == draft.speaker).unwrap_or(0);
            state.onset = draft.onset.map(|at| (at, draft.onset_elapsed_ms));
            state.status = (
                "Recovered the line you were typing when fieldlog stopped: Enter saves it. (Terminal odd after a crash? Type reset.)".into(),
                Tone::Problem,
            );
        }
        state
    }

    pub fn table(&self) -> Table {
        match self.mode {
            Mode::Correcting(_) => Table::Prompt,
            _ => Table::Live,
        }
    }

    /// Keys of the live table that do nothing in this session: speakers it
    /// does not have, and the guide's themes outside an interview.
    pub fn meaningless(&self) -> Vec<Action> {
        let speakers = (1..=SPEAKER_KEYS)
            .filter(|n| !self.session.speakers.iter().any(|s| s.key == *n))
            .map(Action::SwitchSpeaker);
        let themes =
            (1..=THEME_KEYS).filter(|_| self.session.kind != SessionKind::Interview).map(Action::TickTheme);
        speakers.chain(themes).collect()
    }

    fn current_speaker(&self) -> String {
        self.session.speakers.get(self.speaker).map(|s| s.label.clone()).unwrap_or_default()
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.status = (text.into(), tone);
    }

    fn save(&mut self, changes: Vec<Change>, seq: u32) -> Effect {
        Effect::save(self.saves.send(seq, changes), Receipt::Line(seq))
    }

    fn save_session(&mut self) -> Effect {
        Effect::save(vec![Change::Session(self.session.clone())], Receipt::Session)
    }

    pub fn update(&mut self, input: Input, now: DateTime<FixedOffset>) -> Effect {
        match std::mem::replace(&mut self.mode, Mode::Typing) {
            Mode::Correcting(prompt) => {
                let (still, done) =
                    ask(prompt, input, |_, text| Ok(self.correct_last(text.to_string(), now)));
                match still {
                    Some(prompt) => self.mode = Mode::Correcting(prompt),
                    None if done.is_none() => self.say("Left as it was.", Tone::Info),
                    None => {}
                }
                done.unwrap_or(Effect::None)
            }
            Mode::ConfirmEnd if input == Input::Action(Action::EndSession) => self.end(now),
            Mode::ConfirmEnd | Mode::Typing => self.update_typing(input, now),
        }
    }

    fn update_typing(&mut self, input: Input, now: DateTime<FixedOffset>) -> Effect {
        let was_empty = self.input.is_empty();
        match input {
            Input::Char(c) => self.input.insert_char(c),
            Input::Paste(text) => self.input.insert_paste(&text),
            Input::Action(action) => return self.act(action, now),
        }
        if was_empty && !self.input.is_empty() {
            self.onset = Some((now, self.session.clock.elapsed_ms(now)));
        }
        self.draft_dirty = true;
        Effect::None
    }

    fn act(&mut self, action: Action, now: DateTime<FixedOffset>) -> Effect {
        match action {
            Action::CommitLine => return self.commit(UtteranceKind::Speech, now),
            Action::CommitEvent => return self.commit(UtteranceKind::Event, now),
            Action::CommitNote => return self.commit(UtteranceKind::Note, now),
            Action::InsertPause => match pause_length(&self.input.text()) {
                Ok(length) => {
                    self.input = TextInput::with_text(&length);
                    return self.commit(UtteranceKind::Pause, now);
                }
                Err(e) => self.say(e, Tone::Problem),
            },
            Action::SwitchSpeaker(n) => match self.session.speakers.iter().position(|s| s.key == n) {
                Some(i) => {
                    self.speaker = i;
                    self.draft_dirty = true;
                }
                None => self.say(format!("This session has no speaker {n}."), Tone::Problem),
            },
            Action::NextSpeaker => {
                self.speaker = (self.speaker + 1) % self.session.speakers.len().max(1);
                self.draft_dirty = true;
            }
            Action::ReassignLast => return self.reassign_last(now),
            // Like a pause's length, a mark's word is typed before the key.
            Action::MarkLast => match (self.last_index(), mark_word(&self.input.text())) {
                (None, _) => self.say("There is no line to mark yet.", Tone::Problem),
                (Some(_), Err(e)) => self.say(e, Tone::Problem),
                (Some(_), Ok(word)) => return self.mark_last(word, now),
            },
            Action::CorrectLast => match self.last_index() {
                Some(i) => {
                    let seq = self.lines[i].utterance.seq;
                    let prompt = Prompt::new((), format!("Correct line {seq}: "), "correct");
                    self.mode = Mode::Correcting(prompt.with_text(&self.lines[i].utterance.text));
                }
                None => self.say("There is no line to correct yet.", Tone::Problem),
            },
            Action::ToggleClock => {
                if self.session.clock.is_paused() {
                    self.session.clock.resume(now);
                    self.say("Clock running again.", Tone::Info);
                } else {
                    self.session.clock.pause(now);
                    self.say("Clock paused: press again to resume.", Tone::Info);
                }
                return self.save_session();
            }
            Action::RecordingStarted => {
                self.session.recording_started = Some(now);
                self.say("Recording started now: lines also get their time in the recording.", Tone::Info);
                return self.save_session();
            }
            Action::RecordAudio => return Effect::Record { session: self.session.id },
            Action::NoteConsent => {
                let speakers = self.session.speakers.iter().map(|s| s.label.clone()).collect();
                let consent = crate::domain::Consent { session: self.session.id, speakers, noted: now };
                self.say("Noted: every speaker agreed to be recorded.", Tone::Info);
                return Effect::save(vec![Change::Consent(consent)], Receipt::Session);
            }
            Action::TickTheme(n) if self.session.kind == SessionKind::Interview => {
                self.session.toggle_theme(n - 1);
                return self.save_session();
            }
            Action::TickTheme(_) => self.say("Themes are for interviews.", Tone::Problem),
            Action::EndSession if !self.input.is_empty() => self.say(
                "A line is still being typed: save it with Enter or clear it, then end the session.",
                Tone::Problem,
            ),
            Action::EndSession => {
                self.mode = Mode::ConfirmEnd;
                self.say(
                    "End this session? Press the same key again to end it; any other key goes on.",
                    Tone::Problem,
                );
            }
            Action::Back => return Effect::Back,
            action => {
                if self.input.edit(action) {
                    self.draft_dirty = true;
                    if self.input.is_empty() {
                        self.onset = None;
                    }
                }
            }
        }
        Effect::None
    }

    fn last_index(&self) -> Option<usize> {
        self.lines.iter().rposition(|l| !l.utterance.deleted)
    }

    fn commit(&mut self, kind: UtteranceKind, now: DateTime<FixedOffset>) -> Effect {
        let text = self.input.text().trim().to_string();
        if text.is_empty() && kind != UtteranceKind::Pause {
            self.say("Nothing to save: type the line first.", Tone::Info);
            return Effect::None;
        }
        let (onset, elapsed_ms) = self.onset.unwrap_or((now, self.session.clock.elapsed_ms(now)));
        let speaker = match kind {
            UtteranceKind::Speech | UtteranceKind::Event => self.current_speaker(),
            UtteranceKind::Note | UtteranceKind::Pause => String::new(),
        };
        let seq = self.lines.last().map_or(0, |l| l.utterance.seq) + 1;
        let utterance = Utterance {
            session: self.session.id,
            seq,
            speaker,
            kind,
            text,
            onset,
            committed: now,
            elapsed_ms,
            mark: None,
            deleted: false,
        };
        self.lines.push(Logged { utterance: utterance.clone(), saved: false });
        self.input.clear();
        self.onset = None;
        self.draft_dirty = false;
        self.say(format!("Saving line {seq}…"), Tone::Info);
        self.save(vec![Change::Utterance(utterance), Change::ClearDraft(self.session.id)], seq)
    }

    fn replace_last(&mut self, i: usize, updated: Utterance, now: DateTime<FixedOffset>) -> Effect {
        let old = &self.lines[i].utterance;
        let revision = Revision {
            session: old.session,
            seq: old.seq,
            speaker: old.speaker.clone(),
            text: old.text.clone(),
            replaced: now,
        };
        let seq = updated.seq;
        self.lines[i] = Logged { utterance: updated.clone(), saved: false };
        self.save(vec![Change::Revision(revision), Change::Utterance(updated)], seq)
    }

    fn reassign_last(&mut self, now: DateTime<FixedOffset>) -> Effect {
        let Some(i) = self.last_index() else {
            self.say("There is no line to give to another speaker yet.", Tone::Problem);
            return Effect::None;
        };
        let speakers = &self.session.speakers;
        let mut updated = self.lines[i].utterance.clone();
        let at = speakers.iter().position(|s| s.label == updated.speaker);
        let next = at.map_or(0, |p| (p + 1) % speakers.len().max(1));
        updated.speaker = speakers.get(next).map(|s| s.label.clone()).unwrap_or_default();
        self.say(format!("Line {} is now {}'s.", updated.seq, updated.speaker), Tone::Info);
        self.replace_last(i, updated, now)
    }

    fn mark_last(&mut self, word: String, now: DateTime<FixedOffset>) -> Effect {
        let Some(i) = self.last_index() else { return Effect::None };
        let mut updated = self.lines[i].utterance.clone();
        updated.mark = Some(Mark { word: word.trim().to_string(), at: now });
        let seq = updated.seq;
        self.lines[i] = Logged { utterance: updated.clone(), saved: false };
        if !self.input.is_empty() {
            self.input.clear();
            self.onset = None;
            self.draft_dirty = true;
        }
        self.say(format!("Marked line {seq}."), Tone::Info);
        self.save(vec![Change::Utterance(updated)], seq)
    }

    fn correct_last(&mut self, text: String, now: DateTime<FixedOffset>) -> Effect {
        let Some(i) = self.last_index() else { return Effect::None };
        let text = text.trim().to_string();
        if text == self.lines[i].utterance.text {
            self.say("Left as it was.", Tone::Info);
            return Effect::None;
        }
        let mut updated = self.lines[i].utterance.clone();
        updated.text = text;
        self.say(format!("Corrected line {}; the earlier text is kept.", updated.seq), Tone::Info);
        self.replace_last(i, updated, now)
    }

    fn end(&mut self, now: DateTime<FixedOffset>) -> Effect {
        self.session.clock.resume(now);
        self.session.ended = Some(now);
        self.say("Session ended.", Tone::Info);
        self.save_session()
    }

    /// The microphone began recording at `at`: lines get their time in it.
    pub fn recording_began(&mut self, at: DateTime<FixedOffset>, record: crate::domain::Recording) -> Effect {
        self.session.recording_started = Some(at);
        self.microphone = true;
        self.say("Recording: lines also get their time in the recording. alt-a stops it.", Tone::Info);
        Effect::save(vec![Change::Session(self.session.clone()), Change::Recording(record)], Receipt::Session)
    }

    /// Says something about the recording on the status line.
    pub fn tell(&mut self, text: String, problem: bool) {
        self.say(text, if problem { Tone::Problem } else { Tone::Info });
    }

    /// Whether the session has been ended (the app then goes home once it is saved).
    pub fn is_ended(&self) -> bool {
        self.session.ended.is_some()
    }

    /// Takes the store writer's word on a save this screen asked for.
    pub fn on_saved(&mut self, receipt: &Receipt, error: Option<&str>, now: DateTime<FixedOffset>) {
        let seq = match receipt {
            Receipt::Line(seq) => *seq,
            _ => 0,
        };
        if seq == 0 {
            if let Some(error) = error {
                self.say(format!("NOT SAVED (the session): {error}"), Tone::Problem);
            }
            return;
        }
        let (lines, missing) = match self.saves.answer(seq, error.is_some()) {
            Answer::Refused { missing } => {
                let error = error.unwrap_or_default();
                self.say(
                    format!("NOT SAVED ({missing}; sent again with your next line): {error}"),
                    Tone::Problem,
                );
                return;
            }
            Answer::Saved { lines, missing } => (lines, missing),
        };
        // Lines are in line-number order: each saved one is found by halving,
        // not by walking a long session's every line on every save.
        for seq in &lines {
            if let Ok(at) = self.lines.binary_search_by_key(seq, |l| l.utterance.seq) {
                self.lines[at].saved = self.saves.is_saved(*seq);
            }
        }
        // A question being asked stays on the status line; the line shows saved all the same.
        if !matches!(self.mode, Mode::ConfirmEnd) {
            let at = now.format("%H:%M:%S");
            let said = match lines.len() {
                0 | 1 => format!("Line {seq}"),
                _ => format!("Lines {}", lines.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")),
            };
            match missing {
                None => self.say(format!("{said} saved to disk at {at}."), Tone::Saved),
                Some(missing) => {
                    self.say(format!("{said} saved to disk at {at}; {missing} NOT SAVED yet."), Tone::Problem)
                }
            }
        }
    }

    /// The draft to store, if the line being typed changed since the last one.
    pub fn take_draft(&mut self) -> Option<Change> {
        if !std::mem::take(&mut self.draft_dirty) {
            return None;
        }
        Some(if self.input.is_empty() {
            Change::ClearDraft(self.session.id)
        } else {
            Change::Draft(self.draft())
        })
    }

    pub fn draft(&self) -> Draft {
        Draft {
            session: self.session.id,
            speaker: self.current_speaker(),
            text: self.input.text(),
            onset: self.onset.map(|(at, _)| at),
            onset_elapsed_ms: self.onset.map_or(0, |(_, ms)| ms),
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap, now: DateTime<FixedOffset>) {
        let themes = self.session.kind == SessionKind::Interview;
        let wide = themes && area.width >= 100;
        let help = hints(keys, self.table(), &[(Action::Help, "help")]);
        let help_width = help.chars().count() as u16 + 1;
        // A long message wraps onto more rows rather than being cut.
        let message = match &self.mode {
            Mode::Correcting(_) => String::new(),
            _ => self.status.0.clone(),
        };
        let beside = usize::from(area.width.saturating_sub(help_width)).max(1);
        let message_rows = match wrap(&message, beside) {
            one if one.len() == 1 => one,
            // Too long for one row beside the hint: the whole width, the hint after it.
            _ => wrap(&message, usize::from(area.width).max(1)),
        };
        let status_height = (message_rows.len() as u16).clamp(1, 3).min(area.height.saturating_sub(4).max(1));
        let [header, theme_row, body, speaker_bar, input, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(u16::from(themes && !wide)),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(status_height),
        ])
        .areas(area);
        self.render_header(frame, header, now);
        let transcript = if wide {
            let [transcript, panel] =
                Layout::horizontal([Constraint::Min(0), Constraint::Length(40)]).areas(body);
            self.render_theme_panel(frame, panel, keys);
            transcript
        } else {
            if themes {
                self.render_theme_row(frame, theme_row);
            }
            body
        };
        self.render_transcript(frame, transcript);
        self.render_speakers(frame, speaker_bar, keys);
        if let Mode::Correcting(prompt) = &self.mode {
            prompt.render(frame, input, status, keys);
            return;
        }
        self.input.render(frame, input, Span::raw(format!("{} ▸ ", self.current_speaker())).bold(), true);
        let tone = match self.status.1 {
            Tone::Info => Style::default(),
            Tone::Saved => Style::default().fg(Color::Green),
            Tone::Problem => Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        };
        let last_used = message_rows.last().map_or(0, |r| r.chars().count());
        let rows: Vec<Line> = message_rows.into_iter().map(|r| Line::styled(r, tone)).collect();
        frame.render_widget(Paragraph::new(rows), status);
        if last_used + usize::from(help_width) <= usize::from(status.width) && status.height > 0 {
            let last = Rect { y: status.y + status.height - 1, height: 1, ..status };
            frame.render_widget(Line::from(help).dim().right_aligned(), last);
        }
    }

    fn render_header(&self, frame: &mut Frame, area: Rect, now: DateTime<FixedOffset>) {
        let s = &self.session;
        let left =
            [self.case.clone(), s.kind.to_string(), format!("contact {}", s.contact_point), s.place_name()];
        let mut right = format!("{}  ", now.format("%H:%M:%S"));
        right += &if s.clock.is_paused() {
            format!("⏸ {} paused", format_duration_ms(s.clock.elapsed_ms(now)))
        } else {
            format!("⏱ {}", format_duration_ms(s.clock.elapsed_ms(now)))
        };
        if let Some(ms) = s.recording_ms(now) {
            let dot = if self.microphone { "● " } else { "" };
            right += &format!("  {dot}rec {}", format_duration_ms(ms));
        }
        right.push(' ');
        header::render(frame, area, &left, &right);
    }

    fn render_theme_row(&self, frame: &mut Frame, area: Rect) {
        let mut spans = vec![Span::raw(" Themes: ")];
        for i in 0..INTERVIEW_THEMES.len() {
            let ticked = self.session.themes_ticked.contains(&(i as u8));
            let text = format!("{}T{} ", if ticked { "✓" } else { "·" }, i + 1);
            spans.push(if ticked { Span::raw(text).green().bold() } else { Span::raw(text).dim() });
        }
        frame.render_widget(Line::from(spans), area);
    }

    fn render_theme_panel(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let lines: Vec<Line> = INTERVIEW_THEMES
            .iter()
            .enumerate()
            .map(|(i, theme)| {
                let ticked = self.session.themes_ticked.contains(&(i as u8));
                let key = keys.keys_for(Table::Live, Action::TickTheme(i as u8 + 1)).unwrap_or_default();
                let text = format!("{} {theme} ({key})", if ticked { "[x]" } else { "[ ]" });
                if ticked {
                    Line::from(text).green()
                } else {
                    Line::from(text)
                }
            })
            .collect();
        let block = Block::default().borders(Borders::LEFT).title(" Interview guide ");
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
    }

    /// Draws the tail of the transcript: only the lines that fit are even wrapped,
    /// so a session of 100,000 lines draws as fast as one of ten.
    fn render_transcript(&self, frame: &mut Frame, area: Rect) {
        let height = usize::from(area.height);
        let width = usize::from(area.width);
        if height == 0 || width == 0 {
            return;
        }
        let mut rows: Vec<Line> = Vec::with_capacity(height);
        for logged in self.lines.iter().rev() {
            if rows.len() >= height {
                break;
            }
            let mut block = self.transcript_rows(logged, width);
            block.reverse();
            rows.extend(block);
        }
        rows.truncate(height);
        rows.reverse();
        let top = area.y + (height - rows.len()) as u16;
        for (i, row) in rows.into_iter().enumerate() {
            frame.render_widget(row, Rect::new(area.x, top + i as u16, area.width, 1));
        }
    }

    fn transcript_rows(&self, logged: &Logged, width: usize) -> Vec<Line<'static>> {
        let u = &logged.utterance;
        let prefix = format!("{} {:<4} ", format_duration_ms(u.elapsed_ms), u.speaker);
        let indent = prefix.chars().count();
        let line = TranscriptLine { saved: logged.saved, ..TranscriptLine::new(u) };
        let lead_style = if logged.saved {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        };
        line.rows(width.saturating_sub(indent).max(1))
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let lead = if i == 0 { prefix.clone() } else { " ".repeat(indent) };
                let mut spans = vec![Span::styled(lead, lead_style)];
                spans.extend(row);
                Line::from(spans)
            })
            .collect()
    }

    fn render_speakers(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let mut spans = Vec::new();
        for (i, s) in self.session.speakers.iter().enumerate() {
            let key = keys.keys_for(Table::Live, Action::SwitchSpeaker(s.key)).unwrap_or_default();
            let key = key.split(", ").next().unwrap_or("").to_string();
            spans.push(Span::raw(format!(" {key} ")).dim());
            let label = format!(" {} ({}) ", s.label, s.role);
            spans.push(if i == self.speaker { Span::raw(label).reversed().bold() } else { Span::raw(label) });
        }
        frame.render_widget(Line::from(spans), area);
    }
}
