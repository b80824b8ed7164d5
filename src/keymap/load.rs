//! Reading keymap files: TOML tables per screen, `"key" = "action"`, an
//! optional `extends = "NAME"`, and `"none"` to unbind. Every problem is
//! reported with the file, the line and the reason.

use super::{keys, Action, Binding, Keymap, Table};
use std::fmt;
use std::path::Path;

/// The keymaps shipped in `keymaps/`, built into the program.
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("function-keys", include_str!("../../keymaps/function-keys.toml")),
];

/// A keymap file's first problem (in line order), and the others after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapError {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
    /// The file's other problems, in line order (those with no line last).
    pub more: Vec<KeymapError>,
}

impl KeymapError {
    fn new(file: &str, line: Option<usize>, reason: String) -> Self {
        KeymapError { file: file.to_string(), line, reason, more: Vec::new() }
    }

    /// One error for all of `problems` (at least one), the first line first.
    fn all(mut problems: Vec<KeymapError>) -> Option<Self> {
        problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
        let mut problems = problems.into_iter();
        let mut first = problems.next()?;
        first.more = problems.collect();
        Some(first)
    }

    /// Every problem, one line each: `file:line: reason`.
    pub fn lines(&self) -> Vec<String> {
        std::iter::once(self).chain(&self.more).map(KeymapError::one).collect()
    }

    fn one(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{}: {}", self.file, line, self.reason),
            None => format!("{}: {}", self.file, self.reason),
        }
    }
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.one())?;
        match self.more.len() {
            0 => Ok(()),
            1 => write!(f, " (and 1 more problem: `fieldlog keymap check {}` lists both)", self.file),
            n => write!(f, " (and {n} more problems: `fieldlog keymap check {}` lists them all)", self.file),
        }
    }
}

impl std::error::Error for KeymapError {}

/// The keymap to run with, what to warn about, and the user file's problem
/// if it was refused (the app then runs on the shipped keymap and says so).
pub struct Loaded {
    pub keymap: Keymap,
    pub warnings: Vec<String>,
    pub refused: Option<KeymapError>,
}

struct Entry {
    table: Table,
    binding: Option<Binding>,
    key: crokey::KeyCombination,
}

struct Parsed {
    extends: Option<String>,
    entries: Vec<Entry>,
    warnings: Vec<String>,
}

/// Loads shipped keymap `name` (or a keymap file at that path) with the
/// user's overrides on top. Never fails: a bad file is refused, not fatal.
pub fn load(name: &str, user_file: Option<&Path>) -> Loaded {
    let fallback =
        || build("default", shipped_text("default").unwrap_or_default(), 0).expect("shipped default");
    let base = match shipped_text(name) {
        Some(text) => build(name, text, 0),
        None => read(Path::new(name)).and_then(|text| build(name, text, 0)),
    };
    let (mut keymap, mut warnings) = match base {
        Ok(ok) => ok,
        Err(e) => {
            let (keymap, warnings) = fallback();
            return Loaded { keymap, warnings, refused: Some(e) };
        }
    };
    if let Some(path) = user_file.filter(|p| p.exists()) {
        let file = path.display().to_string();
        match read(path).and_then(|text| overlay(&file, &text, &keymap, 0)) {
            Ok((merged, more)) => {
                keymap = merged;
                warnings.extend(more);
            }
            Err(e) => return Loaded { keymap, warnings, refused: Some(e) },
        }
    }
    Loaded { keymap, warnings, refused: None }
}

/// Checks one keymap file as `fieldlog keymap check` does: Ok with warnings, or every problem.
pub fn check_file(path: &Path) -> Result<Vec<String>, KeymapError> {
    check_text(&path.display().to_string(), &read(path)?)
}

/// Checks keymap text named `file` (over the default keymap, as a user file is read).
pub fn check_text(file: &str, text: &str) -> Result<Vec<String>, KeymapError> {
    let (default, _) = build("default", shipped_text("default").unwrap_or_default(), 0)?;
    overlay(file, text, &default, 0).map(|(_, warnings)| warnings)
}

fn shipped_text(name: &str) -> Option<String> {
    SHIPPED.iter().find(|(n, _)| *n == name).map(|(_, text)| text.to_string())
}

fn read(path: &Path) -> Result<String, KeymapError> {
    std::fs::read_to_string(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "is neither a shipped keymap ({}) nor a keymap file",
                SHIPPED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ),
            _ => format!("cannot be read: {e}"),
        };
        KeymapError::new(&path.display().to_string(), None, reason)
    })
}

fn build(file: &str, text: String, depth: u8) -> Result<(Keymap, Vec<String>), KeymapError> {
    overlay(file, &text, &Keymap::default(), depth)
}

/// Applies a file's bindings over `base` (or over the keymap it extends), then
/// checks that every screen can still show help and be left.
fn overlay(file: &str, text: &str, base: &Keymap, depth: u8) -> Result<(Keymap, Vec<String>), KeymapError> {
    let parsed = parse(file, text)?;
    let error = |line, reason: String| KeymapError::new(file, line, reason);
    let (mut keymap, mut warnings) = match &parsed.extends {
        Some(name) if depth < 4 => match shipped_text(name) {
            Some(base_text) => build(name, base_text, depth + 1)?,
            None => {
                let known: Vec<_> = SHIPPED.iter().map(|(n, _)| *n).collect();
                let reason = format!("extends {name:?}, which is no shipped keymap ({})", known.join(", "));
                return Err(error(line_of(text, None, "extends"), reason));
            }
        },
        Some(_) => return Err(error(line_of(text, None, "extends"), "extends itself in a loop".into())),
        None => (base.clone(), Vec::new()),
    };
    for entry in parsed.entries {
        match entry.binding {
            Some(binding) => keymap.bind(entry.table, binding),
            None => keymap.unbind(entry.table, entry.key),
        }
    }
    warnings.extend(parsed.warnings);
    keymap.name = file.to_string();
    let mut problems = Vec::new();
    for screen in Table::screens() {
        let can = |action| keymap.keys_for(screen, action).is_some();
        if !can(Action::Help) {
            problems.push(error(None, format!("the {} screen has no key for help", screen.name())));
        }
        if !can(Action::Quit) && !can(Action::Back) {
            problems.push(error(None, format!("the {} screen has no key to leave it", screen.name())));
        }
    }
    match KeymapError::all(problems) {
        Some(e) => Err(e),
        None => Ok((keymap, warnings)),
    }
}

fn parse(file: &str, text: &str) -> Result<Parsed, KeymapError> {
    let error = |line, reason: String| KeymapError::new(file, line, reason);
    let document: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map(|span| line_at(text, span.start));
        error(line, format!("is not valid TOML: {}", e.message()))
    })?;
    let mut parsed = Parsed { extends: None, entries: Vec::new(), warnings: Vec::new() };
    // Every problem is collected, so one check lists them all.
    let mut problems = Vec::new();
    for (name, value) in &document {
        let line = line_of(text, None, name);
        let bindings = match (name.as_str(), value) {
            ("extends", toml::Value::String(base)) => {
                parsed.extends = Some(base.clone());
                continue;
            }
            ("extends", _) => {
                problems.push(error(line, "extends must name a shipped keymap".into()));
                continue;
            }
            (_, toml::Value::Table(bindings)) => bindings,
            _ => {
                problems.push(error(line, format!("{name:?} must be a table of key = \"action\" lines")));
                continue;
            }
        };
        let Some(table) = Table::parse(name) else {
            let known: Vec<_> = Table::ALL.iter().map(|t| t.name()).collect();
            problems
                .push(error(line, format!("unknown table [{name}]: the tables are {}", known.join(", "))));
            continue;
        };
        let mut seen: Vec<(crokey::KeyCombination, String, Option<usize>)> = Vec::new();
        for (written, value) in bindings {
            let line = line_of(text, Some(name), written);
            match binding(file, name, table, written, value, line, &mut seen) {
                Ok((entry, warning)) => {
                    parsed.entries.push(entry);
                    parsed.warnings.extend(warning);
                }
                Err(e) => problems.push(e),
            }
        }
    }
    match KeymapError::all(problems) {
        Some(e) => Err(e),
        None => Ok(parsed),
    }
}

/// One `key = "action"` line of table `[name]`, with a warning for a chord
/// terminals cannot send.
fn binding(
    file: &str,
    name: &str,
    table: Table,
    written: &str,
    value: &toml::Value,
    line: Option<usize>,
    seen: &mut Vec<(crokey::KeyCombination, String, Option<usize>)>,
) -> Result<(Entry, Option<String>), KeymapError> {
    let at = |reason: String| KeymapError::new(file, line, reason);
    let key = keys::parse(written).ok_or_else(|| at(format!("{written:?} is not a key")))?;
    let action_name = value
        .as_str()
        .ok_or_else(|| at(format!("the action for {written:?} must be a quoted action name")))?;
    if let Some((_, other, other_line)) = seen.iter().find(|(k, _, _)| *k == key) {
        let (first, second) =
            if *other_line <= line { (other.as_str(), written) } else { (written, other.as_str()) };
        return Err(KeymapError::new(
            file,
            line.max(*other_line),
            format!("{second:?} is the same key as {first:?} in [{name}]: bind each key once"),
        ));
    }
    seen.push((key, written.to_string(), line));
    if action_name == "none" {
        return Ok((Entry { table, binding: None, key }, None));
    }
    let action = Action::parse(action_name)
        .ok_or_else(|| at(format!("unknown action {action_name:?} for key {written:?}")))?;
    if !action.belongs_in(table) {
        return Err(at(format!("{action_name} means nothing in [{name}]")));
    }
    if table.takes_typing() && keys::is_printable(key) {
        return Err(at(format!(
            "{written:?} types a character in [{name}], where it would eat typing: use a key with ctrl or alt, or a function key"
        )));
    }
    let warning = keys::is_ambiguous(key).map(|real| {
        format!(
            "{file}:{}: terminals send {written:?} as {real}, so it may not reach fieldlog as {written}",
            line.unwrap_or(0)
        )
    });
    let binding = Binding { key, written: written.to_string(), action };
    Ok((Entry { table, binding: Some(binding), key }, warning))
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line on which `key` is written in `[table]` (or at the top for `None`).
fn line_of(text: &str, table: Option<&str>, key: &str) -> Option<usize> {
    let mut current: Option<String> = None;
    for (number, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = Some(header.trim().trim_matches('"').to_string());
            if table.is_none() && current.as_deref() == Some(key) {
                return Some(number + 1);
            }
            continue;
        }
        let Some((left, _)) = line.split_once('=') else { continue };
        let left = left.trim();
        let unquoted = left.strip_prefix('"').and_then(|l| l.strip_suffix('"')).unwrap_or(left);
        let unquoted = unquoted.strip_prefix('\'').and_then(|l| l.strip_suffix('\'')).unwrap_or(unquoted);
        if current.as_deref() == table && unquoted == key {
            return Some(number + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_keymap_loads_without_warnings() {
        for (name, _) in SHIPPED {
            let loaded = load(name, None);
            assert!(loaded.refused.is_none(), "{name}: {:?}", loaded.refused);
            assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        }
    }

    #[test]
    fn lines_are_found_in_their_table() {
        let text = "extends = \"default\"\n[live]\n\"alt-x\" = \"commit-note\"\n[home]\nx = \"quit\"\n";
        assert_eq!(line_of(text, None, "extends"), Some(1));
        assert_eq!(line_of(text, Some("live"), "alt-x"), Some(3));
        assert_eq!(line_of(text, Some("home"), "x"), Some(5));
        assert_eq!(line_of(text, None, "home"), Some(4));
    }
}
