//! The follow-up year's stored values (issue 16) as their first release
//! writes them: raw bytes in `tests/fixtures/v1/`, never rewritten, which
//! every later version must decode (see `compat.rs`).

use chrono::{DateTime, NaiveDate};
use fieldlog::domain::contacts::*;
use fieldlog::domain::narrated::{NarratedTime, NarratedWhen};
use fieldlog::domain::{CaseCode, Id};
use fieldlog::store::envelope::{decode, encode, Versioned};
use std::fmt::Debug;
use std::path::PathBuf;

fn check<T: Versioned + PartialEq + Debug>(name: &str, expected: T) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1").join(name);
    if !path.exists() && std::env::var_os("FIELDLOG_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, encode(&expected)).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(bytes[0], 1, "{name} is a version 1 value");
    assert_eq!(decode::<T>(&bytes).unwrap(), expected, "{name} decodes as version 1 wrote it");
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn version_1_follow_up_values_decode() {
    let at = DateTime::parse_from_rfc3339("2026-03-01T09:00:00+01:00").unwrap();
    let case = Id::from_bytes([0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x01]);
    check("contact-plan.bin", ContactPlan { every_months: 3, points: 4 });
    check(
        "contact-ledger.bin",
        ContactLedger {
            case_id: case,
            every_months: Some(6),
            points: None,
            start: Some(day("2025-01-06")),
            marks: vec![
                ContactMark {
                    point: 2, kind: ContactMarkKind::Partial, reason: "møde uden borgeren".into()
                },
                ContactMark { point: 3, kind: ContactMarkKind::Missed, reason: "aflyst".into() },
            ],
            dropout: Some(Dropout { date: day("2025-11-01"), reason: "flyttet".into() }),
            updated: at,
        },
    );
    let narrative = Id::from_bytes([0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x07]);
    check("narrated-time.bin", NarratedTime { narrative, when: NarratedWhen::Month(day("2019-05-01")) });
    check("narrated-before.bin", NarratedTime { narrative, when: NarratedWhen::BeforeFollowUp });
    check(
        "recruitment.bin",
        Recruitment {
            id: Id::from_bytes([0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x09]),
            label: CaseCode::parse("R07").unwrap(),
            asked: day("2024-12-02"),
            via: "sagsbehandler".into(),
            outcome: RecruitmentOutcome::Refused,
            reason: "ingen overskud".into(),
            created: at,
        },
    );
}
