//! Search the whole study: lines, narrative titles and memos, ignoring case.
//! Enter searches; once the results stand, Enter opens the chosen hit.

use super::{hints, Effect, Input};
use crate::domain::{Id, MaskList, Masker};
use crate::keymap::{Action, Keymap, Table};
use crate::store::search::{Hit, HitPlace};
use crate::tui::widgets::input::TextInput;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// A hit with the case it belongs to.
pub struct Found {
    pub case: String,
    pub case_id: Option<Id>,
    pub hit: Hit,
}

pub struct SearchState {
    query: TextInput,
    searched: Option<String>,
    results: Vec<Found>,
    selected: usize,
    page: std::cell::Cell<usize>,
    /// How many hits a search brings at most.
    pub limit: usize,
    masks: MaskList,
    /// Hits shown masked, each with its case's terms.
    masked: bool,
}

impl Default for SearchState {
    fn default() -> Self {
        Self::new()
    }
}

impl SearchState {
    pub fn new() -> Self {
        SearchState {
            query: TextInput::default(),
            searched: None,
            results: Vec::new(),
            selected: 0,
            page: std::cell::Cell::new(10),
            limit: 1_000,
            masks: MaskList::default(),
            masked: false,
        }
    }

    pub fn set_masks(&mut self, list: MaskList) {
        self.masks = list;
    }

    pub fn set_masked(&mut self, on: bool) {
        self.masked = on;
    }

    pub fn table(&self) -> Table {
        Table::Search
    }

    pub fn show(&mut self, query: String, results: Vec<Found>) {
        self.searched = Some(query);
        self.results = results;
        self.selected = 0;
    }

    pub fn update(&mut self, input: Input) -> Effect {
        let last = self.results.len().saturating_sub(1);
        let page = self.page.get().max(1);
        match input {
            Input::Char(c) => self.query.insert_char(c),
            Input::Paste(p) => self.query.insert_paste(&p),
            Input::Action(Action::SelectUp) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::SelectDown) => self.selected = (self.selected + 1).min(last),
            Input::Action(Action::PageUp) => self.selected = self.selected.saturating_sub(page),
            Input::Action(Action::PageDown) => self.selected = (self.selected + page).min(last),
            Input::Action(Action::Confirm) => {
                let query = self.query.text().trim().to_string();
                if self.searched.as_deref() != Some(query.as_str()) {
                    return Effect::Search(query);
                }
                if let Some(found) = self.results.get(self.selected) {
                    let (session, seq) = found.hit.target();
                    return Effect::OpenReview { session, seq: Some(seq) };
                }
            }
            Input::Action(Action::Back) => return Effect::Back,
            Input::Action(Action::ToggleMasked) => {
                self.masked = !self.masked;
                return Effect::MaskedView(self.masked);
            }
            Input::Action(action) => {
                self.query.edit(action);
            }
        }
        Effect::None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let [query, count, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        self.query.render(frame, query, Span::raw(" Search: ").bold(), true);
        let view = if self.masked { "MASKED VIEW · " } else { "" };
        let summary = match &self.searched {
            None => "Type words to find in lines, narrative titles and memos; Enter searches.".to_string(),
            Some(q) if self.results.is_empty() => format!("Nothing found for \"{q}\"."),
            Some(q) if self.results.len() >= self.limit => {
                format!("The first {} found for \"{q}\"", self.results.len())
            }
            Some(q) => format!("{} found for \"{q}\"", self.results.len()),
        };
        frame.render_widget(Line::from(format!(" {view}{summary}")).dim(), count);
        let height = usize::from(body.height);
        self.page.set(height.saturating_sub(1).max(1));
        let top = self.selected.saturating_sub(height.saturating_sub(1));
        for (row, (i, found)) in self.results.iter().enumerate().skip(top).take(height).enumerate() {
            let line = self.row(found, usize::from(body.width), i == self.selected);
            frame.render_widget(line, Rect::new(body.x, body.y + row as u16, body.width, 1));
        }
        let hint = hints(
            keys,
            Table::Search,
            &[
                (Action::Confirm, "search / open"),
                (Action::SelectDown, "next"),
                (Action::ToggleMasked, "masked view"),
                (Action::Back, "back"),
            ],
        );
        frame.render_widget(Line::from(hint).dim(), footer);
    }

    /// One hit: where it is, then the match in its context, cut to fit.
    fn row(&self, found: &Found, width: usize, selected: bool) -> Line<'static> {
        let hit = &found.hit;
        let place = match hit.place {
            HitPlace::Line { seq, .. } => format!("line {seq}"),
            HitPlace::NarrativeTitle { .. } => "title".to_string(),
            HitPlace::NarrativeMemo { .. } => "memo".to_string(),
        };
        let lead = format!(" {:<8} {:<10} ", found.case, place);
        let room = width.saturating_sub(lead.width());
        let (text, matched) = match (self.masked, found.case_id) {
            (true, case) => masked(&Masker::new(&self.masks, case), &hit.text, hit.matched.clone()),
            (false, _) => (hit.text.clone(), hit.matched.clone()),
        };
        let text = text.replace('\n', " ");
        let (before, matched, after) = (&text[..matched.start], &text[matched.clone()], &text[matched.end..]);
        // Keep about a third of the room before the match.
        let keep = room / 3;
        let mut before_shown: String =
            before.chars().rev().take(keep).collect::<Vec<_>>().into_iter().rev().collect();
        if before_shown.len() < before.len() {
            before_shown = format!("…{before_shown}");
        }
        let base =
            if selected { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
        Line::from(vec![
            Span::styled(lead, base.add_modifier(Modifier::DIM)),
            Span::styled(before_shown, base),
            Span::styled(
                matched.to_string(),
                base.add_modifier(Modifier::BOLD).fg(ratatui::style::Color::Yellow),
            ),
            Span::styled(after.to_string(), base),
        ])
    }
}

/// `text` masked, with `matched` moved to where it now is: a match inside a
/// masked term becomes the whole of what is written instead.
fn masked(masker: &Masker, text: &str, matched: std::ops::Range<usize>) -> (String, std::ops::Range<usize>) {
    let found = masker.find(text);
    let moved = |at: usize, end: bool| {
        let mut shift: isize = 0;
        for f in &found {
            let written = (f.replacement.len() + f.ending.len()) as isize;
            if at <= f.range.start {
                break;
            }
            if at >= f.range.end {
                shift += written - f.range.len() as isize;
                continue;
            }
            let start = (f.range.start as isize + shift) as usize;
            return if end { start + written as usize } else { start };
        }
        (at as isize + shift) as usize
    };
    let range = moved(matched.start, false)..moved(matched.end, true);
    (masker.mask(text).into_owned(), range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_keeps_its_place_in_the_masked_text() {
        let mut list = MaskList::default();
        list.add("Mette", "[sagsbehandleren]", None).unwrap();
        let masker = Masker::new(&list, None);
        let text = "Mettes kontor i Køge, sagde Mette";
        let at = |t: &str, w: &str| t.find(w).unwrap()..t.find(w).unwrap() + w.len();
        let (shown, range) = masked(&masker, text, at(text, "Køge"));
        assert_eq!(shown, "[sagsbehandleren]s kontor i Køge, sagde [sagsbehandleren]");
        assert_eq!(&shown[range], "Køge");
        let last = text.rfind("Mette").unwrap();
        let (shown, range) = masked(&masker, text, last..last + 3);
        assert_eq!(&shown[range], "[sagsbehandleren]", "a match on a masked term shows its replacement");
    }
}
