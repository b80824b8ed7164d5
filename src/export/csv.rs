//! CSV for Excel, SPSS and R (RFC 4180, UTF-8, CRLF): one file per table of
//! `tables`, the lines formatted a session at a time on the reader threads
//! and written in order.

use super::masking::{self, Checking, Hits};
use super::output::Output;
use super::selection::{Reading, Selection, Tally};
use super::tables::{Cell, Sink, Table, TableParts, Tables, Told};
use super::{ExportError, UNMASKED};
use crate::domain::{Masker, Session, Utterance};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

const RFC3339: [chrono::format::Item<'static>; 1] =
    [chrono::format::Item::Fixed(chrono::format::Fixed::RFC3339)];

/// Excel on Windows reads a CSV file without it in the local code page,
/// which turns æ, ø and å into mojibake.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// Cells into a `csv::Writer`, each as a researcher would type it.
struct CsvSink<W: Write> {
    writer: csv::Writer<W>,
    scratch: String,
}

impl<W: Write> CsvSink<W> {
    fn new(out: W) -> Self {
        let writer =
            csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).flexible(true).from_writer(out);
        CsvSink { writer, scratch: String::new() }
    }

    fn into_inner(self) -> Result<W, csv::Error> {
        self.writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

impl<W: Write> Sink for CsvSink<W> {
    type Error = csv::Error;

    fn cell(&mut self, cell: Cell<'_>) -> Result<(), csv::Error> {
        self.scratch.clear();
        let text = match cell {
            Cell::Text(text) | Cell::Number(text, _) => text,
            Cell::Empty => "",
            Cell::Integer(n) => {
                let _ = write!(self.scratch, "{n}");
                &self.scratch
            }
            Cell::Date(date) => {
                let _ = write!(self.scratch, "{}", date.format("%Y-%m-%d"));
                &self.scratch
            }
            Cell::Time(time) => {
                // What `to_rfc3339` writes, without a new string for each of a million rows.
                let _ = time.format_with_items(RFC3339.iter()).write_to(&mut self.scratch);
                &self.scratch
            }
        };
        self.writer.write_field(text)
    }

    fn end_row(&mut self) -> Result<(), csv::Error> {
        self.writer.write_record(None::<&[u8]>)
    }
}

/// `table` as CSV text, without a byte-order mark (of the lines, only the heading).
pub fn to_string(tables: &Tables, table: Table) -> String {
    let mut sink = CsvSink::new(Vec::new());
    tables.write(table, &mut sink).expect("writing CSV to memory cannot fail");
    String::from_utf8(sink.into_inner().expect("writing CSV to memory cannot fail"))
        .expect("CSV of UTF-8 text is UTF-8")
}

/// One session's rows of the lines table, as CSV.
pub fn line_rows(tables: &Tables, session: &Session, lines: &[Utterance]) -> Vec<u8> {
    // About 200 bytes a line: one allocation for most sessions.
    let mut sink = CsvSink::new(Vec::with_capacity(lines.len() * 256));
    tables.line_rows(session, lines, &mut sink).expect("writing CSV to memory cannot fail");
    sink.into_inner().expect("writing CSV to memory cannot fail")
}

/// A CSV file being written. The byte check reads every line of it before
/// it is written: lines given whole with what the check found in them
/// (`write_checked`, the lines table's rows checked on the reader threads),
/// or as they pass through `Write` (the other tables).
struct File<'m> {
    path: PathBuf,
    out: Checking<'m, std::io::BufWriter<std::fs::File>>,
}

impl<'m> File<'m> {
    fn new(output: &mut Output, path: PathBuf, every: Option<&'m Masker>) -> Result<Self, ExportError> {
        let at = output.file(&path)?;
        let file = output
            .file_mut(at)
            .try_clone()
            .map_err(|source| ExportError::Io { path: path.clone(), source })?;
        let out = Checking::new(std::io::BufWriter::with_capacity(1 << 20, file), every, false);
        Ok(File { path, out })
    }

    fn error(&self) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
        |source| ExportError::Io { path: self.path.clone(), source }
    }

    /// Writes whole lines the byte check has read (`hits`), unless the export is refused by now.
    fn write_checked(&mut self, bytes: &[u8], hits: &Hits, tally: &mut Tally) -> Result<(), ExportError> {
        let name = self.path.display().to_string();
        // What passed through `Write` before (a heading) comes first in the report.
        let lines = self.out.found.lines;
        let before = std::mem::replace(&mut self.out.found, Hits { lines, ..Hits::default() });
        tally.listed(&name, 0, &before);
        tally.listed(&name, lines, hits);
        self.out.skip(hits.lines);
        if tally.refused() {
            return Ok(());
        }
        self.out
            .get_mut()
            .write_all(bytes)
            .map_err(|source| ExportError::Io { path: self.path.clone(), source })
    }

    fn close(self, tally: &mut Tally) -> Result<(), ExportError> {
        let (mut out, found) = self.out.finish();
        tally.listed(&self.path.display().to_string(), 0, &found);
        out.flush().map_err(|source| ExportError::Io { path: self.path, source })
    }
}

impl Write for File<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.out.write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The byte check of text about to be written, if it runs.
fn hits(listed: Option<&Masker>, bytes: &[u8]) -> Hits {
    match listed {
        // CSV of UTF-8 text is UTF-8; the check reads the file as it would.
        Some(every) => masking::listed_hits(every, &String::from_utf8_lossy(bytes)),
        None => Hits::default(),
    }
}

/// The byte-order mark if `bom`, then `table` (of the lines, the heading).
fn write_table(tables: &Tables, table: Table, file: &mut File, bom: bool) -> Result<(), ExportError> {
    if bom {
        file.write_all(BOM).map_err(file.error())?;
    }
    let mut sink = CsvSink::new(&mut *file);
    tables
        .write(table, &mut sink)
        .and_then(|()| sink.into_inner().map(drop))
        .map_err(|e| ExportError::Io { path: file.path.clone(), source: e.into() })
}

/// Every table into `folder` (made if need be), each file starting with a
/// byte-order mark if `bom`: the lines a session at a time as the reader
/// threads make their rows, the other tables once the lines are written.
/// Files are put in place only if the export passes the leak check.
pub fn write_folder(
    parts: &TableParts,
    selection: &Selection,
    reading: &Reading,
    mut tally: Tally,
    folder: &Path,
    bom: bool,
    unmasked: bool,
) -> Result<Vec<PathBuf>, ExportError> {
    let mut output = Output::default();
    output.folder(folder)?;
    let listed = reading.listed();
    let mut told = Told::default();
    let mut lines = File::new(&mut output, folder.join(Table::Lines.file()), listed)?;
    {
        let nothing_yet = Told::default();
        let view = parts.tables(&nothing_yet);
        write_table(&view, Table::Lines, &mut lines, bom)?;
        let own = parts.narratives_by_session();
        selection.each_session(
            reading,
            &mut tally,
            |session, rows| {
                let narratives = own.get(&session.id).map_or(&[][..], Vec::as_slice);
                let told = Told::of(session, &rows, narratives);
                let bytes = line_rows(&view, session, &rows);
                let found = hits(listed, &bytes);
                Ok((told, bytes, found))
            },
            |_, (one, bytes, found), tally| {
                told.add(one);
                lines.write_checked(&bytes, &found, tally)
            },
        )?;
    }
    lines.close(&mut tally)?;
    let tables = parts.tables(&told);
    for table in &Table::ALL[1..] {
        let mut file = File::new(&mut output, folder.join(table.file()), listed)?;
        write_table(&tables, *table, &mut file, bom)?;
        file.close(&mut tally)?;
    }
    if unmasked {
        output.put(&folder.join("UNMASKED.txt"), format!("{UNMASKED}\n").as_bytes())?;
    }
    tally.verdict()?;
    output.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[Cell]) -> String {
        let mut sink = CsvSink::new(Vec::new());
        for c in cells {
            sink.cell(*c).unwrap();
        }
        sink.end_row().unwrap();
        String::from_utf8(sink.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(row(&[Cell::Text("hej")]), "hej\r\n");
        assert_eq!(row(&[Cell::Text("a, b")]), "\"a, b\"\r\n");
        assert_eq!(row(&[Cell::Text("han sagde \"nej\"")]), "\"han sagde \"\"nej\"\"\"\r\n");
        assert_eq!(row(&[Cell::Text("to\nlinjer")]), "\"to\nlinjer\"\r\n");
        assert_eq!(row(&[Cell::Text("æ"), Cell::Text("ø,å")]), "æ,\"ø,å\"\r\n");
        assert_eq!(row(&[Cell::Integer(-3), Cell::Empty, Cell::Number("34,5", 34.5)]), "-3,,\"34,5\"\r\n");
    }

    #[test]
    fn a_time_is_written_as_rfc_3339_says() {
        for text in [
            "2026-03-02T10:00:00+01:00",
            "2025-12-31T23:59:59.5-03:30",
            "1999-01-01T00:00:00.000123Z",
            "2026-07-01T08:15:00.123456789+14:00",
        ] {
            let time = chrono::DateTime::parse_from_rfc3339(text).unwrap();
            assert_eq!(row(&[Cell::Time(time)]), format!("{}\r\n", time.to_rfc3339()), "{text}");
        }
    }
}
