//! `session attach`, `consent` and `recording` on the real binary: a
//! recording is checked, kept whole (sealed in an encrypted study), carried
//! by backups, and goes when its case is purged.

use fieldlog::domain::Kept;
use fieldlog::store::Store;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fieldlog(store: &Path, passphrase: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldlog"));
    command.arg("--store").arg(store).args(args).env_remove("FIELDLOG_PASSPHRASE");
    if let Some(p) = passphrase {
        command.env("FIELDLOG_PASSPHRASE", p);
    }
    command.output().unwrap()
}

fn ok(store: &Path, passphrase: Option<&str>, args: &[&str]) -> String {
    let out = fieldlog(store, passphrase, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(store: &Path, args: &[&str]) -> String {
    let out = fieldlog(store, None, args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name)
}

/// A study with one case and an interview session; the session's id.
fn study(store: &Path, passphrase: Option<&str>) -> String {
    ok(store, passphrase, &["init"]);
    ok(store, passphrase, &["case", "add", "P01"]);
    ok(store, passphrase, &["session", "start", "--case", "P01", "--kind", "interview"]).trim().to_string()
}

#[test]
fn an_attached_recording_is_copied_whole_with_its_length_and_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let session = study(&store, None);
    let said = ok(
        &store,
        None,
        &["session", "attach", &session, fixture("markers.mp3").to_str().unwrap(), "--offset", "-1:30"],
    );
    assert!(said.contains("markers.mp3, 00:00:06, mp3 48 kHz mono, copied into the study"), "{said}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&store, None, &["session", "recording", &session, "--json"])).unwrap();
    assert_eq!(shown["frames"], 288_000);
    assert_eq!(shown["bytes"], std::fs::metadata(fixture("markers.mp3")).unwrap().len());
    let copy = store.join("recordings").join(format!("{session}.mp3"));
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(fixture("markers.mp3")).unwrap());
    let expected = fieldlog::store::recordings::sha256_of(&fixture("markers.mp3")).unwrap();
    assert_eq!(shown["sha256"], expected);
    // The recording began 90 s before the session: line times in it are 90 s later.
    let s: serde_json::Value =
        serde_json::from_str(&ok(&store, None, &["session", "show", &session, "--json"])).unwrap();
    let started =
        chrono::DateTime::parse_from_rfc3339(s["session"]["clock"]["started"].as_str().unwrap()).unwrap();
    let recording =
        chrono::DateTime::parse_from_rfc3339(s["session"]["recording_started"].as_str().unwrap()).unwrap();
    assert_eq!((started - recording).num_milliseconds(), 90_000);
}

#[test]
fn a_file_that_is_no_recording_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let session = study(&store, None);
    let text = dir.path().join("notes.mp3");
    std::fs::write(&text, "these are my notes, not a recording").unwrap();
    let said = fails(&store, &["session", "attach", &session, text.to_str().unwrap()]);
    assert!(said.contains("notes.mp3 is no recording fieldlog can play"), "{said}");
    let said = fails(&store, &["session", "attach", &session, "/nowhere/x.wav"]);
    assert!(said.contains("cannot read /nowhere/x.wav"), "{said}");
    let said = fails(
        &store,
        &["session", "attach", &session, fixture("markers.ogg").to_str().unwrap(), "--offset", "soon"],
    );
    assert!(said.contains("--offset \"soon\" is no time"), "{said}");
    let said = fails(&store, &["session", "recording", &session]);
    assert!(said.contains("has no recording"), "{said}");
    assert!(
        !store.join("recordings").exists()
            || std::fs::read_dir(store.join("recordings")).unwrap().next().is_none()
    );
    // A second recording needs --replace; the first stays until then.
    ok(&store, None, &["session", "attach", &session, fixture("markers.flac").to_str().unwrap()]);
    let said = fails(&store, &["session", "attach", &session, fixture("markers.ogg").to_str().unwrap()]);
    assert!(said.contains("already has a recording (markers.flac)"), "{said}");
    ok(&store, None, &["session", "attach", &session, fixture("markers.ogg").to_str().unwrap(), "--replace"]);
    let files: Vec<String> = std::fs::read_dir(store.join("recordings"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec![format!("{session}.ogg")], "the replaced copy goes");
}

#[test]
fn a_linked_recording_stays_where_it_is_and_a_changed_one_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let session = study(&store, None);
    let mine = dir.path().join("interview.opus");
    std::fs::copy(fixture("markers.opus"), &mine).unwrap();
    let said = ok(&store, None, &["session", "attach", &session, mine.to_str().unwrap(), "--link"]);
    assert!(said.contains(&format!("linked at {}", mine.canonicalize().unwrap().display())), "{said}");
    assert!(!store.join("recordings").exists());
    let opened = Store::open(&store).unwrap();
    let recording = opened.recording(session.parse().unwrap()).unwrap().unwrap();
    assert!(matches!(recording.kept, Kept::Linked { .. }));
    assert!(opened.open_recording(&recording).is_ok());
    std::fs::write(&mine, b"cut").unwrap();
    let err = opened.open_recording(&recording).err().unwrap().to_string();
    assert!(err.contains("it has changed since it was attached"), "{err}");
}

#[test]
fn consent_is_noted_per_speaker_and_an_unknown_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let session = study(&store, None);
    let said = ok(&store, None, &["session", "consent", &session, "P01"]);
    assert!(said.contains("still without consent to recording: I"), "{said}");
    let said = fails(&store, &["session", "consent", &session, "Mette"]);
    assert!(said.contains("has no speaker \"Mette\": its speakers are P01, I"), "{said}");
    let said = ok(&store, None, &["session", "consent", &session, "all"]);
    assert!(said.contains("every speaker"), "{said}");
}

#[test]
fn an_encrypted_study_keeps_its_recording_sealed_and_plays_it_through_the_seal() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let phrase = "correct horse battery staple";
    let pass = Some(phrase);
    let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&store)
        .args(["init", "--encrypt"])
        .env("FIELDLOG_PASSPHRASE", phrase)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ok(&store, pass, &["case", "add", "P01"]);
    let session =
        ok(&store, pass, &["session", "start", "--case", "P01", "--kind", "interview"]).trim().to_string();
    let wav = dir.path().join("markers.wav");
    fieldlog::dev::sound::write_marker_wav(&wav, 6.0, &fieldlog::dev::sound::MARKERS).unwrap();
    ok(&store, pass, &["session", "attach", &session, wav.to_str().unwrap()]);
    let sealed = std::fs::read(store.join("recordings").join(format!("{session}.wav.sealed"))).unwrap();
    let plain = std::fs::read(&wav).unwrap();
    // Not a run of the recording's bytes is in the sealed file.
    assert!(!sealed.windows(64).any(|w| w == &plain[48_000 * 2..48_000 * 2 + 64]));
    assert!(!sealed.windows(4).any(|w| w == b"RIFF"));
    let opened = Store::open_with(&store, pass).unwrap();
    let recording = opened.recording(session.parse().unwrap()).unwrap().unwrap();
    let (mut bytes, len) = opened.open_recording(&recording).unwrap();
    assert_eq!(len, plain.len() as u64);
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut bytes, &mut back).unwrap();
    assert_eq!(back, plain);
    // Any moment can be read without the rest: seek into the middle of a chunk.
    use std::io::{Read, Seek, SeekFrom};
    bytes.seek(SeekFrom::Start(200_001)).unwrap();
    let mut some = [0u8; 100];
    bytes.read_exact(&mut some).unwrap();
    assert_eq!(&some[..], &plain[200_001..200_101]);
    // Chunks swapped on disk do not read as the recording: each is numbered inside its seal.
    let file = store.join("recordings").join(format!("{session}.wav.sealed"));
    let (header, chunk) = (20, 64 * 1024 + 37);
    let mut swapped = sealed.clone();
    swapped[header + chunk..header + 2 * chunk]
        .copy_from_slice(&sealed[header + 2 * chunk..header + 3 * chunk]);
    swapped[header + 2 * chunk..header + 3 * chunk]
        .copy_from_slice(&sealed[header + chunk..header + 2 * chunk]);
    std::fs::write(&file, &swapped).unwrap();
    let (mut bytes, _) = opened.open_recording(&recording).unwrap();
    let err = bytes.read_to_end(&mut Vec::new()).expect_err("a swapped chunk is refused");
    assert!(err.to_string().contains("chunk 1 does not open with the study's key"), "{err}");
}

#[test]
fn backups_carry_the_recording_record_and_a_purge_takes_the_copy() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let session = study(&store, None);
    ok(&store, None, &["session", "attach", &session, fixture("markers.m4a").to_str().unwrap()]);
    ok(&store, None, &["session", "consent", &session, "all"]);
    let backup = dir.path().join("b.json");
    ok(&store, None, &["backup", backup.to_str().unwrap()]);
    let elsewhere = dir.path().join("t");
    ok(&elsewhere, None, &["restore", backup.to_str().unwrap()]);
    let shown = ok(&elsewhere, None, &["session", "recording", &session]);
    assert!(shown.starts_with("markers.m4a, 00:00:06, aac"), "{shown}");
    assert!(!shown.contains("no consent"), "{shown}");
    ok(&store, None, &["case", "purge", "P01", "--yes"]);
    assert_eq!(
        std::fs::read_dir(store.join("recordings")).unwrap().count(),
        0,
        "the purged session's recording is gone"
    );
}

#[test]
fn an_elan_export_links_the_sessions_recording_and_an_unmasked_one_carries_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let session = study(&store, None);
    ok(&store, None, &["log", "--session", &session, "Det går godt"]);
    ok(
        &store,
        None,
        &["session", "attach", &session, fixture("markers.m4a").to_str().unwrap(), "--offset", "-5"],
    );
    let eaf = dir.path().join("masked.eaf");
    ok(
        &store,
        None,
        &["export", "--format", "eaf", "--session", &session, "--output", eaf.to_str().unwrap()],
    );
    let text = std::fs::read_to_string(&eaf).unwrap();
    let kept = store.join("recordings").join(format!("{session}.m4a")).canonicalize().unwrap();
    assert!(text.contains(&format!("MEDIA_URL=\"file://{}\"", kept.display())), "{text}");
    assert!(text.contains("MIME_TYPE=\"audio/mp4\""), "{text}");
    assert!(!dir.path().join("masked.m4a").exists(), "a masked export carries no voices");
    // The line was logged 5 s into the recording: its time in the document says so.
    assert!(text.contains("TIME_VALUE=\"5"), "{text}");

    let eaf = dir.path().join("out").join("raw.eaf");
    std::fs::create_dir_all(eaf.parent().unwrap()).unwrap();
    let out = fieldlog(
        &store,
        None,
        &[
            "export",
            "--format",
            "eaf",
            "--session",
            &session,
            "--unmasked",
            "--output",
            eaf.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let beside = dir.path().join("out").join("raw.m4a");
    assert_eq!(std::fs::read(&beside).unwrap(), std::fs::read(fixture("markers.m4a")).unwrap());
    let text = std::fs::read_to_string(&eaf).unwrap();
    assert!(text.contains("RELATIVE_MEDIA_URL=\"./raw.m4a\""), "{text}");
}

#[test]
fn check_finds_a_recording_whose_bytes_changed_or_went_missing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let session = study(&store, None);
    ok(&store, None, &["session", "attach", &session, fixture("markers.flac").to_str().unwrap()]);
    ok(&store, None, &["check"]);
    let copy = store.join("recordings").join(format!("{session}.flac"));
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&copy, &bytes).unwrap();
    let out = fieldlog(&store, None, &["check"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("its bytes are not those attached (SHA-256 differs)"), "{said}");
    std::fs::remove_file(&copy).unwrap();
    let out = fieldlog(&store, None, &["check"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("(markers.flac)"), "{said}");
}
