//! The app shell: which screen shows, the way from a key event through the
//! keymap to the screen's update, and drawing. Opening screens is in
//! `navigation`, carrying out what screens ask in `effects`; the store is
//! read by `loaders` and written through `jobs`. No terminal here, so tests
//! drive it with events and a `TestBackend`.

mod effects;
mod navigation;

use super::jobs::{Jobs, Room};
use super::loaders;
use super::screen::Screen;
use super::screens::help::HelpState;
use super::screens::home::HomeState;
use super::screens::Input;
use super::widgets::wrap::wrap;
use crate::domain::{Clock, Draft, MaskList};
use crate::keymap::{keys, Action, Keymap, Table};
use crate::store::{Store, StoreError};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The draft a signal handler saves when the terminal goes away.
pub type SharedDraft = Arc<Mutex<Option<Draft>>>;

pub struct App {
    store: Arc<Store>,
    jobs: Jobs,
    pub keys: Keymap,
    clock: Box<dyn Clock>,
    screen: Screen,
    /// The room of the current screen: acknowledgements find it by this.
    room: Room,
    /// The screens the current one was opened from, most recent last.
    behind: Vec<(Room, Screen)>,
    last_room: Room,
    help: Option<HelpState>,
    banner: Option<String>,
    author: String,
    pub quit: bool,
    shared_draft: SharedDraft,
    /// A line at the bottom of every screen: what a background job did.
    notice: Option<String>,
    /// Inside a string sequence pasted without bracketed paste (see `swallowed`).
    in_string: bool,
    /// The study's mask list as last handed to the writer: every screen that
    /// shows or changes it starts from this one, so no change is lost to a
    /// screen that read the store before the writer had it.
    masks: MaskList,
    /// Whether review and search show the masked view, kept while the app runs.
    masked_views: MaskedViews,
    /// The recording being played, if any.
    sound: super::sound::Sound,
    /// The recording being made, if any.
    microphone: super::microphone::Microphone,
}

/// The masked view's switch for each screen that has one.
#[derive(Clone, Copy, Default)]
struct MaskedViews {
    review: bool,
    search: bool,
}

impl App {
    pub fn new(
        store: Arc<Store>,
        keys: Keymap,
        clock: Box<dyn Clock>,
        banner: Option<String>,
    ) -> Result<App, StoreError> {
        let home = HomeState::new(loaders::case_rows(&store)?);
        let masks = store.mask_list()?;
        Ok(App {
            jobs: Jobs::spawn(store.clone()),
            store,
            keys,
            clock,
            screen: Screen::Home(home),
            room: 0,
            behind: Vec::new(),
            last_room: 0,
            help: None,
            banner,
            author: crate::domain::narrative::author_from_env(),
            quit: false,
            shared_draft: Arc::new(Mutex::new(None)),
            notice: None,
            in_string: false,
            masks,
            masked_views: MaskedViews::default(),
            sound: super::sound::Sound::default(),
            microphone: super::microphone::Microphone::new(None),
        })
        .map(|mut app| {
            // A recording a crash cut short is made whole before anything else.
            match crate::import::recording::mend_unfinished(&app.store) {
                Ok(said) if !said.is_empty() => app.notice = Some(said.join(" ")),
                Ok(_) => {}
                Err(e) => app.banner = Some(format!("A recording cut short could not be mended: {e}")),
            }
            app
        })
    }

    /// Records from this sound file instead of the microphone (tests, demos).
    pub fn set_audio_source(&mut self, source: Option<std::path::PathBuf>) {
        self.microphone = super::microphone::Microphone::new(source);
    }

    /// Plays recordings through `sound` (tests: a null output).
    pub fn set_sound(&mut self, sound: super::sound::Sound) {
        self.sound = sound;
    }

    /// Whether a recording is playing: the screen is then redrawn often.
    pub fn is_playing(&self) -> bool {
        self.sound.is_playing()
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
        if !self.jobs.busy() {
            self.notice = None;
        }
        let table = self.table();
        let action = self.keys.action(table, key);
        if action.is_none() && table.takes_typing() && self.swallowed(key) {
            return;
        }
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

    /// A terminal without bracketed paste hands fieldlog a pasted OSC, DCS,
    /// PM, APC or SOS string as alt-] (alt-P…), its text as typed keys, and
    /// its end as ctrl-g or alt-\\. The whole string is dropped: from the
    /// introducer to its end, or to the end of the batch of events it came
    /// in (what a person types next comes in a batch of its own).
    fn swallowed(&mut self, key: KeyEvent) -> bool {
        use ratatui::crossterm::event::KeyModifiers;
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(']' | 'P' | 'X' | '^' | '_') if alt => self.in_string = true,
            KeyCode::Char('g') if key.modifiers.contains(KeyModifiers::CONTROL) && self.in_string => {
                self.in_string = false
            }
            KeyCode::Char('\\') if alt && self.in_string => self.in_string = false,
            KeyCode::Char(_) if self.in_string => {}
            _ => {
                self.in_string = false;
                return false;
            }
        }
        true
    }

    fn update_screen(&mut self, input: Input) {
        let effect = self.screen.update(input, self.clock.now());
        if let Err(e) = self.carry_out(effect) {
            self.show_problem(e.to_string());
        }
    }

    /// Shows a problem on the screen where it happened, or in the banner.
    fn show_problem(&mut self, text: String) {
        if !self.screen.tell(text.clone()) {
            self.banner = Some(text);
        }
    }

    /// Takes the writer's acknowledgements and background results, and saves the draft when due.
    pub fn tick(&mut self) {
        // A batch of events has ended: no string sequence goes on past it.
        self.in_string = false;
        self.take_finished();
        let acknowledged = self.jobs.acknowledged(false);
        self.route(acknowledged);
        if self.jobs.draft_due() {
            self.save_draft_now();
        }
        self.follow_playback();
        // A recording that failed (the microphone gone, the disk full) is finished with what it has.
        let failed = self.microphone.failure().and_then(|why| {
            let kept = self.microphone.stop(&self.store, None);
            Some(format!("The recording stopped: {why}. {}", kept?.unwrap_or_else(|e| e)))
        });
        let recording = self.microphone.recording();
        match &mut self.screen {
            Screen::Live(live) => {
                live.microphone = recording == Some(live.session.id);
                if let Some(said) = failed {
                    live.tell(said, true);
                }
            }
            _ => {
                if let Some(said) = failed {
                    self.banner = Some(said);
                }
            }
        }
    }

    /// Hands where playback is to the screen; a recording no screen plays stops.
    fn follow_playback(&mut self) {
        let playing = self.screen.set_playback(&self.sound);
        self.sound.keep_only(playing);
        if let Some(why) = self.sound.failure() {
            self.show_problem(why);
        }
    }

    /// Calls `bell` (from the writer's thread) each time saves are
    /// acknowledged, so the event loop can show "saved" the moment it is
    /// true instead of at its next wake-up.
    pub fn ring_on_save(&self, bell: impl Fn() + Send + 'static) {
        self.jobs.ring_on_save(bell);
    }

    /// Blocks until everything handed to the writer is acknowledged (tests, leaving).
    pub fn wait_for_saves(&mut self) {
        let acknowledged = self.jobs.acknowledged(true);
        self.route(acknowledged);
    }

    /// Blocks until a background job is done (tests, quitting).
    pub fn wait_for_export(&mut self) {
        let started = Instant::now();
        while self.jobs.busy() && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(10));
            self.tick();
        }
    }

    /// Saves the draft and waits for the writer to finish every queued job.
    pub fn shutdown(&mut self) {
        if let Some(Err(e)) = self.microphone.stop(&self.store, None) {
            eprintln!("{e}");
        }
        self.wait_for_export();
        self.save_draft_now();
        self.jobs.finish();
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
        let progress = self.jobs.progress().or_else(|| self.notice.clone());
        let main = match progress {
            Some(text) if main.height > 3 => {
                let [rest, bottom] =
                    Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(main);
                frame.render_widget(Line::from(format!(" {text}")).black().on_cyan(), bottom);
                rest
            }
            _ => main,
        };
        self.screen.render(frame, main, &self.keys, self.clock.now());
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

/// `area` shrunk by a margin, when there is room for one.
fn inset(area: Rect, x: u16, y: u16) -> Rect {
    if area.width > 2 * x + 20 && area.height > 2 * y + 5 {
        Rect::new(area.x + x, area.y + y, area.width - 2 * x, area.height - 2 * y)
    } else {
        area
    }
}
