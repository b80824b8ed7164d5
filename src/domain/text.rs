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

    #[test]
    fn folded_search_ignores_case_across_unicode() {
        assert_eq!(find_folded("Det handler om Selvværd", &fold("selvværd")), Some(15..24));
        assert_eq!(find_folded("jeg ærgrer mig", &fold("ÆRGRE")), Some(4..10));
        assert_eq!(find_folded("ΣΟΦΊΑ og İstanbul", &fold("σοφία")), Some(0..10));
        assert_eq!(find_folded("intet her", &fold("selvværd")), None);
        assert_eq!(find_folded("x", ""), None);
    }
}
