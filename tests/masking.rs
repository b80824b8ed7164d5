//! Masking from the command line, on a temporary store: a study with
//! planted identifiers in every kind of text, exported in every format,
//! must hold none of them; the leak check refuses what slips through.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use support::{fieldlog, made, ok};

/// Every byte an export wrote, zip members unpacked, as text.
fn all_text(path: &Path) -> String {
    let mut out = String::new();
    let files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path).unwrap().map(|e| e.unwrap().path()).collect()
    } else {
        vec![path.to_path_buf()]
    };
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        if bytes.starts_with(b"PK\x03\x04") {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..zip.len() {
                let mut member = String::new();
                zip.by_index(i).unwrap().read_to_string(&mut member).unwrap();
                out.push_str(&member);
            }
        } else {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

/// Every export format, with the file (or folder) it is written to.
const FORMATS: [(&str, &str); 6] = [
    ("json", "s.json"),
    ("csv", "csv"),
    ("xlsx", "s.xlsx"),
    ("markdown", "s.md"),
    ("qdpx", "s.qdpx"),
    ("eaf", "eaf"),
];

const PLANTED: [&str; 6] = ["Mette", "Hansen", "Køge", "Netto", "010203-1234", "lise@netto.dk"];

/// A case whose lines, narrative, memo, notes, attribute and effort name
/// people, places and numbers; all of them on the mask list.
fn planted(dir: &Path) -> (PathBuf, String) {
    let store = dir.join("study");
    made(&store, &["case", "add", "AA"]);
    ok(&store, &["variable", "add", "employer", "--kind", "text"]);
    ok(&store, &["case", "add", "AA", "--attr", "employer=Netto i Køge"]);
    let transcript = dir.join("t.txt");
    std::fs::write(
        &transcript,
        "I: Hvem hjælper dig?\nAA: Mette Hansen i Køge, og Mettes chef.\nAA: Mit cpr er 010203-1234, skriv til lise@netto.dk\nog så KØGE igen.\n",
    )
    .unwrap();
    let session = ok(
        &store,
        &["import", "transcript", transcript.to_str().unwrap(), "--case", "AA", "--kind", "interview"],
    )
    .trim()
    .to_string();
    ok(
        &store,
        &[
            "narrative",
            "add",
            "--session",
            &session,
            "--from",
            "2",
            "--to",
            "3",
            "--title",
            "Om Mette",
            "--memo",
            "Hun nævner Nettos lager",
        ],
    );
    ok(
        &store,
        &[
            "effort",
            "add",
            "--case",
            "AA",
            "--kind",
            "job hos Netto",
            "--start",
            "2026-01-05",
            "--provider",
            "Køge kommune",
        ],
    );
    // Every kind of line: a note, an event, and speech typed live.
    let live = ok(&store, &["session", "start", "--case", "AA", "--kind", "observation"]).trim().to_string();
    ok(&store, &["log", "--session", &live, "--kind", "note", "Mettes kollega fra Netto kom ind"]);
    ok(&store, &["log", "--session", &live, "--kind", "event", "Mette Hansen går ud"]);
    ok(&store, &["log", "--session", &live, "--speaker", "AA", "ring til lise@netto.dk eller 010203-1234"]);
    for (term, replacement) in [
        ("Mette Hansen", "[sagsbehandleren]"),
        ("Mette", "[sagsbehandleren]"),
        ("Køge", "[byen]"),
        ("Netto", "[arbejdspladsen]"),
        ("010203-1234", "[cpr]"),
        ("lise@netto.dk", "[mail]"),
    ] {
        ok(&store, &["mask", "add", term, replacement]);
    }
    (store, session)
}

fn export(store: &Path, format: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["export", "--format", format, "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    fieldlog(store, &args)
}

#[test]
fn every_format_is_masked_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = planted(dir.path());
    for (format, name) in FORMATS {
        let out = dir.path().join(name);
        let done = export(&store, format, &out, &[]);
        assert!(done.status.success(), "{format}: {}", String::from_utf8_lossy(&done.stderr));
        let text = all_text(&out).to_lowercase();
        for term in PLANTED {
            assert!(!text.contains(&term.to_lowercase()), "{format} still says {term}");
        }
        let plain = text.replace("\\[", "[").replace("\\]", "]");
        assert!(plain.contains("[sagsbehandleren]"), "{format} masks with the replacement");
        assert!(!text.contains("unmasked"), "{format} does not call itself unmasked");
    }
    let md = std::fs::read_to_string(dir.path().join("s.md")).unwrap();
    assert!(md.contains("\\[sagsbehandleren\\]s chef"), "the genitive keeps its ending: {md}");
}

#[test]
fn an_unmasked_export_holds_the_words_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = planted(dir.path());
    for (format, name) in FORMATS {
        let out = dir.path().join(name);
        let done = export(&store, format, &out, &["--unmasked"]);
        assert!(done.status.success(), "{format}: {}", String::from_utf8_lossy(&done.stderr));
        let text = all_text(&out);
        assert!(text.contains("Mette Hansen"), "{format}");
        assert!(
            text.contains("UNMASKED") || text.contains("\"masked\": false"),
            "{format} says it is unmasked"
        );
    }
}

#[test]
fn an_unhandled_finding_stops_the_export_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = planted(dir.path());
    let session = ok(&store, &["session", "start", "--case", "AA", "--kind", "interview"]).trim().to_string();
    ok(&store, &["log", "--session", &session, "--speaker", "AA", "ring på 42 33 44 55"]);
    let out = dir.path().join("s.qdpx");
    let refused = export(&store, "qdpx", &out, &[]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(said.contains("phone number \"42 33 44 55\"") && said.contains("--allow-leaks"), "{said}");
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert!(!out.exists());
    ok(&store, &["mask", "allow", "42 33 44 55"]);
    assert!(export(&store, "qdpx", &out, &[]).status.success());
    let extra = dir.path().join("x.qdpx");
    ok(&store, &["log", "--session", &session, "--speaker", "AA", "cpr 020304-4321"]);
    assert!(export(&store, "qdpx", &extra, &["--allow-leaks"]).status.success());
    // The JSON export checks what every other format checks: a number in a narrative's memo too.
    ok(&store, &["mask", "allow", "020304-4321"]);
    ok(
        &store,
        &[
            "narrative",
            "add",
            "--session",
            &session,
            "--from",
            "1",
            "--to",
            "1",
            "--title",
            "Ring",
            "--memo",
            "hun gav 43 21 43 21",
        ],
    );
    let refused = fieldlog(&store, &["export", "--format", "json"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("narrative \"Ring\" holds a phone number"), "{said}");
}

#[test]
fn a_speaker_named_by_a_listed_term_is_masked_and_a_name_outside_any_text_is_caught_in_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = planted(dir.path());
    // A speaker labelled with a listed name, and a case's own term as a label.
    ok(&store, &["mask", "add", "Lise", "[datteren]", "--case", "AA"]);
    let session = ok(
        &store,
        &[
            "session",
            "start",
            "--case",
            "AA",
            "--kind",
            "interview",
            "--speaker",
            "1=Mette:caseworker",
            "--speaker",
            "2=Lise:other",
        ],
    )
    .trim()
    .to_string();
    ok(&store, &["log", "--session", &session, "--speaker", "Mette", "Hej"]);
    ok(&store, &["log", "--session", &session, "--speaker", "Lise", "Hej"]);
    let out = dir.path().join("s.md");
    assert!(export(&store, "markdown", &out, &[]).status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("Mette") && !text.contains("Lise") && text.contains("\\[datteren\\]"), "{text}");
    // The project's name comes from the file's name: no mask reaches it, the byte check does.
    let named = dir.path().join("Mette.qdpx");
    let refused = export(&store, "qdpx", &named, &[]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("the listed term \"Mette\""), "{said}");
    assert!(said.contains("rename it or use --pseudonymise"), "{said}");
    assert!(!named.exists(), "a refused export leaves no file");
    // A narrative's author is written where no mask applies either: a CSV folder refused is removed whole.
    let added = std::process::Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .args([
            "--store",
            store.to_str().unwrap(),
            "narrative",
            "add",
            "--session",
            &session,
            "--from",
            "1",
            "--to",
            "2",
            "--title",
            "Hej",
        ])
        .env("FIELDLOG_AUTHOR", "Mette")
        .output()
        .unwrap();
    assert!(added.status.success());
    let folder = dir.path().join("tables");
    let refused = export(&store, "csv", &folder, &[]);
    assert!(!refused.status.success(), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(!folder.exists(), "a refused export leaves no folder either");
}

#[test]
fn the_list_travels_in_backups_and_merges_but_never_in_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = planted(dir.path());
    let json = ok(&store, &["export", "--format", "json"]);
    assert!(!json.contains("\"masks\"") && json.contains("\"masked\": true"));
    let backup = dir.path().join("b.json");
    ok(&store, &["backup", backup.to_str().unwrap()]);
    let copy = dir.path().join("copy");
    ok(&copy, &["restore", backup.to_str().unwrap()]);
    assert_eq!(ok(&copy, &["mask", "list"]), ok(&store, &["mask", "list"]));
    let other = dir.path().join("other");
    made(&other, &["mask", "add", "Odense", "[byen2]"]);
    ok(&other, &["mask", "add", "Odense", "[byen2]"]);
    ok(&other, &["merge", backup.to_str().unwrap()]);
    let merged = ok(&other, &["mask", "list"]);
    assert!(merged.contains("Odense → [byen2]") && merged.contains("Køge → [byen]"), "{merged}");
    ok(&store, &["mask", "add", "Lise", "[datteren]", "--case", "AA"]);
    ok(&store, &["case", "purge", "AA", "--yes"]);
    assert!(!ok(&store, &["mask", "list"]).contains("Lise"), "a purged case's terms go with it");
}

#[test]
fn reports_narratives_and_quotes_are_masked_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = planted(dir.path());
    for args in [
        &["report", "case", "AA"][..],
        &["report", "case", "AA", "--html"],
        &["report", "overview"],
        &["report", "display", "--cols", "contact"],
    ] {
        let text = ok(&store, args);
        for term in PLANTED {
            assert!(!text.contains(term), "{args:?} says {term}: {text}");
        }
        let mut unmasked = args.to_vec();
        unmasked.push("--unmasked");
        assert!(ok(&store, &unmasked).contains("UNMASKED"), "{args:?} --unmasked says so");
    }
    assert!(ok(&store, &["report", "case", "AA", "--unmasked"]).contains("Mette Hansen"));
    let id = ok(&store, &["narrative", "list", "--json"]);
    let id = id.split("\"id\": \"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let shown = ok(&store, &["narrative", "show", &id]);
    assert!(
        shown.contains("Om [sagsbehandleren]") && !shown.contains("Mette") && !shown.contains("Netto"),
        "{shown}"
    );
    let quote = ok(&store, &["narrative", "quote", &id, "--leave-out", "2"]);
    assert!(quote.contains("> \\[…\\]") && quote.contains("participant: Mit cpr er \\[cpr\\]"), "{quote}");
    assert!(
        !quote.contains("AA:") && !quote.contains("010203"),
        "speakers as roles, numbers masked: {quote}"
    );
    assert!(ok(&store, &["narrative", "show", &id, "--unmasked"]).contains("Mette Hansen"));
}

#[test]
fn check_leaks_scans_the_study_and_exported_files() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = planted(dir.path());
    assert!(ok(&store, &["check", "--leaks"]).starts_with("no leak"));
    let raw = dir.path().join("raw");
    assert!(export(&store, "csv", &raw, &["--unmasked"]).status.success());
    let found = fieldlog(&store, &["check", "--leaks", raw.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&found.stderr);
    assert!(!found.status.success() && said.contains("holds the listed term"), "{said}");
    let masked = dir.path().join("masked.xlsx");
    assert!(export(&store, "xlsx", &masked, &[]).status.success());
    assert!(ok(&store, &["check", "--leaks", masked.to_str().unwrap()]).starts_with("no leak"));
    let session = ok(&store, &["session", "start", "--case", "AA", "--kind", "interview"]).trim().to_string();
    ok(&store, &["log", "--session", &session, "--speaker", "AA", "skriv til ny@adresse.dk"]);
    let found = fieldlog(&store, &["check", "--leaks"]);
    assert!(String::from_utf8_lossy(&found.stderr).contains("an e-mail address \"ny@adresse.dk\""));
    // The scan lists what was typed about a case outside its sessions too.
    ok(
        &store,
        &[
            "effort",
            "add",
            "--case",
            "AA",
            "--kind",
            "mentor",
            "--start",
            "2026-02-01",
            "--provider",
            "ring 42 11 22 33",
        ],
    );
    let scan = ok(&store, &["mask", "scan"]);
    assert!(
        scan.contains("42 11 22 33  phone number") && scan.contains("case AA's attributes, efforts or links"),
        "{scan}"
    );
    assert!(scan.contains("ny@adresse.dk  e-mail address"), "{scan}");
}
