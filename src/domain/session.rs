//! One encounter with a case: its kind, contact point, place, speakers and clock.

use super::{CaseCode, DomainError, Id, SessionClock};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

// In JSON each value is its word, as the command line takes and prints it;
// backups before version 2 wrote the variant's name, which still reads.
macro_rules! word_enum {
    ($name:ident, $err:ident, { $($variant:ident => $word:literal, was $old:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $word, alias = $old)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn word(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            pub fn parse(text: &str) -> Result<Self, DomainError> {
                let t = text.trim().to_lowercase();
                Self::ALL.iter().copied().find(|v| v.word() == t)
                    .ok_or_else(|| DomainError::$err(text.to_string()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.word()) }
        }
    };
}

// Variants are only ever appended: bincode stores the variant index.
word_enum!(SessionKind, BadSessionKind, {
    Interview => "interview", was "Interview",
    Observation => "observation", was "Observation",
    ProfessionalInterview => "professional-interview", was "ProfessionalInterview",
    CaseMeeting => "case-meeting", was "CaseMeeting",
    Document => "document", was "Document",
});

word_enum!(Role, BadRole, {
    Participant => "participant", was "Participant",
    Caseworker => "caseworker", was "Caseworker",
    JobConsultant => "job-consultant", was "JobConsultant",
    ProjectWorker => "project-worker", was "ProjectWorker",
    OtherProfessional => "other-professional", was "OtherProfessional",
    Interviewer => "interviewer", was "Interviewer",
    Other => "other", was "Other",
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    #[serde(rename = "job centre", alias = "JobCentre")]
    JobCentre,
    #[serde(rename = "activation site", alias = "ActivationSite")]
    ActivationSite,
    #[serde(rename = "treatment site", alias = "TreatmentSite")]
    TreatmentSite,
    #[serde(rename = "school", alias = "School")]
    School,
    #[serde(rename = "workplace", alias = "Workplace")]
    Workplace,
    #[serde(rename = "home", alias = "Home")]
    Home,
    #[serde(rename = "other", alias = "Other")]
    Other,
}

impl Place {
    pub const ALL: &'static [Place] = &[
        Place::JobCentre,
        Place::ActivationSite,
        Place::TreatmentSite,
        Place::School,
        Place::Workplace,
        Place::Home,
        Place::Other,
    ];
    pub fn word(self) -> &'static str {
        match self {
            Place::JobCentre => "job centre",
            Place::ActivationSite => "activation site",
            Place::TreatmentSite => "treatment site",
            Place::School => "school",
            Place::Workplace => "workplace",
            Place::Home => "home",
            Place::Other => "other",
        }
    }
    /// A known place word, or `Other` with the text kept as the place's free text.
    pub fn parse(text: &str) -> (Place, String) {
        let t = text.trim().to_lowercase().replace(['-', '_'], " ");
        match Place::ALL.iter().find(|p| p.word() == t || p.word().replace(' ', "") == t) {
            Some(p) => (*p, String::new()),
            None => (Place::Other, text.trim().to_string()),
        }
    }
}

/// The guide's themes shown as a checklist during interviews (DESIGN §2).
pub const INTERVIEW_THEMES: [&str; 5] = [
    "T1 stands now towards ordinary work",
    "T2 efforts offered or started",
    "T3 sees self and the labour market",
    "T4 what being out of work has done",
    "T5 health, family, housing, network",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The n of the `switch-speaker-n` action that selects this speaker (1–9).
    pub key: u8,
    pub label: String,
    pub role: Role,
}

impl Speaker {
    /// Parses `KEY=LABEL:ROLE` or `LABEL:ROLE`; a missing key takes `default_key`.
    pub fn parse(text: &str, default_key: u8) -> Result<Speaker, DomainError> {
        let bad = || DomainError::BadSpeaker(text.to_string());
        let (key, rest) = match text.split_once('=') {
            Some((k, rest)) => (k.trim().parse::<u8>().map_err(|_| bad())?, rest),
            None => (default_key, text),
        };
        let (label, role) = rest.split_once(':').ok_or_else(bad)?;
        let label = label.trim();
        let label_ok = (1..=8).contains(&label.chars().count()) && label.chars().all(char::is_alphanumeric);
        if !label_ok || !(1..=9).contains(&key) {
            return Err(bad());
        }
        Ok(Speaker { key, label: label.to_string(), role: Role::parse(role)? })
    }
}

/// Who speaks in a new session unless the researcher says otherwise.
/// The contact point a case has reached: the highest of its sessions (1 before any).
pub fn latest_contact(sessions: &[Session], case_id: Id) -> u32 {
    sessions.iter().filter(|s| s.case_id == case_id).map(|s| s.contact_point).max().unwrap_or(1)
}

pub fn default_speakers(kind: SessionKind, case: &CaseCode) -> Vec<Speaker> {
    let person = Speaker { key: 1, label: case.to_string(), role: Role::Participant };
    let second = |label: &str, role| Speaker { key: 2, label: label.to_string(), role };
    match kind {
        SessionKind::Interview => vec![person, second("I", Role::Interviewer)],
        SessionKind::Observation | SessionKind::CaseMeeting => vec![person, second("CW", Role::Caseworker)],
        SessionKind::ProfessionalInterview => vec![
            Speaker { key: 1, label: "CW".into(), role: Role::Caseworker },
            second("I", Role::Interviewer),
        ],
        SessionKind::Document => vec![Speaker { key: 1, label: "R".into(), role: Role::Other }],
    }
}

/// Checks speakers as a set: at least one, labels and keys unique.
pub fn check_speakers(speakers: &[Speaker]) -> Result<(), DomainError> {
    if speakers.is_empty() {
        return Err(DomainError::NoSpeakers);
    }
    for (i, s) in speakers.iter().enumerate() {
        if speakers[..i].iter().any(|o| o.label == s.label || o.key == s.key) {
            return Err(DomainError::DuplicateSpeaker(s.label.clone()));
        }
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: Id,
    pub case_id: Id,
    pub kind: SessionKind,
    pub contact_point: u32,
    pub place: Place,
    pub place_text: String,
    pub speakers: Vec<Speaker>,
    pub clock: SessionClock,
    pub ended: Option<DateTime<FixedOffset>>,
    /// Wall-clock time at which the audio recorder started.
    pub recording_started: Option<DateTime<FixedOffset>>,
    /// Indexes into `INTERVIEW_THEMES` that have come up.
    pub themes_ticked: Vec<u8>,
    pub notes: String,
}

impl Session {
    /// A new session of `case`, started `now`, open until ended: the one way
    /// the form, the command line, an import and the generator make one.
    pub fn new(
        case_id: Id,
        kind: SessionKind,
        contact_point: u32,
        place: &str,
        speakers: Vec<Speaker>,
        now: DateTime<FixedOffset>,
    ) -> Session {
        let (place, place_text) = Place::parse(&crate::domain::text::sanitise(place));
        Session {
            id: Id::new(),
            case_id,
            kind,
            contact_point,
            place,
            place_text,
            speakers,
            clock: SessionClock::start(now),
            ended: None,
            recording_started: None,
            themes_ticked: Vec::new(),
            notes: String::new(),
        }
    }

    pub fn place_name(&self) -> String {
        if self.place_text.is_empty() {
            self.place.word().to_string()
        } else {
            self.place_text.clone()
        }
    }

    pub fn speaker(&self, label: &str) -> Option<&Speaker> {
        self.speakers.iter().find(|s| s.label == label)
    }

    /// Milliseconds into the audio recording at wall time `at`: none if no
    /// recording was started, or if `at` is before it began (a line typed
    /// then has no place in the recording).
    pub fn recording_ms(&self, at: DateTime<FixedOffset>) -> Option<i64> {
        self.recording_started.map(|r| (at - r).num_milliseconds()).filter(|ms| *ms >= 0)
    }

    pub fn toggle_theme(&mut self, index: u8) {
        if let Some(pos) = self.themes_ticked.iter().position(|&t| t == index) {
            self.themes_ticked.remove(pos);
        } else if usize::from(index) < INTERVIEW_THEMES.len() {
            self.themes_ticked.push(index);
            self.themes_ticked.sort_unstable();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_words() {
        for kind in SessionKind::ALL {
            assert_eq!(SessionKind::parse(kind.word()).unwrap(), *kind);
        }
        assert!(SessionKind::parse("chat").is_err());
    }

    #[test]
    fn speakers_parse_with_and_without_key() {
        let s = Speaker::parse("3=CW:caseworker", 1).unwrap();
        assert_eq!((s.key, s.label.as_str(), s.role), (3, "CW", Role::Caseworker));
        let s = Speaker::parse("AA:participant", 4).unwrap();
        assert_eq!(s.key, 4);
        assert!(Speaker::parse("AA", 1).is_err());
        assert!(Speaker::parse("AA:boss", 1).is_err());
        assert!(Speaker::parse("0=AA:other", 1).is_err());
    }

    #[test]
    fn interview_defaults_to_person_and_interviewer() {
        let code = CaseCode::parse("AA").unwrap();
        let labels: Vec<_> =
            default_speakers(SessionKind::Interview, &code).into_iter().map(|s| (s.label, s.role)).collect();
        assert_eq!(labels, vec![("AA".into(), Role::Participant), ("I".into(), Role::Interviewer)]);
        let obs = default_speakers(SessionKind::Observation, &code);
        assert_eq!(obs[1].role, Role::Caseworker);
    }

    #[test]
    fn duplicate_labels_are_refused() {
        let a = Speaker::parse("1=AA:participant", 1).unwrap();
        let b = Speaker::parse("2=AA:caseworker", 2).unwrap();
        assert!(check_speakers(&[a, b]).is_err());
        assert!(check_speakers(&[]).is_err());
    }

    #[test]
    fn unknown_place_is_kept_as_text() {
        assert_eq!(Place::parse("job centre"), (Place::JobCentre, String::new()));
        assert_eq!(Place::parse("Café Nord"), (Place::Other, "Café Nord".into()));
    }
}
