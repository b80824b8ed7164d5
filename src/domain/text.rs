//! Cleaning typed, pasted and imported text once, at input, so what is stored
//! is exactly what is shown and nothing reaches a terminal raw.

/// Keeps newlines, turns tabs into spaces, normalises `\r\n` and `\r` to `\n`,
/// drops escape sequences whole (see [`Escapes`]), other control characters,
/// bidirectional overrides and invisible format characters (the zero-width
/// joiner stays: emoji need it).
pub fn sanitise(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut escapes = Escapes::default();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if !escapes.keep(c) {
            continue;
        }
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\u{200D}' => out.push(c),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Where a stream of characters is inside a terminal escape sequence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Within {
    #[default]
    Text,
    /// Just after ESC.
    Escape,
    /// `ESC (`, `ESC #`…: intermediates, then one final character.
    Intermediate,
    /// CSI (`ESC [` or U+009B): parameters, intermediates, a final `@`–`~`.
    ControlSequence,
    /// OSC, DCS, SOS, PM, APC: up to BEL or ST.
    String,
    /// ESC inside a string: `\` ends it (ST).
    StringEscape,
}

/// Drops escape sequences whole — CSI, OSC, DCS, SOS, PM, APC and the short
/// ones, 7- and 8-bit — from characters fed one at a time, so typed text and
/// pasted text are cleaned by the same rules. An unterminated string ends
/// with its line, so a stray ESC never swallows the rest of a paste.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Escapes {
    within: Within,
}

impl Escapes {
    /// Whether `c` is text to keep (it may still be a control for the caller to drop).
    pub fn keep(&mut self, c: char) -> bool {
        let ascii = |from: char, to: char| (from..=to).contains(&c);
        self.within = match self.within {
            Within::Text => match c {
                '\u{1b}' => Within::Escape,
                '\u{9b}' => Within::ControlSequence,
                '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => Within::String,
                _ => return true,
            },
            Within::Escape => match c {
                '[' => Within::ControlSequence,
                ']' | 'P' | 'X' | '^' | '_' => Within::String,
                _ if ascii('\u{20}', '\u{2f}') => Within::Intermediate,
                _ if ascii('\u{30}', '\u{7e}') => Within::Text,
                _ => return self.restart(c),
            },
            Within::Intermediate => match c {
                _ if ascii('\u{20}', '\u{2f}') => Within::Intermediate,
                _ if ascii('\u{30}', '\u{7e}') => Within::Text,
                _ => return self.restart(c),
            },
            Within::ControlSequence => match c {
                _ if ascii('\u{20}', '\u{3f}') => Within::ControlSequence,
                _ if ascii('\u{40}', '\u{7e}') => Within::Text,
                _ => return self.restart(c),
            },
            Within::String => match c {
                '\u{7}' | '\u{9c}' => Within::Text,
                '\u{1b}' => Within::StringEscape,
                '\n' | '\r' => return self.restart(c),
                _ => Within::String,
            },
            Within::StringEscape => match c {
                '\\' => Within::Text,
                _ => {
                    self.within = Within::Escape;
                    return self.keep(c);
                }
            },
        };
        false
    }

    /// A malformed sequence ends before `c`, which is read as text again.
    fn restart(&mut self, c: char) -> bool {
        self.within = Within::Text;
        self.keep(c)
    }

    /// Forgets a sequence left open (a key that is no text was pressed).
    pub fn reset(&mut self) {
        self.within = Within::Text;
    }
}

/// A count with its noun: "1 case", "3 cases" (the study's nouns take an s).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// True for characters that must never be stored or shown.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
            | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

/// Lower-cases text for matching without regard to case, over all of Unicode,
/// char by char (as `find_folded` does) and with newlines as spaces.
pub fn fold(text: &str) -> String {
    text.chars().map(|c| if c == '\n' { ' ' } else { c }).flat_map(char::to_lowercase).collect()
}

/// Where `folded_needle` (already `fold`ed) occurs in `haystack` ignoring
/// case, as a byte range of the original `haystack`.
pub fn find_folded(haystack: &str, folded_needle: &str) -> Option<std::ops::Range<usize>> {
    if folded_needle.is_empty() {
        return None;
    }
    // Each folded char remembers the byte range of the original char it came from.
    let mut folded = Vec::with_capacity(haystack.len());
    for (at, c) in haystack.char_indices() {
        let end = at + c.len_utf8();
        let c = if c == '\n' { ' ' } else { c };
        folded.extend(c.to_lowercase().map(|l| (l, at, end)));
    }
    let needle: Vec<char> = folded_needle.chars().collect();
    folded.windows(needle.len()).find(|w| w.iter().zip(&needle).all(|((c, _, _), n)| c == n)).map(|w| {
        let start = w.first().map_or(0, |(_, s, _)| *s);
        let end = w.last().map_or(0, |(_, _, e)| *e);
        start..end
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_are_dropped() {
        assert_eq!(sanitise("a\u{1b}[31mb\u{7}c"), "abc");
        assert_eq!(sanitise("\u{202E}evil\u{202C}"), "evil");
    }

    #[test]
    fn escape_sequences_are_dropped_whole() {
        assert_eq!(sanitise("\u{1b}[31mRED\u{1b}[0m"), "RED");
        assert_eq!(sanitise("x\u{1b}]0;PWNED\u{7}y"), "xy");
        assert_eq!(sanitise("x\u{1b}]8;;http://a\u{1b}\\link\u{1b}]8;;\u{1b}\\y"), "xlinky");
        assert_eq!(sanitise("a\u{1b}P1$r0m\u{1b}\\b"), "ab");
        assert_eq!(sanitise("a\u{1b}(Bb\u{1b}7c\u{1b}=d"), "abcd");
        assert_eq!(sanitise("a\u{9b}2Jb\u{9d}0;t\u{9c}c"), "abc");
        assert_eq!(sanitise("a\u{1b}[?1049hb"), "ab");
        // An unterminated title string ends with its line, not with the paste.
        assert_eq!(sanitise("a\u{1b}]0;half\nnext line"), "a\nnext line");
        assert_eq!(sanitise("tail\u{1b}"), "tail");
        assert_eq!(sanitise("a\u{1b}éb"), "aéb");
    }

    #[test]
    fn newlines_are_normalised_and_tabs_become_spaces() {
        assert_eq!(sanitise("a\r\nb\rc\td"), "a\nb\nc    d");
    }

    #[test]
    fn danish_emoji_and_joiners_survive() {
        let s = "Selvværd, ærgre, Øst, å 👩‍👩‍👧 e\u{301}";
        assert_eq!(sanitise(s), s);
    }

    #[test]
    fn folded_search_ignores_case_across_unicode() {
        assert_eq!(find_folded("Det handler om Selvværd", &fold("selvværd")), Some(15..24));
        assert_eq!(find_folded("jeg ærgrer mig", &fold("ÆRGRE")), Some(4..10));
        assert_eq!(find_folded("ΣΟΦΊΑ og İstanbul", &fold("σοφία")), Some(0..10));
        assert_eq!(find_folded("intet her", &fold("selvværd")), None);
        assert_eq!(find_folded("x", ""), None);
    }
}
