//! Following cases over time: the study's variables, efforts set in motion
//! for a case, and effort → consequence links as the person tells them.

use super::Id;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VariableKind {
    // JSON writes the word; backups before version 2 wrote the name.
    #[serde(rename = "text", alias = "Text")]
    Text,
    #[serde(rename = "number", alias = "Number")]
    Number,
    #[serde(rename = "date", alias = "Date")]
    Date,
    /// One of a fixed list of values.
    #[serde(rename = "list", alias = "List")]
    List(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    pub kind: VariableKind,
}

/// The study's variables, stored as one value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variables {
    pub variables: Vec<Variable>,
}

impl VariableKind {
    /// `text`, `number`, `date`, or `list` with its values.
    pub fn parse(kind: &str, values: &[String]) -> Result<VariableKind, String> {
        match (kind.trim(), values.is_empty()) {
            ("text", true) => Ok(VariableKind::Text),
            ("number", true) => Ok(VariableKind::Number),
            ("date", true) => Ok(VariableKind::Date),
            ("list", false) => Ok(VariableKind::List(values.to_vec())),
            ("list", true) => Err("a list variable needs its values: --values A,B,C".into()),
            ("text" | "number" | "date", false) => {
                Err(format!("only a list variable has values, not a {kind} one"))
            }
            _ => Err(format!("variable kind {kind:?} is unknown: use text, number, date or list")),
        }
    }

    pub fn word(&self) -> &'static str {
        match self {
            VariableKind::Text => "text",
            VariableKind::Number => "number",
            VariableKind::Date => "date",
            VariableKind::List(_) => "list",
        }
    }
}

impl Variable {
    /// Checks a value against the variable's kind; the error says what would fit.
    pub fn check(&self, value: &str) -> Result<(), String> {
        let value = value.trim();
        let ok = match &self.kind {
            VariableKind::Text => true,
            VariableKind::Number => value.parse::<f64>().is_ok(),
            VariableKind::Date => parse_date(value).is_ok(),
            VariableKind::List(values) => values.iter().any(|v| v == value),
        };
        if ok {
            return Ok(());
        }
        Err(match &self.kind {
            VariableKind::List(values) => {
                format!("{value:?} is not a value of {}: use one of {}", self.name, values.join(", "))
            }
            kind => format!("{value:?} is not a {} for {}", kind.word(), self.name),
        })
    }
}

impl Variables {
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The one rule for a case's attributes, wherever they are given: the key
    /// is one of the study's variables and the value fits it. Sets `KEY=VALUE`
    /// on `case` (under the variable's own spelling) or says why not.
    pub fn set_attribute(&self, case: &mut super::Case, pair: &str) -> Result<(), String> {
        let (key, value) = super::case::parse_attribute(pair).map_err(|e| e.to_string())?;
        let variable = self.get(&key).ok_or_else(|| {
            let known: Vec<&str> = self.variables.iter().map(|v| v.name.as_str()).collect();
            if known.is_empty() {
                format!(
                    "there is no variable {key}: add it first with `fieldlog variable add {key} --kind text`"
                )
            } else {
                format!("there is no variable {key}; the study's variables are {}", known.join(", "))
            }
        })?;
        let value = super::text::sanitise(&value).trim().to_string();
        variable.check(&value)?;
        match case.attributes.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&variable.name)) {
            Some(slot) => slot.1 = value,
            None => case.attributes.push((variable.name.clone(), value)),
        }
        Ok(())
    }
}

/// A date as researchers write it: `2025-03-01`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date);
    }
    // Written in the right form, but no day of the calendar: say which part is wrong.
    let parts: Vec<&str> = text.split('-').collect();
    let numbers: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    match (parts.as_slice(), numbers.as_slice()) {
        ([y, m, d], [year, month, day]) if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            match NaiveDate::from_ymd_opt(*year as i32, *month, 1) {
                None => Err(format!("{text} is no date: there is no month {month} (write YYYY-MM-DD)")),
                Some(first) => {
                    let days = first
                        .checked_add_months(chrono::Months::new(1))
                        .map_or(31, |next| (next - first).num_days());
                    Err(format!("{text} is no date: {} has {days} days, not {day}", first.format("%B %Y")))
                }
            }
        }
        _ => Err(format!("{text:?} is not a date: write YYYY-MM-DD")),
    }
}

/// Effort kinds a new study offers; the list grows with what researchers add.
pub const COMMON_EFFORTS: &[&str] = &[
    "work-placement internship",
    "wage-subsidy job",
    "addiction treatment",
    "dental treatment",
    "clarification course",
    "job-search course",
    "language school",
    "education",
    "flex job",
    "driving lessons",
    "mentor",
];

/// The editable list of effort kinds, stored as one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffortKinds {
    pub kinds: Vec<String>,
}

impl Default for EffortKinds {
    fn default() -> Self {
        EffortKinds { kinds: COMMON_EFFORTS.iter().map(|k| k.to_string()).collect() }
    }
}

impl EffortKinds {
    /// Adds a kind the list does not have yet; true if it was new.
    pub fn learn(&mut self, kind: &str) -> bool {
        let kind = kind.trim();
        if kind.is_empty() || self.kinds.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
            return false;
        }
        self.kinds.push(kind.to_string());
        true
    }
}

/// Something set in motion for a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effort {
    pub id: Id,
    pub case_id: Id,
    pub kind: String,
    pub provider: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// What came of it, as the person tells it.
    pub outcome: String,
    pub created: DateTime<FixedOffset>,
}

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Valence {
    #[serde(rename = "positive", alias = "Positive")]
    Positive,
    #[serde(rename = "negative", alias = "Negative")]
    Negative,
    #[serde(rename = "mixed", alias = "Mixed")]
    Mixed,
}

impl Valence {
    pub const ALL: [Valence; 3] = [Valence::Positive, Valence::Negative, Valence::Mixed];
    pub fn word(self) -> &'static str {
        match self {
            Valence::Positive => "positive",
            Valence::Negative => "negative",
            Valence::Mixed => "mixed",
        }
    }
    pub fn parse(text: &str) -> Result<Valence, String> {
        Valence::ALL
            .into_iter()
            .find(|v| v.word() == text.trim().to_lowercase())
            .ok_or_else(|| format!("valence {text:?} is unknown: use positive, negative or mixed"))
    }
}

impl fmt::Display for Valence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// An effort → consequence chain in the person's own terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub id: Id,
    pub case_id: Id,
    pub chain: Vec<String>,
    pub valence: Valence,
    /// The narratives that support it.
    pub narratives: Vec<Id>,
    pub created: DateTime<FixedOffset>,
}

impl Link {
    /// `dental treatment -> better self-worth -> wage-subsidy job` (or `→`).
    pub fn parse_chain(text: &str) -> Result<Vec<String>, String> {
        let steps: Vec<String> = text
            .replace('→', "->")
            .split("->")
            .map(|s| super::text::sanitise(s).trim().to_string())
            .collect();
        if steps.len() < 2 || steps.iter().any(String::is_empty) {
            return Err(format!(
                "{text:?} is not a chain: write at least two steps, as \"effort -> consequence\""
            ));
        }
        Ok(steps)
    }

    pub fn chain_text(&self) -> String {
        self.chain.join(" → ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_must_fit_their_variable() {
        let site = Variable {
            name: "site".into(),
            kind: VariableKind::parse("list", &["Nord".into(), "Syd".into()]).unwrap(),
        };
        assert!(site.check("Nord").is_ok());
        assert!(site.check("Øst").unwrap_err().contains("use one of Nord, Syd"));
        let age = Variable { name: "age".into(), kind: VariableKind::Number };
        assert!(age.check("34").is_ok() && age.check("old").is_err());
        let start = Variable { name: "start".into(), kind: VariableKind::Date };
        assert!(start.check("2025-03-01").is_ok() && start.check("1/3").is_err());
        assert!(VariableKind::parse("colour", &[]).is_err());
        assert!(VariableKind::parse("list", &[]).is_err());
    }

    #[test]
    fn chains_need_two_named_steps() {
        assert_eq!(
            Link::parse_chain("tandbehandling -> bedre selvværd → løntilskud").unwrap(),
            vec!["tandbehandling", "bedre selvværd", "løntilskud"]
        );
        assert!(Link::parse_chain("bare én ting").is_err());
        assert!(Link::parse_chain("a -> -> b").is_err());
    }

    #[test]
    fn effort_kinds_grow_without_duplicates() {
        let mut kinds = EffortKinds::default();
        assert!(!kinds.learn("Flex job"));
        assert!(kinds.learn("bike course"));
        assert_eq!(kinds.kinds.last().unwrap(), "bike course");
    }
}
