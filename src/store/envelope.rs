//! The value envelope: `[format version: u8][bincode 2 payload]`.
//!
//! Every stored value is decoded through `decode`, which knows each past
//! version of its type. A released version's layout is never edited: a new
//! layout gets a new version number, a frozen copy of the old struct, and a
//! `From<Old>` migration in that type's `decode_version`.

use super::StoreError;
use crate::domain::contacts::{ContactLedger, ContactPlan, Recruitment};
use crate::domain::narrated::NarratedTime;
use crate::domain::MaskList;
use crate::domain::{
    Case, Codebook, Draft, Effort, EffortKinds, Link, MarkDismissal, Narrative, Revision, Session, TeamValue,
    Utterance, Variables,
};
use crate::domain::{Consent, Recording, Retiming};
use serde::{de::DeserializeOwned, Serialize};

/// A stored type and the versions of its layout this program can read.
pub trait Versioned: Serialize + DeserializeOwned {
    /// What the value is called in error messages.
    const NAME: &'static str;
    /// The version this program writes.
    const CURRENT: u8;
    /// Encodes the value in the current version's layout (by default, as itself).
    fn encode_payload(&self, bytes: &mut Vec<u8>) {
        bincode::serde::encode_into_std_write(self, bytes, config())
            .expect("encoding into a Vec cannot fail");
    }
    /// Decodes a payload written as `version`, migrating it to the current type.
    fn decode_version(version: u8, payload: &[u8]) -> Result<Self, StoreError> {
        if version == Self::CURRENT {
            decode_payload(Self::NAME, payload)
        } else {
            Err(StoreError::NewerFormat { what: Self::NAME, version })
        }
    }
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// The most a decoded value may claim to hold. bincode trusts length
/// prefixes, so a damaged value could otherwise ask for an allocation of
/// exabytes and abort the program (found by fuzzing); no real value is
/// near this. The limit does not change the encoding.
const DECODE_LIMIT: usize = 64 << 20;

pub fn encode<T: Versioned>(value: &T) -> Vec<u8> {
    let mut bytes = vec![T::CURRENT];
    value.encode_payload(&mut bytes);
    bytes
}

pub fn decode<T: Versioned>(bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&version, payload)) => T::decode_version(version, payload),
        None => Err(StoreError::Corrupt { what: T::NAME, reason: "empty value".into() }),
    }
}

/// Decodes one bincode payload whole: trailing bytes mean a misread layout.
pub fn decode_payload<T: DeserializeOwned>(what: &'static str, payload: &[u8]) -> Result<T, StoreError> {
    let (value, used) = bincode::serde::decode_from_slice(payload, config().with_limit::<DECODE_LIMIT>())
        .map_err(|e| StoreError::Corrupt { what, reason: e.to_string() })?;
    if used != payload.len() {
        return Err(StoreError::Corrupt {
            what,
            reason: format!("{} bytes left over after decoding", payload.len() - used),
        });
    }
    Ok(value)
}

/// Types stored in their own serde layout, each at its one released version.
macro_rules! versioned {
    ($($type:ty => $name:literal, $version:literal;)+) => {
        $(impl Versioned for $type {
            const NAME: &'static str = $name;
            const CURRENT: u8 = $version;
        })+
    };
}

versioned! {
    Case => "case", 1;
    Session => "session", 1;
    Revision => "revision", 1;
    Draft => "draft", 1;
    Narrative => "narrative", 1;
    Codebook => "codebook", 1;
    MarkDismissal => "mark dismissal", 1;
    Variables => "variable list", 1;
    Effort => "effort", 1;
    Link => "link", 1;
    EffortKinds => "effort kind list", 1;
    MaskList => "mask list", 1;
    Recording => "recording", 1;
    Consent => "recording consent", 1;
    Retiming => "re-timed line", 1;
    ContactPlan => "contact plan", 1;
    ContactLedger => "contact ledger", 1;
    NarratedTime => "narrated time", 1;
    Recruitment => "recruitment entry", 1;
    TeamValue => "team record", 1;
}

impl Versioned for Utterance {
    const NAME: &'static str = "utterance";
    /// Version 2 stores times as integers; version 1 (text times) is migrated on read.
    const CURRENT: u8 = 2;
    fn encode_payload(&self, bytes: &mut Vec<u8>) {
        bincode::serde::encode_into_std_write(super::layouts::utterance_payload(self), bytes, config())
            .expect("encoding into a Vec cannot fail");
    }
    fn decode_version(version: u8, payload: &[u8]) -> Result<Self, StoreError> {
        super::layouts::decode_utterance(version, payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Id, UtteranceKind};
    use chrono::DateTime;
    use proptest::prelude::*;

    fn utterance(seq: u32, speaker: String, text: String, ms: i64) -> Utterance {
        let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        Utterance {
            session: Id::from_bytes([7; 16]),
            seq,
            speaker,
            kind: UtteranceKind::Speech,
            text,
            onset: t,
            committed: t + chrono::Duration::milliseconds(ms),
            elapsed_ms: ms,
            mark: None,
            deleted: false,
        }
    }

    proptest! {
        #[test]
        fn utterances_round_trip(seq in 1u32.., speaker in "\\PC{1,8}", text in "\\PC{0,200}", ms in 0i64..10_000_000) {
            let u = utterance(seq, speaker, text, ms);
            prop_assert_eq!(decode::<Utterance>(&encode(&u)).unwrap(), u);
        }
    }

    #[test]
    fn a_value_claiming_exabytes_is_an_error_not_an_abort() {
        // Found by the `value` fuzz target: a string length prefix of ~7e18.
        let crash: &[u8] = &[
            0x01, 0x10, 0xff, 0xff, 0xff, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
            0x61, 0x01, 0xfd, 0xfc, 0x00, 0x00, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x00, 0x61, 0x61, 0x61,
            0x61, 0x00, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61,
            0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x04, 0xff, 0x61, 0xfa, 0x61,
        ];
        assert!(decode::<Utterance>(crash).is_err());
        assert!(decode::<crate::domain::Case>(crash).is_err());
        assert!(decode::<Session>(crash).is_err());
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = encode(&utterance(1, "AA".into(), "hej".into(), 0));
        bytes.push(0);
        assert!(matches!(decode::<Utterance>(&bytes), Err(StoreError::Corrupt { .. })));
    }

    #[test]
    fn a_newer_version_is_refused_by_name() {
        let mut bytes = encode(&utterance(1, "AA".into(), "hej".into(), 0));
        bytes[0] = 9;
        let err = decode::<Utterance>(&bytes).unwrap_err();
        assert!(err.to_string().contains("newer"), "{err}");
    }
}
