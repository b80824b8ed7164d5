//! The lossless JSON export of a study (or one case or session): every case,
//! session, line and revision, in a stable order.

use crate::domain::{Case, Id, Revision, Session, Utterance};
use crate::store::{Store, StoreError};
use serde::Serialize;

pub const FORMAT: &str = "fieldlog-study";
pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct StudyExport {
    pub format: &'static str,
    pub version: u32,
    pub cases: Vec<Case>,
    pub sessions: Vec<SessionExport>,
}

#[derive(Serialize)]
pub struct SessionExport {
    pub case: String,
    pub session: Session,
    pub utterances: Vec<Utterance>,
    pub revisions: Vec<Revision>,
}

/// What to export: everything, or one case's or one session's records.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope {
    pub case: Option<Id>,
    pub session: Option<Id>,
}

pub fn build(store: &Store, scope: Scope) -> Result<StudyExport, StoreError> {
    let sessions: Vec<Session> = store
        .sessions()?
        .into_iter()
        .filter(|s| scope.case.is_none_or(|c| s.case_id == c) && scope.session.is_none_or(|id| s.id == id))
        .collect();
    let cases: Vec<Case> = store
        .cases()?
        .into_iter()
        .filter(|c| match (scope.case, scope.session) {
            (Some(id), _) => c.id == id,
            (None, Some(_)) => sessions.iter().any(|s| s.case_id == c.id),
            (None, None) => true,
        })
        .collect();
    let mut exported = Vec::with_capacity(sessions.len());
    for session in sessions {
        let case =
            cases.iter().find(|c| c.id == session.case_id).map(|c| c.code.to_string()).unwrap_or_default();
        exported.push(SessionExport {
            case,
            utterances: store.utterances(session.id)?,
            revisions: store.revisions(session.id)?,
            session,
        });
    }
    Ok(StudyExport { format: FORMAT, version: VERSION, cases, sessions: exported })
}

pub fn to_string(export: &StudyExport) -> String {
    serde_json::to_string_pretty(export).expect("a study export is always valid JSON") + "\n"
}
