//! Merging another fieldworker's backup into this study: what is new is
//! added, the same record is never doubled, and where both sides changed
//! a record the newer change wins and the other is kept (a line as a
//! revision, a narrative as a tombstone copy) and listed as a conflict.
//! Where the caller knows that one version was made from the other (a sync
//! does, see `lineage`), the later one is simply taken. Ties are broken by
//! the values themselves, so every laptop settles a conflict alike.

use crate::domain::mask::fold;
use crate::domain::{Case, Codebook, Id, MaskList, Narrative, Revision, Session, Utterance};
use crate::export::json::StudyExport;
use crate::import::lineage::{record, version, Relation, Relations};
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

/// Two versions of a session neither made from the other: what either
/// added (an end, the recorder's start, ticked themes, speakers) is kept.
fn merge_session(mine: &Session, theirs: &Session) -> Session {
    let mut merged = mine.clone();
    merged.ended = mine.ended.or(theirs.ended);
    merged.recording_started = mine.recording_started.or(theirs.recording_started);
    for t in &theirs.themes_ticked {
        if !merged.themes_ticked.contains(t) {
            merged.themes_ticked.push(*t);
        }
    }
    merged.themes_ticked.sort_unstable();
    for s in &theirs.speakers {
        if merged.speaker(&s.label).is_none() {
            merged.speakers.push(s.clone());
        }
    }
    merged
}

/// Their mask list joins ours: a term either side masks stays masked.
fn merge_masks(
    store: &Store,
    theirs: Option<&MaskList>,
    case_map: &HashMap<Id, Id>,
    changes: &mut Vec<Change>,
    report: &mut MergeReport,
) -> Result<(), StoreError> {
    let Some(their_masks) = theirs else { return Ok(()) };
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
    Ok(())
}

/// Whether their version wins a conflict: the later change, or on a tie
/// the value that comes later in a fixed order (the same on every laptop).
fn theirs_wins<T: serde::Serialize>(
    their_time: DateTime<FixedOffset>,
    theirs: &T,
    our_time: DateTime<FixedOffset>,
    ours: &T,
) -> bool {
    (their_time, version(theirs)) > (our_time, version(ours))
}

/// Merges a backup, whose history is unknown: every difference is a conflict.
pub fn merge(
    store: &Store,
    theirs: StudyExport,
    now: DateTime<FixedOffset>,
) -> Result<(Vec<Change>, MergeReport), StoreError> {
    let _ = now;
    merge_related(store, theirs, &Relations::default())
}

/// Merges records whose relation to ours may be known (`relations`).
pub fn merge_related(
    store: &Store,
    theirs: StudyExport,
    relations: &Relations,
) -> Result<(Vec<Change>, MergeReport), StoreError> {
    let mut report = MergeReport::default();
    let mut changes = Vec::new();
    let (book, code_map) = match relations.of(record::CODEBOOK) {
        // A codebook made from ours (a rename, a retired code) is theirs as it is.
        Relation::TheirsReplacesOurs => (theirs.codebook.clone(), HashMap::new()),
        Relation::OursReplacesTheirs => (store.codebook()?, HashMap::new()),
        Relation::Concurrent => merge_codebook(&store.codebook()?, &theirs.codebook, &mut report),
    };
    changes.push(Change::Codebook(book));

    let variables = match relations.of(record::VARIABLES) {
        Relation::TheirsReplacesOurs => theirs.variables.clone(),
        Relation::OursReplacesTheirs => store.variables()?,
        Relation::Concurrent => {
            let mut variables = store.variables()?;
            for v in &theirs.variables.variables {
                if variables.get(&v.name).is_none() {
                    variables.variables.push(v.clone());
                }
            }
            variables
        }
    };
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
                match relations.of(&record::case(&case.code)) {
                    Relation::OursReplacesTheirs => continue,
                    Relation::TheirsReplacesOurs => {
                        let taken = Case { id: mine.id, ..case.clone() };
                        if taken != *mine {
                            changes.push(Change::Case(taken));
                        }
                        continue;
                    }
                    Relation::Concurrent => {}
                }
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

    let their_masks = theirs.masks.as_ref();
    match relations.of(record::MASKS) {
        Relation::TheirsReplacesOurs => changes.extend(their_masks.cloned().map(Change::MaskList)),
        Relation::OursReplacesTheirs => {}
        Relation::Concurrent => merge_masks(store, their_masks, &case_map, &mut changes, &mut report)?,
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
                // A recording or a consent this side has not got, or made from ours, comes in; else ours stay.
                let replaces = |name: String| relations.of(&name) == Relation::TheirsReplacesOurs;
                if store.recording(mine.id)?.is_none() || replaces(record::recording(mine.id)) {
                    changes.extend(theirs_session.recording.map(Change::Recording));
                }
                if store.consent(mine.id)?.is_none() || replaces(record::consent(mine.id)) {
                    changes.extend(theirs_session.consent.map(Change::Consent));
                }
                let our_retimings = store.retimings(mine.id)?;
                for retiming in theirs_session.retimings {
                    if !our_retimings.iter().any(|r| r.seq == retiming.seq && r.at == retiming.at) {
                        changes.push(Change::Retiming(retiming));
                    }
                }
                let merged = match relations.of(&record::session(mine.id)) {
                    Relation::Concurrent => merge_session(&mine, &session),
                    Relation::TheirsReplacesOurs => session.clone(),
                    Relation::OursReplacesTheirs => mine.clone(),
                };
                if merged != mine {
                    changes.push(Change::Session(merged));
                }
                let our_lines = store.utterances(mine.id)?;
                let our_revisions = store.revisions(mine.id)?;
                for line in theirs_session.utterances {
                    let relation = relations.of(&record::line(line.session, line.seq));
                    match our_lines.iter().find(|l| l.seq == line.seq) {
                        None => {
                            report.lines += 1;
                            changes.push(Change::Utterance(line));
                        }
                        Some(ours) if *ours == line => {}
                        Some(_) if relation == Relation::TheirsReplacesOurs => {
                            changes.push(Change::Utterance(line));
                        }
                        Some(_) if relation == Relation::OursReplacesTheirs => {}
                        Some(ours) => {
                            let their_time = changed_at(&line, &theirs_session.revisions);
                            let our_time = changed_at(ours, &our_revisions);
                            let (winner, loser) = if theirs_wins(their_time, &line, our_time, ours) {
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
                            // Replaced when the later of the two was made: the
                            // same revision on every laptop that meets this conflict.
                            let kept = Revision {
                                session: loser.session,
                                seq: loser.seq,
                                speaker: loser.speaker.clone(),
                                text: loser.text.clone(),
                                replaced: their_time.max(our_time),
                            };
                            let known = |r: &Revision| r.seq == kept.seq && r.text == kept.text;
                            if !our_revisions.iter().any(known) && !theirs_session.revisions.iter().any(known)
                            {
                                changes.push(Change::Revision(kept));
                            }
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
            Some(_) if relations.of(&record::narrative(narrative.id)) == Relation::TheirsReplacesOurs => {
                changes.push(Change::Narrative(narrative));
            }
            Some(_) if relations.of(&record::narrative(narrative.id)) == Relation::OursReplacesTheirs => {}
            Some(mine) => {
                let (winner, loser): (Narrative, Narrative) =
                    if theirs_wins(narrative.updated, &narrative, mine.updated, &mine) {
                        (narrative, mine)
                    } else {
                        (mine, narrative)
                    };
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

    // A session set blind on either side stays blind unless one side turned
    // it off after seeing the other's setting: nobody sees what they should not.
    let our_blind: HashMap<Id, bool> =
        store.blind_settings()?.into_iter().map(|b| (b.session, b.on)).collect();
    for setting in theirs.blind {
        let take = match (our_blind.get(&setting.session), relations.of(&record::blind(setting.session))) {
            (None, _) => true,
            (Some(on), _) if *on == setting.on => false,
            (Some(_), Relation::TheirsReplacesOurs) => true,
            (Some(_), Relation::OursReplacesTheirs) => false,
            (Some(on), Relation::Concurrent) => !on && setting.on,
        };
        if take {
            changes.push(crate::export::json::blind_change(setting));
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
            Some(_) if relations.of(&record::effort(effort.id)) == Relation::TheirsReplacesOurs => {
                changes.push(Change::Effort(effort));
            }
            Some(_) if relations.of(&record::effort(effort.id)) == Relation::OursReplacesTheirs => {}
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
            Some(mine) if *mine == link => {}
            Some(_) if relations.of(&record::link(link.id)) == Relation::TheirsReplacesOurs => {
                changes.push(Change::Link(link));
            }
            Some(_) if relations.of(&record::link(link.id)) == Relation::OursReplacesTheirs => {}
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
