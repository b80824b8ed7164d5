//! Reading plain-text transcripts: `Speaker: text` lines, optional time
//! stamps (`[hh:mm:ss]`, `[mm:ss]`, `#hh:mm:ss-d#`) at the start or end of
//! a line, continuation lines, blank lines, CRLF and a byte-order mark.
//! A malformed file is refused whole, naming the line and the reason.

use crate::domain::session::latest_contact;
use crate::domain::{Case, Role, Session, SessionKind, Speaker, Utterance, UtteranceKind};
use chrono::{DateTime, Duration, FixedOffset};
use std::fmt;

/// The longest line taken: longer ones are refused rather than swallowed.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// How an imported session's notes begin; the file's name follows.
pub const IMPORTED_FROM: &str = "imported from ";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptLine {
    pub speaker: String,
    /// Continuation lines are kept, joined by newlines.
    pub text: String,
    /// The line's time stamp, if it had one.
    pub time_ms: Option<i64>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ImportError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ImportError {}

/// The role a label has by convention, if any: the case's own code is the
/// participant, `I` the interviewer, `CW`/`SB` a caseworker.
pub fn usual_role(label: &str, case: &str) -> Option<Role> {
    let lower = label.to_lowercase();
    if label.eq_ignore_ascii_case(case) {
        Some(Role::Participant)
    } else if ["i", "int", "interviewer"].contains(&lower.as_str()) {
        Some(Role::Interviewer)
    } else if ["cw", "sb", "caseworker", "sagsbehandler"].contains(&lower.as_str()) {
        Some(Role::Caseworker)
    } else {
        None
    }
}

/// What a new session made from a transcript is like.
/// What a transcript becomes: a session of `case`, recorded on `recorded`
/// (a day, or a day and a time) if given, else ending `now`.
/// What a session's notes name its transcript by: the file's own name,
/// never the folders above it (they often hold a person's name).
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

pub struct NewSession<'a> {
    pub case: &'a Case,
    pub kind: SessionKind,
    /// The contact point; the case's latest if not given.
    pub contact: Option<u32>,
    pub place: &'a str,
    /// The file's name, kept in the session's notes.
    pub source: &'a str,
    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`, as the researcher writes when it was recorded.
    pub recorded: Option<&'a str>,
    pub now: DateTime<FixedOffset>,
}

/// A transcript read into a session and its lines, not yet stored.
pub struct Imported {
    pub session: Session,
    pub utterances: Vec<Utterance>,
}

impl Imported {
    /// The session and every line, to be committed at once: all or nothing.
    pub fn changes(self) -> Vec<crate::store::Change> {
        use crate::store::Change;
        let mut changes = vec![Change::Session(self.session)];
        changes.extend(self.utterances.into_iter().map(Change::Utterance));
        changes
    }
}

/// Reads transcript `bytes` as a new session: the one import the command
/// line and the app share. Each speaker's role comes from `role_for` (the
/// roles given, the usual ones, or a question), which may refuse.
pub fn import(
    bytes: &[u8],
    new: NewSession,
    sessions: &[Session],
    mut role_for: impl FnMut(&str) -> Result<Role, String>,
) -> Result<Imported, String> {
    let (lines, labels) = parse(bytes).map_err(|e| format!("{} was not imported: {e}", new.source))?;
    let speakers = labels
        .into_iter()
        .map(|label| role_for(&label).map(|role| (label, role)))
        .collect::<Result<Vec<_>, _>>()?;
    let contact = match new.contact {
        Some(n) if !(1..=crate::domain::contacts::ContactPlan::MOST).contains(&n) => {
            return Err(crate::domain::DomainError::BadContactPoint(n).to_string())
        }
        Some(n) => n,
        None => latest_contact(sessions, new.case.id),
    };
    let length = lines.iter().filter_map(|l| l.time_ms).max().unwrap_or(0);
    let started = match new.recorded {
        Some(text) => recorded_at(text, new.now)?,
        None => new.now - Duration::milliseconds(length),
    };
    if started + Duration::milliseconds(length) > new.now {
        return Err(format!(
            "a transcript recorded at {} would end in the future: give the day it was recorded",
            started.format("%Y-%m-%d %H:%M")
        ));
    }
    let mut session = Session::new(new.case.id, new.kind, contact, new.place, Vec::new(), started);
    session.notes = format!("{IMPORTED_FROM}{}", new.source);
    let (session, utterances) = session_from(lines, speakers, session);
    Ok(Imported { session, utterances })
}

/// `YYYY-MM-DD` (the start of the day) or `YYYY-MM-DD HH:MM`, in the local offset of `now`.
fn recorded_at(text: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    let (day, time) = text.split_once([' ', 'T']).unwrap_or((text, "00:00"));
    let day = crate::domain::followup::parse_date(day)?;
    let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .map_err(|_| format!("{time:?} is not a time of day: write HH:MM, as in 2026-03-02 10:30"))?;
    day.and_time(time)
        .and_local_timezone(*now.offset())
        .single()
        .ok_or_else(|| format!("{text} is not a time that exists"))
}

/// Fills `session` (its id, clock and place already set) with the lines of a
/// parsed transcript; `speakers` come with their roles, in the order they
/// first speak. Time stamps are recording times.
pub fn session_from(
    lines: Vec<TranscriptLine>,
    speakers: Vec<(String, Role)>,
    mut session: Session,
) -> (Session, Vec<Utterance>) {
    let timed = lines.iter().any(|l| l.time_ms.is_some());
    let started = session.clock.started;
    let mut elapsed = 0;
    let mut utterances = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        elapsed = line.time_ms.unwrap_or(elapsed);
        let at = started + Duration::milliseconds(elapsed);
        utterances.push(Utterance {
            session: session.id,
            seq: i as u32 + 1,
            speaker: line.speaker,
            kind: UtteranceKind::Speech,
            text: line.text,
            onset: at,
            committed: at,
            elapsed_ms: elapsed,
            mark: None,
            deleted: false,
        });
    }
    // The first nine speakers get hotkeys, as in live logging.
    session.speakers = speakers
        .into_iter()
        .enumerate()
        .map(|(i, (label, role))| Speaker { key: if i < 9 { i as u8 + 1 } else { 0 }, label, role })
        .collect();
    session.ended = Some(started + Duration::milliseconds(elapsed));
    session.recording_started = timed.then_some(started);
    (session, utterances)
}

/// Parses a whole file; the speakers come back in the order they first speak.
pub fn parse(bytes: &[u8]) -> Result<(Vec<TranscriptLine>, Vec<String>), ImportError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            return Err(ImportError {
                line,
                reason: "is not valid UTF-8 text (save the file as UTF-8)".into(),
            });
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<TranscriptLine> = Vec::new();
    let mut speakers: Vec<String> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let number = i + 1;
        let error = |reason: String| ImportError { line: number, reason };
        if raw.len() > MAX_LINE_BYTES {
            return Err(error(format!(
                "is {} bytes long; lines over {} bytes are refused",
                raw.len(),
                MAX_LINE_BYTES
            )));
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim();
        if line.is_empty() {
            continue;
        }
        let (line, time_ms) = take_time(line).map_err(error)?;
        match speaker_of(line) {
            Some((speaker, said)) => {
                let speaker = speaker.to_string();
                if !speakers.contains(&speaker) {
                    speakers.push(speaker.clone());
                }
                let (said, end_time) = take_time(said.trim()).map_err(error)?;
                let text = crate::domain::text::sanitise(said.trim()).replace('\n', " ");
                lines.push(TranscriptLine { speaker, text, time_ms: time_ms.or(end_time) });
            }
            None => match lines.last_mut() {
                Some(previous) => {
                    previous.text.push('\n');
                    previous.text.push_str(&crate::domain::text::sanitise(line).replace('\n', " "));
                }
                None => {
                    return Err(error("has no speaker: begin the transcript with \"Speaker: text\"".into()))
                }
            },
        }
    }
    if lines.is_empty() {
        return Err(ImportError { line: 1, reason: "the file holds no \"Speaker: text\" lines".into() });
    }
    Ok((lines, speakers))
}

/// `LABEL: text` where LABEL is 1–16 letters or digits.
fn speaker_of(line: &str) -> Option<(&str, &str)> {
    let (label, rest) = line.split_once(':')?;
    let ok = (1..=16).contains(&label.chars().count()) && label.chars().all(char::is_alphanumeric);
    ok.then_some((label, rest))
}

/// A time stamp at the start or the end of `line`: the line without it, and the time.
fn take_time(line: &str) -> Result<(&str, Option<i64>), String> {
    for (open, close) in [('[', ']'), ('#', '#')] {
        if let Some(rest) = line.strip_prefix(open) {
            if let Some(end) = rest.find(close) {
                let ms = parse_time(&rest[..end])?;
                return Ok((rest[end + 1..].trim_start(), Some(ms)));
            }
            if looks_like_time(rest) {
                return Err(format!("has a time stamp that is never closed with {close:?}"));
            }
        }
        if let Some(rest) = line.strip_suffix(close) {
            if let Some(start) = rest.rfind(open) {
                let inner = &rest[start + 1..];
                if looks_like_time(inner) {
                    let ms = parse_time(inner)?;
                    return Ok((rest[..start].trim_end(), Some(ms)));
                }
            }
        }
    }
    Ok((line, None))
}

fn looks_like_time(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_digit()) && text.contains(':')
}

/// `hh:mm:ss`, `mm:ss`, optionally with `.d`/`-d` tenths (`00:12:34-5`), to milliseconds.
fn parse_time(text: &str) -> Result<i64, String> {
    let bad = || format!("has a broken time stamp {text:?}: write [hh:mm:ss], [mm:ss] or #hh:mm:ss-d#");
    let (clock, tenths) = match text.split_once(['-', '.']) {
        Some((clock, tenths)) => (clock, Some(tenths)),
        None => (text, None),
    };
    let parts: Vec<i64> =
        clock.split(':').map(|p| p.parse::<i64>().map_err(|_| bad())).collect::<Result<_, _>>()?;
    let seconds = match parts.as_slice() {
        [h, m, s] if *m < 60 && *s < 60 => h * 3600 + m * 60 + s,
        [m, s] if *s < 60 => m * 60 + s,
        _ => return Err(bad()),
    };
    let tenths = match tenths {
        Some(t) if t.len() == 1 => t.parse::<i64>().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
        None => 0,
    };
    Ok(seconds * 1000 + tenths * 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speakers_times_continuations_and_crlf_are_read() {
        let file = "\u{feff}I: Hvor står du nu? [00:00:04]\r\n\r\n[00:01:12] AA: Dårlige tænder er mit\r\nandet kæmpeproblem 👨‍👩‍👧.\r\n#00:02:03-5# I: Og praktikken?\nAA: Den gik godt [02:10]\n";
        let (lines, speakers) = parse(file.as_bytes()).unwrap();
        assert_eq!(speakers, vec!["I", "AA"]);
        let got: Vec<_> = lines.iter().map(|l| (l.speaker.as_str(), l.text.as_str(), l.time_ms)).collect();
        assert_eq!(
            got,
            vec![
                ("I", "Hvor står du nu?", Some(4_000)),
                ("AA", "Dårlige tænder er mit\nandet kæmpeproblem 👨‍👩‍👧.", Some(72_000)),
                ("I", "Og praktikken?", Some(123_500)),
                ("AA", "Den gik godt", Some(130_000)),
            ]
        );
    }

    #[test]
    fn malformed_files_are_refused_with_the_line() {
        let refused = |bytes: &[u8]| parse(bytes).unwrap_err();
        let e = refused(b"\nbare tekst uden taler\nI: hej");
        assert_eq!((e.line, e.reason.contains("no speaker")), (2, true), "{e}");
        let e = refused(b"I: hej\n[00:7x:00] AA: nej");
        assert_eq!((e.line, e.reason.contains("broken time stamp")), (2, true), "{e}");
        let e = refused(b"I: hej\nAA: godt [01:75]");
        assert_eq!(e.line, 2, "{e}");
        let e = refused(b"I: hej\nAA: \xff\xfe nej");
        assert_eq!((e.line, e.reason.contains("UTF-8")), (2, true), "{e}");
        let mut long = b"I: hej\nAA: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 10 << 20));
        let e = refused(&long);
        assert_eq!((e.line, e.reason.contains("bytes long")), (2, true), "{e}");
        assert!(refused(b"\n\n").reason.contains("no \"Speaker: text\""));
    }

    #[test]
    fn a_colon_inside_a_sentence_is_not_a_speaker() {
        let (lines, _) = parse("AA: Det var sådan\nkl. 10: der skete det".as_bytes()).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "Det var sådan\nkl. 10: der skete det");
    }
}
