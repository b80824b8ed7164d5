//! How alike researchers flag and code the same sessions: Krippendorff's α
//! per code group over the narratives they both flagged, α for where
//! narratives start and end over the lines, and the disagreements to talk
//! over.
//!
//! Definitions (the README repeats them for reviewers):
//! - A **unit** is one passage as several coders flagged it: narratives of
//!   different coders in one session are the same unit when their spans
//!   overlap by more than half (lines in both / lines in either > 0.5).
//!   Each coder's narratives are taken in order of their first line and
//!   join the unit that overlaps them most; at most one per coder a unit.
//! - A **code group's value** for a narrative: for one-of and scale groups
//!   its code of the group (scale: its rank), for any-of groups the set of
//!   its codes of the group as one nominal value. A narrative with no code
//!   of the group gives no value (a missing value). One-of and any-of
//!   groups are nominal, scale groups ordinal.
//! - **Where narratives start and end**: in every session that at least two
//!   of the coders flagged narratives in, each line (tombstones left out)
//!   is a unit, and each of those coders gives it one of three values:
//!   *begins* (a narrative of theirs starts on it), *continues* (one of
//!   theirs covers it) or *outside*; nominal α over those.

mod alpha;

pub use alpha::{alpha, Level};

use super::{CodeGroup, Codebook, GroupKind, Id, Narrative};
use std::collections::{BTreeMap, HashMap};

/// Narratives of several coders that flag one passage.
#[derive(Clone, Debug)]
pub struct Unit {
    pub session: Id,
    /// By coder (author).
    pub by: BTreeMap<String, Narrative>,
}

fn lines(n: &Narrative) -> u32 {
    n.last_seq.saturating_sub(n.first_seq) + 1
}

/// Lines in both spans over lines in either.
fn overlap(a: &Narrative, b: &Narrative) -> f64 {
    let shared = (a.last_seq.min(b.last_seq) + 1).saturating_sub(a.first_seq.max(b.first_seq));
    f64::from(shared) / f64::from(lines(a) + lines(b) - shared)
}

/// The units of the coders' narratives (deleted ones left out), session by session.
pub fn units(narratives: &[Narrative], coders: &[String]) -> Vec<Unit> {
    let mut by_session: BTreeMap<Id, Vec<Unit>> = BTreeMap::new();
    for coder in coders {
        let mut own: Vec<&Narrative> =
            narratives.iter().filter(|n| !n.deleted && &n.author == coder).collect();
        own.sort_by_key(|n| (n.session, n.first_seq, n.last_seq, n.id));
        for n in own {
            let units = by_session.entry(n.session).or_default();
            let best = units
                .iter_mut()
                .filter(|u| !u.by.contains_key(coder))
                .map(|u| {
                    let first = u.by.values().next().expect("a unit holds a narrative");
                    (overlap(first, n), u)
                })
                .filter(|(share, _)| *share > 0.5)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((_, unit)) => {
                    unit.by.insert(coder.clone(), n.clone());
                }
                None => {
                    units.push(Unit { session: n.session, by: BTreeMap::from([(coder.clone(), n.clone())]) })
                }
            }
        }
    }
    by_session.into_values().flatten().collect()
}

/// A narrative's value for a group (see the module's definitions).
pub fn value(group: &CodeGroup, n: &Narrative) -> Option<u32> {
    let held: Vec<u32> = group
        .codes
        .iter()
        .enumerate()
        .filter(|(_, c)| n.codes.contains(&c.id))
        .map(|(i, _)| i as u32)
        .collect();
    match (group.kind, held.as_slice()) {
        (_, []) => None,
        (GroupKind::AnyOf, _) => {
            Some(held.iter().fold(0u32, |set, i| set | 1u32.checked_shl(*i).unwrap_or(0)) + 1)
        }
        (_, [first, ..]) => Some(*first + 1),
    }
}

/// What a value of a group says, in the group's words.
pub fn value_words(group: &CodeGroup, n: &Narrative) -> String {
    let names: Vec<&str> =
        group.codes.iter().filter(|c| n.codes.contains(&c.id)).map(|c| c.name.as_str()).collect();
    if names.is_empty() {
        "nothing".into()
    } else {
        names.join(" + ")
    }
}

/// α for one code group.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupAgreement {
    pub group: String,
    pub kind: GroupKind,
    pub level: Level,
    pub alpha: Option<f64>,
    /// Units with values from two coders or more.
    pub units: usize,
}

pub fn group_agreement(group: &CodeGroup, units: &[Unit]) -> GroupAgreement {
    let data: Vec<Vec<u32>> =
        units.iter().map(|u| u.by.values().filter_map(|n| value(group, n)).collect()).collect();
    let level = if group.kind == GroupKind::Scale { Level::Ordinal } else { Level::Nominal };
    GroupAgreement {
        group: group.name.clone(),
        kind: group.kind,
        level,
        alpha: alpha(&data, level),
        units: data.iter().filter(|d| d.len() >= 2).count(),
    }
}

/// α for where narratives start and end, and how many lines it is over.
pub fn boundary_agreement(
    narratives: &[Narrative],
    coders: &[String],
    lines_of: &HashMap<Id, Vec<u32>>,
) -> (Option<f64>, usize) {
    const OUTSIDE: u32 = 0;
    const BEGINS: u32 = 1;
    const CONTINUES: u32 = 2;
    let mut data = Vec::new();
    for (session, seqs) in lines_of {
        let flagged: Vec<(&String, Vec<&Narrative>)> = coders
            .iter()
            .map(|c| {
                (
                    c,
                    narratives
                        .iter()
                        .filter(|n| !n.deleted && n.session == *session && &n.author == c)
                        .collect(),
                )
            })
            .filter(|(_, own): &(&String, Vec<&Narrative>)| !own.is_empty())
            .collect();
        if flagged.len() < 2 {
            continue;
        }
        for seq in seqs {
            let values = flagged.iter().map(|(_, own)| {
                if own.iter().any(|n| n.first_seq == *seq) {
                    BEGINS
                } else if own.iter().any(|n| n.covers(*seq)) {
                    CONTINUES
                } else {
                    OUTSIDE
                }
            });
            data.push(values.collect::<Vec<u32>>());
        }
    }
    (alpha(&data, Level::Nominal), data.len())
}

/// A passage the coders did not flag or code alike.
#[derive(Clone, Debug, PartialEq)]
pub struct Disagreement {
    /// The passage's index in the units it was found in.
    pub unit: usize,
    pub session: Id,
    pub first_seq: u32,
    pub last_seq: u32,
    /// What each coder did, in words: `anna: agency high`, or who did not flag it.
    pub said: Vec<String>,
    pub what: String,
}

/// Every unit flagged by some coders and not others (in a session all of
/// them flagged in), and every group coded differently within a unit.
pub fn disagreements(units: &[Unit], coders: &[String], codebook: &Codebook) -> Vec<Disagreement> {
    let mut out = Vec::new();
    let coded_session =
        |session: Id, coder: &String| units.iter().any(|u| u.session == session && u.by.contains_key(coder));
    for (index, u) in units.iter().enumerate() {
        let first = u.by.values().map(|n| n.first_seq).min().unwrap_or(0);
        let last = u.by.values().map(|n| n.last_seq).max().unwrap_or(0);
        let missing: Vec<&String> =
            coders.iter().filter(|c| !u.by.contains_key(*c) && coded_session(u.session, c)).collect();
        if !missing.is_empty() {
            let mut said: Vec<String> =
                u.by.iter()
                    .map(|(c, n)| format!("{c}: flagged lines {}–{}", n.first_seq, n.last_seq))
                    .collect();
            said.extend(missing.iter().map(|c| format!("{c}: not flagged")));
            out.push(Disagreement {
                unit: index,
                session: u.session,
                first_seq: first,
                last_seq: last,
                said,
                what: "flagged by some only".into(),
            });
        }
        for group in &codebook.groups {
            let values: Vec<Option<u32>> = u.by.values().map(|n| value(group, n)).collect();
            if u.by.len() >= 2 && values.windows(2).any(|w| w[0] != w[1]) {
                let said = u.by.iter().map(|(c, n)| format!("{c}: {}", value_words(group, n))).collect();
                out.push(Disagreement {
                    unit: index,
                    session: u.session,
                    first_seq: first,
                    last_seq: last,
                    said,
                    what: group.name.clone(),
                });
            }
        }
    }
    out
}

/// The author of the versions a team settles on (see `settlement`).
pub const TEAM: &str = "team";

/// Whether the team has settled this passage: a team narrative (kept or
/// deleted: "not a narrative") overlaps it as its coders' narratives overlap each other.
pub fn settled(unit: &Unit, all: &[Narrative]) -> bool {
    let Some(first) = unit.by.values().next() else { return true };
    all.iter().any(|n| n.author == TEAM && n.session == unit.session && overlap(first, n) > 0.5)
}

/// The team's version of a passage: a copy of the coder's narrative
/// chosen, by the team; `None` chosen settles that it is no narrative (a
/// deleted team copy records the decision). The originals stay as they are.
/// Its id is derived from the passage's first narrative, so two laptops
/// that settle one passage settle one record.
pub fn settlement(
    unit: &Unit,
    chosen: Option<&Narrative>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Option<Narrative> {
    let first = unit.by.values().next()?;
    let base = chosen.unwrap_or(first);
    Some(Narrative {
        id: first.id.derived("settled by the team"),
        author: TEAM.into(),
        created: now,
        updated: now,
        deleted: chosen.is_none(),
        ..base.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn narrative(author: &str, from: u32, to: u32) -> Narrative {
        let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        Narrative {
            id: Id::new(),
            session: Id::from_bytes([1; 16]),
            first_seq: from,
            last_seq: to,
            title: format!("{author} {from}"),
            codes: vec![],
            memo: String::new(),
            author: author.into(),
            created: t,
            updated: t,
            deleted: false,
        }
    }

    #[test]
    fn narratives_overlapping_by_more_than_half_are_one_passage() {
        let all = vec![
            narrative("anna", 1, 4),
            narrative("bo", 2, 4), // 3 of 4 lines: one passage with anna's 1–4
            narrative("anna", 8, 9),
            narrative("bo", 9, 12), // 1 of 5 lines: a passage of its own
        ];
        let units = units(&all, &["anna".into(), "bo".into()]);
        let shapes: Vec<Vec<(&str, u32)>> =
            units.iter().map(|u| u.by.iter().map(|(c, n)| (c.as_str(), n.first_seq)).collect()).collect();
        assert_eq!(shapes, [vec![("anna", 1), ("bo", 2)], vec![("anna", 8)], vec![("bo", 9)]]);
    }

    #[test]
    fn a_settled_passage_has_a_team_version_and_keeps_both_originals() {
        let all = vec![narrative("anna", 1, 4), narrative("bo", 2, 4)];
        let unit = &units(&all, &["anna".into(), "bo".into()])[0];
        assert!(!settled(unit, &all));
        let now = all[0].created;
        let team = settlement(unit, unit.by.get("bo"), now).unwrap();
        assert_eq!((team.author.as_str(), team.first_seq, team.deleted), (TEAM, 2, false));
        assert_ne!(team.id, all[1].id);
        let mut with_team = all.clone();
        with_team.push(team);
        assert!(settled(unit, &with_team));
        let none = settlement(unit, None, now).unwrap();
        assert!(none.deleted && settled(unit, &[all[0].clone(), none]));
    }
}
