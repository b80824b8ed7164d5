//! Text for XML attributes and elements: escaped, newlines as spaces in
//! attributes, and nothing a parser would refuse.

/// Escapes text for an XML attribute or element; controls other than
/// newline and tab are dropped (XML 1.0 does not allow them).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Like `escape`, but keeps newlines (for element content that is prose).
pub fn escape_text(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// Whether XML 1.0 allows `c` in a document (newline and tab among the controls).
fn allowed(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// Text for an attribute, before a writer escapes it: newlines as spaces
/// (a parser would turn them into spaces anyway) and no character XML forbids.
pub fn attr(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| allowed(c) && c != '\n') {
        text.into()
    } else {
        text.chars()
            .filter(|c| allowed(*c))
            .map(|c| if c == '\n' { ' ' } else { c })
            .collect::<String>()
            .into()
    }
}

/// Text for element content, before a writer escapes it: line breaks kept,
/// no character XML forbids.
pub fn text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(allowed) {
        text.into()
    } else {
        text.chars().filter(|c| allowed(*c)).collect::<String>().into()
    }
}
