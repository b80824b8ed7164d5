//! Two laptops' copies of one study, diverged, merged into one.

use chrono::{DateTime, Duration, FixedOffset};
use fieldlog::domain::*;
use fieldlog::export::json;
use fieldlog::import::merge::merge;
use fieldlog::store::{Change, Store};

fn at(minutes: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap() + Duration::minutes(minutes)
}

fn line(session: Id, seq: u32, text: &str, minutes: i64) -> Utterance {
    Utterance {
        session,
        seq,
        speaker: "AA".into(),
        kind: UtteranceKind::Speech,
        text: text.into(),
        onset: at(minutes),
        committed: at(minutes),
        elapsed_ms: minutes * 60_000,
        mark: None,
        deleted: false,
    }
}

fn session_of(case: &Case, contact: u32) -> Session {
    Session {
        id: Id::new(),
        case_id: case.id,
        kind: SessionKind::Interview,
        contact_point: contact,
        place: Place::Home,
        place_text: String::new(),
        speakers: session::default_speakers(SessionKind::Interview, &case.code),
        clock: SessionClock::start(at(0)),
        ended: None,
        recording_started: None,
        themes_ticked: vec![],
        notes: String::new(),
    }
}

fn narrative(session: Id, from: u32, to: u32, title: &str, minutes: i64) -> Narrative {
    Narrative {
        id: Id::new(),
        session,
        first_seq: from,
        last_seq: to,
        title: title.into(),
        codes: vec![],
        memo: String::new(),
        author: "anna".into(),
        created: at(minutes),
        updated: at(minutes),
        deleted: false,
    }
}

/// Corrects a line as the screens do: the old text becomes a revision.
fn correct(store: &Store, old: &Utterance, text: &str, minutes: i64) {
    let revision = Revision {
        session: old.session,
        seq: old.seq,
        speaker: old.speaker.clone(),
        text: old.text.clone(),
        replaced: at(minutes),
    };
    let mut new = old.clone();
    new.text = text.into();
    store.commit(&[Change::Revision(revision), Change::Utterance(new)]).unwrap();
}

fn backup(store: &Store) -> String {
    json::to_string(&json::build(store, json::Scope::default()).unwrap())
}

#[test]
fn two_diverged_copies_merge_into_their_union_with_conflicts_listed() {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Store::open_or_create(dirs.0.path()).unwrap();
    let aa = Case::new(CaseCode::parse("AA").unwrap(), vec![], at(0));
    a.add_case(&aa).unwrap();
    let s = session_of(&aa, 1);
    let lines = [
        line(s.id, 1, "Jeg har ondt i ryggen", 1),
        line(s.id, 2, "Men jeg vil gerne arbejde", 2),
        line(s.id, 3, "Måske i en butik", 3),
    ];
    let shared = narrative(s.id, 1, 2, "Ryggen og viljen", 10);
    let mut changes = vec![Change::Session(s.clone()), Change::Narrative(shared.clone())];
    changes.extend(lines.iter().cloned().map(Change::Utterance));
    a.commit(&changes).unwrap();

    // The second laptop starts from a copy.
    let b = Store::open_or_create(dirs.1.path()).unwrap();
    b.commit(&json::changes(json::parse("a.json", &backup(&a)).unwrap())).unwrap();

    // They diverge.
    a.commit(&[Change::Utterance(line(s.id, 4, "Jeg har søgt tre job", 4))]).unwrap();
    correct(&a, &lines[1], "Men jeg vil rigtig gerne arbejde", 20);
    let only_a = narrative(s.id, 3, 4, "Butikken", 21);
    a.commit(&[Change::Narrative(only_a.clone())]).unwrap();
    a.add_case(&Case::new(CaseCode::parse("BB").unwrap(), vec![], at(22))).unwrap();

    correct(&b, &lines[1], "Men jeg VIL arbejde", 30);
    let s2 = session_of(&aa, 2);
    b.commit(&[Change::Session(s2.clone()), Change::Utterance(line(s2.id, 1, "Nu er jeg i praktik", 31))])
        .unwrap();
    let only_b = narrative(s2.id, 1, 1, "Praktikken", 32);
    let renamed = Narrative { title: "Ryggen mod viljen".into(), updated: at(33), ..shared.clone() };
    b.commit(&[Change::Narrative(only_b.clone()), Change::Narrative(renamed)]).unwrap();
    b.add_case(&Case::new(CaseCode::parse("CC").unwrap(), vec![], at(34))).unwrap();

    let theirs = json::parse("b.json", &backup(&b)).unwrap();
    let (changes, report) = merge(&a, theirs, at(60)).unwrap();
    a.commit(&changes).unwrap();

    assert_eq!((report.cases, report.sessions, report.narratives), (1, 1, 1), "{report:?}");
    assert_eq!(report.conflicts.len(), 2, "{:?}", report.conflicts);
    assert!(
        report.conflicts[0].contains("line 2") && report.conflicts[0].contains("Men jeg VIL arbejde"),
        "{:?}",
        report.conflicts
    );
    assert!(report.conflicts[1].contains("Ryggen mod viljen"), "{:?}", report.conflicts);

    let codes: Vec<String> = a.cases().unwrap().iter().map(|c| c.code.to_string()).collect();
    assert_eq!(codes, ["AA", "BB", "CC"]);
    let merged = a.utterances(s.id).unwrap();
    let texts: Vec<&str> = merged.iter().map(|u| u.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Jeg har ondt i ryggen", "Men jeg VIL arbejde", "Måske i en butik", "Jeg har søgt tre job"]
    );
    let revisions: Vec<String> = a.revisions(s.id).unwrap().into_iter().map(|r| r.text).collect();
    assert!(
        revisions.contains(&"Men jeg vil rigtig gerne arbejde".to_string()),
        "the losing correction is kept: {revisions:?}"
    );
    assert!(revisions.contains(&"Men jeg vil gerne arbejde".to_string()), "{revisions:?}");
    assert_eq!(a.utterances(s2.id).unwrap().len(), 1);
    let titles: Vec<String> = a.narratives().unwrap().into_iter().map(|n| n.title).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    for t in ["Ryggen mod viljen", "Butikken", "Praktikken"] {
        assert!(titles.contains(&t.to_string()), "{t} missing from {titles:?}");
    }
    assert!(a.all_narratives().unwrap().iter().any(|n| n.deleted && n.title == "(merge) Ryggen og viljen"));

    // Merging the same backup again adds nothing and doubles nothing.
    let (changes, again) = merge(&a, json::parse("b.json", &backup(&b)).unwrap(), at(90)).unwrap();
    a.commit(&changes).unwrap();
    assert_eq!((again.cases, again.sessions, again.lines, again.narratives), (0, 0, 0, 0), "{again:?}");
    assert_eq!(a.narratives().unwrap().len(), 3);
    assert_eq!(a.utterances(s.id).unwrap().len(), 4);
}

/// Everything a study holds, read back through the store's own API.
fn everything(store: &Store) -> String {
    let mut all = format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n",
        store.cases().unwrap(),
        store.variables().unwrap(),
        store.effort_kinds().unwrap(),
        store.efforts().unwrap(),
        store.links().unwrap(),
        store.all_narratives().unwrap(),
        store.codebook().unwrap()
    );
    for s in store.sessions().unwrap() {
        all += &format!(
            "{s:?}\n{:?}\n{:?}\n{:?}\n{:?}\n",
            store.utterances(s.id).unwrap(),
            store.revisions(s.id).unwrap(),
            store.dismissals(s.id).unwrap(),
            store.draft(s.id).unwrap()
        );
    }
    all
}

/// A backup made by the real command restores, through the real command,
/// into a study equal in every kind of record a store holds.
#[test]
fn a_backup_carries_every_kind_of_record() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (dir.path().join("study"), dir.path().join("restored"));
    {
        let store = Store::create(&from, None).unwrap();
        let variables = Variables {
            variables: vec![Variable { name: "age".into(), kind: VariableKind::Number }],
        };
        store.commit(&[Change::Variables(variables)]).unwrap();
        let case = Case::new(CaseCode::parse("AA").unwrap(), vec![("age".into(), "34".into())], at(0));
        store.add_case(&case).unwrap();
        let s = session_of(&case, 1);
        let lines: Vec<Utterance> = (1..=3).map(|n| line(s.id, n, &format!("linje {n} ærgrelse"), n as i64)).collect();
        let mut changes = vec![Change::Session(s.clone())];
        changes.extend(lines.iter().cloned().map(Change::Utterance));
        store.commit(&changes).unwrap();
        correct(&store, &lines[1], "rettet linje", 5);
        let told = narrative(s.id, 1, 2, "Tænderne", 6);
        let mut gone = narrative(s.id, 3, 3, "Slettet", 7);
        gone.deleted = true;
        let effort = Effort {
            id: Id::new(),
            case_id: case.id,
            kind: "tandbehandling".into(),
            provider: "tandlæge".into(),
            start: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            end: None,
            outcome: String::new(),
            created: at(8),
        };
        let mut kinds = EffortKinds::default();
        kinds.learn("køreundervisning");
        let link = Link {
            id: Id::new(),
            case_id: case.id,
            chain: vec!["tandbehandling".into(), "selvværd".into()],
            valence: Valence::Positive,
            narratives: vec![told.id],
            created: at(9),
        };
        let dismissal = MarkDismissal { session: s.id, seq: 3, at: at(10) };
        let draft = Draft { session: s.id, speaker: "AA".into(), text: "halvt".into(), onset: Some(at(11)), onset_elapsed_ms: 1 };
        store
            .commit(&[
                Change::Narrative(told),
                Change::Narrative(gone),
                Change::Effort(effort),
                Change::EffortKinds(kinds),
                Change::Link(link),
                Change::DismissMark(dismissal),
                Change::Draft(draft),
            ])
            .unwrap();
    }
    let run = |store: &std::path::Path, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_fieldlog")).arg("--store").arg(store).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let file = dir.path().join("backup.json");
    run(&from, &["backup", file.to_str().unwrap()]);
    run(&to, &["restore", file.to_str().unwrap()]);
    let (from, to) = (Store::open(&from).unwrap(), Store::open(&to).unwrap());
    let (before, after) = (everything(&from), everything(&to));
    for kind in ["Effort {", "Link {", "Revision {", "MarkDismissal {", "Draft {", "deleted: true", "køreundervisning", "age"] {
        assert!(before.contains(kind), "the study holds no {kind}: the test would prove nothing");
    }
    assert_eq!(before, after);
}
