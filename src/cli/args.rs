//! The command line's words: every command, its arguments and their help, for clap.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub use super::args_session::SessionCommand;

#[derive(Parser)]
#[command(
    name = "fieldlog",
    version,
    about = "Live logging and narrative analysis for qualitative fieldwork"
)]
pub struct Cli {
    /// The study's store directory [default: the platform data directory; FIELDLOG_STORE overrides]
    #[arg(long, global = true, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// A shipped keymap (default, function-keys) or a keymap file
    #[arg(long, global = true, value_name = "NAME|FILE", default_value = "default")]
    pub keymap: String,
    /// Record from this 48 kHz sound file (read at a microphone's pace) instead of the microphone: for trying recording out, and for tests
    #[arg(long, value_name = "FILE")]
    pub audio_source: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Add and list cases
    #[command(subcommand)]
    Case(CaseCommand),
    /// Start, show, list and end sessions
    #[command(subcommand)]
    Session(SessionCommand),
    /// Log one line to a session
    Log(LogArgs),
    /// Write the study (or part of it) in an exchange format
    Export(ExportArgs),
    /// Flag, list and show short narratives
    #[command(subcommand)]
    Narrative(NarrativeCommand),
    /// Search lines, narrative titles and memos, ignoring case
    Search {
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// List, import and export the codebook
    #[command(subcommand)]
    Codebook(CodebookCommand),
    /// Define the study's variables (gender, age, site…)
    #[command(subcommand)]
    Variable(VariableCommand),
    /// Names, places and numbers people said, and what exports and reports write instead
    #[command(subcommand)]
    Mask(MaskCommand),
    /// Record efforts set in motion for a case
    #[command(subcommand)]
    Effort(EffortCommand),
    /// Record effort → consequence chains as the person tells them
    #[command(subcommand)]
    Link(LinkCommand),
    /// The contact ledger: planned contact points, missed or partial ones, dropouts
    #[command(subcommand)]
    Contact(super::args_followup::ContactCommand),
    /// The recruitment log: who was asked, who refused, why (pseudonymous)
    #[command(subcommand)]
    Recruit(super::args_followup::RecruitCommand),
    /// Markdown (or HTML) reports: a case, a display of narratives, the follow-up overview
    #[command(subcommand)]
    Report(ReportCommand),
    /// Bring transcripts in
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write everything in the store to one file (JSON, readable by you only)
    Backup { path: PathBuf },
    /// Fill an empty store from a backup
    Restore { path: PathBuf },
    /// Bring another fieldworker's backup into this study: nothing doubled, conflicts listed
    Merge { path: PathBuf },
    /// Keep a team's laptops in step through a shared folder (Syncthing, Nextcloud, a network drive):
    /// write this laptop's changes to its own file there, bring in everyone else's
    Sync {
        /// The shared folder (it must exist)
        dir: PathBuf,
        /// DIR is a clone of the team's git repository: pull, sync, commit and push with git
        #[arg(long)]
        git: bool,
    },
    /// Verify the store: every value reads, every reference resolves; exits non-zero on any problem
    Check {
        /// Instead: the leak check, on the study as a masked export would hold it, or on the FILEs given
        #[arg(long)]
        leaks: bool,
        /// Exported files or folders to scan (zip members included); only with --leaks
        #[arg(requires = "leaks")]
        files: Vec<PathBuf>,
    },
    /// Create the store; with --encrypt, protect it with a passphrase
    Init {
        #[arg(long)]
        encrypt: bool,
    },
    /// Check keymap files
    #[command(subcommand)]
    Keymap(KeymapCommand),
    /// Tools for developers and tests
    #[command(subcommand, hide = true)]
    Dev(DevCommand),
}

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Add a case by its pseudonymous code (1–8 letters or digits)
    Add {
        code: String,
        /// An attribute, KEY=VALUE (repeatable)
        #[arg(long = "attr", value_name = "KEY=VALUE")]
        attributes: Vec<String>,
    },
    /// List the cases with their sessions by kind
    List {
        #[arg(long)]
        json: bool,
    },
    /// Erase a case that withdrew consent, and everything about it, for good
    Purge {
        code: String,
        /// Yes, erase it
        #[arg(long)]
        yes: bool,
    },
    /// Give a case values of the study's variables
    Set {
        code: String,
        #[arg(value_name = "KEY=VALUE", required = true)]
        values: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum VariableCommand {
    /// Add a variable: text, number, date or a list of values
    Add {
        name: String,
        #[arg(long)]
        kind: String,
        /// The values of a list variable: A,B,C
        #[arg(long)]
        values: Option<String>,
    },
    /// List the study's variables
    List,
}

#[derive(Subcommand)]
pub enum MaskCommand {
    /// Mask TERM as REPLACEMENT in every export and report (its genitive too: Mettes → [sagsbehandleren]s)
    Add {
        term: String,
        replacement: String,
        /// Only in this case's sessions
        #[arg(long)]
        case: Option<String>,
    },
    /// Stop masking TERM
    Remove {
        term: String,
        #[arg(long)]
        case: Option<String>,
    },
    /// The terms, their replacements and the allowed words
    List {
        #[arg(long)]
        json: bool,
    },
    /// Let words be: the detectors stop proposing them
    Allow {
        #[arg(required = true)]
        words: Vec<String>,
    },
    /// What the detectors propose to mask: CPR and phone numbers, e-mail addresses, capitalised words
    Scan {
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the mask list for a teammate (it re-identifies people: keep it as safe as the study)
    Export {
        path: PathBuf,
        /// Write an encrypted study's list unencrypted
        #[arg(long)]
        plaintext: bool,
    },
    /// Merge a teammate's mask list into this study's
    Import { path: PathBuf },
}

#[derive(Subcommand)]
pub enum EffortCommand {
    /// Add an effort; prints its id
    Add {
        #[arg(long)]
        case: String,
        /// wage-subsidy job, work-placement internship, dental treatment…
        #[arg(long)]
        kind: String,
        /// YYYY-MM-DD
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: Option<String>,
        #[arg(long, default_value = "")]
        provider: String,
        #[arg(long, default_value = "")]
        outcome: String,
    },
    /// End an effort, with what came of it
    End {
        id: String,
        #[arg(long)]
        end: String,
        #[arg(long)]
        outcome: Option<String>,
    },
    /// List efforts
    List {
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum LinkCommand {
    /// Add a chain such as "dental treatment -> better self-worth -> wage-subsidy job"
    Add {
        #[arg(long)]
        case: String,
        #[arg(long)]
        chain: String,
        /// positive, negative or mixed
        #[arg(long)]
        valence: String,
        /// A narrative that supports it (repeatable)
        #[arg(long = "narrative")]
        narratives: Vec<String>,
    },
    /// List links
    List {
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// One case over time: attributes, sessions, efforts, links, narratives quoted in full
    Case {
        code: String,
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// Case variables cross-tabulated, with totals: cases by two variables, or sessions by kind,
    /// contacts by contact point, efforts by outcome or kind (--cols kind|contact|outcome|effort),
    /// or professionals by role and a variable (--rows role --cols VAR)
    Table {
        /// A variable, case (a row per case) or role (professionals)
        #[arg(long)]
        rows: String,
        /// A variable, or kind, contact, outcome or effort
        #[arg(long)]
        cols: String,
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// The time view as an SVG figure in an HTML page: a lane per case over the follow-up's months
    Timeline {
        /// Mark narratives by agency or orientation (time orientation)
        #[arg(long, default_value = "agency")]
        marks: String,
        /// Two lanes a case: what the person says, and what the professionals say
        #[arg(long)]
        voices: bool,
        /// Write the SVG figure alone, not an HTML page
        #[arg(long)]
        svg: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// Before the next contact: last time's narratives, efforts under way, themes not covered, marks not reviewed
    Brief {
        code: String,
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// Each case on the plane of two scale code groups (agency × work identity), its path between contacts
    Plane {
        /// The scale group across
        #[arg(long)]
        x: String,
        /// The scale group up
        #[arg(long)]
        y: String,
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// Two cases side by side by contact point: contacts, sessions, narratives, efforts, chains
    Compare {
        first: String,
        second: String,
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// Narratives by case (rows) and contact point or the codes of a group (columns),
    /// or by the codes of two groups (--rows GROUP --cols GROUP)
    Display {
        /// cases, or the name of a code group
        #[arg(long, default_value = "cases")]
        rows: String,
        /// contact, or the name of a code group
        #[arg(long)]
        cols: String,
        /// Only cases with this attribute (repeatable)
        #[arg(long = "where", value_name = "KEY=VALUE")]
        filters: Vec<String>,
        /// Only this case: a single-case display
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// The appendix follow-up table: each case's contact points kept, partial, missed; totals
    Contacts {
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// How alike coders flagged and coded the same sessions: Krippendorff's α per code group and
    /// for where narratives start and end, and the disagreements to discuss
    Agreement {
        /// The coders (narrative authors) to compare, comma-separated: A,B (default: every author)
        #[arg(long, value_name = "A,B")]
        coders: Option<String>,
        /// Only this code group
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
    /// Every case's follow-up: sessions by kind, contact points, contacts kept and missed, caseworker changes, first and last
    Overview {
        #[arg(long)]
        html: bool,
        /// The words as people said them, not through the mask list (the report says so)
        #[arg(long)]
        unmasked: bool,
    },
}

#[derive(Args)]
pub struct LogArgs {
    #[arg(long)]
    pub session: String,
    /// The speaker's label (default: the session's first speaker)
    #[arg(long)]
    pub speaker: Option<String>,
    /// speech, event, note or pause
    #[arg(long, default_value = "speech")]
    pub kind: String,
    pub text: String,
}

#[derive(Args)]
pub struct ExportArgs {
    /// json (lossless), csv (a folder: utterances, narratives, cases, sessions, efforts, links, contacts, recruitment), xlsx (the same tables as sheets of one workbook), markdown, qdpx (REFI-QDA: NVivo, ATLAS.ti, MAXQDA, QualCoder) or eaf (ELAN, one file per session)
    #[arg(long)]
    pub format: String,
    #[arg(long)]
    pub case: Option<String>,
    #[arg(long)]
    pub session: Option<String>,
    /// Where to write (json: standard output if not given)
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Replace case codes and speaker labels: a file of OLD=NEW lines
    #[arg(long, value_name = "MAPFILE")]
    pub pseudonymise: Option<PathBuf>,
    /// eaf of one session: the recording ELAN opens with it (.wav, .mp3, .m4a, .mp4…)
    #[arg(long, value_name = "FILE")]
    pub media: Option<PathBuf>,
    /// Write an encrypted study's text unencrypted (an export of an encrypted study needs it)
    #[arg(long)]
    pub plaintext: bool,
    /// qdpx: also write each case as a code over its sessions' whole text, under the case's GUID,
    /// as NVivo does: QualCoder then links cases to their sessions (the file then has GUIDs twice)
    #[arg(long)]
    pub cases_as_codes: bool,
    /// Write the words as people said them, not through the study's mask list (the export says so)
    #[arg(long)]
    pub unmasked: bool,
    /// Write a masked export even when the leak check finds a listed term or an unhandled finding
    #[arg(long)]
    pub allow_leaks: bool,
    /// CSV without the UTF-8 byte-order mark that Excel needs to read æøå (for tools that do not want it)
    #[arg(long)]
    pub no_bom: bool,
}

#[derive(Subcommand)]
pub enum NarrativeCommand {
    /// Flag lines FROM–TO of a session as a short narrative; prints its id
    Add {
        #[arg(long)]
        session: String,
        #[arg(long)]
        from: u32,
        #[arg(long)]
        to: u32,
        /// Its point, in a few words
        #[arg(long)]
        title: String,
        /// A code, CODE or GROUP:CODE (repeatable)
        #[arg(long = "code")]
        codes: Vec<String>,
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// List narratives; several --code must all be on it, `a|b` means either
    List {
        #[arg(long)]
        case: Option<String>,
        #[arg(long = "code")]
        codes: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// When the told events happened: a date (2024-05-03), a month (2024-05), before (the follow-up) or clear
    When { id: String, when: String },
    /// Show one narrative with the lines it spans (masked unless --unmasked)
    Show {
        id: String,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        unmasked: bool,
    },
    /// A narrative's lines as a quote for a report: masked, speakers by role, […] for lines left out
    Quote {
        id: String,
        /// Lines to leave out, by number: 3,5
        #[arg(long, value_delimiter = ',')]
        leave_out: Vec<u32>,
        #[arg(long)]
        unmasked: bool,
    },
}

#[derive(Subcommand)]
pub enum CodebookCommand {
    /// List the groups and their codes
    List,
    /// Merge a codebook file into the study's codebook: TOML, or a REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA or QualCoder
    Import {
        file: PathBuf,
        /// Start the study from this codebook instead (only before any narrative exists)
        #[arg(long)]
        replace: bool,
    },
    /// Write the codebook as TOML, or as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA or QualCoder
    Export {
        /// toml or qdc [default: qdc when the output ends in .qdc, else toml]
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// A plain-text transcript: `Speaker: text` lines, optional [hh:mm:ss] time stamps; prints the session id
    Transcript {
        file: PathBuf,
        #[arg(long)]
        case: String,
        #[arg(long)]
        kind: String,
        /// The contact point [default: the case's latest]
        #[arg(long)]
        contact: Option<u32>,
        #[arg(long, default_value = "job centre")]
        place: String,
        /// A speaker's role, LABEL=ROLE (repeatable; asked for on a terminal otherwise)
        #[arg(long = "role", value_name = "LABEL=ROLE")]
        roles: Vec<String>,
        /// When it was recorded: YYYY-MM-DD or "YYYY-MM-DD HH:MM" [default: it ended now]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum KeymapCommand {
    /// Check a keymap file: exit non-zero with file, line and reason if it is bad
    Check { file: PathBuf },
}

#[derive(Subcommand)]
pub enum DevCommand {
    /// Log each line of standard input as the live screen does, printing
    /// "saved SEQ" once it is durable (used by the crash tests)
    LogStdin {
        #[arg(long)]
        session: String,
    },
    /// Open the store and the app's first frame, then print resident memory and sizes (for benchmarks)
    Stats,
    /// Open the store and the app's first frame, open search as the app does
    /// (the index made ready), then search as its search screen does RUNS
    /// times; print the times, the hits and resident memory (for benchmarks)
    Search {
        text: String,
        /// At most this many hits [default: as many as the search screen shows]
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Add a synthetic study (for trying fieldlog out and for benchmarks)
    Generate {
        #[arg(long, default_value_t = 20)]
        cases: usize,
        #[arg(long, default_value_t = 8)]
        sessions: usize,
        #[arg(long, default_value_t = 300)]
        lines: usize,
    },
}
