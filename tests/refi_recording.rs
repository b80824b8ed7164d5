//! A session's recording in a `.qdpx`: an AudioSource whose transcript is
//! the session's text with a sync point per timed line, beside the text
//! source, which stays as it was. Masked: linked where it is; unmasked:
//! carried inside; sealed and masked: not linked, and the export says why.

mod support;

use quick_xml::events::Event;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use support::{fieldlog, made, ok};
use unicode_normalization::UnicodeNormalization;

/// An element's name, attributes and the name of the element it is in.
type Element = (String, HashMap<String, String>, String);

fn elements(xml: &str) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut all, mut open) = (Vec::new(), vec![String::new()]);
    loop {
        match reader.read_event().unwrap() {
            event @ (Event::Start(_) | Event::Empty(_)) => {
                let (Event::Start(e) | Event::Empty(e)) = &event else { unreachable!() };
                let name = e.local_name().as_ref().to_string();
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let value = a.normalized_value(quick_xml::XmlVersion::default()).unwrap();
                        (a.key.local_name().as_ref().to_string(), value.into_owned())
                    })
                    .collect();
                all.push((name.clone(), attributes, open.last().unwrap().clone()));
                if matches!(event, Event::Start(_)) {
                    open.push(name);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => return all,
            _ => {}
        }
    }
}

fn member(qdpx: &Path, name: &str) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(qdpx).unwrap()).unwrap();
    let mut file = zip.by_name(name).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    Some(bytes)
}

fn project(qdpx: &Path) -> String {
    String::from_utf8(member(qdpx, "project.qde").unwrap()).unwrap()
}

fn markers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/markers.m4a")
}

/// A case with two imported interviews (times in the text), a narrative in
/// each; gives the store and the two sessions' ids.
fn study(dir: &Path) -> (PathBuf, String, String) {
    let store = dir.join("study");
    made(&store, &["case", "add", "AA"]);
    ok(&store, &["case", "add", "AA"]);
    let transcript = dir.join("t.txt");
    std::fs::write(
        &transcript,
        [
            "I: Hvor står du nu? [00:00:04]",
            "AA: Dårlige tænder og e\u{301}n café",
            "og så videre [00:00:09]",
            "I: Og praktikken? #00:00:15-5#",
            "AA: Jeg vil gerne.\n",
        ]
        .join("\n"),
    )
    .unwrap();
    let import = || {
        let path = transcript.to_str().unwrap();
        ok(&store, &["import", "transcript", path, "--case", "AA", "--kind", "interview"]).trim().to_string()
    };
    let (first, second) = (import(), import());
    for session in [&first, &second] {
        ok(
            &store,
            &[
                "narrative",
                "add",
                "--session",
                session,
                "--from",
                "2",
                "--to",
                "3",
                "--title",
                "Tænder",
                "--code",
                "T1",
            ],
        );
    }
    (store, first, second)
}

fn export(store: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["export", "--format", "qdpx", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let done = fieldlog(store, &args);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    String::from_utf8(done.stderr).unwrap()
}

#[test]
fn a_recorded_session_gets_an_audio_source_with_a_sync_point_per_timed_line() {
    let dir = tempfile::tempdir().unwrap();
    let (store, first, _) = study(dir.path());
    std::fs::create_dir_all(dir.path().join("before")).unwrap();
    export(&store, &dir.path().join("before/study.qdpx"), &[]);
    ok(&store, &["session", "attach", &first, markers().to_str().unwrap(), "--offset", "-2"]);
    let out = dir.path().join("study.qdpx");
    export(&store, &out, &[]);
    let (before, after) = (project(&dir.path().join("before/study.qdpx")), project(&out));

    // Everything else is as it was: the recording only adds its AudioSource.
    let start = after.find("  <AudioSource").expect("an AudioSource");
    let end = after.find("</AudioSource>\n").unwrap() + "</AudioSource>\n".len();
    assert_eq!(format!("{}{}", &after[..start], &after[end..]), before);

    let all = elements(&after);
    let audio: Vec<&Element> = all.iter().filter(|(name, _, _)| name == "AudioSource").collect();
    assert_eq!(audio.len(), 1, "only the recorded session has one");
    // The schema's order: every text source, then the audio; in it, its
    // description, then the transcript with its sync points.
    let sources: Vec<&str> = all.iter().filter(|e| e.2 == "Sources").map(|e| e.0.as_str()).collect();
    assert_eq!(sources, ["TextSource", "TextSource", "AudioSource"]);
    let inside: Vec<&str> = all.iter().filter(|e| e.2 == "AudioSource").map(|e| e.0.as_str()).collect();
    assert_eq!(inside, ["Description", "Transcript"]);
    let transcript = all.iter().find(|e| e.0 == "Transcript").unwrap();
    assert_eq!(
        transcript.1["plainTextPath"],
        format!("internal://{first}.txt"),
        "the text source's own text"
    );
    for attribute in ["guid", "name", "creatingUser", "creationDateTime"] {
        assert!(transcript.1.contains_key(attribute), "QualCoder needs the transcript's {attribute}");
    }
    let path = &audio[0].1["path"];
    let kept = store.join("recordings").join(format!("{first}.m4a")).canonicalize().unwrap();
    assert_eq!(path, &format!("absolute://{}", kept.display()), "masked: linked where the study keeps it");
    assert!(
        member(&out, &format!("sources/{}.m4a", audio[0].1["guid"])).is_none(),
        "no voices in a masked export"
    );

    // A sync point per line, where the line begins, at its time in the recording.
    let text: Vec<char> =
        String::from_utf8(member(&out, &format!("sources/{first}.txt")).unwrap()).unwrap().chars().collect();
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&store, &["session", "show", &first, "--json"])).unwrap();
    let lines = shown["utterances"].as_array().unwrap();
    let points: Vec<(usize, i64)> = all
        .iter()
        .filter(|e| e.0 == "SyncPoint" && e.2 == "Transcript")
        .map(|e| (e.1["position"].parse().unwrap(), e.1["timeStamp"].parse().unwrap()))
        .collect();
    assert_eq!(points.len(), lines.len());
    for ((position, ms), line) in points.iter().zip(lines) {
        let said = format!("{}: {}", line["speaker"].as_str().unwrap(), line["text"].as_str().unwrap());
        let said: String = said.nfc().collect(); // as the source text is written
        let here: String = text[*position..].iter().take(said.chars().count()).collect();
        assert_eq!(here, said, "the sync point at {position} begins its line");
        assert_eq!(Some(*ms), line["recording_ms"].as_i64(), "{said}");
    }
    // [00:00:04] and #00:00:15-5#, in a recording begun 2 s before the session.
    assert_eq!((points[0].1, points[2].1), (6_000, 17_500));
}

#[test]
fn an_unmasked_qdpx_carries_the_recording_and_a_masked_one_of_a_sealed_recording_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let (store, first, _) = study(dir.path());
    ok(&store, &["session", "attach", &first, markers().to_str().unwrap()]);
    let out = dir.path().join("raw.qdpx");
    export(&store, &out, &["--unmasked"]);
    let all = elements(&project(&out));
    let audio = all.iter().find(|e| e.0 == "AudioSource").unwrap();
    let guid = &audio.1["guid"];
    assert_eq!(audio.1["path"], format!("internal://{guid}.m4a"));
    assert_eq!(member(&out, &format!("sources/{guid}.m4a")).unwrap(), std::fs::read(markers()).unwrap());

    // Sealed in an encrypted study: a masked export cannot point at the sound.
    let sealed = dir.path().join("sealed");
    let phrase = "correct horse battery staple";
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .arg("--store")
            .arg(&sealed)
            .args(args)
            .env("FIELDLOG_PASSPHRASE", phrase)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    run(&["init", "--encrypt"]);
    run(&["case", "add", "P01"]);
    let session = run(&["session", "start", "--case", "P01", "--kind", "interview"]).0.trim().to_string();
    run(&["session", "attach", &session, markers().to_str().unwrap()]);
    let masked = dir.path().join("masked.qdpx");
    let said = run(&["export", "--format", "qdpx", "--plaintext", "--output", masked.to_str().unwrap()]).1;
    assert!(
        said.contains("is sealed in the encrypted study, so the masked project does not link it"),
        "{said}"
    );
    assert!(!project(&masked).contains("<AudioSource"));
    let raw = dir.path().join("sealed-raw.qdpx");
    run(&["export", "--format", "qdpx", "--unmasked", "--plaintext", "--output", raw.to_str().unwrap()]);
    let all = elements(&project(&raw));
    let guid = &all.iter().find(|e| e.0 == "AudioSource").unwrap().1["guid"];
    let carried = member(&raw, &format!("sources/{guid}.m4a")).unwrap();
    assert_eq!(carried, std::fs::read(markers()).unwrap(), "carried unsealed");
}
