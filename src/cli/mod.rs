//! The command line: where the store lives, which command runs, and turning
//! errors into one sentence on stderr. Each command is a thin call into
//! the domain and the store (see `commands`).

mod agreement;
mod analysis;
mod args;
mod args_followup;
mod args_session;
mod commands;
mod contacts;
mod exports;
mod followup;
mod imports;
mod masks;
mod passphrase;
mod recordings;
mod team;
mod usage;

use crate::keymap;
use crate::store::Store;
use anyhow::bail;
use args::*;
use clap::Parser;
use std::path::PathBuf;

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
        // Said already, in words or as the OS put it.
        if said.contains(&text) || said.contains(&cause.to_string()) {
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
            crate::tui::run(open()?, loaded, cli.audio_source.clone())
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
        Some(Command::Mask(command)) => {
            let store = open()?;
            match command {
                MaskCommand::Add { term, replacement, case } => {
                    masks::add(&store, &term, &replacement, case.as_deref())
                }
                MaskCommand::Remove { term, case } => masks::remove(&store, &term, case.as_deref()),
                MaskCommand::List { json } => masks::list(&store, json),
                MaskCommand::Allow { words } => masks::allow(&store, &words),
                MaskCommand::Scan { case, json } => masks::scan(&store, case.as_deref(), json),
                MaskCommand::Export { path, plaintext } => masks::export(&store, &path, plaintext),
                MaskCommand::Import { path } => masks::import(&store, &path),
            }
        }
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
        Some(Command::Sync { dir: folder, git }) => team::sync(&dir, &folder, git),
        Some(Command::Check { leaks: false, .. }) => commands::check(&open()?),
        Some(Command::Check { leaks: true, files }) => masks::check_leaks(&open()?, &files),
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
        Some(Command::Report(ReportCommand::Case { code, html, unmasked })) => {
            followup::report_case(&open()?, &code, html, unmasked)
        }
        Some(Command::Contact(command)) => contacts::contact(&open()?, command),
        Some(Command::Recruit(command)) => contacts::recruit(&open()?, command),
        Some(Command::Narrative(NarrativeCommand::When { id, when })) => {
            contacts::narrative_when(&open()?, &id, &when)
        }
        Some(Command::Report(ReportCommand::Table { rows, cols, html, unmasked })) => {
            followup::report_table(&open()?, &rows, &cols, html, unmasked)
        }
        Some(Command::Report(ReportCommand::Timeline { marks, voices, svg, unmasked })) => {
            followup::report_timeline(&open()?, &marks, voices, svg, unmasked)
        }
        Some(Command::Report(ReportCommand::Brief { code, html, unmasked })) => {
            followup::report_brief(&open()?, &code, html, unmasked)
        }
        Some(Command::Report(ReportCommand::Plane { x, y, html, unmasked })) => {
            followup::report_plane(&open()?, &x, &y, html, unmasked)
        }
        Some(Command::Report(ReportCommand::Compare { first, second, html, unmasked })) => {
            followup::report_compare(&open()?, &first, &second, html, unmasked)
        }
        Some(Command::Report(ReportCommand::Contacts { html, unmasked })) => {
            followup::report_contacts(&open()?, html, unmasked)
        }
        Some(Command::Report(ReportCommand::Agreement { coders, group, html, unmasked })) => {
            agreement::report(&open()?, coders.as_deref(), group.as_deref(), html, unmasked)
        }
        Some(Command::Report(ReportCommand::Overview { html, unmasked })) => {
            followup::report_overview(&open()?, html, unmasked)
        }
        Some(Command::Report(ReportCommand::Display { rows, cols, filters, case, html, unmasked })) => {
            let args =
                followup::DisplayArgs { rows: &rows, cols: &cols, filters: &filters, case: case.as_deref() };
            followup::report_display(&open()?, args, html, unmasked)
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
        Some(Command::Session(SessionCommand::Attach { id, file, link, offset, replace })) => {
            recordings::attach(&open()?, &id, &file, link, offset.as_deref(), replace)
        }
        Some(Command::Session(SessionCommand::Consent { id, speakers })) => {
            recordings::consent(&open()?, &id, &speakers)
        }
        Some(Command::Session(SessionCommand::Recording { id, json })) => {
            recordings::show(&open()?, &id, json)
        }
        Some(Command::Session(SessionCommand::Blind { id, off })) => team::blind(&open()?, &id, !off),
        Some(Command::Log(a)) => commands::log(&open()?, &a.session, a.speaker.as_deref(), &a.kind, &a.text),
        Some(Command::Export(a)) => exports::export(&open()?, &a),
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
        Some(Command::Dev(DevCommand::Search { text, limit, runs })) => {
            analysis::dev_search(std::sync::Arc::new(open()?), &text, limit, runs)
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
        Some(Command::Narrative(NarrativeCommand::Show { id, json, unmasked })) => {
            analysis::narrative_show(&open()?, &id, json, unmasked)
        }
        Some(Command::Narrative(NarrativeCommand::Quote { id, leave_out, unmasked })) => {
            analysis::narrative_quote(&open()?, &id, &leave_out, unmasked)
        }
        Some(Command::Search { text, json }) => analysis::search(&open()?, &text, json),
        Some(Command::Codebook(CodebookCommand::List)) => analysis::codebook_list(&open()?),
        Some(Command::Codebook(CodebookCommand::Import { file, replace })) => {
            analysis::codebook_import(&open()?, &file, replace)
        }
        Some(Command::Codebook(CodebookCommand::Export { format, output })) => {
            analysis::codebook_export(&open()?, format.as_deref(), output.as_deref())
        }
    }
}
