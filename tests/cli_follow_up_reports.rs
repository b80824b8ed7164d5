//! The follow-up year's reports from the command line: each wired to its
//! command, each refusal one sentence naming what was wrong.

mod common;

use common::cli::{ok, refused};

#[test]
fn every_report_runs_and_bad_choices_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    ok(s, &["init"]);
    ok(s, &["variable", "add", "site", "--kind", "list", "--values", "Nord,Syd"]);
    ok(s, &["case", "add", "AA", "--attr", "site=Nord"]);
    ok(s, &["case", "add", "BB", "--attr", "site=Syd"]);
    let id = ok(s, &["session", "start", "--case", "AA", "--kind", "interview"]);
    ok(s, &["log", "--session", id.trim(), "Jeg vil gerne arbejde"]);
    ok(
        s,
        &[
            "narrative",
            "add",
            "--session",
            id.trim(),
            "--from",
            "1",
            "--to",
            "1",
            "--title",
            "Viljen",
            "--code",
            "agency:high",
            "--code",
            "force:positive",
        ],
    );
    assert!(ok(s, &["report", "table", "--rows", "site", "--cols", "kind"])
        .contains("| Nord | 1 | 0 | 0 | 0 | 0 | 1 |"));
    assert!(ok(s, &["report", "display", "--rows", "agency", "--cols", "force"])
        .contains("| high | “Viljen” (AA 1) |  |"));
    // An empty table says why.
    let outcomes = ok(s, &["report", "table", "--rows", "site", "--cols", "outcome"]);
    assert!(outcomes.contains("There are no efforts to count yet."), "{outcomes}");
    let display = ok(s, &["report", "display", "--rows", "force", "--cols", "time orientation"]);
    assert!(display.contains("No narrative is coded with both a force code and a time orientation code yet."));
    assert!(ok(s, &["report", "compare", "AA", "BB"]).contains("# Cases AA and BB side by side"));
    ok(s, &["contact", "dropout", "BB", "--date", "2026-02-01", "--reason", "flyttede"]);
    let compared = ok(s, &["report", "compare", "AA", "BB"]);
    assert!(compared.contains("| dropped out |  | 2026-02-01: flyttede |"), "{compared}");
    // A dropout can be taken off again; a mark past the case's plan is refused.
    ok(s, &["contact", "dropout", "BB", "--clear"]);
    assert!(!ok(s, &["report", "compare", "AA", "BB"]).contains("dropped out"));
    let past = refused(s, &["contact", "missed", "BB", "4000", "--reason", "x"]);
    assert!(past.contains("Contact 4000 is past the case's 4 contact points"), "{past}");
    assert!(past.contains("contact plan --case BB --points N"), "{past}");
    assert!(ok(s, &["report", "contacts", "--html"]).starts_with("<!DOCTYPE html>"));
    assert!(ok(s, &["report", "brief", "AA"]).contains("“Viljen”"));
    let page = ok(s, &["report", "timeline"]);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg"), "{page}");
    assert!(ok(s, &["report", "timeline", "--svg", "--voices"]).starts_with("<svg"));
    let cases: [(&[&str], &str); 8] = [
        (
            &["session", "start", "--case", "AA", "--kind", "interview", "--contact", "4000000000"],
            "contact point 4000000000 is not one: a follow-up has contact points 1 to 24",
        ),
        (
            &["report", "table", "--rows", "colour", "--cols", "site"],
            "rows \"colour\" are neither case nor a variable",
        ),
        (&["report", "display", "--rows", "agency", "--cols", "mood"], "there is no code group \"mood\""),
        (
            &["report", "display", "--rows", "agency", "--cols", "force", "--where", "site=Nord"],
            "--where and --case narrow rows of cases",
        ),
        (&["report", "compare", "AA", "AA"], "two different cases"),
        (&["report", "brief", "ZZ"], "there is no case ZZ"),
        (&["report", "timeline", "--marks", "colour"], "use agency or orientation"),
        (&["report", "plane", "--x", "agency", "--y", "force"], "\"force\" is not a scale"),
    ];
    for (args, says) in cases {
        let error = refused(s, args);
        assert!(error.contains(says), "{args:?}: {error}");
    }
}

#[test]
fn professionals_are_counted_by_role_and_a_case_variable() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    ok(s, &["init"]);
    ok(s, &["variable", "add", "municipality", "--kind", "list", "--values", "Nord,Syd"]);
    ok(s, &["case", "add", "AA", "--attr", "municipality=Nord"]);
    ok(s, &["case", "add", "BB", "--attr", "municipality=Nord"]);
    ok(s, &["case", "add", "CC", "--attr", "municipality=Syd"]);
    // SB1 meets both Nord cases (one person, counted once); SB2 and a job consultant in Syd.
    for (case, speakers) in [
        ("AA", &["1=AA:participant", "2=SB1:caseworker"][..]),
        ("BB", &["1=BB:participant", "2=SB1:caseworker", "3=PW1:project-worker"]),
        ("CC", &["1=CC:participant", "2=SB2:caseworker", "3=JK1:job-consultant", "4=I:interviewer"]),
        // SB1 also meets CC in Syd: in both columns, once in the totals.
        ("CC", &["1=CC:participant", "2=SB1:caseworker"]),
    ] {
        let mut args = vec!["session", "start", "--case", case, "--kind", "case-meeting"];
        for speaker in speakers {
            args.extend(["--speaker", speaker]);
        }
        ok(s, &args);
    }
    let table = ok(s, &["report", "table", "--rows", "role", "--cols", "municipality"]);
    assert!(table.contains("# Professionals by role × municipality"), "{table}");
    for row in [
        "| caseworker | 1 | 2 | 2 |",
        "| job-consultant | 0 | 1 | 1 |",
        "| project-worker | 1 | 0 | 1 |",
        "| total | 2 | 3 | 4 |",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }
    assert_eq!(table, ok(s, &["report", "table", "--rows", "municipality", "--cols", "role"]));
    // Masking the towns changes the words shown, never the counts.
    ok(s, &["mask", "add", "Nord", "[byen]"]);
    ok(s, &["mask", "add", "Syd", "[byen]"]);
    let masked = ok(s, &["report", "table", "--rows", "role", "--cols", "municipality"]);
    assert!(masked.contains("| role | \\[byen\\] | \\[byen\\] | total |"), "{masked}");
    assert!(masked.contains("| caseworker | 1 | 2 | 2 |") && !masked.contains("Nord"), "{masked}");
    // Speakers' names masked alike are still two people.
    ok(s, &["mask", "add", "SB1", "[sagsbehandler]"]);
    ok(s, &["mask", "add", "SB2", "[sagsbehandler]"]);
    let people = ok(s, &["report", "table", "--rows", "role", "--cols", "municipality"]);
    assert!(people.contains("| caseworker | 1 | 2 | 2 |"), "{people}");
    let cases = ok(s, &["report", "table", "--rows", "municipality", "--cols", "kind"]);
    assert!(cases.contains("| \\[byen\\] | 0 | 0 | 0 | 2 | 0 | 2 |") && !cases.contains("Syd"), "{cases}");
    let error = refused(s, &["report", "table", "--rows", "role", "--cols", "kind"]);
    assert!(error.contains("professionals go by role and a variable, and \"kind\" is none"), "{error}");
}
