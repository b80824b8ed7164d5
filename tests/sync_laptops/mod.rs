//! Three laptops of a team, each with its own study and its own copy of
//! the sync folder, and the edits a year of fieldwork makes: shared by the
//! sync tests.
#![allow(dead_code)] // each test file uses its own part

use chrono::{DateTime, Duration, FixedOffset};
use fieldlog::domain::contacts::{ContactLedger, ContactMarkKind};
use fieldlog::domain::*;
use fieldlog::export::json;
use fieldlog::store::{Change, Store};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub fn at(minutes: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap() + Duration::minutes(minutes)
}

/// How many kinds of edit `edit` makes.
pub const EDITS: u8 = 14;

/// Names two laptops may both give a code, a code group or a variable
/// before they sync: each must end as one.
pub const SHARED_NAMES: [&str; 3] = ["håb", "tvivl", "arbejde"];

pub struct Laptop {
    pub _dirs: (tempfile::TempDir, tempfile::TempDir),
    pub store: Store,
    pub folder: PathBuf,
    pub name: char,
    pub made: u32,
}

/// What was made anywhere, to find nothing lost or doubled at the end.
#[derive(Default)]
pub struct Made {
    pub lines: BTreeSet<(Id, u32)>,
    pub narratives: BTreeSet<Id>,
    pub cases: BTreeSet<String>,
}

pub fn laptop(name: char) -> Laptop {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = Store::create(&dirs.0.path().join("study"), None).unwrap();
    let folder = dirs.1.path().to_path_buf();
    Laptop { _dirs: dirs, store, folder, name, made: 0 }
}

pub fn edit(l: &mut Laptop, what: u8, pick: usize, clock: &mut i64, made: &mut Made) {
    *clock += 1;
    // Two steps a minute: some changes tie on time.
    let now = at(*clock / 2);
    let store = &l.store;
    let cases = store.cases().unwrap();
    let sessions = store.sessions().unwrap();
    let narratives = store.narratives().unwrap();
    match what {
        0 if cases.len() < 6 => {
            // Now and then a code another laptop may give a case of its own too.
            let code = if pick.is_multiple_of(5) {
                format!("S{}", pick / 5 % 2)
            } else {
                l.made += 1;
                format!("{}{}", l.name, l.made)
            };
            if cases.iter().any(|c| c.code.as_str() == code) {
                return;
            }
            store.add_case(&Case::new(CaseCode::parse(&code).unwrap(), vec![], now)).unwrap();
            made.cases.insert(code);
        }
        1 if !cases.is_empty() => {
            let case = &cases[pick % cases.len()];
            let speakers = session::default_speakers(SessionKind::Interview, &case.code);
            let mut s = Session::new(case.id, SessionKind::Interview, 1, "home", speakers, now);
            // Who started a session logs it: its notes say which laptop that is.
            s.notes = l.name.to_string();
            store.commit(&[Change::Session(s)]).unwrap();
        }
        2 => {
            let own: Vec<&Session> = sessions.iter().filter(|s| s.notes == l.name.to_string()).collect();
            let Some(s) = own.get(pick % own.len().max(1)) else { return };
            let seq = store.last_seq(s.id).unwrap() + 1;
            let line = Utterance {
                session: s.id,
                seq,
                speaker: "I".into(),
                kind: UtteranceKind::Speech,
                text: format!("linje {seq} fra {}", l.name),
                onset: now,
                committed: now,
                elapsed_ms: 0,
                mark: None,
                deleted: false,
            };
            store.commit(&[Change::Utterance(line)]).unwrap();
            made.lines.insert((s.id, seq));
        }
        3 if !sessions.is_empty() => {
            let s = &sessions[pick % sessions.len()];
            let lines = store.utterances(s.id).unwrap();
            let Some(old) = lines.get(pick % lines.len().max(1)) else { return };
            let revision = Revision {
                session: old.session,
                seq: old.seq,
                speaker: old.speaker.clone(),
                text: old.text.clone(),
                replaced: now,
            };
            let new = Utterance { text: format!("{} (rettet af {})", old.text, l.name), ..old.clone() };
            store.commit(&[Change::Revision(revision), Change::Utterance(new)]).unwrap();
        }
        4 if !sessions.is_empty() => {
            let s = &sessions[pick % sessions.len()];
            let last = store.last_seq(s.id).unwrap();
            if last == 0 {
                return;
            }
            let first = (pick as u32 % last) + 1;
            let n = Narrative {
                id: Id::new(),
                session: s.id,
                first_seq: first,
                last_seq: last,
                title: format!("fortælling fra {}", l.name),
                codes: vec![],
                memo: String::new(),
                author: l.name.to_string(),
                created: now,
                updated: now,
                deleted: false,
            };
            made.narratives.insert(n.id);
            store.commit(&[Change::Narrative(n)]).unwrap();
        }
        5 if !narratives.is_empty() => {
            let n = &narratives[pick % narratives.len()];
            let edited = Narrative { title: format!("{} / {}", n.title, l.name), updated: now, ..n.clone() };
            store.commit(&[Change::Narrative(edited)]).unwrap();
        }
        6 if !sessions.is_empty() => {
            let s = &sessions[pick % sessions.len()];
            let on = !store.blind_sessions().unwrap().contains(&s.id);
            store.commit(&[json::blind_change(BlindSetting { session: s.id, on })]).unwrap();
        }
        // A case attribute set, on the same key on several laptops.
        7 if !cases.is_empty() => {
            let mut case = cases[pick % cases.len()].clone();
            let key = ["site", "age"][pick / 7 % 2];
            let value = format!("{}{}", l.name, *clock);
            case.attributes.retain(|(k, _)| k != key);
            case.attributes.push((key.to_string(), value));
            store.commit(&[Change::Case(case)]).unwrap();
        }
        // An effort begun, or one ended or its outcome told.
        8 if !cases.is_empty() => {
            let efforts = store.efforts().unwrap();
            let effort = match efforts.get(pick % (efforts.len() + 1)) {
                None => Effort {
                    id: Id::new(),
                    case_id: cases[pick % cases.len()].id,
                    kind: "praktik".into(),
                    provider: String::new(),
                    start: now.date_naive(),
                    end: None,
                    outcome: String::new(),
                    created: now,
                },
                Some(e) if pick.is_multiple_of(2) => Effort { end: Some(now.date_naive()), ..e.clone() },
                Some(e) => Effort { outcome: format!("udfald fra {}", l.name), ..e.clone() },
            };
            store.commit(&[Change::Effort(effort)]).unwrap();
        }
        // A narrative's codes changed.
        9 if !narratives.is_empty() => {
            let n = &narratives[pick % narratives.len()];
            let book = store.codebook().unwrap();
            let codes: Vec<&Code> = book.groups.iter().flat_map(|g| &g.codes).collect();
            let code = codes[pick % codes.len()].id;
            let mut edited = Narrative { updated: now, ..n.clone() };
            book.toggle(&mut edited.codes, code);
            store.commit(&[Change::Narrative(edited)]).unwrap();
        }
        // A code added (names shared between laptops), renamed or retired.
        10 => {
            let mut book = store.codebook().unwrap();
            let group = book.groups[pick % book.groups.len()].id;
            let name = SHARED_NAMES[pick / 5 % SHARED_NAMES.len()];
            let codes: Vec<Id> = book.groups.iter().flat_map(|g| &g.codes).map(|c| c.id).collect();
            let changed = match pick % 3 {
                0 => book.add_code(group, name).is_ok(),
                1 => book.rename(codes[pick / 3 % codes.len()], &format!("{name} {}", l.name)).is_ok(),
                _ => {
                    book.toggle_retired(codes[pick / 3 % codes.len()]);
                    true
                }
            };
            if changed {
                store.commit(&[Change::Codebook(book)]).unwrap();
            }
        }
        // A code group or a variable made, of a name another laptop may give one too.
        11 => {
            let name = SHARED_NAMES[pick % SHARED_NAMES.len()];
            if (pick / 3).is_multiple_of(2) {
                let mut book = store.codebook().unwrap();
                if let Ok(group) = book.add_group(name, GroupKind::AnyOf) {
                    book.add_code(group, &format!("kode {}", l.name)).unwrap();
                    store.commit(&[Change::Codebook(book)]).unwrap();
                }
            } else {
                let mut variables = store.variables().unwrap();
                if variables.get(name).is_none() {
                    let kind = if pick.is_multiple_of(2) { VariableKind::Text } else { VariableKind::Number };
                    variables.variables.push(Variable { name: name.into(), kind });
                    store.commit(&[Change::Variables(variables)]).unwrap();
                }
            }
        }
        // A term added to the mask list (terms other laptops may add too), or a word let be.
        13 => {
            let mut masks = store.mask_list().unwrap();
            let word = ["Aarhus", "Mette", "Brønden"][pick % 3];
            if (pick / 3).is_multiple_of(3) {
                masks.allow(word);
            } else {
                masks.add(word, &format!("[{}{}]", l.name, pick % 2), None).unwrap();
            }
            store.commit(&[Change::MaskList(masks)]).unwrap();
        }
        // A contact point marked, or its mark cleared.
        12 if !cases.is_empty() => {
            let case = &cases[pick % cases.len()];
            let mut ledger =
                store.contact_ledger(case.id).unwrap().unwrap_or_else(|| ContactLedger::new(case.id, now));
            let kind = [Some(ContactMarkKind::Missed), Some(ContactMarkKind::Partial), None][pick / 3 % 3];
            ledger.mark(1 + (pick % 3) as u32, kind, &format!("fra {}", l.name)).unwrap();
            ledger.updated = now;
            store.commit(&[Change::ContactLedger(ledger)]).unwrap();
        }
        _ => {}
    }
}

/// The sync tool's copy of `from`'s files into `to`'s folder: never a
/// laptop's own file, never shorter than what is there already.
pub fn copy(from: &Path, to: &Path, own: Option<&Path>, share: u8) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if own.is_some_and(|o| o == target) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let len = bytes.len() * usize::from(share) / 100;
        let there = std::fs::metadata(&target).map(|m| m.len() as usize).unwrap_or(0);
        if len > there {
            std::fs::write(&target, &bytes[..len]).unwrap();
        }
    }
}

pub fn own_file(l: &Laptop) -> Option<PathBuf> {
    match l.store.team(TeamKey::LAPTOP).unwrap() {
        Some(TeamValue::Laptop(id)) => Some(l.folder.join(format!("{id}.changes"))),
        _ => None,
    }
}

/// The study as a comparable value: revisions in a fixed order (their keys
/// in the store are local).
pub fn canonical(store: &Store) -> serde_json::Value {
    let mut study = json::backup(store).unwrap();
    for s in &mut study.sessions {
        s.revisions.sort_by(|a, b| (a.seq, a.replaced, &a.text).cmp(&(b.seq, b.replaced, &b.text)));
    }
    serde_json::to_value(&study).unwrap()
}

/// Copies every change file of `from`'s folder into `to`'s (whole).
pub fn pass(from: &Laptop, to: &Laptop) {
    copy(&from.folder, &to.folder, own_file(to).as_deref(), 100);
}
