//! One module per screen: a state, `update(Input) -> Effect`, and `render`.
//! Screens never touch the store: they return effects for the app to carry out.

pub mod case;
pub mod codebook;
pub mod disagreements;
pub mod display;
pub mod editor;
pub mod form;
pub mod help;
pub mod home;
pub mod live;
pub mod masks;
pub mod narratives;
pub mod overview;
pub mod reading;
pub mod review;
pub mod search;
pub mod tables;
pub mod timeline;

use crate::domain::{Case, Id, Session};
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
    /// Hand changes to the store writer; the screen is told `receipt` once
    /// they are durable, or why they are not.
    Save {
        changes: Vec<Change>,
        durability: Durability,
        receipt: Receipt,
    },
    AddCase(String),
    /// The form for a new session of this case.
    OpenForm(Box<Case>),
    /// A session begins: the live screen opens at once, the session is saved behind it.
    StartSession {
        session: Box<Session>,
        case: String,
    },
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
    /// The time view across cases.
    OpenTimeline,
    /// The brief before the next contact with this case.
    OpenBrief(Id),
    /// The appendix table of contacts kept, partial and missed.
    OpenContactsTable,
    /// The study's tables, to choose from.
    OpenTables,
    /// A report to read (a table chosen on the tables screen).
    Read(Box<crate::export::document::Document>),
    /// The coders' disagreements, to settle.
    OpenDisagreements,
    OpenSearch,
    OpenCodebook,
    /// What the detectors propose to mask: in this session, or in the whole study.
    OpenCandidates(Option<Id>),
    /// The masked view was switched on or off: the app keeps it for this kind of screen.
    MaskedView(bool),
    Search(String),
    /// Write the whole study in a format (on a thread of its own).
    Export {
        format: String,
        path: String,
    },
    /// A transcript file becomes a new session of the case.
    ImportTranscript(ImportRequest),
    /// Play, pause, go back in or slow down a session's recording.
    Play {
        session: Id,
        play: crate::tui::sound::Play,
    },
    /// Start or stop recording the session with the microphone.
    Record {
        session: Id,
    },
    /// Attach a recording file to a session (on a thread of its own).
    AttachRecording {
        session: Id,
        file: String,
        /// Linked where it is, not copied into the study.
        link: bool,
        /// In place of the session's recording, if it has one (else that is refused).
        replace: bool,
    },
    /// Back to the screen this one was opened from.
    Back,
    GoHome,
}

/// What a screen is told back when a save it asked for is durable (or failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// A line of the live screen, by its number.
    Line(u32),
    /// The session record of the live screen.
    Session,
    /// Say this once saved.
    Said(String),
    /// A new case: the home screen reads the cases again and selects it.
    CaseAdded(String),
    /// A transcript became a session: the case screen reads itself again and says this.
    Imported(String),
    /// The mask list: say this once saved (on a failure the app reads the list back).
    MaskList(String),
}

impl Effect {
    /// Changes to save, made durable, with what to tell the screen then.
    pub fn save(changes: Vec<Change>, receipt: Receipt) -> Effect {
        Effect::Save { changes, durability: Durability::Synced, receipt }
    }
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
