//! Exports from the command line, of a session whose recording was started
//! after its first lines: ELAN documents, JSON, and pseudonymised JSON.

mod support;

use chrono::{DateTime, Duration, FixedOffset};
use fieldlog::domain::*;
use fieldlog::store::{Change, Store};
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
