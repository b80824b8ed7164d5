//! When the events a narrative tells of happened, as opposed to when it was
//! told: people narrate earlier phases of their lives.

use super::Id;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NarratedWhen {
    #[serde(rename = "date")]
    Date(NaiveDate),
    /// A month: its first day.
    #[serde(rename = "month")]
    Month(NaiveDate),
    /// Before the follow-up began, no closer.
    #[serde(rename = "before-follow-up")]
    BeforeFollowUp,
}

impl NarratedWhen {
    /// `2024-05-03`, `2024-05` or `before`.
    pub fn parse(text: &str) -> Result<NarratedWhen, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("before") {
            return Ok(NarratedWhen::BeforeFollowUp);
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(NarratedWhen::Date(date));
        }
        if let Ok(month) = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d") {
            return Ok(NarratedWhen::Month(month));
        }
        Err(format!(
            "{text:?} is no narrated time: write a date (2024-05-03), a month (2024-05) or before (before the follow-up)"
        ))
    }

    /// The first day of the month it falls in, if it has one.
    pub fn month(self) -> Option<NaiveDate> {
        match self {
            NarratedWhen::Date(d) | NarratedWhen::Month(d) => d.with_day(1),
            NarratedWhen::BeforeFollowUp => None,
        }
    }
}

impl fmt::Display for NarratedWhen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NarratedWhen::Date(d) => write!(f, "{d}"),
            NarratedWhen::Month(d) => write!(f, "{}", d.format("%Y-%m")),
            NarratedWhen::BeforeFollowUp => f.write_str("before the follow-up"),
        }
    }
}

/// A narrative's narrated time, kept beside the narrative by its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NarratedTime {
    pub narrative: Id,
    pub when: NarratedWhen,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_a_month_or_before() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(NarratedWhen::parse("2024-05-03").unwrap(), NarratedWhen::Date(d("2024-05-03")));
        assert_eq!(NarratedWhen::parse("2024-05").unwrap(), NarratedWhen::Month(d("2024-05-01")));
        assert_eq!(NarratedWhen::parse("before").unwrap(), NarratedWhen::BeforeFollowUp);
        assert_eq!(NarratedWhen::parse("2024-05").unwrap().to_string(), "2024-05");
        assert!(NarratedWhen::parse("last spring").unwrap_err().contains("no narrated time"));
        assert!(NarratedWhen::parse("2024-13").is_err());
    }
}
