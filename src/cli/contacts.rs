//! Commands for the contact ledger, the recruitment log and narrated time.

use super::args_followup::{ContactCommand, RecruitCommand};
use super::commands::{find_case, now, print_json};
use crate::domain::contacts::entry::beyond_plan;
use crate::domain::contacts::{
    points_of, ContactLedger, ContactMarkKind, ContactPlan, Dropout, Recruitment, RecruitmentOutcome,
};
use crate::domain::followup::parse_date;
use crate::domain::narrated::{NarratedTime, NarratedWhen};
use crate::domain::text::sanitise;
use crate::domain::{CaseCode, Id};
use crate::store::{Change, Store};
use anyhow::bail;
use serde_json::json;

pub fn contact(store: &Store, command: ContactCommand) -> anyhow::Result<()> {
    match command {
        ContactCommand::Plan { every, points, case: None, start: _ } => {
            let mut plan = store.contact_plan()?;
            if every.is_none() && points.is_none() {
                bail!("say what to change: --every MONTHS, --points N or both");
            }
            plan.every_months = every.unwrap_or(plan.every_months);
            plan.points = points.unwrap_or(plan.points);
            ContactPlan::check(plan.every_months, plan.points).map_err(anyhow::Error::msg)?;
            store.commit(&[Change::ContactPlan(plan.clone())])?;
            println!("a contact every {} months, {} contact points", plan.every_months, plan.points);
            Ok(())
        }
        ContactCommand::Plan { every, points, case: Some(code), start } => {
            if every.is_none() && points.is_none() && start.is_none() {
                bail!("say what to change for case {code}: --every MONTHS, --points N or --start DATE");
            }
            let study = store.contact_plan()?;
            ContactPlan::check(every.unwrap_or(study.every_months), points.unwrap_or(study.points))
                .map_err(anyhow::Error::msg)?;
            let start = start.as_deref().map(parse_date).transpose().map_err(anyhow::Error::msg)?;
            edit_ledger(store, &code, |ledger| {
                ledger.every_months = every.or(ledger.every_months);
                ledger.points = points.or(ledger.points);
                ledger.start = start.or(ledger.start);
                Ok(())
            })?;
            println!("case {code} has its own contact rhythm");
            Ok(())
        }
        ContactCommand::Missed { case, point, reason } => {
            let id = find_case(store, &case)?.id;
            let held =
                store.sessions()?.iter().filter(|s| s.case_id == id && s.contact_point == point).count();
            if held > 0 {
                bail!(
                    "contact {point} of case {case} has {held} session(s), so it was not missed: mark it partial if it was held only in part"
                );
            }
            within_plan(store, &case, point)?;
            edit_ledger(store, &case, |l| l.mark(point, Some(ContactMarkKind::Missed), &reason))?;
            println!("case {case} contact {point}: missed");
            Ok(())
        }
        ContactCommand::Partial { case, point, reason } => {
            within_plan(store, &case, point)?;
            edit_ledger(store, &case, |l| l.mark(point, Some(ContactMarkKind::Partial), &reason))?;
            println!("case {case} contact {point}: held in part");
            Ok(())
        }
        ContactCommand::Clear { case, point } => {
            edit_ledger(store, &case, |l| l.mark(point, None, ""))?;
            println!("case {case} contact {point}: no mark");
            Ok(())
        }
        ContactCommand::Dropout { case, clear: true, .. } => {
            edit_ledger(store, &case, |l| {
                l.dropout = None;
                Ok(())
            })?;
            println!("case {case} is in the follow-up again: no dropout");
            Ok(())
        }
        ContactCommand::Dropout { case, date, reason, clear: false } => {
            let date = parse_date(&date.unwrap_or_default()).map_err(anyhow::Error::msg)?;
            let reason = sanitise(&reason.unwrap_or_default()).trim().to_string();
            if reason.is_empty() {
                bail!("say why case {case} dropped out: --reason TEXT");
            }
            edit_ledger(store, &case, |l| {
                l.dropout = Some(Dropout { date, reason: reason.clone() });
                Ok(())
            })?;
            println!("case {case} dropped out on {date}");
            let id = find_case(store, &case)?.id;
            let sessions = store.sessions()?;
            let later =
                sessions.iter().filter(|s| s.case_id == id && s.clock.started.date_naive() > date).count();
            if later > 0 {
                eprintln!(
                    "note: case {case} has {later} session(s) after {date}; their contacts still count as kept (contact dropout {case} --clear takes the dropout off)"
                );
            }
            Ok(())
        }
        ContactCommand::List { case, json } => list(store, case.as_deref(), json),
    }
}

/// Refuses a mark on a point past the case's contact points.
fn within_plan(store: &Store, code: &str, point: u32) -> anyhow::Result<()> {
    let case = find_case(store, code)?;
    let ledger = store.contact_ledger(case.id)?;
    let points = points_of(&case, &store.sessions()?, &store.contact_plan()?, ledger.as_ref());
    beyond_plan(point, points).map_err(|why| anyhow::anyhow!(why.replace("CODE", code)))
}

/// Changes a case's ledger (made if it has none) and saves it, or says why not.
fn edit_ledger(
    store: &Store,
    code: &str,
    edit: impl FnOnce(&mut ContactLedger) -> Result<(), String>,
) -> anyhow::Result<()> {
    let case = find_case(store, code)?;
    let mut ledger = store.contact_ledger(case.id)?.unwrap_or_else(|| ContactLedger::new(case.id, now()));
    edit(&mut ledger).map_err(anyhow::Error::msg)?;
    ledger.updated = now();
    store.commit(&[Change::ContactLedger(ledger)])?;
    Ok(())
}

fn list(store: &Store, only: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let only = only.map(|code| find_case(store, code)).transpose()?;
    let rows = store.case_contacts(now().date_naive())?;
    let rows: Vec<_> =
        rows.into_iter().filter(|r| only.as_ref().is_none_or(|c| c.code.as_str() == r.case)).collect();
    if as_json {
        let value: Vec<_> = rows
            .iter()
            .map(|r| {
                let points: Vec<_> = r
                    .points
                    .iter()
                    .map(|p| {
                        let reason = match &p.status {
                            crate::domain::contacts::ContactStatus::Missed(r)
                            | crate::domain::contacts::ContactStatus::Partial(r) => r.as_str(),
                            _ => "",
                        };
                        json!({ "point": p.point, "due": p.due, "status": p.status.word(), "reason": reason })
                    })
                    .collect();
                json!({
                    "case": r.case, "points": points, "kept": r.kept(), "partial": r.partial(),
                    "missed": r.missed(), "dropout": r.dropout.as_ref().map(|d| json!({ "date": d.date, "reason": d.reason })),
                })
            })
            .collect();
        print_json(&value);
        return Ok(());
    }
    for r in &rows {
        let points: Vec<String> =
            r.points.iter().map(|p| format!("{} {}", p.point, p.status.sign())).collect();
        let out =
            r.dropout.as_ref().map_or(String::new(), |d| format!("  dropped out {}: {}", d.date, d.reason));
        println!(
            "{:<8} {}  contacts {}, missed {}{out}",
            r.case,
            points.join("  "),
            crate::domain::contacts::kept_and_partial(r.kept(), r.partial()),
            r.missed()
        );
    }
    Ok(())
}

pub fn recruit(store: &Store, command: RecruitCommand) -> anyhow::Result<()> {
    match command {
        RecruitCommand::Add { label, asked, outcome, via, reason } => {
            let label = CaseCode::parse(&label).map_err(|_| {
                anyhow::anyhow!(
                    "recruitment label {label:?} is not valid: use 1 to 8 letters or digits, never a name"
                )
            })?;
            let entry = Recruitment {
                id: Id::new(),
                label,
                asked: parse_date(&asked).map_err(anyhow::Error::msg)?,
                via: sanitise(&via).trim().to_string(),
                outcome: RecruitmentOutcome::parse(&outcome).map_err(anyhow::Error::msg)?,
                reason: sanitise(&reason).trim().to_string(),
                created: now(),
            };
            store.commit(&[Change::Recruitment(entry.clone())])?;
            println!("{}: {} on {}", entry.label, entry.outcome.word(), entry.asked);
            Ok(())
        }
        RecruitCommand::List { json: as_json } => {
            let mut log = store.recruitment()?;
            log.sort_by(|a, b| (a.asked, a.label.as_str()).cmp(&(b.asked, b.label.as_str())));
            if as_json {
                print_json(&log);
                return Ok(());
            }
            for r in &log {
                let why = if r.reason.is_empty() { String::new() } else { format!(" — {}", r.reason) };
                let via = if r.via.is_empty() { String::new() } else { format!(" (via {})", r.via) };
                println!("{}  {:<8} {}{via}{why}", r.asked, r.label.as_str(), r.outcome.word());
            }
            let counts: Vec<String> = RecruitmentOutcome::ALL
                .iter()
                .map(|o| format!("{} {}", log.iter().filter(|r| r.outcome == *o).count(), o.word()))
                .collect();
            println!("{} asked: {}", log.len(), counts.join(", "));
            Ok(())
        }
    }
}

pub fn narrative_when(store: &Store, id: &str, when: &str) -> anyhow::Result<()> {
    let narrative = super::analysis::find_narrative(store, id)?;
    if when.trim() == "clear" {
        store.commit(&[Change::ClearNarratedTime(narrative.id)])?;
        println!("“{}”: no narrated time", narrative.title);
        return Ok(());
    }
    let when = NarratedWhen::parse(when).map_err(anyhow::Error::msg)?;
    store.commit(&[Change::NarratedTime(NarratedTime { narrative: narrative.id, when })])?;
    println!("“{}” tells of {when}", narrative.title);
    Ok(())
}
