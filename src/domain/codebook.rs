//! The codebook: typed groups of codes (DESIGN §2). Codes are referred to by
//! id, so renaming one never detaches it, and a retired code stays on the
//! narratives that carry it.

use super::Id;
use serde::{Deserialize, Serialize};
use std::fmt;

// Variants are only ever appended: bincode stores the variant index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupKind {
    // JSON writes the word; backups before version 2 wrote the name.
    /// A narrative takes at most one of the codes.
    #[serde(rename = "one-of", alias = "OneOf")]
    OneOf,
    /// A narrative takes any number of the codes.
    #[serde(rename = "any-of", alias = "AnyOf")]
    AnyOf,
    /// Ordered values; a narrative takes at most one.
    #[serde(rename = "scale", alias = "Scale")]
    Scale,
}

impl GroupKind {
    pub const ALL: [GroupKind; 3] = [GroupKind::OneOf, GroupKind::AnyOf, GroupKind::Scale];
    pub fn word(self) -> &'static str {
        match self {
            GroupKind::OneOf => "one-of",
            GroupKind::AnyOf => "any-of",
            GroupKind::Scale => "scale",
        }
    }
    pub fn parse(text: &str) -> Option<GroupKind> {
        GroupKind::ALL.into_iter().find(|k| k.word() == text.trim())
    }
    /// Whether a narrative may carry only one code of the group.
    pub fn is_single(self) -> bool {
        self != GroupKind::AnyOf
    }
}

impl fmt::Display for GroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub id: Id,
    pub name: String,
    pub description: String,
    pub retired: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGroup {
    pub id: Id,
    pub name: String,
    pub kind: GroupKind,
    pub description: String,
    pub codes: Vec<Code>,
    pub retired: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codebook {
    pub groups: Vec<CodeGroup>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodebookError {
    #[error("there is no code {0:?} in the codebook")]
    UnknownCode(String),
    #[error("code {0:?} is in more than one group: write GROUP:CODE")]
    AmbiguousCode(String),
    #[error("there is no code group {0:?}")]
    UnknownGroup(String),
    #[error("{0:?} is already a name in this codebook")]
    NameTaken(String),
    #[error("a name cannot be empty")]
    EmptyName,
    #[error("group {group:?} is {kind}: a narrative can carry only one of its codes, not {first:?} and {second:?}")]
    OneOnly { group: String, kind: GroupKind, first: String, second: String },
}

fn code(name: &str, description: &str) -> Code {
    Code { id: Id::new(), name: name.into(), description: description.into(), retired: false }
}

fn group(name: &str, kind: GroupKind, description: &str, codes: Vec<Code>) -> CodeGroup {
    CodeGroup {
        id: Id::new(),
        name: name.into(),
        kind,
        description: description.into(),
        codes,
        retired: false,
    }
}

impl Codebook {
    /// The study's analytic frame (DESIGN §2), given to every new study.
    pub fn default_frame() -> Codebook {
        use GroupKind::*;
        let mut book = Codebook {
            groups: vec![
                group(
                    "analytic focus",
                    AnyOf,
                    "What the narrative sheds light on",
                    vec![
                        code(
                            "first contact",
                            "frame of understanding at first contact, and time perspective",
                        ),
                        code("course", "course of events during the follow-up"),
                        code("contexts", "contexts that shape the outcome: resources, barriers"),
                        code("work identity", "change in work identity and agency"),
                        code("effort links", "links between efforts and consequences"),
                    ],
                ),
                group(
                    "time orientation",
                    OneOf,
                    "Which way in time the person looks",
                    vec![code("backward-looking", ""), code("here-and-now", ""), code("forward-looking", "")],
                ),
                group(
                    "agency",
                    Scale,
                    "Degree of agency, low to high",
                    vec![
                        code("low", "powerlessness"),
                        code("interplay", "between powerlessness and goal-directedness"),
                        code("high", "goal-directedness"),
                    ],
                ),
                group(
                    "interview theme",
                    AnyOf,
                    "The interview guide's themes",
                    vec![
                        code("T1", "where the person stands now towards taking ordinary work"),
                        code("T2", "which efforts were offered or started, and what came of them"),
                        code("T3", "how the person sees themself in relation to work and the labour market"),
                        code("T4", "what being out of work and in the programme has done to their life"),
                        code(
                            "T5",
                            "what else matters for getting work: health, family, housing, network, addiction",
                        ),
                    ],
                ),
                group(
                    "force",
                    OneOf,
                    "Whether the narrative pulls towards or away from work",
                    vec![code("positive", ""), code("negative", "")],
                ),
            ],
        };
        // The same ids in every new study, so laptops of one team that each
        // made their study agree on them when they sync.
        for group in &mut book.groups {
            group.id = Id::named(&format!("default code group {}", group.name));
            for code in &mut group.codes {
                code.id = Id::named(&format!("default code {}/{}", group.name, code.name));
            }
        }
        book
    }

    pub fn group_of(&self, code: Id) -> Option<&CodeGroup> {
        self.groups.iter().find(|g| g.codes.iter().any(|c| c.id == code))
    }

    pub fn code(&self, id: Id) -> Option<&Code> {
        self.groups.iter().flat_map(|g| &g.codes).find(|c| c.id == id)
    }

    /// `group: code` for display; a retired code says so.
    pub fn label(&self, id: Id) -> String {
        match (self.group_of(id), self.code(id)) {
            (Some(g), Some(c)) if c.retired => format!("{}: {} (retired)", g.name, c.name),
            (Some(g), Some(c)) => format!("{}: {}", g.name, c.name),
            _ => "(unknown code)".to_string(),
        }
    }

    /// Finds a code by `CODE` or `GROUP:CODE`, ignoring case.
    pub fn find(&self, reference: &str) -> Result<Id, CodebookError> {
        let reference = reference.trim();
        // `work-identity` and `work_identity` name "work identity": a name with
        // spaces can be written as one word on a command line or in a filter.
        let words = |a: &str| a.trim().to_lowercase().replace(['-', '_'], " ");
        let same = |a: &str, b: &str| words(a) == words(b);
        let found: Vec<Id> = match reference.split_once(':') {
            Some((g, c)) => self
                .groups
                .iter()
                .filter(|group| same(&group.name, g))
                .flat_map(|group| &group.codes)
                .filter(|code| same(&code.name, c))
                .map(|code| code.id)
                .collect(),
            None => self
                .groups
                .iter()
                .flat_map(|g| &g.codes)
                .filter(|c| same(&c.name, reference))
                .map(|c| c.id)
                .collect(),
        };
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(CodebookError::UnknownCode(reference.to_string())),
            _ => Err(CodebookError::AmbiguousCode(reference.to_string())),
        }
    }

    /// Ticks or unticks `code` in `codes`: ticking a code of a one-of or scale
    /// group unticks the group's other code.
    pub fn toggle(&self, codes: &mut Vec<Id>, code: Id) {
        if let Some(pos) = codes.iter().position(|c| *c == code) {
            codes.remove(pos);
            return;
        }
        if let Some(group) = self.group_of(code).filter(|g| g.kind.is_single()) {
            codes.retain(|c| !group.codes.iter().any(|other| other.id == *c));
        }
        codes.push(code);
        self.sort(codes);
    }

    /// Checks a set of codes against the group kinds.
    pub fn check(&self, codes: &[Id]) -> Result<(), CodebookError> {
        for group in self.groups.iter().filter(|g| g.kind.is_single()) {
            let mine: Vec<&Code> = group.codes.iter().filter(|c| codes.contains(&c.id)).collect();
            if let [first, second, ..] = mine.as_slice() {
                return Err(CodebookError::OneOnly {
                    group: group.name.clone(),
                    kind: group.kind,
                    first: first.name.clone(),
                    second: second.name.clone(),
                });
            }
        }
        Ok(())
    }

    /// Codebook order: by group, then by code within the group.
    pub fn sort(&self, codes: &mut [Id]) {
        let order: Vec<Id> = self.groups.iter().flat_map(|g| g.codes.iter().map(|c| c.id)).collect();
        codes.sort_by_key(|c| order.iter().position(|o| o == c).unwrap_or(usize::MAX));
    }

    fn name_taken_in_group(&self, group: Id, name: &str) -> bool {
        self.groups
            .iter()
            .filter(|g| g.id == group)
            .flat_map(|g| &g.codes)
            .any(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn add_group(&mut self, name: &str, kind: GroupKind) -> Result<Id, CodebookError> {
        let name = checked_name(name)?;
        if self.groups.iter().any(|g| g.name.eq_ignore_ascii_case(&name)) {
            return Err(CodebookError::NameTaken(name));
        }
        let g = group(&name, kind, "", Vec::new());
        let id = g.id;
        self.groups.push(g);
        Ok(id)
    }

    pub fn add_code(&mut self, group_id: Id, name: &str) -> Result<Id, CodebookError> {
        let name = checked_name(name)?;
        if self.name_taken_in_group(group_id, &name) {
            return Err(CodebookError::NameTaken(name));
        }
        let group = self
            .groups
            .iter_mut()
            .find(|g| g.id == group_id)
            .ok_or(CodebookError::UnknownGroup(group_id.to_string()))?;
        let c = code(&name, "");
        let id = c.id;
        group.codes.push(c);
        Ok(id)
    }

    /// Renames a group or a code (whichever `id` is).
    pub fn rename(&mut self, id: Id, name: &str) -> Result<(), CodebookError> {
        let name = checked_name(name)?;
        if let Some(g) = self.groups.iter().position(|g| g.id == id) {
            if self.groups.iter().any(|o| o.id != id && o.name.eq_ignore_ascii_case(&name)) {
                return Err(CodebookError::NameTaken(name));
            }
            self.groups[g].name = name;
            return Ok(());
        }
        let group = self.group_of(id).map(|g| g.id).ok_or(CodebookError::UnknownCode(id.to_string()))?;
        let taken = self
            .groups
            .iter()
            .filter(|g| g.id == group)
            .flat_map(|g| &g.codes)
            .any(|c| c.id != id && c.name.eq_ignore_ascii_case(&name));
        if taken {
            return Err(CodebookError::NameTaken(name));
        }
        if let Some(c) = self.groups.iter_mut().flat_map(|g| &mut g.codes).find(|c| c.id == id) {
            c.name = name;
        }
        Ok(())
    }

    pub fn describe(&mut self, id: Id, description: &str) {
        let description = description.trim().to_string();
        if let Some(g) = self.groups.iter_mut().find(|g| g.id == id) {
            g.description = description;
        } else if let Some(c) = self.groups.iter_mut().flat_map(|g| &mut g.codes).find(|c| c.id == id) {
            c.description = description;
        }
    }

    /// Retires (or brings back) a group or a code; nothing is ever removed.
    pub fn toggle_retired(&mut self, id: Id) {
        if let Some(g) = self.groups.iter_mut().find(|g| g.id == id) {
            g.retired = !g.retired;
        } else if let Some(c) = self.groups.iter_mut().flat_map(|g| &mut g.codes).find(|c| c.id == id) {
            c.retired = !c.retired;
        }
    }
}

fn checked_name(name: &str) -> Result<String, CodebookError> {
    let name = super::text::sanitise(name).replace('\n', " ").trim().to_string();
    if name.is_empty() {
        Err(CodebookError::EmptyName)
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_and_scale_groups_keep_one_code() {
        let book = Codebook::default_frame();
        let low = book.find("agency:low").unwrap();
        let high = book.find("high").unwrap();
        let t1 = book.find("T1").unwrap();
        let t3 = book.find("interview theme:t3").unwrap();
        let mut codes = vec![];
        for c in [low, t1, t3, high] {
            book.toggle(&mut codes, c);
        }
        assert_eq!(codes, vec![high, t1, t3]);
        assert!(book.check(&codes).is_ok());
        assert!(book.check(&[low, high]).unwrap_err().to_string().contains("only one"));
        book.toggle(&mut codes, t1);
        assert_eq!(codes, vec![high, t3]);
    }

    #[test]
    fn renaming_keeps_the_id_and_retiring_keeps_the_code() {
        let mut book = Codebook::default_frame();
        let high = book.find("agency:high").unwrap();
        book.rename(high, "goal-directed").unwrap();
        assert_eq!(book.find("goal-directed").unwrap(), high);
        assert!(book.rename(high, "LOW").is_err(), "names are unique within a group");
        book.toggle_retired(high);
        assert_eq!(book.label(high), "agency: goal-directed (retired)");
    }

    #[test]
    fn references_must_be_unique_and_known() {
        let mut book = Codebook::default_frame();
        let group = book.add_group("setting", GroupKind::AnyOf).unwrap();
        book.add_code(group, "positive").unwrap();
        assert_eq!(book.find("positive"), Err(CodebookError::AmbiguousCode("positive".into())));
        assert!(book.find("force:positive").is_ok());
        assert!(book.find("nonsense").is_err());
        assert!(book.add_group("Setting", GroupKind::OneOf).is_err());
    }
}
