//! Stored layouts of values whose form on disk differs from the domain
//! type, and the frozen layouts of past versions. A released layout is
//! never edited: a new one gets a new version and a migration.

use super::envelope::decode_payload;
use super::StoreError;
use crate::domain::{Id, Mark, Utterance, UtteranceKind};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Utterance version 1, as the first releases wrote it (times as RFC 3339 text).
#[derive(Deserialize)]
struct UtteranceV1 {
    session: Id,
    seq: u32,
    speaker: String,
    kind: UtteranceKind,
    text: String,
    onset: DateTime<FixedOffset>,
    committed: DateTime<FixedOffset>,
    elapsed_ms: i64,
    mark: Option<MarkV1>,
    deleted: bool,
}

#[derive(Deserialize)]
struct MarkV1 {
    word: String,
    at: DateTime<FixedOffset>,
}

impl From<UtteranceV1> for Utterance {
    fn from(v: UtteranceV1) -> Utterance {
        Utterance {
            session: v.session,
            seq: v.seq,
            speaker: v.speaker,
            kind: v.kind,
            text: v.text,
            onset: v.onset,
            committed: v.committed,
            elapsed_ms: v.elapsed_ms,
            mark: v.mark.map(|m| Mark { word: m.word, at: m.at }),
            deleted: v.deleted,
        }
    }
}

/// Utterance version 2: times as integers — nanoseconds since the epoch for
/// the onset, the offset it was taken in, and the commit and mark times as
/// nanoseconds after the onset. Exact, much smaller than version 1, and
/// read with no text to parse.
#[derive(Serialize, Deserialize)]
struct UtteranceV2 {
    session: Id,
    seq: u32,
    speaker: String,
    kind: UtteranceKind,
    text: String,
    onset_ns: i64,
    offset_s: i32,
    committed_after_ns: i64,
    elapsed_ms: i64,
    mark: Option<(String, i64)>,
    deleted: bool,
}

fn at(ns: i64, offset: FixedOffset) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_nanos(ns).with_timezone(&offset)
}

/// Nanoseconds since the epoch; times outside ±292 years of it cannot be written.
fn nanos(t: &DateTime<FixedOffset>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 { i64::MIN } else { i64::MAX })
}

pub fn utterance_payload(u: &Utterance) -> UtterancePayload {
    let onset_ns = nanos(&u.onset);
    UtterancePayload(UtteranceV2 {
        session: u.session,
        seq: u.seq,
        speaker: u.speaker.clone(),
        kind: u.kind,
        text: u.text.clone(),
        onset_ns,
        offset_s: u.onset.offset().local_minus_utc(),
        committed_after_ns: nanos(&u.committed).saturating_sub(onset_ns),
        elapsed_ms: u.elapsed_ms,
        mark: u.mark.as_ref().map(|m| (m.word.clone(), nanos(&m.at).saturating_sub(onset_ns))),
        deleted: u.deleted,
    })
}

/// The version-2 layout of a line, ready to be encoded.
#[derive(Serialize)]
pub struct UtterancePayload(UtteranceV2);

pub fn decode_utterance(version: u8, payload: &[u8]) -> Result<Utterance, StoreError> {
    match version {
        1 => decode_payload::<UtteranceV1>("utterance", payload).map(Utterance::from),
        2 => {
            let v: UtteranceV2 = decode_payload("utterance", payload)?;
            let offset = FixedOffset::east_opt(v.offset_s).ok_or(StoreError::Corrupt {
                what: "utterance",
                reason: format!("offset {} is out of range", v.offset_s),
            })?;
            let onset = at(v.onset_ns, offset);
            let mark =
                v.mark.map(|(word, after)| Mark { word, at: at(v.onset_ns.saturating_add(after), offset) });
            Ok(Utterance {
                session: v.session,
                seq: v.seq,
                speaker: v.speaker,
                kind: v.kind,
                text: v.text,
                onset,
                committed: at(v.onset_ns.saturating_add(v.committed_after_ns), offset),
                elapsed_ms: v.elapsed_ms,
                mark,
                deleted: v.deleted,
            })
        }
        newer => Err(StoreError::NewerFormat { what: "utterance", version: newer }),
    }
}
