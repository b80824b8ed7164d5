//! The commands behind the command line: parse the user's words into domain
//! values, read or write through the store, print for people or as JSON.

use crate::domain::clock::format_duration_ms;
use crate::domain::session::{check_speakers, default_speakers};
use crate::domain::text::{count, sanitise};
use crate::domain::{
    Case, CaseCode, Clock, Id, Session, SessionKind, Speaker, SystemClock, Utterance, UtteranceKind,
};
use crate::store::writer::{Durability, Job, Writer};
use crate::store::{Change, Store};
use anyhow::{anyhow, bail, Context};
use serde_json::json;
use std::io::{BufRead, Write};
use std::sync::Arc;

pub(super) fn now() -> chrono::DateTime<chrono::FixedOffset> {
    SystemClock.now()
}

pub(super) fn find_case(store: &Store, code: &str) -> anyhow::Result<Case> {
    let parsed = CaseCode::parse(code)?;
    store.case_by_code(&parsed)?.ok_or_else(|| anyhow!("there is no case {code} in this study"))
}

/// A session by its full id or by the short id that lists show (its last 8 digits).
pub(super) fn find_session(store: &Store, id: &str) -> anyhow::Result<Session> {
    if let Ok(full) = id.parse::<Id>() {
        if let Some(session) = store.session(full)? {
            return Ok(session);
        }
    } else if id.len() >= 4 {
        let matches: Vec<Session> =
            store.sessions()?.into_iter().filter(|s| s.id.short().ends_with(id)).collect();
        if let [one] = matches.as_slice() {
            return Ok(one.clone());
        }
    }
    bail!("there is no session {id} in this study")
}

pub(super) fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).expect("values always serialise"));
}

pub fn case_add(store: &Store, code: &str, attributes: &[String]) -> anyhow::Result<()> {
    let code = CaseCode::parse(code)?;
    let mut case = Case::new(code.clone(), Vec::new(), now());
    let variables = store.variables()?;
    for pair in attributes {
        variables.set_attribute(&mut case, pair).map_err(anyhow::Error::msg)?;
    }
    store.add_case(&case)?;
    println!("added case {code}");
    Ok(())
}

pub fn case_list(store: &Store, as_json: bool) -> anyhow::Result<()> {
    let cases = store.cases()?;
    let sessions = store.sessions()?;
    let count = |case: &Case, kind: SessionKind| {
        sessions.iter().filter(|s| s.case_id == case.id && s.kind == kind).count()
    };
    if as_json {
        let list: Vec<_> = cases
            .iter()
            .map(|c| {
                let counts: serde_json::Map<String, serde_json::Value> =
                    SessionKind::ALL.iter().map(|k| (k.word().to_string(), json!(count(c, *k)))).collect();
                json!({ "code": c.code, "id": c.id, "attributes": c.attributes, "created": c.created, "sessions": counts })
            })
            .collect();
        print_json(&list);
        return Ok(());
    }
    if cases.is_empty() {
        println!("no cases yet: add one with `fieldlog case add CODE`");
    }
    for c in &cases {
        let counts: Vec<String> = SessionKind::ALL
            .iter()
            .filter(|k| count(c, **k) > 0)
            .map(|k| format!("{} {}", count(c, *k), k))
            .collect();
        let counts = if counts.is_empty() { "no sessions".to_string() } else { counts.join(", ") };
        println!("{:<8}  {counts}", c.code.as_str());
    }
    Ok(())
}

pub fn session_start(
    store: &Store,
    case: &str,
    kind: &str,
    contact: u32,
    place: &str,
    speakers: &[String],
) -> anyhow::Result<()> {
    let case = find_case(store, case)?;
    let kind = SessionKind::parse(kind)?;
    if !(1..=crate::domain::contacts::ContactPlan::MOST).contains(&contact) {
        return Err(crate::domain::DomainError::BadContactPoint(contact).into());
    }
    let speakers = if speakers.is_empty() {
        default_speakers(kind, &case.code)
    } else {
        speakers
            .iter()
            .enumerate()
            .map(|(i, s)| Speaker::parse(s, i as u8 + 1))
            .collect::<Result<Vec<_>, _>>()?
    };
    check_speakers(&speakers)?;
    let session = Session::new(case.id, kind, contact, place, speakers, now());
    store.commit(&[Change::Session(session.clone())])?;
    println!("{}", session.id);
    Ok(())
}

pub fn session_end(store: &Store, id: &str) -> anyhow::Result<()> {
    let mut session = find_session(store, id)?;
    if session.ended.is_some() {
        bail!("session {id} has already ended");
    }
    let at = now();
    session.clock.resume(at);
    session.ended = Some(at);
    store.commit(&[Change::Session(session)])?;
    println!("ended session {id}");
    Ok(())
}

/// A session that still takes lines: an ended one is read back, not added to.
fn open_session(store: &Store, id: &str) -> anyhow::Result<Session> {
    let session = find_session(store, id)?;
    if let Some(ended) = session.ended {
        bail!(
            "session {id} ended at {}: lines can no longer be added to it (start a new one with `fieldlog session start`)",
            ended.format("%Y-%m-%d %H:%M")
        );
    }
    Ok(session)
}

/// Resolves who said a line: speech and events need one of the session's speakers.
fn speaker_for(session: &Session, label: Option<&str>, kind: UtteranceKind) -> anyhow::Result<String> {
    let known = || session.speakers.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ");
    match (label, kind) {
        (Some(l), _) if session.speaker(l).is_some() => Ok(l.to_string()),
        (Some(l), _) => bail!("speaker {l} is not in this session; its speakers are {}", known()),
        (None, UtteranceKind::Speech | UtteranceKind::Event) => {
            Ok(session.speakers.first().map(|s| s.label.clone()).unwrap_or_default())
        }
        (None, _) => Ok(String::new()),
    }
}

fn new_line(session: &Session, seq: u32, speaker: String, kind: UtteranceKind, text: &str) -> Utterance {
    let at = now();
    Utterance {
        session: session.id,
        seq,
        speaker,
        kind,
        text: sanitise(text).trim().to_string(),
        onset: at,
        committed: at,
        elapsed_ms: session.clock.elapsed_ms(at),
        mark: None,
        deleted: false,
    }
}

pub fn log(
    store: &Store,
    session: &str,
    speaker: Option<&str>,
    kind: &str,
    text: &str,
) -> anyhow::Result<()> {
    let session = open_session(store, session)?;
    let kind = UtteranceKind::parse(kind)?;
    let speaker = speaker_for(&session, speaker, kind)?;
    if sanitise(text).trim().is_empty() && kind != UtteranceKind::Pause {
        bail!("the line is empty: give the text to log");
    }
    let seq = store.last_seq(session.id)? + 1;
    store.commit(&[Change::Utterance(new_line(&session, seq, speaker, kind, text))])?;
    println!("{seq}");
    Ok(())
}

pub fn log_stdin(store: Store, session: &str) -> anyhow::Result<()> {
    let store = Arc::new(store);
    let session = open_session(&store, session)?;
    let speaker = speaker_for(&session, None, UtteranceKind::Speech)?;
    let (mut writer, saved) = Writer::spawn(store.clone());
    let mut seq = store.last_seq(session.id)?;
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading standard input")?;
        seq += 1;
        let changes =
            vec![Change::Utterance(new_line(&session, seq, speaker.clone(), UtteranceKind::Speech, &line))];
        writer.send(Job { tag: u64::from(seq), changes, durability: Durability::Synced });
        let ack = saved.recv().context("the store writer stopped")?;
        if let Some(e) = ack.error {
            // Not saved: the next line takes its number, as a retyped line would.
            writeln!(out, "not saved {seq}: {e}")?;
            out.flush()?;
            seq -= 1;
            continue;
        }
        writeln!(out, "saved {seq}")?;
        out.flush()?;
    }
    writer.finish();
    Ok(())
}

pub fn session_list(store: &Store, case: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let filter = case.map(|c| find_case(store, c)).transpose()?;
    let cases = store.cases()?;
    let code_of = |s: &Session| {
        cases.iter().find(|c| c.id == s.case_id).map(|c| c.code.to_string()).unwrap_or_default()
    };
    let sessions: Vec<Session> =
        store.sessions()?.into_iter().filter(|s| filter.as_ref().is_none_or(|c| c.id == s.case_id)).collect();
    if as_json {
        let list: Vec<_> = sessions
            .iter()
            .map(|s| {
                let lines = store.utterance_count(s.id).unwrap_or(0);
                json!({ "id": s.id, "case": code_of(s), "kind": s.kind, "contact_point": s.contact_point,
                        "place": s.place, "place_text": s.place_text, "started": s.clock.started, "ended": s.ended, "lines": lines })
            })
            .collect();
        print_json(&list);
        return Ok(());
    }
    for s in &sessions {
        let state = if s.ended.is_some() { "ended" } else { "open" };
        println!(
            "{}  {:<8} {:<22} contact {}  {}  {state}",
            s.id.short(),
            code_of(s),
            s.kind.word(),
            s.contact_point,
            s.clock.started.format("%Y-%m-%d %H:%M")
        );
    }
    Ok(())
}

pub fn session_show(store: &Store, id: &str, as_json: bool) -> anyhow::Result<()> {
    let session = find_session(store, id)?;
    let case = store.case(session.case_id)?.map(|c| c.code.to_string()).unwrap_or_default();
    let lines = store.utterances(session.id)?;
    if as_json {
        let utterances: Vec<_> = lines
            .iter()
            .map(|u| {
                json!({ "seq": u.seq, "speaker": u.speaker, "kind": u.kind.word(), "text": u.text,
                        "onset": u.onset, "committed": u.committed, "elapsed_ms": u.elapsed_ms,
                        "recording_ms": session.recording_ms(u.onset), "mark": u.mark, "deleted": u.deleted })
            })
            .collect();
        print_json(&json!({ "case": case, "session": session, "utterances": utterances }));
        return Ok(());
    }
    println!(
        "session {} · case {case} · {} · contact {} · {}",
        session.id,
        session.kind,
        session.contact_point,
        session.place_name()
    );
    let ended =
        session.ended.map_or("open".to_string(), |e| format!("ended {}", e.format("%Y-%m-%d %H:%M:%S")));
    println!("started {} · {ended}", session.clock.started.format("%Y-%m-%d %H:%M:%S %:z"));
    let speakers: Vec<String> =
        session.speakers.iter().map(|s| format!("{}={} ({})", s.key, s.label, s.role)).collect();
    println!("speakers: {}", speakers.join(", "));
    for u in lines.iter().filter(|u| !u.deleted) {
        let text = u.shown();
        let mark =
            u.mark.as_ref().map_or(String::new(), |m| format!("  ★ {}", m.word).trim_end().to_string());
        println!(
            "{:>5}  {}  {}  {:<6} {text}{mark}",
            u.seq,
            format_duration_ms(u.elapsed_ms),
            u.onset.format("%H:%M:%S"),
            u.speaker
        );
    }
    Ok(())
}

pub fn check(store: &Store) -> anyhow::Result<()> {
    let report = store.check()?;
    if let Some(search_index) = &report.search_index {
        println!("{search_index}");
    }
    if report.problems.is_empty() {
        println!(
            "the store at {} is sound: {}, {}, {}, {}",
            store.path().display(),
            count(report.cases, "case"),
            count(report.sessions, "session"),
            count(report.lines, "line"),
            count(report.narratives, "narrative")
        );
        return Ok(());
    }
    for problem in &report.problems {
        println!("{problem}");
    }
    bail!(
        "the store at {} has {} (listed above)",
        store.path().display(),
        count(report.problems.len(), "problem")
    )
}
