//! Carrying out what screens ask for: opening screens, saving through the
//! writer, background work; and handing each acknowledgement back to the
//! screen that asked, or showing its failure where it happened.

use super::App;
use crate::domain::{Case, CaseCode, Role, Session, SessionKind};
use crate::import::transcript;
use crate::store::writer::Durability;
use crate::store::Change;
use crate::store::{Store, StoreError};
use crate::tui::jobs::{Acknowledged, Finished};
use crate::tui::loaders;
use crate::tui::screen::Screen;
use crate::tui::screens::live::LiveState;
use crate::tui::screens::reading::ReadingState;
use crate::tui::screens::search::SearchState;
use crate::tui::screens::{Effect, ImportRequest, Receipt};

impl App {
    pub(super) fn carry_out(&mut self, effect: Effect) -> Result<(), StoreError> {
        let today = self.clock.now().date_naive();
        match effect {
            Effect::None => {}
            Effect::Save { changes, durability, receipt } => {
                let masks = changes.iter().rev().find_map(|c| match c {
                    Change::MaskList(list) => Some(list.clone()),
                    _ => None,
                });
                if let Some(list) = masks {
                    self.masks = list;
                }
                // A session ended while the microphone records it: the recording stops with it.
                let ended = changes.iter().find_map(|c| match c {
                    Change::Session(s) if s.ended.is_some() => Some(s.id),
                    _ => None,
                });
                if let Some(said) = ended.and_then(|id| self.microphone.stop(&self.store, Some(id))) {
                    self.notice = Some(said.unwrap_or_else(|e| e));
                }
                self.save(changes, durability, receipt)
            }
            Effect::AddCase(code) => self.add_case(&code),
            Effect::OpenForm(case) => self.push(Screen::Form(loaders::form(&self.store, *case)?)),
            Effect::StartSession { session, case } => self.start_session(*session, case),
            Effect::OpenLive(id) => {
                let live = self.load(|store| loaders::live(store, id))?;
                self.push(Screen::Live(Box::new(live)));
            }
            Effect::OpenCase(id) => {
                let author = self.author.clone();
                let case = self.load(|store| loaders::case(store, id, today, &author))?;
                self.push(Screen::Case(Box::new(case)));
            }
            Effect::OpenNarrativesOf(ids) => {
                let mut screen = loaders::narratives(&self.store, &self.author)?;
                screen.keep_only(&ids);
                self.push(Screen::Narratives(screen));
            }
            Effect::OpenDisagreements => {
                let screen = loaders::disagreements(&self.store)?;
                self.push(Screen::Disagreements(Box::new(screen)));
            }
            Effect::OpenOverview => {
                self.push(Screen::Overview(loaders::overview(&self.store, self.clock.now().date_naive())?))
            }
            Effect::OpenContactsTable => {
                let table = self.load(|store| loaders::contacts_table(store, today))?;
                self.push(Screen::Reading(Box::new(table)));
            }
            Effect::OpenTables => {
                let tables = self.load(|store| loaders::tables(store, today))?;
                self.push(Screen::Tables(Box::new(tables)));
            }
            Effect::Read(doc) => self.push(Screen::Reading(Box::new(ReadingState::new(*doc)))),
            Effect::OpenBrief(case) => {
                let brief = self.load(|store| loaders::brief(store, case, today))?;
                self.push(Screen::Reading(Box::new(brief)));
            }
            Effect::OpenTimeline => {
                let view = self.load(|store| loaders::timeline(store, today))?;
                self.push(Screen::Timeline(Box::new(view)));
            }
            Effect::OpenDisplay => {
                self.push(Screen::Display(Box::new(loaders::display(&self.store, &self.author)?)))
            }
            Effect::OpenReview { session, seq } => {
                self.load(|store| store.session(session)?.ok_or(StoreError::Missing { what: "session" }))?;
                // Proposals to mask opened from this session's review go back to it.
                let below =
                    matches!(self.behind.last(), Some((_, Screen::Review(r))) if r.session.id == session);
                if below && matches!(self.screen, Screen::Candidates(_)) {
                    self.back()?;
                    if let (Screen::Review(review), Some(seq)) = (&mut self.screen, seq) {
                        review.go_to(seq);
                    }
                } else {
                    self.open_review(session, seq)?
                }
            }
            Effect::OpenNarratives => {
                self.push(Screen::Narratives(loaders::narratives(&self.store, &self.author)?))
            }
            Effect::OpenSearch => {
                // Reading every line into the search corpus takes a while in a big
                // study: start it while the researcher types the words.
                let store = self.store.clone();
                let _ = std::thread::Builder::new()
                    .name("search-corpus".into())
                    .spawn(move || store.prepare_search());
                let mut search = SearchState::new();
                search.set_masks(self.masks.clone());
                search.set_masked(self.masked_views.search);
                self.push(Screen::Search(search));
            }
            Effect::OpenCandidates(session) => {
                // Lines just corrected are read as the writer has them.
                if self.jobs.owed() {
                    self.wait_for_saves();
                }
                let candidates = loaders::candidates(&self.store, &self.masks, session)?;
                self.push(Screen::Candidates(Box::new(candidates)));
            }
            Effect::MaskedView(on) => match &self.screen {
                Screen::Review(_) => self.masked_views.review = on,
                Screen::Search(_) => self.masked_views.search = on,
                _ => {}
            },
            Effect::OpenCodebook => {
                self.push(Screen::Codebook(loaders::codebook(&self.store, &self.author)?))
            }
            Effect::Search(query) => {
                if let Screen::Search(search) = &mut self.screen {
                    let found = loaders::search(&self.store, &query, search.limit, &self.author)?;
                    search.show(query, found);
                }
            }
            Effect::Play { session, play } => {
                if let Err(why) = self.sound.command(&self.store, session, play, std::time::Instant::now()) {
                    self.show_problem(why);
                }
                self.screen.set_playback(&self.sound);
            }
            Effect::AttachRecording { session, file, link, replace } => {
                self.attach_recording(session, &file, link, replace)
            }
            Effect::Record { session } => return self.record(session),
            Effect::Back => self.back()?,
            Effect::Export { format, path } => self.start_export(format, &path),
            Effect::ImportTranscript(request) => self.read_transcript(request),
            Effect::GoHome => self.go_home()?,
        }
        Ok(())
    }

    /// Reads what a screen opens with. A case or session just handed to the
    /// writer may not be in the store yet: then, and only then, the read
    /// waits for the writer and tries again.
    fn load<T>(&mut self, read: impl Fn(&Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match read(&self.store) {
            Err(StoreError::Missing { .. }) if self.jobs.owed() => {
                self.wait_for_saves();
                read(&self.store)
            }
            result => result,
        }
    }

    /// Hands changes to the writer for the current screen.
    fn save(&mut self, changes: Vec<Change>, durability: Durability, receipt: Receipt) {
        if !self.jobs.save(self.room, changes, durability, receipt) {
            self.banner = Some("The store writer has stopped: nothing more can be saved.".into());
        }
    }

    /// The code was checked by the home screen; the writer stores the case
    /// and its entry in the code index at once.
    fn add_case(&mut self, code: &str) {
        match CaseCode::parse(code) {
            Ok(code) => {
                let case = Case::new(code.clone(), Vec::new(), self.clock.now());
                if let Screen::Home(home) = &mut self.screen {
                    home.add(case.clone());
                }
                let done = Receipt::CaseAdded(code.to_string());
                self.save(vec![Change::Case(case)], Durability::Synced, done);
            }
            Err(e) => self.show_problem(e.to_string()),
        }
    }

    /// Opens the live screen at once; the session is saved behind it.
    fn start_session(&mut self, session: Session, case: String) {
        let live = LiveState::open(session.clone(), case, Vec::new(), None);
        self.replace(Screen::Live(Box::new(live)));
        self.save(vec![Change::Session(session)], Durability::Synced, Receipt::Session);
    }

    fn start_export(&mut self, format: String, path: &str) {
        if self.store.is_encrypted() {
            self.notice = Some(
                "This study is encrypted and an export is not: write one from the command line with `fieldlog export … --plaintext`.".into(),
            );
            return;
        }
        let output = expand_home(path);
        let what = format!("{format} to {}", output.display());
        let store = self.store.clone();
        let now = self.clock.now();
        let doing = format!("Exporting {what}");
        let started = self.jobs.start(doing, move || {
            let result = crate::export::write(
                &store,
                &format,
                Default::default(),
                &output,
                now,
                None,
                &Default::default(),
            )
            .map(|written| written.files)
            .map_err(|e| e.to_string());
            Finished::Exported { what, result }
        });
        if let Err(e) = started {
            self.notice = Some(e);
        }
    }

    /// Reads and parses the file in the background; the case screen that asked
    /// gets the new session through the writer once it is read.
    fn read_transcript(&mut self, request: ImportRequest) {
        let path = expand_home(&request.file);
        let store = self.store.clone();
        let room = self.room;
        let now = self.clock.now();
        let doing = format!("Reading {}", path.display());
        let started = self.jobs.start(doing, move || Finished::Read {
            room,
            result: import(&store, &request, &path, now).map(Box::new),
        });
        if let Err(e) = started {
            self.show_problem(e);
        }
    }

    /// Starts or stops the microphone for the live screen's session.
    fn record(&mut self, session: crate::domain::Id) -> Result<(), StoreError> {
        if let Some(said) = self.microphone.stop(&self.store, Some(session)) {
            if let Screen::Live(live) = &mut self.screen {
                live.microphone = false;
                let problem = said.is_err();
                live.tell(said.unwrap_or_else(|e| e), problem);
            }
            return Ok(());
        }
        let Screen::Live(live) = &mut self.screen else { return Ok(()) };
        match self.microphone.start(&self.store, &live.session, self.clock.now()) {
            Ok((at, record)) => {
                let effect = live.recording_began(at, record);
                self.carry_out(effect)
            }
            Err(why) => {
                live.tell(why, true);
                Ok(())
            }
        }
    }

    /// Attaches a recording on a thread of its own (a long one is read through first).
    fn attach_recording(&mut self, session: crate::domain::Id, file: &str, link: bool, replace: bool) {
        use crate::import::recording::{attach, Attach, AttachError, Keeping};
        let path = expand_home(file);
        let store = self.store.clone();
        let room = self.room;
        let now = self.clock.now();
        let doing = format!("Reading {}", path.display());
        let started = self.jobs.start(doing, move || {
            let said = match store.session(session) {
                Ok(Some(s)) => {
                    let keeping = if link { Keeping::Link } else { Keeping::Copy };
                    let how =
                        Attach { file: &path, keeping, offset_ms: None, replace, made_here: false };
                    match attach(&store, &s, how, now) {
                        Ok(recording) => format!("Attached {}.", recording.describe()),
                        // Said short enough for 80 columns, in the prompt's own words.
                        Err(AttachError::HasOne(..)) => {
                            "This session already has a recording: write --replace after the file to put this one in its place.".into()
                        }
                        Err(e) => e.to_string(),
                    }
                }
                Ok(None) => "That session is no longer in the study.".into(),
                Err(e) => e.to_string(),
            };
            Finished::Attached { room, said }
        });
        if let Err(e) = started {
            self.show_problem(e);
        }
    }

    /// Takes a background job's answer.
    pub(super) fn take_finished(&mut self) {
        match self.jobs.finished() {
            Some(Finished::Exported { what, result: Ok(files) }) => {
                let first = files.first().map_or(String::new(), |f| f.display().to_string());
                let more = match files.len() {
                    0 | 1 => String::new(),
                    n => format!(" and {} more", crate::domain::text::count(n - 1, "file")),
                };
                self.notice = Some(format!("Exported {what}: wrote {first}{more}."));
            }
            Some(Finished::Exported { what, result: Err(e) }) => {
                self.notice = Some(format!("The export of {what} failed: {e}"));
            }
            Some(Finished::Stopped(what)) => {
                self.notice = Some(format!("{what} stopped without finishing; nothing was saved."));
            }
            Some(Finished::Attached { room, said }) => self.tell_room(room, said),
            Some(Finished::Read { room, result }) => {
                let count = crate::domain::text::count;
                let (imported, told) = match result.map(|read| *read) {
                    Ok((imported, unknown)) if unknown.is_empty() => {
                        let told = format!(
                            "Imported {} as a new session.",
                            count(imported.utterances.len(), "line")
                        );
                        (imported, told)
                    }
                    Ok((imported, unknown)) => {
                        let told = format!(
                            "Imported {} as a new session; {} spoke as \"other\" (import with --role to say who).",
                            count(imported.utterances.len(), "line"),
                            unknown.join(", ")
                        );
                        (imported, told)
                    }
                    Err(e) => return self.tell_room(room, e),
                };
                if !self.jobs.save(room, imported.changes(), Durability::Synced, Receipt::Imported(told)) {
                    self.banner = Some("The store writer has stopped: nothing more can be saved.".into());
                }
            }
            None => {}
        }
    }

    /// Hands each acknowledgement to the screen that asked; a failure whose
    /// screen has closed goes to the banner. A few need the store read again.
    pub(super) fn route(&mut self, acknowledged: Vec<Acknowledged>) {
        let now = self.clock.now();
        for Acknowledged { room, receipt, error } in acknowledged {
            let error = error.as_deref();
            if let (Some(_), Receipt::MaskList(_)) = (error, &receipt) {
                // The list the screens hold was not saved: they go back to the stored one.
                match self.store.mask_list() {
                    Ok(list) => self.masks = list,
                    Err(e) => self.banner = Some(e.to_string()),
                }
                self.screen.set_masks(&self.masks);
            }
            let screen = match room == self.room {
                true => Some(&mut self.screen),
                false => self.behind.iter_mut().find(|(r, _)| *r == room).map(|(_, s)| s),
            };
            let shown = screen.is_some_and(|s| s.on_saved(&receipt, error, now));
            if let (false, Some(e)) = (shown, error) {
                self.banner = Some(format!("NOT SAVED: {e}"));
            }
            if error.is_none() && room == self.room {
                if let Err(e) = self.follow_up(&receipt) {
                    self.show_problem(e.to_string());
                }
            }
        }
        // Reading back comes right after the end, once the store has it all.
        let ended = match &self.screen {
            Screen::Live(live) if live.is_ended() && !self.jobs.waiting(self.room) => Some(live.session.id),
            _ => None,
        };
        if let Some(session) = ended {
            if let Err(e) = self.open_review(session, None) {
                self.show_problem(e.to_string());
            }
        }
    }

    /// What a save means for the screen beyond a word: the store read again.
    fn follow_up(&mut self, receipt: &Receipt) -> Result<(), StoreError> {
        match receipt {
            Receipt::CaseAdded(code) => {
                self.refresh_home(Some(code))?;
                self.screen.tell(format!("Case {code} added."));
            }
            Receipt::Imported(told) => {
                if let Screen::Case(case) = &self.screen {
                    let today = self.clock.now().date_naive();
                    let mut fresh = loaders::case(&self.store, case.case.id, today, &self.author)?;
                    fresh.tell(told.clone());
                    self.screen = Screen::Case(Box::new(fresh));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Says `text` on the screen in `room` if it is showing, else in the banner.
    fn tell_room(&mut self, room: u64, text: String) {
        if room == self.room {
            self.show_problem(text);
        } else {
            self.banner = Some(text);
        }
    }
}

/// Reads a transcript file into a session of the case, as the command line
/// does; speakers with no usual role speak as "other" and are listed.
fn import(
    store: &crate::store::Store,
    request: &ImportRequest,
    path: &std::path::Path,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(transcript::Imported, Vec<String>), String> {
    let case = store.case(request.case).map_err(|e| e.to_string())?.ok_or("the case is gone")?;
    let kind = SessionKind::parse(&request.kind).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let sessions = store.sessions().map_err(|e| e.to_string())?;
    let mut unknown = Vec::new();
    let role_for = |label: &str| {
        Ok(transcript::usual_role(label, case.code.as_str()).unwrap_or_else(|| {
            unknown.push(label.to_string());
            Role::Other
        }))
    };
    let source = transcript::file_name(path);
    let new = transcript::NewSession {
        case: &case,
        kind,
        contact: None,
        place: "other",
        source: &source,
        recorded: request.recorded.as_deref(),
        now,
    };
    let imported = transcript::import(&bytes, new, &sessions, role_for)?;
    Ok((imported, unknown))
}

/// A path as typed, with `~` for the home directory.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}
