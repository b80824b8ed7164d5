//! Getting the passphrase of an encrypted store: `FIELDLOG_PASSPHRASE`, or
//! typed at a prompt that does not echo.

use crate::store::{Store, StoreError};
use anyhow::bail;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::crossterm::terminal;
use std::io::{IsTerminal, Write};
use std::path::Path;

fn from_env() -> Option<String> {
    std::env::var("FIELDLOG_PASSPHRASE").ok().filter(|p| !p.is_empty())
}

/// Reads a line from the terminal without showing it.
fn ask(prompt: &str) -> anyhow::Result<Option<String>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    terminal::enable_raw_mode()?;
    let mut typed = String::new();
    let result = loop {
        match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Enter => break Ok(Some(typed)),
                KeyCode::Esc => break Ok(None),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => break Ok(None),
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char(c) => typed.push(c),
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    let _ = terminal::disable_raw_mode();
    eprintln!();
    result
}

/// Opens the store, asking for its passphrase if it is encrypted.
pub fn open(dir: &Path) -> anyhow::Result<Store> {
    open_keeping(dir).map(|(store, _)| store)
}

/// Opens the store and gives back the passphrase it took, if any. Damage
/// found in the journal is said on stderr whatever the command.
pub fn open_keeping(dir: &Path) -> anyhow::Result<(Store, Option<String>)> {
    let opened = open_asking(dir)?;
    if let Some(report) = opened.0.journal_damage() {
        eprintln!("fieldlog: warning: {report}; `fieldlog check` lists it");
    }
    Ok(opened)
}

fn open_asking(dir: &Path) -> anyhow::Result<(Store, Option<String>)> {
    let env = from_env();
    match Store::open_with(dir, env.as_deref()) {
        Err(StoreError::Locked(_)) if env.is_none() => match ask("Passphrase: ")? {
            Some(p) => Ok((Store::open_with(dir, Some(&p))?, Some(p))),
            None => Err(StoreError::Locked(dir.to_path_buf()).into()),
        },
        Ok(store) => {
            let used = if store.is_encrypted() { env } else { None };
            Ok((store, used))
        }
        Err(e) => Err(e.into()),
    }
}

/// A passphrase from the environment, or asked for once.
pub fn ask_for(prompt: &str) -> anyhow::Result<String> {
    if let Some(p) = from_env() {
        return Ok(p);
    }
    match ask(prompt)? {
        Some(p) => Ok(p),
        None => bail!("no passphrase was given: type it at the prompt or set FIELDLOG_PASSPHRASE"),
    }
}

/// A new passphrase: from the environment, or typed twice.
pub fn new_passphrase() -> anyhow::Result<String> {
    if let Some(p) = from_env() {
        return Ok(p);
    }
    let Some(first) = ask("New passphrase: ")? else {
        bail!("no passphrase was given: type one at the prompt or set FIELDLOG_PASSPHRASE")
    };
    if first.chars().count() < 8 {
        bail!("the passphrase is too short: use 8 characters or more");
    }
    if ask("The same again: ")?.as_deref() != Some(first.as_str()) {
        bail!("the two passphrases differ; nothing was changed");
    }
    Ok(first)
}
