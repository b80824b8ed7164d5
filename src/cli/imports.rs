//! Bringing material in: transcripts typed or transcribed elsewhere.

use super::commands::{find_case, now};
use crate::domain::{Role, SessionKind};
use crate::import::transcript;
use crate::store::{Change, Store};
use anyhow::{bail, Context};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub struct TranscriptArgs<'a> {
    pub file: &'a Path,
    pub case: &'a str,
    pub kind: &'a str,
    pub contact: Option<u32>,
    pub place: &'a str,
    pub roles: &'a [String],
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
    let (lines, labels) =
        transcript::parse(&bytes).with_context(|| format!("{} was not imported", args.file.display()))?;
    let mut given: Vec<(String, Role)> = Vec::new();
    for pair in args.roles {
        let (label, role) =
            pair.split_once('=').with_context(|| format!("--role {pair:?} is not LABEL=ROLE"))?;
        given.push((label.trim().to_string(), Role::parse(role)?));
    }
    let mut speakers = Vec::new();
    for label in labels {
        let known = given.iter().find(|(l, _)| *l == label).map(|(_, r)| *r);
        let role = match known.or_else(|| transcript::usual_role(&label, case.code.as_str())) {
            Some(role) => role,
            None => match ask_role(&label)? {
                Some(role) => role,
                None => bail!("the role of speaker {label} is not known: give it with --role {label}=ROLE"),
            },
        };
        speakers.push((label, role));
    }
    let contact = match args.contact {
        Some(0) => bail!("contact point must be 1 or more, not 0"),
        Some(n) => n,
        None => store
            .sessions()?
            .iter()
            .filter(|s| s.case_id == case.id)
            .map(|s| s.contact_point)
            .max()
            .unwrap_or(1),
    };
    let source = args.file.file_name().map_or(String::new(), |f| f.to_string_lossy().into_owned());
    let new = transcript::NewSession {
        case: &case,
        kind,
        contact,
        place: args.place,
        source: &source,
        started: now(),
    };
    let (session, utterances) = transcript::session_from(lines, speakers, new);
    let session_id = session.id;
    let count = utterances.len();
    // One commit: the session and all its lines, or nothing.
    let mut changes = vec![Change::Session(session)];
    changes.extend(utterances.into_iter().map(Change::Utterance));
    store.commit(&changes)?;
    eprintln!(
        "imported {count} lines into a new session ({kind}) of case {} at contact point {contact}",
        case.code
    );
    println!("{session_id}");
    Ok(())
}
