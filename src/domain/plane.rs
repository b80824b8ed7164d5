//! Each case on a plane of two scale code groups (Figur 5.2: agency × work
//! identity), one position per contact point, so its path between
//! contacts shows how it moved. A position is the mean place on each scale
//! of the narratives told at that contact (0 the scale's first code, 1 its
//! last); a contact without narratives on both scales has no position.

use super::{Case, CodeGroup, GroupKind, Narrative, Session};

#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    pub point: u32,
    pub x: f32,
    pub y: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CasePath {
    pub case: String,
    pub positions: Vec<Position>,
}

/// Checks that a group can be an axis: a scale of two or more codes.
pub fn axis(group: &CodeGroup) -> Result<&CodeGroup, String> {
    if group.kind != GroupKind::Scale {
        return Err(format!("code group {:?} is not a scale: a plane's axes are scale groups", group.name));
    }
    if group.codes.len() < 2 {
        return Err(format!("code group {:?} has fewer than two codes: an axis needs a scale", group.name));
    }
    Ok(group)
}

/// Where a narrative stands on a scale, if it carries one of its codes.
fn place(group: &CodeGroup, n: &Narrative) -> Option<f32> {
    let i = group.codes.iter().position(|c| n.codes.contains(&c.id))?;
    Some(i as f32 / (group.codes.len() - 1) as f32)
}

fn mean(values: &[f32]) -> Option<f32> {
    (!values.is_empty()).then(|| values.iter().sum::<f32>() / values.len() as f32)
}

pub fn plane(
    cases: &[Case],
    sessions: &[Session],
    narratives: &[Narrative],
    x: &CodeGroup,
    y: &CodeGroup,
) -> Vec<CasePath> {
    cases
        .iter()
        .map(|case| {
            let mut points: Vec<u32> =
                sessions.iter().filter(|s| s.case_id == case.id).map(|s| s.contact_point).collect();
            points.sort_unstable();
            points.dedup();
            let positions = points
                .into_iter()
                .filter_map(|point| {
                    let told: Vec<&Narrative> = narratives
                        .iter()
                        .filter(|n| !n.deleted)
                        .filter(|n| {
                            sessions.iter().any(|s| {
                                s.id == n.session && s.case_id == case.id && s.contact_point == point
                            })
                        })
                        .collect();
                    let xs: Vec<f32> = told.iter().filter_map(|n| place(x, n)).collect();
                    let ys: Vec<f32> = told.iter().filter_map(|n| place(y, n)).collect();
                    Some(Position { point, x: mean(&xs)?, y: mean(&ys)? })
                })
                .collect();
            CasePath { case: case.code.to_string(), positions }
        })
        .collect()
}

/// The code of a scale nearest a place on it.
pub fn nearest(group: &CodeGroup, at: f32) -> &str {
    let i = (at * (group.codes.len() - 1) as f32).round() as usize;
    group.codes.get(i.min(group.codes.len() - 1)).map_or("", |c| c.name.as_str())
}
