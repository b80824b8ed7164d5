//! `fieldlog export`: the study, a case or a session, in each format.

use super::args::ExportArgs;
use super::commands::{find_case, find_session, now};
use crate::export::eaf::Media;
use crate::export::json;
use crate::export::pseudonyms::Pseudonyms;
use crate::store::files;
use crate::store::Store;
use crate::sync;
use anyhow::{bail, Context};
use std::path::Path;

pub fn export(store: &Store, args: &ExportArgs) -> anyhow::Result<()> {
    let (format, output, media) = (args.format.as_str(), args.output.as_deref(), args.media.as_deref());
    if store.is_encrypted() && !args.plaintext {
        bail!(
            "the study at {} is encrypted and an export is not: add --plaintext to write its text unencrypted",
            store.path().display()
        );
    }
    let pseudonyms = match &args.pseudonymise {
        Some(file) => {
            let text =
                std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            Some(Pseudonyms::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?)
        }
        None => None,
    };
    let session = args.session.as_deref().map(|s| find_session(store, s)).transpose()?;
    let scope = json::Scope {
        case: args.case.as_deref().map(|c| find_case(store, c)).transpose()?.map(|c| c.id),
        session: session.as_ref().map(|s| s.id),
    };
    let media = match (media, &session, output) {
        (None, ..) => None,
        (Some(_), _, _) if format != "eaf" => {
            bail!("--media goes with --format eaf: it is the recording ELAN opens")
        }
        (Some(_), None, _) => bail!("--media is one session's recording: name the session with --session ID"),
        (Some(file), Some(session), Some(output)) => {
            if session.recording_started.is_none() {
                eprintln!(
                    "(session {} has no recording start: its times are the session clock's, which match the recording only if it started with the session)",
                    session.id.short()
                );
            }
            Some(Media::for_file(file, output).map_err(anyhow::Error::msg)?)
        }
        (Some(_), Some(_), None) => None,
    };
    let options = crate::export::Options {
        cases_as_codes: args.cases_as_codes,
        media,
        bom: !args.no_bom,
        unmasked: args.unmasked,
        allow_leaks: args.allow_leaks,
    };
    if args.unmasked {
        eprintln!("(unmasked: the export holds the words as people said them, and says so)");
    }
    match (format, output) {
        ("json", None) => {
            print!("{}", crate::export::json_text(store, scope, pseudonyms.as_ref(), &options)?)
        }
        (_, None) => bail!("a {format} export needs --output PATH"),
        (_, Some(output)) => {
            let written =
                crate::export::write(store, format, scope, output, now(), pseudonyms.as_ref(), &options)?;
            for path in written.files {
                eprintln!("wrote {}", path.display());
            }
            for note in written.notes {
                eprintln!("{note}");
            }
            if store.is_encrypted() {
                eprintln!("(unencrypted: the export holds the encrypted study's text in plain form)");
            }
        }
    }
    Ok(())
}

/// Writes everything the store holds to one file, readable by its owner
/// only: beside the old one, synced, then renamed over it, so a failure
/// leaves the old backup whole. An encrypted study's backup is sealed.
pub fn backup(store: &Store, path: &Path) -> anyhow::Result<()> {
    let text = json::to_string(&json::backup(store)?);
    let bytes = store.seal_backup(text.into_bytes())?;
    files::replace_synced(path, &bytes)
        .map_err(|e| anyhow::anyhow!("could not write {}: {}", path.display(), files::cause(&e)))?;
    let sealed = if store.is_encrypted() { ", sealed with the study's key" } else { "" };
    eprintln!("backed up the study to {}{sealed}", path.display());
    Ok(())
}

/// A backup's JSON text, opening it with a passphrase if it is sealed;
/// gives back the passphrase that opened it.
fn read_backup(path: &Path, known: Option<&str>) -> anyhow::Result<(String, Option<String>)> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {}", path.display(), files::cause(&e)))?;
    let (plain, passphrase) = if Store::is_sealed_backup(&bytes) {
        let passphrase = match known {
            Some(p) if Store::open_sealed_backup(&bytes, p).is_ok() => p.to_string(),
            _ => super::passphrase::ask_for(&format!("Passphrase of {}: ", path.display()))?,
        };
        (Store::open_sealed_backup(&bytes, &passphrase)?, Some(passphrase))
    } else {
        (bytes, None)
    };
    let text = String::from_utf8(plain)
        .map_err(|_| anyhow::anyhow!("{} is not a fieldlog backup (not UTF-8 text)", path.display()))?;
    Ok((text, passphrase))
}

/// Fills an empty store from a backup, all or nothing. Where `dir` holds no
/// store yet, the store is built beside it and put in place only when full:
/// a failed restore leaves nothing behind.
pub fn restore(dir: &Path, path: &Path) -> anyhow::Result<()> {
    let (text, passphrase) = read_backup(path, None)?;
    let study = json::parse(&path.display().to_string(), &text)?;
    let (cases, sessions) = (study.cases.len(), study.sessions.len());
    if Store::exists(dir) {
        let store = super::passphrase::open(dir)?;
        if !store.is_empty()? {
            bail!(
                "the store at {} already holds a study: restore fills only an empty store (merge brings a backup into this one)",
                store.path().display()
            );
        }
        if passphrase.is_some() && !store.is_encrypted() {
            bail!("{} is sealed with an encrypted study's key: restore it into a new directory, which becomes an encrypted store", path.display());
        }
        store.commit(&json::changes(study))?;
    } else {
        let new = Store::build(dir, passphrase.as_deref())?;
        new.store().commit(&json::changes(study))?;
        new.place()?;
    }
    eprintln!("restored {cases} cases and {sessions} sessions from {}", path.display());
    Ok(())
}

/// Brings another fieldworker's backup into this store and reports what came in.
pub fn merge(dir: &Path, path: &Path) -> anyhow::Result<()> {
    let (store, passphrase) = super::passphrase::open_keeping(dir)?;
    let (text, _) = read_backup(path, passphrase.as_deref())?;
    let theirs = json::parse(&path.display().to_string(), &text)?;
    let (changes, report) = crate::import::merge::merge(&store, theirs, now())?;
    store.commit(&changes)?;
    println!(
        "merged {}: {} cases, {} sessions, {} lines, {} narratives, {} codes, {} efforts, {} links added",
        path.display(),
        report.cases,
        report.sessions,
        report.lines,
        report.narratives,
        report.codes,
        report.efforts,
        report.links
    );
    if report.conflicts.is_empty() {
        println!("no conflicts");
    } else {
        println!("{} conflicts:", report.conflicts.len());
        for c in &report.conflicts {
            println!("- {c}");
        }
    }
    Ok(())
}

/// Erases a case that withdrew consent — every session, line, revision,
/// narrative, draft, effort and link about it — and rewrites the store
/// without it, so that none of its text stays readable in the store files.
/// The store stays locked from the first read to the swap. In a team's
/// study the purge goes to teammates with the next sync, and this laptop's
/// change file in the sync folder is rewritten without the case.
pub fn purge(dir: &Path, code: &str, yes: bool) -> anyhow::Result<()> {
    let store = super::passphrase::open(dir)?;
    let case = find_case(&store, code)?;
    if !yes {
        bail!("this erases case {code} and everything about it for good: run it again with --yes");
    }
    let purged = sync::purge::note_for(&store, &case)?;
    let laptop = sync::laptop_id(&store)?;
    let folder = sync::last_folder(&store)?;
    let key = store.file_key()?;
    let sounds = sync::recordings::of_case(&store, &purged)?;
    let note = sync::purge::Note { purged, erased_here: true, sent: false, own_file_cleaned: false };
    let (store, sessions) = sync::purge::erase(store, note.clone())?;
    if let Some(folder) = &folder {
        sync::recordings::forget(folder, &sounds)
            .map_err(|e| anyhow::anyhow!("{}: {}", folder.display(), files::cause(&e)))?;
    }
    println!("erased case {code}: {sessions} sessions, and the store was rewritten without it");
    let Some(laptop) = laptop else { return Ok(()) };
    // This laptop's change file in the folder it last synced through, cleaned now if it is there.
    let own = folder.map(|f| sync::own_file(&f, laptop)).filter(|own| own.is_file());
    match own {
        Some(own) => {
            let end = sync::purge::clean_own_file(&own, key.as_ref(), std::slice::from_ref(&note.purged))
                .map_err(|e| anyhow::anyhow!("{}: {}", own.display(), files::cause(&e)))?;
            let cleaned = sync::purge::Note { own_file_cleaned: true, ..note };
            let mut changes = vec![cleaned.change()];
            if let Some(end) = end {
                changes.push(crate::store::Change::Team {
                    key: crate::domain::TeamKey::read_up_to(laptop),
                    value: Some(crate::domain::TeamValue::ReadUpTo(end)),
                });
            }
            store.commit(&changes)?;
            println!("this laptop's change file {} was rewritten without it", own.display());
            println!(
                "the next sync tells teammates: each teammate must sync for their laptop to erase it and for their own change files to be cleaned"
            );
        }
        None => println!(
            "the next sync rewrites this laptop's change file without it and tells teammates: each teammate must sync for their laptop to erase it and for their own change files to be cleaned"
        ),
    }
    Ok(())
}
