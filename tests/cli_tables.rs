//! The tables a researcher opens in Excel, LibreOffice, SPSS or R: the CSV
//! folder, made from the command line as a user would.

mod support;

use std::path::Path;

fn ok(store: &Path, args: &[&str]) -> String {
    support::made(store, args);
    support::ok(store, args)
}

/// Danish with a family emoji and a combining accent (e + U+0301), as typed.
const DANISH: &str = "Dårlige tænder, øv! 👨\u{200d}👩\u{200d}👧 og e\u{301}n café";

/// Two cases with typed variables; AA has a session of three lines, a
/// narrative, an effort and a link. Gives back AA's session id.
fn study(s: &Path) -> String {
    ok(s, &["variable", "add", "age", "--kind", "number"]);
    ok(s, &["variable", "add", "first contact", "--kind", "date"]);
    ok(s, &["variable", "add", "site", "--kind", "list", "--values", "Nord,Syd"]);
    ok(
        s,
        &[
            "case",
            "add",
            "AA",
            "--attr",
            "age=34",
            "--attr",
            "first contact=2025-03-01",
            "--attr",
            "site=Syd",
        ],
    );
    ok(s, &["case", "add", "BB", "--attr", "site=Nord"]);
    let id = ok(s, &["session", "start", "--case", "AA", "--kind", "interview", "--place", "hjemme"]);
    let id = id.trim().to_string();
    ok(s, &["log", "--session", &id, "--speaker", "I", "Hvordan går det?"]);
    ok(s, &["log", "--session", &id, "--speaker", "AA", DANISH]);
    ok(s, &["log", "--session", &id, "--speaker", "AA", "=1+1 og +45 12 34 56 78"]);
    let narrative =
        ok(s, &["narrative", "add", "--session", &id, "--from", "2", "--to", "3", "--title", "Tænderne"]);
    ok(
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
    ok(
        s,
        &[
            "link",
            "add",
            "--case",
            "AA",
            "--chain",
            "tandbehandling -> selvværd",
            "--valence",
            "positive",
            "--narrative",
            narrative.trim(),
        ],
    );
    let bb = ok(s, &["session", "start", "--case", "BB", "--kind", "observation"]);
    ok(s, &["log", "--session", bb.trim(), "--speaker", "BB", "Noget andet"]);
    id
}

fn read(path: &Path) -> String {
    String::from_utf8(std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn csv_has_a_table_for_each_thing_studied_and_a_byte_order_mark_for_excel() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    let session = study(s);
    let out = dir.path().join("csv");
    ok(s, &["export", "--format", "csv", "--output", out.to_str().unwrap()]);
    let names = ["utterances", "narratives", "cases", "sessions", "efforts", "links"];
    for name in names {
        let text = read(&out.join(format!("{name}.csv")));
        assert!(text.starts_with("\u{feff}case,"), "{name}.csv: {text}");
    }
    let cases = read(&out.join("cases.csv"));
    assert_eq!(cases, "\u{feff}case,age,first contact,site\r\nAA,34,2025-03-01,Syd\r\nBB,,,Nord\r\n");
    let sessions = read(&out.join("sessions.csv"));
    assert!(sessions.starts_with(
        "\u{feff}case,session,kind,contact,date,place,speakers,recording_start,lines,narratives\r\n"
    ));
    assert!(
        sessions.contains(&format!(",{session},interview,1,"))
            && sessions.contains(",hjemme,\"AA (participant), I (interviewer)\",,3,1\r\n"),
        "{sessions}"
    );
    let efforts = read(&out.join("efforts.csv"));
    assert!(efforts.contains(",dental treatment,tandplejen,2025-02-01,,\r\n"), "{efforts}");
    let links = read(&out.join("links.csv"));
    assert!(links.contains(",tandbehandling → selvværd,tandbehandling,selvværd,positive,"), "{links}");
    assert!(links.ends_with(",Tænderne\r\n"), "{links}");
    // Quoted for its comma, otherwise as typed.
    assert!(read(&out.join("utterances.csv")).contains(&format!(",\"{DANISH}\"\r\n")));

    // Tools that do not want the mark can do without it.
    let bare = dir.path().join("bare");
    ok(s, &["export", "--format", "csv", "--no-bom", "--output", bare.to_str().unwrap()]);
    for name in names {
        assert!(read(&bare.join(format!("{name}.csv"))).starts_with("case,"), "{name}.csv");
    }
}
