//! Readable transcripts with their narratives shown, as Markdown.

use super::document::{Block, Document, Inlines};
use crate::domain::clock::format_duration_ms;
use crate::domain::{Case, Codebook, Narrative, Session, Utterance, UtteranceKind};

/// One document with every given session's transcript.
pub fn transcripts(
    title: &str,
    cases: &[Case],
    sessions: &[(Session, Vec<Utterance>)],
    narratives: &[Narrative],
    codebook: &Codebook,
) -> Document {
    let mut blocks = Vec::new();
    for (session, lines) in sessions {
        let case =
            cases.iter().find(|c| c.id == session.case_id).map_or(String::new(), |c| c.code.to_string());
        blocks.push(Block::Heading(
            2,
            format!(
                "{case} · {} · contact {} · {}",
                session.kind,
                session.contact_point,
                session.clock.started.format("%Y-%m-%d %H:%M")
            ),
        ));
        let speakers: Vec<String> =
            session.speakers.iter().map(|s| format!("{} ({})", s.label, s.role)).collect();
        blocks.push(Block::Paragraph(
            format!("Place: {}. Speakers: {}.", session.place_name(), speakers.join(", ")).into(),
        ));
        let mine: Vec<&Narrative> =
            narratives.iter().filter(|n| n.session == session.id && !n.deleted).collect();
        let mut items = Vec::new();
        for line in lines.iter().filter(|l| !l.deleted) {
            for n in mine.iter().filter(|n| n.first_seq == line.seq) {
                let codes: Vec<String> = n.codes.iter().map(|c| codebook.label(*c)).collect();
                let codes = if codes.is_empty() { String::new() } else { format!(" [{}]", codes.join("; ")) };
                items.push(
                    Inlines::default()
                        .plain("▼ ")
                        .strong(format!("Narrative “{}”", n.title))
                        .plain(format!("{codes}, lines {}–{}", n.first_seq, n.last_seq)),
                );
            }
            let mut item =
                Inlines::default().code(format!("{:>3} {}", line.seq, format_duration_ms(line.elapsed_ms)));
            if !line.speaker.is_empty() {
                item = item.plain(" ").strong(&line.speaker);
            }
            item = item.plain(" ");
            items.push(match line.kind {
                UtteranceKind::Speech => item.plain(&line.text),
                UtteranceKind::Event => item.emphasis(format!("[{}]", line.text)),
                UtteranceKind::Note => item.emphasis(format!("(note) {}", line.text)),
                UtteranceKind::Pause => item.emphasis(format!("(pause {})", line.text).replace(" )", ")")),
            });
            for n in mine.iter().filter(|n| n.last_seq == line.seq) {
                let memo = if n.memo.is_empty() { String::new() } else { format!(" — memo: {}", n.memo) };
                items.push(format!("▲ end of “{}”{memo}", n.title).into());
            }
        }
        blocks.push(Block::List(items));
    }
    Document { title: title.to_string(), blocks }
}
