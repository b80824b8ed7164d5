//! The follow-up year's tables: each case's contact points, and the
//! recruitment log, a row each.

use super::tables::{Cell, Sink, Tables};
use crate::domain::contacts::ContactStatus;

impl Tables<'_> {
    /// A row per case and contact point; the reason is the ledger's (for
    /// points after a dropout, the dropout's).
    pub(super) fn contact_rows<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        for case in self.contacts {
            for p in &case.points {
                let dropout = case.dropout.as_ref();
                let reason = match &p.status {
                    ContactStatus::Partial(why) | ContactStatus::Missed(why) => why.as_str(),
                    ContactStatus::DroppedOut => dropout.map_or("", |d| d.reason.as_str()),
                    _ => "",
                };
                sink.text(&case.case)?;
                sink.integer(p.point)?;
                sink.cell(p.due.map_or(Cell::Empty, Cell::Date))?;
                sink.text(p.status.word())?;
                sink.integer(p.held as i64)?;
                sink.text(reason)?;
                sink.cell(dropout.map_or(Cell::Empty, |d| Cell::Date(d.date)))?;
                sink.end_row()?;
            }
        }
        Ok(())
    }

    pub(super) fn recruitment_rows<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        for r in self.recruitment {
            sink.text(r.label.as_str())?;
            sink.cell(Cell::Date(r.asked))?;
            sink.text(r.outcome.word())?;
            sink.text(&r.via)?;
            sink.text(&r.reason)?;
            sink.end_row()?;
        }
        Ok(())
    }
}
