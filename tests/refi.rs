//! REFI-QDA exchange from the command line, on a temporary store: what a
//! `.qdpx` must hold for QualCoder, NVivo, ATLAS.ti and MAXQDA to bring a
//! study in whole, and the codebook's `.qdc` round trip.

mod support;

use quick_xml::events::Event;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use support::{fieldlog, made, ok};

/// One element of a document: its name, attributes, text and the names of the elements around it.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: HashMap<String, String>,
    text: String,
    parents: Vec<String>,
}

fn elements(xml: &str) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut all, mut open): (Vec<Element>, Vec<usize>) = (Vec::new(), Vec::new());
    loop {
        let event = reader.read_event().unwrap();
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let value = a.normalized_value(quick_xml::XmlVersion::default()).unwrap();
                        (a.key.local_name().as_ref().to_string(), value.into_owned())
                    })
                    .collect();
                let parents = open.iter().map(|i: &usize| all[*i].name.clone()).collect();
                all.push(Element {
                    name: e.local_name().as_ref().to_string(),
                    attributes,
                    text: String::new(),
                    parents,
                });
                if matches!(event, Event::Start(_)) {
                    open.push(all.len() - 1);
                }
            }
            Event::Text(t) => {
                if let Some(i) = open.last() {
                    all[*i].text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(i) = open.last() {
                    let entity = format!("&{};", r.xml10_content());
                    all[*i].text.push_str(&quick_xml::escape::unescape(&entity).unwrap());
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    all
}

fn named<'a>(all: &'a [Element], name: &str) -> Vec<&'a Element> {
    all.iter().filter(|e| e.name == name).collect()
}

fn project_qde(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name("project.qde").unwrap().read_to_string(&mut text).unwrap();
    text
}

/// A case with typed variables, two sessions on one day, a code name in two
/// groups, a narrative with a memo and one with no code. Gives the store and the sessions.
fn study(dir: &Path) -> (std::path::PathBuf, String, String) {
    let store = dir.join("study");
    made(&store, &["case", "add", "AA"]);
    std::fs::write(
        dir.join("worth.toml"),
        "[[group]]\nname = \"self-worth\"\nkind = \"scale\"\n[[group.code]]\nname = \"low\"\n",
    )
    .unwrap();
    ok(&store, &["codebook", "import", dir.join("worth.toml").to_str().unwrap()]);
    ok(&store, &["variable", "add", "age", "--kind", "number"]);
    ok(&store, &["variable", "add", "first contact", "--kind", "date"]);
    ok(&store, &["case", "add", "AA", "--attr", "age=34", "--attr", "first contact=2026-03-02"]);
    let folder = dir.join("Mette Hansen");
    std::fs::create_dir(&folder).unwrap();
    let transcript = folder.join("interview.txt");
    std::fs::write(
        &transcript,
        "I: Hvor står du nu?\nAA: Ikke så godt, e\u{301}n dag ad gangen.\nI: Og så?\n",
    )
    .unwrap();
    let path = transcript.to_str().unwrap();
    let first =
        ok(&store, &["import", "transcript", path, "--case", "AA", "--kind", "interview"]).trim().to_string();
    let second =
        ok(&store, &["import", "transcript", path, "--case", "AA", "--kind", "interview"]).trim().to_string();
    let add = |session: &str, extra: &[&str]| {
        let mut args = vec!["narrative", "add", "--session", session];
        args.extend_from_slice(extra);
        ok(&store, &args);
    };
    add(
        &first,
        &["--from", "2", "--to", "2", "--title", "En dag", "--code", "agency:low", "--memo", "Tøvende"],
    );
    add(&first, &["--from", "1", "--to", "3", "--title", "Hele", "--code", "self-worth:low"]);
    add(&second, &["--from", "2", "--to", "3", "--title", "Ukodet"]);
    (store, first, second)
}

#[test]
fn a_qdpx_carries_what_qualcoder_needs_to_import_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = study(dir.path());
    let out = dir.path().join("study.qdpx");
    ok(&store, &["export", "--format", "qdpx", "--output", out.to_str().unwrap()]);
    let all = elements(&project_qde(&out));

    // A date on every note, selection and coding (QualCoder's import stops without one).
    for kind in ["Note", "PlainTextSelection", "Coding"] {
        let found = named(&all, kind);
        assert!(!found.is_empty(), "no {kind}");
        for e in found {
            let when = &e.attributes["creationDateTime"];
            assert!(chrono::DateTime::parse_from_rfc3339(when).is_ok(), "{kind}: {when}");
        }
    }
    // Titles and memos as the selection's description, which QualCoder shows.
    let descriptions: Vec<&str> = all
        .iter()
        .filter(|e| {
            e.name == "Description" && e.parents.last().map(String::as_str) == Some("PlainTextSelection")
        })
        .map(|e| e.text.as_str())
        .collect();
    assert!(
        descriptions.contains(&"En dag\n\nTøvende") && descriptions.contains(&"Ukodet"),
        "{descriptions:?}"
    );
    // No two codes share a name.
    let mut names: Vec<String> = named(&all, "Code")
        .iter()
        .filter(|c| c.attributes["isCodable"] == "true")
        .map(|c| c.attributes["name"].to_lowercase())
        .collect();
    assert!(names.contains(&"agency: low".into()) && names.contains(&"self-worth: low".into()), "{names:?}");
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count, "a code name repeats");
    // Typed variables, session facts on each source, sets to filter by.
    let types: HashMap<&str, &str> = named(&all, "Variable")
        .iter()
        .map(|v| (v.attributes["name"].as_str(), v.attributes["typeOfVariable"].as_str()))
        .collect();
    assert_eq!(
        (types["age"], types["first contact"], types["contact point"]),
        ("Integer", "Date", "Integer")
    );
    for fact in ["case", "session kind", "session date", "place", "speakers"] {
        assert!(types.contains_key(fact), "no source variable {fact}: {types:?}");
    }
    let on_sources = all
        .iter()
        .filter(|e| e.name == "VariableValue" && e.parents.last().map(String::as_str) == Some("TextSource"));
    assert_eq!(on_sources.count(), 2 * 6);
    let sets: Vec<&str> = named(&all, "Set").iter().map(|s| s.attributes["name"].as_str()).collect();
    assert_eq!(sets, ["contact point 1", "interview sessions"]);
    // Two sessions of one case, kind, contact and day still have names of their own.
    let sources: Vec<&str> =
        named(&all, "TextSource").iter().map(|s| s.attributes["name"].as_str()).collect();
    assert_eq!(sources.len(), 2);
    assert_ne!(sources[0], sources[1]);
    // The transcript is named by its file alone: the folder above it named a person.
    let memos: Vec<&str> = all
        .iter()
        .filter(|e| e.name == "Description" && e.parents.last().map(String::as_str) == Some("TextSource"))
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(memos, ["imported from interview.txt"; 2]);
}

#[test]
fn cases_as_codes_code_each_session_whole_under_the_case_guid() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = study(dir.path());
    let out = dir.path().join("cases.qdpx");
    ok(&store, &["export", "--format", "qdpx", "--cases-as-codes", "--output", out.to_str().unwrap()]);
    let all = elements(&project_qde(&out));
    let case = named(&all, "Case")[0].attributes["guid"].clone();
    assert!(named(&all, "Code").iter().any(|c| c.attributes["guid"] == case));
    let refs = named(&all, "CodeRef").iter().filter(|r| r.attributes["targetGUID"] == case).count();
    assert_eq!(refs, 2, "each of the case's two sessions is coded with it");
}

#[test]
fn a_codebook_goes_to_qdc_and_back_into_a_new_study_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = study(dir.path());
    let qdc = dir.path().join("book.qdc");
    ok(&store, &["codebook", "export", "--output", qdc.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&qdc).unwrap().contains("urn:QDA-XML:codebook:1.0"));
    let fresh = dir.path().join("fresh");
    made(&fresh, &["codebook", "list"]);
    ok(&fresh, &["codebook", "import", "--replace", qdc.to_str().unwrap()]);
    assert_eq!(ok(&fresh, &["codebook", "list"]), ok(&store, &["codebook", "list"]));
    // The format can be asked for whatever the file is called.
    let named_oddly = dir.path().join("book.xml");
    ok(&store, &["codebook", "export", "--format", "qdc", "--output", named_oddly.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&named_oddly).unwrap().starts_with("<?xml"));
}

#[test]
fn a_damaged_qdc_is_refused_in_one_sentence_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = study(dir.path());
    let before = ok(&store, &["codebook", "list"]);
    let bad = dir.path().join("bad.qdc");
    std::fs::write(
        &bad,
        "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">\n<Codes>\n<Code name=\"x\">\n</CodeBook>\n",
    )
    .unwrap();
    let out = fieldlog(&store, &["codebook", "import", bad.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("bad.qdc:4") && said.contains("not well-formed XML"), "{said}");
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert_eq!(ok(&store, &["codebook", "list"]), before);
    let wrong = dir.path().join("format.toml");
    let out =
        fieldlog(&store, &["codebook", "export", "--format", "nvivo", "--output", wrong.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("use toml or qdc"));
    assert!(!wrong.exists());
}
