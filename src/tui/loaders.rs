//! Loaders: what each screen opens with, read from the store. The only
//! place the app reads the store to build a screen.

use super::screens::case::{CaseData, CaseState, SessionRow};
use super::screens::codebook::CodebookState;
use super::screens::disagreements::{Disagreement, DisagreementsState};
use super::screens::display::{DisplayData, DisplayState};
use super::screens::form::FormState;
use super::screens::home::CaseRow;
use super::screens::live::LiveState;
use super::screens::masks::{add_tally, CandidatesState};
use super::screens::narratives::{NarrativeRow, NarrativesState};
use super::screens::overview::OverviewState;
use super::screens::reading::ReadingState;
use super::screens::review::{ReviewData, ReviewState};
use super::screens::search::Found;
use super::screens::tables::TablesState;
use super::screens::timeline::TimelineState;
use crate::domain::mask::detect;
use crate::domain::overview::follow_up;
use crate::domain::session::latest_contact;
use crate::domain::{Case, Id, MaskList, Masker, Narrative, Session};
use crate::store::search::HitPlace;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;

/// The narratives `author` may see: in a session coded blind, their own only.
fn seen_by(store: &Store, author: &str, narratives: Vec<Narrative>) -> Result<Vec<Narrative>, StoreError> {
    let hidden = store.narratives_hidden_from(author)?;
    Ok(narratives.into_iter().filter(|n| !hidden.contains(&n.id)).collect())
}

/// Home's rows: each case with its sessions by kind.
pub fn case_rows(store: &Store) -> Result<Vec<CaseRow>, StoreError> {
    Ok(CaseRow::build(store.cases()?, &store.sessions()?))
}

/// The form for a new session of a case, at its latest contact point.
pub fn form(store: &Store, case: Case) -> Result<FormState, StoreError> {
    let contact = latest_contact(&store.sessions()?, case.id);
    Ok(FormState::new(case, contact))
}

/// A session to log, with its lines and any draft a crash left.
pub fn live(store: &Store, id: Id) -> Result<LiveState, StoreError> {
    let session = store.session(id)?.ok_or(StoreError::Missing { what: "session" })?;
    let case = case_code(store, &session)?;
    let lines = store.utterances(id)?;
    let draft = store.draft(id)?;
    Ok(LiveState::open(session, case, lines, draft))
}

fn case_code(store: &Store, session: &Session) -> Result<String, StoreError> {
    Ok(store.case(session.case_id)?.map(|c| c.code.to_string()).unwrap_or_default())
}

/// A case: its attributes, sessions with their counts, efforts and links.
pub fn case(store: &Store, case_id: Id, today: NaiveDate, author: &str) -> Result<CaseState, StoreError> {
    let case = store.case(case_id)?.ok_or(StoreError::Missing { what: "case" })?;
    let narratives = seen_by(store, author, store.narratives()?)?;
    let mut sessions = Vec::new();
    for session in store.sessions()?.into_iter().filter(|s| s.case_id == case_id) {
        let lines = store.utterance_count(session.id)?;
        let count = narratives.iter().filter(|n| n.session == session.id).count();
        sessions.push(SessionRow { session, lines, narratives: count });
    }
    let efforts = store.efforts()?.into_iter().filter(|e| e.case_id == case_id).collect();
    let links = store.links()?.into_iter().filter(|l| l.case_id == case_id).collect();
    let variables = store.variables()?;
    let plan = store.contact_plan()?;
    let ledger = store
        .contact_ledger(case_id)?
        .unwrap_or_else(|| crate::domain::contacts::ContactLedger::new(case_id, case.created));
    Ok(CaseState::new(CaseData { today, case, sessions, efforts, links, variables, plan, ledger }))
}

/// A session to read back, at line `seq` if given.
pub fn review(store: &Store, session: Id, author: &str, seq: Option<u32>) -> Result<ReviewState, StoreError> {
    let record = store.session(session)?.ok_or(StoreError::Missing { what: "session" })?;
    let data = ReviewData {
        case: case_code(store, &record)?,
        lines: store.utterances(session)?,
        narratives: seen_by(store, author, store.narratives_of(session)?)?,
        codebook: store.codebook()?,
        dismissed: store.dismissed_marks(session)?,
        blind: store.blind_sessions()?.contains(&session),
        session: record,
    };
    Ok(ReviewState::open(data, author.to_string(), seq))
}

/// Every narrative with its session, case and first words.
pub fn narratives(store: &Store, author: &str) -> Result<NarrativesState, StoreError> {
    let sessions = store.sessions()?;
    let cases = store.cases()?;
    let mut rows = Vec::new();
    for narrative in seen_by(store, author, store.narratives()?)? {
        let Some(session) = sessions.iter().find(|s| s.id == narrative.session).cloned() else {
            continue;
        };
        let case =
            cases.iter().find(|c| c.id == session.case_id).map(|c| c.code.to_string()).unwrap_or_default();
        let opening = store.utterance(session.id, narrative.first_seq)?.map(|u| u.text).unwrap_or_default();
        rows.push(NarrativeRow { narrative, session, case, opening });
    }
    Ok(NarrativesState::new(rows, cases, store.codebook()?))
}

pub fn overview(store: &Store, today: chrono::NaiveDate) -> Result<OverviewState, StoreError> {
    let sessions = store.sessions()?;
    let contacts = store.case_contacts(today)?;
    let cases = store.cases()?;
    let rows = cases.iter().zip(&contacts).map(|(c, k)| follow_up(c, &sessions).with_contacts(k));
    Ok(OverviewState::new(rows.collect()))
}

/// The brief before the next contact with `case`, as said (the app shows
/// text unmasked until asked, as review does).
pub fn brief(
    store: &Store,
    case: crate::domain::Id,
    today: chrono::NaiveDate,
) -> Result<ReadingState, StoreError> {
    use crate::export::brief_report::{brief_report, load_brief};
    let mut study = crate::export::report::Study::load(store, true)?;
    study.today = today;
    let case = store.case(case)?.ok_or(StoreError::Missing { what: "case" })?;
    let brief = load_brief(store, &study, &case)?;
    Ok(ReadingState::new(brief_report(store, &study, &brief)?))
}

/// The appendix table of contacts, as said.
pub fn contacts_table(store: &Store, today: chrono::NaiveDate) -> Result<ReadingState, StoreError> {
    let mut study = crate::export::report::Study::load(store, true)?;
    study.today = today;
    Ok(ReadingState::new(crate::export::report::contacts_report(&study)))
}

/// The study's tables to choose from, contacts judged as of `today` (the
/// app shows text unmasked until asked, as review does).
pub fn tables(store: &Store, today: chrono::NaiveDate) -> Result<TablesState, StoreError> {
    let mut study = crate::export::report::Study::load(store, true)?;
    study.today = today;
    Ok(TablesState::new(study))
}

/// The time view of every case, contacts judged as of `today`.
pub fn timeline(store: &Store, today: chrono::NaiveDate) -> Result<TimelineState, StoreError> {
    let (cases, sessions, efforts) = (store.cases()?, store.sessions()?, store.efforts()?);
    let (narratives, narrated, codebook) = (store.narratives()?, store.narrated_times()?, store.codebook()?);
    let contacts = store.case_contacts(today)?;
    let input = crate::domain::timeline::TimelineInput {
        cases: &cases,
        sessions: &sessions,
        efforts: &efforts,
        narratives: &narratives,
        narrated: &narrated,
        contacts: &contacts,
        codebook: &codebook,
    };
    Ok(TimelineState::new(crate::domain::timeline::timeline(&input)))
}

pub fn display(store: &Store, author: &str) -> Result<DisplayState, StoreError> {
    let data = DisplayData {
        cases: store.cases()?,
        sessions: store.sessions()?,
        narratives: seen_by(store, author, store.narratives()?)?,
        codebook: store.codebook()?,
    };
    Ok(DisplayState::new(data))
}

pub fn codebook(store: &Store, author: &str) -> Result<CodebookState, StoreError> {
    Ok(CodebookState::new(store.codebook()?, seen_by(store, author, store.narratives()?)?))
}

/// Up to `limit` hits for `query`, each with its case (its code, and its id for masking).
pub fn search(store: &Store, query: &str, limit: usize, author: &str) -> Result<Vec<Found>, StoreError> {
    let codes = store.session_case_codes()?;
    let cases: std::collections::HashMap<Id, Id> =
        store.sessions()?.into_iter().map(|s| (s.id, s.case_id)).collect();
    let hits = store.search(query, limit)?;
    let hidden = store.narratives_hidden_from(author)?;
    Ok(hits
        .into_iter()
        .filter(|hit| match hit.place {
            HitPlace::NarrativeTitle { narrative, .. } | HitPlace::NarrativeMemo { narrative, .. } => {
                !hidden.contains(&narrative)
            }
            HitPlace::Line { .. } => true,
        })
        .map(|hit| {
            let session = hit.target().0;
            Found {
                case: codes.get(&session).cloned().unwrap_or_default(),
                case_id: cases.get(&session).copied(),
                hit,
            }
        })
        .collect())
}

/// What the detectors propose in one session, or in every session of the
/// study: its lines, marks, narrative titles and memos, notes and place,
/// under the app's mask list (which may be ahead of the store's).
pub fn candidates(
    store: &Store,
    masks: &MaskList,
    session: Option<Id>,
) -> Result<CandidatesState, StoreError> {
    let sessions = match session {
        Some(id) => vec![store.session(id)?.ok_or(StoreError::Missing { what: "session" })?],
        None => store.sessions()?,
    };
    let narratives = match session {
        Some(id) => store.narratives_of(id)?,
        None => store.narratives()?,
    };
    let mut rows = Vec::new();
    for s in &sessions {
        let code = case_code(store, s)?;
        let masker = Masker::new(masks, Some(s.case_id));
        let lines = store.utterances(s.id)?;
        let texts =
            lines
                .iter()
                .filter(|l| !l.deleted)
                .flat_map(|l| {
                    let mark = l.mark.as_ref().map(|m| (Some(l.seq), m.word.as_str()));
                    std::iter::once((Some(l.seq), l.text.as_str())).chain(mark)
                })
                .chain(narratives.iter().filter(|n| n.session == s.id).flat_map(|n| {
                    [(Some(n.first_seq), n.title.as_str()), (Some(n.first_seq), n.memo.as_str())]
                }))
                .chain([(None, s.notes.as_str()), (None, s.place_text.as_str())]);
        add_tally(&mut rows, (s.case_id, &code, s.id), detect::tally(texts, masks, &masker));
    }
    let scope = match (session, sessions.first()) {
        (Some(_), Some(s)) => vec![
            format!("session {}", case_code(store, s)?),
            s.kind.to_string(),
            s.clock.started.format("%Y-%m-%d").to_string(),
        ],
        _ => vec!["the whole study".to_string()],
    };
    Ok(CandidatesState::new(scope, session.is_none(), rows, masks.clone()))
}

/// The coders' disagreements not yet settled, passage by passage (sessions
/// coded blind left out, and counted).
pub fn disagreements(store: &Store) -> Result<DisagreementsState, StoreError> {
    use crate::domain::agreement::{self, settled, TEAM};
    let all = store.all_narratives()?;
    let codebook = store.codebook()?;
    let blind = store.blind_sessions()?;
    let live: Vec<Narrative> = all.iter().filter(|n| !n.deleted).cloned().collect();
    let coders: Vec<String> = live
        .iter()
        .filter(|n| n.author != TEAM)
        .map(|n| n.author.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let units = agreement::units(&live, &coders);
    let found = agreement::disagreements(&units, &coders, &codebook);
    let sessions = store.sessions()?;
    let cases = store.cases()?;
    let mut items: Vec<Disagreement> = Vec::new();
    let mut blind_left_out = 0;
    for (index, unit) in units.iter().enumerate() {
        let what: Vec<String> = found.iter().filter(|d| d.unit == index).map(|d| d.what.clone()).collect();
        if what.is_empty() || settled(unit, &all) {
            continue;
        }
        if blind.contains(&unit.session) {
            blind_left_out += 1;
            continue;
        }
        // Left and right: the coders of the passage, then those of the session who did not flag it.
        let coded_session =
            |c: &String| units.iter().any(|u| u.session == unit.session && u.by.contains_key(c));
        let mut pair: Vec<String> = unit.by.keys().cloned().collect();
        pair.extend(coders.iter().filter(|c| !unit.by.contains_key(*c) && coded_session(c)).cloned());
        pair.resize(2, String::new());
        let session = sessions.iter().find(|s| s.id == unit.session);
        let case = session
            .and_then(|s| cases.iter().find(|c| c.id == s.case_id))
            .map(|c| c.code.to_string())
            .unwrap_or_default();
        let contact = session.map_or(0, |s| s.contact_point);
        let coders = [pair[0].clone(), pair[1].clone()];
        items.push(Disagreement { unit: unit.clone(), case, contact, coders, what });
    }
    Ok(DisagreementsState::new(items, codebook, blind_left_out))
}
