//! A report as lines of a given width: headings, paragraphs, lists and
//! quotes wrapped; tables with their columns fitted to the width (the
//! widest shrunk first) and each cell wrapped inside its column, so a table
//! of two cases side by side reads as two columns even at 80×24.

use super::wrap::wrap;
use crate::export::document::Block;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use unicode_width::UnicodeWidthStr;

/// Space between two columns of a table.
const GAP: usize = 2;

/// `blocks` as lines of at most `width` columns, each led by a space.
pub fn document_lines(blocks: &[Block], width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let bold = Style::default().add_modifier(Modifier::BOLD);
    for block in blocks {
        match block {
            Block::Heading(_, text) => {
                lines.push(Line::raw(""));
                lines.extend(wrapped(text, "", width, bold));
            }
            Block::Paragraph(inlines) => lines.extend(wrapped(&inlines.text(), "", width, Style::default())),
            Block::List(items) => {
                for item in items {
                    lines.extend(wrapped(&item.text(), "• ", width, Style::default()))
                }
            }
            Block::Quote(quoted) => {
                let italic = Style::default().add_modifier(Modifier::ITALIC);
                for line in quoted {
                    lines.extend(wrapped(line, "│ ", width, italic))
                }
            }
            Block::Table { header, rows } => lines.extend(table_lines(header, rows, width)),
            Block::Figure { caption, .. } => lines.extend(wrapped(caption, "", width, Style::default())),
        }
    }
    lines
}

/// `text` wrapped under `prefix` (continuation rows indented as far).
fn wrapped(text: &str, prefix: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let indent = " ".repeat(prefix.width());
    wrap(text, width.saturating_sub(prefix.width()).max(1))
        .into_iter()
        .enumerate()
        .map(|(i, part)| Line::styled(format!(" {}{part}", if i == 0 { prefix } else { &indent }), style))
        .collect()
}

/// How wide each column is shown: as wide as its widest cell line when all
/// fit in `width`; otherwise no column wider than a cap, the widest cap that
/// fits, so narrow columns keep their width and wide ones share the rest —
/// but each at least its longest word (`least`: a number or a word is never
/// broken; the terminal cuts what is past its edge instead).
pub fn column_widths(natural: &[usize], least: &[usize], width: usize) -> Vec<usize> {
    let room = width.saturating_sub(GAP * natural.len().saturating_sub(1));
    let capped = |cap: usize| -> Vec<usize> {
        natural.iter().zip(least).map(|(n, l)| (*n).min(cap).max((*l).min(*n)).max(1)).collect()
    };
    let fits = |cap: usize| capped(cap).iter().sum::<usize>() <= room;
    let widest = natural.iter().copied().max().unwrap_or(0);
    // The widest cap that fits (fits is monotone in the cap).
    let (mut low, mut high) = (0, widest);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if fits(mid) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let mut widths = capped(low);
    // What the cap leaves over goes a column at a time to those it cut.
    let mut left = room.saturating_sub(widths.iter().sum());
    for (w, n) in widths.iter_mut().zip(natural) {
        if left > 0 && *w < *n {
            *w += 1;
            left -= 1;
        }
    }
    widths
}

/// A table: the heading row bold, each row as high as its tallest cell.
fn table_lines(header: &[String], rows: &[Vec<String>], width: usize) -> Vec<Line<'static>> {
    let columns = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let (mut natural, mut least) = (vec![0usize; columns], vec![0usize; columns]);
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for ((w, l), cell) in natural.iter_mut().zip(least.iter_mut()).zip(row) {
            *w = (*w).max(cell.lines().map(UnicodeWidthStr::width).max().unwrap_or(0));
            *l = (*l).max(cell.split_whitespace().map(UnicodeWidthStr::width).max().unwrap_or(0));
        }
    }
    let widths = column_widths(&natural, &least, width);
    let mut lines = Vec::new();
    let bold = Style::default().add_modifier(Modifier::BOLD);
    for (i, row) in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)).enumerate() {
        let cells: Vec<Vec<String>> = widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                let text = row.get(c).map_or("", String::as_str);
                text.lines().flat_map(|line| wrap(line, *w)).collect()
            })
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for r in 0..height {
            let padded = cells.iter().zip(&widths).map(|(cell, w)| {
                let part = cell.get(r).map_or("", String::as_str);
                format!("{part}{}", " ".repeat(w.saturating_sub(part.width())))
            });
            let text = padded.collect::<Vec<_>>().join(&" ".repeat(GAP)).trim_end().to_string();
            let style = if i == 0 { bold } else { Style::default() };
            lines.push(Line::styled(format!(" {text}"), style));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn columns_that_fit_keep_their_width_and_wide_ones_share_the_rest() {
        assert_eq!(column_widths(&[4, 10, 6], &[4, 5, 6], 40), [4, 10, 6]);
        // 30 columns less two gaps of 2: 26; each its longest word, then the rest shared.
        assert_eq!(column_widths(&[4, 40, 50], &[4, 6, 6], 30), [4, 11, 11]);
        assert_eq!(column_widths(&[4, 12, 50], &[4, 6, 6], 30), [4, 11, 11]);
        assert_eq!(column_widths(&[4, 8, 50], &[4, 8, 6], 30), [4, 8, 14]);
        // Twenty columns of two-digit counts at 30: every count whole, cut at the edge.
        let counts = column_widths(&[2; 20], &[2; 20], 30);
        assert!(counts.iter().all(|w| *w == 2), "{counts:?}");
    }

    #[test]
    fn a_table_too_wide_wraps_inside_its_cells_and_keeps_its_columns() {
        let header = vec!["".to_string(), "AA".to_string(), "BB".to_string()];
        let rows = vec![vec![
            "contact 1".to_string(),
            "✓ kept\ninterview 2025-01-01\n“Jeg vil gerne arbejde igen”".to_string(),
            "✗ missed".to_string(),
        ]];
        let lines = text(&table_lines(&header, &rows, 30));
        assert!(lines.iter().all(|l| l.width() <= 31), "{lines:#?}");
        // 26 columns: no column over 8 but AA, which keeps its longest word (10).
        assert_eq!(lines[0], "           AA          BB");
        assert_eq!(lines[1], " contact   ✓ kept      ✗ missed");
        assert_eq!(lines[2], " 1         interview");
        assert_eq!(lines[3], "           2025-01-01", "a date is never broken");
        let words = lines.join(" ");
        for word in ["“Jeg", "vil", "gerne", "arbejde", "igen”"] {
            assert!(words.split_whitespace().any(|w| w == word), "{word} lost: {lines:#?}");
        }
    }
}
