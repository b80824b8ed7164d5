//! Exports of a study of many sessions, written a session at a time by
//! reader threads and one writer: the same bytes as the study written whole,
//! and nothing left behind when the leak check refuses the export at its
//! very last line.

use chrono::{DateTime, FixedOffset};
use fieldlog::dev::generate::generate;
use fieldlog::domain::{MaskList, Session, Utterance};
use fieldlog::export::qdpx::{self, Placed, Project};
use fieldlog::export::selection::Selection;
use fieldlog::export::tables::{Table, TableParts, Told};
use fieldlog::export::{csv, Options};
use fieldlog::store::{Change, Store};
use std::io::Read;
use std::path::Path;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap()
}

/// Three cases of four sessions of 200 lines, with narratives, and a site each.
fn study(dir: &Path) -> Store {
    let store = Store::open_or_create(&dir.join("study")).unwrap();
    generate(&store, 3, 4, 200).unwrap();
    store
}

/// The study read whole, every session with its lines, as exports once read it.
fn whole(store: &Store) -> (Selection, Vec<(Session, Vec<Utterance>)>) {
    let sessions: Vec<(Session, Vec<Utterance>)> = store
        .sessions()
        .unwrap()
        .into_iter()
        .map(|s| {
            let lines = store.utterances(s.id).unwrap();
            (s, lines)
        })
        .collect();
    let cases = store.cases().unwrap();
    let contacts = fieldlog::export::selection::contacts(
        store,
        &cases,
        &store.sessions().unwrap(),
        None,
        now().date_naive(),
    )
    .unwrap();
    let selection = Selection {
        contacts,
        recruitment: store.recruitment().unwrap(),
        narrated: store.narrated_times().unwrap(),
        cases,
        sessions: sessions.iter().map(|(s, _)| s.clone()).collect(),
        narratives: store.narratives().unwrap(),
        codebook: store.codebook().unwrap(),
        variables: store.variables().unwrap(),
        efforts: store.efforts().unwrap(),
        links: store.links().unwrap(),
    };
    (selection, sessions)
}

fn export(store: &Store, format: &str, output: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    fieldlog::export::write(store, format, Default::default(), output, now(), None, &Options::default())
        .map(|w| w.files)
        .map_err(|e| e.to_string())
}

fn members(path: &Path) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut member = zip.by_index(i).unwrap();
            let mut text = String::new();
            member.read_to_string(&mut text).unwrap();
            (member.name().unwrap().to_string(), text)
        })
        .collect()
}

#[test]
fn a_csv_export_of_many_sessions_is_the_study_written_whole_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let store = study(dir.path());
    let folder = dir.path().join("tables");
    export(&store, "csv", &folder).unwrap();
    let (selection, sessions) = whole(&store);
    let narratives = selection.narratives.len();
    assert!(sessions.len() == 12 && narratives >= 12, "many sessions and narratives: {narratives}");
    let told = Told::of_all(&sessions, &selection.narratives);
    let parts = TableParts::new(&selection, false);
    let tables = parts.tables(&told);
    for table in Table::ALL {
        let mut want = csv::BOM.to_vec();
        want.extend(csv::to_string(&tables, table).into_bytes());
        if table == Table::Lines {
            for (session, lines) in &sessions {
                want.extend(csv::line_rows(&tables, session, lines));
            }
        }
        let got = std::fs::read(folder.join(table.file())).unwrap();
        assert!(got == want, "{} differs from the study written whole", table.file());
    }
}

#[test]
fn a_qdpx_of_many_sessions_is_the_study_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = study(dir.path());
    let output = dir.path().join("studie.qdpx");
    export(&store, "qdpx", &output).unwrap();
    let (selection, sessions) = whole(&store);
    let mut placed = std::collections::HashMap::new();
    let mut want = Vec::new();
    for (session, lines) in &sessions {
        let source = qdpx::source_text(lines);
        let own: Vec<_> = selection.narratives.iter().filter(|n| n.session == session.id).collect();
        placed.insert(session.id, Placed::of(&source, &own));
        want.push((format!("sources/{}.txt", session.id), source.text));
    }
    let project = Project {
        name: "studie",
        cases: &selection.cases,
        sessions: &selection.sessions,
        placed: &placed,
        narratives: &selection.narratives,
        codebook: &selection.codebook,
        variables: &selection.variables,
        cases_as_codes: false,
        description: None,
        recordings: &Default::default(),
        contacts: &selection.contacts,
    };
    want.insert(0, ("project.qde".to_string(), qdpx::project(&project).unwrap()));
    let got = members(&output);
    assert_eq!(got.len(), want.len());
    for ((name, text), (want_name, want_text)) in got.iter().zip(&want) {
        assert_eq!(name, want_name);
        assert!(text == want_text, "{name} differs from the study written whole");
    }
    assert!(want[0].1.matches("<PlainTextSelection").count() >= selection.narratives.len());
}

#[test]
fn an_xlsx_of_many_sessions_has_every_line_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = study(dir.path());
    let output = dir.path().join("tables.xlsx");
    export(&store, "xlsx", &output).unwrap();
    let (_, sessions) = whole(&store);
    let sheet = members(&output).into_iter().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap().1;
    let lines: Vec<&Utterance> = sessions.iter().flat_map(|(_, l)| l).filter(|l| !l.deleted).collect();
    assert_eq!(sheet.matches("<row ").count(), lines.len() + 1);
    // Each session's first line, in the sessions' order.
    let mut at = 0;
    for (session, _) in &sessions {
        let found = sheet[at..].find(&session.id.to_string()).expect("every session, in order");
        at += found;
    }
}

/// A phone number in the very last line of the study.
fn leak_at_the_end(store: &Store) -> String {
    let session = store.sessions().unwrap().pop().unwrap();
    let mut last = store.utterances(session.id).unwrap().pop().unwrap();
    last.text = "ring til mig på 42 33 44 55".into();
    store.commit(&[Change::Utterance(last.clone())]).unwrap();
    format!("line {} of case", last.seq)
}

/// What is in `dir`, hidden files included.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_leak_in_the_last_line_leaves_no_file_behind_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = study(dir.path());
    // The generated names are all allowed; one study-wide term is listed, so the byte check runs too.
    let mut list = MaskList::default();
    list.add("Navnesen", "[navn]", None).unwrap();
    store.commit(&[Change::MaskList(list)]).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for format in ["csv", "xlsx", "qdpx"] {
        export(&store, format, &out.join(format!("before.{format}")))
            .unwrap_or_else(|e| panic!("{format}: {e}"));
    }
    let before = listing(&out);
    let place = leak_at_the_end(&store);
    for format in ["csv", "xlsx", "qdpx"] {
        let refused = export(&store, format, &out.join(format!("refused.{format}"))).unwrap_err();
        assert!(
            refused.contains(&place)
                && refused.contains("a phone number \"42 33 44 55\"")
                && refused.contains("--allow-leaks"),
            "{format}: {refused}"
        );
        assert_eq!(listing(&out), before, "{format}: nothing new, not even a temporary file");
        // Over an earlier export of the same name: the earlier one stays as it was.
        let earlier = out.join(format!("before.{format}"));
        let kept = if earlier.is_dir() {
            listing(&earlier)
        } else {
            vec![std::fs::read(&earlier).unwrap().len().to_string()]
        };
        assert!(export(&store, format, &earlier).is_err());
        let now = if earlier.is_dir() {
            listing(&earlier)
        } else {
            vec![std::fs::read(&earlier).unwrap().len().to_string()]
        };
        assert_eq!(kept, now, "{format}");
    }
    assert_eq!(listing(&out), before);
}

#[test]
fn a_listed_term_written_where_no_mask_applies_is_caught_in_the_bytes_and_no_file_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = study(dir.path());
    // The last case's code is written as it is in every row of its lines: listing it is caught only in the bytes.
    let mut list = MaskList::default();
    list.add("G3", "[kode]", None).unwrap();
    store.commit(&[Change::MaskList(list)]).unwrap();
    for (format, name) in [("csv", "tables"), ("xlsx", "t.xlsx"), ("qdpx", "p.qdpx")] {
        let output = dir.path().join(name);
        let refused = export(&store, format, &output).unwrap_err();
        assert!(
            refused.contains("the listed term \"G3\"") && refused.contains("(the file is not kept)"),
            "{format}: {refused}"
        );
        assert!(!output.exists(), "{format}");
    }
    assert_eq!(listing(dir.path()), ["study"]);
}
