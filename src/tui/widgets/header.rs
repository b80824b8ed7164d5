//! A screen's title bar: what is open on the left, live figures on the
//! right. When the row is narrow the left gives way — its last parts first,
//! then an ellipsis — so the two never run together.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// `parts` joined by " · " in as much room as `width` leaves, keeping the first.
pub fn fit(parts: &[String], width: usize) -> String {
    for keep in (1..=parts.len()).rev() {
        let text = format!(" {}", parts[..keep].join(" · "));
        if text.width() <= width {
            return text;
        }
    }
    let mut text = String::from(" ");
    for c in parts.first().map_or("", String::as_str).chars() {
        if text.width() + 2 > width {
            text.push('…');
            return text;
        }
        text.push(c);
    }
    text
}

/// Draws the bar: `left` parts bold, `right` as it is, a space at least between.
pub fn render(frame: &mut Frame, area: Rect, left: &[String], right: &str) {
    let right = if right.width() + 2 > usize::from(area.width) { "" } else { right };
    let right_width = right.width() as u16;
    let [l, r] = Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    let room = usize::from(l.width).saturating_sub(1);
    frame.render_widget(Line::from(fit(left, room)).bold().reversed(), l);
    frame.render_widget(Line::from(right.to_string()).reversed(), r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_parts_give_way_first() {
        let parts: Vec<String> =
            ["AA", "observation", "contact 1", "job centre"].iter().map(|s| s.to_string()).collect();
        assert_eq!(fit(&parts, 80), " AA · observation · contact 1 · job centre");
        assert_eq!(fit(&parts, 30), " AA · observation · contact 1");
        assert_eq!(fit(&parts, 3), " AA");
        assert_eq!(fit(&["observation".to_string()], 5), " obs…");
    }
}
