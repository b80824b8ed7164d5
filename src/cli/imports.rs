//! Bringing material in: transcripts typed or transcribed elsewhere.

use super::commands::{find_case, now};
use crate::domain::{Role, SessionKind};
use crate::import::transcript;
use crate::store::Store;
use anyhow::Context;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub struct TranscriptArgs<'a> {
    pub file: &'a Path,
    pub case: &'a str,
    pub kind: &'a str,
    pub contact: Option<u32>,
    pub place: &'a str,
    pub roles: &'a [String],
    /// The day (and time) it was recorded: `2026-03-02` or `2026-03-02 10:30`.
    pub date: Option<&'a str>,
}

/// Asks for a role on the terminal; `None` when no one is there to answer.
fn ask_role(label: &str) -> anyhow::Result<Option<Role>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    loop {
        eprint!("Role of {label} (participant, caseworker, job-consultant, project-worker, other-professional, interviewer, other): ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer)? == 0 {
            return Ok(None);
        }
        match Role::parse(&answer) {
            Ok(role) => return Ok(Some(role)),
            Err(e) => eprintln!("{e}"),
        }
    }
}

pub fn import_transcript(store: &Store, args: TranscriptArgs) -> anyhow::Result<()> {
    let case = find_case(store, args.case)?;
    let kind = SessionKind::parse(args.kind)?;
    let bytes = std::fs::read(args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut given: Vec<(String, Role)> = Vec::new();
    for pair in args.roles {
        let (label, role) =
            pair.split_once('=').with_context(|| format!("--role {pair:?} is not LABEL=ROLE"))?;
        given.push((label.trim().to_string(), Role::parse(role)?));
    }
    let role_for = |label: &str| {
        let known = given.iter().find(|(l, _)| l == label).map(|(_, r)| *r);
        match known.or_else(|| transcript::usual_role(label, case.code.as_str())) {
            Some(role) => Ok(role),
            None => match ask_role(label).map_err(|e| e.to_string())? {
                Some(role) => Ok(role),
                None => {
                    Err(format!("the role of speaker {label} is not known: give it with --role {label}=ROLE"))
                }
            },
        }
    };
    let source = transcript::file_name(args.file);
    let new = transcript::NewSession {
        case: &case,
        kind,
        contact: args.contact,
        place: args.place,
        source: &source,
        recorded: args.date,
        now: now(),
    };
    let imported =
        transcript::import(&bytes, new, &store.sessions()?, role_for).map_err(anyhow::Error::msg)?;
    let session = imported.session.id;
    let contact = imported.session.contact_point;
    let lines = imported.utterances.len();
    store.commit(&imported.changes())?;
    eprintln!(
        "imported {} into a new session ({kind}) of case {} at contact point {contact}",
        crate::domain::text::count(lines, "line"),
        case.code
    );
    println!("{session}");
    Ok(())
}
