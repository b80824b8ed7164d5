//! The contact ledger, recruitment log and narrated time from the command
//! line: bad input refused in one sentence with nothing changed, and every
//! fact carried through backup, restore and merge.

mod common;

use common::cli::{ok, refused};
use serde_json::Value;
use std::path::Path;

/// The whole store as its backup says it.
fn backup(s: &Path) -> String {
    let file = s.with_extension("check.json");
    let _ = std::fs::remove_file(&file);
    ok(s, &["backup", file.to_str().unwrap()]);
    std::fs::read_to_string(&file).unwrap()
}

fn study(s: &Path) -> String {
    ok(s, &["init"]);
    ok(s, &["case", "add", "AA"]);
    ok(s, &["case", "add", "BB"]);
    let id = ok(s, &["session", "start", "--case", "AA", "--kind", "interview"]);
    ok(s, &["log", "--session", id.trim(), "Dengang i 2019 mistede jeg jobbet"]);
    let narrative =
        ok(s, &["narrative", "add", "--session", id.trim(), "--from", "1", "--to", "1", "--title", "Fyret"]);
    ok(s, &["contact", "plan", "--every", "4", "--points", "3"]);
    ok(s, &["contact", "partial", "AA", "2", "--reason", "meeting without the person"]);
    ok(s, &["contact", "missed", "AA", "3", "--reason", "cancelled"]);
    ok(s, &["contact", "dropout", "BB", "--date", "2026-02-01", "--reason", "moved"]);
    ok(s, &["contact", "plan", "--case", "BB", "--every", "6", "--start", "2025-09-01"]);
    ok(s, &["recruit", "add", "R1", "--asked", "2025-08-01", "--outcome", "refused", "--reason", "no time"]);
    ok(s, &["narrative", "when", narrative.trim(), "2019-05"]);
    narrative.trim().to_string()
}

#[test]
fn the_ledger_is_recorded_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    let listed: Value = serde_json::from_str(&ok(s, &["contact", "list", "--json"])).unwrap();
    let aa: Vec<&str> =
        listed[0]["points"].as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert_eq!(aa, ["kept", "partial", "missed"]);
    assert_eq!(listed[0]["points"][1]["reason"], "meeting without the person");
    assert_eq!(listed[1]["dropout"]["reason"], "moved");
    assert_eq!(listed[1]["points"][1]["due"], "2026-03-01", "BB's own rhythm from its own start");
    assert!(ok(s, &["check"]).contains("is sound"));
    let log = ok(s, &["recruit", "list"]);
    assert_eq!(log, "2025-08-01  R1       refused — no time\n1 asked: 0 joined, 1 refused, 0 no-answer\n");
}

#[test]
fn bad_input_is_one_sentence_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    let before = backup(s);
    let cases: [(&[&str], &str); 10] = [
        (&["contact", "missed", "AA", "1", "--reason", "x"], "has 1 session(s), so it was not missed"),
        (&["contact", "missed", "AA", "0", "--reason", "x"], "contact point must be 1 or more"),
        (&["contact", "missed", "AA", "2", "--reason", " "], "say why contact 2 was missed"),
        (&["contact", "missed", "ZZ", "2", "--reason", "x"], "there is no case ZZ"),
        (&["contact", "dropout", "AA", "--date", "2026-02-30", "--reason", "x"], "February 2026 has 28 days"),
        (&["contact", "plan", "--every", "0"], "is not a rhythm"),
        (&["contact", "plan"], "say what to change"),
        (&["recruit", "add", "Anne Hansen", "--asked", "2025-01-01", "--outcome", "refused"], "never a name"),
        (
            &["recruit", "add", "R2", "--asked", "2025-01-01", "--outcome", "maybe"],
            "use joined, refused or no-answer",
        ),
        (&["narrative", "when", "0000", "last spring"], "there is no narrative"),
    ];
    for (args, says) in cases {
        let error = refused(s, args);
        assert!(error.contains(says), "{args:?}: {error}");
    }
    assert_eq!(backup(s), before, "a refused command changed the store");
}

#[test]
fn backup_restore_and_merge_carry_the_follow_up_year() {
    let dir = tempfile::tempdir().unwrap();
    let (s, copy, merged) = (&dir.path().join("a"), &dir.path().join("b"), &dir.path().join("c"));
    study(s);
    let file = dir.path().join("a.json");
    ok(s, &["backup", file.to_str().unwrap()]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["contact_plan"]["every_months"], 4);
    assert_eq!(saved["contact_ledgers"].as_array().unwrap().len(), 2);
    assert_eq!(saved["narrated_times"][0]["when"]["month"], "2019-05-01");
    assert_eq!(saved["recruitment"][0]["outcome"], "refused");
    ok(copy, &["restore", file.to_str().unwrap()]);
    assert_eq!(ok(copy, &["contact", "list"]), ok(s, &["contact", "list"]));
    assert_eq!(backup(copy), std::fs::read_to_string(&file).unwrap());
    ok(merged, &["init"]);
    ok(merged, &["case", "add", "AA"]);
    ok(merged, &["contact", "missed", "AA", "3", "--reason", "ill"]);
    let said = ok(merged, &["merge", file.to_str().unwrap()]);
    assert!(said.contains("case AA contact 3: missed here and missed in the backup; kept missed"), "{said}");
    let rows: Value = serde_json::from_str(&ok(merged, &["contact", "list", "--json"])).unwrap();
    assert_eq!(rows[0]["points"][1]["status"], "partial");
    assert_eq!(rows[0]["points"][2]["reason"], "ill");
    assert_eq!(rows[1]["dropout"]["date"], "2026-02-01");
    assert!(ok(merged, &["recruit", "list"]).contains("R1"));
}

#[test]
fn purging_a_case_takes_its_ledger_and_its_recruitment_entry() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    ok(s, &["recruit", "add", "AA", "--asked", "2024-12-01", "--outcome", "joined"]);
    ok(s, &["case", "purge", "AA", "--yes"]);
    let left = backup(s);
    assert!(!left.contains("meeting without the person") && !left.contains("\"AA\""), "{left}");
    assert!(left.contains("\"R1\"") && left.contains("\"moved\""), "the other case's facts stay");
    assert!(ok(s, &["check"]).contains("is sound"));
}

#[test]
fn exports_and_reports_mask_the_ledger_and_recruitment_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    ok(s, &["mask", "add", "Hansen", "[sagsbehandleren]"]);
    ok(s, &["contact", "dropout", "BB", "--date", "2026-02-01", "--reason", "flyttede fra Hansen"]);
    ok(s, &["recruit", "add", "R2", "--asked", "2025-08-02", "--outcome", "refused", "--via", "Hansen"]);
    let file = dir.path().join("export.json");
    ok(s, &["export", "--format", "json", "--output", file.to_str().unwrap()]);
    let export = std::fs::read_to_string(&file).unwrap();
    assert!(!export.contains("Hansen"), "{export}");
    assert!(
        export.contains("flyttede fra [sagsbehandleren]")
            && export.contains("\"via\": \"[sagsbehandleren]\"")
    );
    // A joined person's entry goes through their case's own list too.
    ok(s, &["mask", "add", "Lise", "[datteren]", "--case", "AA"]);
    ok(s, &["recruit", "add", "AA", "--asked", "2025-08-03", "--outcome", "joined", "--via", "Lise"]);
    // The contacts table of a CSV export too (dropped-out points carry the dropout's reason).
    let folder = dir.path().join("csv");
    ok(s, &["export", "--format", "csv", "--output", folder.to_str().unwrap()]);
    let contacts = std::fs::read_to_string(folder.join("contacts.csv")).unwrap();
    assert!(
        contacts.contains("flyttede fra [sagsbehandleren]") && !contacts.contains("Hansen"),
        "{contacts}"
    );
    let log = std::fs::read_to_string(folder.join("recruitment.csv")).unwrap();
    assert!(log.contains("AA,2025-08-03,joined,[datteren],") && !log.contains("Lise"), "{log}");
    let report = ok(s, &["report", "contacts"]);
    assert!(report.contains("flyttede fra \\[sagsbehandleren\\]") && !report.contains("Hansen"), "{report}");
    assert!(report.contains("| 2025-08-02 | R2 | refused | \\[sagsbehandleren\\] |  |"), "{report}");
    assert!(report.contains("3 asked: 1 joined, 2 refused, 0 no-answer."), "{report}");
    assert!(
        report.contains("| 2025-08-03 | AA | joined | \\[datteren\\] |") && !report.contains("Lise"),
        "{report}"
    );
    assert!(ok(s, &["report", "contacts", "--unmasked"]).contains("flyttede fra Hansen"));
}

#[test]
fn the_recruitment_log_goes_into_whole_study_tables_under_its_pseudonyms() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    ok(s, &["recruit", "add", "AA", "--asked", "2025-08-02", "--outcome", "joined", "--via", "caseworker"]);
    let map = dir.path().join("map.txt");
    std::fs::write(&map, "AA=P01\n").unwrap();
    let pseudonyms = ["--pseudonymise", map.to_str().unwrap()];
    // JSON: the person who joined is under their case's pseudonym, as the case is.
    let json = dir.path().join("study.json");
    ok(s, &[&["export", "--format", "json", "--output", json.to_str().unwrap()][..], &pseudonyms].concat());
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let labels: Vec<&str> =
        export["recruitment"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["R1", "P01"], "{export}");
    // CSV: a table of its own, in whole-study exports only.
    let folder = dir.path().join("csv");
    ok(s, &[&["export", "--format", "csv", "--output", folder.to_str().unwrap()][..], &pseudonyms].concat());
    // When the told events happened, beside the narrative.
    let narratives = std::fs::read_to_string(folder.join("narratives.csv")).unwrap();
    assert!(narratives.contains(",memo,told_of,") && narratives.contains(",Fyret,"), "{narratives}");
    assert!(narratives.lines().nth(1).unwrap().contains(",,2019-05,"), "{narratives}");
    let log = std::fs::read_to_string(folder.join("recruitment.csv")).unwrap();
    assert_eq!(
        log,
        "\u{feff}label,asked,outcome,via,reason\r\nR1,2025-08-01,refused,,no time\r\nP01,2025-08-02,joined,caseworker,\r\n"
    );
    let one = dir.path().join("one");
    ok(s, &["export", "--format", "csv", "--case", "AA", "--output", one.to_str().unwrap()]);
    let log = std::fs::read_to_string(one.join("recruitment.csv")).unwrap();
    assert_eq!(log, "\u{feff}label,asked,outcome,via,reason\r\n", "a case's export names no one else");
}

#[test]
fn a_phone_number_in_a_contact_reason_or_the_recruitment_log_stops_a_masked_export() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    let folder = dir.path().join("csv");
    let export = |s| refused(s, &["export", "--format", "csv", "--output", folder.to_str().unwrap()]);
    ok(s, &["contact", "missed", "AA", "3", "--reason", "ring på 20 30 40 50 i morgen"]);
    let said = export(s);
    assert!(said.contains("the contact ledger (3)") && said.contains("a phone number"), "{said}");
    assert!(!folder.exists(), "nothing is left behind");
    ok(s, &["contact", "missed", "AA", "3", "--reason", "aflyst"]);
    ok(
        s,
        &[
            "recruit",
            "add",
            "R9",
            "--asked",
            "2025-08-09",
            "--outcome",
            "no-answer",
            "--via",
            "sms til 20304050",
        ],
    );
    let said = export(s);
    assert!(said.contains("the recruitment log (R9)") && said.contains("a phone number"), "{said}");
}
