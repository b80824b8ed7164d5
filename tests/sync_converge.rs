//! Convergence of edits two laptops make apart before they sync: a code
//! or a case given one name on two laptops ends as one, and a sync looks
//! only at what the store marked as changed.

mod sync_laptops;

use fieldlog::domain::contacts::{ContactLedger, ContactMarkKind};
use fieldlog::domain::*;
use fieldlog::store::Change;
use fieldlog::sync::sync;
use sync_laptops::*;

/// A code of one name added to one group on three laptops before they
/// sync, and narratives coded with it on each, end as one code (the
/// smallest id) that every narrative has, on every laptop, in any order.
#[test]
fn a_code_of_one_name_added_on_several_laptops_ends_as_one_code() {
    let mut a = laptop('a');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0), (2, 0)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    sync(&a.store, &a.folder, None, "a").unwrap();
    let (b, c) = (laptop('b'), laptop('c'));
    for l in [&b, &c] {
        pass(&a, l);
        sync(&l.store, &l.folder, None, "x").unwrap();
    }
    let laptops = [a, b, c];
    let mut ids = Vec::new();
    for l in &laptops {
        let mut book = l.store.codebook().unwrap();
        let group = book.groups[0].id;
        let code = book.add_code(group, "håb").unwrap();
        ids.push(code);
        let session = l.store.sessions().unwrap()[0].id;
        let n = Narrative {
            id: Id::new(),
            session,
            first_seq: 1,
            last_seq: 2,
            title: format!("håb hos {}", l.name),
            codes: vec![code],
            memo: String::new(),
            author: l.name.to_string(),
            created: at(10),
            updated: at(10),
            deleted: false,
        };
        l.store.commit(&[Change::Codebook(book), Change::Narrative(n)]).unwrap();
    }
    // c hears from b first: at once, its own narrative and b's have one code.
    sync(&laptops[1].store, &laptops[1].folder, None, "x").unwrap();
    pass(&laptops[1], &laptops[2]);
    sync(&laptops[2].store, &laptops[2].folder, None, "x").unwrap();
    let one = ids[1].min(ids[2]);
    let on_c = laptops[2].store.narratives().unwrap();
    assert!(on_c.iter().all(|n| n.codes == [one]), "{on_c:?}");
    // a from c (and through it b); b last.
    for (from, to) in [(2, 0), (0, 0), (0, 1), (1, 1), (0, 2), (1, 2), (2, 2)] {
        if from == to {
            sync(&laptops[to].store, &laptops[to].folder, None, "x").unwrap();
        } else {
            pass(&laptops[from], &laptops[to]);
        }
    }
    for _ in 0..3 {
        for l in &laptops {
            sync(&l.store, &l.folder, None, "x").unwrap();
        }
        for (from, to) in [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)] {
            pass(&laptops[from], &laptops[to]);
        }
    }
    let kept = *ids.iter().min().unwrap();
    for l in &laptops {
        let book = l.store.codebook().unwrap();
        let hope: Vec<Id> = book.groups[0].codes.iter().filter(|c| c.name == "håb").map(|c| c.id).collect();
        assert_eq!(hope, [kept], "laptop {}", l.name);
        let narratives = l.store.narratives().unwrap();
        assert_eq!(narratives.len(), 3);
        assert!(narratives.iter().all(|n| n.codes == [kept]), "laptop {}: {narratives:?}", l.name);
        assert_eq!(canonical(&l.store), canonical(&laptops[0].store), "laptop {}", l.name);
    }
}

/// The store marks what a sync must look at: once a laptop syncs, a line
/// marks its session, a narrative or a blind setting the rest of the
/// study; drafts and the sync's own bookkeeping mark nothing, and a sync
/// clears what it read. A study that never synced writes no marks.
#[test]
fn a_sync_looks_only_at_what_the_store_marked_as_changed() {
    let mut a = laptop('a');
    let (mut clock, mut made) = (0, Made::default());
    for (what, pick) in [(0, 0), (1, 0), (2, 0)] {
        edit(&mut a, what, pick, &mut clock, &mut made);
    }
    assert!(a.store.sync_marks().unwrap().is_empty(), "a study that never synced marks nothing");
    sync(&a.store, &a.folder, None, "a").unwrap();
    assert!(a.store.sync_marks().unwrap().is_empty());
    let session = a.store.sessions().unwrap()[0].id;
    edit(&mut a, 2, 0, &mut clock, &mut made);
    let marks = a.store.sync_marks().unwrap();
    assert_eq!((marks.study, marks.sessions.iter().copied().collect::<Vec<_>>()), (false, vec![session]));
    let draft =
        Draft { session, speaker: "I".into(), text: "halvt".into(), onset: None, onset_elapsed_ms: 0 };
    a.store.commit(&[Change::Draft(draft)]).unwrap();
    assert_eq!(a.store.sync_marks().unwrap(), marks);
    edit(&mut a, 4, 0, &mut clock, &mut made);
    assert!(a.store.sync_marks().unwrap().study);
    let report = sync(&a.store, &a.folder, None, "a").unwrap();
    assert_eq!(report.records_sent, 2, "the line and the narrative");
    assert!(a.store.sync_marks().unwrap().is_empty());
    let report = sync(&a.store, &a.folder, None, "a").unwrap();
    assert_eq!(report.written, 0);
}

/// A case added under one code on two laptops before they sync ends as
/// one case under the smaller id on both, its sessions with it, and the
/// syncs come to rest (before, each kept its id and the two versions of
/// the case's sessions went back and forth on every sync).
#[test]
fn a_case_of_one_code_added_on_two_laptops_ends_as_one_case_and_syncs_come_to_rest() {
    let (a, b) = (laptop('a'), laptop('b'));
    let mut ids = Vec::new();
    for l in [&a, &b] {
        let case = Case::new(CaseCode::parse("S1").unwrap(), vec![], at(0));
        ids.push(case.id);
        l.store.add_case(&case).unwrap();
        let speakers = session::default_speakers(SessionKind::Interview, &case.code);
        let s = Session::new(case.id, SessionKind::Interview, 1, "home", speakers, at(1));
        let mut ledger = ContactLedger::new(case.id, at(1));
        ledger.mark(2, Some(ContactMarkKind::Partial), l.name.to_string().as_str()).unwrap();
        l.store.commit(&[Change::Session(s), Change::ContactLedger(ledger)]).unwrap();
    }
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let mut busy = false;
        for l in [&a, &b] {
            let r = sync(&l.store, &l.folder, None, "x").unwrap();
            busy |= r.written > 0 || r.records_read > 0;
        }
        rounds.push(busy);
        pass(&a, &b);
        pass(&b, &a);
    }
    assert_eq!(rounds[3..], [false, false], "syncs never came to rest: {rounds:?}");
    let kept = *ids.iter().min().unwrap();
    for l in [&a, &b] {
        let cases: Vec<Id> = l.store.cases().unwrap().iter().map(|c| c.id).collect();
        assert_eq!(cases, [kept], "laptop {}", l.name);
        assert!(l.store.sessions().unwrap().iter().all(|s| s.case_id == kept));
        assert!(l.store.contact_ledger(kept).unwrap().is_some());
        assert!(l.store.check().unwrap().problems.is_empty(), "{:?}", l.store.check().unwrap().problems);
    }
    assert_eq!(canonical(&a.store), canonical(&b.store));
}
