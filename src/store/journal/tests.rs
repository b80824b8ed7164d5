use super::*;

fn op(n: u8) -> Op {
    Op { tree: 0, key: vec![n; 20], value: Some(format!("linje {n} æøå").into_bytes()) }
}

fn records(dir: &Path) -> Vec<Vec<Op>> {
    Journal::open(dir).unwrap().1
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

#[test]
fn records_come_back_and_a_torn_tail_is_dropped_and_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, replay, _) = Journal::open(dir.path()).unwrap();
    assert!(replay.is_empty());
    journal.append(&[&[op(1)], &[op(2), op(3)]], true).unwrap();
    journal.append(&[&[op(4)]], false).unwrap();
    drop(journal);
    let path = dir.path().join(FILE_NAME);
    let full = std::fs::read(&path).unwrap();
    let expected = [vec![op(1)], vec![op(2), op(3)], vec![op(4)]];
    for cut in HEADER.len()..full.len() {
        std::fs::write(&path, &full[..cut]).unwrap();
        let (mut journal, records, findings) = Journal::open(dir.path()).unwrap();
        let whole = records.len();
        assert_eq!(records, expected[..whole], "cut at {cut}");
        assert!(findings.damaged.is_empty(), "a torn tail is no damage (cut at {cut})");
        // A line saved after the torn record must come back too.
        journal.append(&[&[op(9)]], true).unwrap();
        drop(journal);
        let again = self::records(dir.path());
        assert_eq!(again.last(), Some(&vec![op(9)]), "cut at {cut}: the next line is replayed");
        assert_eq!(again.len(), whole + 1, "cut at {cut}");
    }
}

#[test]
fn zeros_after_the_last_record_are_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    drop(journal);
    let path = dir.path().join(FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(&[0; 300]);
    std::fs::write(&path, &bytes).unwrap();
    let (_, records, findings) = Journal::open(dir.path()).unwrap();
    assert_eq!(records, vec![vec![op(1)]]);
    assert_eq!(findings.torn_tail, 300);
    assert!(findings.damaged.is_empty());
}

#[test]
fn a_damaged_record_in_the_middle_is_kept_aside_and_the_records_after_it_salvaged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    for n in 1..=3 {
        journal.append(&[&[op(n)]], true).unwrap();
    }
    drop(journal);
    let path = dir.path().join(FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    let original = bytes.clone();
    // A byte inside the second record's payload.
    let second = HEADER.len() + (bytes.len() - HEADER.len()) / 3 + FRAME + 3;
    bytes[second] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();

    let (_, records, findings) = Journal::open(dir.path()).unwrap();
    assert_eq!(records, vec![vec![op(1)], vec![op(3)]], "every whole record is replayed");
    assert_eq!(findings.damaged.len(), 1);
    let aside = findings.kept_aside.clone().expect("the damaged journal is kept");
    assert_eq!(std::fs::read(&aside).unwrap(), bytes, "kept as it was");
    assert_ne!(std::fs::read(&aside).unwrap(), original);
    let report = findings.damage_report().unwrap();
    assert!(report.contains("damaged") && report.contains(&aside.display().to_string()), "{report}");
    // The journal itself is written anew with the whole records only.
    let (_, again, findings) = Journal::open(dir.path()).unwrap();
    assert_eq!(again, vec![vec![op(1)], vec![op(3)]]);
    assert!(findings.damaged.is_empty());
}

#[test]
fn a_whole_record_with_a_wrong_checksum_at_the_end_is_damage_not_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    journal.append(&[&[op(2)]], true).unwrap();
    drop(journal);
    let path = dir.path().join(FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let (_, records, findings) = Journal::open(dir.path()).unwrap();
    assert_eq!(records, vec![vec![op(1)]]);
    assert_eq!(findings.damaged.len(), 1, "{findings:?}");
    assert!(findings.kept_aside.is_some());
}

#[test]
fn a_journal_from_before_framing_is_replayed_and_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let mut old = Vec::new();
    for n in [1, 2] {
        let payload = bincode::serde::encode_to_vec(vec![op(n)], bincode::config::standard()).unwrap();
        old.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        old.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        old.extend_from_slice(&payload);
    }
    old.extend_from_slice(&[7, 0]); // torn
    std::fs::write(dir.path().join(FILE_NAME), &old).unwrap();
    let (_, records, findings) = Journal::open(dir.path()).unwrap();
    assert_eq!(records, vec![vec![op(1)], vec![op(2)]]);
    assert_eq!(findings.torn_tail, 2);
    assert!(std::fs::read(dir.path().join(FILE_NAME)).unwrap().starts_with(HEADER));
}

#[test]
fn a_failed_write_is_cut_back_and_never_comes_back_and_the_next_line_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    let good = std::fs::read(&path).unwrap();
    journal.faults.push(Fault::Write);
    let err = journal.append(&[&[op(2)]], true).unwrap_err();
    assert!(err.to_string().contains("no space left on device"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), good, "the half-written record is cut off");
    journal.append(&[&[op(3)]], true).unwrap();
    drop(journal);
    assert_eq!(records(dir.path()), vec![vec![op(1)], vec![op(3)]]);
}

#[cfg(unix)]
#[test]
fn after_a_failed_fsync_the_file_is_written_anew_and_never_synced_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    let before = inode(&path);
    journal.faults.push(Fault::Sync);
    assert!(journal.append(&[&[op(2)]], true).is_err());
    assert_ne!(inode(&path), before, "the journal whose fsync failed is replaced, not trusted");
    assert_eq!(journal.syncs, 1, "the failed sync is not counted as saved");
    journal.append(&[&[op(3)]], true).unwrap();
    assert_eq!(journal.syncs, 2);
    drop(journal);
    assert_eq!(records(dir.path()), vec![vec![op(1)], vec![op(3)]], "the failed line does not come back");
}

#[test]
fn while_the_journal_cannot_be_written_anew_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    journal.faults.extend([Fault::Sync, Fault::Rewrite, Fault::Rewrite]);
    assert!(journal.append(&[&[op(2)]], true).is_err());
    let err = journal.append(&[&[op(3)]], true).unwrap_err();
    assert!(matches!(err, StoreError::NotSaving { .. }), "{err}");
    assert!(err.to_string().contains("free disk space") && err.to_string().contains("fsync failed"), "{err}");
    // Once the journal can be written anew, saving goes on.
    journal.append(&[&[op(4)]], true).unwrap();
    drop(journal);
    assert_eq!(records(dir.path()), vec![vec![op(1)], vec![op(4)]]);
}

#[test]
fn a_failed_cut_back_distrusts_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    journal.faults.extend([Fault::Write, Fault::CutBack]);
    assert!(journal.append(&[&[op(2)]], true).is_err());
    journal.append(&[&[op(3)]], true).unwrap();
    drop(journal);
    assert_eq!(records(dir.path()), vec![vec![op(1)], vec![op(3)]]);
}

#[test]
fn clearing_leaves_the_header_and_nothing_to_replay() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    assert!(!journal.is_empty());
    journal.clear().unwrap();
    assert!(journal.is_empty());
    assert_eq!(journal.len(), 0);
    drop(journal);
    assert!(records(dir.path()).is_empty());
    assert_eq!(std::fs::read(dir.path().join(FILE_NAME)).unwrap(), HEADER);
}

#[test]
fn the_batches_of_one_append_come_back_all_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    let before = std::fs::read(dir.path().join(FILE_NAME)).unwrap().len();
    journal.append(&[&[op(2)], &[op(3)], &[op(4)]], true).unwrap();
    drop(journal);
    let path = dir.path().join(FILE_NAME);
    let full = std::fs::read(&path).unwrap();
    for cut in before..full.len() {
        std::fs::write(&path, &full[..cut]).unwrap();
        assert_eq!(records(dir.path()), vec![vec![op(1)]], "cut at {cut}: none of the group");
    }
    std::fs::write(&path, &full).unwrap();
    assert_eq!(records(dir.path()).len(), 4);
}

#[test]
fn a_damaged_header_is_damage_and_the_records_behind_it_are_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    drop(journal);
    let path = dir.path().join(FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[2] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let (_, records, findings) = Journal::open(dir.path()).unwrap();
    assert_eq!(records, vec![vec![op(1)]]);
    assert_eq!(findings.damaged, vec![(0, HEADER.len())]);
    assert!(findings.kept_aside.is_some());
}

#[test]
fn a_last_record_whose_payload_never_reached_the_disk_is_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    journal.append(&[&[op(2)]], true).unwrap();
    drop(journal);
    let path = dir.path().join(FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    let second = bytes.windows(4).rposition(|w| w == MAGIC).unwrap();
    for b in &mut bytes[second + FRAME..] {
        *b = 0;
    }
    std::fs::write(&path, &bytes).unwrap();
    let (_, records, findings) = Journal::open(dir.path()).unwrap();
    assert_eq!(records, vec![vec![op(1)]]);
    assert!(findings.damaged.is_empty() && findings.torn_tail > 0, "{findings:?}");
}

#[test]
fn a_journal_rewrite_cut_short_by_a_crash_leaves_nothing_after_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(Journal::open(dir.path()).unwrap());
    let leftover = dir.path().join(".journal.new-4000000");
    std::fs::write(&leftover, "half a journal").unwrap();
    drop(Journal::open(dir.path()).unwrap());
    assert!(!leftover.exists());
}

#[test]
fn a_checkpoint_empties_the_journal_only_up_to_its_mark_and_compacts_a_long_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut journal, _, _) = Journal::open(dir.path()).unwrap();
    journal.append(&[&[op(1)]], true).unwrap();
    let mark = journal.mark();
    // A line saved while sled was being synced.
    journal.append(&[&[op(2)]], true).unwrap();
    journal.clear_through(mark).unwrap();
    assert_eq!(records(dir.path()), vec![vec![op(1)], vec![op(2)]], "a short journal is left as it is");
    assert_eq!(journal.since_checkpoint(), journal.len() - (mark - HEADER.len()) as u64);
    let mark = journal.mark();
    journal.clear_through(mark).unwrap();
    assert!(journal.is_empty());
    assert_eq!(std::fs::read(dir.path().join(FILE_NAME)).unwrap(), HEADER, "emptied on disk too");

    // Past COMPACT_AT, only what came after the mark is written anew.
    let big = Op { tree: 0, key: vec![7; 20], value: Some(vec![b'x'; COMPACT_AT]) };
    journal.append(&[&[big]], true).unwrap();
    let mark = journal.mark();
    journal.append(&[&[op(3)]], true).unwrap();
    journal.clear_through(mark).unwrap();
    assert_eq!(journal.since_checkpoint(), journal.len(), "all that is left is owed to sled");
    journal.append(&[&[op(4)]], true).unwrap();
    drop(journal);
    assert_eq!(records(dir.path()), vec![vec![op(3)], vec![op(4)]]);
}
