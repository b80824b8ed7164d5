//! The app: which screen is showing, the way from a key event to an action
//! to a screen's update, and carrying out the effects screens ask for.
//! No terminal here, so tests drive it with events and a `TestBackend`.

use super::screens::form::FormState;
use super::screens::help::HelpState;
use super::screens::home::{CaseRow, HomeState};
use super::screens::live::LiveState;
use super::screens::{Effect, Input};
use super::widgets::wrap::wrap;
use crate::domain::{Case, CaseCode, Clock, Draft, Id};
use crate::keymap::{keys, Action, Keymap, Table};
use crate::store::writer::{Durability, Job, Saved, Writer};
use crate::store::{Change, Store, StoreError};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the line being typed is saved as a draft.
const DRAFT_EVERY: Duration = Duration::from_millis(250);

pub enum Screen {
    Home(HomeState),
    Form(FormState),
    Live(Box<LiveState>),
}

/// The draft a signal handler saves when the terminal goes away.
pub type SharedDraft = Arc<Mutex<Option<Draft>>>;

pub struct App {
    store: Arc<Store>,
    writer: Writer,
    saved: Receiver<Saved>,
    pub keys: Keymap,
    clock: Box<dyn Clock>,
    pub screen: Screen,
    help: Option<HelpState>,
    banner: Option<String>,
    pub quit: bool,
    shared_draft: SharedDraft,
    last_draft_save: Instant,
}

impl App {
    pub fn new(
        store: Arc<Store>,
        keys: Keymap,
        clock: Box<dyn Clock>,
        banner: Option<String>,
    ) -> Result<App, StoreError> {
        let home = HomeState::new(case_rows(&store)?);
        let (writer, saved) = Writer::spawn(store.clone());
        Ok(App {
            store,
            writer,
            saved,
            keys,
            clock,
            screen: Screen::Home(home),
            help: None,
            banner,
            quit: false,
            shared_draft: Arc::new(Mutex::new(None)),
            last_draft_save: Instant::now(),
        })
    }

    pub fn shared_draft(&self) -> SharedDraft {
        self.shared_draft.clone()
    }

    fn table(&self) -> Table {
        match &self.help {
            Some(_) => Table::Help,
            None => match &self.screen {
                Screen::Home(s) => s.table(),
                Screen::Form(s) => s.table(),
                Screen::Live(s) => s.table(),
            },
        }
    }

    pub fn handle_event(&mut self, event: Event) {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(key),
            Event::Paste(text) if self.help.is_none() && self.table().takes_typing() => {
                self.update_screen(Input::Paste(text))
            }
            _ => {}
        }
        if let Screen::Live(live) = &self.screen {
            *self.shared_draft.lock().unwrap_or_else(|e| e.into_inner()) = Some(live.draft());
        }
    }

    fn handle_key(&mut self, key: KeyEvent) {
        let table = self.table();
        let action = self.keys.action(table, key);
        if let Some(help) = &mut self.help {
            match action {
                Some(Action::Quit) => self.quit = true,
                Some(action) if !help.update(action) => self.help = None,
                _ => {}
            }
            return;
        }
        match action {
            Some(Action::Help) => self.help = Some(HelpState::new(table)),
            Some(Action::Quit) => self.quit = true,
            Some(action) => self.update_screen(Input::Action(action)),
            None => {
                let combination = keys::from_event(key);
                if let (KeyCode::Char(c), true) =
                    (key.code, table.takes_typing() && keys::is_printable(combination))
                {
                    self.update_screen(Input::Char(c));
                }
            }
        }
    }

    fn update_screen(&mut self, input: Input) {
        let now = self.clock.now();
        let effect = match &mut self.screen {
            Screen::Home(s) => s.update(input),
            Screen::Form(s) => s.update(input, now),
            Screen::Live(s) => s.update(input, now),
        };
        if let Err(e) = self.carry_out(effect) {
            self.show_problem(e.to_string());
        }
        if matches!(&self.screen, Screen::Live(live) if live.is_ended()) {
            // Home lists the session as ended only once the store says so.
            self.wait_for_saves();
            if let Err(e) = self.go_home() {
                self.show_problem(e.to_string());
            }
        }
    }

    fn show_problem(&mut self, text: String) {
        match &mut self.screen {
            Screen::Home(home) => home.message = Some(text),
            _ => self.banner = Some(text),
        }
    }

    fn carry_out(&mut self, effect: Effect) -> Result<(), StoreError> {
        match effect {
            Effect::None => {}
            Effect::Save { tag, changes, durability } => {
                if !self.writer.send(Job { tag, changes, durability }) {
                    self.banner = Some("The store writer has stopped: nothing more can be saved.".into());
                }
            }
            Effect::AddCase(text) => match CaseCode::parse(&text) {
                Ok(code) => {
                    self.store.add_case(&Case::new(code.clone(), Vec::new(), self.clock.now()))?;
                    let rows = case_rows(&self.store)?;
                    if let Screen::Home(home) = &mut self.screen {
                        home.refresh(rows, Some(code.as_str()));
                        home.message = Some(format!("Case {code} added."));
                    }
                }
                Err(e) => self.show_problem(e.to_string()),
            },
            Effect::OpenForm(case_id) => {
                let Some(case) = self.store.case(case_id)? else { return Ok(()) };
                let sessions = self.store.sessions()?;
                let next_contact = sessions
                    .iter()
                    .filter(|s| s.case_id == case_id)
                    .map(|s| s.contact_point)
                    .max()
                    .unwrap_or(1);
                self.screen = Screen::Form(FormState::new(case, next_contact));
            }
            Effect::StartSession(session) => {
                self.store.commit(&[Change::Session((*session).clone())])?;
                self.open_live(session.id)?;
            }
            Effect::OpenLive(id) => self.open_live(id)?,
            Effect::GoHome => self.go_home()?,
        }
        Ok(())
    }

    fn open_live(&mut self, id: Id) -> Result<(), StoreError> {
        let Some(session) = self.store.session(id)? else { return Ok(()) };
        let case = self.store.case(session.case_id)?.map(|c| c.code.to_string()).unwrap_or_default();
        let lines = self.store.utterances(id)?;
        let draft = self.store.draft(id)?;
        self.screen = Screen::Live(Box::new(LiveState::open(session, case, lines, draft)));
        Ok(())
    }

    /// Back to the case list, with the case of the session just left selected.
    fn go_home(&mut self) -> Result<(), StoreError> {
        self.save_draft_now();
        let select = match &self.screen {
            Screen::Live(live) => self.store.case(live.session.case_id)?.map(|c| c.code.to_string()),
            Screen::Form(form) => Some(form.case_code().to_string()),
            Screen::Home(_) => None,
        };
        let mut home = HomeState::new(Vec::new());
        home.refresh(case_rows(&self.store)?, select.as_deref());
        self.screen = Screen::Home(home);
        *self.shared_draft.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    fn save_draft_now(&mut self) {
        if let Screen::Live(live) = &mut self.screen {
            if let Some(change) = live.take_draft() {
                self.writer.send(Job { tag: 0, changes: vec![change], durability: Durability::Flushed });
            }
        }
        self.last_draft_save = Instant::now();
    }

    /// Takes the writer's acknowledgements and saves the draft when due.
    pub fn tick(&mut self) {
        let now = self.clock.now();
        while let Ok(saved) = self.saved.try_recv() {
            if let Screen::Live(live) = &mut self.screen {
                live.on_saved(&saved, now);
            }
        }
        if self.last_draft_save.elapsed() >= DRAFT_EVERY {
            self.save_draft_now();
        }
    }

    /// Blocks until every line handed to the writer is acknowledged (tests, quitting).
    pub fn wait_for_saves(&mut self) {
        let now = self.clock.now();
        while let Screen::Live(live) = &mut self.screen {
            if !live.has_unsaved() {
                break;
            }
            match self.saved.recv_timeout(Duration::from_secs(10)) {
                Ok(saved) => live.on_saved(&saved, now),
                Err(_) => break,
            }
        }
    }

    /// Saves the draft and waits for the writer to finish every queued job.
    pub fn shutdown(&mut self) {
        self.save_draft_now();
        self.writer.finish();
    }

    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        // The banner wraps, so the reason it gives is readable at any width.
        let banner_rows = self.banner.as_ref().map(|text| wrap(&format!(" {text}"), usize::from(area.width)));
        let (banner, main) = match &banner_rows {
            Some(rows) if area.height > rows.len() as u16 + 2 => {
                let [b, m] =
                    Layout::vertical([Constraint::Length(rows.len() as u16), Constraint::Min(0)]).areas(area);
                (Some(b), m)
            }
            _ => (None, area),
        };
        if let (Some(rows), Some(b)) = (banner_rows, banner) {
            let lines: Vec<Line> = rows.into_iter().map(Line::from).collect();
            frame.render_widget(Paragraph::new(lines).white().on_red(), b);
        }
        let now = self.clock.now();
        match &self.screen {
            Screen::Home(s) => s.render(frame, main, &self.keys),
            Screen::Form(s) => s.render(frame, main, &self.keys),
            Screen::Live(s) => s.render(frame, main, &self.keys, now),
        }
        if let Some(help) = &self.help {
            help.render(frame, inset(main, 2, 1), &self.keys);
        }
    }
}

/// `area` shrunk by a margin, when there is room for one.
fn inset(area: Rect, x: u16, y: u16) -> Rect {
    if area.width > 2 * x + 20 && area.height > 2 * y + 5 {
        Rect::new(area.x + x, area.y + y, area.width - 2 * x, area.height - 2 * y)
    } else {
        area
    }
}

fn case_rows(store: &Store) -> Result<Vec<CaseRow>, StoreError> {
    Ok(CaseRow::build(store.cases()?, &store.sessions()?))
}
