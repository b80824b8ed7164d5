//! What a row of each table is — lines, narratives, cases, sessions, efforts,
//! links, contacts, recruitment — said once, for the CSV files and the Excel
//! sheets alike.

use super::selection::Selection;
pub use super::told::Told;
use crate::domain::contacts::{CaseContacts, Recruitment};
use crate::domain::followup::parse_date;
use crate::domain::narrated::NarratedTime;
use crate::domain::{
    Case, Codebook, Effort, Id, Link, Narrative, Session, Utterance, VariableKind, Variables,
};
use chrono::{DateTime, FixedOffset, NaiveDate};
use std::collections::HashMap;

/// One cell, typed, so that a spreadsheet gets numbers and dates and a CSV
/// file the text a researcher would write.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    Text(&'a str),
    Integer(i64),
    /// A number as it was typed (kept so in CSV), and its value.
    Number(&'a str, f64),
    Date(NaiveDate),
    /// A moment, in the wall-clock time it was taken in.
    Time(DateTime<FixedOffset>),
    Empty,
}

/// Where a table's cells go: left to right, then `end_row`.
pub trait Sink {
    type Error;
    fn cell(&mut self, cell: Cell<'_>) -> Result<(), Self::Error>;
    fn end_row(&mut self) -> Result<(), Self::Error>;

    fn text(&mut self, text: &str) -> Result<(), Self::Error> {
        self.cell(Cell::Text(text))
    }
    fn integer(&mut self, n: impl Into<i64>) -> Result<(), Self::Error> {
        self.cell(Cell::Integer(n.into()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Lines,
    Narratives,
    Cases,
    Sessions,
    Efforts,
    Links,
    /// Each case's contact points: due, kept, partial or missed, and why.
    Contacts,
    /// Who was asked to take part, when, how, and what they said.
    Recruitment,
}

impl Table {
    pub const ALL: [Table; 8] = [
        Table::Lines,
        Table::Narratives,
        Table::Cases,
        Table::Sessions,
        Table::Efforts,
        Table::Links,
        Table::Contacts,
        Table::Recruitment,
    ];

    /// The sheet's name in a workbook.
    pub fn name(self) -> &'static str {
        match self {
            Table::Lines => "lines",
            Table::Narratives => "narratives",
            Table::Cases => "cases",
            Table::Sessions => "sessions",
            Table::Efforts => "efforts",
            Table::Links => "links",
            Table::Contacts => "contacts",
            Table::Recruitment => "recruitment",
        }
    }

    /// The CSV file's name (the lines kept theirs from before the other tables).
    pub fn file(self) -> String {
        match self {
            Table::Lines => "utterances.csv".into(),
            other => format!("{}.csv", other.name()),
        }
    }
}

/// A column's heading and how wide a spreadsheet shows it, in characters.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub width: f64,
}

fn columns(spec: &[(&str, f64)]) -> Vec<Column> {
    spec.iter().map(|(name, width)| Column { name: name.to_string(), width: *width }).collect()
}

const ID: f64 = 37.0;
const TIME: f64 = 20.0;
const LONG: f64 = 60.0;

/// The part of the study the tables show. The lines are not in it: they
/// are written a session at a time (`line_rows`), and what the other tables
/// need from them is gathered as they go (`told`).
pub struct Tables<'a> {
    pub cases: &'a [Case],
    pub sessions: &'a [Session],
    pub narratives: &'a [Narrative],
    pub codebook: &'a Codebook,
    pub variables: &'a Variables,
    pub efforts: &'a [Effort],
    pub links: &'a [Link],
    pub contacts: &'a [CaseContacts],
    pub recruitment: &'a [Recruitment],
    pub narrated: &'a [NarratedTime],
    pub told: &'a Told,
}

/// What the tables of a selection show: its cases, efforts and links, but
/// of one session's export only its own case's.
pub struct TableParts<'a> {
    pub cases: Vec<Case>,
    pub sessions: &'a [Session],
    pub narratives: &'a [Narrative],
    pub codebook: &'a Codebook,
    pub variables: &'a Variables,
    pub efforts: Vec<Effort>,
    pub links: Vec<Link>,
    pub contacts: Vec<CaseContacts>,
    pub recruitment: &'a [Recruitment],
    pub narrated: &'a [NarratedTime],
}

impl<'a> TableParts<'a> {
    pub fn new(selection: &'a Selection, one_session: bool) -> TableParts<'a> {
        let cases: Vec<Case> = selection
            .cases
            .iter()
            .filter(|c| !one_session || selection.sessions.iter().any(|s| s.case_id == c.id))
            .cloned()
            .collect();
        let ours = |case_id: Id| cases.iter().any(|c| c.id == case_id);
        let efforts = selection.efforts.iter().filter(|e| ours(e.case_id)).cloned().collect();
        let links = selection.links.iter().filter(|l| ours(l.case_id)).cloned().collect();
        let contacts = (selection.cases.iter().zip(&selection.contacts))
            .filter(|(c, _)| ours(c.id))
            .map(|(_, k)| k.clone())
            .collect();
        TableParts {
            cases,
            sessions: &selection.sessions,
            narratives: &selection.narratives,
            codebook: &selection.codebook,
            variables: &selection.variables,
            efforts,
            links,
            contacts,
            recruitment: &selection.recruitment,
            narrated: &selection.narrated,
        }
    }

    pub fn tables<'t>(&'t self, told: &'t Told) -> Tables<'t> {
        Tables {
            cases: &self.cases,
            sessions: self.sessions,
            narratives: self.narratives,
            codebook: self.codebook,
            variables: self.variables,
            efforts: &self.efforts,
            links: &self.links,
            contacts: &self.contacts,
            recruitment: self.recruitment,
            narrated: self.narrated,
            told,
        }
    }

    /// Each session's narratives (not deleted), for `Told::of`.
    pub fn narratives_by_session(&self) -> HashMap<Id, Vec<&'a Narrative>> {
        let mut by: HashMap<Id, Vec<&Narrative>> = HashMap::new();
        for n in self.narratives.iter().filter(|n| !n.deleted) {
            by.entry(n.session).or_default().push(n);
        }
        by
    }
}

impl Tables<'_> {
    fn case_code(&self, id: Id) -> &str {
        self.cases.iter().find(|c| c.id == id).map_or("", |c| c.code.as_str())
    }

    /// Every code with its `group: code` heading.
    fn codes(&self) -> Vec<(Id, String)> {
        self.codebook
            .groups
            .iter()
            .flat_map(|g| g.codes.iter().map(move |c| (c.id, format!("{}: {}", g.name, c.name))))
            .collect()
    }

    /// Attribute keys of the cases that are no declared variable, in the order first met.
    fn undeclared_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for (key, _) in self.cases.iter().flat_map(|c| &c.attributes) {
            if self.variables.get(key).is_none() && !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                keys.push(key);
            }
        }
        keys
    }

    pub fn columns(&self, table: Table) -> Vec<Column> {
        match table {
            Table::Lines => columns(&[
                ("case", 8.0),
                ("session", ID),
                ("kind", 14.0),
                ("contact", 8.0),
                ("seq", 7.0),
                ("speaker", 9.0),
                ("role", 14.0),
                ("line_kind", 10.0),
                ("wall_time", TIME),
                ("elapsed_ms", 12.0),
                ("recording_ms", 13.0),
                ("text", 80.0),
            ]),
            Table::Narratives => {
                let mut all = columns(&[
                    ("case", 8.0),
                    ("session", ID),
                    ("kind", 14.0),
                    ("contact", 8.0),
                    ("narrative", ID),
                    ("from", 6.0),
                    ("to", 6.0),
                    ("title", 40.0),
                    ("author", 10.0),
                    ("created", TIME),
                    ("memo", 40.0),
                    ("told_of", 12.0),
                ]);
                all.extend(self.codes().into_iter().map(|(_, name)| Column { name, width: 6.0 }));
                all.push(Column { name: "text".into(), width: 80.0 });
                all
            }
            Table::Cases => {
                let mut all = columns(&[("case", 8.0)]);
                let declared = self.variables.variables.iter().map(|v| v.name.as_str());
                let names = declared.chain(self.undeclared_keys());
                all.extend(names.map(|n| Column {
                    name: n.to_string(),
                    width: (n.chars().count() as f64 + 2.0).max(12.0),
                }));
                all
            }
            Table::Sessions => columns(&[
                ("case", 8.0),
                ("session", ID),
                ("kind", 14.0),
                ("contact", 8.0),
                ("date", 11.0),
                ("place", 20.0),
                ("speakers", 40.0),
                ("recording_start", TIME),
                ("lines", 8.0),
                ("narratives", 11.0),
            ]),
            Table::Efforts => columns(&[
                ("case", 8.0),
                ("effort", ID),
                ("kind", 24.0),
                ("provider", 24.0),
                ("start", 11.0),
                ("end", 11.0),
                ("outcome", LONG),
            ]),
            Table::Links => columns(&[
                ("case", 8.0),
                ("link", ID),
                ("chain", LONG),
                ("effort", 24.0),
                ("consequence", 24.0),
                ("valence", 9.0),
                ("narratives", ID),
                ("titles", 40.0),
            ]),
            Table::Contacts => columns(&[
                ("case", 8.0),
                ("contact", 8.0),
                ("due", 11.0),
                ("status", 12.0),
                ("sessions", 9.0),
                ("reason", LONG),
                ("dropped_out", 12.0),
            ]),
            Table::Recruitment => columns(&[
                ("label", 8.0),
                ("asked", 11.0),
                ("outcome", 10.0),
                ("via", 24.0),
                ("reason", LONG),
            ]),
        }
    }

    /// Writes the heading row and every row of `table` to `sink`; of the
    /// lines, only the heading (`line_rows` writes each session's).
    pub fn write<S: Sink>(&self, table: Table, sink: &mut S) -> Result<(), S::Error> {
        for column in self.columns(table) {
            sink.text(&column.name)?;
        }
        sink.end_row()?;
        match table {
            Table::Lines => Ok(()),
            Table::Narratives => self.narrative_rows(sink),
            Table::Cases => self.case_rows(sink),
            Table::Sessions => self.session_rows(sink),
            Table::Efforts => self.effort_rows(sink),
            Table::Links => self.link_rows(sink),
            Table::Contacts => self.contact_rows(sink),
            Table::Recruitment => self.recruitment_rows(sink),
        }
    }

    /// The rows of one session's lines.
    pub fn line_rows<S: Sink>(
        &self,
        session: &Session,
        lines: &[Utterance],
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let case = self.case_code(session.case_id);
        let id = session.id.to_string();
        for l in lines.iter().filter(|l| !l.deleted) {
            sink.text(case)?;
            sink.text(&id)?;
            sink.text(session.kind.word())?;
            sink.integer(session.contact_point)?;
            sink.integer(l.seq)?;
            sink.text(&l.speaker)?;
            sink.text(session.speaker(&l.speaker).map_or("", |s| s.role.word()))?;
            sink.text(l.kind.word())?;
            sink.cell(Cell::Time(l.onset))?;
            sink.integer(l.elapsed_ms)?;
            sink.cell(session.recording_ms(l.onset).map_or(Cell::Empty, Cell::Integer))?;
            sink.text(&l.text)?;
            sink.end_row()?;
        }
        Ok(())
    }

    fn narrative_rows<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        let codes = self.codes();
        let by_id: HashMap<Id, &Session> = self.sessions.iter().map(|s| (s.id, s)).collect();
        for n in self.narratives.iter().filter(|n| !n.deleted) {
            let Some(session) = by_id.get(&n.session) else { continue };
            let text = self.told.text_of(n.id);
            sink.text(self.case_code(session.case_id))?;
            sink.text(&session.id.to_string())?;
            sink.text(session.kind.word())?;
            sink.integer(session.contact_point)?;
            sink.text(&n.id.to_string())?;
            sink.integer(n.first_seq)?;
            sink.integer(n.last_seq)?;
            sink.text(&n.title)?;
            sink.text(&n.author)?;
            sink.cell(Cell::Time(n.created))?;
            sink.text(&n.memo)?;
            let told_of = self.narrated.iter().find(|t| t.narrative == n.id);
            sink.text(&told_of.map_or(String::new(), |t| t.when.to_string()))?;
            for (id, _) in &codes {
                sink.integer(i64::from(n.codes.contains(id)))?;
            }
            sink.text(text)?;
            sink.end_row()?;
        }
        Ok(())
    }

    fn case_rows<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        let undeclared = self.undeclared_keys();
        for case in self.cases {
            let value = |name: &str| {
                case.attributes.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
            };
            sink.text(case.code.as_str())?;
            for variable in &self.variables.variables {
                let cell = match (value(&variable.name), &variable.kind) {
                    (None, _) => Cell::Empty,
                    (Some(v), VariableKind::Number) => {
                        v.parse().map_or(Cell::Text(v), |n| Cell::Number(v, n))
                    }
                    (Some(v), VariableKind::Date) => parse_date(v).map_or(Cell::Text(v), Cell::Date),
                    (Some(v), _) => Cell::Text(v),
                };
                sink.cell(cell)?;
            }
            for key in &undeclared {
                sink.cell(value(key).map_or(Cell::Empty, Cell::Text))?;
            }
            sink.end_row()?;
        }
        Ok(())
    }

    fn session_rows<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        for session in self.sessions {
            let speakers: Vec<String> =
                session.speakers.iter().map(|s| format!("{} ({})", s.label, s.role)).collect();
            sink.text(self.case_code(session.case_id))?;
            sink.text(&session.id.to_string())?;
            sink.text(session.kind.word())?;
            sink.integer(session.contact_point)?;
            sink.cell(Cell::Date(session.clock.started.date_naive()))?;
            sink.text(&session.place_name())?;
            sink.text(&speakers.join(", "))?;
            sink.cell(session.recording_started.map_or(Cell::Empty, Cell::Time))?;
            sink.integer(self.told.lines_of(session.id) as i64)?;
            sink.integer(
                self.narratives.iter().filter(|n| n.session == session.id && !n.deleted).count() as i64
            )?;
            sink.end_row()?;
        }
        Ok(())
    }

    fn effort_rows<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        for e in self.efforts {
            sink.text(self.case_code(e.case_id))?;
            sink.text(&e.id.to_string())?;
            sink.text(&e.kind)?;
            sink.text(&e.provider)?;
            sink.cell(Cell::Date(e.start))?;
            sink.cell(e.end.map_or(Cell::Empty, Cell::Date))?;
            sink.text(&e.outcome)?;
            sink.end_row()?;
        }
        Ok(())
    }

    fn link_rows<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        for l in self.links {
            let told: Vec<&Narrative> =
                l.narratives.iter().filter_map(|id| self.narratives.iter().find(|n| n.id == *id)).collect();
            let ids: Vec<String> = l.narratives.iter().map(Id::to_string).collect();
            let titles: Vec<&str> = told.iter().map(|n| n.title.as_str()).collect();
            sink.text(self.case_code(l.case_id))?;
            sink.text(&l.id.to_string())?;
            sink.text(&l.chain_text())?;
            sink.text(l.chain.first().map_or("", String::as_str))?;
            sink.text(l.chain.last().map_or("", String::as_str))?;
            sink.text(l.valence.word())?;
            sink.text(&ids.join(" "))?;
            sink.text(&titles.join("\n"))?;
            sink.end_row()?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::session::default_speakers;
    use crate::domain::{CaseCode, SessionKind, UtteranceKind, Variable};

    pub(crate) fn at(seconds: i64) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap()
            + chrono::Duration::seconds(seconds)
    }

    /// Case AA with `texts` as the lines of one interview.
    pub(crate) fn one_session(texts: &[&str]) -> (Vec<Case>, Vec<(Session, Vec<Utterance>)>) {
        let case = Case::new(CaseCode::parse("AA").unwrap(), vec![], at(0));
        let session = Session::new(
            case.id,
            SessionKind::Interview,
            1,
            "home",
            default_speakers(SessionKind::Interview, &case.code),
            at(0),
        );
        let lines = (1..)
            .zip(texts)
            .map(|(seq, text)| Utterance {
                session: session.id,
                seq,
                speaker: "AA".into(),
                kind: UtteranceKind::Speech,
                text: text.to_string(),
                onset: at(i64::from(seq)),
                committed: at(i64::from(seq)),
                elapsed_ms: i64::from(seq) * 1000,
                mark: None,
                deleted: false,
            })
            .collect();
        (vec![case], vec![(session, lines)])
    }

    /// Cells as `Debug` text, a row a line.
    #[derive(Default)]
    struct Rows(Vec<Vec<String>>, Vec<String>);

    impl Sink for Rows {
        type Error = ();
        fn cell(&mut self, cell: Cell<'_>) -> Result<(), ()> {
            self.1.push(format!("{cell:?}"));
            Ok(())
        }
        fn end_row(&mut self) -> Result<(), ()> {
            self.0.push(std::mem::take(&mut self.1));
            Ok(())
        }
    }

    #[test]
    fn cases_have_a_typed_column_per_variable_then_the_keys_no_variable_declares() {
        let code = |c| CaseCode::parse(c).unwrap();
        let attributes =
            |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let cases = vec![
            Case::new(
                code("AA"),
                attributes(&[("Age", "34"), ("start", "2025-03-01"), ("gammel nøgle", "x")]),
                at(0),
            ),
            Case::new(code("BB"), attributes(&[("age", "ukendt"), ("site", "Nord")]), at(0)),
        ];
        let variables = Variables {
            variables: vec![
                Variable { name: "age".into(), kind: VariableKind::Number },
                Variable { name: "start".into(), kind: VariableKind::Date },
                Variable { name: "site".into(), kind: VariableKind::List(vec!["Nord".into()]) },
            ],
        };
        let codebook = Codebook::default();
        let tables = Tables {
            cases: &cases,
            sessions: &[],
            narratives: &[],
            codebook: &codebook,
            variables: &variables,
            efforts: &[],
            links: &[],
            contacts: &[],
            recruitment: &[],
            narrated: &[],
            told: &Told::default(),
        };
        let mut rows = Rows::default();
        tables.write(Table::Cases, &mut rows).unwrap();
        let texts = |row: &[&str]| row.iter().map(|c| format!("Text({c:?})")).collect::<Vec<_>>();
        assert_eq!(rows.0[0], texts(&["case", "age", "start", "site", "gammel nøgle"]));
        assert_eq!(
            rows.0[1],
            ["Text(\"AA\")", "Number(\"34\", 34.0)", "Date(2025-03-01)", "Empty", "Text(\"x\")"]
        );
        // A value that does not fit its variable stays as it was typed.
        assert_eq!(rows.0[2], ["Text(\"BB\")", "Text(\"ukendt\")", "Empty", "Text(\"Nord\")", "Empty"]);
    }
}
