//! `fieldlog mask …`: the study's mask list from the command line, the
//! detectors' proposals, and carrying the list to a teammate on purpose.

use super::commands::{find_case, print_json};
use crate::domain::mask::detect;
use crate::domain::{Id, MaskList, Masker};
use crate::store::{files, Change, Store};
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

fn case_id(store: &Store, case: Option<&str>) -> anyhow::Result<Option<Id>> {
    case.map(|code| find_case(store, code).map(|c| c.id)).transpose()
}

fn save(store: &Store, list: MaskList) -> anyhow::Result<()> {
    store.commit(&[Change::MaskList(list)])?;
    Ok(())
}

pub fn add(store: &Store, term: &str, replacement: &str, case: Option<&str>) -> anyhow::Result<()> {
    let mut list = store.mask_list()?;
    list.add(term, replacement, case_id(store, case)?)?;
    save(store, list)?;
    let whose = case.map_or(String::new(), |c| format!(" in case {c}"));
    println!("{} is masked as {}{whose}", term.trim(), replacement.trim());
    Ok(())
}

pub fn remove(store: &Store, term: &str, case: Option<&str>) -> anyhow::Result<()> {
    let mut list = store.mask_list()?;
    if let Err(e) = list.remove(term, case_id(store, case)?) {
        // Listed, but for one case: say which, rather than "not listed".
        let same = |t: &crate::domain::MaskTerm| {
            crate::domain::mask::fold(&t.term) == crate::domain::mask::fold(term)
        };
        if let Some(Some(other)) = list.terms.iter().find(|t| same(t)).map(|t| t.case) {
            let code = store.case(other)?.map(|c| c.code.to_string()).unwrap_or_default();
            bail!("{:?} is masked for case {code} only: add --case {code} to remove it", term.trim());
        }
        return Err(e.into());
    }
    save(store, list)?;
    println!("{} is no longer masked", term.trim());
    Ok(())
}

pub fn allow(store: &Store, words: &[String]) -> anyhow::Result<()> {
    let mut list = store.mask_list()?;
    for word in words {
        list.allow(word);
    }
    save(store, list)?;
    println!("allowed: {}", words.join(", "));
    Ok(())
}

/// The list as a teammate's fieldlog reads it: cases by their codes.
#[derive(Serialize, Deserialize)]
struct MaskFile {
    format: String,
    #[serde(default)]
    terms: Vec<TermEntry>,
    #[serde(default)]
    allowed: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct TermEntry {
    term: String,
    replacement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    case: Option<String>,
}

const MASK_FORMAT: &str = "fieldlog-mask-list";

fn entries(store: &Store, list: &MaskList) -> anyhow::Result<Vec<TermEntry>> {
    let codes: HashMap<Id, String> = store.cases()?.into_iter().map(|c| (c.id, c.code.to_string())).collect();
    Ok(list
        .terms
        .iter()
        .map(|t| TermEntry {
            term: t.term.clone(),
            replacement: t.replacement.clone(),
            case: t.case.map(|id| codes.get(&id).cloned().unwrap_or_else(|| id.to_string())),
        })
        .collect())
}

pub fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let list = store.mask_list()?;
    let terms = entries(store, &list)?;
    if json {
        print_json(&MaskFile { format: MASK_FORMAT.into(), terms, allowed: list.allowed });
        return Ok(());
    }
    if terms.is_empty() {
        println!("nothing is masked yet: add a term with `fieldlog mask add TERM REPLACEMENT`");
    }
    for t in &terms {
        let whose = t.case.as_ref().map_or(String::new(), |c| format!("  (case {c})"));
        println!("{} → {}{whose}", t.term, t.replacement);
    }
    if !list.allowed.is_empty() {
        println!("allowed: {}", list.allowed.join(", "));
    }
    Ok(())
}

/// Writes the list for a teammate, readable by the owner only.
pub fn export(store: &Store, path: &Path, plaintext: bool) -> anyhow::Result<()> {
    if store.is_encrypted() && !plaintext {
        bail!("the mask list re-identifies people and the study is encrypted: add --plaintext to write it unencrypted");
    }
    let list = store.mask_list()?;
    let file = MaskFile { format: MASK_FORMAT.into(), terms: entries(store, &list)?, allowed: list.allowed };
    let text = serde_json::to_string_pretty(&file).expect("a mask list is always valid JSON") + "\n";
    files::replace_synced(path, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("could not write {}: {}", path.display(), files::cause(&e)))?;
    eprintln!(
        "wrote the mask list to {}: it names the people it masks, so keep it as safe as the study",
        path.display()
    );
    Ok(())
}

/// Merges a teammate's list: its terms added (or their replacements taken), its allowed words added.
pub fn import(store: &Store, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: MaskFile = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a fieldlog mask list: {e}", path.display()))?;
    if file.format != MASK_FORMAT {
        bail!("{} is not a fieldlog mask list: its format is {:?}", path.display(), file.format);
    }
    let mut list = store.mask_list()?;
    for t in &file.terms {
        let case = case_id(store, t.case.as_deref())
            .with_context(|| format!("{}: the term {:?}", path.display(), t.term))?;
        list.add(&t.term, &t.replacement, case).with_context(|| format!("{}", path.display()))?;
    }
    for word in &file.allowed {
        list.allow(word);
    }
    save(store, list)?;
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    println!(
        "imported {} and {} from {}",
        plural(file.terms.len(), "term", "terms"),
        plural(file.allowed.len(), "allowed word", "allowed words"),
        path.display()
    );
    Ok(())
}

/// Where a finding was first seen.
#[derive(Clone, Serialize)]
struct Place {
    case: String,
    session: String,
    line: Option<u32>,
}

/// A finding: its kind, text, how often, and where first.
type Tallied = (detect::Kind, String, usize, Place);

/// Adds one text group's tally to the study's, a finding counted once by its folded text.
fn join_tally(found: &mut Vec<Tallied>, more: Vec<Tallied>) {
    for (kind, text, count, at) in more {
        let same = |f: &&mut Tallied| {
            f.0 == kind && crate::domain::mask::fold(&f.1) == crate::domain::mask::fold(&text)
        };
        match found.iter_mut().find(same) {
            Some(f) => f.2 += count,
            None => found.push((kind, text, count, at)),
        }
    }
}

/// Lists what the detectors propose in every line, title, memo, note,
/// place, attribute, effort and link, most frequent first.
pub fn scan(store: &Store, case: Option<&str>, json: bool) -> anyhow::Result<()> {
    let list = store.mask_list()?;
    let only = case_id(store, case)?;
    let codes: HashMap<Id, String> = store.cases()?.into_iter().map(|c| (c.id, c.code.to_string())).collect();
    let narratives = store.narratives()?;
    let mut found: Vec<Tallied> = Vec::new();
    for session in store.sessions()?.into_iter().filter(|s| only.is_none_or(|c| c == s.case_id)) {
        let masker = Masker::new(&list, Some(session.case_id));
        let place = |line| Place { case: codes[&session.case_id].clone(), session: session.id.short(), line };
        let lines = store.utterances(session.id)?;
        let texts = lines
            .iter()
            .filter(|l| !l.deleted)
            .map(|l| (place(Some(l.seq)), l.text.as_str()))
            .chain(narratives.iter().filter(|n| n.session == session.id).flat_map(|n| {
                [(place(Some(n.first_seq)), n.title.as_str()), (place(Some(n.first_seq)), n.memo.as_str())]
            }))
            .chain([(place(None), session.notes.as_str()), (place(None), session.place_text.as_str())]);
        join_tally(&mut found, detect::tally(texts, &list, &masker));
    }
    // What is typed about a case outside its sessions: attributes, efforts, links.
    let (efforts, links) = (store.efforts()?, store.links()?);
    for case in store.cases()?.into_iter().filter(|c| only.is_none_or(|id| id == c.id)) {
        let masker = Masker::new(&list, Some(case.id));
        let at = || Place { case: case.code.to_string(), session: String::new(), line: None };
        let texts = case
            .attributes
            .iter()
            .map(|(_, v)| v.as_str())
            .chain(
                efforts
                    .iter()
                    .filter(|e| e.case_id == case.id)
                    .flat_map(|e| [e.kind.as_str(), e.provider.as_str(), e.outcome.as_str()]),
            )
            .chain(
                links
                    .iter()
                    .filter(|l| l.case_id == case.id)
                    .flat_map(|l| l.chain.iter().map(String::as_str)),
            )
            .map(|text| (at(), text));
        join_tally(&mut found, detect::tally(texts, &list, &masker));
    }
    found.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    if json {
        let rows: Vec<serde_json::Value> = found
            .iter()
            .map(|(kind, text, count, at)| serde_json::json!({ "kind": kind.word(), "text": text, "count": count, "first": at }))
            .collect();
        print_json(&rows);
        return Ok(());
    }
    if found.is_empty() {
        println!(
            "the detectors propose nothing: every name, number and address they know is masked or allowed"
        );
    }
    for (kind, text, count, at) in &found {
        let line = at.line.map_or(String::new(), |l| format!(" line {l}"));
        let place = if at.session.is_empty() {
            format!("case {}'s attributes, efforts or links", at.case)
        } else {
            format!("{} session {}{line}", at.case, at.session)
        };
        println!("{text}  {}  ×{count}  first in {place}", kind.word());
    }
    Ok(())
}

/// `check --leaks`: the study as a masked export would hold it, or the given files.
pub fn check_leaks(store: &Store, files: &[std::path::PathBuf]) -> anyhow::Result<()> {
    let leak = if files.is_empty() {
        crate::export::study_leaks(store)?
    } else {
        let mut all = Vec::new();
        for f in files {
            if f.is_dir() {
                let mut inside: Vec<_> = std::fs::read_dir(f)
                    .with_context(|| format!("cannot read {}", f.display()))?
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect();
                inside.sort();
                all.extend(inside);
            } else if f.is_file() {
                all.push(f.clone());
            } else {
                bail!("there is no file {}", f.display());
            }
        }
        crate::export::masking::file_leaks(&store.mask_list()?, &all)
            .map_err(|e| anyhow::anyhow!("cannot read what was given: {}", files::cause(&e)))?
    };
    match leak {
        Some(leak) => bail!("a leak: {leak}"),
        None if files.is_empty() => println!("no leak: a masked export of the study holds nothing the detectors find that is neither masked nor allowed"),
        None => println!("no leak: no listed term, and no CPR number, phone number or e-mail address that is not allowed, in what was given"),
    }
    Ok(())
}
