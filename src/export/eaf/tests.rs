//! The ELAN document of a small session with every kind of line, a recording
//! started after the first two lines, and overlapping, nested, coded,
//! deleted and unplaceable narratives.

use super::*;
use crate::domain::{session::default_speakers, CaseCode, Id, Role, SessionClock, SessionKind, Speaker};
use chrono::Duration;
use quick_xml::events::Event;
use std::path::Path;

fn at(seconds: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap() + Duration::seconds(seconds)
}

fn session(recording: Option<i64>) -> Session {
    let mut speakers = default_speakers(SessionKind::Observation, &CaseCode::parse("AA").unwrap());
    speakers.push(Speaker { key: 3, label: "MK".into(), role: Role::JobConsultant });
    Session {
        id: Id::named("session"),
        case_id: Id::named("case"),
        kind: SessionKind::Observation,
        contact_point: 1,
        place: crate::domain::Place::JobCentre,
        place_text: String::new(),
        speakers,
        clock: SessionClock::start(at(0)),
        ended: Some(at(600)),
        recording_started: recording.map(at),
        themes_ticked: vec![],
        notes: String::new(),
    }
}

/// Line `seq` at `seconds` into the session.
fn line(seq: u32, speaker: &str, kind: UtteranceKind, text: &str, seconds: i64) -> Utterance {
    Utterance {
        session: Id::named("session"),
        seq,
        speaker: speaker.into(),
        kind,
        text: text.into(),
        onset: at(seconds),
        committed: at(seconds + 2),
        elapsed_ms: seconds * 1000,
        mark: None,
        deleted: false,
    }
}

fn lines() -> Vec<Utterance> {
    use UtteranceKind::*;
    let mut gone = line(9, "CW", Speech, "slettet linje", 85);
    gone.deleted = true;
    vec![
        line(1, "AA", Speech, "Før optagelsen", 10),
        line(2, "CW", Speech, "Skal vi starte?", 20),
        line(3, "CW", Speech, "Velkommen", 40),
        line(4, "", Pause, "8", 50),
        line(5, "AA", Speech, "Tja <og> & \"så\" 'nu'\u{7}", 60),
        line(6, "", Note, "smiler", 65),
        line(7, "AA", Event, "rækker papiret frem", 70),
        line(8, "MK", Speech, "Godt", 80),
        gone,
    ]
}

fn narrative(title: &str, span: (u32, u32), codes: &[&str], book: &Codebook) -> Narrative {
    Narrative {
        id: Id::named(title),
        session: Id::named("session"),
        first_seq: span.0,
        last_seq: span.1,
        title: title.into(),
        codes: codes.iter().map(|c| book.find(c).unwrap()).collect(),
        memo: String::new(),
        author: "anna".into(),
        created: at(900),
        updated: at(900),
        deleted: false,
    }
}

fn narratives(book: &Codebook) -> Vec<Narrative> {
    let mut deleted = narrative("Slettet", (3, 3), &[], book);
    deleted.deleted = true;
    vec![
        narrative("Velkomst", (3, 5), &["forward-looking", "course", "contexts"], book),
        narrative("Papiret", (5, 8), &["agency:high"], book),
        narrative("Tja", (5, 5), &["T1"], book),
        narrative("Før optagelsen", (1, 2), &["T2"], book),
        deleted,
    ]
}

fn document(recording: Option<i64>, media: Option<&Media>) -> String {
    let book = Codebook::default_frame();
    session_eaf(&session(recording), &lines(), &narratives(&book), &book, media, at(1000))
}

/// The opening tag of tier `id` and everything in it.
fn tier<'a>(document: &'a str, id: &str) -> &'a str {
    let start = document.find(&format!("TIER_ID=\"{id}\"")).unwrap_or_else(|| panic!("no tier {id}"));
    let start = document[..start].rfind("<TIER ").unwrap();
    let rest = &document[start..];
    let end = rest[1..].find("<TIER ").or_else(|| rest.find("<LINGUISTIC_TYPE")).unwrap();
    &rest[..end]
}

/// The milliseconds of time slot `id`.
fn slot(document: &str, id: &str) -> i64 {
    let key = format!("TIME_SLOT_ID=\"{id}\" TIME_VALUE=\"");
    let start = document.find(&key).unwrap() + key.len();
    document[start..start + document[start..].find('"').unwrap()].parse().unwrap()
}

/// Start and end of the annotation whose value is `value`.
fn times(document: &str, value: &str) -> (i64, i64) {
    let at = document.find(&format!("<ANNOTATION_VALUE>{value}<")).unwrap_or_else(|| panic!("no {value}"));
    let element = &document[document[..at].rfind("<ALIGNABLE_ANNOTATION").unwrap()..at];
    let reference = |name: &str| {
        let start = element.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        element[start..start + element[start..].find('"').unwrap()].to_string()
    };
    (slot(document, &reference("TIME_SLOT_REF1")), slot(document, &reference("TIME_SLOT_REF2")))
}

#[test]
fn lines_typed_before_the_recording_are_left_out_and_the_document_says_so() {
    let doc = document(Some(30), None);
    assert!(!doc.contains("Før optagelsen<") && !doc.contains("Skal vi starte"), "{doc}");
    assert!(!doc.contains("TIME_VALUE=\"0\""), "{doc}");
    assert!(doc.contains(
        "<PROPERTY NAME=\"left out\">2 lines typed before the recording started (lines 1-2) have no time in it \
         and are not in this document, nor is the narrative that lies wholly among them</PROPERTY>"
    ));
    // The first line after it is 10 s into the recording.
    assert_eq!(times(&doc, "Velkommen"), (10_000, 20_000));
}

#[test]
fn without_a_recording_every_line_is_on_the_session_clock() {
    let doc = document(None, None);
    assert_eq!(times(&doc, "Før optagelsen"), (10_000, 20_000));
    assert!(!doc.contains("left out"));
    assert!(doc.contains("<PROPERTY NAME=\"time line\">milliseconds of the session clock"));
}

#[test]
fn every_speaker_tier_names_its_participant_and_role() {
    let doc = document(Some(30), None);
    for (label, role) in [("AA", "participant"), ("CW", "caseworker"), ("MK", "job-consultant")] {
        let opening =
            format!("<TIER LINGUISTIC_TYPE_REF=\"role: {role}\" PARTICIPANT=\"{label}\" TIER_ID=\"{label}\"");
        assert!(doc.contains(&opening), "{opening}\n{doc}");
        assert!(doc.contains(&format!("LINGUISTIC_TYPE_ID=\"role: {role}\" TIME_ALIGNABLE=\"true\"")));
    }
    assert!(tier(&doc, "AA").contains("[rækker papiret frem]"));
    assert!(tier(&doc, "MK").contains("Godt"));
    assert!(!doc.contains("slettet linje"));
}

#[test]
fn pauses_are_on_their_own_tier_and_talk_runs_on_past_a_note() {
    let doc = document(Some(30), None);
    assert!(tier(&doc, PAUSES_TIER).contains("<ANNOTATION_VALUE>(pause 8 s)</ANNOTATION_VALUE>"));
    assert_eq!(times(&doc, "(pause 8 s)"), (20_000, 30_000));
    assert!(tier(&doc, NOTES_TIER).contains("smiler"));
    // Line 5 lasts until the event at 70 s, not until the note at 65 s.
    assert_eq!(times(&doc, "smiler"), (35_000, 40_000));
    assert_eq!(times(&doc, "[rækker papiret frem]").0, 40_000);
}

#[test]
fn overlapping_narratives_go_on_tiers_of_their_own_with_their_codes() {
    let doc = document(Some(30), None);
    // Velkomst (lines 3-5) and Papiret (5-8) overlap on line 5; Tja (5) lies inside both.
    let first = tier(&doc, NARRATIVES_TIER);
    assert!(first.contains("Velkomst") && !first.contains("Papiret") && !first.contains("Tja"), "{first}");
    assert!(tier(&doc, "narratives 2").contains("Papiret"));
    assert!(tier(&doc, "narratives 3").contains("Tja"));
    assert_eq!(times(&doc, "Velkomst"), (10_000, 40_000));
    assert_eq!(times(&doc, "Papiret"), (30_000, 52_000));
    assert!(!doc.contains("Slettet") && !doc.contains("Før optagelsen"));

    // Codes: one-of and scale groups take one code per narrative, any-of several, in order.
    let focus = tier(&doc, "narratives: analytic focus");
    assert!(focus.contains("LINGUISTIC_TYPE_REF=\"codes: analytic focus\" PARENT_REF=\"narratives\""));
    let course = focus.find(">course<").unwrap();
    let contexts = focus.find(">contexts<").unwrap();
    assert!(course < contexts && focus[course..].contains("PREVIOUS_ANNOTATION"), "{focus}");
    assert!(tier(&doc, "narratives: time orientation").contains(">forward-looking<"));
    assert!(tier(&doc, "narratives 2: agency").contains(">high<"));
    assert!(tier(&doc, "narratives 3: interview theme").contains(">T1<"));
    assert!(doc.contains(
        "LINGUISTIC_TYPE_ID=\"codes: analytic focus\" TIME_ALIGNABLE=\"false\" CONSTRAINTS=\"Symbolic_Subdivision\" CONTROLLED_VOCABULARY_REF=\"analytic focus\""
    ));
    assert!(doc.contains("CONSTRAINTS=\"Symbolic_Association\" CONTROLLED_VOCABULARY_REF=\"agency\""));
    assert!(doc.contains("<CONTROLLED_VOCABULARY CV_ID=\"agency\">"));
    assert!(doc.contains("LANG_REF=\"und\">high</CVE_VALUE>"));
}

#[test]
fn a_session_without_narratives_still_has_the_tiers_to_code_in() {
    let book = Codebook::default_frame();
    let doc = session_eaf(&session(None), &lines(), &[], &book, None, at(1000));
    assert!(doc.contains("<TIER LINGUISTIC_TYPE_REF=\"narrative\" TIER_ID=\"narratives\"/>"));
    assert!(doc.contains("TIER_ID=\"narratives: force\"/>"));
    assert!(!doc.contains("narratives 2"));
}

#[test]
fn the_media_descriptor_is_there_only_when_the_recording_is_known() {
    let media = Media {
        url: "file:///data/m%C3%B8de.wav".into(),
        relative_url: Some("./m%C3%B8de.wav".into()),
        mime_type: "audio/x-wav",
    };
    let doc = document(Some(30), Some(&media));
    assert!(doc.contains(
        "<HEADER MEDIA_FILE=\"\" TIME_UNITS=\"milliseconds\">\n        <MEDIA_DESCRIPTOR MEDIA_URL=\"file:///data/m%C3%B8de.wav\" MIME_TYPE=\"audio/x-wav\" RELATIVE_MEDIA_URL=\"./m%C3%B8de.wav\"/>"
    ), "{doc}");
    assert!(!document(Some(30), None).contains("MEDIA_DESCRIPTOR"));
}

#[test]
fn media_are_linked_by_url_and_by_the_way_from_the_document() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lyd")).unwrap();
    let file = dir.path().join("lyd").join("møde 1.WAV");
    std::fs::write(&file, b"RIFF").unwrap();
    std::fs::create_dir(dir.path().join("eaf")).unwrap();
    let media = Media::for_file(&file, &dir.path().join("eaf").join("x.eaf")).unwrap();
    assert_eq!(media.mime_type, "audio/x-wav");
    assert!(
        media.url.starts_with("file:///") && media.url.ends_with("/lyd/m%C3%B8de%201.WAV"),
        "{}",
        media.url
    );
    assert_eq!(media.relative_url.as_deref(), Some("../lyd/m%C3%B8de%201.WAV"));
    let beside = Media::for_file(&file, &dir.path().join("lyd").join("x.eaf")).unwrap();
    assert_eq!(beside.relative_url.as_deref(), Some("./m%C3%B8de%201.WAV"));
    let error = Media::for_file(&dir.path().join("notes.txt"), Path::new("x.eaf")).unwrap_err();
    assert!(error.contains("no recording ELAN plays") && error.contains(".wav"), "{error}");
    let error = Media::for_file(&dir.path().join("gone.mp3"), Path::new("x.eaf")).unwrap_err();
    assert!(error.contains("cannot find the recording"), "{error}");
}

#[test]
fn hostile_text_stays_text() {
    let doc = document(Some(30), None);
    assert!(
        doc.contains(
            "<ANNOTATION_VALUE>Tja &lt;og&gt; &amp; &quot;så&quot; &apos;nu&apos;</ANNOTATION_VALUE>"
        ),
        "{doc}"
    );
    let mut reader = quick_xml::Reader::from_str(&doc);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
}

#[test]
fn lines_that_share_a_time_share_the_time_until_the_next() {
    use UtteranceKind::Speech;
    let lines = vec![
        line(1, "AA", Speech, "en", 10),
        line(2, "AA", Speech, "to", 10),
        line(3, "AA", Speech, "tre", 10),
        line(4, "CW", Speech, "fire", 13),
    ];
    let doc = session_eaf(&session(None), &lines, &[], &Codebook::default_frame(), None, at(1000));
    assert_eq!(times(&doc, "en"), (10_000, 11_000));
    assert_eq!(times(&doc, "to"), (11_000, 12_000));
    assert_eq!(times(&doc, "tre"), (12_000, 13_000));
    assert_eq!(times(&doc, "fire"), (13_000, 15_000));
}

#[test]
fn line_numbers_read_as_ranges() {
    assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
    assert_eq!(ranges(&[4]), "4");
}
