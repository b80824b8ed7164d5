//! The study's tables as reports: case variables cross-tabulated (with
//! counts of sessions, contacts and efforts), narratives by two code
//! groups, and two cases side by side by contact point.

use super::document::{Block, Document};
use super::report::{Study, CONTACTS_KEY};
use crate::domain::crosstab::{code_display, cross_table, Across};
use crate::domain::{Case, CodeGroup, Narrative};
use std::collections::HashMap;

fn known_variables(study: &Study) -> String {
    let names: Vec<&str> = study.variables.variables.iter().map(|v| v.name.as_str()).collect();
    if names.is_empty() {
        "the study has no variables yet".into()
    } else {
        format!("the study's variables are {}", names.join(", "))
    }
}

/// `report table --rows VAR --cols VAR|kind|contact|outcome|effort`, or
/// professionals: `--rows role --cols VAR`.
pub fn cross_report(study: &Study, rows: &str, cols: &str) -> Result<Document, String> {
    let rows = rows.trim();
    if rows == "role" || cols.trim() == "role" {
        return professionals_report(study, rows, cols.trim());
    }
    if rows != "case" && study.variables.get(rows).is_none() {
        return Err(format!("rows {rows:?} are neither case nor a variable: {}", known_variables(study)));
    }
    let across = Across::parse(cols);
    if let Across::Variable(v) = &across {
        if study.variables.get(v).is_none() {
            return Err(format!(
                "columns {v:?} are neither kind, contact, outcome, effort nor a variable: {}",
                known_variables(study)
            ));
        }
    }
    let rows_name = study.variables.get(rows).map_or(rows.to_string(), |v| v.name.clone());
    let contacts = study.contacts();
    let (cases, shown) = study.counted_cases();
    let mut table = cross_table(cases, &rows_name, &across, &study.sessions, &study.efforts, &contacts);
    show_values(&mut table, &shown, rows != "case", matches!(across, Across::Variable(_)));
    let cols_name = match &across {
        Across::Variable(v) => study.variables.get(v).map_or(v.clone(), |v| v.name.clone()),
        _ => cols.trim().to_string(),
    };
    let empty = table.header.len() <= 2;
    let mut blocks = vec![
        Block::Paragraph(format!("Counts {} by {rows_name} and {cols_name}.", across.counts()).into()),
        Block::Table { header: table.header, rows: table.rows },
    ];
    if empty {
        blocks.push(Block::Paragraph(format!("There are no {} to count yet.", across.counts()).into()));
    }
    if across == Across::ContactPoint {
        blocks.push(Block::Paragraph(CONTACTS_KEY.into()));
    }
    Ok(Document { title: format!("{rows_name} × {cols_name}"), blocks })
}

/// A table counted on values as said, its row and column labels (`rows`,
/// `columns`: those that are values) as the report shows them: masked.
fn show_values(
    table: &mut crate::domain::crosstab::Table,
    shown: &HashMap<String, String>,
    rows: bool,
    columns: bool,
) {
    let show = |label: &mut String| {
        if let Some(masked) = shown.get(label.as_str()) {
            *label = masked.clone();
        }
    };
    let last = table.header.len().saturating_sub(1);
    if columns {
        table.header[1..last].iter_mut().for_each(show);
    }
    let total = table.rows.len().saturating_sub(1);
    if rows {
        table.rows[..total].iter_mut().filter_map(|row| row.first_mut()).for_each(show);
    }
}

/// Professionals by role and a case variable (the municipality, the site).
fn professionals_report(study: &Study, rows: &str, cols: &str) -> Result<Document, String> {
    let other = if rows == "role" { cols } else { rows };
    let variable = study.variables.get(other).ok_or_else(|| {
        format!("professionals go by role and a variable, and {other:?} is none: {}", known_variables(study))
    })?;
    let (cases, shown) = study.counted_cases();
    let sessions = study.said_sessions.as_deref().unwrap_or(&study.sessions);
    let mut table = crate::domain::crosstab::professionals_table(cases, sessions, &variable.name);
    show_values(&mut table, &shown, false, true);
    Ok(Document {
        title: format!("Professionals by role × {}", variable.name),
        blocks: vec![
            Block::Paragraph(
                format!(
                    "Counts the professionals who speak in the sessions (caseworkers, job consultants, project workers, other professionals), each once in each {} of the cases they speak in and once in the totals. They are known by their speaker labels: give each person a label of their own (CW1, CW2), or two people under one label count as one.",
                    variable.name
                )
                .into(),
            ),
            Block::Table { header: table.header, rows: table.rows },
        ],
    })
}

fn find_group<'a>(study: &'a Study, name: &str) -> Result<&'a CodeGroup, String> {
    study.codebook.groups.iter().find(|g| g.name.eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
        let known: Vec<&str> = study.codebook.groups.iter().map(|g| g.name.as_str()).collect();
        format!("there is no code group {:?}: the groups are {}", name.trim(), known.join(", "))
    })
}

/// Where a narrative was told: `AA 2` (case, contact point).
fn told_at(study: &Study, n: &Narrative) -> String {
    study.session(n.session).map_or(String::new(), |s| {
        let case = study.cases.iter().find(|c| c.id == s.case_id).map_or("?".into(), |c| c.code.to_string());
        format!("{case} {}", s.contact_point)
    })
}

/// `report display --rows GROUP --cols GROUP`: each cell the narratives
/// carrying both codes, by title, with their case and contact point.
pub fn code_display_report(study: &Study, rows: &str, cols: &str) -> Result<Document, String> {
    let (row_group, col_group) = (find_group(study, rows)?, find_group(study, cols)?);
    if row_group.id == col_group.id {
        return Err(format!("rows and columns are both {:?}: choose two code groups", row_group.name));
    }
    let display = code_display(&study.narratives, row_group, col_group);
    let mut header = vec![row_group.name.clone()];
    header.extend(display.columns.iter().cloned());
    let rows = display
        .rows
        .iter()
        .zip(&display.cells)
        .map(|(name, cells)| {
            let mut row = vec![name.clone()];
            row.extend(cells.iter().map(|ids| {
                ids.iter()
                    .filter_map(|id| study.narratives.iter().find(|n| n.id == *id))
                    .map(|n| format!("“{}” ({})", n.title, told_at(study, n)))
                    .collect::<Vec<_>>()
                    .join("\n")
            }));
            row
        })
        .collect();
    let mut blocks = vec![Block::Table { header, rows }];
    if display.cells.iter().flatten().all(Vec::is_empty) {
        blocks.push(Block::Paragraph(
            format!(
                "No narrative is coded with both a {} code and a {} code yet.",
                row_group.name, col_group.name
            )
            .into(),
        ));
    }
    Ok(Document { title: format!("Narratives by {} and {}", row_group.name, col_group.name), blocks })
}

/// `report compare CODE CODE`: the two cases' contact points side by side —
/// the contact's state, its sessions and narratives — then efforts and chains.
pub fn compare_report(study: &Study, a: &Case, b: &Case) -> Document {
    let contacts = study.contacts();
    let of = |case: &Case| study.cases.iter().position(|c| c.id == case.id).map(|i| &contacts[i]);
    let points = [a, b].iter().filter_map(|c| of(c)).map(|k| k.points.len()).max().unwrap_or(0);
    let cell = |case: &Case, point: u32| {
        let mut lines = Vec::new();
        if let Some(p) = of(case).and_then(|k| k.points.iter().find(|p| p.point == point)) {
            let due = p.due.map_or(String::new(), |d| format!(", due {d}"));
            lines.push(format!("{} {}{due}", p.status.sign(), p.status.word()));
        }
        let mut sessions: Vec<_> =
            study.sessions.iter().filter(|s| s.case_id == case.id && s.contact_point == point).collect();
        sessions.sort_by_key(|s| s.clock.started);
        for s in sessions {
            lines.push(format!("{} {}", s.kind, s.clock.started.format("%Y-%m-%d")));
            for n in study.narratives.iter().filter(|n| n.session == s.id) {
                lines.push(format!("“{}”", n.title));
            }
        }
        lines.join("\n")
    };
    let mut rows: Vec<Vec<String>> =
        (1..=points as u32).map(|p| vec![format!("contact {p}"), cell(a, p), cell(b, p)]).collect();
    let efforts = |case: &Case| {
        study
            .efforts
            .iter()
            .filter(|e| e.case_id == case.id)
            .map(|e| {
                let end = e.end.map_or("ongoing".into(), |d| d.to_string());
                let outcome = if e.outcome.is_empty() { String::new() } else { format!(": {}", e.outcome) };
                format!("{} {}–{end}{outcome}", e.kind, e.start)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let chains = |case: &Case| {
        let links = study.links.iter().filter(|l| l.case_id == case.id);
        links.map(|l| format!("{} ({})", l.chain_text(), l.valence)).collect::<Vec<_>>().join("\n")
    };
    let dropout = |case: &Case| {
        of(case)
            .and_then(|k| k.dropout.as_ref())
            .map_or(String::new(), |d| format!("{}: {}", d.date, d.reason))
    };
    if !dropout(a).is_empty() || !dropout(b).is_empty() {
        rows.push(vec!["dropped out".into(), dropout(a), dropout(b)]);
    }
    rows.push(vec!["efforts".into(), efforts(a), efforts(b)]);
    rows.push(vec!["effort → consequence".into(), chains(a), chains(b)]);
    Document {
        title: format!("Cases {} and {} side by side", a.code, b.code),
        blocks: vec![Block::Table {
            header: vec![String::new(), a.code.to_string(), b.code.to_string()],
            rows,
        }],
    }
}

/// `report plane --x GROUP --y GROUP`: each case's path over the plane of
/// two scale groups — a table of positions by contact point (the nearest
/// codes, and the means), the cells of the plane, and the figure.
pub fn plane_report(study: &Study, x: &str, y: &str) -> Result<Document, String> {
    use crate::domain::plane::{axis, nearest, plane};
    let (x, y) = (axis(find_group(study, x)?)?, axis(find_group(study, y)?)?);
    if x.id == y.id {
        return Err(format!("both axes are {:?}: choose two scale groups", x.name));
    }
    let paths = plane(&study.cases, &study.sessions, &study.narratives, x, y);
    let points = paths.iter().flat_map(|p| p.positions.iter().map(|q| q.point)).max().unwrap_or(0);
    let mut header = vec!["case".to_string()];
    header.extend((1..=points).map(|p| format!("contact {p}")));
    let rows = paths
        .iter()
        .map(|path| {
            let mut row = vec![path.case.clone()];
            row.extend((1..=points).map(|p| {
                path.positions.iter().find(|q| q.point == p).map_or(String::new(), |q| {
                    format!("{} × {} ({:.2}, {:.2})", nearest(x, q.x), nearest(y, q.y), q.x, q.y)
                })
            }));
            row
        })
        .collect();
    // The plane as cells: y's codes down (high first), x's across; each case at each contact.
    let mut grid_header = vec![format!("{} \\ {}", y.name, x.name)];
    grid_header.extend(x.codes.iter().map(|c| c.name.clone()));
    let grid = y
        .codes
        .iter()
        .rev()
        .map(|yc| {
            let mut row = vec![yc.name.clone()];
            row.extend(x.codes.iter().map(|xc| {
                let here = paths.iter().flat_map(|p| {
                    p.positions
                        .iter()
                        .filter(|q| nearest(x, q.x) == xc.name && nearest(y, q.y) == yc.name)
                        .map(move |q| format!("{}·{}", p.case, q.point))
                });
                here.collect::<Vec<_>>().join(" ")
            }));
            row
        })
        .collect();
    let svg = super::plane_svg::plane_svg(&paths, x, y);
    Ok(Document {
        title: format!("Cases on the plane of {} and {}", x.name, y.name),
        blocks: vec![
            Block::Paragraph(
                format!(
                    "Each case's place at each contact point: the mean of its narratives there on {} (0 {}, 1 {}) and on {} (0 {}, 1 {}); a contact without narratives on both has none.",
                    x.name,
                    x.codes[0].name,
                    x.codes[x.codes.len() - 1].name,
                    y.name,
                    y.codes[0].name,
                    y.codes[y.codes.len() - 1].name
                )
                .into(),
            ),
            Block::Table { header, rows },
            Block::Heading(2, "The plane".into()),
            Block::Paragraph("Each case by its code and contact point (AA·2: case AA at contact 2).".into()),
            Block::Table { header: grid_header, rows: grid },
            Block::Figure { svg, caption: format!("Each case's path over {} × {} from contact to contact.", x.name, y.name) },
        ],
    })
}
