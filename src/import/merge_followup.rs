//! Merging the follow-up year's facts of another fieldworker's backup:
//! contact ledgers joined per case (a mark or dropout only one side has is
//! taken; where both differ the leading ledger's is kept and the
//! difference listed), narrated times and recruitment entries added where
//! new. A version made from ours (a sync knows) is taken as it is.

use super::merge::MergeReport;
use crate::domain::contacts::ContactLedger;
use crate::domain::Id;
use crate::export::json::StudyExport;
use crate::import::lineage::{record, Relation, Relations};
use crate::store::{Change, Store, StoreError};
use std::collections::HashMap;

pub fn merge_follow_up(
    store: &Store,
    theirs: &StudyExport,
    case_map: &HashMap<Id, Id>,
    relations: &Relations,
    renumbered: &super::renumber::Renumbered,
    report: &mut MergeReport,
) -> Result<Vec<Change>, StoreError> {
    let mut changes = Vec::new();
    if let Some(plan) = &theirs.contact_plan {
        let ours = store.contact_plan()?;
        let unset = ours == Default::default();
        match relations.of(record::CONTACT_PLAN) {
            _ if ours == *plan => {}
            Relation::TheirsReplacesOurs => changes.push(Change::ContactPlan(plan.clone())),
            Relation::OursReplacesTheirs => {}
            Relation::Concurrent if unset => changes.push(Change::ContactPlan(plan.clone())),
            Relation::Concurrent if *plan == Default::default() => {}
            Relation::Concurrent => {
                let taken = !relations.ours_leads(&ours, plan);
                report.conflicts.push(format!(
                    "the contact rhythm is every {} months here and every {} in the backup; kept {}",
                    ours.every_months,
                    plan.every_months,
                    if taken { "the backup's" } else { "this one" }
                ));
                if taken {
                    changes.push(Change::ContactPlan(plan.clone()));
                }
            }
        }
    }
    let code_of = |id: Id| {
        let cases = &theirs.cases;
        cases.iter().find(|c| c.id == id).map_or(String::new(), |c| c.code.to_string())
    };
    for their_ledger in &theirs.contact_ledgers {
        let case_id = case_map.get(&their_ledger.case_id).copied().unwrap_or(their_ledger.case_id);
        let theirs_here = ContactLedger { case_id, ..their_ledger.clone() };
        // A ledger still under the id its case gives way from counts as under the new one.
        let mine = match (store.contact_ledger(case_id)?, renumbered.old_of(case_id)) {
            (None, Some(old)) => store.contact_ledger(old)?.map(|l| ContactLedger { case_id, ..l }),
            (found, _) => found,
        };
        let Some(mine) = mine else {
            changes.push(Change::ContactLedger(theirs_here));
            continue;
        };
        match relations.of(&record::ledger(their_ledger.case_id)) {
            _ if mine == theirs_here => continue,
            Relation::TheirsReplacesOurs => {
                changes.push(Change::ContactLedger(theirs_here));
                continue;
            }
            Relation::OursReplacesTheirs => continue,
            Relation::Concurrent => {}
        }
        // The later ledger leads; on a tie, the one every laptop picks alike.
        let ours_lead = if relations.settles_alike() && mine.updated != theirs_here.updated {
            mine.updated > theirs_here.updated
        } else {
            relations.ours_leads(&mine, &theirs_here)
        };
        let (lead, other) = if ours_lead { (&mine, &theirs_here) } else { (&theirs_here, &mine) };
        let mut merged = lead.clone();
        let code = code_of(their_ledger.case_id);
        for mark in &other.marks {
            match lead.marks.iter().find(|m| m.point == mark.point) {
                None => merged.marks.push(mark.clone()),
                Some(m) if m == mark => {}
                Some(m) => {
                    let (ours, backups) = if ours_lead { (m, mark) } else { (mark, m) };
                    report.conflicts.push(format!(
                        "case {code} contact {}: {} here and {} in the backup; kept {}",
                        mark.point,
                        ours.kind.word(),
                        backups.kind.word(),
                        m.kind.word()
                    ))
                }
            }
        }
        merged.marks.sort_by_key(|m| m.point);
        merged.every_months = lead.every_months.or(other.every_months);
        merged.points = lead.points.or(other.points);
        merged.start = lead.start.or(other.start);
        match (&lead.dropout, &other.dropout) {
            (None, Some(out)) => merged.dropout = Some(out.clone()),
            (Some(a), Some(b)) if a != b => {
                let (ours, backups) = if ours_lead { (a, b) } else { (b, a) };
                report.conflicts.push(format!(
                    "case {code}: dropped out {} here and {} in the backup; kept {}",
                    ours.date, backups.date, a.date
                ))
            }
            _ => {}
        }
        if merged != mine {
            changes.push(Change::ContactLedger(merged));
        }
    }
    let our_times = store.narrated_times()?;
    for time in &theirs.narrated_times {
        match our_times.iter().find(|t| t.narrative == time.narrative) {
            None => changes.push(Change::NarratedTime(time.clone())),
            Some(t) if t == time => {}
            Some(t) => match relations.of(&record::narrated(time.narrative)) {
                Relation::TheirsReplacesOurs => changes.push(Change::NarratedTime(time.clone())),
                Relation::OursReplacesTheirs => {}
                Relation::Concurrent => {
                    let taken = !relations.ours_leads(t, time);
                    report.conflicts.push(format!(
                        "narrative {}: told of {} here and of {} in the backup; kept {}",
                        time.narrative.short(),
                        t.when,
                        time.when,
                        if taken { &time.when } else { &t.when }
                    ));
                    if taken {
                        changes.push(Change::NarratedTime(time.clone()));
                    }
                }
            },
        }
    }
    let our_recruitment = store.recruitment()?;
    for entry in &theirs.recruitment {
        let taken = match our_recruitment.iter().find(|r| r.id == entry.id) {
            None => true,
            Some(r) if r == entry => false,
            Some(r) => match relations.of(&record::recruitment(entry.id)) {
                Relation::TheirsReplacesOurs => true,
                Relation::OursReplacesTheirs => false,
                Relation::Concurrent => !relations.ours_leads(r, entry),
            },
        };
        if taken {
            changes.push(Change::Recruitment(entry.clone()));
        }
    }
    Ok(changes)
}
