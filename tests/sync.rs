//! Three laptops keep one study in step through a sync folder that a sync
//! tool copies between them, in any order, with files caught half copied.

mod sync_laptops;

use fieldlog::domain::*;
use fieldlog::sync::sync;
use proptest::prelude::*;
use std::collections::BTreeSet;
use sync_laptops::*;

/// One step of the team's year.
#[derive(Clone, Debug)]
enum Step {
    /// A laptop changes the study (what, and which of its things it picks).
    Edit {
        laptop: usize,
        what: u8,
        pick: usize,
    },
    Sync {
        laptop: usize,
    },
    /// The sync tool copies one laptop's folder's files to another's, each
    /// cut to the given share of its length (a copy still under way).
    Copy {
        from: usize,
        to: usize,
        share: u8,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..3usize, 0..EDITS, any::<usize>()).prop_map(|(laptop, what, pick)| Step::Edit { laptop, what, pick }),
        2 => (0..3usize).prop_map(|laptop| Step::Sync { laptop }),
        2 => (0..3usize, 0..3usize, 0..=100u8).prop_map(|(from, to, share)| Step::Copy { from, to, share }),
    ]
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut laptops = [laptop('a'), laptop('b'), laptop('c')];
    let mut made = Made::default();
    let mut clock = 0;
    for step in steps {
        match step {
            Step::Edit { laptop, what, pick } => {
                edit(&mut laptops[laptop], what, pick, &mut clock, &mut made)
            }
            Step::Sync { laptop } => {
                let l = &laptops[laptop];
                sync(&l.store, &l.folder, None, "x").unwrap();
            }
            Step::Copy { from, to, share } if from != to => {
                let own = own_file(&laptops[to]);
                copy(&laptops[from].folder, &laptops[to].folder, own.as_deref(), share);
            }
            Step::Copy { .. } => {}
        }
    }
    // At the end of the year the sync tool catches up and everyone syncs,
    // round after round until a round changes nothing.
    for round in 0.. {
        prop_assert!(round < 8, "still changing after {round} rounds");
        let mut quiet = true;
        for l in &laptops {
            let report = sync(&l.store, &l.folder, None, "x").unwrap();
            quiet &= report.written == 0 && report.records_read == 0;
        }
        if quiet && round > 0 {
            // Nothing any laptop holds is left unsent (the store marked every change).
            for l in &laptops {
                let unsent = fieldlog::sync::unsent(&l.store).unwrap();
                prop_assert!(unsent.is_empty(), "laptop {} never sent {unsent:?}", l.name);
            }
            break;
        }
        for (from, to) in [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)] {
            let own = own_file(&laptops[to]);
            copy(&laptops[from].folder, &laptops[to].folder, own.as_deref(), 100);
        }
    }
    let first = canonical(&laptops[0].store);
    for l in &laptops[1..] {
        prop_assert_eq!(&canonical(&l.store), &first, "laptop {} differs from a", l.name);
    }
    let store = &laptops[0].store;
    let codes: BTreeSet<String> = store.cases().unwrap().iter().map(|c| c.code.to_string()).collect();
    prop_assert_eq!(codes, made.cases);
    let mut lines = BTreeSet::new();
    for s in store.sessions().unwrap() {
        for u in store.utterances(s.id).unwrap() {
            prop_assert!(lines.insert((u.session, u.seq)), "a line twice");
        }
    }
    prop_assert_eq!(lines, made.lines);
    let kept: BTreeSet<Id> = store.narratives().unwrap().iter().map(|n| n.id).collect();
    prop_assert_eq!(kept, made.narratives);
    prop_assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
    // One code per name in a group, one group and one variable per name,
    // and every code a narrative has is in the codebook.
    let book = store.codebook().unwrap();
    let mut names = BTreeSet::new();
    for g in &book.groups {
        prop_assert!(names.insert(g.name.to_lowercase()), "two groups named {}", g.name);
        let mut codes = BTreeSet::new();
        for c in &g.codes {
            prop_assert!(codes.insert(c.name.to_lowercase()), "two codes named {} in {}", c.name, g.name);
        }
    }
    let variables: BTreeSet<String> =
        store.variables().unwrap().variables.iter().map(|v| v.name.clone()).collect();
    prop_assert_eq!(variables.len(), store.variables().unwrap().variables.len(), "a variable twice");
    for n in store.all_narratives().unwrap() {
        for c in &n.codes {
            prop_assert!(book.code(*c).is_some(), "narrative {:?} has a code not in the codebook", n.title);
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("FIELDLOG_SYNC_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn three_laptops_in_any_order_end_with_one_study(steps in prop::collection::vec(step(), 10..80)) {
        run(steps)?;
    }
}

/// A teammate's change file arriving one byte at a time: every sync takes
/// the whole records there are, none twice, and the last leaves the two
/// studies alike.
#[test]
fn a_change_file_arriving_byte_by_byte_is_read_safely_at_every_cut() {
    let mut a = laptop('a');
    let b = laptop('b');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0), (2, 0), (4, 1)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    sync(&a.store, &a.folder, None, "a").unwrap();
    edit(&mut a, 5, 0, &mut clock, &mut made);
    edit(&mut a, 3, 0, &mut clock, &mut made);
    sync(&a.store, &a.folder, None, "a").unwrap();
    let file = own_file(&a).unwrap();
    let whole = std::fs::read(&file).unwrap();
    let there = b.folder.join(file.file_name().unwrap());
    let mut records = 0;
    for cut in 0..=whole.len() {
        std::fs::write(&there, &whole[..cut]).unwrap();
        let report = sync(&b.store, &b.folder, None, "b").unwrap();
        records += report.records_read;
        assert!(report.merged.conflicts.is_empty(), "cut at {cut}: {:?}", report.merged.conflicts);
        if report.records_read > 0 {
            assert!(b.store.check().unwrap().problems.is_empty(), "cut at {cut}");
        }
    }
    assert_eq!(records, 2, "each record brought in once");
    assert_eq!(canonical(&b.store), canonical(&a.store));
}

/// A first sync of a study larger than one record's worth of lines goes
/// in several records, each brought in on its own, and nothing is lost.
#[test]
fn a_large_first_sync_is_sent_and_brought_in_in_pieces() {
    let a = laptop('a');
    let b = laptop('b');
    fieldlog::dev::generate::generate(&a.store, 3, 4, 500).unwrap();
    let sent = sync(&a.store, &a.folder, None, "a").unwrap();
    assert!(sent.written >= 2, "{} records for 6000 lines", sent.written);
    let file = own_file(&a).unwrap();
    std::fs::copy(&file, b.folder.join(file.file_name().unwrap())).unwrap();
    let got = sync(&b.store, &b.folder, None, "b").unwrap();
    assert_eq!(got.records_read, sent.written);
    assert!(got.merged.conflicts.is_empty(), "{:?}", got.merged.conflicts);
    assert_eq!(canonical(&b.store), canonical(&a.store));
    assert!(b.store.check().unwrap().problems.is_empty());
}

/// A teammate's file replaced by another copy of that name (another
/// folder's, or one a sync tool made anew) is read again from its start,
/// not from where the old one was left.
#[test]
fn a_replaced_change_file_is_read_again_from_its_start() {
    let mut a = laptop('a');
    let b = laptop('b');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    sync(&a.store, &a.folder, None, "a").unwrap();
    let file = own_file(&a).unwrap();
    let name = file.file_name().unwrap().to_owned();
    std::fs::copy(&file, b.folder.join(&name)).unwrap();
    sync(&b.store, &b.folder, None, "b").unwrap();
    // a goes on in another folder: its file there holds the whole study, other bytes.
    edit(&mut a, 2, 0, &mut clock, &mut made);
    edit(&mut a, 2, 0, &mut clock, &mut made);
    let other = tempfile::tempdir().unwrap();
    sync(&a.store, other.path(), None, "a").unwrap();
    std::fs::copy(other.path().join(&name), b.folder.join(&name)).unwrap();
    let report = sync(&b.store, &b.folder, None, "b").unwrap();
    assert!(report.waiting.is_empty(), "{:?}", report.waiting);
    assert_eq!(canonical(&b.store), canonical(&a.store));
}
