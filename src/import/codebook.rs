//! Reading a codebook TOML file into the study's codebook. Groups and codes
//! are matched by name (ignoring case): new ones are added, descriptions
//! updated, and nothing is removed, so old narratives keep their codes.
//!
//! ```toml
//! [[group]]
//! name = "time orientation"
//! kind = "one-of"            # one-of, any-of or scale
//! description = "Which way in time the person looks"
//!
//! [[group.code]]
//! name = "forward-looking"
//! description = ""
//! ```

use crate::domain::{Codebook, GroupKind};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    group: Vec<GroupEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    name: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    retired: bool,
    #[serde(default)]
    code: Vec<CodeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeEntry {
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    retired: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub struct CodebookFileError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for CodebookFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

impl std::error::Error for CodebookFileError {}

pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A group as a codebook file gives it, with the lines its parts are on,
/// before it is merged: what a TOML file and a REFI `.qdc` file both become.
pub struct GroupSpec {
    pub name: String,
    pub line: usize,
    pub kind: String,
    pub kind_line: usize,
    pub description: String,
    pub retired: bool,
    pub codes: Vec<CodeSpec>,
}

pub struct CodeSpec {
    pub name: String,
    pub line: usize,
    pub description: String,
    pub retired: bool,
}

/// Merges a TOML file's groups and codes into `book`; on any error `book` is unchanged.
pub fn merge(book: &Codebook, file: &str, text: &str) -> Result<Codebook, CodebookFileError> {
    let parsed: File = toml::from_str(text).map_err(|e| CodebookFileError {
        file: file.to_string(),
        line: line_at(text, e.span().unwrap_or(0..0).start),
        reason: e.message().to_string(),
    })?;
    let specs = parsed
        .group
        .into_iter()
        .map(|g| GroupSpec {
            line: line_at(text, g.name.span().start),
            name: g.name.into_inner(),
            kind_line: line_at(text, g.kind.span().start),
            kind: g.kind.into_inner(),
            description: g.description,
            retired: g.retired,
            codes: g
                .code
                .into_iter()
                .map(|c| CodeSpec {
                    line: line_at(text, c.name.span().start),
                    name: c.name.into_inner(),
                    description: c.description,
                    retired: c.retired,
                })
                .collect(),
        })
        .collect();
    merge_groups(book, file, specs)
}

/// Merges groups read from any codebook file into `book`: matched by name
/// (ignoring case), new ones added, descriptions updated, nothing removed.
/// On any error `book` is unchanged and the error names the file's line.
pub fn merge_groups(
    book: &Codebook,
    file: &str,
    groups: Vec<GroupSpec>,
) -> Result<Codebook, CodebookFileError> {
    let error = |line: usize, reason: String| CodebookFileError { file: file.to_string(), line, reason };
    let mut merged = book.clone();
    let mut seen_groups: Vec<String> = Vec::new();
    for entry in groups {
        let name = entry.name.trim().to_string();
        if name.is_empty() {
            return Err(error(entry.line, "a group needs a name".into()));
        }
        if seen_groups.iter().any(|g| g.eq_ignore_ascii_case(&name)) {
            return Err(error(entry.line, format!("group {name:?} is in the file twice")));
        }
        seen_groups.push(name.clone());
        let kind = GroupKind::parse(&entry.kind).ok_or_else(|| {
            error(entry.kind_line, format!("kind {:?} is unknown: use one-of, any-of or scale", entry.kind))
        })?;
        let group_id = match merged.groups.iter().find(|g| g.name.eq_ignore_ascii_case(&name)) {
            Some(existing) if existing.kind != kind => {
                let reason = format!("group {name:?} is {} in this study, not {kind}", existing.kind);
                return Err(error(entry.kind_line, reason));
            }
            Some(existing) => existing.id,
            None => merged.add_group(&name, kind).map_err(|e| error(entry.line, e.to_string()))?,
        };
        if !entry.description.trim().is_empty() {
            merged.describe(group_id, &entry.description);
        }
        set_retired(&mut merged, group_id, entry.retired);
        let mut seen_codes: Vec<String> = Vec::new();
        for code in entry.codes {
            let code_name = code.name.trim().to_string();
            if seen_codes.iter().any(|c| c.eq_ignore_ascii_case(&code_name)) {
                return Err(error(code.line, format!("code {code_name:?} is in group {name:?} twice")));
            }
            seen_codes.push(code_name.clone());
            let existing = merged
                .groups
                .iter()
                .find(|g| g.id == group_id)
                .and_then(|g| g.codes.iter().find(|c| c.name.eq_ignore_ascii_case(&code_name)))
                .map(|c| c.id);
            let code_id = match existing {
                Some(id) => id,
                None => merged.add_code(group_id, &code_name).map_err(|e| error(code.line, e.to_string()))?,
            };
            if !code.description.trim().is_empty() {
                merged.describe(code_id, &code.description);
            }
            set_retired(&mut merged, code_id, code.retired);
        }
    }
    Ok(merged)
}

fn set_retired(book: &mut Codebook, id: crate::domain::Id, retired: bool) {
    let is_retired = book
        .groups
        .iter()
        .find(|g| g.id == id)
        .map(|g| g.retired)
        .or_else(|| book.code(id).map(|c| c.retired));
    if is_retired == Some(!retired) {
        book.toggle_retired(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_adds_groups_and_codes_and_keeps_what_is_there() {
        let book = Codebook::default_frame();
        let text = "[[group]]\nname = \"setting\"\nkind = \"any-of\"\n\n[[group.code]]\nname = \"job centre\"\n\n[[group]]\nname = \"Agency\"\nkind = \"scale\"\n[[group.code]]\nname = \"high\"\ndescription = \"goal-directed\"\n";
        let merged = merge(&book, "c.toml", text).unwrap();
        assert_eq!(merged.groups.len(), book.groups.len() + 1);
        let high = merged.find("agency:high").unwrap();
        assert_eq!(high, book.find("agency:high").unwrap(), "the existing code keeps its id");
        assert_eq!(merged.code(high).unwrap().description, "goal-directed");
        assert!(merged.find("setting:job centre").is_ok());
    }

    #[test]
    fn bad_files_are_refused_with_line_and_reason() {
        let book = Codebook::default_frame();
        let cases = [
            ("[[group]]\nname = \"x\"\nkind = \"some-of\"\n", 3, "kind \"some-of\" is unknown"),
            ("[[group]]\nname = \"agency\"\nkind = \"any-of\"\n", 3, "is scale in this study"),
            ("[[group]]\nname = \"x\"\nkind = \"one-of\"\n[[group.code]]\nname = \"a\"\n[[group.code]]\nname = \"A\"\n", 7, "twice"),
            ("[[group]]\nname = \"x\"\nkind = \"one-of\"\ncolour = \"red\"\n", 4, "unknown field"),
            ("[[group]]\nname = \"x\"\n", 1, "missing field `kind`"),
            ("[[group]\n", 1, ""),
        ];
        for (text, line, reason) in cases {
            let e = merge(&book, "c.toml", text).unwrap_err();
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.reason.contains(reason), "{text}: {e}");
        }
    }
}
