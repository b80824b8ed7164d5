//! Wrapping text to a display width: at spaces where possible, inside a
//! word only when it is longer than the row; wide characters count double.

use unicode_width::UnicodeWidthChar;

/// Splits `text` into rows of at most `width` columns (at least one row).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    // Where the last space in `row` is, in bytes, and the width up to it.
    let mut last_space: Option<(usize, usize)> = None;
    for c in text.chars().map(|c| if c == '\n' { ' ' } else { c }) {
        let w = c.width().unwrap_or(0);
        if used + w > width && !row.is_empty() {
            match last_space {
                Some((at, upto)) if at > 0 => {
                    let rest = row.split_off(at + 1);
                    row.pop();
                    rows.push(std::mem::take(&mut row));
                    row = rest;
                    used -= upto + 1;
                }
                _ => {
                    rows.push(std::mem::take(&mut row));
                    used = 0;
                }
            }
            last_space = None;
            if c == ' ' && row.is_empty() {
                continue;
            }
        }
        if c == ' ' {
            last_space = Some((row.len(), used));
        }
        row.push(c);
        used += w;
    }
    rows.push(row);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn breaks_at_spaces_and_keeps_every_character() {
        let rows = wrap("det var en god dag på jobcentret", 12);
        assert_eq!(rows, vec!["det var en", "god dag på", "jobcentret"]);
    }

    #[test]
    fn long_words_and_wide_characters_fit_their_rows() {
        for width in 1..12 {
            let text = "Selvværd 日本語テキスト 👩‍👩‍👧 aaaaaaaaaaaaaaaaaaaa";
            for row in wrap(text, width) {
                assert!(row.width() <= width.max(2), "{row:?} at {width}");
            }
        }
    }
}
