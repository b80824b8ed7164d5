//! The tables a researcher opens in Excel, LibreOffice, SPSS or R: the CSV
//! folder and the xlsx workbook, made from the command line as a user would.

mod support;

use std::io::Read;
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
    ok(s, &["contact", "missed", "BB", "2", "--reason", "visit cancelled, twice"]);
    ok(s, &["contact", "partial", "BB", "1", "--reason", "held without the person"]);
    ok(s, &["contact", "dropout", "BB", "--date", &today(), "--reason", "moved away"]);
    id
}

fn today() -> String {
    chrono::Local::now().date_naive().to_string()
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
    let names = ["utterances", "narratives", "cases", "sessions", "efforts", "links", "contacts"];
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
    // The contact ledger: a row per case and contact point.
    let contacts = read(&out.join("contacts.csv"));
    let rows: Vec<&str> = contacts.split("\r\n").collect();
    assert_eq!(rows[0], "\u{feff}case,contact,due,status,sessions,reason,dropped_out", "{contacts}");
    let today = today();
    assert_eq!(rows[1], format!("AA,1,{today},kept,1,,"), "{contacts}");
    assert!(rows[2].starts_with("AA,2,") && rows[2].ends_with(",planned,0,,"), "{contacts}");
    // Held in part: its session counted all the same.
    assert_eq!(rows[5], format!("BB,1,{today},partial,1,held without the person,{today}"), "{contacts}");
    assert!(rows[6].ends_with(&format!(",missed,0,\"visit cancelled, twice\",{today}")), "{contacts}");
    assert!(rows[7].starts_with("BB,3,") && rows[7].ends_with(&format!(",dropped out,0,moved away,{today}")));
    // Quoted for its comma, otherwise as typed.
    assert!(read(&out.join("utterances.csv")).contains(&format!(",\"{DANISH}\"\r\n")));

    // Tools that do not want the mark can do without it.
    let bare = dir.path().join("bare");
    ok(s, &["export", "--format", "csv", "--no-bom", "--output", bare.to_str().unwrap()]);
    for name in names {
        assert!(read(&bare.join(format!("{name}.csv"))).starts_with("case,"), "{name}.csv");
    }
}

/// The parts of an xlsx file, as its XML.
fn unzip(path: &Path) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().unwrap().to_string(), text)
        })
        .collect()
}

/// The XML of one cell, `<c r="B2" …>…</c>`.
fn cell<'a>(sheet: &'a str, name: &str) -> &'a str {
    let start = sheet.find(&format!("<c r=\"{name}\"")).unwrap_or_else(|| panic!("no cell {name}: {sheet}"));
    let end = start + sheet[start..].find("</c>").unwrap() + 4;
    &sheet[start..end]
}

fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
    &parts.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1
}

#[test]
fn xlsx_has_eight_typed_sheets_with_a_frozen_bold_heading_and_a_filter() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    let out = dir.path().join("study.xlsx");
    ok(s, &["export", "--format", "xlsx", "--output", out.to_str().unwrap()]);
    let parts = unzip(&out);
    let workbook = part(&parts, "xl/workbook.xml");
    let names: Vec<&str> =
        workbook.split("<sheet name=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(
        names,
        ["lines", "narratives", "cases", "sessions", "efforts", "links", "contacts", "recruitment"]
    );
    // Contact points are numbers, due dates dates.
    let contacts = part(&parts, "xl/worksheets/sheet7.xml");
    assert_eq!(cell(contacts, "B2"), r#"<c r="B2"><v>1</v></c>"#, "{contacts}");
    assert!(cell(contacts, "C2").contains(" s=\""), "a date: {contacts}");
    assert_eq!(cell(contacts, "D2"), r#"<c r="D2" t="inlineStr"><is><t>kept</t></is></c>"#);
    let lines = part(&parts, "xl/worksheets/sheet1.xml");
    assert!(lines.contains(r#"state="frozen""#) && lines.contains(r#"<autoFilter ref="A1:L5"/>"#), "{lines}");
    assert!(lines.contains(r#"<col min="12" max="12" width="80.7109375""#), "{lines}");
    // Heading cells are bold: style 1 is the bold font.
    assert!(lines.contains(r#"<c r="A1" s="1" t="inlineStr"><is><t>case</t></is></c>"#), "{lines}");
    // Text is text, whatever it starts with; numbers are numbers; times are dates.
    assert!(lines.contains(&format!("<t>{}</t>", DANISH.replace('&', "&amp;"))), "{lines}");
    assert!(lines.contains(r#"t="inlineStr"><is><t>=1+1 og +45 12 34 56 78</t>"#) && !lines.contains("<f>"));
    assert_eq!(cell(lines, "E2"), r#"<c r="E2"><v>1</v></c>"#, "seq 1 is a number");
    let wall_time = cell(lines, "I2");
    assert!(wall_time.contains(" s=\"") && wall_time.contains("><v>4"), "an Excel date: {wall_time}");
    let cases = part(&parts, "xl/worksheets/sheet3.xml");
    // age 34 a number, first contact 2025-03-01 day 45717 in date format, site text.
    assert_eq!(cell(cases, "B2"), r#"<c r="B2"><v>34</v></c>"#);
    assert!(cell(cases, "C2").contains(" s=\"") && cell(cases, "C2").ends_with("><v>45717</v></c>"));
    assert_eq!(cell(cases, "D2"), r#"<c r="D2" t="inlineStr"><is><t>Syd</t></is></c>"#);
    let styles = part(&parts, "xl/styles.xml");
    assert!(styles.contains("<b/>") && styles.contains(r#"formatCode="yyyy-mm-dd""#), "{styles}");
}

#[test]
fn xlsx_keeps_to_the_case_asked_for_and_its_pseudonyms() {
    let dir = tempfile::tempdir().unwrap();
    let s = &dir.path().join("study");
    study(s);
    let map = dir.path().join("map.txt");
    std::fs::write(&map, "AA=P01\nI=INT\n").unwrap();
    let out = dir.path().join("aa.xlsx");
    let args = ["export", "--format", "xlsx", "--case", "AA", "--pseudonymise", map.to_str().unwrap()];
    ok(s, &[&args[..], &["--output", out.to_str().unwrap()]].concat());
    let all: String = unzip(&out).into_iter().map(|(_, text)| text).collect();
    assert!(
        all.contains("<t>P01</t>")
            && all.contains("<t>INT</t>")
            && all.contains("<t>P01 (participant), INT (interviewer)</t>"),
        "{all}"
    );
    assert!(
        !all.contains("<t>AA</t>") && !all.contains("<t>BB</t>") && !all.contains("Noget andet"),
        "{all}"
    );
}
