//! The time view as an SVG figure for reports: a lane per case over the
//! follow-up's months (two, the person's and the professionals', with
//! `voices`), with the legend inside, so the figure stands on its own.

use super::document::escape;
use crate::domain::timeline::{At, Lane, Timeline, Tone};
use crate::domain::SessionKind;
use std::fmt::Write;

const LEFT: f32 = 56.0;
const BEFORE: f32 = 26.0;
const MONTH: f32 = 64.0;
const TOP: f32 = 34.0;
const LANE: f32 = 28.0;
const LEGEND: f32 = 86.0;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Marks {
    Agency,
    Orientation,
}

fn tone_colour(tone: Tone) -> &'static str {
    match tone {
        Tone::Low => "#d7301f",
        Tone::Middle => "#fdae61",
        Tone::High => "#1a9850",
        Tone::Uncoded => "#ffffff",
    }
}

fn kind_colour(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Interview => "#1f78b4",
        SessionKind::Observation => "#33a02c",
        SessionKind::ProfessionalInterview => "#6a3d9a",
        SessionKind::CaseMeeting => "#b15928",
        SessionKind::Document => "#666666",
    }
}

fn x(at: At) -> f32 {
    LEFT + BEFORE + (at.month as f32 + at.within) * MONTH
}

/// The figure for `timeline`, narratives marked by `marks`.
pub fn timeline_svg(timeline: &Timeline, marks: Marks, voices: bool) -> String {
    let rows = if voices { 2.0 } else { 1.0 };
    let lane_height = LANE * rows;
    let width = LEFT + BEFORE + timeline.months as f32 * MONTH + 16.0;
    let height = TOP + lane_height * timeline.lanes.len() as f32 + LEGEND;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11" role="img"><title>The follow-up year, a lane per case</title>"#
    );
    let _ = write!(out, r##"<rect width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##);
    let bottom = TOP + lane_height * timeline.lanes.len() as f32;
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">before</text>"##,
        LEFT + BEFORE / 2.0,
        TOP - 8.0
    );
    for m in 0..timeline.months {
        let left = LEFT + BEFORE + m as f32 * MONTH;
        let _ = write!(
            out,
            r##"<line x1="{left:.1}" y1="{:.1}" x2="{left:.1}" y2="{bottom:.1}" stroke="#dddddd"/>"##,
            TOP - 4.0
        );
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            left + MONTH / 2.0,
            TOP - 8.0,
            timeline.label(m)
        );
    }
    for (i, lane) in timeline.lanes.iter().enumerate() {
        let y = TOP + i as f32 * lane_height;
        lane_svg(&mut out, lane, y, width, marks, voices);
    }
    legend(&mut out, bottom + 16.0, marks, voices);
    out.push_str("</svg>");
    out
}

fn lane_svg(out: &mut String, lane: &Lane, y: f32, width: f32, marks: Marks, voices: bool) {
    let height = if voices { LANE * 2.0 } else { LANE };
    let _ = write!(
        out,
        r##"<g><rect x="0" y="{y:.1}" width="{width:.0}" height="{height:.1}" fill="#f6f6f6" stroke="#ffffff"/>"##
    );
    let _ = write!(
        out,
        r##"<text x="6" y="{:.1}" font-weight="bold" fill="#000">{}</text>"##,
        y + 17.0,
        escape(&lane.case)
    );
    if voices {
        let _ =
            write!(out, r##"<text x="6" y="{:.1}" font-size="8" fill="#777">prof.</text>"##, y + LANE + 17.0);
    }
    let end = LEFT + BEFORE + (width - LEFT - BEFORE - 16.0);
    for e in &lane.efforts {
        let (from, to) = (x(e.from), e.to.map_or(end, x));
        let tip = if e.outcome.is_empty() { e.kind.clone() } else { format!("{}: {}", e.kind, e.outcome) };
        let _ = write!(
            out,
            r##"<rect x="{from:.1}" y="{:.1}" width="{:.1}" height="6" fill="#e6ab02" opacity="0.7"><title>{}</title></rect>"##,
            y + 19.0,
            (to - from).max(2.0),
            escape(&tip)
        );
    }
    if let Some(d) = lane.dropout {
        let at = x(d);
        let _ = write!(
            out,
            r##"<rect x="{at:.1}" y="{y:.1}" width="{:.1}" height="{height:.1}" fill="#dddddd" opacity="0.8"/>"##,
            (end - at).max(0.0)
        );
        let _ = write!(
            out,
            r##"<line x1="{at:.1}" y1="{y:.1}" x2="{at:.1}" y2="{:.1}" stroke="#d7301f" stroke-width="2"><title>dropped out</title></line>"##,
            y + height
        );
    }
    for s in &lane.sessions {
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="10" height="12" rx="2" fill="{}"><title>{} (contact {})</title></rect>"##,
            x(s.at) - 5.0,
            y + 4.0,
            kind_colour(s.kind),
            s.kind,
            s.contact_point
        );
    }
    for n in &lane.narratives {
        let row = if voices && !n.by_person { LANE } else { 0.0 };
        let (cx, cy) = (x(n.told) + 8.0, y + row + 10.0);
        let narrated = match (n.narrated, n.before) {
            (_, true) => Some(LEFT + BEFORE / 2.0),
            (Some(at), false) => Some(x(at)),
            _ => None,
        };
        if let Some(nx) = narrated {
            let _ = write!(
                out,
                r##"<line x1="{nx:.1}" y1="{cy:.1}" x2="{cx:.1}" y2="{cy:.1}" stroke="#1b9e77" stroke-dasharray="2,2"/>"##
            );
            let _ = write!(
                out,
                r##"<polygon points="{nx:.1},{:.1} {:.1},{cy:.1} {nx:.1},{:.1} {:.1},{cy:.1}" fill="#ffffff" stroke="#1b9e77"><title>told of: {}</title></polygon>"##,
                cy - 5.0,
                nx + 5.0,
                cy + 5.0,
                nx - 5.0,
                escape(&n.title)
            );
        }
        let tone = if marks == Marks::Agency { n.agency } else { n.orientation };
        let _ = write!(
            out,
            r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="4.5" fill="{}" stroke="#333"><title>{}</title></circle>"##,
            tone_colour(tone),
            escape(&n.title)
        );
    }
    for c in &lane.contacts {
        let (cx, cy) = (x(c.at), y + LANE / 2.0);
        if c.missed {
            let _ = write!(
                out,
                r##"<path d="M{:.1},{:.1} l10,10 m0,-10 l-10,10" stroke="#d7301f" stroke-width="2.5"><title>contact {} missed</title></path>"##,
                cx - 5.0,
                cy - 5.0,
                c.point
            );
        } else {
            let _ = write!(
                out,
                r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="6" fill="#ffffff" stroke="#7570b3" stroke-width="2"><title>contact {} held in part</title></circle><path d="M{cx:.1},{:.1} a6,6 0 0,1 0,12 z" fill="#7570b3"/>"##,
                c.point,
                cy - 6.0
            );
        }
    }
    out.push_str("</g>");
}

/// The legend in three rows — sessions and efforts, narratives, contacts —
/// each item a shape drawn at `{X}`, `{Y}` (its row's middle) and a label.
fn legend(out: &mut String, y: f32, marks: Marks, voices: bool) {
    let mut rows: Vec<Vec<(String, String)>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for kind in SessionKind::ALL.iter().copied() {
        let shape = format!(
            r##"<rect x="{{X}}" y="{{Y-6}}" width="10" height="12" rx="2" fill="{}"/>"##,
            kind_colour(kind)
        );
        rows[0].push((shape, kind.word().to_string()));
    }
    rows[0].push((
        r##"<rect x="{X}" y="{Y-3}" width="12" height="6" fill="#e6ab02" opacity="0.7"/>"##.into(),
        "effort".into(),
    ));
    let names: [(&str, Tone); 3] = match marks {
        Marks::Agency => [("agency low", Tone::Low), ("interplay", Tone::Middle), ("high", Tone::High)],
        Marks::Orientation => {
            [("looking back", Tone::Low), ("here and now", Tone::Middle), ("forward", Tone::High)]
        }
    };
    for (label, tone) in names {
        let shape = format!(
            r##"<circle cx="{{X+5}}" cy="{{Y}}" r="4.5" fill="{}" stroke="#333"/>"##,
            tone_colour(tone)
        );
        rows[1].push((shape, label.into()));
    }
    rows[1].push((
        r##"<polygon points="{X+5},{Y-5} {X+10},{Y} {X+5},{Y+5} {X},{Y}" fill="#ffffff" stroke="#1b9e77"/>"##
            .into(),
        "when the told events happened (left: before the follow-up)".into(),
    ));
    rows[2].push((
        r##"<path d="M{X},{Y-5} l10,10 m0,-10 l-10,10" stroke="#d7301f" stroke-width="2.5"/>"##.into(),
        "missed contact".into(),
    ));
    rows[2].push((r##"<circle cx="{X+5}" cy="{Y}" r="6" fill="#7570b3"/>"##.into(), "held in part".into()));
    rows[2].push((
        r##"<rect x="{X}" y="{Y-6}" width="3" height="12" fill="#d7301f"/>"##.into(),
        "dropped out".into(),
    ));
    if voices {
        rows[2].push((String::new(), "upper row: the person; lower: professionals".into()));
    }
    for (i, row) in rows.iter().enumerate() {
        let middle = y + i as f32 * 22.0;
        let mut at = LEFT;
        for (shape, label) in row {
            let mut shape = shape.clone();
            for (place, value) in [
                ("{X}", at),
                ("{X+5}", at + 5.0),
                ("{X+10}", at + 10.0),
                ("{Y}", middle),
                ("{Y-6}", middle - 6.0),
                ("{Y-5}", middle - 5.0),
                ("{Y-3}", middle - 3.0),
                ("{Y+5}", middle + 5.0),
            ] {
                shape = shape.replace(place, &format!("{value:.1}"));
            }
            out.push_str(&shape);
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" fill="#333">{}</text>"##,
                at + 14.0,
                middle + 4.0,
                escape(label)
            );
            at += 14.0 + label.chars().count() as f32 * 6.2 + 12.0;
        }
    }
}

/// The study's lanes, every case in code order.
pub fn study_timeline(study: &super::report::Study) -> Timeline {
    let contacts = study.contacts();
    crate::domain::timeline::timeline(&crate::domain::timeline::TimelineInput {
        cases: &study.cases,
        sessions: &study.sessions,
        efforts: &study.efforts,
        narratives: &study.narratives,
        narrated: &study.narrated,
        contacts: &contacts,
        codebook: &study.codebook,
    })
}

/// `report timeline`: the figure with its caption and a line on how to read it.
pub fn timeline_report(
    study: &super::report::Study,
    marks: Marks,
    voices: bool,
) -> super::document::Document {
    use super::document::Block;
    let timeline = study_timeline(study);
    let by = if marks == Marks::Agency { "degree of agency" } else { "time orientation" };
    let caption = format!(
        "The follow-up year of {} cases, {} to {}: sessions by kind, efforts as bars, narratives by {by} (a diamond where the events they tell of happened), contacts missed or held in part, dropouts.",
        timeline.lanes.len(),
        timeline.label(0),
        timeline.label(timeline.months - 1)
    );
    super::document::Document {
        title: "The follow-up year at a glance".into(),
        blocks: vec![Block::Figure { svg: timeline_svg(&timeline, marks, voices), caption }],
    }
}
