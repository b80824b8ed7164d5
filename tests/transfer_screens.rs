//! Importing a transcript and exporting the study from the app.

mod common;

use common::Harness;

#[test]
fn a_transcript_is_imported_from_the_case_screen() {
    let mut h = Harness::new();
    h.press("a");
    h.type_text("AA");
    h.press("enter enter i");
    let file = h.dir.path().join("samtale.txt");
    std::fs::write(
        &file,
        "I: Hvordan går det? [00:00:03]\nAA: Godt, tak [00:00:07]\nMK: Og mig? [00:00:09]\n",
    )
    .unwrap();
    h.type_text(&format!("{} interview 2026-03-01 09:30", file.display()));
    h.press("enter");
    // The file is read in the background, then saved through the writer.
    h.app.wait_for_export();
    h.settle();
    let screen = h.screen(100, 24);
    assert!(screen.contains("Imported 3 lines as a new session; MK spoke as \"other\""), "{screen}");
    assert!(screen.contains("interview"), "{screen}");
    let at_80: String = h.screen(80, 24).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(at_80.contains("MK spoke as \"other\" (import with --role to say who)."), "whole at 80: {at_80}");
    let sessions = h.store.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].recording_ms(h.store.utterances(sessions[0].id).unwrap()[1].onset), Some(7_000));
    assert_eq!(
        sessions[0].clock.started.to_rfc3339(),
        "2026-03-01T09:30:00+01:00",
        "the day it was recorded"
    );

    h.press("i");
    h.type_text("/no/such/file.txt interview");
    h.press("enter");
    h.app.wait_for_export();
    assert!(h.screen(100, 24).contains("cannot read /no/such/file.txt"));
    assert_eq!(h.store.sessions().unwrap().len(), 1, "nothing was imported");
}

#[test]
fn the_study_is_exported_from_home_with_progress_then_the_result() {
    let mut h = Harness::new();
    h.start_session("AA", "");
    h.type_text("Jeg vil gerne have et job");
    h.press("enter esc");
    h.settle();
    let out = h.dir.path().join("studie.qdpx");
    h.press("E");
    h.type_text(&format!("qdpx {}", out.display()));
    h.press("enter");
    h.app.wait_for_export();
    let screen = h.screen(120, 24);
    assert!(
        screen.contains(&format!("Exported qdpx to {}: wrote {}", out.display(), out.display())),
        "{screen}"
    );
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"), "a zip");
    h.press("E");
    h.type_text("pdf /tmp/x.pdf");
    h.press("enter");
    let screen = h.screen(120, 24);
    assert!(screen.contains("\"pdf\" is no format") && screen.contains("pdf /tmp/x.pdf"), "{screen}");
}

#[test]
fn an_encrypted_study_is_not_exported_from_the_app_in_plain_text() {
    let mut h = Harness::encrypted();
    h.start_session("AA", "");
    h.type_text("Jeg vil gerne have et job");
    h.press("enter esc");
    h.settle();
    let out = h.dir.path().join("studie.qdpx");
    h.press("E");
    h.type_text(&format!("qdpx {}", out.display()));
    h.press("enter");
    h.app.wait_for_export();
    let screen = h.screen(120, 24);
    assert!(screen.contains("encrypted") && screen.contains("--plaintext"), "{screen}");
    assert!(!out.exists(), "nothing unencrypted was written");
}
