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
    // reviewing a session
    PageUp,
    PageDown,
    GoFirst,
    GoLast,
    NextMark,
    PreviousMark,
    NextNarrative,
    PreviousNarrative,
    ToggleSelection,
    FlagNarrative,
    EditNarrative,
    DeleteNarrative,
    CorrectLine,
    DismissMark,
    // the narrative editor
    ToggleCode,
    SaveNarrative,
    // lists and forms
    SelectUp,
    SelectDown,
    OpenCase,
    ReviewSession,
    AddCase,
    StartSession,
    OpenSession,
    OpenNarratives,
    OpenSearch,
    OpenCodebook,
    EditFilter,
    AddGroup,
    AddCode,
    Rename,
    Describe,
    Retire,
    CycleKind,
    // cases over time
    SetAttribute,
    AddEffort,
    EditEffort,
    AddLink,
    OpenOverview,
    OpenDisplay,
    SelectLeft,
    SelectRight,
    CycleColumns,
    Export,
    ImportTranscript,
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
    Case,
    Review,
    Editor,
    Checklist,
    Narratives,
    Search,
    Codebook,
    Overview,
    Display,
}

impl Table {
    pub const ALL: [Table; 16] = [
        Table::Global,
        Table::Text,
        Table::Home,
        Table::Form,
        Table::Live,
        Table::Prompt,
        Table::Help,
        Table::Case,
        Table::Review,
        Table::Editor,
        Table::Checklist,
        Table::Narratives,
        Table::Search,
        Table::Codebook,
        Table::Overview,
        Table::Display,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Global => "global",
            Table::Text => "text",
            Table::Home => "home",
            Table::Form => "form",
            Table::Live => "live",
            Table::Prompt => "prompt",
            Table::Help => "help",
            Table::Case => "case",
            Table::Review => "review",
            Table::Editor => "editor",
            Table::Checklist => "checklist",
            Table::Narratives => "narratives",
            Table::Search => "search",
            Table::Codebook => "codebook",
            Table::Overview => "overview",
            Table::Display => "display",
        }
    }

    pub fn parse(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Screens where typed characters are text: a printable key bound here would eat typing.
    pub fn takes_typing(self) -> bool {
        matches!(
            self,
            Table::Text | Table::Form | Table::Live | Table::Prompt | Table::Editor | Table::Search
        )
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
            PageUp,
            PageDown,
            GoFirst,
            GoLast,
            NextMark,
            PreviousMark,
            NextNarrative,
            PreviousNarrative,
            ToggleSelection,
            FlagNarrative,
            EditNarrative,
            DeleteNarrative,
            CorrectLine,
            DismissMark,
            ToggleCode,
            SaveNarrative,
            SelectUp,
            SelectDown,
            OpenCase,
            ReviewSession,
            AddCase,
            StartSession,
            OpenSession,
            OpenNarratives,
            OpenSearch,
            OpenCodebook,
            EditFilter,
            AddGroup,
            AddCode,
            Rename,
            Describe,
            Retire,
            CycleKind,
            SetAttribute,
            AddEffort,
            EditEffort,
            AddLink,
            OpenOverview,
            OpenDisplay,
            SelectLeft,
            SelectRight,
            CycleColumns,
            Export,
            ImportTranscript,
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
            PageUp => "page-up",
            PageDown => "page-down",
            GoFirst => "go-first",
            GoLast => "go-last",
            NextMark => "next-mark",
            PreviousMark => "previous-mark",
            NextNarrative => "next-narrative",
            PreviousNarrative => "previous-narrative",
            ToggleSelection => "toggle-selection",
            FlagNarrative => "flag-narrative",
            EditNarrative => "edit-narrative",
            DeleteNarrative => "delete-narrative",
            CorrectLine => "correct-line",
            DismissMark => "dismiss-mark",
            ToggleCode => "toggle-code",
            SaveNarrative => "save-narrative",
            SelectUp => "select-up",
            SelectDown => "select-down",
            OpenCase => "open-case",
            ReviewSession => "review-session",
            AddCase => "add-case",
            StartSession => "start-session",
            OpenSession => "open-session",
            OpenNarratives => "open-narratives",
            OpenSearch => "open-search",
            OpenCodebook => "open-codebook",
            EditFilter => "edit-filter",
            AddGroup => "add-group",
            AddCode => "add-code",
            Rename => "rename",
            Describe => "describe",
            Retire => "retire",
            CycleKind => "cycle-kind",
            SetAttribute => "set-attribute",
            AddEffort => "add-effort",
            EditEffort => "edit-effort",
            AddLink => "add-link",
            OpenOverview => "open-overview",
            OpenDisplay => "open-display",
            SelectLeft => "select-left",
            SelectRight => "select-right",
            CycleColumns => "cycle-columns",
            Export => "export",
            ImportTranscript => "import-transcript",
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
            InsertPause => "insert a pause (seconds typed first are its length)",
            MarkLast => "mark the last line to come back to (a word typed first is its word)",
            CorrectLast => "correct the last line (the earlier text is kept)",
            ToggleClock => "pause or resume the session clock",
            RecordingStarted => "the audio recording starts now",
            EndSession => "end the session (press twice)",
            PageUp => "a page up",
            PageDown => "a page down",
            GoFirst => "to the first line",
            GoLast => "to the last line",
            NextMark => "to the next line marked live",
            PreviousMark => "to the previous line marked live",
            NextNarrative => "to the next narrative",
            PreviousNarrative => "to the previous narrative",
            ToggleSelection => "start selecting a span here (again: cancel)",
            FlagNarrative => "flag the span (or this line) as a short narrative",
            EditNarrative => "edit the narrative at this line",
            DeleteNarrative => "delete the narrative at this line (press twice)",
            CorrectLine => "correct this line (the earlier text is kept)",
            DismissMark => "dismiss this line's mark as no narrative",
            ToggleCode => "tick or untick the code",
            SaveNarrative => "save the narrative",
            SelectUp => "move up",
            SelectDown => "move down",
            OpenCase => "the case's sessions",
            ReviewSession => "read the session back and flag narratives",
            AddCase => "add a case",
            StartSession => "start a session for the case",
            OpenSession => "go on logging the case's latest open session",
            OpenNarratives => "all narratives of the study",
            OpenSearch => "search the whole study",
            OpenCodebook => "the codebook",
            EditFilter => "filter: case:AA code:high code:a|b kind:interview contact:2 author:NAME",
            AddGroup => "add a code group",
            AddCode => "add a code to the group",
            Rename => "rename",
            Describe => "describe",
            Retire => "retire or bring back (retired codes stay on narratives)",
            CycleKind => "change the group's kind: one-of, any-of, scale",
            SetAttribute => "give the case a value: KEY=VALUE",
            AddEffort => "add an effort: kind; start; end; provider; outcome",
            EditEffort => "edit or end the effort",
            AddLink => "add a link: effort -> consequence; valence",
            OpenOverview => "the follow-up overview of every case",
            OpenDisplay => "the display: narratives by case and contact point or codes",
            SelectLeft => "move left",
            SelectRight => "move right",
            CycleColumns => "columns: contact points, then each code group",
            Export => "export the study: json, csv, markdown, qdpx (QDA tools) or eaf (ELAN)",
            ImportTranscript => "import a transcript file as a new session of the case",
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
            Table::Home => matches!(
                self,
                SelectUp
                    | SelectDown
                    | OpenCase
                    | AddCase
                    | StartSession
                    | OpenSession
                    | OpenNarratives
                    | OpenSearch
                    | OpenCodebook
                    | OpenOverview
                    | OpenDisplay
                    | Export
                    | Back
                    | Help
                    | Quit
            ),
            Table::Case => matches!(
                self,
                SelectUp
                    | SelectDown
                    | NextField
                    | PreviousField
                    | Confirm
                    | ReviewSession
                    | OpenSession
                    | StartSession
                    | SetAttribute
                    | AddEffort
                    | EditEffort
                    | AddLink
                    | ImportTranscript
                    | Back
                    | Help
                    | Quit
            ),
            Table::Overview => matches!(self, SelectUp | SelectDown | Back | Help | Quit),
            Table::Display => matches!(
                self,
                SelectUp
                    | SelectDown
                    | SelectLeft
                    | SelectRight
                    | CycleColumns
                    | EditFilter
                    | Confirm
                    | Back
                    | Help
                    | Quit
            ),
            Table::Review => matches!(
                self,
                SelectUp
                    | SelectDown
                    | PageUp
                    | PageDown
                    | GoFirst
                    | GoLast
                    | NextMark
                    | PreviousMark
                    | NextNarrative
                    | PreviousNarrative
                    | ToggleSelection
                    | FlagNarrative
                    | EditNarrative
                    | DeleteNarrative
                    | CorrectLine
                    | DismissMark
                    | Back
                    | Help
                    | Quit
            ),
            Table::Editor => matches!(self, NextField | PreviousField | SaveNarrative | Back | Help | Quit),
            Table::Checklist => matches!(
                self,
                SelectUp
                    | SelectDown
                    | ToggleCode
                    | NextField
                    | PreviousField
                    | SaveNarrative
                    | Back
                    | Help
                    | Quit
            ),
            Table::Narratives => matches!(
                self,
                SelectUp
                    | SelectDown
                    | PageUp
                    | PageDown
                    | GoFirst
                    | GoLast
                    | Confirm
                    | EditFilter
                    | Back
                    | Help
                    | Quit
            ),
            Table::Search => {
                matches!(self, SelectUp | SelectDown | PageUp | PageDown | Confirm | Back | Help | Quit)
            }
            Table::Codebook => matches!(
                self,
                SelectUp
                    | SelectDown
                    | AddGroup
                    | AddCode
                    | Rename
                    | Describe
                    | Retire
                    | CycleKind
                    | Back
                    | Help
                    | Quit
            ),
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
