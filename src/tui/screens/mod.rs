//! One module per screen: a state, `update(Input) -> Effect`, and `render`.
//! Screens never touch the store: they return effects for the app to carry out.

pub mod case;
pub mod codebook;
pub mod display;
pub mod editor;
pub mod form;
pub mod help;
pub mod home;
pub mod live;
pub mod narratives;
pub mod overview;
pub mod review;
pub mod search;

use crate::domain::{Id, Session};
use crate::keymap::{Action, Keymap, Table};
use crate::store::writer::Durability;
use crate::store::Change;

/// What reaches a screen: an action from the keymap, or text typed or pasted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Action(Action),
    Char(char),
    Paste(String),
}

/// What a screen asks the app to do.
#[derive(Debug)]
pub enum Effect {
    None,
    /// Hand changes to the store writer; the acknowledgement comes back with `tag`.
    Save {
        tag: u64,
        changes: Vec<Change>,
        durability: Durability,
    },
    AddCase(String),
    OpenForm(Id),
    StartSession(Box<Session>),
    OpenLive(Id),
    OpenCase(Id),
    OpenReview {
        session: Id,
        seq: Option<u32>,
    },
    OpenNarratives,
    /// Just these narratives (a display cell, a link's support).
    OpenNarrativesOf(Vec<Id>),
    OpenOverview,
    OpenDisplay,
    OpenSearch,
    OpenCodebook,
    Search(String),
    /// Write the whole study in a format (on a thread of its own).
    Export {
        format: String,
        path: String,
    },
    /// A transcript file becomes a new session of the case.
    ImportTranscript(ImportRequest),
    /// Back to the screen this one was opened from.
    Back,
    GoHome,
}

/// A transcript to import, as the case screen's prompt was answered.
#[derive(Debug)]
pub struct ImportRequest {
    pub case: Id,
    pub file: String,
    pub kind: String,
    /// When it was recorded, if the researcher said: `2026-03-02` or `2026-03-02 10:30`.
    pub recorded: Option<String>,
}

/// Key hints for a footer: "a add case · s start session", from the active keymap.
pub fn hints(keys: &Keymap, table: Table, actions: &[(Action, &str)]) -> String {
    actions
        .iter()
        .filter_map(|(action, label)| {
            keys.keys_for(table, *action).map(|k| format!("{} {label}", k.split(", ").next().unwrap_or("")))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
