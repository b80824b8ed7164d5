//! CSV for Excel, SPSS and R (RFC 4180, UTF-8, CRLF): one file per table of
//! `tables`, the lines formatted on every core and written in order.

use super::tables::{Cell, Sink, Table, Tables};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// Excel on Windows reads a CSV file without it in the local code page,
/// which turns æ, ø and å into mojibake.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// About this many lines are formatted at a time by one thread; a few such
/// pieces are in memory at once, never the whole file.
const PIECE_LINES: usize = 20_000;

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
                self.scratch = time.to_rfc3339();
                &self.scratch
            }
        };
        self.writer.write_field(text)
    }

    fn end_row(&mut self) -> Result<(), csv::Error> {
        self.writer.write_record(None::<&[u8]>)
    }
}

/// `table` as CSV text, without a byte-order mark.
pub fn to_string(tables: &Tables, table: Table) -> String {
    let mut sink = CsvSink::new(Vec::new());
    tables.write(table, &mut sink).expect("writing CSV to memory cannot fail");
    String::from_utf8(sink.into_inner().expect("writing CSV to memory cannot fail"))
        .expect("CSV of UTF-8 text is UTF-8")
}

/// Writes every table into `folder` (made if need be), each file starting
/// with a byte-order mark if `bom`; gives back the files written.
pub fn write_folder(tables: &Tables, folder: &Path, bom: bool) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(folder)?;
    let mut written = Vec::new();
    for table in Table::ALL {
        let path = folder.join(table.file());
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        if bom {
            out.write_all(BOM)?;
        }
        let out = if table == Table::Lines {
            write_lines(tables, out)?
        } else {
            let mut sink = CsvSink::new(out);
            tables.write(table, &mut sink)?;
            sink.into_inner()?
        };
        out.into_inner().map_err(|e| e.into_error())?;
        written.push(path);
    }
    Ok(written)
}

/// The lines table: its heading, then pieces of sessions formatted on
/// every core (each thread takes every n-th piece), written in order as
/// they come, with at most one piece per thread waiting.
fn write_lines<W: Write + Send>(tables: &Tables, out: W) -> std::io::Result<W> {
    let mut head = CsvSink::new(out);
    let heading: Vec<String> = tables.columns(Table::Lines).into_iter().map(|c| c.name).collect();
    head.writer.write_record(&heading)?;
    let mut out = head.into_inner()?;
    let mut pieces = Vec::new();
    let (mut start, mut lines) = (0, 0);
    for (i, (_, l)) in tables.sessions.iter().enumerate() {
        lines += l.len();
        if lines >= PIECE_LINES || i + 1 == tables.sessions.len() {
            pieces.push(&tables.sessions[start..=i]);
            (start, lines) = (i + 1, 0);
        }
    }
    let threads =
        std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8).min(pieces.len().max(1));
    std::thread::scope(|scope| {
        let from: Vec<mpsc::Receiver<Result<Vec<u8>, csv::Error>>> = (0..threads)
            .map(|worker| {
                let (to, from) = mpsc::sync_channel(1);
                let mine = pieces.iter().skip(worker).step_by(threads);
                scope.spawn(move || {
                    for piece in mine {
                        let mut sink = CsvSink::new(Vec::with_capacity(PIECE_LINES * 256));
                        let bytes = tables.line_rows(piece, &mut sink).and_then(|()| sink.into_inner());
                        // The receiver is gone only when writing failed: stop.
                        if to.send(bytes).is_err() {
                            break;
                        }
                    }
                });
                from
            })
            .collect();
        for i in 0..pieces.len() {
            let bytes = from[i % threads].recv().expect("a formatting thread stopped early")?;
            out.write_all(&bytes)?;
        }
        Ok(out)
    })
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
}
