//! The brief before the next contact as a report: the previous contact's
//! narratives quoted, efforts under way, themes not covered, open marks.

use super::document::{Block, Document, Inlines};
use super::report::{narrative_blocks, Study};
use crate::domain::brief::{brief, Brief, BriefInput, OpenMark};
use crate::domain::Case;
use crate::store::{Store, StoreError};
use std::collections::HashMap;

/// The case's brief, its open marks read from the store (masked as the study is).
pub fn load_brief(store: &Store, study: &Study, case: &Case) -> Result<Brief, StoreError> {
    let contacts = study.contacts();
    let index = study.cases.iter().position(|c| c.id == case.id).unwrap_or(0);
    let mut open_marks = Vec::new();
    let mut sessions: Vec<_> = study.sessions.iter().filter(|s| s.case_id == case.id).collect();
    sessions.sort_by_key(|s| (s.contact_point, s.clock.started));
    for s in sessions {
        let dismissed = store.dismissed_marks(s.id)?;
        let narratives: Vec<_> = study.narratives.iter().filter(|n| n.session == s.id).collect();
        for line in store.utterances(s.id)? {
            let Some(mark) = &line.mark else { continue };
            if line.deleted || dismissed.contains(&line.seq) || narratives.iter().any(|n| n.covers(line.seq))
            {
                continue;
            }
            open_marks.push(OpenMark {
                session: s.id,
                contact_point: s.contact_point,
                seq: line.seq,
                word: study.said(case.id, &mark.word).into_owned(),
                text: study.said(case.id, &line.text).into_owned(),
            });
        }
    }
    Ok(brief(BriefInput {
        case,
        sessions: &study.sessions,
        narratives: &study.narratives,
        efforts: &study.efforts,
        codebook: &study.codebook,
        contacts: &contacts[index],
        open_marks,
    }))
}

pub fn brief_report(store: &Store, study: &Study, b: &Brief) -> Result<Document, StoreError> {
    let mut blocks = Vec::new();
    let next = match (&b.next, &b.dropout) {
        (_, Some(out)) => format!("Dropped out on {}: {}. No contact is planned.", out.date, out.reason),
        (Some((point, Some(due))), None) => format!("Next: contact {point}, due {due}."),
        (Some((point, None)), None) => format!("Next: contact {point}."),
        (None, None) => "No planned contact is left.".to_string(),
    };
    blocks.push(Block::Paragraph(next.into()));
    blocks.push(Block::Heading(
        2,
        match b.previous {
            Some(p) => format!("Last time: contact {p}"),
            None => "Last time: no session yet".into(),
        },
    ));
    if !b.previous_sessions.is_empty() {
        let items = b
            .previous_sessions
            .iter()
            .map(|s| {
                Inlines::from(format!(
                    "{} on {}, {}",
                    s.kind,
                    s.clock.started.format("%Y-%m-%d"),
                    s.place_name()
                ))
            })
            .collect();
        blocks.push(Block::List(items));
    }
    if b.narratives.is_empty() && b.previous.is_some() {
        blocks.push(Block::Paragraph("No narrative was flagged at that contact.".into()));
    }
    let mut cache = HashMap::new();
    for n in &b.narratives {
        blocks.extend(narrative_blocks(store, study, &mut cache, n, 3)?);
    }
    blocks.push(Block::Heading(2, "Efforts still under way".into()));
    if b.open_efforts.is_empty() {
        blocks.push(Block::Paragraph("None.".into()));
    } else {
        let items = b.open_efforts.iter().map(|e| {
            let provider = if e.provider.is_empty() { String::new() } else { format!(" ({})", e.provider) };
            Inlines::from(format!("{}{provider}, since {}", e.kind, e.start))
        });
        blocks.push(Block::List(items.collect()));
    }
    blocks.push(Block::Heading(2, "Themes of the guide not yet covered".into()));
    if b.themes_not_covered.is_empty() {
        blocks.push(Block::Paragraph("All five have come up.".into()));
    } else {
        blocks.push(Block::List(b.themes_not_covered.iter().map(|t| Inlines::from(t.to_string())).collect()));
    }
    blocks.push(Block::Heading(2, "Marks not yet reviewed".into()));
    if b.open_marks.is_empty() {
        blocks.push(Block::Paragraph("None.".into()));
    } else {
        let items = b.open_marks.iter().map(|m| {
            let word = if m.word.is_empty() { String::new() } else { format!(" ★ {}", m.word) };
            Inlines::from(format!("contact {}, line {}{word}: {}", m.contact_point, m.seq, m.text))
        });
        blocks.push(Block::List(items.collect()));
    }
    Ok(Document { title: format!("Before the next contact with {}", b.case), blocks })
}
