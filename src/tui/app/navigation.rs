//! Going between screens: opening one over the current, going back (and
//! bringing what the screen below shows up to date), going home.

use super::App;
use crate::domain::Id;
use crate::store::StoreError;
use crate::tui::jobs::Room;
use crate::tui::loaders;
use crate::tui::screen::Screen;
use crate::tui::screens::home::HomeState;

impl App {
    fn new_room(&mut self) -> Room {
        self.last_room += 1;
        self.last_room
    }

    /// Shows `screen`, keeping the current one to come back to.
    pub(super) fn push(&mut self, screen: Screen) {
        let room = self.new_room();
        let previous = std::mem::replace(&mut self.screen, screen);
        self.behind.push((std::mem::replace(&mut self.room, room), previous));
    }

    /// Shows `screen` in place of the current one.
    pub(super) fn replace(&mut self, screen: Screen) {
        self.leave_screen();
        self.room = self.new_room();
        self.screen = screen;
    }

    /// Saves what the current screen leaves behind (the draft of a live line).
    pub(super) fn leave_screen(&mut self) {
        self.save_draft_now();
        if let Screen::Live(_) = &self.screen {
            *self.shared_draft.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    pub(super) fn save_draft_now(&mut self) {
        let draft = match &mut self.screen {
            Screen::Live(live) => live.take_draft(),
            _ => None,
        };
        if !self.jobs.save_draft(draft) {
            self.banner = Some("The store writer has stopped: nothing more can be saved.".into());
        }
    }

    pub(super) fn back(&mut self) -> Result<(), StoreError> {
        self.leave_screen();
        let left_case = self.screen.case();
        let (room, below) = self.behind.pop().unwrap_or((0, Screen::Home(HomeState::new(Vec::new()))));
        self.room = room;
        self.screen = below;
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
                let today = self.clock.now().date_naive();
                self.screen =
                    Screen::Case(Box::new(loaders::case(&self.store, s.case.id, today, &self.author)?));
            }
            // A case opened from these may have had a contact marked or a dropout recorded.
            Screen::Overview(old) => {
                let mut fresh = loaders::overview(&self.store, self.clock.now().date_naive())?;
                fresh.keep_selection(old);
                self.screen = Screen::Overview(fresh);
            }
            Screen::Timeline(old) => {
                let mut fresh = loaders::timeline(&self.store, self.clock.now().date_naive())?;
                fresh.keep_view(old);
                self.screen = Screen::Timeline(Box::new(fresh));
            }
            Screen::Narratives(old) => {
                let filter = old.filter().to_string();
                let mut fresh = loaders::narratives(&self.store, &self.author)?;
                let _ = fresh.apply_filter(&filter);
                self.screen = Screen::Narratives(fresh);
            }
            _ => {}
        }
        // The mask list and the masked view may have changed above it.
        self.screen.set_masks(&self.masks);
        match &mut self.screen {
            Screen::Review(review) => review.set_masked(self.masked_views.review),
            Screen::Search(search) => search.set_masked(self.masked_views.search),
            _ => {}
        }
        Ok(())
    }

    pub(super) fn go_home(&mut self) -> Result<(), StoreError> {
        self.leave_screen();
        self.behind.clear();
        self.room = 0;
        self.screen = Screen::Home(HomeState::new(Vec::new()));
        self.refresh_home(None)
    }

    pub(super) fn refresh_home(&mut self, select: Option<&str>) -> Result<(), StoreError> {
        let rows = loaders::case_rows(&self.store)?;
        if let Screen::Home(home) = &mut self.screen {
            home.refresh(rows, select);
        }
        Ok(())
    }

    /// Opens review of `session` at line `seq`, in place of a live screen or on top of the rest.
    pub(super) fn open_review(&mut self, session: Id, seq: Option<u32>) -> Result<(), StoreError> {
        let mut review = loaders::review(&self.store, session, &self.author, seq)?;
        review.set_masks(self.masks.clone());
        review.set_masked(self.masked_views.review);
        let review = Screen::Review(Box::new(review));
        if matches!(self.screen, Screen::Live(_)) {
            self.replace(review);
        } else {
            self.push(review);
        }
        Ok(())
    }
}
