//! Values written by every released layout still decode. The fixtures in
//! `tests/fixtures/vN/` are raw stored bytes and are never rewritten: a
//! change of layout needs a new version and a migration, not new fixtures.
//! (`FIELDLOG_WRITE_FIXTURES=1` writes missing ones, for a new version's first release.)

use chrono::DateTime;
use fieldlog::domain::*;
use fieldlog::store::envelope::{decode, encode, Versioned};
use std::fmt::Debug;
use std::path::PathBuf;

fn at(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn check<T: Versioned + PartialEq + Debug>(name: &str, expected: T) {
    check_version(name, 1, expected)
}

fn check_version<T: Versioned + PartialEq + Debug>(name: &str, version: u8, expected: T) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/v{version}")).join(name);
    if !path.exists() && std::env::var_os("FIELDLOG_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, encode(&expected)).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(bytes[0], version, "{name} is a version {version} value");
    assert_eq!(decode::<T>(&bytes).unwrap(), expected, "{name} decodes as written by version {version}");
}

fn session_id() -> Id {
    Id::from_bytes([0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x2a])
}

#[test]
fn version_1_values_decode() {
    let case_id = Id::from_bytes([0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x01]);
    check(
        "case.bin",
        Case {
            id: case_id,
            code: CaseCode::parse("NTC").unwrap(),
            attributes: vec![("site".into(), "Nord".into()), ("køn".into(), "kvinde".into())],
            created: at("2026-03-01T09:00:00+01:00"),
        },
    );
    let mut clock = SessionClock::start(at("2026-03-02T10:00:00+01:00"));
    clock.pause(at("2026-03-02T10:10:00+01:00"));
    clock.resume(at("2026-03-02T10:12:00+01:00"));
    check(
        "session.bin",
        Session {
            id: session_id(),
            case_id,
            kind: SessionKind::Interview,
            contact_point: 2,
            place: Place::Other,
            place_text: "Café Nord".into(),
            speakers: vec![
                Speaker { key: 1, label: "NTC".into(), role: Role::Participant },
                Speaker { key: 2, label: "I".into(), role: Role::Interviewer },
            ],
            clock,
            ended: Some(at("2026-03-02T11:00:00+01:00")),
            recording_started: Some(at("2026-03-02T10:00:30+01:00")),
            themes_ticked: vec![0, 3],
            notes: "lidt forsinket".into(),
        },
    );
    check(
        "utterance.bin",
        Utterance {
            session: session_id(),
            seq: 7,
            speaker: "NTC".into(),
            kind: UtteranceKind::Speech,
            text: "Jeg ærgrer mig over det 😞".into(),
            onset: at("2026-03-02T10:05:00+01:00"),
            committed: at("2026-03-02T10:05:04.250+01:00"),
            elapsed_ms: 300_000,
            mark: Some(Mark { word: "selvværd".into(), at: at("2026-03-02T10:05:06+01:00") }),
            deleted: false,
        },
    );
    // Version 2 stores the times as integers; version 1 above is migrated on read.
    check_version(
        "utterance.bin",
        2,
        Utterance {
            session: session_id(),
            seq: 8,
            speaker: "I".into(),
            kind: UtteranceKind::Event,
            text: "rækker kaffe 👩‍👩‍👧 over bordet".into(),
            onset: at("2026-03-02T10:06:00.250+01:00"),
            committed: at("2026-03-02T10:06:03.5+01:00"),
            elapsed_ms: 360_250,
            mark: Some(Mark { word: String::new(), at: at("2026-03-02T10:06:09+01:00") }),
            deleted: false,
        },
    );
    check(
        "revision.bin",
        Revision {
            session: session_id(),
            seq: 7,
            speaker: "I".into(),
            text: "Jeg ærgre".into(),
            replaced: at("2026-03-02T10:05:10+01:00"),
        },
    );
    check(
        "draft.bin",
        Draft {
            session: session_id(),
            speaker: "I".into(),
            text: "Hvad skete der s".into(),
            onset: Some(at("2026-03-02T10:06:00+01:00")),
            onset_elapsed_ms: 360_000,
        },
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A whole store written by store format 1 (`tests/fixtures/store-v1`, never
/// rewritten) opens with everything in it.
#[test]
fn a_version_1_store_opens_with_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v1"), dir.path());
    let store = fieldlog::store::Store::open(dir.path()).unwrap();
    let cases = store.cases().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].code.as_str(), "AA");
    assert_eq!(cases[0].attributes, vec![("site".to_string(), "Nord".to_string())]);
    let sessions = store.sessions().unwrap();
    assert_eq!((sessions[0].kind, sessions[0].contact_point), (SessionKind::Interview, 2));
    let lines: Vec<String> = store.utterances(sessions[0].id).unwrap().into_iter().map(|u| u.text).collect();
    assert_eq!(
        lines,
        ["Jeg har været ledig i to år", "Praktikken gav mig selvværd", "Nu søger jeg fast arbejde"]
    );
    let narratives = store.narratives().unwrap();
    let book = store.codebook().unwrap();
    assert_eq!(narratives[0].title, "Praktikken vendte det");
    assert_eq!(book.label(narratives[0].codes[0]), "agency: high");
    assert_eq!(store.efforts().unwrap()[0].outcome, "fastansat");
    assert_eq!(store.links().unwrap()[0].chain_text(), "praktik → selvværd → job");
    assert_eq!(store.variables().unwrap().variables[0].name, "site");
    assert!(store.check().unwrap().problems.is_empty());
    assert_eq!(store.search("SELVVÆRD", 10).unwrap().len(), 1);
}

/// The team tree's values (sync bookkeeping, blind settings), as their
/// first layout wrote them.
#[test]
fn version_1_team_values_decode() {
    check("team-laptop.bin", TeamValue::Laptop(session_id()));
    check("team-read-up-to.bin", TeamValue::ReadUpTo(16_912_218));
    let lineage = Lineage { version: 0x8f2d_1e1c_5e54_1e0f, replaces: vec![3, 0xaf63_dc4c_8601_ec8c] };
    check("team-exchanged.bin", TeamValue::Exchanged(lineage));
    check("team-blind.bin", TeamValue::Blind(true));
    check("team-read-through.bin", TeamValue::ReadThrough { end: 16_912_218, crc: 0xcbf4_3926 });
}
