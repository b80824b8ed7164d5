//! The command line: clap definitions, where the store lives, and turning
//! errors into one sentence on stderr. Each command is a thin call into
//! the domain and the store (see `commands`).

mod analysis;
mod commands;
mod exports;
mod followup;
mod imports;
mod passphrase;
mod usage;

use crate::keymap;
use crate::store::Store;
use anyhow::bail;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "fieldlog",
    version,
    about = "Live logging and narrative analysis for qualitative fieldwork"
)]
pub struct Cli {
    /// The study's store directory [default: the platform data directory; FIELDLOG_STORE overrides]
    #[arg(long, global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    /// A shipped keymap (default, function-keys) or a keymap file
    #[arg(long, global = true, value_name = "NAME|FILE", default_value = "default")]
    keymap: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
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
    /// Record efforts set in motion for a case
    #[command(subcommand)]
    Effort(EffortCommand),
    /// Record effort → consequence chains as the person tells them
    #[command(subcommand)]
    Link(LinkCommand),
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
    /// Verify the store: every value reads, every reference resolves; exits non-zero on any problem
    Check,
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
enum CaseCommand {
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
enum VariableCommand {
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
enum EffortCommand {
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
enum LinkCommand {
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
enum ReportCommand {
    /// One case over time: attributes, sessions, efforts, links, narratives quoted in full
    Case {
        code: String,
        #[arg(long)]
        html: bool,
    },
    /// Narratives by case (rows) and contact point or the codes of a group (columns)
    Display {
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
    },
    /// Every case's follow-up: sessions by kind, contact points, caseworker changes, first and last
    Overview {
        #[arg(long)]
        html: bool,
    },
}

#[derive(Subcommand)]
enum SessionCommand {
    /// Start a session and print its id
    Start {
        #[arg(long)]
        case: String,
        /// interview, observation, professional-interview, case-meeting or document
        #[arg(long)]
        kind: String,
        #[arg(long, default_value_t = 1)]
        contact: u32,
        #[arg(long, default_value = "job centre")]
        place: String,
        /// KEY=LABEL:ROLE or LABEL:ROLE (repeatable; default: the kind's usual speakers)
        #[arg(long = "speaker", value_name = "KEY=LABEL:ROLE")]
        speakers: Vec<String>,
    },
    /// Show a session and its lines
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// List sessions
    List {
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// End a session now
    End { id: String },
}

#[derive(Args)]
struct LogArgs {
    #[arg(long)]
    session: String,
    /// The speaker's label (default: the session's first speaker)
    #[arg(long)]
    speaker: Option<String>,
    /// speech, event, note or pause
    #[arg(long, default_value = "speech")]
    kind: String,
    text: String,
}

#[derive(Args)]
struct ExportArgs {
    /// json (lossless), csv (a folder: utterances.csv, narratives.csv), markdown, qdpx (REFI-QDA: NVivo, ATLAS.ti, MAXQDA, QualCoder) or eaf (ELAN, one file per session)
    #[arg(long)]
    format: String,
    #[arg(long)]
    case: Option<String>,
    #[arg(long)]
    session: Option<String>,
    /// Where to write (json: standard output if not given)
    #[arg(long)]
    output: Option<PathBuf>,
    /// Replace case codes and speaker labels: a file of OLD=NEW lines
    #[arg(long, value_name = "MAPFILE")]
    pseudonymise: Option<PathBuf>,
    /// Write an encrypted study's text unencrypted (an export of an encrypted study needs it)
    #[arg(long)]
    plaintext: bool,
}

#[derive(Subcommand)]
enum NarrativeCommand {
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
    /// Show one narrative with the lines it spans
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CodebookCommand {
    /// List the groups and their codes
    List,
    /// Merge a codebook TOML file into the study's codebook
    Import {
        file: PathBuf,
        /// Start the study from this codebook instead (only before any narrative exists)
        #[arg(long)]
        replace: bool,
    },
    /// Write the codebook as TOML
    Export {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
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
enum KeymapCommand {
    /// Check a keymap file: exit non-zero with file, line and reason if it is bad
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum DevCommand {
    /// Log each line of standard input as the live screen does, printing
    /// "saved SEQ" once it is durable (used by the crash tests)
    LogStdin {
        #[arg(long)]
        session: String,
    },
    /// Open the store and the app's first frame, then print resident memory and sizes (for benchmarks)
    Stats,
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

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage::refuse(e),
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("fieldlog: {}", sentence(&e));
            1
        }
    }
}

/// An error and its causes as one sentence, each cause said once, an OS
/// error in words.
fn sentence(e: &anyhow::Error) -> String {
    let mut said = String::new();
    for cause in e.chain() {
        let text = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => crate::store::files::cause(io),
            None => cause.to_string(),
        };
        if said.contains(&text) {
            continue;
        }
        if !said.is_empty() {
            said.push_str(": ");
        }
        said.push_str(&text);
    }
    said
}

/// Where the store lives, and whether that is the default place (the only
/// place the app makes a store by itself).
fn store_dir(cli: &Cli) -> anyhow::Result<(PathBuf, bool)> {
    if let Some(dir) = &cli.store {
        return Ok((dir.clone(), false));
    }
    if let Some(dir) = std::env::var_os("FIELDLOG_STORE").filter(|d| !d.is_empty()) {
        return Ok((PathBuf::from(dir), false));
    }
    directories::ProjectDirs::from("", "", "fieldlog")
        .map(|d| (d.data_local_dir().to_path_buf(), true))
        .ok_or_else(|| anyhow::anyhow!("no home directory to keep the store in; give one with --store DIR"))
}

fn user_keymap_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "fieldlog").map(|d| d.config_dir().join("keymap.toml"))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let (dir, default_place) = store_dir(&cli)?;
    let open = || passphrase::open(&dir);
    match cli.command {
        None => {
            let loaded = keymap::load(&cli.keymap, user_keymap_file().as_deref());
            // The first start on the default store makes it; anywhere else a
            // missing store is a mistyped path, never a new empty study.
            if default_place && !Store::exists(&dir) {
                drop(Store::create(&dir, None)?);
            }
            crate::tui::run(open()?, loaded)
        }
        Some(Command::Keymap(KeymapCommand::Check { file })) => match keymap::check_file(&file) {
            Ok(warnings) => {
                for warning in warnings {
                    eprintln!("warning: {warning}");
                }
                println!("{}: ok", file.display());
                Ok(())
            }
            Err(e) => {
                // Every problem on a line of its own, the first in the file first.
                let mut problems = e.lines();
                let last = problems.pop().unwrap_or_default();
                for problem in problems {
                    eprintln!("fieldlog: {problem}");
                }
                Err(anyhow::anyhow!(last))
            }
        },
        Some(Command::Case(CaseCommand::Add { code, attributes })) => {
            commands::case_add(&open()?, &code, &attributes)
        }
        Some(Command::Case(CaseCommand::List { json })) => commands::case_list(&open()?, json),
        Some(Command::Case(CaseCommand::Purge { code, yes })) => exports::purge(&dir, &code, yes),
        Some(Command::Case(CaseCommand::Set { code, values })) => {
            followup::case_set(&open()?, &code, &values)
        }
        Some(Command::Variable(VariableCommand::Add { name, kind, values })) => {
            followup::variable_add(&open()?, &name, &kind, values.as_deref())
        }
        Some(Command::Variable(VariableCommand::List)) => followup::variable_list(&open()?),
        Some(Command::Effort(EffortCommand::Add { case, kind, start, end, provider, outcome })) => {
            let args = followup::EffortArgs {
                case: &case,
                kind: &kind,
                start: &start,
                end: end.as_deref(),
                provider: &provider,
                outcome: &outcome,
            };
            followup::effort_add(&open()?, args)
        }
        Some(Command::Effort(EffortCommand::End { id, end, outcome })) => {
            followup::effort_end(&open()?, &id, &end, outcome.as_deref())
        }
        Some(Command::Effort(EffortCommand::List { case, json })) => {
            followup::effort_list(&open()?, case.as_deref(), json)
        }
        Some(Command::Link(LinkCommand::Add { case, chain, valence, narratives })) => {
            followup::link_add(&open()?, &case, &chain, &valence, &narratives)
        }
        Some(Command::Link(LinkCommand::List { case, json })) => {
            followup::link_list(&open()?, case.as_deref(), json)
        }
        Some(Command::Import(ImportCommand::Transcript {
            file,
            case,
            kind,
            contact,
            place,
            roles,
            date,
        })) => {
            let args = imports::TranscriptArgs {
                file: &file,
                case: &case,
                kind: &kind,
                contact,
                place: &place,
                roles: &roles,
                date: date.as_deref(),
            };
            imports::import_transcript(&open()?, args)
        }
        Some(Command::Backup { path }) => exports::backup(&open()?, &path),
        Some(Command::Restore { path }) => exports::restore(&dir, &path),
        Some(Command::Merge { path }) => exports::merge(&dir, &path),
        Some(Command::Check) => commands::check(&open()?),
        Some(Command::Init { encrypt }) => {
            if Store::exists(&dir) {
                if encrypt {
                    bail!(
                        "there is already a fieldlog store at {}: encryption is chosen when a store is made (init --encrypt in a new directory, then restore a backup into it)",
                        dir.display()
                    );
                }
                println!("there is already a fieldlog store at {}; nothing was changed", dir.display());
                return Ok(());
            }
            let passphrase = if encrypt { Some(passphrase::new_passphrase()?) } else { None };
            drop(Store::create(&dir, passphrase.as_deref())?);
            if encrypt {
                println!(
                    "created an encrypted store at {}: keep the passphrase safe, it cannot be recovered",
                    dir.display()
                );
            } else {
                println!("created a store at {}", dir.display());
            }
            Ok(())
        }
        Some(Command::Report(ReportCommand::Case { code, html })) => {
            followup::report_case(&open()?, &code, html)
        }
        Some(Command::Report(ReportCommand::Overview { html })) => followup::report_overview(&open()?, html),
        Some(Command::Report(ReportCommand::Display { rows, cols, filters, case, html })) => {
            let args =
                followup::DisplayArgs { rows: &rows, cols: &cols, filters: &filters, case: case.as_deref() };
            followup::report_display(&open()?, args, html)
        }
        Some(Command::Session(SessionCommand::Start { case, kind, contact, place, speakers })) => {
            commands::session_start(&open()?, &case, &kind, contact, &place, &speakers)
        }
        Some(Command::Session(SessionCommand::Show { id, json })) => {
            commands::session_show(&open()?, &id, json)
        }
        Some(Command::Session(SessionCommand::List { case, json })) => {
            commands::session_list(&open()?, case.as_deref(), json)
        }
        Some(Command::Session(SessionCommand::End { id })) => commands::session_end(&open()?, &id),
        Some(Command::Log(a)) => commands::log(&open()?, &a.session, a.speaker.as_deref(), &a.kind, &a.text),
        Some(Command::Export(a)) => exports::export(
            &open()?,
            &a.format,
            a.case.as_deref(),
            a.session.as_deref(),
            a.output.as_deref(),
            a.pseudonymise.as_deref(),
            a.plaintext,
        ),
        Some(Command::Dev(DevCommand::LogStdin { session })) => commands::log_stdin(open()?, &session),
        Some(Command::Dev(DevCommand::Stats)) => {
            let store = std::sync::Arc::new(open()?);
            let keys = keymap::load("default", None).keymap;
            let app =
                crate::tui::app::App::new(store.clone(), keys, Box::new(crate::domain::SystemClock), None)?;
            let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24))?;
            terminal.draw(|frame| app.render(frame))?;
            // Memory as a researcher's app has it after its first frame, before counting text.
            let resident = crate::dev::resident_kb().unwrap_or(0);
            let text: usize = store
                .sessions()?
                .iter()
                .map(|s| {
                    store.utterances(s.id).map(|lines| lines.iter().map(|l| l.text.len()).sum::<usize>())
                })
                .sum::<Result<usize, _>>()?;
            println!(
                "resident_kb={resident} store_bytes={} text_bytes={text}",
                crate::dev::size_on_disk(store.path())
            );
            Ok(())
        }
        Some(Command::Dev(DevCommand::Generate { cases, sessions, lines })) => {
            let store = open()?;
            crate::dev::generate::check_empty(&store).map_err(anyhow::Error::msg)?;
            let made = crate::dev::generate::generate(&store, cases, sessions, lines)?;
            let count = crate::domain::text::count;
            println!(
                "generated {}, {}, {} ({} bytes of text), {}",
                count(made.cases, "case"),
                count(made.sessions, "session"),
                count(made.lines, "line"),
                made.text_bytes,
                count(made.narratives, "narrative")
            );
            Ok(())
        }
        Some(Command::Narrative(NarrativeCommand::Add { session, from, to, title, codes, memo })) => {
            let args = analysis::NarrativeArgs {
                session: &session,
                from,
                to,
                title: &title,
                codes: &codes,
                memo: &memo,
            };
            analysis::narrative_add(&open()?, args)
        }
        Some(Command::Narrative(NarrativeCommand::List { case, codes, json })) => {
            analysis::narrative_list(&open()?, case.as_deref(), &codes, json)
        }
        Some(Command::Narrative(NarrativeCommand::Show { id, json })) => {
            analysis::narrative_show(&open()?, &id, json)
        }
        Some(Command::Search { text, json }) => analysis::search(&open()?, &text, json),
        Some(Command::Codebook(CodebookCommand::List)) => analysis::codebook_list(&open()?),
        Some(Command::Codebook(CodebookCommand::Import { file, replace })) => {
            analysis::codebook_import(&open()?, &file, replace)
        }
        Some(Command::Codebook(CodebookCommand::Export { output })) => {
            analysis::codebook_export(&open()?, output.as_deref())
        }
    }
}
