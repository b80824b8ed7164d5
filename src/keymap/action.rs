//! Everything a user can do, named for what it does. The order here is the
//! order of the help overlay.

use std::fmt;

/// How many speakers a session can have hotkeys for, and themes in the guide.
pub const SPEAKER_KEYS: u8 = 9;
pub const THEME_KEYS: u8 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    // live logging
    CommitLine,
    SwitchSpeaker(u8),
    NextSpeaker,
    ReassignLast,
    CommitEvent,
    CommitNote,
    InsertPause,
    MarkLast,
    CorrectLast,
    ToggleClock,
    RecordingStarted,
    TickTheme(u8),
    EndSession,
    // lists and forms
    SelectUp,
    SelectDown,
    AddCase,
    StartSession,
    OpenSession,
    NextField,
    PreviousField,
    Confirm,
    // editing the line being typed
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    DeleteBack,
    DeleteForward,
    DeleteWordBack,
    ClearInput,
    // everywhere
    Back,
    Help,
    Quit,
}

/// The tables of a keymap file: one per screen, plus `text` (editing keys
/// shared by every screen that takes typing) and `global`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Global,
    Text,
    Home,
    Form,
    Live,
    Prompt,
    Help,
}

impl Table {
    pub const ALL: [Table; 7] =
        [Table::Global, Table::Text, Table::Home, Table::Form, Table::Live, Table::Prompt, Table::Help];

    pub fn name(self) -> &'static str {
        match self {
            Table::Global => "global",
            Table::Text => "text",
            Table::Home => "home",
            Table::Form => "form",
            Table::Live => "live",
            Table::Prompt => "prompt",
            Table::Help => "help",
        }
    }

    pub fn parse(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Screens where typed characters are text: a printable key bound here would eat typing.
    pub fn takes_typing(self) -> bool {
        matches!(self, Table::Text | Table::Form | Table::Live | Table::Prompt)
    }

    /// The tables a key is looked up in on this screen, first match wins.
    pub fn lookup_order(self) -> Vec<Table> {
        let mut order = vec![self];
        if self != Table::Text && self.takes_typing() {
            order.push(Table::Text);
        }
        if self != Table::Global {
            order.push(Table::Global);
        }
        order
    }

    /// The screens a user can be on (every table but the shared ones).
    pub fn screens() -> impl Iterator<Item = Table> {
        Table::ALL.into_iter().filter(|t| !matches!(t, Table::Global | Table::Text))
    }
}

impl Action {
    /// Every action, in help order.
    pub fn all() -> Vec<Action> {
        use Action::*;
        let mut all = vec![CommitLine];
        all.extend((1..=SPEAKER_KEYS).map(SwitchSpeaker));
        all.extend([
            NextSpeaker,
            ReassignLast,
            CommitEvent,
            CommitNote,
            InsertPause,
            MarkLast,
            CorrectLast,
            ToggleClock,
            RecordingStarted,
        ]);
        all.extend((1..=THEME_KEYS).map(TickTheme));
        all.extend([
            EndSession,
            SelectUp,
            SelectDown,
            AddCase,
            StartSession,
            OpenSession,
            NextField,
            PreviousField,
            Confirm,
            CursorLeft,
            CursorRight,
            CursorHome,
            CursorEnd,
            DeleteBack,
            DeleteForward,
            DeleteWordBack,
            ClearInput,
            Back,
            Help,
            Quit,
        ]);
        all
    }

    pub fn name(self) -> String {
        use Action::*;
        let name = match self {
            SwitchSpeaker(n) => return format!("switch-speaker-{n}"),
            TickTheme(n) => return format!("tick-theme-{n}"),
            CommitLine => "commit-line",
            NextSpeaker => "next-speaker",
            ReassignLast => "reassign-last",
            CommitEvent => "commit-event",
            CommitNote => "commit-note",
            InsertPause => "insert-pause",
            MarkLast => "mark-last",
            CorrectLast => "correct-last",
            ToggleClock => "toggle-clock",
            RecordingStarted => "recording-started",
            EndSession => "end-session",
            SelectUp => "select-up",
            SelectDown => "select-down",
            AddCase => "add-case",
            StartSession => "start-session",
            OpenSession => "open-session",
            NextField => "next-field",
            PreviousField => "previous-field",
            Confirm => "confirm",
            CursorLeft => "cursor-left",
            CursorRight => "cursor-right",
            CursorHome => "cursor-home",
            CursorEnd => "cursor-end",
            DeleteBack => "delete-back",
            DeleteForward => "delete-forward",
            DeleteWordBack => "delete-word-back",
            ClearInput => "clear-input",
            Back => "back",
            Help => "help",
            Quit => "quit",
        };
        name.to_string()
    }

    pub fn parse(name: &str) -> Option<Action> {
        Action::all().into_iter().find(|a| a.name() == name)
    }

    /// One line for the help overlay.
    pub fn describe(self) -> String {
        use Action::*;
        let text = match self {
            SwitchSpeaker(n) => return format!("speaker {n} speaks now"),
            TickTheme(n) => return format!("tick or untick theme T{n} of the guide"),
            CommitLine => "save the line as speech",
            NextSpeaker => "next speaker speaks now",
            ReassignLast => "give the last line to the next speaker",
            CommitEvent => "save the line as an event (action, non-verbal)",
            CommitNote => "save the line as your own note",
            InsertPause => "insert a pause (the line, if any, says how long)",
            MarkLast => "mark the last line to come back to (optionally with a word)",
            CorrectLast => "correct the last line (the earlier text is kept)",
            ToggleClock => "pause or resume the session clock",
            RecordingStarted => "the audio recording starts now",
            EndSession => "end the session (press twice)",
            SelectUp => "move up",
            SelectDown => "move down",
            AddCase => "add a case",
            StartSession => "start a session for the case",
            OpenSession => "go on with the case's latest open session",
            NextField => "next field",
            PreviousField => "previous field",
            Confirm => "confirm",
            CursorLeft => "cursor left (or previous choice)",
            CursorRight => "cursor right (or next choice)",
            CursorHome => "start of the text",
            CursorEnd => "end of the text",
            DeleteBack => "delete the character before the cursor",
            DeleteForward => "delete the character at the cursor",
            DeleteWordBack => "delete the word before the cursor",
            ClearInput => "clear the text",
            Back => "back / cancel",
            Help => "show or hide this help",
            Quit => "quit fieldlog (everything saved stays saved)",
        };
        text.to_string()
    }

    /// Whether binding this action in `table` means anything.
    pub fn belongs_in(self, table: Table) -> bool {
        use Action::*;
        match table {
            Table::Global => matches!(self, Help | Quit),
            Table::Text => matches!(
                self,
                CursorLeft
                    | CursorRight
                    | CursorHome
                    | CursorEnd
                    | DeleteBack
                    | DeleteForward
                    | DeleteWordBack
                    | ClearInput
            ),
            Table::Home => {
                matches!(
                    self,
                    SelectUp | SelectDown | AddCase | StartSession | OpenSession | Back | Help | Quit
                )
            }
            Table::Form => matches!(
                self,
                NextField | PreviousField | Confirm | Back | Help | Quit | CursorLeft | CursorRight
            ),
            Table::Live => matches!(
                self,
                CommitLine
                    | SwitchSpeaker(_)
                    | NextSpeaker
                    | ReassignLast
                    | CommitEvent
                    | CommitNote
                    | InsertPause
                    | MarkLast
                    | CorrectLast
                    | ToggleClock
                    | RecordingStarted
                    | TickTheme(_)
                    | EndSession
                    | Back
                    | Help
                    | Quit
            ),
            Table::Prompt => matches!(self, Confirm | Back | Help),
            Table::Help => matches!(self, SelectUp | SelectDown | Back | Help | Quit),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_name_parses_back() {
        for action in Action::all() {
            assert_eq!(Action::parse(&action.name()), Some(action));
        }
        assert_eq!(Action::parse("switch-speaker-0"), None);
        assert_eq!(Action::parse("fly"), None);
    }

    #[test]
    fn every_action_belongs_somewhere() {
        for action in Action::all() {
            assert!(Table::ALL.iter().any(|t| action.belongs_in(*t)), "{action}");
        }
    }
}
