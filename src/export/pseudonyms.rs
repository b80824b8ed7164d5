//! Replacing case codes, speaker labels and narrative authors with other
//! pseudonyms in an export (`--pseudonymise MAPFILE`, one `OLD=NEW` a line),
//! wherever they stand, and the name of an imported transcript's file with
//! a placeholder. What people said is left as it was: names inside the text
//! are the researcher's to mask.

use super::json::StudyExport;
use crate::domain::{Case, CaseCode, Narrative, Session, Utterance};

/// What an imported session's notes say instead of the file's name.
pub const LEFT_OUT_FILE: &str = "imported from a transcript file (its name left out by --pseudonymise)";

#[derive(Debug, Default)]
pub struct Pseudonyms {
    map: Vec<(String, String)>,
}

impl Pseudonyms {
    /// Reads `OLD=NEW` lines; `#` starts a comment. The error names the line.
    pub fn parse(text: &str) -> Result<Pseudonyms, String> {
        let mut map = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let (old, new) = line.split_once('=').ok_or_else(|| format!("line {}: write OLD=NEW", i + 1))?;
            let (old, new) = (old.trim(), new.trim());
            if CaseCode::parse(new).is_err() {
                return Err(format!(
                    "line {}: {new:?} is not a pseudonym: use 1 to 8 letters or digits",
                    i + 1
                ));
            }
            map.push((old.to_string(), new.to_string()));
        }
        Ok(Pseudonyms { map })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.map.iter().find(|(old, _)| old == name).map(|(_, new)| new.as_str())
    }

    /// Puts the pseudonym for `name` in its place, if the map has one.
    pub fn rename(&self, name: &mut String) {
        if let Some(new) = self.get(name) {
            *name = new.to_string();
        }
    }

    pub fn apply_case(&self, case: &mut Case) {
        if let Some(code) = self.get(case.code.as_str()).and_then(|n| CaseCode::parse(n).ok()) {
            case.code = code;
        }
    }

    /// Speakers, lines, and the imported file's name (often the person's).
    pub fn apply_session(&self, session: &mut Session, lines: &mut [Utterance]) {
        for s in &mut session.speakers {
            self.rename(&mut s.label);
        }
        self.apply_lines(lines);
        if session.notes.starts_with(crate::import::transcript::IMPORTED_FROM) {
            session.notes = LEFT_OUT_FILE.to_string();
        }
    }

    /// The speakers of lines.
    pub fn apply_lines(&self, lines: &mut [Utterance]) {
        for l in lines {
            self.rename(&mut l.speaker);
        }
    }

    pub fn apply_narrative(&self, narrative: &mut Narrative) {
        self.rename(&mut narrative.author);
    }

    /// Every place of a whole export where a case code, a speaker label or an author stands.
    pub fn apply_study(&self, study: &mut StudyExport) {
        study.cases.iter_mut().for_each(|c| self.apply_case(c));
        for s in &mut study.sessions {
            self.apply_session(&mut s.session, &mut s.utterances);
            self.rename(&mut s.case);
            for r in &mut s.revisions {
                self.rename(&mut r.speaker);
            }
            if let Some(draft) = &mut s.draft {
                self.rename(&mut draft.speaker);
            }
        }
        study.narratives.iter_mut().for_each(|n| self.apply_narrative(n));
        study.recruitment.iter_mut().for_each(|r| self.apply_recruitment(r));
    }

    /// A recruitment entry's label: the case's code when the person joined.
    pub fn apply_recruitment(&self, entry: &mut crate::domain::contacts::Recruitment) {
        if let Some(label) = self.get(entry.label.as_str()).and_then(|n| CaseCode::parse(n).ok()) {
            entry.label = label;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_files_are_read_and_checked() {
        let p = Pseudonyms::parse("# who is who\nAA=P01\nCW = Sb1\n\n").unwrap();
        assert_eq!(p.get("AA"), Some("P01"));
        assert_eq!(p.get("CW"), Some("Sb1"));
        assert!(Pseudonyms::parse("AA P01").unwrap_err().contains("line 1"));
        assert!(Pseudonyms::parse("AA=Anne Hansen").unwrap_err().contains("not a pseudonym"));
    }
}
