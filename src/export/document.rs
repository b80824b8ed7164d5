//! A small document model for reports, written out as Markdown (to paste
//! into a paper) or as a standalone HTML page. What people typed is always
//! plain text here: each writer escapes it, and only the model's own runs
//! (emphasis, strong, code) become markup.

use std::fmt::Write;

/// A run of text within a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    Plain(String),
    Emphasis(String),
    Strong(String),
    /// Our own figures (line numbers, times), shown as code.
    Code(String),
}

/// A line of text made of runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inlines(pub Vec<Span>);

impl Inlines {
    pub fn plain(mut self, text: impl Into<String>) -> Self {
        self.0.push(Span::Plain(text.into()));
        self
    }
    pub fn emphasis(mut self, text: impl Into<String>) -> Self {
        self.0.push(Span::Emphasis(text.into()));
        self
    }
    pub fn strong(mut self, text: impl Into<String>) -> Self {
        self.0.push(Span::Strong(text.into()));
        self
    }
    pub fn code(mut self, text: impl Into<String>) -> Self {
        self.0.push(Span::Code(text.into()));
        self
    }
    /// The runs' text, without their markup (for the screen).
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|s| match s {
                Span::Plain(t) | Span::Emphasis(t) | Span::Strong(t) | Span::Code(t) => t.as_str(),
            })
            .collect()
    }
}

impl From<String> for Inlines {
    fn from(text: String) -> Self {
        Inlines(vec![Span::Plain(text)])
    }
}

impl From<&str> for Inlines {
    fn from(text: &str) -> Self {
        Inlines(vec![Span::Plain(text.to_string())])
    }
}

#[derive(Clone, Debug)]
pub enum Block {
    /// Plain text.
    Heading(u8, String),
    Paragraph(Inlines),
    /// Plain text in every cell.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Quoted lines of plain text, each in full.
    Quote(Vec<String>),
    List(Vec<Inlines>),
    /// A figure drawn as SVG (written by fieldlog, whole and escaped), with
    /// its caption: drawn in HTML, named in Markdown.
    Figure {
        svg: String,
        caption: String,
    },
}

#[derive(Clone, Debug)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// Plain text made inert in Markdown (CommonMark, GitHub's and Pandoc's
/// extensions): what could open emphasis, code, a link, an image, HTML, an
/// entity, a table cell, strikethrough, maths, attributes or a citation is
/// backslash-escaped or an entity; at the start of a line also what would
/// open a heading, quote, list or rule. The rest stays as typed, to read
/// well as Markdown source. Line breaks become spaces: every block here is
/// one line.
fn md_text(text: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let text = if line_start { text.trim_start() } else { text };
    let chars: Vec<char> = text.chars().map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c }).collect();
    // A line that starts `1.` or `1)` would be an ordered list.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let numbered = line_start && (1..=9).contains(&digits) && matches!(chars.get(digits), Some('.' | ')'));
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '{' | '}' | '|' | '~' | '#' | '$' | '^' => {
                out.push('\\');
                out.push(c);
            }
            // A Pandoc citation, `@smith`; an address, `anna@x.dk`, is none.
            '@' if i == 0 || !chars[i - 1].is_alphanumeric() => out.push_str("\\@"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // `&amp;` or `&#38;` would be read as the character they name.
            '&' if starts_entity(&chars[i + 1..]) => out.push_str("&amp;"),
            // A list, a rule, a heading's underline, a definition.
            '-' | '+' | '=' | ':' if i == 0 && line_start => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if numbered && i == digits => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether the characters after an `&` make an entity or character reference.
fn starts_entity(rest: &[char]) -> bool {
    let body: Vec<char> =
        rest.iter().copied().take_while(|c| c.is_ascii_alphanumeric() || *c == '#').collect();
    !body.is_empty() && rest.get(body.len()) == Some(&';')
}

/// A code span that no backtick inside can close early.
fn md_code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn md_inlines(inlines: &Inlines) -> String {
    let mut out = String::new();
    for span in &inlines.0 {
        let line_start = out.is_empty();
        match span {
            Span::Plain(text) => out.push_str(&md_text(text, line_start)),
            Span::Code(text) => out.push_str(&md_code(text)),
            // Trimmed: `*text *` would not close.
            Span::Emphasis(text) | Span::Strong(text) if text.trim().is_empty() => {}
            Span::Emphasis(text) => {
                let _ = write!(out, "*{}*", md_text(text.trim(), false));
            }
            Span::Strong(text) => {
                let _ = write!(out, "**{}**", md_text(text.trim(), false));
            }
        }
    }
    out
}

fn md_cell(text: &str) -> String {
    md_text(text, false)
}

pub fn markdown(doc: &Document) -> String {
    let mut out = format!("# {}\n", md_text(&doc.title, true));
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Heading(level, text) => {
                let _ =
                    writeln!(out, "{} {}", "#".repeat(usize::from(*level).clamp(2, 6)), md_text(text, true));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{}", md_inlines(text));
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
                    let _ = writeln!(out, "> {}  ", md_text(line, true));
                }
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", md_inlines(item));
                }
            }
            Block::Figure { caption, .. } => {
                let _ = writeln!(out, "*Figure (in the HTML report): {}*", md_text(caption, false));
            }
        }
    }
    out
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn html_inlines(inlines: &Inlines) -> String {
    let mut out = String::new();
    for span in &inlines.0 {
        let _ = match span {
            Span::Plain(text) => write!(out, "{}", escape(text)),
            Span::Emphasis(text) => write!(out, "<em>{}</em>", escape(text)),
            Span::Strong(text) => write!(out, "<strong>{}</strong>", escape(text)),
            Span::Code(text) => write!(out, "<code>{}</code>", escape(text)),
        };
    }
    out
}

pub fn html(doc: &Document) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>\nbody {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}\ntable {{ border-collapse: collapse; }}\nth, td {{ border: 1px solid #999; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }}\nblockquote {{ border-left: 3px solid #999; margin-left: 0; padding-left: 1em; }}\ncode {{ white-space: pre; }}\nfigure {{ margin: 1em 0; }}\nfigure svg {{ max-width: 100%; height: auto; }}\n</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        escape(&doc.title)
    );
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let level = usize::from(*level).clamp(2, 6);
                let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", html_inlines(text));
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
                    let _ = writeln!(out, "<li>{}</li>", html_inlines(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Figure { svg, caption } => {
                let _ =
                    writeln!(out, "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>", escape(caption));
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
        assert!(md.contains("| a\\|b |") && md.contains("> AA: \"Jeg\" &lt;ved&gt; det"), "{md}");
        let page = html(&doc);
        assert!(page.contains("<h1>Case &lt;AA&gt;</h1>") && page.contains("<td>x &amp; y</td>"), "{page}");
        assert!(page.contains("&quot;Jeg&quot; &lt;ved&gt;"), "{page}");
    }

    #[test]
    fn code_spans_outlast_the_backticks_inside_them() {
        assert_eq!(md_code("  1 00:00:40"), "`  1 00:00:40`");
        assert_eq!(md_code("a `b` c"), "``a `b` c``");
        assert_eq!(md_code("`x"), "`` `x ``");
    }

    #[test]
    fn only_what_could_start_markup_is_escaped() {
        assert_eq!(
            md_text("Tænderne & chancen, 2025-03-01 (nej!)", true),
            "Tænderne & chancen, 2025-03-01 (nej!)"
        );
        assert_eq!(md_text("&amp; &#38; &", false), "&amp;amp; &amp;\\#38; &");
        assert_eq!(md_text("- ja", true), "\\- ja");
        assert_eq!(md_text("- ja", false), "- ja");
        assert_eq!(md_text("12. maj", true), "12\\. maj");
        assert_eq!(md_text("2025. Det", false), "2025. Det");
    }
}
