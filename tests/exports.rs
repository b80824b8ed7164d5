//! Exports of a small fixed study, checked in full and read back the way
//! the tools that import them do.

use chrono::{DateTime, Duration, FixedOffset};
use fieldlog::domain::*;
use fieldlog::export::eaf;
use fieldlog::export::tables::Table;
use fieldlog::store::{Change, Store};
use std::io::Read;

fn at(seconds: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap() + Duration::seconds(seconds)
}

const LINES: [(&str, &str); 4] = [
    ("I", "Hvor står du nu i forhold til arbejde?"),
    ("AA", "Dårlige tænder er mit andet kæmpeproblem 👨‍👩‍👧"),
    ("AA", "Men cafe\u{301}en gav mig en chance & et <håb>"),
    ("I", "Hvad skete der så?"),
];

/// One case, one interview with a recording started 30 s in, one narrative over lines 2–3.
fn study() -> (tempfile::TempDir, Store, Session, Vec<Utterance>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(&dir.path().join("study")).unwrap();
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![("site".into(), "Nord".into())], at(0));
    store.add_case(&case).unwrap();
    let session = Session {
        id: Id::new(),
        case_id: case.id,
        kind: SessionKind::Interview,
        contact_point: 1,
        place: Place::Home,
        place_text: String::new(),
        speakers: session::default_speakers(SessionKind::Interview, &case.code),
        clock: SessionClock::start(at(0)),
        ended: Some(at(600)),
        recording_started: Some(at(30)),
        themes_ticked: vec![],
        notes: String::new(),
    };
    let lines: Vec<Utterance> = LINES
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| Utterance {
            session: session.id,
            seq: i as u32 + 1,
            speaker: speaker.to_string(),
            kind: UtteranceKind::Speech,
            text: text.to_string(),
            onset: at(40 + 15 * i as i64),
            committed: at(45 + 15 * i as i64),
            elapsed_ms: (40 + 15 * i as i64) * 1000,
            mark: None,
            deleted: false,
        })
        .collect();
    let book = store.codebook().unwrap();
    let narrative = Narrative {
        id: Id::new(),
        session: session.id,
        first_seq: 2,
        last_seq: 3,
        title: "Tænderne & chancen".into(),
        codes: vec![book.find("forward-looking").unwrap(), book.find("agency:high").unwrap()],
        memo: "Vendepunkt".into(),
        author: "anna".into(),
        created: at(900),
        updated: at(900),
        deleted: false,
    };
    let mut changes = vec![Change::Session(session.clone()), Change::Narrative(narrative)];
    changes.extend(lines.iter().cloned().map(Change::Utterance));
    store.commit(&changes).unwrap();
    (dir, store, session, lines)
}

/// GUIDs differ between runs: number them in order of first appearance.
fn normalise_guids(text: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_hexdigit()) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let candidate =
            rest.get(..36).filter(|c| uuid::Uuid::parse_str(c).is_ok() && c.as_bytes()[8] == b'-');
        match candidate {
            Some(guid) => {
                let n = seen.iter().position(|g| g == guid).unwrap_or_else(|| {
                    seen.push(guid.to_string());
                    seen.len() - 1
                });
                out.push_str(&format!("guid-{n}"));
                rest = &rest[36..];
            }
            None => {
                let c = rest.chars().next().unwrap();
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An export through the same path as the command line's, masked with the
/// study's (empty) list and its leak check left out: the words as they are.
fn exported(store: &Store, format: &str, name: &str, bom: bool) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join(name);
    let options = fieldlog::export::Options { bom, allow_leaks: true, ..Default::default() };
    fieldlog::export::write(store, format, Default::default(), &output, at(10_000), None, &options).unwrap();
    (dir, output)
}

fn qdpx_bytes(store: &Store) -> Vec<u8> {
    let (_dir, output) = exported(store, "qdpx", "studie.qdpx", false);
    std::fs::read(output).unwrap()
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().unwrap().to_string(), text)
        })
        .collect()
}

/// The value of `name="…"` in `element`.
fn attribute<'a>(element: &'a str, name: &str) -> &'a str {
    let start = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    &element[start..start + element[start..].find('"').unwrap()]
}

#[test]
fn a_narrative_in_the_qdpx_selects_exactly_its_lines() {
    let (_dir, store, session, _) = study();
    let files = unzip(&qdpx_bytes(&store));
    assert_eq!(files[0].0, "project.qde");
    assert_eq!(files[1].0, format!("sources/{}.txt", session.id));
    let project = &files[0].1;
    let selection = project.split("<PlainTextSelection").nth(1).unwrap();
    let start: usize = attribute(selection, "startPosition").parse().unwrap();
    let end: usize = attribute(selection, "endPosition").parse().unwrap();
    let text: Vec<char> = files[1].1.chars().collect();
    let selected: String = text[start..end].iter().collect();
    // The source text is NFC: the typed `e` + combining accent is written `é`.
    let nfc = |t: &str| t.replace("e\u{301}", "é");
    assert_eq!(selected, format!("{}\nAA: {}", nfc(LINES[1].1), nfc(LINES[2].1)));
    insta::assert_snapshot!("qdpx_project", normalise_guids(project));
    insta::assert_snapshot!("qdpx_source", files[1].1);
}

#[test]
fn exports_of_the_same_study_are_the_same_bytes() {
    let (_dir, store, session, lines) = study();
    assert_eq!(qdpx_bytes(&store), qdpx_bytes(&store));
    let when = at(10_000);
    let (narratives, book) = (store.narratives().unwrap(), store.codebook().unwrap());
    let eaf = || eaf::session_eaf(&session, &lines, &narratives, &book, None, when);
    assert_eq!(eaf(), eaf());
}

#[test]
fn the_eaf_has_a_tier_per_speaker_on_recording_time() {
    let (_dir, store, session, lines) = study();
    let (narratives, book) = (store.narratives().unwrap(), store.codebook().unwrap());
    let document = eaf::session_eaf(&session, &lines, &narratives, &book, None, at(10_000));
    // Lines begin 40, 55, 70, 85 s into the session; the recording began 30 s in.
    assert!(
        document.contains("TIME_VALUE=\"10000\"") && document.contains("TIME_VALUE=\"55000\""),
        "{document}"
    );
    insta::assert_snapshot!("eaf_session", normalise_guids(&document));
}

/// What the export functions take: cases, sessions with their lines, narratives, codebook.
type Selection = (Vec<Case>, Vec<(Session, Vec<Utterance>)>, Vec<Narrative>, Codebook);

fn selection(store: &Store) -> Selection {
    let sessions = store
        .sessions()
        .unwrap()
        .into_iter()
        .map(|s| {
            let l = store.utterances(s.id).unwrap();
            (s, l)
        })
        .collect();
    (store.cases().unwrap(), sessions, store.narratives().unwrap(), store.codebook().unwrap())
}

#[test]
fn csv_markdown_and_json_of_the_fixed_study_are_checked_in_full() {
    let (_dir, store, _, _) = study();
    let (cases, sessions, narratives, codebook) = selection(&store);
    let (_out, folder) = exported(&store, "csv", "tables", false);
    let file = |table: Table| std::fs::read_to_string(folder.join(table.file())).unwrap();
    insta::assert_snapshot!("csv_utterances", normalise_guids(&file(Table::Lines)));
    insta::assert_snapshot!("csv_narratives", normalise_guids(&file(Table::Narratives)));
    let doc = fieldlog::export::markdown::transcripts("Case AA", &cases, &sessions, &narratives, &codebook);
    insta::assert_snapshot!("markdown_transcript", fieldlog::export::document::markdown(&doc));
    let json = fieldlog::export::json::to_string(
        &fieldlog::export::json::build(&store, Default::default()).unwrap(),
    );
    insta::assert_snapshot!("json_study", normalise_guids(&json));
}
