//! CSV for statistics (RFC 4180, UTF-8): one row per line, and one row per
//! narrative with a 0/1 column per code and the text it spans.

use crate::domain::{Case, Codebook, Narrative, Session, Utterance};
use std::collections::HashMap;

/// One field, quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn row(fields: &[String]) -> String {
    fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",") + "\r\n"
}

fn strings<const N: usize>(fields: [&str; N]) -> Vec<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

pub struct Tables<'a> {
    pub cases: &'a [Case],
    pub sessions: &'a [(Session, Vec<Utterance>)],
    pub narratives: &'a [Narrative],
    pub codebook: &'a Codebook,
}

impl Tables<'_> {
    fn case(&self, session: &Session) -> String {
        self.cases.iter().find(|c| c.id == session.case_id).map_or(String::new(), |c| c.code.to_string())
    }

    pub fn utterances(&self) -> String {
        let mut out = row(&strings([
            "case",
            "session",
            "kind",
            "contact",
            "seq",
            "speaker",
            "role",
            "line_kind",
            "wall_time",
            "elapsed_ms",
            "recording_ms",
            "text",
        ]));
        // Rows are formatted on every core, each thread a run of sessions, then joined in order.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let chunk = self.sessions.len().div_ceil(threads).max(1);
        let parts: Vec<String> = std::thread::scope(|scope| {
            let workers: Vec<_> = self
                .sessions
                .chunks(chunk)
                .map(|part| scope.spawn(move || self.utterance_rows(part)))
                .collect();
            workers.into_iter().map(|w| w.join().expect("a formatting thread panicked")).collect()
        });
        for part in parts {
            out.push_str(&part);
        }
        out
    }

    fn utterance_rows(&self, sessions: &[(Session, Vec<Utterance>)]) -> String {
        let mut out = String::new();
        for (session, lines) in sessions {
            let case = self.case(session);
            let (id, kind, contact) =
                (session.id.to_string(), session.kind.to_string(), session.contact_point.to_string());
            for l in lines.iter().filter(|l| !l.deleted) {
                let role = session.speaker(&l.speaker).map_or(String::new(), |s| s.role.to_string());
                out.push_str(&row(&[
                    case.clone(),
                    id.clone(),
                    kind.clone(),
                    contact.clone(),
                    l.seq.to_string(),
                    l.speaker.clone(),
                    role,
                    l.kind.to_string(),
                    l.onset.to_rfc3339(),
                    l.elapsed_ms.to_string(),
                    session.recording_ms(l.onset).map_or(String::new(), |ms| ms.to_string()),
                    l.text.clone(),
                ]));
            }
        }
        out
    }

    pub fn narratives(&self) -> String {
        let codes: Vec<(crate::domain::Id, String)> = self
            .codebook
            .groups
            .iter()
            .flat_map(|g| g.codes.iter().map(move |c| (c.id, format!("{}: {}", g.name, c.name))))
            .collect();
        let mut header = strings([
            "case",
            "session",
            "kind",
            "contact",
            "narrative",
            "from",
            "to",
            "title",
            "author",
            "created",
            "memo",
        ]);
        header.extend(codes.iter().map(|(_, name)| name.clone()));
        header.push("text".into());
        let mut out = row(&header);
        let by_session: HashMap<_, _> = self.sessions.iter().map(|(s, l)| (s.id, (s, l))).collect();
        for n in self.narratives.iter().filter(|n| !n.deleted) {
            let Some((session, lines)) = by_session.get(&n.session) else { continue };
            // Lines are in seq order: find the span instead of walking the session.
            let from = lines.partition_point(|l| l.seq < n.first_seq);
            let text: Vec<String> = lines[from..]
                .iter()
                .take_while(|l| l.seq <= n.last_seq)
                .filter(|l| !l.deleted)
                .map(|l| format!("{}: {}", l.speaker, l.text))
                .collect();
            let mut fields = vec![
                self.case(session),
                session.id.to_string(),
                session.kind.to_string(),
                session.contact_point.to_string(),
                n.id.to_string(),
                n.first_seq.to_string(),
                n.last_seq.to_string(),
                n.title.clone(),
                n.author.clone(),
                n.created.to_rfc3339(),
                n.memo.clone(),
            ];
            fields
                .extend(codes.iter().map(|(id, _)| if n.codes.contains(id) { "1" } else { "0" }.to_string()));
            fields.push(text.join("\n"));
            out.push_str(&row(&fields));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("hej"), "hej");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("han sagde \"nej\""), "\"han sagde \"\"nej\"\"\"");
        assert_eq!(field("to\nlinjer"), "\"to\nlinjer\"");
        assert_eq!(row(&["æ".into(), "ø,å".into()]), "æ,\"ø,å\"\r\n");
    }
}
