//! Merging the follow-up year's facts of another fieldworker's backup:
//! contact ledgers joined per case (a mark or dropout only one side has is
//! taken; where both differ ours is kept and the difference listed),
//! narrated times and recruitment entries added where new.

use super::merge::MergeReport;
use crate::domain::contacts::ContactLedger;
use crate::domain::Id;
use crate::export::json::StudyExport;
use crate::store::{Change, Store, StoreError};
use std::collections::HashMap;

pub fn merge_follow_up(
    store: &Store,
    theirs: &StudyExport,
    case_map: &HashMap<Id, Id>,
    report: &mut MergeReport,
) -> Result<Vec<Change>, StoreError> {
    let mut changes = Vec::new();
    if let Some(plan) = &theirs.contact_plan {
        let ours = store.contact_plan()?;
        if ours == Default::default() {
            changes.push(Change::ContactPlan(plan.clone()));
        } else if ours != *plan {
            report.conflicts.push(format!(
                "the contact rhythm is every {} months here and every {} in the backup; kept this one",
                ours.every_months, plan.every_months
            ));
        }
    }
    let code_of = |id: Id| {
        let cases = &theirs.cases;
        cases.iter().find(|c| c.id == id).map_or(String::new(), |c| c.code.to_string())
    };
    for their_ledger in &theirs.contact_ledgers {
        let case_id = case_map.get(&their_ledger.case_id).copied().unwrap_or(their_ledger.case_id);
        let theirs_here = ContactLedger { case_id, ..their_ledger.clone() };
        let Some(mine) = store.contact_ledger(case_id)? else {
            changes.push(Change::ContactLedger(theirs_here));
            continue;
        };
        let mut merged = mine.clone();
        let code = code_of(their_ledger.case_id);
        for mark in &theirs_here.marks {
            match mine.marks.iter().find(|m| m.point == mark.point) {
                None => merged.marks.push(mark.clone()),
                Some(m) if m == mark => {}
                Some(m) => report.conflicts.push(format!(
                    "case {code} contact {}: {} here and {} in the backup; kept {}",
                    mark.point,
                    m.kind.word(),
                    mark.kind.word(),
                    m.kind.word()
                )),
            }
        }
        merged.marks.sort_by_key(|m| m.point);
        merged.every_months = mine.every_months.or(theirs_here.every_months);
        merged.points = mine.points.or(theirs_here.points);
        merged.start = mine.start.or(theirs_here.start);
        match (&mine.dropout, &theirs_here.dropout) {
            (None, Some(out)) => merged.dropout = Some(out.clone()),
            (Some(a), Some(b)) if a != b => report.conflicts.push(format!(
                "case {code}: dropped out {} here and {} in the backup; kept {}",
                a.date, b.date, a.date
            )),
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
            Some(t) => report.conflicts.push(format!(
                "narrative {}: told of {} here and of {} in the backup; kept {}",
                time.narrative.short(),
                t.when,
                time.when,
                t.when
            )),
        }
    }
    let our_recruitment = store.recruitment()?;
    for entry in &theirs.recruitment {
        if !our_recruitment.iter().any(|r| r.id == entry.id) {
            changes.push(Change::Recruitment(entry.clone()));
        }
    }
    Ok(changes)
}
