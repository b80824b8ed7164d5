use super::*;
use crate::domain::{CaseCode, Narrative, Place, SessionClock, SessionKind, Speaker, UtteranceKind};
use chrono::DateTime;
use writer::{Durability, Job, Saved, Writer};

pub(super) fn t0() -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap()
}

pub(super) fn session(case: &Case) -> Session {
    Session {
        id: Id::new(),
        case_id: case.id,
        kind: SessionKind::Observation,
        contact_point: 1,
        place: Place::JobCentre,
        place_text: String::new(),
        speakers: vec![Speaker::parse("1=AA:participant", 1).unwrap()],
        clock: SessionClock::start(t0()),
        ended: None,
        recording_started: None,
        themes_ticked: vec![],
        notes: String::new(),
    }
}

pub(super) fn line(session: Id, seq: u32, text: &str) -> Utterance {
    Utterance {
        session,
        seq,
        speaker: "AA".into(),
        kind: UtteranceKind::Speech,
        text: text.into(),
        onset: t0(),
        committed: t0(),
        elapsed_ms: 1000 * i64::from(seq),
        mark: None,
        deleted: false,
    }
}

#[test]
fn committed_lines_are_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], t0());
    let s = session(&case);
    {
        let store = Store::open_or_create(dir.path()).unwrap();
        store.add_case(&case).unwrap();
        store.commit(&[Change::Session(s.clone())]).unwrap();
        for seq in 1..=300 {
            store.commit(&[Change::Utterance(line(s.id, seq, "Det må jeg ærgre mig over"))]).unwrap();
        }
    }
    let store = Store::open_or_create(dir.path()).unwrap();
    let lines = store.utterances(s.id).unwrap();
    assert_eq!(lines.len(), 300);
    assert!(lines.iter().enumerate().all(|(i, u)| u.seq == i as u32 + 1));
    assert_eq!(store.last_seq(s.id).unwrap(), 300);
    assert_eq!(store.case_by_code(&case.code).unwrap().unwrap(), case);
    assert_eq!(store.session(s.id).unwrap().unwrap(), s);
}

#[test]
fn a_second_open_names_the_store_and_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open_or_create(dir.path()).unwrap();
    let err = match Store::open_or_create(dir.path()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a second open must fail"),
    };
    assert!(err.contains(&dir.path().display().to_string()), "{err}");
    assert!(err.contains("in use by another fieldlog"), "{err}");
    assert!(err.contains(&std::process::id().to_string()), "{err}");
}

#[test]
fn case_codes_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(dir.path()).unwrap();
    let code = CaseCode::parse("NTC").unwrap();
    store.add_case(&Case::new(code.clone(), vec![], t0())).unwrap();
    let again = store.add_case(&Case::new(code, vec![], t0()));
    assert!(matches!(again, Err(StoreError::CaseExists(_))));
    assert_eq!(store.cases().unwrap().len(), 1);
}

#[test]
fn a_correction_keeps_the_earlier_text_and_clears_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(dir.path()).unwrap();
    let s = Id::new();
    store.commit(&[Change::Utterance(line(s, 1, "hej"))]).unwrap();
    let before = line(s, 1, "hej");
    let revision =
        Revision { session: s, seq: 1, speaker: "AA".into(), text: before.text.clone(), replaced: t0() };
    store.commit(&[Change::Revision(revision), Change::Utterance(line(s, 1, "hej med dig"))]).unwrap();
    assert_eq!(store.utterances(s).unwrap()[0].text, "hej med dig");
    assert_eq!(store.revisions(s).unwrap()[0].text, "hej");
}

#[test]
fn a_newer_store_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open_or_create(dir.path()).unwrap();
        store.sled.db.open_tree("meta").unwrap().insert("format", &[STORE_FORMAT + 1]).unwrap();
        store.make_durable().unwrap();
    }
    let err = Store::open_or_create(dir.path()).err().expect("newer store must be refused");
    assert!(err.to_string().contains("newer fieldlog"), "{err}");
}

#[cfg(unix)]
#[test]
fn the_store_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("study");
    let _store = Store::open_or_create(&dir).unwrap();
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn the_writer_acknowledges_each_job_after_saving_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open_or_create(dir.path()).unwrap());
    let s = Id::new();
    let (mut writer, saved) = writer::Writer::spawn(store.clone());
    for seq in 1..=20 {
        let changes = vec![Change::Utterance(line(s, seq, "x"))];
        assert!(writer.send(writer::Job {
            tag: u64::from(seq),
            changes,
            durability: writer::Durability::Synced
        }));
    }
    let tags: Vec<u64> = (0..20).map(|_| saved.recv().unwrap()).map(|a| a.tag).collect();
    assert_eq!(tags, (1..=20).collect::<Vec<_>>());
    writer.finish();
    assert_eq!(store.utterances(s).unwrap().len(), 20);
}

#[test]
fn lines_left_only_in_the_journal_are_replayed_once_on_open() {
    let first = tempfile::tempdir().unwrap();
    let s = Id::new();
    let journal = {
        let store = Store::open_or_create(first.path()).unwrap();
        for seq in 1..=5 {
            store.commit(&[Change::Utterance(line(s, seq, "kun i journalen"))]).unwrap();
        }
        std::fs::read(first.path().join("journal")).unwrap()
    };
    assert!(!journal.is_empty(), "no checkpoint has emptied the journal yet");
    // A store whose sled never got the lines: everything comes from the journal.
    let second = tempfile::tempdir().unwrap();
    drop(Store::create(second.path(), None).unwrap());
    std::fs::write(second.path().join("journal"), &journal).unwrap();
    let store = Store::open_or_create(second.path()).unwrap();
    assert_eq!(store.utterances(s).unwrap().len(), 5);
    assert_eq!(store.journal_len(), 0, "opening checkpoints what it replayed");
    drop(store);
    // Replaying again over lines sled already has changes nothing.
    std::fs::write(second.path().join("journal"), &journal).unwrap();
    let store = Store::open_or_create(second.path()).unwrap();
    assert_eq!(store.utterances(s).unwrap().len(), 5);
}

#[test]
fn search_follows_corrections_and_new_narratives_after_its_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(dir.path()).unwrap();
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], t0());
    let searched = session(&case);
    let s = searched.id;
    store.commit(&[Change::Session(searched), Change::Utterance(line(s, 1, "Jeg ærgrer mig"))]).unwrap();
    assert_eq!(store.search("ÆRGRER", 10).unwrap().len(), 1);
    store
        .commit(&[
            Change::Utterance(line(s, 1, "Jeg glæder mig")),
            Change::Utterance(line(s, 2, "Også ærgrelse")),
        ])
        .unwrap();
    let hits = store.search("ærgre", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].target(), (s, 2));
    assert!(store.search("ærgrer", 10).unwrap().is_empty(), "the corrected text is gone from the corpus");
    let narrative = Narrative {
        id: Id::new(),
        session: s,
        first_seq: 1,
        last_seq: 2,
        title: "Glæde".into(),
        codes: vec![],
        memo: "om ærgrelse".into(),
        author: "anna".into(),
        created: t0(),
        updated: t0(),
        deleted: false,
    };
    store.commit(&[Change::Narrative(narrative.clone())]).unwrap();
    let hits = store.search("ærgrelse", 10).unwrap();
    assert!(matches!(hits[0].place, search::HitPlace::NarrativeMemo { .. }), "{hits:?}");
    assert_eq!(hits.len(), 2);
    store.commit(&[Change::Narrative(Narrative { deleted: true, ..narrative })]).unwrap();
    assert_eq!(store.search("glæde", 10).unwrap().len(), 1, "a deleted narrative is no longer found");
}

#[test]
fn lines_after_a_damaged_journal_record_are_replayed_and_the_damage_reported() {
    let first = tempfile::tempdir().unwrap();
    let s = Id::new();
    let journal = {
        let store = Store::open_or_create(first.path()).unwrap();
        for seq in 1..=4 {
            store.commit(&[Change::Utterance(line(s, seq, &format!("linje {seq}")))]).unwrap();
        }
        std::fs::read(first.path().join("journal")).unwrap()
    };
    let records: Vec<usize> =
        journal.windows(4).enumerate().filter(|(_, w)| w == b"FLR2").map(|(i, _)| i).collect();
    let mut damaged = journal.clone();
    damaged[records[records.len() - 3] + 14] ^= 0x5a;
    // A store whose sled never got the lines: what comes back, comes from the journal.
    let second = tempfile::tempdir().unwrap();
    drop(Store::create(second.path(), None).unwrap());
    std::fs::write(second.path().join("journal"), &damaged).unwrap();
    let store = Store::open(second.path()).unwrap();
    let texts: Vec<String> = store.utterances(s).unwrap().into_iter().map(|u| u.text).collect();
    assert_eq!(texts, ["linje 1", "linje 3", "linje 4"]);
    assert!(store.journal_damage().unwrap().contains("damaged"));
    let problems = store.check().unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("journal.damaged-")), "{problems:?}");
}

#[test]
fn each_saved_line_is_one_fsync_of_the_journal_and_acknowledged_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(dir.path()).unwrap();
    let s = Id::new();
    let before = store.journal_syncs();
    let mut on_disk = journal_bytes_on_disk(&dir);
    for seq in 1..=5 {
        let mut seen = None;
        store
            .commit_then(&[&[Change::Utterance(line(s, seq, "x"))]], true, |outcome| {
                assert!(outcome.is_ok());
                seen = Some(journal_bytes_on_disk(&dir));
            })
            .unwrap();
        let at_ack = seen.expect("acknowledged");
        assert!(at_ack > on_disk, "line {seq} was in the journal file when acknowledged");
        on_disk = at_ack;
    }
    assert_eq!(store.journal_syncs() - before, 5, "one fsync per saved line");
    // Drafts are handed to the OS, not synced.
    store.commit_many(&[&[Change::ClearDraft(s)]], false).unwrap();
    assert_eq!(store.journal_syncs() - before, 5);
}

fn journal_bytes_on_disk(dir: &tempfile::TempDir) -> usize {
    std::fs::read(dir.path().join("journal")).unwrap().len()
}

/// Runs `work` on a thread and says whether it finished within a few seconds.
fn finishes<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    finished.recv_timeout(std::time::Duration::from_secs(5)).ok()
}

#[test]
fn a_line_is_saved_while_a_checkpoint_syncs_sled_and_stays_in_the_journal_until_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open_or_create(dir.path()).unwrap());
    let s = Id::new();
    store.commit(&[Change::Utterance(line(s, 1, "før checkpointet"))]).unwrap();
    let held = store.hold_checkpoints();
    let checkpointing = store.clone();
    let checkpoint = std::thread::spawn(move || checkpointing.checkpoint());
    // The checkpoint has noted where the journal ends and waits at the gate.
    while store.checkpointing.try_lock().is_ok() {
        std::thread::yield_now();
    }
    std::thread::sleep(std::time::Duration::from_millis(20));
    let saving = store.clone();
    let saved = finishes(move || saving.commit(&[Change::Utterance(line(s, 2, "under checkpointet"))]));
    assert!(matches!(saved, Some(Ok(()))), "a line waited for a checkpoint: {saved:?}");
    let syncs = store.journal_syncs();
    drop(held);
    checkpoint.join().unwrap().unwrap();
    assert!(syncs >= 2, "the line was fsynced in the journal before the checkpoint ended");
    // Only what came before the checkpoint's mark may leave the journal.
    assert!(store.unchecked_len() > 0, "the line saved during the checkpoint is still owed to sled");
    assert!(journal_bytes_on_disk(&dir) > 8, "the journal on disk still holds it");
    store.checkpoint().unwrap();
    assert_eq!(store.journal_len(), 0, "a quiet checkpoint empties the journal");
    assert_eq!(journal_bytes_on_disk(&dir), 8, "and the file is back to its header");
    drop(store);
    let store = Store::open_or_create(dir.path()).unwrap();
    assert_eq!(store.utterances(s).unwrap().len(), 2);
}

#[test]
fn the_writer_acknowledges_lines_while_its_checkpoint_is_held_and_rings_after_each() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open_or_create(dir.path()).unwrap());
    let s = Id::new();
    let held = store.hold_checkpoints();
    let checkpointing = store.clone();
    let checkpoint = std::thread::spawn(move || checkpointing.checkpoint());
    while store.checkpointing.try_lock().is_ok() {
        std::thread::yield_now();
    }
    let (writer, saved) = Writer::spawn(store.clone());
    let rings = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = rings.clone();
    writer.ring_on_save(move || {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    let mut waited = Vec::new();
    for seq in 1..=3 {
        writer.send(Job {
            tag: u64::from(seq),
            changes: vec![Change::Utterance(line(s, seq, "mens der synkroniseres"))],
            durability: Durability::Synced,
        });
        let ack = saved.recv_timeout(std::time::Duration::from_secs(5));
        if !matches!(ack, Ok(Saved { error: None, .. })) {
            waited.push(seq);
        }
    }
    // The bell rings just after the acknowledgement is sent.
    let asked = std::time::Instant::now();
    while rings.load(std::sync::atomic::Ordering::SeqCst) < 3 && asked.elapsed().as_secs() < 5 {
        std::thread::yield_now();
    }
    let rang = rings.load(std::sync::atomic::Ordering::SeqCst);
    drop(held);
    assert!(waited.is_empty(), "lines {waited:?} waited for the checkpoint");
    assert!(rang >= 3, "the bell rang with each acknowledgement ({rang})");
    checkpoint.join().unwrap().unwrap();
    drop(writer);
    assert_eq!(store.utterances(s).unwrap().len(), 3);
    assert_eq!(store.journal_len(), 0, "the writer's last checkpoint emptied the journal");
}

#[test]
fn check_finds_a_narrative_on_a_missing_line_and_a_line_of_no_session() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(dir.path()).unwrap();
    let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], t0());
    let kept = session(&case);
    let s = kept.id;
    let narrative = |first_seq, title: &str| Narrative {
        id: Id::new(),
        session: s,
        first_seq,
        last_seq: first_seq,
        title: title.into(),
        codes: vec![],
        memo: String::new(),
        author: "anna".into(),
        created: t0(),
        updated: t0(),
        deleted: false,
    };
    let mut changes = vec![Change::Case(case.clone()), Change::Session(kept)];
    changes.extend((1..=3).map(|seq| Change::Utterance(line(s, seq, "linje"))));
    changes.push(Change::Narrative(narrative(2, "på en linje der er")));
    store.commit(&changes).unwrap();
    let report = store.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!((report.lines, report.narratives), (3, 1));

    let stray = Id::new();
    store
        .commit(&[Change::Narrative(narrative(7, "forbi enden")), Change::Utterance(line(stray, 1, "x"))])
        .unwrap();
    let problems = store.check().unwrap().problems;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("\"forbi enden\" starts at line 7")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains(&format!("line 1 belongs to no session ({stray})"))),
        "{problems:?}"
    );
}

#[test]
fn a_search_right_after_an_acknowledgement_finds_the_acknowledged_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open_or_create(dir.path()).unwrap());
    let s = Id::new();
    let (mut writer, saved) = Writer::spawn(store.clone());
    for seq in 1..=200 {
        let word = format!("ordet{seq}x");
        writer.send(Job {
            tag: u64::from(seq),
            changes: vec![Change::Utterance(line(s, seq, &format!("linje med {word}")))],
            durability: Durability::Flushed,
        });
        saved.recv().unwrap();
        assert_eq!(store.search(&word, 10).unwrap().len(), 1, "line {seq} was acknowledged but not found");
    }
    writer.finish();
}
