//! Commands for following cases over time: variables and attributes,
//! efforts, links, and the reports across cases.

use super::commands::{find_case, now, print_json};
use crate::domain::followup::parse_date;
use crate::domain::overview::{has_attribute, Columns};
use crate::domain::text::sanitise;
use crate::domain::{case, Effort, Id, Link, Valence, Variable, VariableKind};
use crate::export::document::{html, markdown, Document};
use crate::export::report::{case_report, display_report, overview_report, Study};
use crate::store::{Change, Store};
use anyhow::{bail, Context};
use serde_json::json;

pub fn variable_add(store: &Store, name: &str, kind: &str, values: Option<&str>) -> anyhow::Result<()> {
    let name = sanitise(name).trim().to_string();
    if name.is_empty() || name.contains('=') {
        bail!("variable name {name:?} is not valid: use a word without '='");
    }
    let values: Vec<String> = values
        .map(|v| v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let kind = VariableKind::parse(kind, &values).map_err(anyhow::Error::msg)?;
    let mut variables = store.variables()?;
    if variables.get(&name).is_some() {
        bail!("variable {name} already exists");
    }
    variables.variables.push(Variable { name: name.clone(), kind });
    store.commit(&[Change::Variables(variables)])?;
    println!("added variable {name}");
    Ok(())
}

pub fn variable_list(store: &Store) -> anyhow::Result<()> {
    for v in store.variables()?.variables {
        match &v.kind {
            VariableKind::List(values) => println!("{}  list: {}", v.name, values.join(", ")),
            kind => println!("{}  {}", v.name, kind.word()),
        }
    }
    Ok(())
}

pub fn case_set(store: &Store, code: &str, pairs: &[String]) -> anyhow::Result<()> {
    let mut record = find_case(store, code)?;
    let variables = store.variables()?;
    for pair in pairs {
        variables.set_attribute(&mut record, pair).map_err(anyhow::Error::msg)?;
    }
    store.commit(&[Change::Case(record.clone())])?;
    let shown: Vec<String> = record.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("{}: {}", record.code, shown.join(", "));
    Ok(())
}

pub struct EffortArgs<'a> {
    pub case: &'a str,
    pub kind: &'a str,
    pub start: &'a str,
    pub end: Option<&'a str>,
    pub provider: &'a str,
    pub outcome: &'a str,
}

pub fn effort_add(store: &Store, args: EffortArgs) -> anyhow::Result<()> {
    let case = find_case(store, args.case)?;
    let kind = sanitise(args.kind).trim().to_string();
    if kind.is_empty() {
        bail!("an effort needs a kind, such as \"wage-subsidy job\"");
    }
    let start = parse_date(args.start).map_err(anyhow::Error::msg)?;
    let end = args.end.map(parse_date).transpose().map_err(anyhow::Error::msg)?;
    if end.is_some_and(|e| e < start) {
        bail!("the effort ends ({}) before it starts ({start})", end.unwrap_or(start));
    }
    let effort = Effort {
        id: Id::new(),
        case_id: case.id,
        kind: kind.clone(),
        provider: sanitise(args.provider).trim().to_string(),
        start,
        end,
        outcome: sanitise(args.outcome).trim().to_string(),
        created: now(),
    };
    let mut kinds = store.effort_kinds()?;
    let mut changes = vec![Change::Effort(effort.clone())];
    if kinds.learn(&kind) {
        changes.push(Change::EffortKinds(kinds));
    }
    store.commit(&changes)?;
    println!("{}", effort.id);
    Ok(())
}

pub fn effort_end(store: &Store, id: &str, end: &str, outcome: Option<&str>) -> anyhow::Result<()> {
    let found = store
        .efforts()?
        .into_iter()
        .find(|e| e.id.to_string() == id.trim() || e.id.short().ends_with(id.trim()));
    let mut effort = found.with_context(|| format!("there is no effort {id} in this study"))?;
    let end = parse_date(end).map_err(anyhow::Error::msg)?;
    if end < effort.start {
        bail!("the effort ends ({end}) before it starts ({})", effort.start);
    }
    effort.end = Some(end);
    if let Some(outcome) = outcome {
        effort.outcome = sanitise(outcome).trim().to_string();
    }
    store.commit(&[Change::Effort(effort)])?;
    println!("ended effort {id}");
    Ok(())
}

pub fn effort_list(store: &Store, case: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let filter = case.map(|c| find_case(store, c)).transpose()?;
    let cases = store.cases()?;
    let code = |id: Id| cases.iter().find(|c| c.id == id).map(|c| c.code.to_string()).unwrap_or_default();
    let efforts: Vec<Effort> =
        store.efforts()?.into_iter().filter(|e| filter.as_ref().is_none_or(|c| c.id == e.case_id)).collect();
    if as_json {
        let list: Vec<_> = efforts
            .iter()
            .map(|e| {
                json!({ "id": e.id, "case": code(e.case_id), "kind": e.kind, "provider": e.provider,
                             "start": e.start, "end": e.end, "outcome": e.outcome })
            })
            .collect();
        print_json(&list);
        return Ok(());
    }
    for e in &efforts {
        let end = e.end.map_or("ongoing".to_string(), |d| d.to_string());
        println!("{}  {:<8} {}  {} – {end}  {}", e.id.short(), code(e.case_id), e.kind, e.start, e.outcome);
    }
    Ok(())
}

pub fn link_add(
    store: &Store,
    case: &str,
    chain: &str,
    valence: &str,
    narratives: &[String],
) -> anyhow::Result<()> {
    let case = find_case(store, case)?;
    let chain = Link::parse_chain(chain).map_err(anyhow::Error::msg)?;
    let valence = Valence::parse(valence).map_err(anyhow::Error::msg)?;
    let known = store.narratives()?;
    let sessions = store.sessions()?;
    let mut ids = Vec::new();
    for reference in narratives {
        let n = known
            .iter()
            .find(|n| n.id.to_string() == reference.trim() || n.id.short().ends_with(reference.trim()))
            .with_context(|| format!("there is no narrative {reference} in this study"))?;
        if !sessions.iter().any(|s| s.id == n.session && s.case_id == case.id) {
            bail!("narrative {reference} is not about case {}", case.code);
        }
        ids.push(n.id);
    }
    let link = Link { id: Id::new(), case_id: case.id, chain, valence, narratives: ids, created: now() };
    store.commit(&[Change::Link(link.clone())])?;
    println!("{}", link.id);
    Ok(())
}

pub fn link_list(store: &Store, case: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let filter = case.map(|c| find_case(store, c)).transpose()?;
    let cases = store.cases()?;
    let code = |id: Id| cases.iter().find(|c| c.id == id).map(|c| c.code.to_string()).unwrap_or_default();
    let links: Vec<Link> =
        store.links()?.into_iter().filter(|l| filter.as_ref().is_none_or(|c| c.id == l.case_id)).collect();
    if as_json {
        let list: Vec<_> = links
            .iter()
            .map(|l| json!({ "id": l.id, "case": code(l.case_id), "chain": l.chain, "valence": l.valence.word(), "narratives": l.narratives }))
            .collect();
        print_json(&list);
        return Ok(());
    }
    for l in &links {
        println!("{}  {:<8} {} ({})", l.id.short(), code(l.case_id), l.chain_text(), l.valence);
    }
    Ok(())
}

/// Prints a report; an unmasked one says so at its top.
pub(super) fn write(study: &Study, mut doc: Document, as_html: bool) {
    if let Some(note) = study.unmasked_note() {
        doc.blocks.insert(0, crate::export::document::Block::Paragraph(note.into()));
    }
    print!("{}", if as_html { html(&doc) } else { markdown(&doc) });
}

pub fn report_case(store: &Store, code: &str, as_html: bool, unmasked: bool) -> anyhow::Result<()> {
    let case = find_case(store, code)?;
    let study = Study::load(store, unmasked)?;
    // The case as the report shows it: its attributes masked too.
    let case = study.cases.iter().find(|c| c.id == case.id).cloned().unwrap_or(case);
    write(&study, case_report(store, &study, &case)?, as_html);
    Ok(())
}

pub fn report_overview(store: &Store, as_html: bool, unmasked: bool) -> anyhow::Result<()> {
    let study = Study::load(store, unmasked)?;
    write(&study, overview_report(&study), as_html);
    Ok(())
}

pub fn report_contacts(store: &Store, as_html: bool, unmasked: bool) -> anyhow::Result<()> {
    let study = Study::load(store, unmasked)?;
    write(&study, crate::export::report::contacts_report(&study), as_html);
    Ok(())
}

pub struct DisplayArgs<'a> {
    pub rows: &'a str,
    pub cols: &'a str,
    pub filters: &'a [String],
    pub case: Option<&'a str>,
}

pub fn report_table(
    store: &Store,
    rows: &str,
    cols: &str,
    as_html: bool,
    unmasked: bool,
) -> anyhow::Result<()> {
    let study = Study::load(store, unmasked)?;
    let doc = crate::export::tables_report::cross_report(&study, rows, cols).map_err(anyhow::Error::msg)?;
    write(&study, doc, as_html);
    Ok(())
}

pub fn report_timeline(
    store: &Store,
    marks: &str,
    voices: bool,
    svg: bool,
    unmasked: bool,
) -> anyhow::Result<()> {
    use crate::export::timeline_svg::{study_timeline, timeline_report, timeline_svg, Marks};
    let marks = match marks.trim() {
        "agency" => Marks::Agency,
        "orientation" | "time orientation" => Marks::Orientation,
        other => bail!("marks {other:?} are unknown: use agency or orientation"),
    };
    let study = Study::load(store, unmasked)?;
    if svg {
        println!("{}", timeline_svg(&study_timeline(&study), marks, voices));
        return Ok(());
    }
    write(&study, timeline_report(&study, marks, voices), true);
    Ok(())
}

pub fn report_brief(store: &Store, code: &str, as_html: bool, unmasked: bool) -> anyhow::Result<()> {
    use crate::export::brief_report::{brief_report, load_brief};
    let case = find_case(store, code)?;
    let study = Study::load(store, unmasked)?;
    let brief = load_brief(store, &study, &case)?;
    write(&study, brief_report(store, &study, &brief)?, as_html);
    Ok(())
}

pub fn report_plane(store: &Store, x: &str, y: &str, as_html: bool, unmasked: bool) -> anyhow::Result<()> {
    let study = Study::load(store, unmasked)?;
    let doc = crate::export::tables_report::plane_report(&study, x, y).map_err(anyhow::Error::msg)?;
    write(&study, doc, as_html);
    Ok(())
}

pub fn report_compare(store: &Store, a: &str, b: &str, as_html: bool, unmasked: bool) -> anyhow::Result<()> {
    let (a, b) = (find_case(store, a)?, find_case(store, b)?);
    if a.id == b.id {
        bail!("compare needs two different cases, not {} twice", a.code);
    }
    let study = Study::load(store, unmasked)?;
    let shown = |id| study.cases.iter().find(|c| c.id == id).cloned();
    let (a, b) = (shown(a.id).unwrap_or(a), shown(b.id).unwrap_or(b));
    write(&study, crate::export::tables_report::compare_report(&study, &a, &b), as_html);
    Ok(())
}

pub fn report_display(store: &Store, args: DisplayArgs, as_html: bool, unmasked: bool) -> anyhow::Result<()> {
    let study = Study::load(store, unmasked)?;
    if args.rows != "cases" {
        if !args.filters.is_empty() || args.case.is_some() {
            bail!("--where and --case narrow rows of cases: they do not go with --rows {}", args.rows);
        }
        let doc = crate::export::tables_report::code_display_report(&study, args.rows, args.cols)
            .map_err(anyhow::Error::msg)?;
        write(&study, doc, as_html);
        return Ok(());
    }
    let columns = match args.cols.trim() {
        "contact" => Columns::ContactPoints,
        group => {
            let found = study.codebook.groups.iter().find(|g| g.name.eq_ignore_ascii_case(group));
            let known: Vec<&str> = study.codebook.groups.iter().map(|g| g.name.as_str()).collect();
            Columns::Group(
                found
                    .with_context(|| {
                        format!(
                            "columns {group:?} are neither contact nor a code group ({})",
                            known.join(", ")
                        )
                    })?
                    .id,
            )
        }
    };
    let mut cases = study.cases.clone();
    if let Some(code) = args.case {
        let only = find_case(store, code)?;
        cases.retain(|c| c.id == only.id);
    }
    let raw: std::collections::HashMap<_, _> = store.cases()?.into_iter().map(|c| (c.id, c)).collect();
    let mut described = Vec::new();
    for filter in args.filters {
        let (key, value) = case::parse_attribute(filter)?;
        // Filters read the attributes as typed, not as the masked report shows them.
        cases.retain(|c| raw.get(&c.id).is_some_and(|raw| has_attribute(raw, &key, &value)));
        described.push(format!("{key} = {value}"));
    }
    let mut title = format!(
        "Narratives by case and {}",
        if args.cols == "contact" { "contact point" } else { args.cols }
    );
    if !described.is_empty() {
        title += &format!(" ({})", described.join(", "));
    }
    let doc = display_report(store, &study, &cases, &columns, &title)?;
    write(&study, doc, as_html);
    Ok(())
}
