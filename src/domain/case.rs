//! A followed person, known only by a pseudonymous code.

use super::{DomainError, Id};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

/// 1–8 letters or digits, unique in the study. Never a real name. Codes
/// sort as people count: G2 before G10.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CaseCode(String);

impl Ord for CaseCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        natural_key(&self.0).cmp(&natural_key(&other.0)).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for CaseCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A code as runs of letters and numbers, the numbers by their value.
fn natural_key(code: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digits = c.is_ascii_digit();
        let mut run = String::new();
        while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit() == digits) {
            run.push(c);
            chars.next();
        }
        key.push(if digits { (String::new(), run.parse().unwrap_or(u64::MAX)) } else { (run, 0) });
    }
    key
}

impl CaseCode {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let code = text.trim();
        let count = code.chars().count();
        if (1..=8).contains(&count) && code.chars().all(char::is_alphanumeric) {
            Ok(CaseCode(code.to_string()))
        } else {
            Err(DomainError::BadCaseCode(text.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: Id,
    pub code: CaseCode,
    /// Free key/value pairs whose keys are the study's variables.
    pub attributes: Vec<(String, String)>,
    pub created: DateTime<FixedOffset>,
}

impl Case {
    pub fn new(code: CaseCode, attributes: Vec<(String, String)>, now: DateTime<FixedOffset>) -> Self {
        Case { id: Id::new(), code, attributes, created: now }
    }
}

/// Parses `KEY=VALUE` as given on the command line.
pub fn parse_attribute(text: &str) -> Result<(String, String), DomainError> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(DomainError::BadAttribute(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_sort_as_people_count() {
        let mut codes: Vec<CaseCode> = ["G10", "G2", "AA", "G1", "A1", "G01", "BB", "G11"]
            .iter()
            .map(|c| CaseCode::parse(c).unwrap())
            .collect();
        codes.sort();
        let sorted: Vec<&str> = codes.iter().map(CaseCode::as_str).collect();
        assert_eq!(sorted, ["A1", "AA", "BB", "G01", "G1", "G2", "G10", "G11"]);
    }

    #[test]
    fn codes_are_short_letters_or_digits() {
        assert!(CaseCode::parse("AA").is_ok());
        assert!(CaseCode::parse("NTC").is_ok());
        assert!(CaseCode::parse("ÆØ1").is_ok());
        assert!(CaseCode::parse("").is_err());
        assert!(CaseCode::parse("ABCDEFGHI").is_err());
        assert!(CaseCode::parse("A B").is_err());
        assert!(CaseCode::parse("A-1").is_err());
    }

    #[test]
    fn attributes_need_a_key() {
        assert_eq!(parse_attribute("site=Nord").unwrap(), ("site".into(), "Nord".into()));
        assert!(parse_attribute("=x").is_err());
        assert!(parse_attribute("novalue").is_err());
    }
}
