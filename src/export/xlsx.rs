//! An Excel workbook of the same tables as the CSV export, a sheet each,
//! typed: numbers as numbers, dates and times as Excel dates, text as text
//! (never a formula, whatever it starts with).

use super::masking::{self, Hits};
use super::output::Output;
use super::selection::{Reading, Selection, Tally};
use super::tables::{Cell, Column, Sink, Table, TableParts, Told};
use super::ExportError;
use crate::domain::Masker;
use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::path::Path;
use std::path::PathBuf;

/// Deflate level of the workbook's zip. Compressing the lines' 690 MB of
/// sheet XML (a million lines) is done on one thread after every row is
/// written: measured, level 1 took 2.6 s for a 131 MB file, level 2 2.4 s
/// for 101 MB, level 3 3.6 s for 95 MB, level 6 6.9 s for 85 MB.
const ZIP_LEVEL: u8 = 2;

/// Excel's limits: rows on a sheet, and characters (UTF-16 units) in a cell.
pub const SHEET_ROWS: u32 = 1_048_576;
pub const CELL_CHARACTERS: usize = 32_767;

#[derive(Debug, thiserror::Error)]
pub enum SpreadsheetError {
    #[error(
        "the {column} cell of row {row} on sheet {sheet:?} (case {case}) holds {length} characters, more than the {CELL_CHARACTERS} a spreadsheet cell can hold: shorten it, or export as csv, which has no such limit"
    )]
    CellTooLong { sheet: String, row: u32, column: String, case: String, length: usize },
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
}

struct Formats {
    heading: Format,
    date: Format,
    time: Format,
}

/// Cells into one table's sheet; past Excel's last row, into a next sheet
/// (`lines 2`, `lines 3`…) that starts with the same heading.
struct SheetSink<'a> {
    workbook: &'a mut Workbook,
    table: Table,
    columns: &'a [Column],
    formats: &'a Formats,
    sheet: Worksheet,
    part: u32,
    /// Rows a sheet holds, heading included (Excel's limit, less in tests).
    rows: u32,
    row: u32,
    col: u16,
    /// The first cell of the row (its case), to name it in an error.
    case: String,
}

impl<'a> SheetSink<'a> {
    fn new(
        workbook: &'a mut Workbook,
        table: Table,
        columns: &'a [Column],
        formats: &'a Formats,
        rows: u32,
    ) -> Result<Self, SpreadsheetError> {
        let sheet = Self::sheet(workbook, table.name(), columns)?;
        let case = String::new();
        Ok(SheetSink { workbook, table, columns, formats, sheet, part: 1, rows, row: 0, col: 0, case })
    }

    fn sheet(workbook: &mut Workbook, name: &str, columns: &[Column]) -> Result<Worksheet, XlsxError> {
        let mut sheet = workbook.new_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        sheet.set_freeze_panes(1, 0)?;
        for (i, column) in (0u16..).zip(columns) {
            sheet.set_column_width(i, column.width)?;
        }
        Ok(sheet)
    }

    fn sheet_name(&self) -> String {
        match self.part {
            1 => self.table.name().to_string(),
            n => format!("{} {n}", self.table.name()),
        }
    }

    /// The sheet is full: put it in the workbook and go on in a new one, under the same heading.
    fn next_sheet(&mut self) -> Result<(), SpreadsheetError> {
        self.part += 1;
        let next = Self::sheet(self.workbook, &self.sheet_name(), self.columns)?;
        let full = std::mem::replace(&mut self.sheet, next);
        self.close(full)?;
        for (i, column) in (0u16..).zip(self.columns) {
            self.sheet.write_string_with_format(0, i, &column.name, &self.formats.heading)?;
        }
        self.row = 1;
        Ok(())
    }

    /// A filter on every column of a finished sheet, which goes into the workbook.
    fn close(&mut self, mut sheet: Worksheet) -> Result<(), SpreadsheetError> {
        let last_col = self.columns.len().saturating_sub(1) as u16;
        sheet.autofilter(0, 0, self.row.saturating_sub(1), last_col)?;
        self.workbook.push_worksheet(sheet);
        Ok(())
    }

    fn finish(mut self) -> Result<(), SpreadsheetError> {
        let last = std::mem::replace(&mut self.sheet, Worksheet::new());
        self.close(last)
    }

    fn text(&mut self, text: &str) -> Result<(), SpreadsheetError> {
        // UTF-8 never takes fewer bytes than UTF-16 takes units: most texts need no count.
        let length = if text.len() <= CELL_CHARACTERS { 0 } else { text.encode_utf16().count() };
        if length > CELL_CHARACTERS {
            return Err(SpreadsheetError::CellTooLong {
                sheet: self.sheet_name(),
                row: self.row + 1,
                column: self.columns.get(usize::from(self.col)).map_or(String::new(), |c| c.name.clone()),
                case: self.case.clone(),
                length,
            });
        }
        if self.row == 0 {
            self.sheet.write_string_with_format(0, self.col, text, &self.formats.heading)?;
        } else {
            self.sheet.write_string(self.row, self.col, text)?;
        }
        Ok(())
    }
}

/// Days since Excel's day 0 (1899-12-30); none before 1 March 1900,
/// where Excel's calendar has a day that never was.
fn serial(at: NaiveDateTime) -> Option<f64> {
    let start = NaiveDate::from_ymd_opt(1900, 3, 1)?.and_hms_opt(0, 0, 0)?;
    let zero = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    (at >= start).then(|| (at - zero).num_milliseconds() as f64 / 86_400_000.0)
}

impl Sink for SheetSink<'_> {
    type Error = SpreadsheetError;

    fn cell(&mut self, cell: Cell<'_>) -> Result<(), SpreadsheetError> {
        if self.row == self.rows && self.col == 0 {
            self.next_sheet()?;
        }
        if self.col == 0 {
            // Kept in the same buffer row after row: a million rows, no allocation.
            self.case.clear();
            if let Cell::Text(text) = cell {
                self.case.extend(text.chars().take(16));
            }
        }
        let (row, col) = (self.row, self.col);
        match cell {
            Cell::Text(text) => self.text(text)?,
            Cell::Integer(n) => {
                self.sheet.write_number(row, col, n as f64)?;
            }
            Cell::Number(_, n) if n.is_finite() => {
                self.sheet.write_number(row, col, n)?;
            }
            Cell::Number(text, _) => self.text(text)?,
            Cell::Date(date) => match serial(date.and_time(chrono::NaiveTime::MIN)) {
                Some(days) => {
                    self.sheet.write_number_with_format(row, col, days, &self.formats.date)?;
                }
                None => self.text(&date.to_string())?,
            },
            Cell::Time(time) => match serial(time.naive_local()) {
                Some(days) => {
                    self.sheet.write_number_with_format(row, col, days, &self.formats.time)?;
                }
                None => self.text(&time.to_rfc3339())?,
            },
            Cell::Empty => {}
        }
        self.col += 1;
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), SpreadsheetError> {
        self.row += 1;
        self.col = 0;
        Ok(())
    }
}

/// The cells a sheet holds as text, as the byte check reads them (numbers,
/// dates and times are written as numbers).
fn written_text(cell: Cell<'_>) -> Option<std::borrow::Cow<'_, str>> {
    match cell {
        Cell::Text(text) => Some(text.into()),
        Cell::Number(text, n) if !n.is_finite() => Some(text.into()),
        Cell::Date(date) if serial(date.and_time(chrono::NaiveTime::MIN)).is_none() => {
            Some(date.to_string().into())
        }
        Cell::Time(time) if serial(time.naive_local()).is_none() => Some(time.to_rfc3339().into()),
        _ => None,
    }
}

/// The byte check on cells before they are written: the first study-wide
/// listed term (its row, counting from the first row given, and what) and
/// how many in all.
struct Scan<'a> {
    every: &'a Masker,
    row: usize,
    hits: Hits,
}

impl<'a> Scan<'a> {
    fn new(every: &'a Masker) -> Self {
        Scan { every, row: 0, hits: Hits::default() }
    }
}

impl Sink for Scan<'_> {
    type Error = std::convert::Infallible;

    fn cell(&mut self, cell: Cell<'_>) -> Result<(), Self::Error> {
        if let Some(text) = written_text(cell) {
            let found = masking::listed_hits(self.every, &text);
            if let (None, Some((_, what))) = (&self.hits.first, found.first) {
                self.hits.first = Some((self.row, what));
            }
            self.hits.count += found.count;
        }
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Self::Error> {
        self.row += 1;
        Ok(())
    }
}

/// Cells both checked and written, for the small tables the writer makes itself.
struct Checked<'a, 's> {
    sheet: SheetSink<'s>,
    scan: Option<Scan<'a>>,
}

impl Sink for Checked<'_, '_> {
    type Error = SpreadsheetError;

    fn cell(&mut self, cell: Cell<'_>) -> Result<(), SpreadsheetError> {
        if let Some(scan) = &mut self.scan {
            let _ = scan.cell(cell);
        }
        self.sheet.cell(cell)
    }

    fn end_row(&mut self) -> Result<(), SpreadsheetError> {
        if let Some(scan) = &mut self.scan {
            let _ = scan.end_row();
        }
        self.sheet.end_row()
    }
}

impl SheetSink<'_> {
    /// Where the row `ahead` data rows past the next one will be, as a user finds it.
    fn place(&self, ahead: usize, file: &Path) -> String {
        let (mut part, mut row) = (self.part, self.row as usize + ahead);
        let rows = self.rows as usize;
        while row >= rows {
            row -= rows - 1;
            part += 1;
        }
        let sheet = match part {
            1 => self.table.name().to_string(),
            n => format!("{} {n}", self.table.name()),
        };
        format!("row {} of sheet {sheet:?} in {}", row + 1, file.display())
    }
}

/// What writing a workbook needs besides its tables.
pub struct Book<'a> {
    pub output: &'a Path,
    /// A first sheet of its own (an unmasked export says so there, where everyone opening it sees it).
    pub note: Option<&'a str>,
    /// Rows a sheet holds, heading included (Excel's limit, less in tests).
    pub rows: u32,
}

/// The workbook of every table, a sheet each: the lines written a session at
/// a time as the reader threads make them ready, row by row through a
/// temporary file beside the output (rust_xlsxwriter's constant memory), so a
/// million lines need little memory; the other tables after. The workbook is
/// put in place only if the export passes the leak check. Returns the names
/// of the sheets made beyond the six, if a table overflowed a sheet's last row.
pub fn write(
    parts: &TableParts,
    selection: &Selection,
    reading: &Reading,
    mut tally: Tally,
    book: &Book,
) -> Result<(Vec<String>, PathBuf), ExportError> {
    let failed =
        |source: SpreadsheetError| ExportError::Spreadsheet { path: book.output.to_path_buf(), source };
    let mut workbook = Workbook::new();
    if let Some(note) = book.note {
        workbook
            .add_worksheet()
            .set_name("UNMASKED")
            .and_then(|s| s.write_string(0, 0, note))
            .map_err(|e| failed(e.into()))?;
    }
    let beside = book.output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    workbook.set_tempdir(beside).map_err(|e| failed(e.into()))?;
    let formats = Formats {
        heading: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
    };
    let listed = reading.listed();
    let mut overflow = Vec::new();
    let mut told = Told::default();
    {
        let view = parts.tables(&told);
        let columns = view.columns(Table::Lines);
        let sheet =
            SheetSink::new(&mut workbook, Table::Lines, &columns, &formats, book.rows).map_err(failed)?;
        let mut sink = Checked { sheet, scan: listed.map(Scan::new) };
        view.write(Table::Lines, &mut sink).map_err(failed)?;
        if let Some(hits) = sink.scan.take().map(|s| s.hits) {
            tally.listed_at(|_| format!("row 1 of sheet \"lines\" in {}", book.output.display()), &hits);
        }
        let own = parts.narratives_by_session();
        let mut gathered = Told::default();
        selection.each_session(
            reading,
            &mut tally,
            |session, lines| {
                let narratives = own.get(&session.id).map_or(&[][..], Vec::as_slice);
                let one = Told::of(session, &lines, narratives);
                let hits = listed.map(|every| {
                    let mut scan = Scan::new(every);
                    let _ = view.line_rows(session, &lines, &mut scan);
                    scan.hits
                });
                Ok((one, lines, hits))
            },
            |session, (one, lines, hits), tally| {
                gathered.add(one);
                if let Some(hits) = hits {
                    tally.listed_at(|row| sink.sheet.place(row, book.output), &hits);
                }
                if tally.refused() {
                    return Ok(());
                }
                view.line_rows(session, &lines, &mut sink.sheet).map_err(failed)
            },
        )?;
        overflow.extend((2..=sink.sheet.part).map(|n| format!("{} {n}", Table::Lines.name())));
        sink.sheet.finish().map_err(failed)?;
        told = gathered;
    }
    let tables = parts.tables(&told);
    for table in &Table::ALL[1..] {
        let columns = tables.columns(*table);
        let sheet = SheetSink::new(&mut workbook, *table, &columns, &formats, book.rows).map_err(failed)?;
        let mut sink = Checked { sheet, scan: listed.map(Scan::new) };
        tables.write(*table, &mut sink).map_err(failed)?;
        if let Some(hits) = sink.scan.take().map(|s| s.hits) {
            tally.listed_at(
                |row| format!("row {} of sheet {:?} in {}", row + 1, table.name(), book.output.display()),
                &hits,
            );
        }
        overflow.extend((2..=sink.sheet.part).map(|n| format!("{} {n}", table.name())));
        sink.sheet.finish().map_err(failed)?;
    }
    // Refused: no workbook is made at all.
    tally.verdict()?;
    workbook.set_zip_compression_level(ZIP_LEVEL);
    let mut output = Output::default();
    let at = output.file(book.output)?;
    workbook.save_to_writer(output.file_mut(at)).map_err(|e| failed(e.into()))?;
    let mut files = output.finish()?;
    Ok((overflow, files.remove(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Codebook, Variables};
    use crate::export::selection::Source;
    use crate::export::tables::tests::one_session;
    use std::io::Read;

    fn workbook(texts: &[&str], rows: u32) -> (tempfile::TempDir, Result<Vec<String>, SpreadsheetError>) {
        let (cases, sessions) = one_session(texts);
        let selection = Selection {
            cases,
            sessions: sessions.iter().map(|(s, _)| s.clone()).collect(),
            narratives: Vec::new(),
            codebook: Codebook::default(),
            variables: Variables::default(),
            efforts: Vec::new(),
            links: Vec::new(),
            contacts: Vec::new(),
            recruitment: Vec::new(),
            narrated: Vec::new(),
        };
        let reading =
            Reading { source: Source::Memory(&sessions), pseudonyms: None, masks: None, check: false };
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("t.xlsx");
        let parts = TableParts::new(&selection, false);
        let book = Book { output: &output, note: None, rows };
        let written = match write(&parts, &selection, &reading, Tally::default(), &book) {
            Ok((more, _)) => Ok(more),
            Err(ExportError::Spreadsheet { source, .. }) => Err(source),
            Err(other) => panic!("{other}"),
        };
        (dir, written)
    }

    #[test]
    fn lines_past_a_sheets_last_row_go_on_in_the_next_sheet_under_the_same_heading() {
        let (dir, more) = workbook(&["en", "to", "tre", "fire", "fem"], 3);
        assert_eq!(more.unwrap(), ["lines 2", "lines 3"]);
        let mut zip = zip::ZipArchive::new(std::fs::File::open(dir.path().join("t.xlsx")).unwrap()).unwrap();
        let mut part = |name: &str| {
            let mut text = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
            text
        };
        let book = part("xl/workbook.xml");
        for name in ["lines", "lines 2", "lines 3", "narratives", "cases", "sessions", "efforts", "links"] {
            assert!(book.contains(&format!("<sheet name=\"{name}\"")), "{name}: {book}");
        }
        let third = part("xl/worksheets/sheet3.xml");
        assert!(
            third.contains("<t>case</t>") && third.contains("<t>fem</t>") && !third.contains("<t>fire</t>")
        );
        assert!(
            third.contains(r#"<autoFilter ref="A1:L2"/>"#) && third.contains(r#"state="frozen""#),
            "{third}"
        );
    }

    #[test]
    fn a_cell_longer_than_excel_holds_is_refused_naming_the_limit_and_the_cell() {
        let fits = "ø".repeat(CELL_CHARACTERS);
        assert!(workbook(&[&fits], SHEET_ROWS).1.is_ok());
        // An emoji is two of Excel's characters.
        let long = format!("{}😀", "ø".repeat(CELL_CHARACTERS - 1));
        let error = workbook(&["kort", &long], SHEET_ROWS).1.unwrap_err().to_string();
        assert!(error.starts_with("the text cell of row 3 on sheet \"lines\" (case AA) holds 32768 characters, more than the 32767"), "{error}");
        assert!(error.ends_with("export as csv, which has no such limit"), "{error}");
    }

    #[test]
    fn excel_dates_count_days_from_1899_12_30() {
        let at = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(serial(at(1900, 3, 1)), Some(61.0));
        assert_eq!(serial(at(2026, 3, 2)), Some(46083.0));
        assert_eq!(serial(at(2026, 3, 2) + chrono::Duration::hours(18)), Some(46083.75));
        assert_eq!(serial(at(1900, 2, 28)), None);
    }
}
