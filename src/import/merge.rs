//! Merging another fieldworker's backup into this study: what is new is
//! added, the same record is never doubled, and where both sides changed
//! a record the newer change wins and the other is kept (a line as a
//! revision, a narrative as a tombstone copy) and listed as a conflict.

use crate::domain::mask::fold;
use crate::domain::{Case, Codebook, Id, Narrative, Revision, Session, Utterance};
use crate::export::json::StudyExport;
use crate::store::{Change, Store, StoreError};
use chrono::{DateTime, FixedOffset};
use std::collections::HashMap;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub cases: usize,
    pub sessions: usize,
    pub lines: usize,
    pub narratives: usize,
    pub codes: usize,
    pub efforts: usize,
    pub links: usize,
    /// One sentence per record both sides changed.
    pub conflicts: Vec<String>,
}

/// The last time a line changed on one side: its commit or its latest revision.
fn changed_at(line: &Utterance, revisions: &[Revision]) -> DateTime<FixedOffset> {
    revisions.iter().filter(|r| r.seq == line.seq).map(|r| r.replaced).fold(line.committed, |a, b| a.max(b))
}

/// Their codebook merged into ours: groups and codes matched by id, then by
/// name; returns the merged book and how their code ids map onto ours.
fn merge_codebook(
    ours: &Codebook,
    theirs: &Codebook,
    report: &mut MergeReport,
) -> (Codebook, HashMap<Id, Id>) {
    let mut book = ours.clone();
    let mut map = HashMap::new();
    for group in &theirs.groups {
        let found =
            book.groups.iter().position(|g| g.id == group.id || g.name.eq_ignore_ascii_case(&group.name));
        let index = match found {
            Some(i) => i,
            None => {
                let mut new = group.clone();
                new.codes.clear();
                book.groups.push(new);
                book.groups.len() - 1
            }
        };
        for code in &group.codes {
            let target = &mut book.groups[index];
            match target.codes.iter().find(|c| c.id == code.id || c.name.eq_ignore_ascii_case(&code.name)) {
                Some(mine) => {
                    map.insert(code.id, mine.id);
                }
                None => {
                    target.codes.push(code.clone());
                    map.insert(code.id, code.id);
                    report.codes += 1;
                }
            }
        }
    }
    (book, map)
}

pub fn merge(
    store: &Store,
    theirs: StudyExport,
    now: DateTime<FixedOffset>,
) -> Result<(Vec<Change>, MergeReport), StoreError> {
    let mut report = MergeReport::default();
    let mut changes = Vec::new();
    let (book, code_map) = merge_codebook(&store.codebook()?, &theirs.codebook, &mut report);
    changes.push(Change::Codebook(book));

    let mut variables = store.variables()?;
    for v in &theirs.variables.variables {
        if variables.get(&v.name).is_none() {
            variables.variables.push(v.clone());
        }
    }
    changes.push(Change::Variables(variables));
    let mut kinds = store.effort_kinds()?;
    for k in &theirs.effort_kinds.kinds {
        kinds.learn(k);
    }
    changes.push(Change::EffortKinds(kinds));

    // Cases are the same case when their codes are the same.
    let our_cases = store.cases()?;
    let mut case_map: HashMap<Id, Id> = HashMap::new();
    for case in &theirs.cases {
        match our_cases.iter().find(|c| c.code == case.code) {
            Some(mine) => {
                case_map.insert(case.id, mine.id);
                let mut merged: Case = mine.clone();
                for (key, value) in &case.attributes {
                    match merged.attributes.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                        None => merged.attributes.push((key.clone(), value.clone())),
                        Some((_, v)) if v != value => report.conflicts.push(format!(
                            "case {}: {key} is {v:?} here and {value:?} in the backup; kept {v:?}",
                            case.code
                        )),
                        Some(_) => {}
                    }
                }
                if merged != *mine {
                    changes.push(Change::Case(merged));
                }
            }
            None => {
                case_map.insert(case.id, case.id);
                changes.push(Change::Case(case.clone()));
                report.cases += 1;
            }
        }
    }

    // Their mask list joins ours: a term either side masks stays masked.
    if let Some(their_masks) = &theirs.masks {
        let mut masks = store.mask_list()?;
        let before = masks.clone();
        for t in &their_masks.terms {
            let case = t.case.map(|c| case_map.get(&c).copied().unwrap_or(c));
            let listed = masks.terms.iter().any(|m| m.case == case && fold(&m.term) == fold(&t.term));
            if !listed && masks.add(&t.term, &t.replacement, case).is_err() {
                report.conflicts.push(format!("the mask term {:?} could not be added", t.term));
            }
        }
        for word in &their_masks.allowed {
            masks.allow(word);
        }
        if masks != before {
            changes.push(Change::MaskList(masks));
        }
    }

    let follow_up = super::merge_followup::merge_follow_up(store, &theirs, &case_map, &mut report)?;

    for theirs_session in theirs.sessions {
        let mut session: Session = theirs_session.session;
        session.case_id = case_map.get(&session.case_id).copied().unwrap_or(session.case_id);
        match store.session(session.id)? {
            None => {
                report.sessions += 1;
                report.lines += theirs_session.utterances.len();
                changes.push(Change::Session(session));
                changes.extend(theirs_session.utterances.into_iter().map(Change::Utterance));
                changes.extend(theirs_session.revisions.into_iter().map(Change::Revision));
                changes.extend(theirs_session.dismissed_marks.into_iter().map(Change::DismissMark));
                changes.extend(theirs_session.recording.map(Change::Recording));
                changes.extend(theirs_session.consent.map(Change::Consent));
                changes.extend(theirs_session.retimings.into_iter().map(Change::Retiming));
            }
            Some(mine) => {
                // A recording, a consent, a re-timing this side has not got comes in; ours stay.
                if store.recording(mine.id)?.is_none() {
                    changes.extend(theirs_session.recording.map(Change::Recording));
                }
                if store.consent(mine.id)?.is_none() {
                    changes.extend(theirs_session.consent.map(Change::Consent));
                }
                let our_retimings = store.retimings(mine.id)?;
                for retiming in theirs_session.retimings {
                    if !our_retimings.iter().any(|r| r.seq == retiming.seq && r.at == retiming.at) {
                        changes.push(Change::Retiming(retiming));
                    }
                }
                let mut merged = mine.clone();
                merged.ended = mine.ended.or(session.ended);
                merged.recording_started = mine.recording_started.or(session.recording_started);
                for t in &session.themes_ticked {
                    if !merged.themes_ticked.contains(t) {
                        merged.themes_ticked.push(*t);
                    }
                }
                merged.themes_ticked.sort_unstable();
                for s in &session.speakers {
                    if merged.speaker(&s.label).is_none() {
                        merged.speakers.push(s.clone());
                    }
                }
                if merged != mine {
                    changes.push(Change::Session(merged));
                }
                let our_lines = store.utterances(mine.id)?;
                let our_revisions = store.revisions(mine.id)?;
                for line in theirs_session.utterances {
                    match our_lines.iter().find(|l| l.seq == line.seq) {
                        None => {
                            report.lines += 1;
                            changes.push(Change::Utterance(line));
                        }
                        Some(ours) if *ours == line => {}
                        Some(ours) => {
                            let their_time = changed_at(&line, &theirs_session.revisions);
                            let (winner, loser) = if their_time > changed_at(ours, &our_revisions) {
                                (&line, ours)
                            } else {
                                (ours, &line)
                            };
                            report.conflicts.push(format!(
                                "session {} line {}: both sides changed it; kept {:?}, the other ({:?}) is kept as a revision",
                                mine.id.short(),
                                line.seq,
                                winner.text,
                                loser.text
                            ));
                            changes.push(Change::Revision(Revision {
                                session: loser.session,
                                seq: loser.seq,
                                speaker: loser.speaker.clone(),
                                text: loser.text.clone(),
                                replaced: now,
                            }));
                            changes.push(Change::Utterance(winner.clone()));
                        }
                    }
                }
                for r in theirs_session.revisions {
                    if !our_revisions
                        .iter()
                        .any(|o| o.seq == r.seq && o.text == r.text && o.replaced == r.replaced)
                    {
                        changes.push(Change::Revision(r));
                    }
                }
                changes.extend(theirs_session.dismissed_marks.into_iter().map(Change::DismissMark));
            }
        }
    }

    for mut narrative in theirs.narratives {
        narrative.codes = narrative.codes.iter().map(|c| code_map.get(c).copied().unwrap_or(*c)).collect();
        match store.narrative(narrative.id)? {
            None => {
                report.narratives += 1;
                changes.push(Change::Narrative(narrative));
            }
            Some(mine) if mine == narrative => {}
            Some(mine) => {
                let (winner, loser): (Narrative, Narrative) =
                    if narrative.updated > mine.updated { (narrative, mine) } else { (mine, narrative) };
                report.conflicts.push(format!(
                    "narrative {:?}: both sides changed it; kept the newer, the other is kept deleted as {:?}",
                    winner.title,
                    format!("(merge) {}", loser.title)
                ));
                let copy = Narrative {
                    id: loser.id.derived(&format!("merge:{}", loser.updated.to_rfc3339())),
                    title: format!("(merge) {}", loser.title),
                    deleted: true,
                    ..loser
                };
                changes.push(Change::Narrative(copy));
                changes.push(Change::Narrative(winner));
            }
        }
    }

    let our_efforts = store.efforts()?;
    for mut effort in theirs.efforts {
        effort.case_id = case_map.get(&effort.case_id).copied().unwrap_or(effort.case_id);
        match our_efforts.iter().find(|e| e.id == effort.id) {
            None => {
                report.efforts += 1;
                changes.push(Change::Effort(effort));
            }
            Some(mine) if *mine == effort => {}
            Some(mine) => {
                // An effort that has ended is the newer account of it.
                if mine.end.is_none() && effort.end.is_some() {
                    changes.push(Change::Effort(effort.clone()));
                }
                report.conflicts.push(format!(
                    "effort {:?}: the two sides differ; kept the one that says it ended",
                    mine.kind
                ));
            }
        }
    }
    let our_links = store.links()?;
    for mut link in theirs.links {
        link.case_id = case_map.get(&link.case_id).copied().unwrap_or(link.case_id);
        match our_links.iter().find(|l| l.id == link.id) {
            None => {
                report.links += 1;
                changes.push(Change::Link(link));
            }
            Some(mine) => {
                let mut merged = mine.clone();
                for n in &link.narratives {
                    if !merged.narratives.contains(n) {
                        merged.narratives.push(*n);
                    }
                }
                if merged != *mine {
                    changes.push(Change::Link(merged));
                }
            }
        }
    }
    changes.extend(follow_up);
    Ok((changes, report))
}
