//! Narratives, search and the codebook from the command line, on a temporary store.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn fieldlog<S: AsRef<std::ffi::OsStr>>(store: &Path, args: &[S]) -> Output {
    let words: Vec<String> = args.iter().map(|a| a.as_ref().to_string_lossy().into_owned()).collect();
    support::made(store, &words.iter().map(String::as_str).collect::<Vec<_>>());
    Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .env("FIELDLOG_AUTHOR", "anna")
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .unwrap()
}

fn ok(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn refused<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(store: &Path, args: &[S]) -> String {
    let out = fieldlog(store, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one sentence: {stderr}");
    stderr
}

/// A case with an interview of five lines; returns the session id.
fn interview(store: &Path) -> String {
    ok(store, &["case", "add", "AA"]);
    let id = ok(store, &["session", "start", "--case", "AA", "--kind", "interview"]).trim().to_string();
    for (speaker, text) in [
        ("I", "Hvordan har du det med jobcentret?"),
        ("AA", "Jeg ærgrer mig over, at det tog så lang tid"),
        ("AA", "Men praktikken har givet mig Selvværd igen"),
        ("AA", "Nu vil jeg gerne have et rigtigt arbejde"),
        ("I", "Det lyder godt"),
    ] {
        ok(store, &["log", "--session", &id, "--speaker", speaker, text]);
    }
    id
}

#[test]
fn a_narrative_over_lines_2_to_4_lists_back_as_json_with_codes_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    let session = interview(store);
    let id = ok(
        store,
        &[
            "narrative",
            "add",
            "--session",
            &session,
            "--from",
            "2",
            "--to",
            "4",
            "--title",
            "Fra ærgrelse til håb",
            "--code",
            "agency:high",
            "--code",
            "forward-looking",
            "--code",
            "T3",
            "--memo",
            "vendepunkt",
        ],
    );
    let listed: Value = serde_json::from_str(&ok(store, &["narrative", "list", "--json"])).unwrap();
    let n = &listed[0];
    assert_eq!(n["id"], id.trim());
    assert_eq!(n["case"], "AA");
    assert_eq!((n["first_seq"].as_u64(), n["last_seq"].as_u64()), (Some(2), Some(4)));
    assert_eq!(n["title"], "Fra ærgrelse til håb");
    assert_eq!(n["author"], "anna");
    let codes: Vec<(String, String)> = n["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["group"].as_str().unwrap().to_string(), c["code"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        codes,
        [("time orientation", "forward-looking"), ("agency", "high"), ("interview theme", "T3")]
            .map(|(g, c)| (g.to_string(), c.to_string()))
    );
    let texts: Vec<&str> =
        n["lines"].as_array().unwrap().iter().map(|l| l["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "Jeg ærgrer mig over, at det tog så lang tid",
            "Men praktikken har givet mig Selvværd igen",
            "Nu vil jeg gerne have et rigtigt arbejde"
        ]
    );
    let shown = ok(store, &["narrative", "show", id.trim()]);
    assert!(shown.contains("Fra ærgrelse til håb") && shown.contains("code: agency: high"), "{shown}");
}

#[test]
fn narratives_filter_by_case_and_exact_codes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    let session = interview(store);
    let add = |from: &str, to: &str, title: &str, codes: &[&str]| {
        let mut args =
            vec!["narrative", "add", "--session", &session, "--from", from, "--to", to, "--title", title];
        for c in codes {
            args.extend(["--code", c]);
        }
        ok(store, &args);
    };
    add("2", "2", "Ærgrelse", &["agency:low", "backward-looking"]);
    add("3", "4", "Håb", &["agency:high", "forward-looking"]);
    add("4", "4", "Arbejde", &["agency:high", "here-and-now"]);
    let titles = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["narrative", "list", "--json"];
        all.extend_from_slice(args);
        let listed: Value = serde_json::from_str(&ok(store, &all)).unwrap();
        listed.as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(titles(&["--code", "agency:high", "--code", "forward-looking"]), ["Håb"]);
    assert_eq!(titles(&["--code", "agency:high"]), ["Håb", "Arbejde"]);
    assert_eq!(titles(&["--code", "backward-looking|here-and-now"]), ["Ærgrelse", "Arbejde"]);
    assert_eq!(titles(&["--case", "AA"]).len(), 3);
}

#[test]
fn bad_narratives_are_refused_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    let session = interview(store);
    let with = |more: &[&'static str]| {
        let mut args: Vec<String> = ["narrative", "add", "--session", &session].map(String::from).to_vec();
        args.extend(more.iter().map(|a| a.to_string()));
        args
    };
    assert!(refused(store, &with(&["--from", "4", "--to", "9", "--title", "x"]))
        .contains("lines 4–9 are not a span"));
    assert!(refused(store, &with(&["--from", "1", "--to", "2", "--title", " "])).contains("needs a title"));
    assert!(refused(store, &with(&["--from", "1", "--to", "2", "--title", "x", "--code", "nonsense"]))
        .contains("no code \"nonsense\""));
    let both = refused(
        store,
        &with(&["--from", "1", "--to", "2", "--title", "x", "--code", "low", "--code", "high"]),
    );
    assert!(both.contains("group \"agency\" is scale"), "{both}");
    assert_eq!(ok(store, &["narrative", "list"]).trim(), "no narratives match");
    ok(store, &["narrative", "add", "--session", &session, "--from", "1", "--to", "1", "--title", "x"]);
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "").unwrap();
    assert!(refused(store, &["codebook", "import", "--replace", file.to_str().unwrap()])
        .contains("already has narratives"));
}

#[test]
fn search_ignores_case_over_danish_letters_in_a_stable_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    let session = interview(store);
    ok(
        store,
        &[
            "narrative",
            "add",
            "--session",
            &session,
            "--from",
            "3",
            "--to",
            "3",
            "--title",
            "Selvværd tilbage",
        ],
    );
    let hits = |text: &str| -> Vec<(String, u64)> {
        let found: Value = serde_json::from_str(&ok(store, &["search", text, "--json"])).unwrap();
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["in"].as_str().unwrap().to_string(), h["seq"].as_u64().unwrap()))
            .collect()
    };
    let expected = vec![("narrative-title".to_string(), 3), ("line".to_string(), 3)];
    assert_eq!(hits("selvværd"), expected);
    assert_eq!(hits("SELVVÆRD"), expected);
    assert_eq!(hits("ÆRGRE"), vec![("line".to_string(), 2)]);
    assert_eq!(hits("jobcentret").len(), 1);
    assert!(hits("zzz").is_empty());
    let found: Value = serde_json::from_str(&ok(store, &["search", "ærgre", "--json"])).unwrap();
    let (text, range) = (found[0]["text"].as_str().unwrap(), &found[0]["match"]);
    let (start, end) = (range[0].as_u64().unwrap() as usize, range[1].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "ærgre");
}

#[test]
fn a_codebook_file_is_merged_and_exported_and_a_bad_one_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    let store = study.as_path();
    let file = dir.path().join("codebook.toml");
    std::fs::write(&file, "[[group]]\nname = \"setting\"\nkind = \"one-of\"\n\n[[group.code]]\nname = \"job centre\"\ndescription = \"at the job centre\"\n").unwrap();
    ok(store, &["codebook", "import", file.to_str().unwrap()]);
    let listed = ok(store, &["codebook", "list"]);
    assert!(
        listed.contains("setting [one-of]") && listed.contains("job centre — at the job centre"),
        "{listed}"
    );

    let before = ok(store, &["codebook", "export"]);
    std::fs::write(&file, "[[group]]\nname = \"place\"\nkind = \"any-of\"\n\n[[group]]\nname = \"mood\"\nkind = \"sometimes\"\n").unwrap();
    let error = refused(store, &["codebook", "import", file.to_str().unwrap()]);
    assert!(error.contains("codebook.toml:7: kind \"sometimes\" is unknown"), "{error}");
    assert_eq!(ok(store, &["codebook", "export"]), before, "nothing of the bad file was taken");

    let fresh = dir.path().join("fresh");
    std::fs::write(
        &file,
        "[[group]]\nname = \"place\"\nkind = \"any-of\"\n\n[[group.code]]\nname = \"home\"\n",
    )
    .unwrap();
    ok(&fresh, &["codebook", "import", "--replace", file.to_str().unwrap()]);
    assert_eq!(
        ok(&fresh, &["codebook", "list"]),
        "place [any-of]\n  home\n",
        "a study can start from its own codebook"
    );

    let exported = dir.path().join("exported.toml");
    ok(store, &["codebook", "export", "--output", exported.to_str().unwrap()]);
    let other = dir.path().join("other");
    ok(&other, &["codebook", "import", exported.to_str().unwrap()]);
    assert_eq!(ok(&other, &["codebook", "list"]), listed);
}
