//! Review: read a session back, select spans and flag them as short
//! narratives, shown as brackets in the margin; walk the marks made live;
//! mask words of a line and read the session masked (in `masking`).

mod blind;
mod lines;
mod listening;
mod masking;

use super::editor::{NarrativeEditor, Outcome};
use super::{hints, Effect, Input, Receipt};
use crate::domain::{Codebook, Id, MarkDismissal, MaskList, Masker, Narrative, Revision, Session, Utterance};
use crate::keymap::{Action, Keymap, Table};
use crate::store::Change;
use crate::tui::widgets::header;
use crate::tui::widgets::mask_question::MaskQuestion;
use crate::tui::widgets::prompt::{ask, Prompt};

use crate::tui::widgets::word_picker::WordPicker;
use crate::tui::widgets::wrap::wrap;
use chrono::{DateTime, FixedOffset};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::cell::Cell;

/// How many narratives can stand side by side in the margin.
const LANES: usize = 3;

enum Mode {
    Reading,
    Editing(Box<NarrativeEditor>),
    Correcting(Prompt<()>),
    ConfirmDelete(Id),
    /// Choosing words of the cursor's line to mask.
    Picking(WordPicker),
    /// Asking what to write instead of the chosen words.
    Masking(Box<MaskQuestion>),
}

pub struct ReviewState {
    pub session: Session,
    case: String,
    lines: Vec<Utterance>,
    narratives: Vec<Narrative>,
    codebook: Codebook,
    dismissed: Vec<u32>,
    author: String,
    cursor: usize,
    anchor: Option<usize>,
    mode: Mode,
    status: String,
    /// The first line drawn and the transcript's height at the last render.
    top: Cell<usize>,
    page: Cell<usize>,
    /// The study's mask list, compiled for this session's case.
    masks: MaskList,
    masker: Masker,
    /// Lines, titles and marks shown masked.
    masked: bool,
    /// The recording being played, as last told.
    listening: listening::Listening,
    /// The session is coded blind: only this coder's narratives are here.
    blind: bool,
}

/// What review opens with.
pub struct ReviewData {
    pub session: Session,
    pub case: String,
    pub lines: Vec<Utterance>,
    pub narratives: Vec<Narrative>,
    pub codebook: Codebook,
    pub dismissed: Vec<u32>,
    /// Coded blind: `narratives` holds this coder's only.
    pub blind: bool,
}

impl ReviewState {
    pub fn open(data: ReviewData, author: String, at_seq: Option<u32>) -> Self {
        let cursor = at_seq.and_then(|s| data.lines.iter().position(|l| l.seq == s)).unwrap_or(0);
        let mut state = ReviewState {
            session: data.session,
            case: data.case,
            lines: data.lines,
            narratives: data.narratives,
            codebook: data.codebook,
            dismissed: data.dismissed,
            author,
            cursor,
            anchor: None,
            mode: Mode::Reading,
            status: String::new(),
            // Opening at a line shows a little of what comes before it.
            top: Cell::new(cursor.saturating_sub(3)),
            page: Cell::new(10),
            masks: MaskList::default(),
            masker: Masker::new(&MaskList::default(), None),
            masked: false,
            listening: listening::Listening::default(),
            blind: data.blind,
        };
        state.sort_narratives();
        state
    }

    pub fn table(&self) -> Table {
        match &self.mode {
            Mode::Editing(editor) => editor.table(),
            Mode::Correcting(_) | Mode::Masking(_) => Table::Prompt,
            Mode::Picking(_) => Table::Words,
            _ => Table::Review,
        }
    }

    fn seq(&self) -> u32 {
        self.lines.get(self.cursor).map_or(0, |l| l.seq)
    }

    fn sort_narratives(&mut self) {
        self.narratives.sort_by_key(|n| (n.first_seq, std::cmp::Reverse(n.last_seq), n.id));
    }

    fn is_candidate(&self, line: &Utterance) -> bool {
        line.mark.is_some()
            && !self.dismissed.contains(&line.seq)
            && !self.narratives.iter().any(|n| n.covers(line.seq))
    }

    fn save(&mut self, changes: Vec<Change>, done: String) -> Effect {
        Effect::save(changes, Receipt::Said(done))
    }

    /// Takes the store writer's word on a save this screen asked for.
    pub fn on_saved(&mut self, receipt: &Receipt, error: Option<&str>) {
        self.status = match (error, receipt) {
            (Some(e), _) => format!("NOT SAVED: {e}"),
            (None, Receipt::Said(done) | Receipt::MaskList(done)) => done.clone(),
            (None, _) => return,
        };
    }

    pub fn update(&mut self, input: Input, now: DateTime<FixedOffset>) -> Effect {
        match std::mem::replace(&mut self.mode, Mode::Reading) {
            Mode::Editing(mut editor) => match editor.update(input, &self.codebook) {
                Outcome::Editing => {
                    self.mode = Mode::Editing(editor);
                    Effect::None
                }
                Outcome::Cancelled => {
                    self.status = "Nothing was changed.".into();
                    Effect::None
                }
                Outcome::Save(mut narrative) => {
                    narrative.updated = now;
                    self.narratives.retain(|n| n.id != narrative.id);
                    self.narratives.push(narrative.clone());
                    self.sort_narratives();
                    self.anchor = None;
                    self.status = format!("Saving narrative \"{}\"…", narrative.title);
                    let done = format!("Narrative \"{}\" saved to disk.", narrative.title);
                    self.save(vec![Change::Narrative(narrative)], done)
                }
            },
            Mode::Correcting(prompt) => {
                let (still, done) = ask(prompt, input, |_, text| Ok(self.correct(text.to_string(), now)));
                if let Some(prompt) = still {
                    self.mode = Mode::Correcting(prompt);
                }
                done.unwrap_or(Effect::None)
            }
            Mode::Picking(picker) => self.pick(picker, input),
            Mode::Masking(question) => self.ask_mask(*question, input),
            Mode::ConfirmDelete(id) if input == Input::Action(Action::DeleteNarrative) => {
                self.delete(id, now)
            }
            Mode::ConfirmDelete(_) | Mode::Reading => match input {
                Input::Action(action) => self.act(action, now),
                _ => Effect::None,
            },
        }
    }

    fn move_to(&mut self, index: usize) {
        self.cursor = index.min(self.lines.len().saturating_sub(1));
    }

    /// Puts the cursor on line `seq` (a line shown from another screen).
    pub fn go_to(&mut self, seq: u32) {
        if let Some(i) = self.lines.iter().position(|l| l.seq == seq) {
            self.move_to(i);
        }
    }

    fn act(&mut self, action: Action, now: DateTime<FixedOffset>) -> Effect {
        self.status.clear();
        let page = self.page.get().max(1);
        match action {
            Action::SelectUp => self.move_to(self.cursor.saturating_sub(1)),
            Action::SelectDown => self.move_to(self.cursor + 1),
            Action::PageUp => self.move_to(self.cursor.saturating_sub(page)),
            Action::PageDown => self.move_to(self.cursor + page),
            Action::GoFirst => self.move_to(0),
            Action::GoLast => self.move_to(usize::MAX),
            Action::NextMark | Action::PreviousMark => {
                let forward = action == Action::NextMark;
                // Past the last mark it goes round to the first, and back.
                let marked = |(i, l): (usize, &Utterance)| l.mark.is_some().then_some(i);
                let after = self.lines.iter().enumerate().skip(self.cursor + 1).filter_map(marked);
                let before = self.lines.iter().enumerate().take(self.cursor + 1).filter_map(marked);
                let found = if forward {
                    after.chain(before).next()
                } else {
                    let mut all: Vec<usize> = before.collect();
                    all.extend(after);
                    let at = all.iter().position(|i| *i >= self.cursor).unwrap_or(all.len());
                    all.rotate_left(at);
                    all.last().copied()
                };
                match found {
                    Some(i) if i == self.cursor => self.status = "This is the only mark.".into(),
                    Some(i) => {
                        let wrapped = if forward { i < self.cursor } else { i > self.cursor };
                        self.move_to(i);
                        if wrapped {
                            let end = if forward { "first" } else { "last" };
                            self.status = format!("Round to the {end} mark.");
                        }
                    }
                    None => self.status = "This session has no marks.".into(),
                }
            }
            Action::NextNarrative | Action::PreviousNarrative => {
                let seq = self.seq();
                let target = if action == Action::NextNarrative {
                    self.narratives.iter().map(|n| n.first_seq).find(|s| *s > seq)
                } else {
                    self.narratives.iter().rev().map(|n| n.first_seq).find(|s| *s < seq)
                };
                match target.and_then(|s| self.lines.iter().position(|l| l.seq == s)) {
                    Some(i) => self.move_to(i),
                    None => self.status = "No more narratives that way.".into(),
                }
            }
            Action::ToggleSelection => {
                self.anchor = if self.anchor.is_some() { None } else { Some(self.cursor) };
            }
            Action::FlagNarrative => self.flag(now),
            Action::EditNarrative => match self.innermost() {
                Some(n) => {
                    self.mode = Mode::Editing(Box::new(NarrativeEditor::new(n.clone(), &self.codebook)))
                }
                None => self.status = "No narrative at this line: select a span and flag it.".into(),
            },
            Action::DeleteNarrative => match self.innermost().map(|n| (n.id, n.title.clone())) {
                Some((id, title)) => {
                    self.status = format!("Delete \"{title}\"? Press the same key again to delete it.");
                    self.mode = Mode::ConfirmDelete(id);
                }
                None => self.status = "No narrative at this line.".into(),
            },
            Action::CorrectLine => {
                if let Some(line) = self.lines.get(self.cursor) {
                    let prompt = Prompt::new((), format!("Correct line {}: ", line.seq), "correct");
                    self.mode = Mode::Correcting(prompt.with_text(&line.text));
                }
            }
            Action::DismissMark => return self.dismiss(now),
            Action::MaskWords => self.start_picking(),
            Action::ToggleMasked => return self.toggle_masked(),
            Action::ToggleBlind => return self.toggle_blind(),
            Action::OpenCandidates => return Effect::OpenCandidates(Some(self.session.id)),
            Action::PlayPause
            | Action::PlayLine
            | Action::PlayBack
            | Action::PlaySlower
            | Action::PlayFollow
            | Action::StampLine => return self.listen(action, now),
            Action::Back if self.anchor.is_some() => self.anchor = None,
            Action::Back => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    /// The selection as a span of indexes, or the cursor's line alone.
    fn span(&self) -> (usize, usize) {
        let anchor = self.anchor.unwrap_or(self.cursor);
        (anchor.min(self.cursor), anchor.max(self.cursor))
    }

    fn flag(&mut self, now: DateTime<FixedOffset>) {
        if self.lines.is_empty() {
            self.status = "This session has no lines yet.".into();
            return;
        }
        let (from, to) = self.span();
        let narrative = Narrative {
            id: Id::new(),
            session: self.session.id,
            first_seq: self.lines[from].seq,
            last_seq: self.lines[to].seq,
            title: String::new(),
            codes: Vec::new(),
            memo: String::new(),
            author: self.author.clone(),
            created: now,
            updated: now,
            deleted: false,
        };
        self.mode = Mode::Editing(Box::new(NarrativeEditor::new(narrative, &self.codebook)));
    }

    /// The shortest narrative that covers the cursor's line.
    fn innermost(&self) -> Option<&Narrative> {
        let seq = self.seq();
        self.narratives.iter().filter(|n| n.covers(seq)).min_by_key(|n| n.last_seq - n.first_seq)
    }

    fn delete(&mut self, id: Id, now: DateTime<FixedOffset>) -> Effect {
        let Some(position) = self.narratives.iter().position(|n| n.id == id) else { return Effect::None };
        let mut gone = self.narratives.remove(position);
        gone.deleted = true;
        gone.updated = now;
        let done = format!("Deleted \"{}\" (kept as a tombstone).", gone.title);
        self.save(vec![Change::Narrative(gone)], done)
    }

    fn correct(&mut self, text: String, now: DateTime<FixedOffset>) -> Effect {
        let text = text.trim().to_string();
        let Some(line) = self.lines.get_mut(self.cursor) else { return Effect::None };
        if text.is_empty() || text == line.text {
            return Effect::None;
        }
        let revision = Revision {
            session: line.session,
            seq: line.seq,
            speaker: line.speaker.clone(),
            text: line.text.clone(),
            replaced: now,
        };
        line.text = text;
        let done = format!("Line {} corrected; the earlier text is kept.", line.seq);
        let changes = vec![Change::Revision(revision), Change::Utterance(line.clone())];
        self.save(changes, done)
    }

    fn dismiss(&mut self, now: DateTime<FixedOffset>) -> Effect {
        let Some(line) = self.lines.get(self.cursor) else { return Effect::None };
        if line.mark.is_none() {
            self.status = "This line has no mark.".into();
            return Effect::None;
        }
        let seq = line.seq;
        if !self.dismissed.contains(&seq) {
            self.dismissed.push(seq);
        }
        let done = format!("Mark on line {seq} dismissed.");
        self.save(vec![Change::DismissMark(MarkDismissal { session: self.session.id, seq, at: now })], done)
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let editor_height = match &self.mode {
            Mode::Editing(_) => (area.height * 3 / 5).clamp(area.height.min(8), 20),
            _ => 0,
        };
        // A long message wraps onto more rows rather than being cut; so does
        // a question's refusal under it.
        let footer_rows = match &self.mode {
            Mode::Correcting(prompt) => prompt.rows_below(keys, usize::from(area.width)),
            Mode::Masking(question) => question.prompt().rows_below(keys, usize::from(area.width)),
            _ => 1,
        };
        let status_rows = if self.status.is_empty() {
            1
        } else {
            (wrap(&self.status, usize::from(area.width).max(1)).len() as u16).clamp(1, 3)
        };
        let [header, body, editor, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(editor_height),
            Constraint::Length(status_rows),
            Constraint::Length(footer_rows),
        ])
        .areas(area);
        self.render_header(frame, header);
        self.render_lines(frame, body);
        if let Mode::Editing(e) = &self.mode {
            e.render(frame, editor, keys);
        }
        if let Mode::Correcting(prompt) = &self.mode {
            prompt.render(frame, status, footer, keys);
            return;
        }
        if let Mode::Masking(question) = &self.mode {
            question.render(frame, status, footer, keys);
            return;
        }
        self.render_status(frame, status);
        let table = self.table();
        let hint = if let Mode::Picking(_) = &self.mode {
            hints(
                keys,
                table,
                &[
                    (Action::SelectRight, "next word"),
                    (Action::ExtendChoice, "one more word"),
                    (Action::Confirm, "mask these"),
                    (Action::Back, "cancel"),
                ],
            )
        } else if self.anchor.is_some() {
            hints(keys, table, &[(Action::FlagNarrative, "flag span"), (Action::Back, "cancel selection")])
        } else {
            hints(
                keys,
                table,
                &[
                    (Action::ToggleSelection, "select"),
                    (Action::FlagNarrative, "flag"),
                    (Action::EditNarrative, "edit"),
                    (Action::MaskWords, "mask"),
                    (Action::Help, "help"),
                    (Action::Back, "back"),
                    (Action::NextMark, "next mark"),
                ],
            )
        };
        // A session with a recording says how to hear it.
        let reading = self.anchor.is_none() && matches!(self.mode, Mode::Reading | Mode::ConfirmDelete(_));
        let hint = match self.session.recording_started {
            Some(_) if reading => format!("{hint} · {}", hints(keys, table, &[(Action::PlayLine, "play")])),
            _ => hint,
        };
        if !matches!(self.mode, Mode::Editing(_)) {
            frame.render_widget(Line::from(hint).dim(), footer);
        }
    }

    fn render_header(&self, frame: &mut Frame, area: Rect) {
        let s = &self.session;
        let left = [
            self.case.clone(),
            s.kind.to_string(),
            format!("contact {}", s.contact_point),
            s.clock.started.format("%Y-%m-%d").to_string(),
        ];
        let candidates = self.lines.iter().filter(|l| self.is_candidate(l)).count();
        let marks = if candidates > 0 { format!(" · ★ {candidates} to review") } else { String::new() };
        let lines = crate::domain::text::count(self.lines.len(), "line");
        let view = if self.masked { "MASKED VIEW · " } else { "" };
        let blind = if self.blind { "BLIND · " } else { "" };
        let right = format!(
            "{}{blind}{view}{lines} · {} narr.{marks} ",
            self.playback_label(),
            self.narratives.len()
        );
        header::render(frame, area, &left, &right);
    }

    fn render_status(&self, frame: &mut Frame, area: Rect) {
        let line = match &self.mode {
            Mode::Correcting(_) => return,
            _ if !self.status.is_empty() => {
                let rows: Vec<Line> =
                    wrap(&self.status, usize::from(area.width)).into_iter().map(Line::from).collect();
                frame.render_widget(ratatui::widgets::Paragraph::new(rows).yellow(), area);
                return;
            }
            _ => match self.innermost() {
                Some(n) => {
                    let codes: Vec<String> = n.codes.iter().map(|c| self.codebook.label(*c)).collect();
                    Line::from(vec![
                        Span::raw(format!(" ┃ {} ", self.shown(&n.title))).bold(),
                        Span::raw(format!("[{}]", codes.join("; "))).dim(),
                    ])
                }
                None => Line::default(),
            },
        };
        frame.render_widget(line, area);
    }
}
