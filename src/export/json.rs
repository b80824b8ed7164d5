//! The lossless JSON form of a study (or of one case or session): every
//! record the store holds, in a stable order, so the same study always
//! gives the same bytes. `backup` writes it whole; `restore` reads it back.

use crate::domain::contacts::{ContactLedger, ContactPlan, Recruitment};
use crate::domain::narrated::NarratedTime;
use crate::domain::{BlindSetting, MaskList, TeamKey, TeamValue};
use crate::domain::{
    Case, Codebook, Draft, Effort, EffortKinds, Id, Link, MarkDismissal, Narrative, Revision, Session,
    Utterance, Variables,
};
use crate::domain::{Consent, Recording, Retiming};
use crate::store::{Change, Store, StoreError};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "fieldlog-study";
/// 2: kinds, roles, places and other such values as their words
/// (`"interview"`); version 1 wrote their names (`"Interview"`), still read.
pub const VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
pub struct StudyExport {
    pub format: String,
    pub version: u32,
    pub codebook: Codebook,
    pub variables: Variables,
    pub effort_kinds: EffortKinds,
    pub cases: Vec<Case>,
    pub sessions: Vec<SessionExport>,
    /// Every narrative, deleted ones (tombstones) included.
    pub narratives: Vec<Narrative>,
    pub efforts: Vec<Effort>,
    pub links: Vec<Link>,
    /// The mask list: in a backup (which restores the whole study), never in an export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masks: Option<MaskList>,
    /// The follow-up year (absent from studies that recorded none of it, so
    /// their exports read as before): the study's contact rhythm if set,
    /// each case's contact ledger, narratives' narrated times, the
    /// recruitment log (whole-study exports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_plan: Option<ContactPlan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_ledgers: Vec<ContactLedger>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narrated_times: Vec<NarratedTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recruitment: Vec<Recruitment>,
    /// Sessions set to blind coding (on or off), each with its setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blind: Vec<BlindSetting>,
    /// In an export: whether its texts went through the mask list (a backup has neither).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SessionExport {
    pub case: String,
    pub session: Session,
    pub utterances: Vec<Utterance>,
    pub revisions: Vec<Revision>,
    pub dismissed_marks: Vec<MarkDismissal>,
    pub draft: Option<Draft>,
    /// What the session's recording is and where it was kept (never its sound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<Recording>,
    /// The speakers who agreed to be recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Lines re-timed by ear, with the onsets they had.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retimings: Vec<Retiming>,
}

/// What to export: everything, or one case's or one session's records.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope {
    pub case: Option<Id>,
    pub session: Option<Id>,
}

pub fn build(store: &Store, scope: Scope) -> Result<StudyExport, StoreError> {
    build_with_lines_of(store, scope, None)
}

/// The whole study as a backup holds it, but the lines (and revisions,
/// marks, recordings, consent and re-timings) of `sessions` only: what a
/// sync reads when only those sessions changed.
pub fn backup_with_lines_of(
    store: &Store,
    sessions: &std::collections::BTreeSet<Id>,
) -> Result<StudyExport, StoreError> {
    let mut study = build_with_lines_of(store, Scope::default(), Some(sessions))?;
    study.masks = Some(store.mask_list()?);
    Ok(study)
}

fn build_with_lines_of(
    store: &Store,
    scope: Scope,
    lines_of: Option<&std::collections::BTreeSet<Id>>,
) -> Result<StudyExport, StoreError> {
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
        if lines_of.is_some_and(|wanted| !wanted.contains(&session.id)) {
            exported.push(SessionExport {
                case,
                utterances: Vec::new(),
                revisions: Vec::new(),
                dismissed_marks: Vec::new(),
                draft: None,
                recording: None,
                consent: None,
                retimings: Vec::new(),
                session,
            });
            continue;
        }
        exported.push(SessionExport {
            case,
            utterances: store.utterances(session.id)?,
            revisions: store.revisions(session.id)?,
            dismissed_marks: store.dismissals(session.id)?,
            draft: store.draft(session.id)?,
            recording: store.recording(session.id)?,
            consent: store.consent(session.id)?,
            retimings: store.retimings(session.id)?,
            session,
        });
    }
    let in_scope = |case: Id| cases.iter().any(|c| c.id == case);
    let narratives: Vec<Narrative> = store
        .all_narratives()?
        .into_iter()
        .filter(|n| exported.iter().any(|s| s.session.id == n.session))
        .collect();
    let whole = scope.case.is_none() && scope.session.is_none();
    let plan = store.contact_plan()?;
    let blind = store
        .blind_settings()?
        .into_iter()
        .filter(|b| exported.iter().any(|s| s.session.id == b.session))
        .collect();
    Ok(StudyExport {
        format: FORMAT.to_string(),
        version: VERSION,
        codebook: store.codebook()?,
        variables: store.variables()?,
        effort_kinds: store.effort_kinds()?,
        efforts: store.efforts()?.into_iter().filter(|e| in_scope(e.case_id)).collect(),
        links: store.links()?.into_iter().filter(|l| in_scope(l.case_id)).collect(),
        contact_plan: (whole && plan != ContactPlan::default()).then_some(plan),
        contact_ledgers: store.contact_ledgers()?.into_iter().filter(|l| in_scope(l.case_id)).collect(),
        narrated_times: store
            .narrated_times()?
            .into_iter()
            .filter(|t| narratives.iter().any(|n| n.id == t.narrative))
            .collect(),
        recruitment: if whole { store.recruitment()? } else { vec![] },
        cases,
        sessions: exported,
        narratives,
        masks: None,
        blind,
        masked: None,
    })
}

/// The whole study as a backup holds it: everything `build` gives, and the mask list.
pub fn backup(store: &Store) -> Result<StudyExport, StoreError> {
    let mut study = build(store, Scope::default())?;
    study.masks = Some(store.mask_list()?);
    Ok(study)
}

pub fn to_string(export: &StudyExport) -> String {
    serde_json::to_string_pretty(export).expect("a study export is always valid JSON") + "\n"
}

/// Why a backup cannot be restored, in words a user understands.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{0} is not a fieldlog backup: {1}")]
    NotABackup(String, String),
    #[error("{0} was written by a newer fieldlog (backup version {1}); this one reads version {VERSION}")]
    Newer(String, u32),
    #[error("{0} is inconsistent: {1}")]
    Inconsistent(String, String),
}

/// Reads a backup and checks that its records fit together.
pub fn parse(name: &str, text: &str) -> Result<StudyExport, RestoreError> {
    let study: StudyExport =
        serde_json::from_str(text).map_err(|e| RestoreError::NotABackup(name.to_string(), e.to_string()))?;
    if study.format != FORMAT {
        return Err(RestoreError::NotABackup(name.to_string(), format!("its format is {:?}", study.format)));
    }
    if study.version > VERSION {
        return Err(RestoreError::Newer(name.to_string(), study.version));
    }
    let bad = |reason: String| RestoreError::Inconsistent(name.to_string(), reason);
    for (i, case) in study.cases.iter().enumerate() {
        if study.cases[..i].iter().any(|c| c.code == case.code || c.id == case.id) {
            return Err(bad(format!("case {} is in it twice", case.code)));
        }
    }
    for s in &study.sessions {
        if !study.cases.iter().any(|c| c.id == s.session.case_id) {
            return Err(bad(format!("session {} belongs to no case in the backup", s.session.id)));
        }
        if let Some(u) = s.utterances.iter().find(|u| u.session != s.session.id) {
            return Err(bad(format!(
                "line {} of session {} says it is of another session",
                u.seq, s.session.id
            )));
        }
    }
    if let Some(n) =
        study.narratives.iter().find(|n| !study.sessions.iter().any(|s| s.session.id == n.session))
    {
        return Err(bad(format!("narrative {:?} refers to a session that is not in it", n.title)));
    }
    if study.contact_ledgers.iter().any(|l| !study.cases.iter().any(|c| c.id == l.case_id)) {
        return Err(bad("a contact ledger belongs to no case in the backup".into()));
    }
    if study.narrated_times.iter().any(|t| !study.narratives.iter().any(|n| n.id == t.narrative)) {
        return Err(bad("a narrated time belongs to no narrative in the backup".into()));
    }
    Ok(study)
}

/// Every record of a backup as changes to write in one commit.
pub fn changes(study: StudyExport) -> Vec<Change> {
    let mut changes = vec![
        Change::Codebook(study.codebook),
        Change::Variables(study.variables),
        Change::EffortKinds(study.effort_kinds),
    ];
    changes.extend(study.cases.into_iter().map(Change::Case));
    for s in study.sessions {
        changes.push(Change::Session(s.session));
        changes.extend(s.utterances.into_iter().map(Change::Utterance));
        changes.extend(s.revisions.into_iter().map(Change::Revision));
        changes.extend(s.dismissed_marks.into_iter().map(Change::DismissMark));
        changes.extend(s.draft.map(Change::Draft));
        changes.extend(s.recording.map(Change::Recording));
        changes.extend(s.consent.map(Change::Consent));
        changes.extend(s.retimings.into_iter().map(Change::Retiming));
    }
    changes.extend(study.narratives.into_iter().map(Change::Narrative));
    changes.extend(study.efforts.into_iter().map(Change::Effort));
    changes.extend(study.links.into_iter().map(Change::Link));
    changes.extend(study.masks.map(Change::MaskList));
    changes.extend(study.contact_plan.map(Change::ContactPlan));
    changes.extend(study.contact_ledgers.into_iter().map(Change::ContactLedger));
    changes.extend(study.narrated_times.into_iter().map(Change::NarratedTime));
    changes.extend(study.recruitment.into_iter().map(Change::Recruitment));
    changes.extend(study.blind.into_iter().map(blind_change));
    changes
}

/// The change that stores a blind setting.
pub fn blind_change(setting: BlindSetting) -> Change {
    Change::Team { key: TeamKey::blind(setting.session), value: Some(TeamValue::Blind(setting.on)) }
}

#[cfg(test)]
mod tests {
    use crate::domain::{GroupKind, Place, Role, SessionKind, UtteranceKind, Valence, VariableKind};
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::json;

    /// Each value is written as `word` and read back from it and from `old`, its version-1 name.
    fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: T, word: &str, old: &str) {
        assert_eq!(serde_json::to_value(&value).unwrap(), json!(word));
        assert_eq!(serde_json::from_value::<T>(json!(word)).unwrap(), value);
        assert_eq!(serde_json::from_value::<T>(json!(old)).unwrap(), value, "{old}");
    }

    #[test]
    fn values_are_written_as_the_command_line_words_and_old_names_still_read() {
        let kinds = ["Interview", "Observation", "ProfessionalInterview", "CaseMeeting", "Document"];
        for (kind, old) in SessionKind::ALL.iter().zip(kinds) {
            check(*kind, kind.word(), old);
        }
        let roles = [
            "Participant",
            "Caseworker",
            "JobConsultant",
            "ProjectWorker",
            "OtherProfessional",
            "Interviewer",
            "Other",
        ];
        for (role, old) in Role::ALL.iter().zip(roles) {
            check(*role, role.word(), old);
        }
        let places = ["JobCentre", "ActivationSite", "TreatmentSite", "School", "Workplace", "Home", "Other"];
        for (place, old) in Place::ALL.iter().zip(places) {
            check(*place, place.word(), old);
        }
        for (kind, old) in UtteranceKind::ALL.iter().zip(["Speech", "Event", "Note", "Pause"]) {
            check(*kind, kind.word(), old);
        }
        for (kind, old) in GroupKind::ALL.iter().zip(["OneOf", "AnyOf", "Scale"]) {
            check(*kind, kind.word(), old);
        }
        for (valence, old) in Valence::ALL.iter().zip(["Positive", "Negative", "Mixed"]) {
            check(*valence, valence.word(), old);
        }
        for (kind, old) in
            [(VariableKind::Text, "Text"), (VariableKind::Number, "Number"), (VariableKind::Date, "Date")]
        {
            check(kind.clone(), kind.word(), old);
        }
        let list = VariableKind::List(vec!["Nord".into()]);
        assert_eq!(serde_json::to_value(&list).unwrap(), json!({ "list": ["Nord"] }));
        assert_eq!(serde_json::from_value::<VariableKind>(json!({ "List": ["Nord"] })).unwrap(), list);
    }
}
