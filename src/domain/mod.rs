//! The study's types and rules. No terminal, no storage code lives here.

pub mod agreement;
pub mod brief;
pub mod case;
pub mod clock;
pub mod codebook;
pub mod contacts;
pub mod crosstab;
pub mod filter;
pub mod followup;
pub mod ids;
pub mod mask;
pub mod narrated;
pub mod narrative;
pub mod overview;
pub mod plane;
pub mod recording;
pub mod session;
pub mod team;
pub mod text;
pub mod timeline;
pub mod utterance;

pub use case::{Case, CaseCode};
pub use clock::{Clock, ManualClock, SessionClock, SystemClock};
pub use codebook::{Code, CodeGroup, Codebook, GroupKind};
pub use filter::NarrativeFilter;
pub use followup::{Effort, EffortKinds, Link, Valence, Variable, VariableKind, Variables};
pub use ids::Id;
pub use mask::{MaskList, MaskTerm, Masker};
pub use narrative::{MarkDismissal, Narrative};
pub use recording::{Consent, Kept, Recording, Retiming};
pub use session::{Place, Role, Session, SessionKind, Speaker, INTERVIEW_THEMES};
pub use team::{hidden_from, BlindSetting, Lineage, PurgedCase, TeamKey, TeamValue};
pub use utterance::{Draft, Mark, Revision, Utterance, UtteranceKind};

/// What went wrong with something a user typed, in words they understand.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("case code {0:?} is not valid: use 1 to 8 letters or digits")]
    BadCaseCode(String),
    #[error("session kind {0:?} is unknown: use interview, observation, professional-interview, case-meeting or document")]
    BadSessionKind(String),
    #[error("role {0:?} is unknown: use participant, caseworker, job-consultant, project-worker, other-professional, interviewer or other")]
    BadRole(String),
    #[error("line kind {0:?} is unknown: use speech, event, note or pause")]
    BadUtteranceKind(String),
    #[error("speaker {0:?} is not valid: write LABEL:ROLE or KEY=LABEL:ROLE, with a label of 1 to 8 letters or digits")]
    BadSpeaker(String),
    #[error("speaker label {0:?} is used twice in one session")]
    DuplicateSpeaker(String),
    #[error("a session needs at least one speaker")]
    NoSpeakers,
    #[error("contact point {0} is not one: a follow-up has contact points 1 to 24")]
    BadContactPoint(u32),
    #[error("attribute {0:?} is not valid: write KEY=VALUE")]
    BadAttribute(String),
}
