//! Cleaning typed, pasted and imported text once, at input, so what is stored
//! is exactly what is shown and nothing reaches a terminal raw.

/// Keeps newlines, turns tabs into spaces, normalises `\r\n` and `\r` to `\n`,
/// and drops other control characters, bidirectional overrides and invisible
/// format characters (the zero-width joiner stays: emoji need it).
pub fn sanitise(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
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

/// True for characters that must never be stored or shown.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
            | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_are_dropped() {
        assert_eq!(sanitise("a\u{1b}[31mb\u{7}c"), "a[31mbc");
        assert_eq!(sanitise("x\u{1b}]0;title\u{7}y"), "x]0;titley");
        assert_eq!(sanitise("\u{202E}evil\u{202C}"), "evil");
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
}
