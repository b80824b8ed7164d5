//! Key strings (`ctrl-s`, `alt-1`, `f5`, `?`) to key combinations, and key
//! events to the same normal form, so that `G` and `shift-g` are one key.

use crokey::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use crokey::KeyCombination;

/// Parses a key as written in a keymap file; `None` if it is no key.
pub fn parse(text: &str) -> Option<KeyCombination> {
    let trimmed = text.trim();
    // crokey lowercases everything, so an upper-case letter would lose its shift.
    let (prefix, last) = match trimmed.rfind('-') {
        Some(i) if i + 1 < trimmed.len() => trimmed.split_at(i + 1),
        _ => ("", trimmed),
    };
    let mut chars = last.chars();
    let spelled = match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_uppercase() => format!("{prefix}shift-{c}"),
        _ => trimmed.to_string(),
    };
    let combination = crokey::parse(&spelled).ok()?;
    combination.is_ansi_compatible().then(|| normalise(combination))
}

/// The one form in which keys are compared: shifted letters upper-case with
/// SHIFT, other characters without SHIFT (terminals differ in sending it).
pub fn normalise(combination: KeyCombination) -> KeyCombination {
    let combination = combination.normalized();
    let code = combination.codes.first();
    let mut modifiers = combination.modifiers;
    if let KeyCode::Char(c) = code {
        if !c.is_alphabetic() {
            modifiers.remove(KeyModifiers::SHIFT);
        }
    }
    KeyCombination::one_key(*code, modifiers)
}

pub fn from_event(event: KeyEvent) -> KeyCombination {
    normalise(KeyCombination::from(event))
}

/// A key that types a character when pressed in a text field.
pub fn is_printable(combination: KeyCombination) -> bool {
    matches!(combination.codes.first(), KeyCode::Char(_))
        && (combination.modifiers - KeyModifiers::SHIFT).is_empty()
}

/// Chords a terminal sends as another key (Ctrl-M is Enter, Ctrl-I is Tab…).
pub fn is_ambiguous(combination: KeyCombination) -> Option<&'static str> {
    if combination.modifiers != KeyModifiers::CONTROL {
        return None;
    }
    match combination.codes.first() {
        KeyCode::Char('m') => Some("enter"),
        KeyCode::Char('i') => Some("tab"),
        KeyCode::Char('h') => Some("backspace"),
        KeyCode::Char('[') => Some("esc"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crokey::crossterm::event::KeyEventKind;

    fn event(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press)
    }

    #[test]
    fn upper_case_and_shift_are_one_key() {
        assert_eq!(parse("G"), parse("shift-g"));
        assert_ne!(parse("G"), parse("g"));
        assert_eq!(parse("G").unwrap(), from_event(event(KeyCode::Char('G'), KeyModifiers::SHIFT)));
    }

    #[test]
    fn symbols_match_with_or_without_shift() {
        assert_eq!(parse("?").unwrap(), from_event(event(KeyCode::Char('?'), KeyModifiers::SHIFT)));
        assert_eq!(parse("?").unwrap(), from_event(event(KeyCode::Char('?'), KeyModifiers::NONE)));
    }

    #[test]
    fn named_and_modified_keys_parse() {
        assert_eq!(parse("alt-1").unwrap(), from_event(event(KeyCode::Char('1'), KeyModifiers::ALT)));
        assert_eq!(parse("f5").unwrap(), from_event(event(KeyCode::F(5), KeyModifiers::NONE)));
        assert_eq!(parse("ctrl-x").unwrap(), from_event(event(KeyCode::Char('x'), KeyModifiers::CONTROL)));
        assert!(parse("ctrl-").is_none());
        assert!(parse("hyper-q").is_none());
        assert!(parse("a-b").is_none(), "two keys at once is not a chord a terminal can send");
    }

    #[test]
    fn printable_and_ambiguous_keys_are_told_apart() {
        assert!(is_printable(parse("q").unwrap()));
        assert!(is_printable(parse("Q").unwrap()));
        assert!(!is_printable(parse("alt-q").unwrap()));
        assert_eq!(is_ambiguous(parse("ctrl-m").unwrap()), Some("enter"));
        assert_eq!(is_ambiguous(parse("ctrl-s").unwrap()), None);
    }
}
