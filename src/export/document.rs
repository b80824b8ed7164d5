//! A small document model for reports, written out as Markdown (to paste
//! into a paper) or as a standalone HTML page.

use std::fmt::Write;

pub enum Block {
    Heading(u8, String),
    Paragraph(String),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Quoted lines, each in full.
    Quote(Vec<String>),
    List(Vec<String>),
}

pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

fn md_cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

pub fn markdown(doc: &Document) -> String {
    let mut out = format!("# {}\n", doc.title);
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {text}", "#".repeat(usize::from(*level).clamp(2, 6)));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{text}");
            }
            Block::Table { header, rows } => {
                let _ = writeln!(
                    out,
                    "| {} |",
                    header.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | ")
                );
                let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
                for row in rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        row.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
            }
            Block::Quote(lines) => {
                for line in lines {
                    let _ = writeln!(out, "> {}  ", line.replace('\n', " "));
                }
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", item.replace('\n', " "));
                }
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn html(doc: &Document) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>\nbody {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}\ntable {{ border-collapse: collapse; }}\nth, td {{ border: 1px solid #999; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }}\nblockquote {{ border-left: 3px solid #999; margin-left: 0; padding-left: 1em; }}\n</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        escape(&doc.title)
    );
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let level = usize::from(*level).clamp(2, 6);
                let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape(text));
            }
            Block::Table { header, rows } => {
                out.push_str("<table>\n<tr>");
                for h in header {
                    let _ = write!(out, "<th>{}</th>", escape(h));
                }
                out.push_str("</tr>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", escape(cell).replace('\n', "<br>"));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
            Block::Quote(lines) => {
                out.push_str("<blockquote>\n");
                for line in lines {
                    let _ = writeln!(out, "<p>{}</p>", escape(line));
                }
                out.push_str("</blockquote>\n");
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", escape(item));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_quotes_are_escaped_for_each_format() {
        let doc = Document {
            title: "Case <AA>".into(),
            blocks: vec![
                Block::Table { header: vec!["a|b".into()], rows: vec![vec!["x & y".into()]] },
                Block::Quote(vec!["AA: \"Jeg\" <ved> det".into()]),
            ],
        };
        let md = markdown(&doc);
        assert!(md.contains("| a\\|b |") && md.contains("> AA: \"Jeg\" <ved> det"), "{md}");
        let page = html(&doc);
        assert!(page.contains("<h1>Case &lt;AA&gt;</h1>") && page.contains("<td>x &amp; y</td>"), "{page}");
        assert!(page.contains("&quot;Jeg&quot; &lt;ved&gt;"), "{page}");
    }
}
