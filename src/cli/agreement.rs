//! `report agreement`: how alike coders flagged and coded the same
//! sessions (see `domain::agreement` for the definitions), in the terminal
//! (Markdown) or as HTML.

use crate::domain::agreement::{boundary_agreement, disagreements, group_agreement, units, Level, TEAM};
use crate::domain::{CodeGroup, Id};
use crate::export::document::{Block, Document, Inlines};
use crate::export::report::Study;
use crate::store::Store;
use anyhow::bail;
use std::collections::{BTreeSet, HashMap};

/// The coders asked for, or every author of a narrative; at least two, each with narratives.
fn coders(study: &Study, asked: Option<&str>) -> anyhow::Result<Vec<String>> {
    // The team's settled versions are no coder's.
    let authors: BTreeSet<&str> = study
        .narratives
        .iter()
        .filter(|n| !n.deleted && n.author != TEAM)
        .map(|n| n.author.as_str())
        .collect();
    let known = authors.iter().copied().collect::<Vec<_>>().join(", ");
    let chosen: Vec<String> = match asked {
        None => authors.iter().map(|a| a.to_string()).collect(),
        Some(list) => {
            let mut chosen: Vec<String> = Vec::new();
            for name in list.split(',').map(str::trim) {
                if name.is_empty() {
                    bail!("--coders {list:?} has an empty name: write the coders as A,B");
                }
                if !authors.contains(name) {
                    bail!("coder {name:?} has flagged no narratives in this study; coders with narratives: {known}");
                }
                if !chosen.iter().any(|c| c == name) {
                    chosen.push(name.to_string());
                }
            }
            chosen
        }
    };
    if chosen.len() < 2 {
        bail!(
            "agreement needs narratives by two coders or more; coders with narratives: {}",
            if known.is_empty() { "none" } else { &known }
        );
    }
    Ok(chosen)
}

fn shown(alpha: Option<f64>) -> String {
    alpha.map_or("undefined (no pairs of values, or every value alike)".into(), |a| format!("{a:.3}"))
}

pub fn report(
    store: &Store,
    coders_asked: Option<&str>,
    group: Option<&str>,
    as_html: bool,
    unmasked: bool,
) -> anyhow::Result<()> {
    let study = Study::load(store, unmasked)?;
    let coders = coders(&study, coders_asked)?;
    let groups: Vec<&CodeGroup> = match group {
        None => study.codebook.groups.iter().filter(|g| !g.retired).collect(),
        Some(name) => match study.codebook.groups.iter().find(|g| g.name.eq_ignore_ascii_case(name.trim())) {
            Some(g) => vec![g],
            None => {
                let known: Vec<&str> = study.codebook.groups.iter().map(|g| g.name.as_str()).collect();
                bail!("there is no code group {name:?}; the groups are: {}", known.join(", "));
            }
        },
    };
    let units = units(&study.narratives, &coders);
    let mut lines_of: HashMap<Id, Vec<u32>> = HashMap::new();
    for session in units.iter().map(|u| u.session).collect::<BTreeSet<_>>() {
        let seqs = store.utterances(session)?.into_iter().filter(|u| !u.deleted).map(|u| u.seq).collect();
        lines_of.insert(session, seqs);
    }
    let (boundary, lines) = boundary_agreement(&study.narratives, &coders, &lines_of);
    let shared = units.iter().filter(|u| u.by.len() >= 2).count();

    let mut blocks = vec![Block::Paragraph(Inlines::default().plain(format!(
        "Krippendorff's α. {} passages flagged, {shared} of them by two coders or more (narratives of different coders are one passage when their spans overlap by more than half).",
        units.len()
    )))];
    blocks.push(Block::Heading(2, "Where narratives start and end".into()));
    blocks.push(Block::Paragraph(Inlines::default().strong(format!("α = {}", shown(boundary))).plain(format!(
        " (nominal) over {lines} lines of the sessions two coders or more flagged narratives in; each coder gives each line one of: begins a narrative, continues one, outside."
    ))));
    blocks.push(Block::Heading(2, "Codes".into()));
    let mut rows = Vec::new();
    let mut book = study.codebook.clone();
    book.groups.retain(|g| groups.iter().any(|chosen| chosen.id == g.id));
    for g in &groups {
        let a = group_agreement(g, &units);
        let level = if a.level == Level::Ordinal { "ordinal" } else { "nominal" };
        rows.push(vec![
            a.group,
            a.kind.word().to_string(),
            level.into(),
            shown(a.alpha),
            a.units.to_string(),
        ]);
    }
    let header = ["code group", "kind", "level", "α", "passages coded by 2+"];
    blocks.push(Block::Table { header: header.map(String::from).to_vec(), rows });
    blocks.push(Block::Heading(2, "Disagreements to discuss".into()));
    let found = disagreements(&units, &coders, &book);
    if found.is_empty() {
        blocks.push(Block::Paragraph("None.".into()));
    } else {
        let case_of: HashMap<Id, (String, u32)> = study
            .sessions
            .iter()
            .map(|s| {
                let code = study
                    .cases
                    .iter()
                    .find(|c| c.id == s.case_id)
                    .map(|c| c.code.to_string())
                    .unwrap_or_default();
                (s.id, (code, s.contact_point))
            })
            .collect();
        let items = found
            .iter()
            .map(|d| {
                let (case, contact) = case_of.get(&d.session).cloned().unwrap_or_default();
                Inlines::default()
                    .plain(format!("case {case}, contact {contact}, session "))
                    .code(d.session.short())
                    .plain(", lines ")
                    .code(format!("{}–{}", d.first_seq, d.last_seq))
                    .plain(" — ")
                    .strong(d.what.clone())
                    .plain(format!(": {}", d.said.join("; ")))
            })
            .collect();
        blocks.push(Block::List(items));
    }
    let doc = Document { title: format!("Agreement between {}", coders.join(", ")), blocks };
    super::followup::write(&study, doc, as_html);
    Ok(())
}
