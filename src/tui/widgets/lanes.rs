//! One case's lane of the time view as a row of cells: `zoom` cells a
//! month, each holding the most telling thing that falls in it — a missed
//! or partial contact, a session by kind, a narrative by agency or time
//! orientation, where a narrative's told events happened — over the bars
//! of efforts under way.

use crate::domain::timeline::{At, Lane, Tone};
use crate::domain::SessionKind;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

/// How narratives are marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkBy {
    Agency,
    Orientation,
}

impl MarkBy {
    pub fn word(self) -> &'static str {
        match self {
            MarkBy::Agency => "agency",
            MarkBy::Orientation => "time orientation",
        }
    }

    /// The marks and their meaning, for the legend.
    pub fn legend(self) -> &'static str {
        match self {
            MarkBy::Agency => "○◑● agency low·mid·high ∙ none",
            MarkBy::Orientation => "◂•▸ looks back·now·ahead ∙ none",
        }
    }

    fn mark(self, agency: Tone, orientation: Tone) -> char {
        match (self, agency, orientation) {
            (MarkBy::Agency, Tone::Low, _) => '○',
            (MarkBy::Agency, Tone::Middle, _) => '◑',
            (MarkBy::Agency, Tone::High, _) => '●',
            (MarkBy::Orientation, _, Tone::Low) => '◂',
            (MarkBy::Orientation, _, Tone::Middle) => '•',
            (MarkBy::Orientation, _, Tone::High) => '▸',
            _ => '∙',
        }
    }
}

/// The letter of a session's kind in a lane.
pub fn kind_letter(kind: SessionKind) -> char {
    match kind {
        SessionKind::Interview => 'I',
        SessionKind::Observation => 'O',
        SessionKind::ProfessionalInterview => 'P',
        SessionKind::CaseMeeting => 'M',
        SessionKind::Document => 'D',
    }
}

pub const LEGEND: &str = "I interview O observation P prof. interview M meeting D document ▒ effort";
pub const LEGEND_MORE: &str = "✗ missed ◐ partial ┃ dropout ◇ told of";

#[derive(Clone, Copy, PartialEq)]
struct Cell {
    symbol: char,
    /// Higher wins the cell.
    rank: u8,
    style: Style,
}

/// Puts a symbol in cell `i` unless something of a higher rank is there.
fn put(cells: &mut [Cell], i: Option<usize>, symbol: char, rank: u8, style: Style) {
    if let Some(i) = i {
        if cells[i].rank < rank {
            cells[i] = Cell { symbol, rank, style };
        }
    }
}

/// The lane's cells for months `first..first + months`, `zoom` cells each.
pub fn lane_spans(lane: &Lane, first: i32, months: i32, zoom: u16, by: MarkBy) -> Vec<Span<'static>> {
    let zoom = i32::from(zoom.max(1));
    let width = (months * zoom).max(0) as usize;
    let blank = |i: usize| {
        let month_start = i as i32 % zoom == 0 && zoom > 1;
        Cell {
            symbol: if month_start { '┊' } else { ' ' },
            rank: 0,
            style: Style::default().fg(Color::DarkGray),
        }
    };
    let mut cells: Vec<Cell> = (0..width).map(blank).collect();
    let slot = |at: At| -> Option<usize> {
        let i = (at.month - first) * zoom + ((at.within * zoom as f32) as i32).min(zoom - 1);
        (0..width as i32).contains(&i).then_some(i as usize)
    };
    let dropout = lane.dropout.map(|d| (d.month - first) * zoom + (d.within * zoom as f32) as i32);
    for effort in &lane.efforts {
        let from = (effort.from.month - first) * zoom + (effort.from.within * zoom as f32) as i32;
        let to = effort
            .to
            .map_or(width as i32 - 1, |t| (t.month - first) * zoom + (t.within * zoom as f32) as i32);
        let to = dropout.map_or(to, |d| to.min(d));
        for i in from.max(0)..=to.min(width as i32 - 1) {
            put(&mut cells, Some(i as usize), '▒', 1, Style::default().fg(Color::Yellow));
        }
    }
    for s in &lane.sessions {
        put(
            &mut cells,
            slot(s.at),
            kind_letter(s.kind),
            4,
            Style::default().fg(Color::Green).add_modifier(Modifier::BOLD),
        );
    }
    // A narrative is told in a session: its mark goes in the first free
    // cell after the session's letter that is still in the month, so a
    // session's narratives stand side by side while the month has room.
    for n in &lane.narratives {
        if let Some(at) = n.narrated {
            put(&mut cells, slot(at), '◇', 2, Style::default().fg(Color::Cyan));
        }
        let told = slot(n.told);
        let free = told.and_then(|i| {
            let month_end = (i as i32 / zoom + 1) * zoom;
            (i + 1..(month_end as usize).min(width)).find(|j| cells[*j].rank < 3)
        });
        let at = match (told, free) {
            (Some(i), Some(next)) if cells[i].rank >= 4 => Some(next),
            _ => told,
        };
        put(
            &mut cells,
            at,
            by.mark(n.agency, n.orientation),
            3,
            Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        );
    }
    for c in &lane.contacts {
        let (symbol, colour) = if c.missed { ('✗', Color::Red) } else { ('◐', Color::Magenta) };
        put(&mut cells, slot(c.at), symbol, 5, Style::default().fg(colour).add_modifier(Modifier::BOLD));
    }
    if let Some(d) = dropout {
        // After the dropout the lane is empty, but for anything still
        // recorded there (a session held after all): it is shown, not hidden.
        for i in d.max(0)..width as i32 {
            if cells[i as usize].rank < 3 {
                cells[i as usize] = Cell { symbol: ' ', rank: 6, style: Style::default() };
            }
        }
        if (0..width as i32).contains(&d) {
            cells[d as usize] = Cell { symbol: '┃', rank: 6, style: Style::default().fg(Color::Red) };
        }
    }
    cells.into_iter().map(|c| Span::styled(c.symbol.to_string(), c.style)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timeline::SessionMark;

    #[test]
    fn a_session_held_after_the_dropout_is_shown_and_the_rest_after_it_is_empty() {
        let at = |month, within| At { month, within };
        let session =
            |month| SessionMark { at: at(month, 0.0), kind: SessionKind::Interview, contact_point: 1 };
        let lane = Lane {
            case: "AA".into(),
            case_id: crate::domain::Id::new(),
            sessions: vec![session(0), session(6)],
            efforts: vec![],
            narratives: vec![],
            contacts: vec![],
            dropout: Some(at(3, 0.0)),
        };
        let text: String =
            lane_spans(&lane, 0, 8, 1, MarkBy::Agency).iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "I  ┃  I ");
    }

    #[test]
    fn a_sessions_narratives_stand_side_by_side_while_the_month_has_room() {
        use crate::domain::timeline::NarrativeMark;
        let at = At { month: 0, within: 0.0 };
        let told = |agency| NarrativeMark {
            told: at,
            narrated: None,
            before: false,
            agency,
            orientation: Tone::Uncoded,
            by_person: true,
            title: String::new(),
        };
        let lane = Lane {
            case: "AA".into(),
            case_id: crate::domain::Id::new(),
            sessions: vec![SessionMark { at, kind: SessionKind::Interview, contact_point: 1 }],
            efforts: vec![],
            narratives: vec![told(Tone::Low), told(Tone::High), told(Tone::Uncoded)],
            contacts: vec![],
            dropout: None,
        };
        let text = |zoom| -> String {
            lane_spans(&lane, 0, 2, zoom, MarkBy::Agency).iter().map(|s| s.content.as_ref()).collect()
        };
        assert_eq!(text(4), "I○●∙┊   ");
        assert_eq!(text(2), "I○┊ ", "the month is full: the rest wait for more room");
    }
}
