//! Which narratives to show: by case, codes (each term all-of, `a|b` any-of),
//! session kind, contact point and author. Written as the researcher types
//! it: `case:AA code:agency:high code:forward-looking|here-and-now kind:interview`.

use super::{Case, Codebook, Id, Narrative, Session, SessionKind};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NarrativeFilter {
    pub case: Option<Id>,
    /// Every inner list must have one of its codes on the narrative.
    pub codes: Vec<Vec<Id>>,
    pub kind: Option<SessionKind>,
    pub contact: Option<u32>,
    pub author: Option<String>,
}

/// Splits a filter into `key:value` terms. A value may hold spaces when it
/// is quoted (`code:"work identity"`) or when the words after it have no
/// colon of their own (`code:work identity`), as code names do.
fn terms(text: &str) -> Result<Vec<String>, String> {
    let mut terms: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err("a quote is left open: write code:\"work identity\"".into());
    }
    if !current.is_empty() {
        terms.push(current);
    }
    let mut joined: Vec<String> = Vec::new();
    for term in terms {
        match joined.last_mut() {
            Some(previous) if !term.contains(':') => {
                previous.push(' ');
                previous.push_str(&term);
            }
            _ => joined.push(term),
        }
    }
    Ok(joined)
}

impl NarrativeFilter {
    /// Parses `key:value` terms separated by spaces; the error names the bad term.
    pub fn parse(text: &str, cases: &[Case], codebook: &Codebook) -> Result<NarrativeFilter, String> {
        let mut filter = NarrativeFilter::default();
        for term in terms(text)? {
            let (key, value) =
                term.split_once(':').ok_or_else(|| format!("{term:?} is not a filter: write KEY:VALUE"))?;
            match key.to_lowercase().as_str() {
                "case" => {
                    let case = cases.iter().find(|c| c.code.as_str().eq_ignore_ascii_case(value));
                    filter.case = Some(case.ok_or_else(|| format!("there is no case {value}"))?.id);
                }
                "code" => filter.add_codes(value, codebook)?,
                "kind" => filter.kind = Some(SessionKind::parse(value).map_err(|e| e.to_string())?),
                "contact" => {
                    filter.contact = Some(
                        value.parse().map_err(|_| format!("contact:{value} needs a contact point number"))?,
                    )
                }
                "author" => filter.author = Some(value.to_string()),
                _ => return Err(format!("{key:?} is no filter: use case, code, kind, contact or author")),
            }
        }
        Ok(filter)
    }

    /// Adds one all-of term whose alternatives are separated by `|`.
    pub fn add_codes(&mut self, alternatives: &str, codebook: &Codebook) -> Result<(), String> {
        let any = alternatives
            .split('|')
            .map(|c| codebook.find(c).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        self.codes.push(any);
        Ok(())
    }

    pub fn matches(&self, narrative: &Narrative, session: &Session) -> bool {
        !narrative.deleted
            && self.case.is_none_or(|c| session.case_id == c)
            && self.kind.is_none_or(|k| session.kind == k)
            && self.contact.is_none_or(|c| session.contact_point == c)
            && self.author.as_ref().is_none_or(|a| narrative.author.eq_ignore_ascii_case(a))
            && self.codes.iter().all(|any| any.iter().any(|c| narrative.codes.contains(c)))
    }

    pub fn is_empty(&self) -> bool {
        *self == NarrativeFilter::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CaseCode, SessionClock};
    use chrono::DateTime;

    #[test]
    fn exact_values_and_alternatives_filter_as_written() {
        let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        let book = Codebook::default_frame();
        let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], t);
        let session = Session {
            id: Id::new(),
            case_id: case.id,
            kind: SessionKind::Interview,
            contact_point: 2,
            place: crate::domain::Place::Home,
            place_text: String::new(),
            speakers: vec![],
            clock: SessionClock::start(t),
            ended: None,
            recording_started: None,
            themes_ticked: vec![],
            notes: String::new(),
        };
        let narrative = Narrative {
            id: Id::new(),
            session: session.id,
            first_seq: 1,
            last_seq: 3,
            title: "Vil gerne arbejde".into(),
            codes: vec![book.find("agency:high").unwrap(), book.find("forward-looking").unwrap()],
            memo: String::new(),
            author: "anna".into(),
            created: t,
            updated: t,
            deleted: false,
        };
        let cases = [case];
        let hit =
            |text: &str| NarrativeFilter::parse(text, &cases, &book).unwrap().matches(&narrative, &session);
        assert!(hit("code:agency:high code:forward-looking"));
        assert!(hit("case:aa kind:interview contact:2 author:Anna"));
        assert!(hit("code:low|high"));
        assert!(!hit("code:agency:high code:backward-looking"));
        assert!(!hit("contact:1"));
        assert!(NarrativeFilter::parse("colour:red", &cases, &book).unwrap_err().contains("colour"));
        assert!(NarrativeFilter::parse("code:nonsense", &cases, &book).unwrap_err().contains("nonsense"));
        assert!(NarrativeFilter::parse("code:\"open", &cases, &book).unwrap_err().contains("quote"));
    }

    #[test]
    fn code_names_with_spaces_can_be_written_three_ways() {
        let book = Codebook::default_frame();
        let wanted = vec![vec![book.find("work identity").unwrap()]];
        for text in
            ["code:work identity", "code:\"work identity\"", "code:work-identity", "code:Work_Identity"]
        {
            let filter = NarrativeFilter::parse(text, &[], &book).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(filter.codes, wanted, "{text}");
        }
        let two =
            NarrativeFilter::parse("code:first contact code:agency:high kind:interview", &[], &book).unwrap();
        assert_eq!(two.codes.len(), 2);
        assert_eq!(two.kind, Some(SessionKind::Interview));
    }
}
