//! Merging another fieldworker's backup into this study: what is new is
//! added, the same record is never doubled, and where both sides changed
//! a record the newer change wins and the other is kept (a line as a
//! revision, a narrative as a tombstone copy) and listed as a conflict.
//! Where the caller knows that one version was made from the other (a sync
//! does, see `lineage`), the later one is simply taken. Ties are broken by
//! the values themselves, so every laptop settles a conflict alike.

use super::converge::{code_ids_onto, join_codebooks, mapped_codes};
use super::renumber::Renumbered;
use crate::domain::mask::fold;
use crate::domain::{Case, Id, MaskList, Narrative, Revision, Session, Utterance};
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

/// Two versions of a session neither made from the other: what either
/// added (an end, the recorder's start, ticked themes, speakers) is kept,
/// the leading version's where both have one.
fn merge_session(lead: &Session, other: &Session) -> Session {
    let mut merged = lead.clone();
    merged.ended = lead.ended.or(other.ended);
    merged.recording_started = lead.recording_started.or(other.recording_started);
    for t in &other.themes_ticked {
        if !merged.themes_ticked.contains(t) {
            merged.themes_ticked.push(*t);
        }
    }
    merged.themes_ticked.sort_unstable();
    for s in &other.speakers {
        if merged.speaker(&s.label).is_none() {
            merged.speakers.push(s.clone());
        }
    }
    merged
}

/// Their mask list joins ours: a term either side masks stays masked (in
/// the leading list's order, then the other's).
fn merge_masks(
    store: &Store,
    theirs: Option<&MaskList>,
    case_map: &HashMap<Id, Id>,
    relations: &Relations,
    renumbered: &Renumbered,
    changes: &mut Vec<Change>,
    report: &mut MergeReport,
) -> Result<(), StoreError> {
    let Some(their_masks) = theirs else { return Ok(()) };
    let mut theirs_here = their_masks.clone();
    for t in &mut theirs_here.terms {
        t.case = t.case.map(|c| case_map.get(&c).copied().unwrap_or(c));
    }
    let before = renumbered.masks(store.mask_list()?);
    let (mut masks, other) = if relations.ours_leads(&before, &theirs_here) {
        (before.clone(), theirs_here)
    } else {
        (theirs_here, before.clone())
    };
    for t in &other.terms {
        let listed = masks.terms.iter().any(|m| m.case == t.case && fold(&m.term) == fold(&t.term));
        if !listed && masks.add(&t.term, &t.replacement, t.case).is_err() {
            report.conflicts.push(format!("the mask term {:?} could not be added", t.term));
        }
    }
    for word in &other.allowed {
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
    let our_book = store.codebook()?;
    let book = match relations.of(record::CODEBOOK) {
        // A codebook made from ours (a rename, a retired code) is theirs as it is.
        Relation::TheirsReplacesOurs => theirs.codebook.clone(),
        Relation::OursReplacesTheirs => our_book.clone(),
        Relation::Concurrent => {
            let (book, _) = if relations.ours_leads(&our_book, &theirs.codebook) {
                join_codebooks(&our_book, &theirs.codebook)
            } else {
                join_codebooks(&theirs.codebook, &our_book)
            };
            let count = |b: &crate::domain::Codebook| b.groups.iter().map(|g| g.codes.len()).sum::<usize>();
            report.codes += count(&book).saturating_sub(count(&our_book));
            book
        }
    };
    // A code of one name made on two laptops is one code now: narratives
    // coded with the id that gave way, here or arriving, take the other.
    let code_map = code_ids_onto(&theirs.codebook, &book);
    let our_code_map = code_ids_onto(&our_book, &book);
    let mut recoded: HashMap<Id, Narrative> = HashMap::new();
    if !our_code_map.is_empty() {
        for n in store.all_narratives()? {
            let codes = mapped_codes(&n.codes, &our_code_map);
            if codes != n.codes {
                recoded.insert(n.id, Narrative { codes, ..n });
            }
        }
    }
    // Written only when changed: a write marks the study for the next sync to read.
    if book != our_book {
        changes.push(Change::Codebook(book));
    }
    changes.extend(recoded.values().cloned().map(Change::Narrative));

    let our_variables = store.variables()?;
    let variables = match relations.of(record::VARIABLES) {
        Relation::TheirsReplacesOurs => theirs.variables.clone(),
        Relation::OursReplacesTheirs => store.variables()?,
        Relation::Concurrent => {
            // A variable of one name made on two laptops is one variable,
            // as the leading list defines it.
            let ours = store.variables()?;
            let (mut variables, other) = if relations.ours_leads(&ours, &theirs.variables) {
                (ours, theirs.variables.clone())
            } else {
                (theirs.variables.clone(), ours)
            };
            for v in other.variables {
                if variables.get(&v.name).is_none() {
                    variables.variables.push(v);
                }
            }
            variables
        }
    };
    if variables != our_variables {
        changes.push(Change::Variables(variables));
    }
    let our_kinds = store.effort_kinds()?;
    let our_kinds_before = our_kinds.clone();
    let kinds = match relations.of(record::EFFORT_KINDS) {
        Relation::TheirsReplacesOurs => theirs.effort_kinds.clone(),
        Relation::OursReplacesTheirs => our_kinds,
        Relation::Concurrent => {
            let (mut kinds, other) = if relations.ours_leads(&our_kinds, &theirs.effort_kinds) {
                (our_kinds, theirs.effort_kinds.clone())
            } else {
                (theirs.effort_kinds.clone(), our_kinds)
            };
            for k in &other.kinds {
                kinds.learn(k);
            }
            kinds
        }
    };
    if kinds != our_kinds_before {
        changes.push(Change::EffortKinds(kinds));
    }

    // Cases are the same case when their codes are the same.
    let our_cases = store.cases()?;
    let mut case_map: HashMap<Id, Id> = HashMap::new();
    let mut renumbered = Renumbered::default();
    for case in &theirs.cases {
        match our_cases.iter().find(|c| c.code == case.code) {
            Some(found) => {
                // In a sync, a case made under one code on two laptops keeps
                // the smaller of its ids on every laptop (see `renumber`).
                let id = if relations.settles_alike() { found.id.min(case.id) } else { found.id };
                if id != found.id {
                    renumbered.insert(found.id, id);
                    changes.push(Change::RemoveCase(found.id));
                }
                let mine = &Case { id, ..found.clone() };
                case_map.insert(case.id, id);
                match relations.of(&record::case(&case.code)) {
                    Relation::OursReplacesTheirs => {
                        if mine != found {
                            changes.push(Change::Case(mine.clone()));
                        }
                        continue;
                    }
                    Relation::TheirsReplacesOurs => {
                        let taken = Case { id, ..case.clone() };
                        if taken != *found {
                            changes.push(Change::Case(taken));
                        }
                        continue;
                    }
                    Relation::Concurrent => {}
                }
                let theirs_here = Case { id: mine.id, ..case.clone() };
                let ours_lead = relations.ours_leads(mine, &theirs_here);
                let (mut merged, other) =
                    if ours_lead { (mine.clone(), theirs_here) } else { (theirs_here, mine.clone()) };
                for (key, value) in &other.attributes {
                    match merged.attributes.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                        None => merged.attributes.push((key.clone(), value.clone())),
                        Some((_, v)) if v != value => {
                            let (here, there) = if ours_lead { (v, value) } else { (value, v) };
                            report.conflicts.push(format!(
                                "case {}: {key} is {here:?} here and {there:?} in the backup; kept {v:?}",
                                case.code
                            ))
                        }
                        Some(_) => {}
                    }
                }
                if merged != *found {
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

    changes.extend(renumbered.rewrites(store)?);

    let their_masks = theirs.masks.as_ref();
    match relations.of(record::MASKS) {
        Relation::TheirsReplacesOurs => changes.extend(their_masks.cloned().map(Change::MaskList)),
        Relation::OursReplacesTheirs => {}
        Relation::Concurrent => {
            merge_masks(store, their_masks, &case_map, relations, &renumbered, &mut changes, &mut report)?
        }
    }

    let follow_up = super::merge_followup::merge_follow_up(
        store,
        &theirs,
        &case_map,
        relations,
        &renumbered,
        &mut report,
    )?;

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
                let mine = renumbered.session(mine);
                // A recording or a consent this side has not got, or made from
                // ours, comes in; of two made apart, the leading one.
                let comes_in =
                    |name: String, ours: Option<u64>, theirs: u64| match (ours, relations.of(&name)) {
                        (None, _) | (_, Relation::TheirsReplacesOurs) => true,
                        (_, Relation::OursReplacesTheirs) => false,
                        (Some(ours), Relation::Concurrent) => {
                            ours != theirs && !relations.ours_leads(&ours, &theirs)
                        }
                    };
                if let Some(r) = theirs_session.recording {
                    let ours = store.recording(mine.id)?.map(|o| version(&o));
                    if comes_in(record::recording(mine.id), ours, version(&r)) {
                        changes.push(Change::Recording(r));
                    }
                }
                if let Some(c) = theirs_session.consent {
                    let ours = store.consent(mine.id)?.map(|o| version(&o));
                    if comes_in(record::consent(mine.id), ours, version(&c)) {
                        changes.push(Change::Consent(c));
                    }
                }
                let our_retimings = store.retimings(mine.id)?;
                for retiming in theirs_session.retimings {
                    if !our_retimings.iter().any(|r| r.seq == retiming.seq && r.at == retiming.at) {
                        changes.push(Change::Retiming(retiming));
                    }
                }
                let merged = match relations.of(&record::session(mine.id)) {
                    Relation::Concurrent if relations.ours_leads(&mine, &session) => {
                        merge_session(&mine, &session)
                    }
                    Relation::Concurrent => merge_session(&session, &mine),
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
        narrative.codes = mapped_codes(&narrative.codes, &code_map);
        let ours = match recoded.get(&narrative.id) {
            Some(n) => Some(n.clone()),
            None => store.narrative(narrative.id)?,
        };
        match ours {
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

    let our_efforts: Vec<_> = store.efforts()?.into_iter().map(|e| renumbered.effort(e)).collect();
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
                // An effort that has ended is the newer account of it; of
                // two that say alike, the leading one.
                let theirs_taken = match (mine.end, effort.end) {
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                    _ => !relations.ours_leads(mine, &effort),
                };
                report.conflicts.push(format!(
                    "effort {:?}: the two sides differ; kept {}",
                    mine.kind,
                    if theirs_taken { "the backup's" } else { "this one" }
                ));
                if theirs_taken {
                    changes.push(Change::Effort(effort));
                }
            }
        }
    }
    let our_links: Vec<_> = store.links()?.into_iter().map(|l| renumbered.link(l)).collect();
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
                let (mut merged, other) = if relations.ours_leads(mine, &link) {
                    (mine.clone(), link)
                } else {
                    (link, mine.clone())
                };
                for n in &other.narratives {
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
