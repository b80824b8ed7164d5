//! Variables, attributes, efforts, links and reports from the command line.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn run(store: &Path, args: &[&str]) -> (bool, String, String) {
    support::made(store, args);
    let out =
        Command::new(env!("CARGO_BIN_EXE_fieldlog")).arg("--store").arg(store).args(args).output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn ok(store: &Path, args: &[&str]) -> String {
    let (success, stdout, stderr) = run(store, args);
    assert!(success, "{args:?}: {stderr}");
    stdout
}

fn refused(store: &Path, args: &[&str]) -> String {
    let (success, _, stderr) = run(store, args);
    assert!(!success, "{args:?} should fail");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    stderr
}

#[test]
fn attributes_must_fit_the_study_variables() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    ok(s, &["variable", "add", "site", "--kind", "list", "--values", "Nord,Syd"]);
    ok(s, &["variable", "add", "age", "--kind", "number"]);
    ok(s, &["variable", "add", "first contact", "--kind", "date"]);
    ok(s, &["case", "add", "AA"]);
    ok(s, &["case", "set", "AA", "site=Nord", "age=34", "first contact=2025-01-06"]);
    assert!(refused(s, &["case", "set", "AA", "site=Øst"])
        .contains("\"Øst\" is not a value of site: use one of Nord, Syd"));
    assert!(refused(s, &["case", "set", "AA", "age=gammel"]).contains("is not a number for age"));
    assert!(refused(s, &["case", "set", "AA", "colour=blue"]).contains("there is no variable colour"));
    assert!(refused(s, &["variable", "add", "site", "--kind", "text"]).contains("already exists"));
    assert!(refused(s, &["variable", "add", "x", "--kind", "list"]).contains("needs its values"));
    let cases: Value = serde_json::from_str(&ok(s, &["case", "list", "--json"])).unwrap();
    assert_eq!(
        cases[0]["attributes"],
        serde_json::json!([["site", "Nord"], ["age", "34"], ["first contact", "2025-01-06"]])
    );
    assert_eq!(ok(s, &["variable", "list"]), "site  list: Nord, Syd\nage  number\nfirst contact  date\n");
}

#[test]
fn efforts_and_links_are_recorded_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    ok(s, &["case", "add", "AA"]);
    let id = ok(s, &["session", "start", "--case", "AA", "--kind", "interview"]);
    ok(s, &["log", "--session", id.trim(), "Tandlægen gav mig mit smil igen"]);
    let narrative =
        ok(s, &["narrative", "add", "--session", id.trim(), "--from", "1", "--to", "1", "--title", "Smilet"]);
    let effort = ok(
        s,
        &[
            "effort",
            "add",
            "--case",
            "AA",
            "--kind",
            "dental treatment",
            "--start",
            "2025-02-01",
            "--provider",
            "tandplejen",
        ],
    );
    ok(s, &["effort", "end", effort.trim(), "--end", "2025-04-01", "--outcome", "nye tænder"]);
    assert!(refused(s, &["effort", "add", "--case", "AA", "--kind", "x", "--start", "1. marts"])
        .contains("is not a date"));
    assert!(refused(s, &["effort", "end", effort.trim(), "--end", "2024-01-01"]).contains("before it starts"));
    let efforts: Value = serde_json::from_str(&ok(s, &["effort", "list", "--json"])).unwrap();
    assert_eq!(efforts[0]["kind"], "dental treatment");
    assert_eq!(efforts[0]["end"], "2025-04-01");
    assert_eq!(efforts[0]["outcome"], "nye tænder");

    ok(
        s,
        &[
            "link",
            "add",
            "--case",
            "AA",
            "--chain",
            "tandbehandling -> bedre selvværd -> løntilskudsjob",
            "--valence",
            "positive",
            "--narrative",
            narrative.trim(),
        ],
    );
    assert!(refused(s, &["link", "add", "--case", "AA", "--chain", "kun én", "--valence", "positive"])
        .contains("is not a chain"));
    assert!(refused(s, &["link", "add", "--case", "AA", "--chain", "a -> b", "--valence", "great"])
        .contains("valence \"great\""));
    let links: Value = serde_json::from_str(&ok(s, &["link", "list", "--json"])).unwrap();
    assert_eq!(links[0]["chain"], serde_json::json!(["tandbehandling", "bedre selvværd", "løntilskudsjob"]));
    assert_eq!(links[0]["narratives"][0], narrative.trim());

    let report = ok(s, &["report", "case", "AA"]);
    assert!(
        report.contains("| dental treatment | tandplejen | 2025-02-01 | 2025-04-01 | nye tænder |"),
        "{report}"
    );
    assert!(
        report.contains("- tandbehandling → bedre selvværd → løntilskudsjob (positive) — told in “Smilet”"),
        "{report}"
    );
    assert!(report.contains("> AA: Tandlægen gav mig mit smil igen"), "{report}");
    let page = ok(s, &["report", "overview", "--html"]);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<td>AA</td>"), "{page}");
    let display = ok(s, &["report", "display", "--rows", "cases", "--cols", "contact", "--case", "AA"]);
    assert!(display.contains("| AA | “Smilet” |"), "{display}");
    assert!(
        refused(s, &["report", "display", "--cols", "colours"]).contains("neither contact nor a code group")
    );
}
