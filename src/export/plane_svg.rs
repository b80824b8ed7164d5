//! The plane of two scale groups as an SVG figure: each case's path from
//! contact to contact, its positions numbered by contact point.

use super::document::escape;
use crate::domain::plane::CasePath;
use crate::domain::CodeGroup;
use std::fmt::Write;

const SIZE: f32 = 420.0;
const MARGIN: f32 = 90.0;
const COLOURS: [&str; 8] =
    ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];

pub fn plane_svg(paths: &[CasePath], x: &CodeGroup, y: &CodeGroup) -> String {
    let width = SIZE + MARGIN * 2.0 + 120.0;
    let height = SIZE + MARGIN * 2.0;
    // Room on the right for points set beside others at the scale's end.
    let px = |v: f32| MARGIN + v * SIZE;
    let py = |v: f32| MARGIN + (1.0 - v) * SIZE;
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11" role="img"><title>Cases on the plane of {} and {}</title><rect width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##,
        escape(&x.name),
        escape(&y.name)
    );
    let _ = write!(
        out,
        r##"<rect x="{MARGIN}" y="{MARGIN}" width="{SIZE}" height="{SIZE}" fill="#fafafa" stroke="#999"/>"##
    );
    for (i, c) in x.codes.iter().enumerate() {
        let at = px(i as f32 / (x.codes.len() - 1) as f32);
        let _ = write!(
            out,
            r##"<line x1="{at:.1}" y1="{MARGIN}" x2="{at:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{at:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            MARGIN + SIZE,
            MARGIN + SIZE + 16.0,
            escape(&c.name)
        );
    }
    for (i, c) in y.codes.iter().enumerate() {
        let at = py(i as f32 / (y.codes.len() - 1) as f32);
        let _ = write!(
            out,
            r##"<line x1="{MARGIN}" y1="{at:.1}" x2="{:.1}" y2="{at:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{}</text>"##,
            MARGIN + SIZE,
            MARGIN - 10.0,
            at + 4.0,
            escape(&c.name)
        );
    }
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"##,
        MARGIN + SIZE / 2.0,
        MARGIN + SIZE + 40.0,
        escape(&x.name)
    );
    let _ = write!(
        out,
        r##"<text x="{MARGIN}" y="{:.1}" text-anchor="middle" font-weight="bold">↑ {}</text>"##,
        MARGIN - 24.0,
        escape(&y.name)
    );
    // Points at the same place (two cases, or one case staying put) are set
    // side by side so each stays visible.
    let mut taken: Vec<(f32, f32)> = Vec::new();
    for (i, path) in paths.iter().filter(|p| !p.positions.is_empty()).enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let places: Vec<(f32, f32)> = path
            .positions
            .iter()
            .map(|q| {
                let (mut cx, cy) = (px(q.x), py(q.y));
                while taken.iter().any(|(x, y)| (x - cx).abs() < 12.0 && (y - cy).abs() < 12.0) {
                    cx += 15.0;
                }
                taken.push((cx, cy));
                (cx, cy)
            })
            .collect();
        let points: Vec<String> = places.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            out,
            r#"<g><title>{}</title><polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            escape(&path.case),
            points.join(" ")
        );
        for (q, (cx, cy)) in path.positions.iter().zip(places) {
            let _ = write!(
                out,
                r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="7" fill="{colour}"><title>{} at contact {}</title></circle><text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="9" fill="#fff">{}</text>"##,
                escape(&path.case),
                q.point,
                cy + 3.0,
                q.point
            );
        }
        let legend_y = MARGIN + i as f32 * 16.0;
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="12" height="12" fill="{colour}"/><text x="{:.1}" y="{:.1}" fill="#333">{}</text></g>"##,
            MARGIN + SIZE + 24.0,
            legend_y,
            MARGIN + SIZE + 42.0,
            legend_y + 10.0,
            escape(&path.case)
        );
    }
    out.push_str("</svg>");
    out
}
