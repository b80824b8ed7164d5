//! REFI-QDA project exchange (`.qdpx`), which NVivo, ATLAS.ti, MAXQDA and
//! QualCoder import: each session a text source (its transcript as plain
//! text), the codebook as codes (groups as parent codes), each narrative a
//! coded selection of exactly its lines' text, titles and memos as notes,
//! cases with their variables and sources, one user per author. GUIDs are
//! the study's own ids or derived from them, so they are the same in every
//! export; positions count Unicode code points, as the standard says.

use super::xml::{escape, escape_text};
use crate::domain::{Case, Codebook, Id, Narrative, Session, Utterance, UtteranceKind};
use std::fmt::Write as _;
use std::io::Write as _;

/// A session's transcript as the source text, and where each line's own
/// text lies in it (in code points): seq → (start, end).
pub struct SourceText {
    pub text: String,
    pub spans: Vec<(u32, usize, usize)>,
}

/// `LABEL: text` per line; positions are those of the text after the label.
pub fn source_text(lines: &[Utterance]) -> SourceText {
    let mut text = String::new();
    let mut at = 0usize;
    let mut spans = Vec::new();
    for line in lines.iter().filter(|l| !l.deleted) {
        let (lead, body) = match line.kind {
            UtteranceKind::Speech => (format!("{}: ", line.speaker), line.text.clone()),
            UtteranceKind::Event => (format!("{}: ", line.speaker), format!("[{}]", line.text)),
            UtteranceKind::Note => ("(note) ".to_string(), line.text.clone()),
            UtteranceKind::Pause => (String::new(), format!("(pause {})", line.text).replace(" )", ")")),
        };
        text.push_str(&lead);
        at += lead.chars().count();
        let length = body.chars().count();
        spans.push((line.seq, at, at + length));
        text.push_str(&body);
        text.push('\n');
        at += length + 1;
    }
    SourceText { text, spans }
}

/// What a project is made of.
pub struct Project<'a> {
    pub name: &'a str,
    pub cases: &'a [Case],
    pub sessions: &'a [(Session, Vec<Utterance>)],
    pub narratives: &'a [Narrative],
    pub codebook: &'a Codebook,
}

fn user_id(author: &str) -> Id {
    Id::named(&format!("user:{author}"))
}

fn variable_id(name: &str) -> Id {
    Id::named(&format!("variable:{}", name.to_lowercase()))
}

/// The project document (`project.qde`) and the source texts by GUID.
pub fn project(p: &Project) -> (String, Vec<(Id, String)>) {
    let mut authors: Vec<&str> = p.narratives.iter().map(|n| n.author.as_str()).collect();
    authors.push("fieldlog");
    authors.sort_unstable();
    authors.dedup();
    let creator = user_id("fieldlog");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"{}\" origin=\"fieldlog\" creatingUserGUID=\"{creator}\">",
        escape(p.name)
    );
    out.push_str("<Users>");
    for a in &authors {
        let _ = write!(out, "<User guid=\"{}\" name=\"{}\"/>", user_id(a), escape(a));
    }
    out.push_str("</Users>\n<CodeBook><Codes>\n");
    for group in &p.codebook.groups {
        let _ =
            write!(out, "<Code guid=\"{}\" name=\"{}\" isCodable=\"false\">", group.id, escape(&group.name));
        if !group.description.is_empty() {
            let _ = write!(out, "<Description>{}</Description>", escape_text(&group.description));
        }
        for code in &group.codes {
            let name = if code.retired { format!("{} (retired)", code.name) } else { code.name.clone() };
            let _ = write!(out, "<Code guid=\"{}\" name=\"{}\" isCodable=\"true\"", code.id, escape(&name));
            if code.description.is_empty() {
                out.push_str("/>");
            } else {
                let _ = write!(out, "><Description>{}</Description></Code>", escape_text(&code.description));
            }
        }
        out.push_str("</Code>\n");
    }
    out.push_str("</Codes></CodeBook>\n");
    let mut variables: Vec<&str> =
        p.cases.iter().flat_map(|c| c.attributes.iter().map(|(k, _)| k.as_str())).collect();
    variables.sort_unstable_by_key(|v| v.to_lowercase());
    variables.dedup_by_key(|v| v.to_lowercase());
    if !variables.is_empty() {
        out.push_str("<Variables>");
        for v in &variables {
            let _ = write!(
                out,
                "<Variable guid=\"{}\" name=\"{}\" typeOfVariable=\"Text\"/>",
                variable_id(v),
                escape(v)
            );
        }
        out.push_str("</Variables>\n");
    }
    out.push_str("<Cases>\n");
    for case in p.cases {
        let _ = write!(out, "<Case guid=\"{}\" name=\"{}\">", case.id, escape(case.code.as_str()));
        for (k, v) in &case.attributes {
            let _ = write!(
                out,
                "<VariableValue><VariableRef targetGUID=\"{}\"/><TextValue>{}</TextValue></VariableValue>",
                variable_id(k),
                escape(v)
            );
        }
        for (s, _) in p.sessions.iter().filter(|(s, _)| s.case_id == case.id) {
            let _ = write!(out, "<SourceRef targetGUID=\"{}\"/>", s.id);
        }
        out.push_str("</Case>\n");
    }
    out.push_str("</Cases>\n<Sources>\n");
    let mut texts = Vec::new();
    for (session, lines) in p.sessions {
        let source = source_text(lines);
        let case =
            p.cases.iter().find(|c| c.id == session.case_id).map_or(String::new(), |c| c.code.to_string());
        let name = format!(
            "{case} {} {} contact {}",
            session.kind,
            session.clock.started.format("%Y-%m-%d"),
            session.contact_point
        );
        let _ = write!(
            out,
            "<TextSource guid=\"{0}\" name=\"{1}\" plainTextPath=\"internal://{0}.txt\" creatingUser=\"{creator}\">",
            session.id,
            escape(&name)
        );
        for n in p.narratives.iter().filter(|n| n.session == session.id && !n.deleted) {
            let start = source.spans.iter().find(|(seq, _, _)| *seq >= n.first_seq).map(|(_, s, _)| *s);
            let end = source.spans.iter().rev().find(|(seq, _, _)| *seq <= n.last_seq).map(|(_, _, e)| *e);
            let (Some(start), Some(end)) = (start, end) else { continue };
            let user = user_id(&n.author);
            let _ = write!(
                out,
                "\n<PlainTextSelection guid=\"{}\" name=\"{}\" startPosition=\"{start}\" endPosition=\"{}\" creatingUser=\"{user}\">",
                n.id,
                escape(&n.title),
                end.max(start)
            );
            for code in &n.codes {
                let _ = write!(
                    out,
                    "<Coding guid=\"{}\" creatingUser=\"{user}\"><CodeRef targetGUID=\"{code}\"/></Coding>",
                    n.id.derived(&format!("coding:{code}"))
                );
            }
            let _ = write!(out, "<NoteRef targetGUID=\"{}\"/></PlainTextSelection>", n.id.derived("note"));
        }
        out.push_str("</TextSource>\n");
        texts.push((session.id, source.text));
    }
    out.push_str("</Sources>\n<Notes>\n");
    for n in p.narratives.iter().filter(|n| !n.deleted) {
        let content = if n.memo.is_empty() { n.title.clone() } else { format!("{}\n\n{}", n.title, n.memo) };
        let _ = writeln!(
            out,
            "<Note guid=\"{}\" name=\"{}\" creatingUser=\"{}\"><PlainTextContent>{}</PlainTextContent></Note>",
            n.id.derived("note"),
            escape(&n.title),
            user_id(&n.author),
            escape_text(&content)
        );
    }
    out.push_str("</Notes>\n</Project>\n");
    (out, texts)
}

/// The `.qdpx` zip: `project.qde` and `sources/<guid>.txt`, stored in a fixed
/// order with fixed dates, so the same study gives the same bytes.
pub fn qdpx(p: &Project) -> std::io::Result<Vec<u8>> {
    let (document, texts) = project(p);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("project.qde", options).map_err(std::io::Error::other)?;
    zip.write_all(document.as_bytes())?;
    for (id, text) in texts {
        zip.start_file(format!("sources/{id}.txt"), options).map_err(std::io::Error::other)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn line(seq: u32, speaker: &str, text: &str) -> Utterance {
        let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        Utterance {
            session: Id::from_bytes([1; 16]),
            seq,
            speaker: speaker.into(),
            kind: UtteranceKind::Speech,
            text: text.into(),
            onset: t,
            committed: t,
            elapsed_ms: 0,
            mark: None,
            deleted: false,
        }
    }

    #[test]
    fn positions_count_code_points_and_select_exactly_the_lines_text() {
        let lines = [
            line(1, "I", "Hvor står du nu?"),
            line(2, "AA", "Dårlige tænder 👨‍👩‍👧 og e\u{301}n ting"),
            line(3, "I", "Og så?"),
        ];
        let source = source_text(&lines);
        let chars: Vec<char> = source.text.chars().collect();
        for (seq, start, end) in &source.spans {
            let selected: String = chars[*start..*end].iter().collect();
            assert_eq!(selected, lines[*seq as usize - 1].text, "line {seq}");
        }
    }
}
