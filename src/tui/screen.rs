//! Every screen behind one enum: the one place a new screen is named for
//! key tables, updates, drawing and the store writer's acknowledgements.

use super::screens::case::CaseState;
use super::screens::codebook::CodebookState;
use super::screens::disagreements::DisagreementsState;
use super::screens::display::DisplayState;
use super::screens::form::FormState;
use super::screens::home::HomeState;
use super::screens::live::LiveState;
use super::screens::masks::CandidatesState;
use super::screens::narratives::NarrativesState;
use super::screens::overview::OverviewState;
use super::screens::reading::ReadingState;
use super::screens::review::ReviewState;
use super::screens::search::SearchState;
use super::screens::tables::TablesState;
use super::screens::timeline::TimelineState;
use super::screens::{Effect, Input, Receipt};
use crate::domain::{Id, MaskList};
use crate::keymap::{Action, Keymap, Table};
use chrono::{DateTime, FixedOffset};
use ratatui::layout::Rect;
use ratatui::Frame;

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
    Candidates(Box<CandidatesState>),
    Timeline(Box<TimelineState>),
    Reading(Box<ReadingState>),
    Disagreements(Box<DisagreementsState>),
    Tables(Box<TablesState>),
}

impl Screen {
    /// The keymap table keys are looked up in.
    pub fn table(&self) -> Table {
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
            Screen::Candidates(s) => s.table(),
            Screen::Timeline(s) => s.table(),
            Screen::Reading(s) => s.table(),
            Screen::Disagreements(s) => s.table(),
            Screen::Tables(s) => s.table(),
        }
    }

    /// Actions the screen has keys for that mean nothing where it is now.
    pub fn meaningless(&self) -> Vec<Action> {
        match self {
            Screen::Live(s) => s.meaningless(),
            // Only the question of what to write instead of a term has a scope.
            _ if self.table() == Table::Prompt && !self.asks_mask() => vec![Action::MaskScope],
            _ => Vec::new(),
        }
    }

    pub fn update(&mut self, input: Input, now: DateTime<FixedOffset>) -> Effect {
        match self {
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
            Screen::Candidates(s) => s.update(input),
            Screen::Timeline(s) => s.update(input),
            Screen::Reading(s) => s.update(input),
            Screen::Disagreements(s) => s.update(input, now),
            Screen::Tables(s) => s.update(input),
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap, now: DateTime<FixedOffset>) {
        match self {
            Screen::Home(s) => s.render(frame, area, keys),
            Screen::Form(s) => s.render(frame, area, keys),
            Screen::Live(s) => s.render(frame, area, keys, now),
            Screen::Case(s) => s.render(frame, area, keys),
            Screen::Overview(s) => s.render(frame, area, keys),
            Screen::Display(s) => s.render(frame, area, keys),
            Screen::Review(s) => s.render(frame, area, keys),
            Screen::Narratives(s) => s.render(frame, area, keys),
            Screen::Search(s) => s.render(frame, area, keys),
            Screen::Codebook(s) => s.render(frame, area, keys),
            Screen::Candidates(s) => s.render(frame, area, keys),
            Screen::Timeline(s) => s.render(frame, area, keys),
            Screen::Reading(s) => s.render(frame, area, keys),
            Screen::Disagreements(s) => s.render(frame, area, keys),
            Screen::Tables(s) => s.render(frame, area, keys),
        }
    }

    /// Hands the store writer's word on a save to the screen that asked;
    /// false when this screen cannot show it (the app then does).
    pub fn on_saved(&mut self, receipt: &Receipt, error: Option<&str>, now: DateTime<FixedOffset>) -> bool {
        match self {
            Screen::Live(s) => s.on_saved(receipt, error, now),
            Screen::Review(s) => s.on_saved(receipt, error),
            Screen::Case(s) => s.on_saved(receipt, error),
            Screen::Codebook(s) => s.on_saved(receipt, error),
            Screen::Candidates(s) => s.on_saved(receipt, error),
            Screen::Disagreements(s) => s.on_saved(receipt, error),
            Screen::Home(s) => match error {
                Some(e) => s.message = Some(format!("NOT SAVED: {e}")),
                None => return true,
            },
            _ => return error.is_none(),
        }
        true
    }

    /// Says something on the screen itself, where it has a line for it.
    pub fn tell(&mut self, message: String) -> bool {
        match self {
            Screen::Home(s) => s.message = Some(message),
            Screen::Case(s) => s.tell(message),
            Screen::Review(s) => s.tell(message),
            _ => return false,
        }
        true
    }

    fn asks_mask(&self) -> bool {
        match self {
            Screen::Review(s) => s.asks_mask(),
            Screen::Candidates(s) => s.asks_mask(),
            _ => false,
        }
    }

    /// Hands the study's mask list as it now is to a screen that shows or changes it.
    pub fn set_masks(&mut self, list: &MaskList) {
        match self {
            Screen::Review(s) => s.set_masks(list.clone()),
            Screen::Search(s) => s.set_masks(list.clone()),
            Screen::Candidates(s) => s.set_masks(list.clone()),
            _ => {}
        }
    }

    /// Hands where playback is to the screen that plays; the session it plays.
    pub fn set_playback(&mut self, sound: &crate::tui::sound::Sound) -> Option<Id> {
        match self {
            Screen::Review(s) => {
                s.set_playback(sound.view(s.session.id));
                Some(s.session.id)
            }
            _ => None,
        }
    }

    /// The case a screen is about, to select it on home when going back.
    pub fn case(&self) -> Option<Id> {
        match self {
            Screen::Live(live) => Some(live.session.case_id),
            Screen::Review(review) => Some(review.session.case_id),
            Screen::Form(form) => Some(form.case_id()),
            Screen::Case(case) => Some(case.case.id),
            _ => None,
        }
    }
}
