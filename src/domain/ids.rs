//! Time-ordered record ids (UUIDv7), so keys sort by creation time.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Id(Uuid);

impl Id {
    pub fn new() -> Self {
        Id(Uuid::now_v7())
    }
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Id(Uuid::from_bytes(bytes))
    }
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
    /// A stable id derived from this one and a label (name-based UUIDv5), for
    /// things an export needs an id for that the study does not store.
    pub fn derived(&self, label: &str) -> Id {
        Id(Uuid::new_v5(&self.0, label.as_bytes()))
    }

    /// A stable id for a name alone (a user, a code group's variable…).
    pub fn named(name: &str) -> Id {
        const FIELDLOG: Uuid = Uuid::from_u128(0x6669_656c_646c_6f67_8000_0000_0000_0001);
        Id(Uuid::new_v5(&FIELDLOG, name.as_bytes()))
    }

    /// Short form for screens: the last 8 hex digits, which vary between
    /// ids made close in time (the first ones are the time stamp).
    pub fn short(&self) -> String {
        let s = self.0.simple().to_string();
        s[s.len() - 8..].to_string()
    }
}

impl Default for Id {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for Id {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_later_sort_later() {
        let a = Id::new();
        let b = Id::new();
        assert!(a < b);
        assert!(a.as_bytes() < b.as_bytes());
    }

    #[test]
    fn display_parses_back() {
        let a = Id::new();
        assert_eq!(a.to_string().parse::<Id>().unwrap(), a);
    }
}
