//! ELAN annotation documents (EAF 3.0): one per session, one tier per
//! speaker (and one for the researcher's notes), each line an annotation
//! from its time to where the next line begins. Times are the session
//! clock's, or the recording's when the session has a recording start.

use super::xml::escape;
use crate::domain::{Session, Utterance, UtteranceKind};
use chrono::{DateTime, FixedOffset};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The tier that holds the researcher's notes.
pub const NOTES_TIER: &str = "(notes)";
/// How long the last line lasts when nothing follows it.
const LAST_LINE_MS: i64 = 2_000;

/// Where a line starts, in milliseconds on the document's time line (never negative).
fn start_ms(session: &Session, line: &Utterance) -> i64 {
    session.recording_ms(line.onset).unwrap_or(line.elapsed_ms).max(0)
}

/// The EAF document of one session.
pub fn session_eaf(session: &Session, lines: &[Utterance], exported: DateTime<FixedOffset>) -> String {
    let mut timed: Vec<(&Utterance, i64)> = lines
        .iter()
        .filter(|l| !l.deleted && l.kind != UtteranceKind::Pause)
        .map(|l| (l, start_ms(session, l)))
        .collect();
    timed.sort_by_key(|(l, start)| (*start, l.seq));
    // Each line ends where the next begins (at least one millisecond after its own start).
    let spans: Vec<(&Utterance, i64, i64)> = timed
        .iter()
        .enumerate()
        .map(|(i, (line, start))| {
            let next = timed.get(i + 1).map_or(start + LAST_LINE_MS, |(_, s)| *s);
            (*line, *start, next.max(start + 1))
        })
        .collect();
    let times: BTreeSet<i64> = spans.iter().flat_map(|(_, s, e)| [*s, *e]).collect();
    let slot = |t: i64| times.iter().position(|x| *x == t).map_or(0, |p| p + 1);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<ANNOTATION_DOCUMENT xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"http://www.mpi.nl/tools/elan/EAFv3.0.xsd\" AUTHOR=\"fieldlog\" DATE=\"{}\" FORMAT=\"3.0\" VERSION=\"3.0\">",
        exported.to_rfc3339()
    );
    out.push_str("<HEADER MEDIA_FILE=\"\" TIME_UNITS=\"milliseconds\"/>\n<TIME_ORDER>");
    for (i, t) in times.iter().enumerate() {
        let _ = write!(out, "<TIME_SLOT TIME_SLOT_ID=\"ts{}\" TIME_VALUE=\"{t}\"/>", i + 1);
    }
    out.push_str("</TIME_ORDER>\n");
    let mut tiers: Vec<String> = session.speakers.iter().map(|s| s.label.clone()).collect();
    tiers.push(NOTES_TIER.to_string());
    let mut annotation = 0;
    for tier in &tiers {
        let mine: Vec<&(&Utterance, i64, i64)> = spans
            .iter()
            .filter(|(l, _, _)| {
                if tier == NOTES_TIER {
                    l.kind == UtteranceKind::Note
                } else {
                    l.kind != UtteranceKind::Note && l.speaker == *tier
                }
            })
            .collect();
        let _ = write!(out, "<TIER LINGUISTIC_TYPE_REF=\"utterance\" TIER_ID=\"{}\">", escape(tier));
        for (line, start, end) in mine {
            annotation += 1;
            let value = match line.kind {
                UtteranceKind::Event => format!("[{}]", line.text),
                _ => line.text.clone(),
            };
            let _ = write!(
                out,
                "<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID=\"a{annotation}\" TIME_SLOT_REF1=\"ts{}\" TIME_SLOT_REF2=\"ts{}\"><ANNOTATION_VALUE>{}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>",
                slot(*start),
                slot(*end),
                escape(&value)
            );
        }
        out.push_str("</TIER>\n");
    }
    out.push_str("<LINGUISTIC_TYPE GRAPHIC_REFERENCES=\"false\" LINGUISTIC_TYPE_ID=\"utterance\" TIME_ALIGNABLE=\"true\"/>\n");
    out.push_str("</ANNOTATION_DOCUMENT>\n");
    out
}
