//! `report agreement` from the command line: figures worked out by hand
//! for a small double-coded session, the disagreements, and bad input.

mod common;

use common::cli::{fieldlog_as as run, ok_as as ok};

/// Ten lines, flagged by anna (1–3 high forward-looking, 6–8 low) and by
/// bo (1–4 high backward-looking, 6–8 interplay, 10).
fn double_coded() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    ok(&store, "anna", &["init"]);
    ok(&store, "anna", &["case", "add", "AA"]);
    let session = ok(&store, "anna", &["session", "start", "--case", "AA", "--kind", "interview"]);
    let session = session.trim();
    for i in 1..=10 {
        ok(&store, "anna", &["log", "--session", session, "--speaker", "AA", &format!("linje {i}")]);
    }
    let flag = |author: &str, from: &str, to: &str, codes: &[&str]| {
        let mut args =
            vec!["narrative", "add", "--session", session, "--from", from, "--to", to, "--title", "t"];
        for c in codes {
            args.extend(["--code", c]);
        }
        ok(&store, author, &args);
    };
    flag("anna", "1", "3", &["high", "forward-looking"]);
    flag("anna", "6", "8", &["low"]);
    flag("bo", "1", "4", &["high", "backward-looking"]);
    flag("bo", "6", "8", &["interplay"]);
    flag("bo", "10", "10", &[]);
    (dir, store)
}

#[test]
fn figures_worked_out_by_hand_and_the_disagreements() {
    let (_dir, store) = double_coded();
    let report = ok(&store, "anna", &["report", "agreement", "--coders", "anna,bo"]);
    // Lines: (b,b) (c,c) (c,c) (o,c) (o,o) (b,b) (c,c) (c,c) (o,o) (o,b): n_b = 5, n_c = 9,
    // n_o = 6, n = 20; Do = 4, De = 2·(45 + 30 + 54)/19; α = 1 − 76/258 = 0.705.
    assert!(report.contains("**α = 0.705**"), "{report}");
    assert!(report.contains("over 10 lines"), "{report}");
    // Agency (ordinal, low < interplay < high): units (high, high) and (low, interplay):
    // Do = 2, De = (2/3)·(1 + 2·6.25 + 2·2.25) = 12, α = 1 − 2/12 = 0.833.
    assert!(report.contains("| agency | scale | ordinal | 0.833 | 2 |"), "{report}");
    assert!(report.contains("| time orientation | one-of | nominal | 0.000 | 1 |"), "{report}");
    assert!(report.contains("lines `6–8` — **agency**: anna: low; bo: interplay"), "{report}");
    assert!(report.contains("**time orientation**: anna: forward-looking; bo: backward-looking"), "{report}");
    assert!(report
        .contains("lines `10–10` — **flagged by some only**: bo: flagged lines 10–10; anna: not flagged"));
    // A team's settled version is no coder's: the default compares anna and bo only.
    let session = ok(&store, "anna", &["session", "list"]);
    let session = session.split_whitespace().next().unwrap().to_string();
    ok(
        &store,
        "team",
        &["narrative", "add", "--session", &session, "--from", "1", "--to", "3", "--title", "t"],
    );
    let again = ok(&store, "anna", &["report", "agreement"]);
    assert!(
        again.starts_with("# Agreement between anna, bo\n") && again.contains("**α = 0.705**"),
        "{again}"
    );
    let html = ok(&store, "anna", &["report", "agreement", "--group", "agency", "--html"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<td>0.833</td>"), "{html}");
    assert!(!html.contains("time orientation"), "only the group asked for: {html}");
}

#[test]
fn bad_input_is_refused_in_one_sentence() {
    let (_dir, store) = double_coded();
    for (args, says) in [
        (vec!["report", "agreement", "--coders", "anna,cy"], "coder \"cy\" has flagged no narratives"),
        (vec!["report", "agreement", "--coders", "anna"], "two coders or more"),
        (vec!["report", "agreement", "--coders", "anna,,bo"], "empty name"),
        (vec!["report", "agreement", "--group", "nope"], "no code group \"nope\""),
    ] {
        let out = run(&store, "anna", &args);
        assert!(!out.status.success(), "{args:?}");
        let said = String::from_utf8(out.stderr).unwrap();
        assert_eq!(said.trim_end().lines().count(), 1, "{said}");
        assert!(said.contains(says), "{args:?}: {said}");
    }
}
