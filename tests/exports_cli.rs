//! Exports from the command line, of a session whose recording was started
//! after its first lines: ELAN documents, JSON, and pseudonymised JSON.

mod support;

use chrono::{DateTime, Duration, FixedOffset};
use fieldlog::domain::*;
use fieldlog::store::{Change, Store};
use serde_json::Value;
use std::path::Path;
use support::{fieldlog, ok};

fn at(seconds: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap() + Duration::seconds(seconds)
}

/// Case AA, an observation whose recording began 30 s in, after lines 1–2;
/// a narrative over lines 3–5 and one over lines 1–2. Returns the session id.
fn study(store: &Path) -> String {
    let study = Store::open_or_create(store).unwrap();
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], at(0));
    let mut session = Session::new(
        case.id,
        SessionKind::Observation,
        1,
        "job centre",
        session::default_speakers(SessionKind::Observation, &case.code),
        at(0),
    );
    session.recording_started = Some(at(30));
    session.ended = Some(at(600));
    let lines = [
        ("AA", UtteranceKind::Speech, "Før optagelsen", 10),
        ("CW", UtteranceKind::Speech, "Skal vi starte?", 20),
        ("CW", UtteranceKind::Speech, "Velkommen", 40),
        ("", UtteranceKind::Pause, "8", 50),
        ("AA", UtteranceKind::Speech, "Tja, tænderne", 60),
    ];
    let mut changes = vec![Change::Case(case), Change::Session(session.clone())];
    for (i, (speaker, kind, text, seconds)) in lines.into_iter().enumerate() {
        changes.push(Change::Utterance(Utterance {
            session: session.id,
            seq: i as u32 + 1,
            speaker: speaker.into(),
            kind,
            text: text.into(),
            onset: at(seconds),
            committed: at(seconds + 2),
            elapsed_ms: seconds * 1000,
            mark: None,
            deleted: false,
        }));
    }
    let book = study.codebook().unwrap();
    for (title, span, codes) in
        [("Tænderne", (3, 5), ["agency:high", "course"]), ("Før", (1, 2), ["T1", "T2"])]
    {
        changes.push(Change::Narrative(Narrative {
            id: Id::new(),
            session: session.id,
            first_seq: span.0,
            last_seq: span.1,
            title: title.into(),
            codes: codes.iter().map(|c| book.find(c).unwrap()).collect(),
            memo: String::new(),
            author: "anna".into(),
            created: at(900),
            updated: at(900),
            deleted: false,
        }));
    }
    study.commit(&changes).unwrap();
    session.id.to_string()
}

#[test]
fn an_elan_export_leaves_out_the_lines_before_the_recording_and_links_the_recording_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = study(&store);
    let out = dir.path().join("session.eaf");
    let path = out.to_str().unwrap();
    ok(&store, &["export", "--format", "eaf", "--session", &session, "--output", path]);
    let doc = std::fs::read_to_string(&out).unwrap();
    assert!(!doc.contains("Før optagelsen") && !doc.contains("TIME_VALUE=\"0\""), "{doc}");
    assert!(
        doc.contains("<PROPERTY NAME=\"left out\">2 lines typed before the recording started (lines 1-2)")
    );
    assert!(doc.contains("<TIER LINGUISTIC_TYPE_REF=\"role: caseworker\" PARTICIPANT=\"CW\" TIER_ID=\"CW\">"));
    assert!(doc.contains("<ANNOTATION_VALUE>(pause 8 s)</ANNOTATION_VALUE>"));
    assert!(doc.contains("<ANNOTATION_VALUE>Tænderne</ANNOTATION_VALUE>"));
    assert!(
        doc.contains("<ANNOTATION_VALUE>high</ANNOTATION_VALUE>") && doc.contains("<CONTROLLED_VOCABULARY")
    );
    assert!(doc.contains("<HEADER MEDIA_FILE=\"\"") && !doc.contains("MEDIA_DESCRIPTOR"));

    std::fs::write(dir.path().join("møde.m4a"), b"....").unwrap();
    let media = dir.path().join("møde.m4a");
    let args = ["export", "--format", "eaf", "--session", &session, "--output", path, "--media"];
    ok(&store, &[&args[..], &[media.to_str().unwrap()]].concat());
    let doc = std::fs::read_to_string(&out).unwrap();
    assert!(doc.contains("MIME_TYPE=\"audio/mp4\" RELATIVE_MEDIA_URL=\"./m%C3%B8de.m4a\"/>"), "{doc}");

    let refused = fieldlog(&store, &["export", "--format", "eaf", "--output", path, "--media", "x.wav"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("name the session with --session"), "{said}");
}

fn json(store: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(store, args)).unwrap()
}

#[test]
fn lines_typed_before_the_recording_have_no_recording_time_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let session = study(&store);
    let shown = json(&store, &["session", "show", &session, "--json"]);
    let times: Vec<Value> =
        shown["utterances"].as_array().unwrap().iter().map(|u| u["recording_ms"].clone()).collect();
    assert_eq!(times, [Value::Null, Value::Null, 10_000.into(), 20_000.into(), 30_000.into()]);
}

#[test]
fn a_version_1_backup_with_capitalised_values_restores_and_comes_back_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    let old = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/backup-v1.json");
    assert!(std::fs::read_to_string(old).unwrap().contains("\"kind\": \"Observation\""));
    ok(&store, &["restore", old]);

    let listed = json(&store, &["session", "list", "--json"]);
    assert_eq!((&listed[0]["kind"], &listed[0]["place"]), (&"observation".into(), &"job centre".into()));
    let session = listed[0]["id"].as_str().unwrap();
    let shown = json(&store, &["session", "show", session, "--json"]);
    assert_eq!(shown["session"]["kind"], listed[0]["kind"]);
    assert_eq!(shown["session"]["place"], listed[0]["place"]);
    assert_eq!(shown["session"]["speakers"][1]["role"], "caseworker");
    let kinds: Vec<&str> =
        shown["utterances"].as_array().unwrap().iter().map(|u| u["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["speech", "speech", "speech", "pause", "speech"]);
    assert_eq!(json(&store, &["link", "list", "--json"])[0]["valence"], "positive");

    let study = json(&store, &["export", "--format", "json"]);
    assert_eq!(study["version"], 2);
    assert_eq!(study["codebook"]["groups"][0]["kind"], "any-of");
    assert_eq!(study["variables"]["variables"][0]["kind"], serde_json::json!({ "list": ["Nord", "Syd"] }));
    assert_eq!(study["links"][0]["valence"], "positive");
    let text = study.to_string();
    for name in
        ["Observation", "JobCentre", "Participant", "Speech", "AnyOf", "Positive", "\"List\"", "Number"]
    {
        assert!(!text.contains(name), "{name} in {text}");
    }
}

/// Case ZQX, interviewed with caseworker KWM from a transcript file that
/// names the person; a correction, a draft, a narrative by Birgitte, an
/// effort and a link.
fn named_study(store: &Path) {
    let study = Store::open_or_create(store).unwrap();
    let case = Case::new(CaseCode::parse("ZQX").unwrap(), vec![], at(0));
    let speakers =
        vec![Speaker::parse("1=ZQX:participant", 1).unwrap(), Speaker::parse("2=KWM:caseworker", 2).unwrap()];
    let mut session = Session::new(case.id, SessionKind::Interview, 1, "home", speakers, at(0));
    session.notes = "imported from /home/felt/ZQX_Hansen_interview.txt".into();
    let line = |seq: u32, speaker: &str, text: &str| Utterance {
        session: session.id,
        seq,
        speaker: speaker.into(),
        kind: UtteranceKind::Speech,
        text: text.into(),
        onset: at(i64::from(seq)),
        committed: at(i64::from(seq)),
        elapsed_ms: i64::from(seq) * 1000,
        mark: None,
        deleted: false,
    };
    let narrative = Narrative {
        id: Id::new(),
        session: session.id,
        first_seq: 1,
        last_seq: 2,
        title: "Tænderne".into(),
        codes: vec![],
        memo: String::new(),
        author: "Birgitte".into(),
        created: at(900),
        updated: at(900),
        deleted: false,
    };
    let changes = vec![
        Change::Case(case.clone()),
        Change::Session(session.clone()),
        Change::Utterance(line(1, "ZQX", "Tænderne var et problem")),
        Change::Utterance(line(2, "KWM", "Velkommen")),
        Change::Revision(Revision {
            session: session.id,
            seq: 2,
            speaker: "KWM".into(),
            text: "Velkomen".into(),
            replaced: at(5),
        }),
        Change::Draft(Draft {
            session: session.id,
            speaker: "ZQX".into(),
            text: "og så".into(),
            onset: Some(at(6)),
            onset_elapsed_ms: 6000,
        }),
        Change::Link(Link {
            id: Id::new(),
            case_id: case.id,
            chain: vec!["tandlæge".into(), "job".into()],
            valence: Valence::Positive,
            narratives: vec![narrative.id],
            created: at(950),
        }),
        Change::Narrative(narrative),
    ];
    study.commit(&changes).unwrap();
}

#[test]
fn pseudonymised_json_names_no_case_speaker_author_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    named_study(&store);
    let map = dir.path().join("map.txt");
    std::fs::write(&map, "ZQX=P01\nKWM=S01\nBirgitte=R1\n").unwrap();
    let map = map.to_str().unwrap();
    // The words as said: the study before pseudonyms (and before masking, which would stop at the file name).
    let plain = ok(&store, &["export", "--format", "json", "--unmasked"]);
    let out = dir.path().join("study.json");
    ok(&store, &["export", "--format", "json", "--pseudonymise", map, "--output", out.to_str().unwrap()]);
    let file = std::fs::read_to_string(&out).unwrap();
    let printed = ok(&store, &["export", "--format", "json", "--pseudonymise", map]);
    assert_eq!(file, printed);
    for name in ["ZQX", "KWM", "Birgitte", "Hansen", "felt", ".txt"] {
        assert!(plain.contains(name), "the study names {name} before pseudonymising");
        assert!(!file.contains(name), "{name} is still in\n{file}");
    }
    let study: Value = serde_json::from_str(&file).unwrap();
    let session = &study["sessions"][0];
    assert_eq!((&study["cases"][0]["code"], &session["case"]), (&"P01".into(), &"P01".into()));
    assert_eq!(session["session"]["speakers"][1]["label"], "S01");
    assert_eq!(
        (&session["revisions"][0]["speaker"], &session["draft"]["speaker"]),
        (&"S01".into(), &"P01".into())
    );
    assert_eq!(study["narratives"][0]["author"], "R1");
    assert_eq!(session["session"]["notes"], fieldlog::export::pseudonyms::LEFT_OUT_FILE);
}
