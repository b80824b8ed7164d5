//! `fieldlog sync DIR` from the command line: encrypted change files,
//! a refused folder, and a change file a crash left half written.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use support::files_holding;

fn run(store: &Path, passphrase: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldlog"));
    command.arg("--store").arg(store).args(args).env_remove("FIELDLOG_PASSPHRASE").stdin(Stdio::null());
    command.env("FIELDLOG_AUTHOR", "anna");
    if let Some(p) = passphrase {
        command.env("FIELDLOG_PASSPHRASE", p);
    }
    command.output().unwrap()
}

fn ok(store: &Path, passphrase: Option<&str>, args: &[&str]) -> String {
    let out = run(store, passphrase, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A study with one case, one session and one line; returns the session id.
fn study(store: &Path, passphrase: Option<&str>, line: &str) -> String {
    let init: &[&str] = if passphrase.is_some() { &["init", "--encrypt"] } else { &["init"] };
    ok(store, passphrase, init);
    ok(store, passphrase, &["case", "add", "AA"]);
    let session = ok(store, passphrase, &["session", "start", "--case", "AA", "--kind", "interview"]);
    let session = session.trim().to_string();
    ok(store, passphrase, &["log", "--session", &session, "--speaker", "AA", line]);
    session
}

#[test]
fn encrypted_change_files_hold_no_plaintext_and_open_on_a_teammates_laptop() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, folder) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("shared"));
    std::fs::create_dir(&folder).unwrap();
    let key = Some("korrekt hest batteri");
    let session = study(&a, key, "Jeg ærgrer mig over praktikken");
    ok(
        &a,
        key,
        &["narrative", "add", "--session", &session, "--from", "1", "--to", "1", "--title", "Ærgrelsen"],
    );
    let said = ok(&a, key, &["sync", folder.to_str().unwrap()]);
    assert!(said.contains("sent"), "{said}");
    for word in ["ærgrer", "Ærgrelsen", "praktikken", "anna"] {
        assert!(files_holding(&folder, word.as_bytes()).is_empty(), "{word:?} readable in the sync folder");
    }
    // A teammate's encrypted study (its own salt) with the team's passphrase.
    ok(&b, key, &["init", "--encrypt"]);
    ok(&b, key, &["sync", folder.to_str().unwrap()]);
    let shown = ok(&b, key, &["session", "show", &session]);
    assert!(shown.contains("Jeg ærgrer mig over praktikken"), "{shown}");
    assert!(ok(&b, key, &["narrative", "list"]).contains("Ærgrelsen"));
    // A plain study cannot open them, and says so without failing the sync.
    let c = dir.path().join("c");
    ok(&c, None, &["init"]);
    let said = ok(&c, None, &["sync", folder.to_str().unwrap()]);
    assert!(said.contains("sealed") && said.contains("left alone"), "{said}");
    assert!(!ok(&c, None, &["session", "list"]).contains(&session[..8]));
}

#[test]
fn a_folder_that_is_not_there_is_refused_in_one_sentence_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    study(&store, None, "hej");
    let backup = |name: &str| {
        let path = dir.path().join(name);
        ok(&store, None, &["backup", path.to_str().unwrap()]);
        std::fs::read(path).unwrap()
    };
    let before = backup("before.json");
    let missing = dir.path().join("no such folder");
    let out = run(&store, None, &["sync", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = String::from_utf8(out.stderr).unwrap();
    assert_eq!(said.trim_end().lines().count(), 1, "{said}");
    assert!(said.contains("no such folder") && said.contains("does not exist"), "{said}");
    assert_eq!(backup("after.json"), before);
    assert!(!missing.exists());
}

#[test]
fn a_change_file_a_crash_cut_mid_record_is_finished_by_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, folder) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("shared"));
    std::fs::create_dir(&folder).unwrap();
    let session = study(&a, None, "første linje");
    ok(&a, None, &["sync", folder.to_str().unwrap()]);
    let own = std::fs::read_dir(&folder).unwrap().next().unwrap().unwrap().path();
    let whole = std::fs::read(&own).unwrap();
    // kill -9 while the next record was being written: half of it is on disk.
    ok(&a, None, &["log", "--session", &session, "--speaker", "AA", "anden linje"]);
    ok(&a, None, &["sync", folder.to_str().unwrap()]);
    let two = std::fs::read(&own).unwrap();
    let cut = whole.len() + (two.len() - whole.len()) / 2;
    std::fs::write(&own, &two[..cut]).unwrap();
    // The store noted the second record as sent (a crash before the note
    // would send it again): a file that lost a noted record gets the whole
    // study again on the next sync.
    ok(&b, None, &["init"]);
    let said = ok(&b, None, &["sync", folder.to_str().unwrap()]);
    assert!(said.contains("not yet") && said.contains("cut short"), "{said}");
    ok(&a, None, &["log", "--session", &session, "--speaker", "AA", "tredje linje"]);
    ok(&a, None, &["sync", folder.to_str().unwrap()]);
    ok(&b, None, &["sync", folder.to_str().unwrap()]);
    let shown = ok(&b, None, &["session", "show", &session]);
    for line in ["første linje", "anden linje", "tredje linje"] {
        assert!(shown.contains(line), "{line} missing: {shown}");
    }
}

#[test]
fn a_blind_setting_travels_with_sync_and_hides_the_first_coders_work_from_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, folder) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("shared"));
    std::fs::create_dir(&folder).unwrap();
    let session = study(&a, None, "Jeg vil gerne arbejde");
    ok(
        &a,
        None,
        &["narrative", "add", "--session", &session, "--from", "1", "--to", "1", "--title", "Viljen"],
    );
    let said = ok(&a, None, &["session", "blind", &session]);
    assert!(said.contains("coded blind"), "{said}");
    ok(&a, None, &["sync", folder.to_str().unwrap()]);
    ok(&b, None, &["init"]);
    // bo's laptop: the setting came with the study.
    let bo = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .arg("--store")
            .arg(&b)
            .args(args)
            .env("FIELDLOG_AUTHOR", "bo")
            .env_remove("FIELDLOG_PASSPHRASE")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    bo(&["sync", folder.to_str().unwrap()]);
    assert!(bo(&["narrative", "list"]).contains("no narratives match"));
    assert!(bo(&["search", "Viljen"]).contains("nothing found"));
    assert!(bo(&["search", "arbejde"]).contains("Jeg vil gerne arbejde"), "lines are found as ever");
    bo(&["narrative", "add", "--session", &session, "--from", "1", "--to", "1", "--title", "Arbejdslysten"]);
    bo(&["sync", folder.to_str().unwrap()]);
    ok(&a, None, &["sync", folder.to_str().unwrap()]);
    let annas = ok(&a, None, &["narrative", "list"]);
    assert!(annas.contains("Viljen") && !annas.contains("Arbejdslysten"), "{annas}");
    // The agreement report compares both.
    let report = ok(&a, None, &["report", "agreement"]);
    assert!(report.contains("Agreement between anna, bo"), "{report}");
    // Off again: everyone's narratives show.
    ok(&a, None, &["session", "blind", &session, "--off"]);
    let all = ok(&a, None, &["narrative", "list"]);
    assert!(all.contains("Viljen") && all.contains("Arbejdslysten"), "{all}");
}

fn case_codes(store: &Path) -> Vec<String> {
    let cases: serde_json::Value =
        serde_json::from_str(&ok(store, None, &["case", "list", "--json"])).unwrap();
    cases.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect()
}

/// `case purge` on one laptop of three: the purging laptop's change file
/// is rewritten without the case at once; each teammate's laptop erases
/// the case when it syncs and rewrites its own file; no sync brings the
/// case back from an older record, and a laptop that joins later never
/// sees it. In the end no file of any store or of the folder holds its words.
#[test]
fn a_purged_case_is_erased_on_every_laptop_and_from_every_change_file() {
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c, d] = ["a", "b", "c", "d"].map(|n| dir.path().join(n));
    let folder = dir.path().join("shared");
    std::fs::create_dir(&folder).unwrap();
    let shared = folder.to_str().unwrap();
    let secret = "Hemmelighed-om-AA-4412";
    let session = study(&a, None, &format!("{secret} fortalt i tillid"));
    ok(&a, None, &["session", "attach", &session, audio("markers.flac").to_str().unwrap()]);
    ok(&a, None, &["case", "add", "BB"]);
    let bb = ok(&a, None, &["session", "start", "--case", "BB", "--kind", "interview"]);
    ok(&a, None, &["log", "--session", bb.trim(), "--speaker", "BB", "BB bliver i studiet"]);
    ok(&a, None, &["sync", shared]);
    let a_file = std::fs::read_dir(&folder).unwrap().flatten().find(|e| e.path().is_file()).unwrap().path();
    for l in [&b, &c] {
        ok(l, None, &["init"]);
        ok(l, None, &["sync", shared]);
    }
    // b adds words of its own about AA: they are in b's file only.
    let b_words = "Beates-tilfoejelse-om-AA";
    ok(&b, None, &["log", "--session", &session, "--speaker", "AA", b_words]);
    ok(&b, None, &["sync", shared]);
    ok(&a, None, &["sync", shared]);
    assert!(ok(&a, None, &["session", "show", &session]).contains(b_words));

    let said = ok(&a, None, &["case", "purge", "AA", "--yes"]);
    assert!(said.contains("each teammate must sync"), "{said}");
    assert!(said.contains("was rewritten without it"), "{said}");
    assert!(
        files_holding(&folder, secret.as_bytes()).is_empty(),
        "a's own file still holds the purged words"
    );
    let holding = files_holding(&folder, b_words.as_bytes());
    assert!(holding.len() == 1 && holding[0] != a_file, "b's file is b's to clean: {holding:?}");
    assert!(files_holding(&a, secret.as_bytes()).is_empty());

    // a laptop that joins now, while b's file still holds b's words about
    // AA, reads the purge first (a's file, the first made, is read first)
    // and so never brings the case in from b's older records.
    ok(&a, None, &["sync", shared]);
    ok(&d, None, &["init"]);
    let said = ok(&d, None, &["sync", shared]);
    assert!(!said.contains("erased case"), "{said}");
    assert_eq!(case_codes(&d), ["BB"]);
    // b and c erase the case when they hear of the purge, and clean their files.
    let said = ok(&c, None, &["sync", shared]);
    assert!(said.contains("erased case AA"), "{said}");
    let said = ok(&b, None, &["sync", shared]);
    assert!(said.contains("erased case AA"), "{said}");
    assert!(said.contains("change file was rewritten without it"), "{said}");
    for _ in 0..2 {
        for l in [&a, &b, &c, &d] {
            ok(l, None, &["sync", shared]);
        }
    }
    for l in [&a, &b, &c, &d] {
        assert_eq!(case_codes(l), ["BB"], "{}", l.display());
        for words in [secret, b_words] {
            assert!(files_holding(l, words.as_bytes()).is_empty(), "{words} in {}", l.display());
        }
    }
    for words in [secret, b_words] {
        assert!(files_holding(&folder, words.as_bytes()).is_empty(), "{words} still in the sync folder");
    }
    // The case's sound is gone from the folder and from every store too.
    let sound = std::fs::read(audio("markers.flac")).unwrap();
    for place in [&folder, &a, &b, &c, &d] {
        assert!(
            files_holding(place, &sound[..256]).is_empty(),
            "the purged case's recording in {}",
            place.display()
        );
    }
}

fn audio(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name)
}

/// A recording's sound goes through the folder: copied there once by its
/// laptop, taken by a teammate that has its record (checked by SHA-256),
/// a linked recording stays a link, and a copy that is not the
/// recording's bytes is refused and said so.
#[test]
fn a_recordings_sound_goes_through_the_folder_and_a_changed_copy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c] = ["a", "b", "c"].map(|n| dir.path().join(n));
    let folder = dir.path().join("shared");
    std::fs::create_dir(&folder).unwrap();
    let shared = folder.to_str().unwrap();
    let session = study(&a, None, "Vi optager");
    let sound = audio("markers.flac");
    ok(&a, None, &["session", "attach", &session, sound.to_str().unwrap()]);
    // A second session's recording linked where it is: it stays a link.
    let linked =
        ok(&a, None, &["session", "start", "--case", "AA", "--kind", "interview"]).trim().to_string();
    ok(&a, None, &["session", "attach", &linked, audio("markers.mp3").to_str().unwrap(), "--link"]);
    let said = ok(&a, None, &["sync", shared]);
    assert!(said.contains("recordings: 1 copied into the folder"), "{said}");
    let copies: Vec<_> =
        std::fs::read_dir(folder.join("recordings")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(std::fs::read(&copies[0]).unwrap(), std::fs::read(&sound).unwrap());
    assert!(ok(&a, None, &["sync", shared]).contains("nothing new"), "written once");

    ok(&b, None, &["init"]);
    let said = ok(&b, None, &["sync", shared]);
    assert!(said.contains("1 taken from it"), "{said}");
    ok(&b, None, &["check"]);
    let saved = dir.path().join("b.json");
    ok(&b, None, &["backup", saved.to_str().unwrap()]);
    let backup: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let kept: Vec<String> = backup["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["recording"]["kept"].as_object().map(|k| k.keys().next().unwrap().clone()))
        .collect();
    assert_eq!(kept.iter().filter(|k| *k == "linked").count(), 1, "{kept:?}");
    assert_eq!(kept.iter().filter(|k| *k == "copied").count(), 1, "{kept:?}");

    // A copy changed in the folder (damaged, or not the recording) is left alone.
    let mut bytes = std::fs::read(&copies[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&copies[0], &bytes).unwrap();
    ok(&c, None, &["init"]);
    let said = ok(&c, None, &["sync", shared]);
    assert!(said.contains("SHA-256 differs"), "{said}");
    assert!(!run(&c, None, &["check"]).status.success(), "c holds no sound for the recording");
}

/// In an encrypted study the copy in the folder is the study's sealed file,
/// which a teammate's encrypted study (its own salt, the team's
/// passphrase) opens and keeps sealed with its own key.
#[test]
fn an_encrypted_studys_recording_goes_through_the_folder_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, folder) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("shared"));
    std::fs::create_dir(&folder).unwrap();
    let shared = folder.to_str().unwrap();
    let key = Some("korrekt hest batteri");
    let session = study(&a, key, "Vi optager");
    let sound = audio("markers.flac");
    ok(&a, key, &["session", "attach", &session, sound.to_str().unwrap()]);
    ok(&a, key, &["sync", shared]);
    let plain = std::fs::read(&sound).unwrap();
    assert!(files_holding(&folder, &plain[..64]).is_empty(), "the sound is readable in the folder");
    ok(&b, key, &["init", "--encrypt"]);
    let said = ok(&b, key, &["sync", shared]);
    assert!(said.contains("1 taken from it"), "{said}");
    ok(&b, key, &["check"]);
    assert!(files_holding(&b, &plain[..64]).is_empty(), "the sound is readable in b's store");
}
