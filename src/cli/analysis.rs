//! Commands for analysis: narratives, search and the codebook.

use super::commands::{find_case, find_session, now, print_json};
use crate::domain::narrative::author_from_env;
use crate::domain::text::sanitise;
use crate::domain::Masker;
use crate::domain::{Codebook, Id, Narrative, NarrativeFilter, Session, Utterance};
use crate::export::codebook::to_toml;
use crate::import::codebook::merge;
use crate::store::search::{Hit, HitPlace};
use crate::store::{Change, Store};
use anyhow::{bail, Context};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

pub struct NarrativeArgs<'a> {
    pub session: &'a str,
    pub from: u32,
    pub to: u32,
    pub title: &'a str,
    pub codes: &'a [String],
    pub memo: &'a str,
}

pub fn narrative_add(store: &Store, args: NarrativeArgs) -> anyhow::Result<()> {
    let session = find_session(store, args.session)?;
    let last = store.last_seq(session.id)?;
    if args.from == 0 || args.from > args.to || args.to > last {
        bail!("lines {}–{} are not a span of this session, whose lines are 1–{last}", args.from, args.to);
    }
    let title = sanitise(args.title).replace('\n', " ").trim().to_string();
    if title.is_empty() {
        bail!("a narrative needs a title: its point, in a few words");
    }
    let book = store.codebook()?;
    let mut codes = Vec::new();
    for reference in args.codes {
        let id = book.find(reference)?;
        if !codes.contains(&id) {
            codes.push(id);
        }
    }
    book.check(&codes)?;
    book.sort(&mut codes);
    let at = now();
    let narrative = Narrative {
        id: Id::new(),
        session: session.id,
        first_seq: args.from,
        last_seq: args.to,
        title,
        codes,
        memo: sanitise(args.memo).trim().to_string(),
        author: author_from_env(),
        created: at,
        updated: at,
        deleted: false,
    };
    store.commit(&[Change::Narrative(narrative.clone())])?;
    println!("{}", narrative.id);
    Ok(())
}

/// A narrative as JSON: where it is, its codes by name, and the text it spans.
/// A narrative and its lines as JSON; every text masked when `masker` is given.
fn narrative_json(
    store: &Store,
    book: &Codebook,
    n: &Narrative,
    session: &Session,
    masker: Option<&Masker>,
) -> anyhow::Result<Value> {
    let shown = |text: &str| masker.map_or_else(|| text.to_string(), |m| m.mask(text).into_owned());
    let case = store.case(session.case_id)?.map(|c| c.code.to_string()).unwrap_or_default();
    let lines: Vec<Value> = store
        .utterances(n.session)?
        .into_iter()
        .filter(|u: &Utterance| n.covers(u.seq) && !u.deleted)
        .map(|u| json!({ "seq": u.seq, "speaker": shown(&u.speaker), "kind": u.kind.word(), "text": shown(&u.text) }))
        .collect();
    let codes: Vec<Value> = n
        .codes
        .iter()
        .map(|c| {
            let group = book.group_of(*c).map(|g| g.name.clone()).unwrap_or_default();
            let code = book.code(*c);
            json!({ "group": group, "code": code.map(|c| c.name.clone()), "retired": code.is_some_and(|c| c.retired) })
        })
        .collect();
    Ok(json!({
        "id": n.id, "case": case, "session": n.session, "session_kind": session.kind.word(),
        "contact_point": session.contact_point, "first_seq": n.first_seq, "last_seq": n.last_seq,
        "title": shown(&n.title), "memo": shown(&n.memo), "author": n.author, "created": n.created, "updated": n.updated,
        "codes": codes, "lines": lines,
    }))
}

pub fn narrative_list(
    store: &Store,
    case: Option<&str>,
    codes: &[String],
    as_json: bool,
) -> anyhow::Result<()> {
    let book = store.codebook()?;
    let mut filter = NarrativeFilter {
        case: case.map(|c| find_case(store, c)).transpose()?.map(|c| c.id),
        ..Default::default()
    };
    for code in codes {
        filter.add_codes(code, &book).map_err(anyhow::Error::msg)?;
    }
    let sessions = store.sessions()?;
    // Titles are listed masked, as everything shown of what people said.
    let masks = store.mask_list()?;
    let hidden = store.narratives_hidden_from(&author_from_env())?;
    let mut shown = Vec::new();
    for n in store.narratives()?.into_iter().filter(|n| !hidden.contains(&n.id)) {
        let Some(session) = sessions.iter().find(|s| s.id == n.session) else { continue };
        if filter.matches(&n, session) {
            shown.push((n, session));
        }
    }
    if as_json {
        let list = shown
            .iter()
            .map(|(n, s)| {
                let masker = Masker::new(&masks, Some(s.case_id));
                narrative_json(store, &book, n, s, Some(&masker))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        print_json(&list);
        return Ok(());
    }
    if shown.is_empty() {
        println!("no narratives match");
    }
    for (n, s) in shown {
        let case = store.case(s.case_id)?.map(|c| c.code.to_string()).unwrap_or_default();
        println!(
            "{}  {case:<8} contact {}  lines {}–{}  {}",
            n.id.short(),
            s.contact_point,
            n.first_seq,
            n.last_seq,
            Masker::new(&masks, Some(s.case_id)).mask(&n.title)
        );
    }
    Ok(())
}

pub(super) fn find_narrative(store: &Store, id: &str) -> anyhow::Result<Narrative> {
    let found = match id.parse::<Id>() {
        Ok(full) => store.narrative(full)?,
        Err(_) if id.len() >= 4 => {
            let mut matches = store.narratives()?.into_iter().filter(|n| n.id.short().ends_with(id));
            match (matches.next(), matches.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        }
        Err(_) => None,
    };
    let hidden = store.narratives_hidden_from(&author_from_env())?;
    found.filter(|n| !n.deleted && !hidden.contains(&n.id)).with_context(|| {
        format!("there is no narrative {id} in this study (or it is another coder's in a blind session)")
    })
}

pub fn narrative_show(store: &Store, id: &str, as_json: bool, unmasked: bool) -> anyhow::Result<()> {
    let n = find_narrative(store, id)?;
    let session = store.session(n.session)?.context("the narrative's session is missing")?;
    let book = store.codebook()?;
    let masker =
        (!unmasked).then(|| Masker::new(&store.mask_list().unwrap_or_default(), Some(session.case_id)));
    let value = narrative_json(store, &book, &n, &session, masker.as_ref())?;
    let n = Narrative {
        title: value["title"].as_str().unwrap_or_default().to_string(),
        memo: value["memo"].as_str().unwrap_or_default().to_string(),
        ..n
    };
    if as_json {
        print_json(&value);
        return Ok(());
    }
    println!("{}", n.title);
    println!(
        "case {} · {} · contact {} · lines {}–{} · by {}",
        value["case"].as_str().unwrap_or(""),
        session.kind,
        session.contact_point,
        n.first_seq,
        n.last_seq,
        n.author
    );
    for c in &n.codes {
        println!("  code: {}", book.label(*c));
    }
    if !n.memo.is_empty() {
        println!("  memo: {}", n.memo);
    }
    for line in value["lines"].as_array().into_iter().flatten() {
        println!(
            "{:>5}  {:<6} {}",
            line["seq"],
            line["speaker"].as_str().unwrap_or(""),
            line["text"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

pub fn search(store: &Store, text: &str, as_json: bool) -> anyhow::Result<()> {
    if text.trim().is_empty() {
        bail!("there is nothing to search for: give a word, as in `fieldlog search selvværd`");
    }
    let codes = store.session_case_codes()?;
    // Hits are written as they are found, through one buffered writer: a
    // word in a quarter of a million lines is neither held in memory nor
    // written a line at a time.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut starts: HashMap<Id, String> = HashMap::new();
    let hidden = store.narratives_hidden_from(&author_from_env())?;
    let (mut written, mut failed) = (0, None);
    store.search_each(text, usize::MAX, |h| {
        let another_coders = match h.place {
            HitPlace::NarrativeTitle { narrative, .. } | HitPlace::NarrativeMemo { narrative, .. } => {
                hidden.contains(&narrative)
            }
            HitPlace::Line { .. } => false,
        };
        if failed.is_none() && !another_coders {
            let result = if as_json {
                write_json_hit(&mut out, &codes, &h, written == 0)
            } else {
                write_hit(&mut out, &codes, &mut starts, &h)
            };
            written += 1;
            failed = result.err();
        }
    })?;
    for note in store.search_notes() {
        eprintln!("fieldlog: {note}");
    }
    if let Some(e) = failed {
        return Err(e.into());
    }
    match (as_json, written) {
        (true, 0) => writeln!(out, "[]")?,
        (true, _) => writeln!(out, "\n]")?,
        (false, 0) => writeln!(out, "nothing found")?,
        (false, _) => {}
    }
    out.flush()?;
    Ok(())
}

/// `dev search`: the app's search as a researcher meets it, in a process
/// that holds what the app holds (the store, the app, its first frame).
pub fn dev_search(
    store: std::sync::Arc<Store>,
    text: &str,
    limit: Option<usize>,
    runs: usize,
) -> anyhow::Result<()> {
    let limit = limit.unwrap_or(crate::tui::screens::search::SearchState::new().limit);
    let keys = crate::keymap::load("default", None).keymap;
    let app = crate::tui::app::App::new(store.clone(), keys, Box::new(crate::domain::SystemClock), None)?;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24))?;
    terminal.draw(|frame| app.render(frame))?;
    let opened_kb = crate::dev::resident_kb().unwrap_or(0);
    // What opening the search screen starts (there on a thread of its own).
    let began = std::time::Instant::now();
    store.prepare_search()?;
    let ready = began.elapsed();
    let mut times = Vec::with_capacity(runs);
    let mut hits = 0;
    for _ in 0..runs {
        let began = std::time::Instant::now();
        hits = crate::tui::loaders::search(&store, text, limit, &author_from_env())?.len();
        times.push(began.elapsed().as_micros());
    }
    let resident_kb = crate::dev::resident_kb().unwrap_or(0);
    let (anon_kb, file_kb) = crate::dev::resident_parts_kb();
    times.sort_unstable();
    let at = |q: f64| {
        times.get(((q * runs as f64).ceil() as usize).clamp(1, runs.max(1)) - 1).copied().unwrap_or(0)
    };
    let built = store.search_index_builds();
    println!(
        "opened_kb={opened_kb} ready_ms={} built={built} runs={runs} p50_us={} p99_us={} hits={hits} resident_kb={resident_kb} anon_kb={anon_kb} file_kb={file_kb}",
        ready.as_millis(),
        at(0.5),
        at(0.99)
    );
    for note in store.search_notes() {
        eprintln!("fieldlog: {note}");
    }
    Ok(())
}

/// One hit as a line: case, session, place, text.
fn write_hit(
    out: &mut impl Write,
    codes: &HashMap<Id, String>,
    starts: &mut HashMap<Id, String>,
    h: &Hit,
) -> std::io::Result<()> {
    let (session, seq) = h.target();
    let start = starts.entry(session).or_insert_with(|| {
        let case = codes.get(&session).map_or("", String::as_str);
        format!("{case:<8} {} ", session.short())
    });
    out.write_all(start.as_bytes())?;
    match h.place {
        HitPlace::Line { .. } => {
            // "line 123" padded to 16, without a string made for each hit.
            let digits = seq.checked_ilog10().unwrap_or(0) as usize + 1;
            write!(out, "line {seq}")?;
            out.write_all(&b"                "[..16usize.saturating_sub(5 + digits)])?;
        }
        HitPlace::NarrativeTitle { .. } => out.write_all(b"narrative title ")?,
        HitPlace::NarrativeMemo { .. } => out.write_all(b"narrative memo  ")?,
    }
    out.write_all(b" ")?;
    out.write_all(h.text.as_bytes())?;
    out.write_all(b"\n")
}

/// One hit as an element of the JSON list, written as `print_json` writes the whole list.
fn write_json_hit(
    out: &mut impl Write,
    codes: &HashMap<Id, String>,
    h: &Hit,
    first: bool,
) -> std::io::Result<()> {
    let (session, seq) = h.target();
    let (kind, narrative) = match h.place {
        HitPlace::Line { .. } => ("line", None),
        HitPlace::NarrativeTitle { narrative, .. } => ("narrative-title", Some(narrative)),
        HitPlace::NarrativeMemo { narrative, .. } => ("narrative-memo", Some(narrative)),
    };
    let case = codes.get(&session).cloned().unwrap_or_default();
    let value = json!({ "in": kind, "case": case, "session": session, "seq": seq, "narrative": narrative,
                        "text": h.text, "match": [h.matched.start, h.matched.end] });
    let pretty = serde_json::to_string_pretty(&value).expect("values always serialise");
    out.write_all(if first { b"[\n" } else { b",\n" })?;
    for (i, line) in pretty.lines().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(b"  ")?;
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

pub fn codebook_list(store: &Store) -> anyhow::Result<()> {
    for group in store.codebook()?.groups {
        let retired = if group.retired { " (retired)" } else { "" };
        println!("{} [{}]{retired}", group.name, group.kind);
        for code in group.codes {
            let retired = if code.retired { " (retired)" } else { "" };
            let description = if code.description.is_empty() {
                String::new()
            } else {
                format!(" — {}", code.description)
            };
            println!("  {}{retired}{description}", code.name);
        }
    }
    Ok(())
}

pub fn codebook_import(store: &Store, file: &Path, replace: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("{} is not UTF-8 text: save it as UTF-8 and import it again", file.display())
    })?;
    if replace && !store.all_narratives()?.is_empty() {
        bail!("the study already has narratives, whose codes a replaced codebook would lose: import without --replace to merge");
    }
    let base = if replace { Codebook::default() } else { store.codebook()? };
    let name = file.display().to_string();
    let merged = if is_qdc(file, &text) {
        crate::import::qdc::merge(&base, &name, &text)?
    } else {
        merge(&base, &name, &text)?
    };
    store.commit(&[Change::Codebook(merged)])?;
    println!("imported the codebook from {}", file.display());
    Ok(())
}

/// Whether a codebook file is a REFI `.qdc`: by its name, or by its first
/// element when the name says nothing.
fn is_qdc(file: &Path, text: &str) -> bool {
    let extension = file.extension().map(|e| e.to_string_lossy().to_lowercase());
    match extension.as_deref() {
        Some("qdc") => true,
        Some("toml") => false,
        _ => text.trim_start_matches('\u{feff}').trim_start().starts_with('<'),
    }
}

pub fn codebook_export(store: &Store, format: Option<&str>, output: Option<&Path>) -> anyhow::Result<()> {
    let by_name = output.and_then(|p| p.extension()).is_some_and(|e| e.eq_ignore_ascii_case("qdc"));
    let book = store.codebook()?;
    let text = match format.unwrap_or(if by_name { "qdc" } else { "toml" }) {
        "toml" => to_toml(&book),
        "qdc" => crate::export::codebook::to_qdc(&book),
        other => bail!("codebook format {other:?} is not available: use toml or qdc"),
    };
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// A narrative's lines as a quote for a report: masked, speakers by their
/// role, `[…]` where lines are left out (deleted ones, or `leave_out`), and
/// the researcher's own lines (notes, events, pauses) in brackets on lines
/// of their own, so that they are never read as what was said.
pub fn narrative_quote(store: &Store, id: &str, leave_out: &[u32], unmasked: bool) -> anyhow::Result<()> {
    use crate::domain::UtteranceKind;
    let n = find_narrative(store, id)?;
    let session = store.session(n.session)?.context("the narrative's session is missing")?;
    let masker =
        Masker::new(&if unmasked { Default::default() } else { store.mask_list()? }, Some(session.case_id));
    if let Some(seq) = leave_out.iter().find(|s| !n.covers(**s)) {
        bail!("line {seq} is not in the narrative, whose lines are {}–{}", n.first_seq, n.last_seq);
    }
    let lines = store.utterances(n.session)?;
    let mut quoted: Vec<String> = Vec::new();
    for seq in n.first_seq..=n.last_seq {
        let line = lines.iter().find(|l| l.seq == seq && !l.deleted);
        let Some(line) = line.filter(|_| !leave_out.contains(&seq)) else {
            if quoted.last().map(String::as_str) != Some("[…]") {
                quoted.push("[…]".into());
            }
            continue;
        };
        let text = masker.mask(&line.text);
        quoted.push(match line.kind {
            UtteranceKind::Speech => {
                let role = session
                    .speaker(&line.speaker)
                    .map_or_else(|| line.speaker.clone(), |s| s.role.to_string());
                format!("{role}: {text}")
            }
            UtteranceKind::Note => format!("[researcher's note: {text}]"),
            UtteranceKind::Event => format!("[{text}]"),
            UtteranceKind::Pause => "[pause]".to_string(),
        });
    }
    let mut doc = crate::export::document::Document {
        title: masker.mask(&n.title).into_owned(),
        blocks: vec![crate::export::document::Block::Quote(quoted)],
    };
    if unmasked {
        doc.blocks.insert(0, crate::export::document::Block::Paragraph(crate::export::UNMASKED.into()));
    }
    print!("{}", crate::export::document::markdown(&doc));
    Ok(())
}
