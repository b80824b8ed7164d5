//! The app: which screen is showing (and the ones it was opened from), the
//! way from a key event to an action to a screen's update, and carrying out
//! the effects screens ask for. No terminal here, so tests drive it with
//! events and a `TestBackend`.

use super::screens::case::{CaseData, CaseState, SessionRow};
use super::screens::codebook::CodebookState;
use super::screens::display::{DisplayData, DisplayState};
use super::screens::form::FormState;
use super::screens::help::HelpState;
use super::screens::home::{CaseRow, HomeState};
use super::screens::live::LiveState;
use super::screens::narratives::{NarrativeRow, NarrativesState};
use super::screens::overview::OverviewState;
use super::screens::review::{ReviewData, ReviewState};
use super::screens::search::{Found, SearchState};
use super::screens::{Effect, ImportRequest, Input};
use super::widgets::wrap::wrap;
use crate::domain::overview::follow_up;
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
    Case(Box<CaseState>),
    Overview(OverviewState),
    Display(Box<DisplayState>),
    Review(Box<ReviewState>),
    Narratives(NarrativesState),
    Search(SearchState),
    Codebook(CodebookState),
}

impl Screen {
    /// Actions the screen has keys for that mean nothing where it is now.
    fn meaningless(&self) -> Vec<Action> {
        match self {
            Screen::Live(s) => s.meaningless(),
            _ => Vec::new(),
        }
    }

    fn table(&self) -> Table {
        match self {
            Screen::Home(s) => s.table(),
            Screen::Form(s) => s.table(),
            Screen::Live(s) => s.table(),
            Screen::Case(s) => s.table(),
            Screen::Overview(s) => s.table(),
            Screen::Display(s) => s.table(),
            Screen::Review(s) => s.table(),
            Screen::Narratives(s) => s.table(),
            Screen::Search(s) => s.table(),
            Screen::Codebook(s) => s.table(),
        }
    }
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
    /// The screens the current one was opened from, most recent last.
    behind: Vec<Screen>,
    help: Option<HelpState>,
    banner: Option<String>,
    author: String,
    pub quit: bool,
    shared_draft: SharedDraft,
    last_draft_save: Instant,
    /// Jobs handed to the writer and not yet acknowledged.
    in_flight: usize,
    /// An export running on its own thread: what, since when, and its answer.
    export: Option<RunningExport>,
    /// A line at the bottom of every screen: what a background job did.
    notice: Option<String>,
}

struct RunningExport {
    what: String,
    started: Instant,
    done: Receiver<Result<Vec<std::path::PathBuf>, String>>,
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
            behind: Vec::new(),
            help: None,
            banner,
            author: crate::domain::narrative::author_from_env(),
            quit: false,
            shared_draft: Arc::new(Mutex::new(None)),
            last_draft_save: Instant::now(),
            in_flight: 0,
            export: None,
            notice: None,
        })
    }

    pub fn shared_draft(&self) -> SharedDraft {
        self.shared_draft.clone()
    }

    /// Who narratives made in this app are by.
    pub fn set_author(&mut self, author: &str) {
        self.author = author.to_string();
    }

    fn table(&self) -> Table {
        match &self.help {
            Some(_) => Table::Help,
            None => self.screen.table(),
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
        if self.export.is_none() {
            self.notice = None;
        }
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
            Some(Action::Help) => self.help = Some(HelpState::new(table, self.screen.meaningless())),
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
            Screen::Case(s) => s.update(input, now),
            Screen::Overview(s) => s.update(input),
            Screen::Display(s) => s.update(input),
            Screen::Review(s) => s.update(input, now),
            Screen::Narratives(s) => s.update(input),
            Screen::Search(s) => s.update(input),
            Screen::Codebook(s) => s.update(input),
        };
        if let Err(e) = self.carry_out(effect) {
            self.show_problem(e.to_string());
        }
        let ended = match &self.screen {
            Screen::Live(live) if live.is_ended() => Some(live.session.id),
            _ => None,
        };
        if let Some(session) = ended {
            // Reading back comes right after the end, once the store has it.
            self.wait_for_saves();
            if let Err(e) = self.open_review(session, None) {
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

    /// Shows `screen`, keeping the current one to come back to.
    fn push(&mut self, screen: Screen) {
        let previous = std::mem::replace(&mut self.screen, screen);
        self.behind.push(previous);
    }

    fn carry_out(&mut self, effect: Effect) -> Result<(), StoreError> {
        match effect {
            Effect::None => {}
            Effect::Save { tag, changes, durability } => self.send(Job { tag, changes, durability }),
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
                let contact = crate::domain::session::latest_contact(&self.store.sessions()?, case_id);
                self.push(Screen::Form(FormState::new(case, contact)));
            }
            Effect::StartSession(session) => {
                self.store.commit(&[Change::Session((*session).clone())])?;
                self.screen = self.live_screen(session.id)?;
            }
            Effect::OpenLive(id) => {
                let live = self.live_screen(id)?;
                self.push(live);
            }
            Effect::OpenCase(case_id) => {
                let screen = self.case_screen(case_id)?;
                self.push(screen);
            }
            Effect::OpenNarrativesOf(ids) => {
                let mut screen = self.narratives_screen()?;
                screen.keep_only(&ids);
                self.push(Screen::Narratives(screen));
            }
            Effect::OpenOverview => {
                let sessions = self.store.sessions()?;
                let rows = self.store.cases()?.iter().map(|c| follow_up(c, &sessions)).collect();
                self.push(Screen::Overview(OverviewState::new(rows)));
            }
            Effect::OpenDisplay => {
                let data = DisplayData {
                    cases: self.store.cases()?,
                    sessions: self.store.sessions()?,
                    narratives: self.store.narratives()?,
                    codebook: self.store.codebook()?,
                };
                self.push(Screen::Display(Box::new(DisplayState::new(data))));
            }
            Effect::OpenReview { session, seq } => self.open_review(session, seq)?,
            Effect::OpenNarratives => {
                let screen = Screen::Narratives(self.narratives_screen()?);
                self.push(screen);
            }
            Effect::OpenSearch => {
                // Reading every line into the search corpus takes a while in a big
                // study: start it while the researcher types the words.
                let store = self.store.clone();
                let _ = std::thread::Builder::new()
                    .name("search-corpus".into())
                    .spawn(move || store.prepare_search());
                self.push(Screen::Search(SearchState::new()));
            }
            Effect::OpenCodebook => {
                let screen =
                    Screen::Codebook(CodebookState::new(self.store.codebook()?, self.store.narratives()?));
                self.push(screen);
            }
            Effect::Search(query) => {
                let found = self.search(&query)?;
                if let Screen::Search(search) = &mut self.screen {
                    search.show(query, found);
                }
            }
            Effect::Back => self.back()?,
            Effect::Export { format, path } => self.start_export(format, path),
            Effect::ImportTranscript(request) => self.import_transcript(request)?,
            Effect::GoHome => {
                self.leave_screen();
                self.behind.clear();
                self.screen = Screen::Home(HomeState::new(Vec::new()));
                self.refresh_home(None)?;
            }
        }
        Ok(())
    }

    fn start_export(&mut self, format: String, path: String) {
        if self.export.is_some() {
            self.notice = Some("An export is already running.".into());
            return;
        }
        let output = expand_home(&path);
        let what = format!("{format} to {}", output.display());
        let (tell, done) = std::sync::mpsc::channel();
        let store = self.store.clone();
        let now = self.clock.now();
        let spawned = std::thread::Builder::new().name("export".into()).spawn(move || {
            let result = crate::export::write(&store, &format, Default::default(), &output, now, None)
                .map_err(|e| e.to_string());
            let _ = tell.send(result);
        });
        match spawned {
            Ok(_) => self.export = Some(RunningExport { what, started: Instant::now(), done }),
            Err(e) => self.notice = Some(format!("Cannot start the export: {e}")),
        }
    }

    fn import_transcript(&mut self, request: ImportRequest) -> Result<(), StoreError> {
        use crate::import::transcript;
        let case_id = request.case;
        let Some(case) = self.store.case(case_id)? else { return Ok(()) };
        let path = expand_home(&request.file);
        let sessions = self.store.sessions()?;
        let result = (|| -> Result<(usize, Vec<String>), String> {
            let kind = crate::domain::SessionKind::parse(&request.kind).map_err(|e| e.to_string())?;
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            // Labels with no usual role become `other`; the screen says which.
            let mut unknown = Vec::new();
            let role_for = |label: &str| {
                Ok(transcript::usual_role(label, case.code.as_str()).unwrap_or_else(|| {
                    unknown.push(label.to_string());
                    crate::domain::Role::Other
                }))
            };
            let source = path.display().to_string();
            let new = transcript::NewSession {
                case: &case,
                kind,
                contact: None,
                place: "other",
                source: &source,
                recorded: request.recorded.as_deref(),
                now: self.clock.now(),
            };
            let imported = transcript::import(&bytes, new, &sessions, role_for)?;
            let count = imported.utterances.len();
            self.store.commit(&imported.changes()).map_err(|e| e.to_string())?;
            Ok((count, unknown))
        })();
        let message = match result {
            Ok((count, unknown)) if unknown.is_empty() => {
                format!("Imported {} as a new session.", crate::domain::text::count(count, "line"))
            }
            Ok((count, unknown)) => format!(
                "Imported {} as a new session; {} spoke as \"other\" (import with --role to say who).",
                crate::domain::text::count(count, "line"),
                unknown.join(", ")
            ),
            Err(e) => e,
        };
        self.screen = self.case_screen(case_id)?;
        if let Screen::Case(screen) = &mut self.screen {
            screen.tell(message);
        }
        Ok(())
    }

    /// Saves what the current screen leaves behind (the draft of a live line).
    fn leave_screen(&mut self) {
        self.save_draft_now();
        if let Screen::Live(_) = &self.screen {
            *self.shared_draft.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    fn back(&mut self) -> Result<(), StoreError> {
        self.leave_screen();
        let left_case = match &self.screen {
            Screen::Live(live) => Some(live.session.case_id),
            Screen::Review(review) => Some(review.session.case_id),
            Screen::Form(form) => Some(form.case_id()),
            _ => None,
        };
        self.screen = self.behind.pop().unwrap_or_else(|| Screen::Home(HomeState::new(Vec::new())));
        // What the screen below shows may have changed while it was covered.
        match &self.screen {
            Screen::Home(_) => {
                let code = match left_case {
                    Some(id) => self.store.case(id)?.map(|c| c.code.to_string()),
                    None => None,
                };
                self.refresh_home(code.as_deref())?;
            }
            Screen::Case(s) => {
                let case = s.case.id;
                self.screen = self.case_screen(case)?;
            }
            Screen::Narratives(_) => {
                if let Screen::Narratives(old) =
                    std::mem::replace(&mut self.screen, Screen::Search(SearchState::new()))
                {
                    let mut fresh = self.narratives_screen()?;
                    let _ = fresh.apply_filter(old.filter());
                    self.screen = Screen::Narratives(fresh);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn refresh_home(&mut self, select: Option<&str>) -> Result<(), StoreError> {
        let rows = case_rows(&self.store)?;
        if let Screen::Home(home) = &mut self.screen {
            home.refresh(rows, select);
        }
        Ok(())
    }

    fn live_screen(&self, id: Id) -> Result<Screen, StoreError> {
        let session = self.store.session(id)?.ok_or(StoreError::Missing { what: "session" })?;
        let case = self.store.case(session.case_id)?.map(|c| c.code.to_string()).unwrap_or_default();
        let lines = self.store.utterances(id)?;
        let draft = self.store.draft(id)?;
        Ok(Screen::Live(Box::new(LiveState::open(session, case, lines, draft))))
    }

    fn case_screen(&self, case_id: Id) -> Result<Screen, StoreError> {
        let case = self.store.case(case_id)?.ok_or(StoreError::Missing { what: "case" })?;
        let narratives = self.store.narratives()?;
        let mut rows = Vec::new();
        for session in self.store.sessions()?.into_iter().filter(|s| s.case_id == case_id) {
            let lines = self.store.utterance_count(session.id)?;
            let count = narratives.iter().filter(|n| n.session == session.id).count();
            rows.push(SessionRow { session, lines, narratives: count });
        }
        let efforts = self.store.efforts()?.into_iter().filter(|e| e.case_id == case_id).collect();
        let links = self.store.links()?.into_iter().filter(|l| l.case_id == case_id).collect();
        let today = self.clock.now().date_naive();
        let variables = self.store.variables()?;
        let data = CaseData { today, case, sessions: rows, efforts, links, variables };
        Ok(Screen::Case(Box::new(CaseState::new(data))))
    }

    /// Opens review of `session` at line `seq`, in place of a live screen or on top of the rest.
    fn open_review(&mut self, session: Id, seq: Option<u32>) -> Result<(), StoreError> {
        let record = self.store.session(session)?.ok_or(StoreError::Missing { what: "session" })?;
        let data = ReviewData {
            case: self.store.case(record.case_id)?.map(|c| c.code.to_string()).unwrap_or_default(),
            lines: self.store.utterances(session)?,
            narratives: self.store.narratives_of(session)?,
            codebook: self.store.codebook()?,
            dismissed: self.store.dismissed_marks(session)?,
            session: record,
        };
        let review = Screen::Review(Box::new(ReviewState::open(data, self.author.clone(), seq)));
        if matches!(self.screen, Screen::Live(_)) {
            self.leave_screen();
            self.screen = review;
        } else {
            self.push(review);
        }
        Ok(())
    }

    fn narratives_screen(&self) -> Result<NarrativesState, StoreError> {
        let sessions = self.store.sessions()?;
        let cases = self.store.cases()?;
        let mut rows = Vec::new();
        for narrative in self.store.narratives()? {
            let Some(session) = sessions.iter().find(|s| s.id == narrative.session).cloned() else {
                continue;
            };
            let case = cases
                .iter()
                .find(|c| c.id == session.case_id)
                .map(|c| c.code.to_string())
                .unwrap_or_default();
            let opening =
                self.store.utterance(session.id, narrative.first_seq)?.map(|u| u.text).unwrap_or_default();
            rows.push(NarrativeRow { narrative, session, case, opening });
        }
        Ok(NarrativesState::new(rows, cases, self.store.codebook()?))
    }

    fn search(&self, query: &str) -> Result<Vec<Found>, StoreError> {
        let codes = self.store.session_case_codes()?;
        let case_of = |session: Id| codes.get(&session).cloned().unwrap_or_default();
        let limit = match &self.screen {
            Screen::Search(search) => search.limit,
            _ => usize::MAX,
        };
        let hits = self.store.search(query, limit)?;
        Ok(hits.into_iter().map(|hit| Found { case: case_of(hit.target().0), hit }).collect())
    }

    fn send(&mut self, job: Job) {
        if self.writer.send(job) {
            self.in_flight += 1;
        } else {
            self.banner = Some("The store writer has stopped: nothing more can be saved.".into());
        }
    }

    fn save_draft_now(&mut self) {
        let draft = match &mut self.screen {
            Screen::Live(live) => live.take_draft(),
            _ => None,
        };
        if let Some(change) = draft {
            self.send(Job { tag: 0, changes: vec![change], durability: Durability::Flushed });
        }
        self.last_draft_save = Instant::now();
    }

    fn on_saved(&mut self, saved: &Saved) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let now = self.clock.now();
        match &mut self.screen {
            Screen::Live(live) => live.on_saved(saved, now),
            Screen::Review(review) => review.on_saved(saved),
            _ => {}
        }
    }

    /// Takes the writer's acknowledgements and saves the draft when due.
    pub fn tick(&mut self) {
        if let Some(running) = &self.export {
            match running.done.try_recv() {
                Ok(Ok(files)) => {
                    let first = files.first().map_or(String::new(), |f| f.display().to_string());
                    let more = if files.len() > 1 {
                        format!(" and {} more files", files.len() - 1)
                    } else {
                        String::new()
                    };
                    self.notice = Some(format!("Exported {}: wrote {first}{more}.", running.what));
                    self.export = None;
                }
                Ok(Err(e)) => {
                    self.notice = Some(format!("The export of {} failed: {e}", running.what));
                    self.export = None;
                }
                Err(_) => {}
            }
        }
        while let Ok(saved) = self.saved.try_recv() {
            self.on_saved(&saved);
        }
        if self.last_draft_save.elapsed() >= DRAFT_EVERY {
            self.save_draft_now();
        }
    }

    /// Blocks until everything handed to the writer is acknowledged.
    pub fn wait_for_saves(&mut self) {
        while self.in_flight > 0 {
            match self.saved.recv_timeout(Duration::from_secs(10)) {
                Ok(saved) => self.on_saved(&saved),
                Err(_) => break,
            }
        }
    }

    /// Blocks until a running export is done (tests, quitting).
    pub fn wait_for_export(&mut self) {
        let started = Instant::now();
        while self.export.is_some() && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(10));
            self.tick();
        }
    }

    /// Saves the draft and waits for the writer to finish every queued job.
    pub fn shutdown(&mut self) {
        self.wait_for_export();
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
        // A background job's progress or result takes the bottom row.
        let progress = match &self.export {
            Some(running) => {
                Some(format!(" Exporting {}… {} s", running.what, running.started.elapsed().as_secs()))
            }
            None => self.notice.as_ref().map(|n| format!(" {n}")),
        };
        let main = match progress {
            Some(text) if main.height > 3 => {
                let [rest, bottom] =
                    Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(main);
                frame.render_widget(Line::from(text).black().on_cyan(), bottom);
                rest
            }
            _ => main,
        };
        let now = self.clock.now();
        match &self.screen {
            Screen::Home(s) => s.render(frame, main, &self.keys),
            Screen::Form(s) => s.render(frame, main, &self.keys),
            Screen::Live(s) => s.render(frame, main, &self.keys, now),
            Screen::Case(s) => s.render(frame, main, &self.keys),
            Screen::Overview(s) => s.render(frame, main, &self.keys),
            Screen::Display(s) => s.render(frame, main, &self.keys),
            Screen::Review(s) => s.render(frame, main, &self.keys),
            Screen::Narratives(s) => s.render(frame, main, &self.keys),
            Screen::Search(s) => s.render(frame, main, &self.keys),
            Screen::Codebook(s) => s.render(frame, main, &self.keys),
        }
        if let Some(help) = &self.help {
            help.render(frame, inset(main, 2, 1), &self.keys);
        }
        clean_frame(frame);
    }
}

/// The last guard before the terminal: whatever a store or a backup holds,
/// no control, bidirectional override or invisible format character is
/// drawn (ratatui drops C0 controls itself, but not these).
fn clean_frame(frame: &mut Frame) {
    use crate::domain::text::is_unsafe;
    for cell in frame.buffer_mut().content.iter_mut() {
        if cell.symbol().chars().any(is_unsafe) {
            let clean: String = cell.symbol().chars().filter(|c| !is_unsafe(*c)).collect();
            cell.set_symbol(if clean.is_empty() { " " } else { &clean });
        }
    }
}

/// A path as typed, with `~` for the home directory.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(path),
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
