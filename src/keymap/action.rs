//! Everything a user can do, named for what it does: one row per action
//! (its name in keymap files, what the help says, where it means
//! something). The order of the rows is the order of the help overlay.

use std::fmt;

/// How many speakers a session can have hotkeys for, and themes in the guide.
pub const SPEAKER_KEYS: u8 = 9;
pub const THEME_KEYS: u8 = 5;

/// Writes the Action enum and its table from one row per action:
/// `Variant => "name", "what it does", [tables where it means something];`
/// A row `Variant(n: COUNT)` stands for the actions numbered 1 to COUNT,
/// its name and description formatted with `{n}`. Row order is help order.
macro_rules! actions {
    ($( $variant:ident $(($n:ident : $count:expr))? => $name:literal, $describe:literal, [$($table:ident),*]; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action {
            $( $variant $((numbered!($n)))? ),*
        }

        impl Action {
            /// Every action, in help order.
            pub fn all() -> Vec<Action> {
                let mut all = Vec::new();
                $( every!(all, $variant $(, $count)?); )*
                all
            }

            pub fn name(self) -> String {
                match self {
                    $( Action::$variant $(($n))? => format!($name), )*
                }
            }

            /// One line for the help overlay.
            pub fn describe(self) -> String {
                match self {
                    $( Action::$variant $(($n))? => format!($describe), )*
                }
            }

            /// Whether binding this action in `table` means anything.
            #[allow(unused_variables)]
            pub fn belongs_in(self, table: Table) -> bool {
                match self {
                    $( Action::$variant $(($n))? => matches!(table, $(Table::$table)|*), )*
                }
            }
        }
    };
}

/// The field type of a numbered action.
macro_rules! numbered {
    ($n:ident) => {
        u8
    };
}

/// Adds one action to `all`, or each of a numbered one's.
macro_rules! every {
    ($all:ident, $variant:ident) => {
        $all.push(Action::$variant)
    };
    ($all:ident, $variant:ident, $count:expr) => {
        $all.extend((1..=$count).map(Action::$variant))
    };
}

actions! {
    // live logging
    CommitLine => "commit-line", "save the line as speech", [Live];
    SwitchSpeaker(n: SPEAKER_KEYS) => "switch-speaker-{n}", "speaker {n} speaks now", [Live];
    NextSpeaker => "next-speaker", "next speaker speaks now", [Live];
    ReassignLast => "reassign-last", "give the last line to the next speaker", [Live];
    CommitEvent => "commit-event", "save the line as an event (action, non-verbal)", [Live];
    CommitNote => "commit-note", "save the line as your own note", [Live];
    InsertPause => "insert-pause", "insert a pause (seconds typed first are its length)", [Live];
    MarkLast => "mark-last", "mark the last line to come back to (a word typed first is its word)", [Live];
    CorrectLast => "correct-last", "correct the last line (the earlier text is kept)", [Live];
    ToggleClock => "toggle-clock", "pause or resume the session clock", [Live];
    RecordingStarted => "recording-started", "the audio recording starts now", [Live];
    RecordAudio => "record-audio", "record the session with the laptop's microphone, or stop (needs every speaker's consent)", [Live];
    NoteConsent => "note-consent", "every speaker has agreed to be recorded: note it", [Live];
    TickTheme(n: THEME_KEYS) => "tick-theme-{n}", "tick or untick theme T{n} of the guide", [Live];
    EndSession => "end-session", "end the session (press twice)", [Live];
    // reviewing a session
    PageUp => "page-up", "a page up", [Review, Narratives, Search, Masks, Timeline, Reading];
    PageDown => "page-down", "a page down", [Review, Narratives, Search, Masks, Timeline, Reading];
    GoFirst => "go-first", "to the first line", [Review, Narratives, Masks];
    GoLast => "go-last", "to the last line", [Review, Narratives, Masks];
    NextMark => "next-mark", "to the next line marked live", [Review];
    PreviousMark => "previous-mark", "to the previous line marked live", [Review];
    NextNarrative => "next-narrative", "to the next narrative", [Review];
    PreviousNarrative => "previous-narrative", "to the previous narrative", [Review];
    ToggleSelection => "toggle-selection", "start selecting a span here (again: cancel)", [Review];
    FlagNarrative => "flag-narrative", "flag the span (or this line) as a short narrative", [Review];
    EditNarrative => "edit-narrative", "edit the narrative at this line", [Review];
    DeleteNarrative => "delete-narrative", "delete the narrative at this line (press twice)", [Review];
    CorrectLine => "correct-line", "correct this line (the earlier text is kept)", [Review];
    DismissMark => "dismiss-mark", "dismiss this line's mark as no narrative", [Review];
    // listening to the session's recording
    PlayPause => "play-pause", "play the recording or pause it (played again, it goes back a little, further each time)", [Review];
    PlayLine => "play-line", "play the recording from this line", [Review];
    PlayBack => "play-back", "back 3 seconds in the recording", [Review];
    PlaySlower => "play-slower", "play slower: 0.75×, 0.5×, then normal again (the voice stays)", [Review];
    PlayFollow => "play-follow", "the cursor follows the line being played, or stays where it is", [Review];
    StampLine => "stamp-line", "this line begins at the moment being played (its typed time is kept)", [Review];
    AttachRecording => "attach-recording", "attach the session's recording (a file: copied into the study)", [Case];
    ToggleBlind => "toggle-blind", "blind coding of this session: each coder sees only their own narratives (again: off)", [Review];
    // masking what people said
    MaskWords => "mask-words", "mask words of this line: choose them, then what to write instead", [Review];
    ToggleMasked => "toggle-masked", "show the text masked (as exports show it) or as it was said", [Review, Search];
    OpenCandidates => "open-candidates", "names, numbers and addresses the detectors propose to mask (review: this session; home: the study)", [Home, Review];
    ExtendChoice => "extend-choice", "take the next word too", [Words];
    ShrinkChoice => "shrink-choice", "leave out the last word taken", [Words];
    MaskScope => "mask-scope", "mask it in the whole study or in this case only", [Prompt];
    MaskFinding => "mask-finding", "mask it everywhere: asks what to write instead", [Masks];
    AllowFinding => "allow-finding", "let it be: the detectors no longer propose it", [Masks];
    ShowLine => "show-line", "read it where it was first said, in review", [Masks];
    // the narrative editor
    ToggleCode => "toggle-code", "tick or untick the code", [Checklist];
    SaveNarrative => "save-narrative", "save the narrative", [Editor, Checklist];
    // lists and forms
    SelectUp => "select-up", "move up", [Home, Help, Case, Review, Checklist, Narratives, Search, Codebook, Overview, Display, Masks, Timeline, Reading, Disagreements, Tables];
    SelectDown => "select-down", "move down", [Home, Help, Case, Review, Checklist, Narratives, Search, Codebook, Overview, Display, Masks, Timeline, Reading, Disagreements, Tables];
    OpenCase => "open-case", "the case's sessions", [Home, Overview, Timeline];
    ReviewSession => "review-session", "read the session back and flag narratives", [Case];
    AddCase => "add-case", "add a case", [Home];
    StartSession => "start-session", "start a session for the case", [Home, Case];
    OpenSession => "open-session", "go on logging the case's latest open session", [Home, Case];
    OpenNarratives => "open-narratives", "all narratives of the study", [Home];
    OpenSearch => "open-search", "search the whole study", [Home];
    OpenCodebook => "open-codebook", "the codebook", [Home];
    EditFilter => "edit-filter", "filter: case:AA code:high code:a|b kind:interview contact:2 author:NAME", [Narratives, Display];
    AddGroup => "add-group", "add a code group", [Codebook];
    AddCode => "add-code", "add a code to the group", [Codebook];
    Rename => "rename", "rename", [Codebook];
    Describe => "describe", "describe", [Codebook];
    Retire => "retire", "retire or bring back (retired codes stay on narratives)", [Codebook];
    CycleKind => "cycle-kind", "change the group's kind: one-of, any-of, scale", [Codebook];
    // cases over time
    SetAttribute => "set-attribute", "give the case a value: KEY=VALUE", [Case];
    AddEffort => "add-effort", "add an effort: kind; start; end; provider; outcome", [Case];
    EditEffort => "edit-effort", "edit or end the effort", [Case];
    AddLink => "add-link", "add a link: effort -> consequence; valence", [Case];
    OpenOverview => "open-overview", "the follow-up overview of every case", [Home];
    OpenDisplay => "open-display", "the display: narratives by case and contact point or codes", [Home];
    SelectLeft => "select-left", "move left (the word before; a month earlier)", [Display, Words, Timeline, Tables];
    SelectRight => "select-right", "move right (the word after; a month later)", [Display, Words, Timeline, Tables];
    OpenContactsTable => "open-contacts-table", "the contacts table: each case's contact points kept, partial, missed, with totals", [Overview];
    OpenTables => "open-tables", "the study's tables: cases by variables, professionals, two cases side by side, the plane", [Overview];
    OpenTimeline => "open-timeline", "the time view: every case's follow-up year, a lane per case", [Home, Overview];
    ZoomIn => "zoom-in", "more room for each month", [Timeline];
    ZoomOut => "zoom-out", "more months on the screen", [Timeline];
    CycleMarks => "cycle-marks", "mark narratives by agency or by time orientation", [Timeline];
    ToggleVoices => "toggle-voices", "a lane per case, or two: what the person says and what professionals say", [Timeline];
    RecordContact => "record-contact", "record a contact point missed or held in part, or a dropout: 3 missed REASON, 2 partial REASON, 3 clear, dropout DATE REASON", [Case];
    OpenBrief => "open-brief", "the brief before the next contact: last time's narratives, open efforts, themes, marks", [Case];
    OpenDisagreements => "open-disagreements", "walk the coders' disagreements side by side and settle them", [Home];
    SettleFirst => "settle-first", "the left coder's version becomes the team's (both originals are kept)", [Disagreements];
    SettleSecond => "settle-second", "the right coder's version becomes the team's (both originals are kept)", [Disagreements];
    CycleColumns => "cycle-columns", "columns: contact points, then each code group", [Display];
    CycleRows => "cycle-rows", "rows: cases, then each code group (narratives by two code groups)", [Display];
    Export => "export", "export the study: json, csv, xlsx, markdown, qdpx (QDA tools) or eaf (ELAN)", [Home];
    ImportTranscript => "import-transcript", "import a transcript file as a new session of the case", [Case];
    NextField => "next-field", "next field", [Form, Case, Editor, Checklist];
    PreviousField => "previous-field", "previous field", [Form, Case, Editor, Checklist];
    Confirm => "confirm", "confirm", [Form, Prompt, Case, Narratives, Search, Display, Words, Disagreements, Tables];
    // editing the line being typed
    CursorLeft => "cursor-left", "cursor left (or previous choice)", [Text, Form];
    CursorRight => "cursor-right", "cursor right (or next choice)", [Text, Form];
    CursorHome => "cursor-home", "start of the text", [Text];
    CursorEnd => "cursor-end", "end of the text", [Text];
    DeleteBack => "delete-back", "delete the character before the cursor", [Text];
    DeleteForward => "delete-forward", "delete the character at the cursor", [Text];
    DeleteWordBack => "delete-word-back", "delete the word before the cursor", [Text];
    ClearInput => "clear-input", "clear the text", [Text];
    // everywhere
    Back => "back", "back / cancel", [Home, Form, Live, Prompt, Help, Case, Review, Editor, Checklist, Narratives, Search, Codebook, Overview, Display, Words, Masks, Timeline, Reading, Disagreements, Tables];
    Help => "help", "show or hide this help", [Global, Home, Form, Live, Prompt, Help, Case, Review, Editor, Checklist, Narratives, Search, Codebook, Overview, Display, Words, Masks, Timeline, Reading, Disagreements, Tables];
    Quit => "quit", "quit fieldlog (everything saved stays saved)", [Global, Home, Form, Live, Help, Case, Review, Editor, Checklist, Narratives, Search, Codebook, Overview, Display, Words, Masks, Timeline, Reading, Disagreements, Tables];
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
    /// Choosing words of a review line to mask.
    Words,
    /// The detectors' proposals to mask.
    Masks,
    /// The time view across cases.
    Timeline,
    /// A report to read (the brief before the next contact).
    Reading,
    /// Coders' disagreements, side by side.
    Disagreements,
    /// Choosing one of the study's tables.
    Tables,
}

impl Table {
    pub const ALL: [Table; 22] = [
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
        Table::Words,
        Table::Masks,
        Table::Timeline,
        Table::Reading,
        Table::Disagreements,
        Table::Tables,
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
            Table::Words => "words",
            Table::Masks => "masks",
            Table::Timeline => "timeline",
            Table::Reading => "reading",
            Table::Disagreements => "disagreements",
            Table::Tables => "tables",
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
    pub fn parse(name: &str) -> Option<Action> {
        Action::all().into_iter().find(|a| a.name() == name)
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
