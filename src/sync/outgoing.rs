//! What this laptop sends: every record whose value changed since it was
//! last written to or read from the sync folder, whole (its full current
//! value, so merge's rules apply on arrival), with the versions it replaces.
//! Records a change refers to (a line's session, a session's case) travel
//! with it as context, so a teammate never holds a line without its session.

use super::exchanged::Exchanged;
use super::record::ChangeRecord;
use crate::domain::{Id, Lineage, PurgedCase};
use crate::export::json::{self, SessionExport, StudyExport};
use crate::import::lineage::{record, version};
use crate::store::sync_marks::SyncMarks;
use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};

/// A record of the study by its sync name, and its version.
pub struct Versioned {
    pub name: String,
    pub version: u64,
    /// Lines, narratives and the like change; revisions and dismissed marks
    /// are only ever added (their name holds their version).
    pub changes: bool,
}

pub fn revision_name(r: &crate::domain::Revision) -> String {
    format!("revision/{}/{}/{:016x}", r.session, r.seq, version(r))
}

pub fn dismissal_name(d: &crate::domain::MarkDismissal) -> String {
    format!("dismissal/{}/{}", d.session, d.seq)
}

pub fn retiming_name(t: &crate::domain::Retiming) -> String {
    format!("retiming/{}/{}/{:016x}", t.session, t.seq, version(t))
}

/// Every record of a study with its version.
pub fn versions(study: &StudyExport) -> Vec<Versioned> {
    let mut out = Vec::new();
    let mut push = |name: String, version: u64, changes: bool| out.push(Versioned { name, version, changes });
    push(record::CODEBOOK.into(), version(&study.codebook), true);
    push(record::VARIABLES.into(), version(&study.variables), true);
    push(record::EFFORT_KINDS.into(), version(&study.effort_kinds), true);
    if let Some(masks) = &study.masks {
        push(record::MASKS.into(), version(masks), true);
    }
    for c in &study.cases {
        push(record::case(&c.code), version(c), true);
    }
    for s in &study.sessions {
        push(record::session(s.session.id), version(&s.session), true);
        for u in &s.utterances {
            push(record::line(u.session, u.seq), version(u), true);
        }
        for r in &s.revisions {
            push(revision_name(r), version(r), false);
        }
        for d in &s.dismissed_marks {
            push(dismissal_name(d), version(d), false);
        }
        if let Some(r) = &s.recording {
            push(record::recording(r.session), version(r), true);
        }
        if let Some(c) = &s.consent {
            push(record::consent(c.session), version(c), true);
        }
        for t in &s.retimings {
            push(retiming_name(t), version(t), false);
        }
    }
    if let Some(plan) = &study.contact_plan {
        push(record::CONTACT_PLAN.into(), version(plan), true);
    }
    for l in &study.contact_ledgers {
        push(record::ledger(l.case_id), version(l), true);
    }
    for t in &study.narrated_times {
        push(record::narrated(t.narrative), version(t), true);
    }
    for r in &study.recruitment {
        push(record::recruitment(r.id), version(r), true);
    }
    for n in &study.narratives {
        push(record::narrative(n.id), version(n), true);
    }
    for e in &study.efforts {
        push(record::effort(e.id), version(e), true);
    }
    for l in &study.links {
        push(record::link(l.id), version(l), true);
    }
    for b in &study.blind {
        push(record::blind(b.session), version(b), true);
    }
    out
}

/// About how many lines one record holds: a teammate brings in one record
/// at a time, so the first sync of a large study is taken in pieces.
const LINES_PER_RECORD: usize = 5_000;

/// This laptop's records of changes (none if nothing changed), and what it
/// exchanges (to be stored once the records are on disk).
pub struct Outgoing {
    pub records: Vec<ChangeRecord>,
    pub exchanged: Vec<(String, Lineage)>,
}

/// Which records a sync looks at for changes.
pub enum Looked<'a> {
    /// Every record of the study; with `send_all`, each is sent whether it
    /// changed or not (a new folder).
    Whole { send_all: bool },
    /// Those the store marked as changed since the last sync (`SyncMarks`):
    /// the lines of marked sessions only, the rest of the study whole.
    Marked(&'a SyncMarks),
}

/// The changes since the last sync (`exchanged`: what each record was when
/// last exchanged) among the records `looked` at. Nothing of a `purged`
/// case goes; with `always`, one record goes even if nothing changed (to
/// carry a purge).
pub fn changes(
    store: &Store,
    exchanged: &mut Exchanged,
    looked: Looked,
    purged: &[PurgedCase],
    always: bool,
    laptop: Id,
    author: &str,
) -> Result<Outgoing, StoreError> {
    let (mut study, everything) = match looked {
        Looked::Whole { send_all } => {
            exchanged.read_all()?;
            (json::backup(store)?, send_all)
        }
        Looked::Marked(marks) if marks.is_empty() && !always => {
            return Ok(Outgoing { records: Vec::new(), exchanged: Vec::new() });
        }
        Looked::Marked(marks) if !marks.study => (marked_sessions(store, &marks.sessions)?, false),
        Looked::Marked(marks) => (json::backup_with_lines_of(store, &marks.sessions)?, false),
    };
    super::purge::strip(&mut study, purged);
    let mut lineage = BTreeMap::new();
    let mut updates = Vec::new();
    for v in versions(&study) {
        let prior = exchanged.get(&v.name)?;
        let prior = prior.as_ref();
        if !everything && prior.is_some_and(|p| p.version == v.version) {
            continue;
        }
        let mut now = Lineage { version: v.version, replaces: Vec::new() };
        if let Some(p) = prior.filter(|_| v.changes) {
            let sent = Some(p.version).filter(|v| *v != super::incoming::UNSENT);
            now.absorb(p.replaces.iter().copied().chain(sent));
        }
        lineage.insert(v.name.clone(), now.clone());
        updates.push((v.name, now));
    }
    if lineage.is_empty() && !always {
        return Ok(Outgoing { records: Vec::new(), exchanged: updates });
    }
    let records = pieces(fragment(study, &lineage))
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            // After the first piece, the study-wide records ride along as context only.
            let own = |name: &str| {
                i == 0
                    || ["session/", "line/", "revision/", "dismissal/", "narrative/"]
                        .iter()
                        .any(|p| name.starts_with(p))
            };
            let (mine, context): (Vec<String>, Vec<String>) = versions(&piece)
                .into_iter()
                .map(|v| v.name)
                .partition(|name| lineage.contains_key(name) && own(name));
            let piece_lineage = mine.into_iter().map(|name| (name.clone(), lineage[&name].clone())).collect();
            ChangeRecord::new(laptop, author, piece, piece_lineage, context)
        })
        .collect();
    Ok(Outgoing { records, exchanged: updates })
}

/// The marked sessions whole, with their cases and the study's one-value
/// records, and nothing else: what a sync reads when nothing but those
/// sessions changed (a line logged, a session ended).
fn marked_sessions(store: &Store, ids: &BTreeSet<Id>) -> Result<StudyExport, StoreError> {
    let mut sessions = Vec::new();
    let mut cases = Vec::new();
    for id in ids {
        let Some(session) = store.session(*id)? else { continue };
        if !cases.iter().any(|c: &crate::domain::Case| c.id == session.case_id) {
            cases.extend(store.case(session.case_id)?);
        }
        let case =
            cases.iter().find(|c| c.id == session.case_id).map(|c| c.code.to_string()).unwrap_or_default();
        sessions.push(SessionExport {
            case,
            utterances: store.utterances(*id)?,
            revisions: store.revisions(*id)?,
            dismissed_marks: store.dismissals(*id)?,
            draft: None,
            recording: store.recording(*id)?,
            consent: store.consent(*id)?,
            retimings: store.retimings(*id)?,
            session,
        });
    }
    Ok(StudyExport {
        format: json::FORMAT.to_string(),
        version: json::VERSION,
        codebook: store.codebook()?,
        variables: store.variables()?,
        effort_kinds: store.effort_kinds()?,
        cases,
        sessions,
        narratives: Vec::new(),
        efforts: Vec::new(),
        links: Vec::new(),
        masks: Some(store.mask_list()?),
        contact_plan: None,
        contact_ledgers: Vec::new(),
        narrated_times: Vec::new(),
        recruitment: Vec::new(),
        blind: Vec::new(),
        masked: None,
    })
}

/// The fragment cut into records of about `LINES_PER_RECORD` lines, by
/// whole sessions (each with its narratives and its case as context); the
/// first holds everything study-wide.
fn pieces(fragment: StudyExport) -> Vec<StudyExport> {
    let StudyExport { sessions, narratives, cases, .. } = fragment;
    let mut groups: Vec<Vec<SessionExport>> = vec![Vec::new()];
    let mut lines = 0;
    for s in sessions {
        if lines >= LINES_PER_RECORD {
            groups.push(Vec::new());
            lines = 0;
        }
        lines += s.utterances.len() + s.revisions.len();
        groups.last_mut().expect("one group at least").push(s);
    }
    let mut narratives = narratives;
    let mut out = Vec::new();
    for (i, group) in groups.into_iter().enumerate() {
        let (these, rest): (Vec<_>, Vec<_>) =
            narratives.into_iter().partition(|n| group.iter().any(|s| s.session.id == n.session));
        narratives = rest;
        let piece_cases = cases
            .iter()
            .filter(|c| i == 0 || group.iter().any(|s| s.session.case_id == c.id))
            .cloned()
            .collect();
        let mut piece = StudyExport {
            format: fragment.format.clone(),
            version: fragment.version,
            codebook: fragment.codebook.clone(),
            variables: fragment.variables.clone(),
            effort_kinds: fragment.effort_kinds.clone(),
            cases: piece_cases,
            sessions: group,
            narratives: these,
            efforts: Vec::new(),
            links: Vec::new(),
            masks: fragment.masks.clone(),
            blind: Vec::new(),
            masked: None,
            contact_plan: None,
            contact_ledgers: Vec::new(),
            narrated_times: Vec::new(),
            recruitment: Vec::new(),
        };
        if i == 0 {
            piece.efforts = fragment.efforts.clone();
            piece.links = fragment.links.clone();
            piece.blind = fragment.blind.clone();
            piece.contact_plan = fragment.contact_plan.clone();
            piece.contact_ledgers = fragment.contact_ledgers.clone();
            piece.narrated_times = fragment.narrated_times.clone();
            piece.recruitment = fragment.recruitment.clone();
        }
        out.push(piece);
    }
    // Narratives of sessions that are not in the fragment (a title changed) go with the first.
    out[0].narratives.extend(narratives);
    out
}

/// The study cut down to the changed records and what they refer to.
fn fragment(study: StudyExport, changed: &BTreeMap<String, Lineage>) -> StudyExport {
    let is = |name: &str| changed.contains_key(name);
    let narratives: Vec<_> = study.narratives.into_iter().filter(|n| is(&record::narrative(n.id))).collect();
    let efforts: Vec<_> = study.efforts.into_iter().filter(|e| is(&record::effort(e.id))).collect();
    let links: Vec<_> = study.links.into_iter().filter(|l| is(&record::link(l.id))).collect();
    let mut sessions = Vec::new();
    for s in study.sessions {
        let id = s.session.id;
        let cut = SessionExport {
            case: s.case,
            utterances: s.utterances.into_iter().filter(|u| is(&record::line(u.session, u.seq))).collect(),
            revisions: s.revisions.into_iter().filter(|r| is(&revision_name(r))).collect(),
            dismissed_marks: s.dismissed_marks.into_iter().filter(|d| is(&dismissal_name(d))).collect(),
            draft: None,
            recording: s.recording.filter(|_| is(&record::recording(id))),
            consent: s.consent.filter(|_| is(&record::consent(id))),
            retimings: s.retimings.into_iter().filter(|t| is(&retiming_name(t))).collect(),
            session: s.session,
        };
        let wanted = is(&record::session(id))
            || !cut.utterances.is_empty()
            || !cut.revisions.is_empty()
            || !cut.dismissed_marks.is_empty()
            || cut.recording.is_some()
            || cut.consent.is_some()
            || !cut.retimings.is_empty()
            || narratives.iter().any(|n| n.session == id);
        if wanted {
            sessions.push(cut);
        }
    }
    let contact_ledgers: Vec<_> =
        study.contact_ledgers.into_iter().filter(|l| is(&record::ledger(l.case_id))).collect();
    let narrated_times =
        study.narrated_times.into_iter().filter(|t| is(&record::narrated(t.narrative))).collect();
    let recruitment = study.recruitment.into_iter().filter(|r| is(&record::recruitment(r.id))).collect();
    let contact_plan = study.contact_plan.filter(|_| is(record::CONTACT_PLAN));
    let cases_wanted: BTreeSet<Id> = sessions
        .iter()
        .map(|s| s.session.case_id)
        .chain(efforts.iter().map(|e| e.case_id))
        .chain(links.iter().map(|l| l.case_id))
        .chain(contact_ledgers.iter().map(|l| l.case_id))
        .collect();
    let cases = study
        .cases
        .into_iter()
        .filter(|c| is(&record::case(&c.code)) || cases_wanted.contains(&c.id))
        .collect();
    let blind = study.blind.into_iter().filter(|b| is(&record::blind(b.session))).collect();
    StudyExport {
        cases,
        sessions,
        narratives,
        efforts,
        links,
        blind,
        contact_plan,
        contact_ledgers,
        narrated_times,
        recruitment,
        ..study
    }
}
