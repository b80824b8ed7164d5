//! Masking an export: every free text a person could be named in (lines,
//! revisions, drafts, narrative titles and memos, session notes and places,
//! case attributes, efforts, links) goes through the mask list of its case;
//! then the leak check: nothing the detectors find may be left unmasked and
//! unallowed, and no listed term (or its genitive) may be in any byte
//! written, zip members included.

use super::json::StudyExport;
use crate::domain::mask::detect::{self, Kind};
use crate::domain::{Case, Effort, Id, Link, MaskList, Masker, Narrative, Session, Utterance};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The study's mask list, compiled once per case.
pub struct Masks {
    pub list: MaskList,
    by_case: HashMap<Option<Id>, Masker>,
}

impl Masks {
    pub fn new(list: MaskList, cases: impl IntoIterator<Item = Id>) -> Masks {
        let mut by_case: HashMap<Option<Id>, Masker> =
            cases.into_iter().map(|id| (Some(id), Masker::new(&list, Some(id)))).collect();
        by_case.insert(None, Masker::new(&list, None));
        Masks { list, by_case }
    }

    /// The masker for a case's texts (the study's terms and the case's own).
    pub fn of(&self, case: Id) -> &Masker {
        self.by_case.get(&Some(case)).unwrap_or(&self.by_case[&None])
    }

    fn put(&self, case: Id, text: &mut String) {
        if let std::borrow::Cow::Owned(masked) = self.of(case).mask(text) {
            *text = masked;
        }
    }

    pub fn case(&self, case: &mut Case) {
        for (_, value) in &mut case.attributes {
            self.put(case.id, value);
        }
    }

    /// A session's notes, place and speaker labels (a label can be a name: `Mette`).
    pub fn session(&self, session: &mut Session) {
        let case = session.case_id;
        self.put(case, &mut session.notes);
        self.put(case, &mut session.place_text);
        for speaker in &mut session.speakers {
            self.put(case, &mut speaker.label);
        }
    }

    /// A line's text and its speaker's label.
    pub fn line(&self, masker: &Masker, line: &mut Utterance) {
        if let std::borrow::Cow::Owned(masked) = masker.mask(&line.text) {
            line.text = masked;
        }
        if let std::borrow::Cow::Owned(masked) = masker.mask(&line.speaker) {
            line.speaker = masked;
        }
    }

    pub fn narrative(&self, case: Id, n: &mut Narrative) {
        self.put(case, &mut n.title);
        self.put(case, &mut n.memo);
    }

    pub fn effort(&self, e: &mut Effort) {
        let case = e.case_id;
        self.put(case, &mut e.kind);
        self.put(case, &mut e.provider);
        self.put(case, &mut e.outcome);
    }

    pub fn link(&self, l: &mut Link) {
        let case = l.case_id;
        for step in &mut l.chain {
            self.put(case, step);
        }
    }

    /// A contact ledger's reasons (a dropout's may name a place or a person).
    pub fn ledger(&self, l: &mut crate::domain::contacts::ContactLedger) {
        for mark in &mut l.marks {
            self.put(l.case_id, &mut mark.reason);
        }
        if let Some(out) = &mut l.dropout {
            self.put(l.case_id, &mut out.reason);
        }
    }

    /// A recruitment entry's who-asked and reason: through its case's list
    /// when the person joined (`cases` has their code as its label), else
    /// through the study-wide list.
    pub fn recruitment(&self, r: &mut crate::domain::contacts::Recruitment, cases: &[Case]) {
        let case = cases.iter().find(|c| c.code == r.label).map(|c| c.id);
        let masker = case.map_or(&self.by_case[&None], |id| self.of(id));
        r.via = masker.mask(&r.via).into_owned();
        r.reason = masker.mask(&r.reason).into_owned();
    }

    /// Everything a JSON export holds that a person wrote or said.
    pub fn study(&self, study: &mut StudyExport) {
        study.cases.iter_mut().for_each(|c| self.case(c));
        let mut case_of: HashMap<Id, Id> = HashMap::new();
        for s in &mut study.sessions {
            let case = s.session.case_id;
            case_of.insert(s.session.id, case);
            self.session(&mut s.session);
            let masker = self.of(case);
            for line in &mut s.utterances {
                self.line(masker, line);
            }
            for r in &mut s.revisions {
                r.text = masker.mask(&r.text).into_owned();
                r.speaker = masker.mask(&r.speaker).into_owned();
            }
            if let Some(d) = &mut s.draft {
                d.text = masker.mask(&d.text).into_owned();
                d.speaker = masker.mask(&d.speaker).into_owned();
            }
        }
        for n in &mut study.narratives {
            if let Some(case) = case_of.get(&n.session) {
                self.narrative(*case, n);
            }
        }
        study.efforts.iter_mut().for_each(|e| self.effort(e));
        study.links.iter_mut().for_each(|l| self.link(l));
        study.contact_ledgers.iter_mut().for_each(|l| self.ledger(l));
        let cases = &study.cases;
        study.recruitment.iter_mut().for_each(|r| self.recruitment(r, cases));
        // The study's vocabularies, learned from what was typed.
        let study_wide = &self.by_case[&None];
        for kind in &mut study.effort_kinds.kinds {
            *kind = study_wide.mask(kind).into_owned();
        }
        for v in &mut study.variables.variables {
            if let crate::domain::VariableKind::List(values) = &mut v.kind {
                values.iter_mut().for_each(|value| *value = study_wide.mask(value).into_owned());
            }
        }
    }
}

/// What the leak check found: where, and what.
#[derive(Debug)]
pub struct Leak {
    pub place: String,
    pub what: String,
    /// How many findings in all.
    pub count: usize,
    /// Found in the bytes written, outside the texts the mask list masks.
    pub outside: bool,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let more = if self.count > 1 { format!(" (and {} more)", self.count - 1) } else { String::new() };
        let advice = if self.outside {
            "it is written where no mask applies (a case code, an author, a file name): rename it or use --pseudonymise"
        } else {
            "mask or allow it (see `fieldlog mask scan`)"
        };
        write!(f, "{} holds {}{more}; {advice}", self.place, self.what)
    }
}

/// A text of the study with where it is, for the leak check's report.
struct Text<'a> {
    pub case: Id,
    pub place: String,
    pub text: &'a str,
}

/// What the detectors find in one session's masked lines: the first (its
/// line number and what it is) and how many in all.
#[derive(Debug, Default)]
pub struct Findings {
    pub first: Option<(u32, String)>,
    pub count: usize,
}

/// The detectors on one session's masked lines (tombstones left out).
pub fn session_findings(masks: &Masks, session: &Session, lines: &[Utterance]) -> Findings {
    let masker = masks.of(session.case_id);
    let mut findings = Findings::default();
    for line in lines.iter().filter(|l| !l.deleted) {
        let found = detect::findings(&line.text, &masks.list, masker);
        if let (None, Some(f)) = (&findings.first, found.first()) {
            findings.first = Some((line.seq, format!("{} {:?}", what(f.kind), f.text)));
        }
        findings.count += found.len();
    }
    findings
}

/// Where a line is, as the leak check names it.
pub fn line_place(cases: &[Case], session: &Session, seq: u32) -> String {
    let code = cases.iter().find(|c| c.id == session.case_id).map_or(String::new(), |c| c.code.to_string());
    format!("line {seq} of case {code}'s session {}", session.id.short())
}

/// Detector findings left in the sessions' masked lines, the sessions split
/// among the cores; `place` names a line (session, seq) only for the first.
fn line_findings(
    masks: &Masks,
    sessions: &[(&Session, &[Utterance])],
    place: impl Fn(&Session, u32) -> String,
) -> Option<Leak> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = sessions.len().div_ceil(threads).max(1);
    // Per core: the first hit (session index, line, what) and how many in all.
    type Part = (Option<(usize, u32, String)>, usize);
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let workers: Vec<_> = sessions
            .chunks(chunk)
            .enumerate()
            .map(|(part, sessions)| {
                scope.spawn(move || {
                    let mut first = None;
                    let mut count = 0;
                    for (i, (session, lines)) in sessions.iter().enumerate() {
                        let found = session_findings(masks, session, lines);
                        if let (None, Some((seq, what))) = (&first, found.first) {
                            first = Some((part * chunk + i, seq, what));
                        }
                        count += found.count;
                    }
                    (first, count)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a checking thread panicked")).collect()
    });
    let count = parts.iter().map(|(_, n)| n).sum();
    let (session, seq, what) = parts.into_iter().find_map(|(first, _)| first)?;
    Some(Leak { place: place(sessions[session].0, seq), what, count, outside: false })
}

/// The masked texts of a study (or of the part an export covers), for the leak check.
pub struct Study<'a> {
    pub cases: &'a [Case],
    pub sessions: Vec<(&'a Session, &'a [Utterance])>,
    pub narratives: &'a [Narrative],
    pub efforts: &'a [Effort],
    pub links: &'a [Link],
    pub ledgers: &'a [crate::domain::contacts::ContactLedger],
    pub recruitment: &'a [crate::domain::contacts::Recruitment],
}

/// The leak check on masked texts, the one every export runs: what the
/// detectors still find in lines, narratives, session notes and places,
/// case attributes, efforts and links that is neither listed nor allowed.
pub fn check(masks: &Masks, study: &Study) -> Option<Leak> {
    // The lines first, on every core: they are nearly all of a study's text.
    let in_lines = line_findings(masks, &study.sessions, |s, seq| line_place(study.cases, s, seq));
    combine(in_lines, other_findings(masks, study))
}

/// The check's one report from what it found in the lines and elsewhere:
/// the first in the lines if any, with every finding counted.
pub fn combine(in_lines: Option<Leak>, rest: Option<Leak>) -> Option<Leak> {
    match (in_lines, rest) {
        (Some(mut leak), other) => {
            leak.count += other.map_or(0, |o| o.count);
            Some(leak)
        }
        (None, other) => other,
    }
}

/// The check on every text but the lines (which `study.sessions` may leave
/// empty): narratives, session notes and places, case attributes, efforts,
/// links, the contact ledger's reasons and the recruitment log.
pub fn other_findings(masks: &Masks, study: &Study) -> Option<Leak> {
    let text = |case: Id, place: String, text| Text { case, place, text };
    let case_of: HashMap<Id, Id> = study.sessions.iter().map(|(s, _)| (s.id, s.case_id)).collect();
    let narratives = study.narratives.iter().filter(|n| !n.deleted).flat_map(|n| {
        let case = case_of.get(&n.session).copied().unwrap_or_default();
        let place = format!("narrative {:?}", n.title);
        [text(case, place.clone(), n.title.as_str()), text(case, place, n.memo.as_str())]
    });
    let sessions = study.sessions.iter().flat_map(|(s, _)| {
        let place = format!("the notes of session {}", s.id.short());
        [text(s.case_id, place.clone(), s.notes.as_str()), text(s.case_id, place, s.place_text.as_str())]
    });
    let attributes = study.cases.iter().flat_map(|c| {
        c.attributes.iter().map(move |(k, v)| text(c.id, format!("case {}'s {k}", c.code), v.as_str()))
    });
    let efforts = study.efforts.iter().flat_map(|e| {
        let place = format!("effort {:?}", e.kind);
        [e.kind.as_str(), e.provider.as_str(), e.outcome.as_str()].map(|t| text(e.case_id, place.clone(), t))
    });
    let links = study
        .links
        .iter()
        .flat_map(|l| l.chain.iter().map(move |step| text(l.case_id, "a link".to_string(), step.as_str())));
    let ledgers = study.ledgers.iter().flat_map(|l| {
        let reasons = l.marks.iter().map(|m| (m.point.to_string(), m.reason.as_str()));
        let dropout = l.dropout.iter().map(|d| ("dropout".to_string(), d.reason.as_str()));
        reasons
            .chain(dropout)
            .map(move |(at, why)| text(l.case_id, format!("the contact ledger ({at})"), why))
    });
    let recruitment = study.recruitment.iter().flat_map(|r| {
        let case = study.cases.iter().find(|c| c.code == r.label).map(|c| c.id).unwrap_or_default();
        let place = format!("the recruitment log ({})", r.label);
        [text(case, place.clone(), r.via.as_str()), text(case, place, r.reason.as_str())]
    });
    let follow_up = ledgers.chain(recruitment);
    unmasked_findings(
        masks,
        narratives.chain(sessions).chain(attributes).chain(efforts).chain(links).chain(follow_up),
    )
}

/// Detector findings left in masked texts that the mask list neither masks nor allows.
fn unmasked_findings<'a>(masks: &Masks, texts: impl IntoIterator<Item = Text<'a>>) -> Option<Leak> {
    let mut first: Option<(String, String)> = None;
    let mut count = 0;
    for t in texts {
        let found = detect::findings(t.text, &masks.list, masks.of(t.case));
        if let Some(f) = found.first() {
            first.get_or_insert_with(|| (t.place.clone(), format!("{} {:?}", what(f.kind), f.text)));
        }
        count += found.len();
    }
    first.map(|(place, what)| Leak { place, what, count, outside: false })
}

fn what(kind: Kind) -> &'static str {
    match kind {
        Kind::Cpr => "a CPR number",
        Kind::Phone => "a phone number",
        Kind::Email => "an e-mail address",
        Kind::Name => "the capitalised word",
    }
}

/// A zip member's text as the byte check reads it: XML's escapes undone, so
/// that a term with `&` or `<` in it is found (every member is read so,
/// the plain texts of a qdpx too).
pub fn unescape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .into()
}

/// What the byte check found in a text: the first study-wide listed term
/// (its line, counting from 0, and what) and how many in all; and how many
/// lines the text has, so a writer can name the line in the whole file.
#[derive(Debug, Default)]
pub struct Hits {
    pub first: Option<(usize, String)>,
    pub count: usize,
    pub lines: usize,
}

impl Masks {
    /// The study-wide terms the byte check looks for, if there are any.
    pub fn listed(&self) -> Option<&Masker> {
        Some(&self.by_case[&None]).filter(|every| !every.is_empty())
    }
}

/// The byte check on a text before it is written, line by line as
/// `listed_terms_in` reads the file: `every` is `Masks::listed`.
pub fn listed_hits(every: &Masker, text: &str) -> Hits {
    let mut hits = Hits::default();
    for line in text.split_terminator('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (hit, n) = listed_in_line(every, line);
        if hits.first.is_none() {
            hits.first = hit.map(|what| (hits.lines, what));
        }
        hits.count += n;
        hits.lines += 1;
    }
    hits
}

/// Bytes on their way into a file, read line by line by the byte check
/// as they pass (`every` is `Masks::listed`; none, and nothing is read), XML's
/// escapes undone first where `xml` (a zip member, as `listed_terms_in` reads it).
pub struct Checking<'m, W> {
    out: W,
    every: Option<&'m Masker>,
    xml: bool,
    /// What passed after the last line ending.
    partial: Vec<u8>,
    /// What the check found so far, by line of everything written through it.
    pub found: Hits,
}

impl<'m, W: std::io::Write> Checking<'m, W> {
    pub fn new(out: W, every: Option<&'m Masker>, xml: bool) -> Self {
        Checking { out, every, xml, partial: Vec::new(), found: Hits::default() }
    }

    /// Counts `lines` (whole lines, read by the check elsewhere) as written,
    /// so that later lines are named by their place in the whole file.
    pub fn skip(&mut self, lines: usize) {
        self.found.lines += lines;
    }

    fn check(&mut self, bytes: &[u8]) {
        let Some(every) = self.every else { return };
        let text = String::from_utf8_lossy(bytes);
        let hits = if self.xml { listed_hits(every, &unescape(&text)) } else { listed_hits(every, &text) };
        if let (None, Some((at, what))) = (&self.found.first, hits.first) {
            self.found.first = Some((self.found.lines + at, what));
        }
        self.found.count += hits.count;
        self.found.lines += hits.lines;
    }

    /// The writer, and what the check found, the last line (without an ending) read too.
    pub fn finish(mut self) -> (W, Hits) {
        let rest = std::mem::take(&mut self.partial);
        self.check(&rest);
        (self.out, self.found)
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

impl<W: std::io::Write> std::io::Write for Checking<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.every.is_some() {
            match memchr::memrchr(b'\n', bytes) {
                None => self.partial.extend_from_slice(bytes),
                Some(end) => {
                    let mut lines = std::mem::take(&mut self.partial);
                    lines.extend_from_slice(&bytes[..=end]);
                    self.check(&lines);
                    lines.clear();
                    lines.extend_from_slice(&bytes[end + 1..]);
                    self.partial = lines;
                }
            }
        }
        self.out.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn listed_in_line(every: &Masker, line: &str) -> (Option<String>, usize) {
    let found = every.find(line);
    let first = found.first().map(|f| format!("the listed term {:?}", &line[f.range.clone()]));
    (first, found.len())
}

/// The text of a written file, and of each member when it is a zip (qdpx, xlsx).
fn file_texts(path: &Path) -> std::io::Result<Vec<(String, String)>> {
    let bytes = std::fs::read(path)?;
    let name = path.display().to_string();
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(vec![(name, String::from_utf8_lossy(&bytes).into_owned())]);
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(std::io::Error::other)?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut member = zip.by_index(i).map_err(std::io::Error::other)?;
        let member_name = member.name().map_err(std::io::Error::other)?.into_owned();
        let mut content = Vec::new();
        member.read_to_end(&mut content)?;
        // XML members: a term with `&` or `<` in it is written escaped.
        let text = unescape(&String::from_utf8_lossy(&content)).into_owned();
        out.push((format!("{name}:{member_name}"), text));
    }
    Ok(out)
}

/// Any study-wide listed term (or its genitive) in any byte of the written
/// files, with the file (and member) and line it is on. (A case's own terms
/// are checked on its texts: in a file that mixes cases, another case may
/// say the same word of someone else.)
pub fn listed_terms_in(masks: &Masks, files: &[PathBuf]) -> std::io::Result<Option<Leak>> {
    let every = &masks.by_case[&None];
    if every.is_empty() {
        return Ok(None);
    }
    scan_files(files, |line| listed_in_line(every, line))
}

/// Runs `check` on every line of every file (zip members unpacked), the lines
/// of each split among the cores: the first hit with its place, and how many in all.
fn scan_files(
    files: &[PathBuf],
    check: impl Fn(&str) -> (Option<String>, usize) + Sync,
) -> std::io::Result<Option<Leak>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let mut first = None;
    let mut count = 0;
    for file in files.iter().filter(|f| f.is_file()) {
        for (name, text) in file_texts(file)? {
            let lines: Vec<&str> = text.lines().collect();
            let chunk = lines.len().div_ceil(threads).max(1);
            let parts: Vec<(Option<(usize, String)>, usize)> = std::thread::scope(|scope| {
                let check = &check;
                let workers: Vec<_> = lines
                    .chunks(chunk)
                    .enumerate()
                    .map(|(part, lines)| {
                        scope.spawn(move || {
                            let mut first = None;
                            let mut count = 0;
                            for (i, line) in lines.iter().enumerate() {
                                let (hit, n) = check(line);
                                if first.is_none() {
                                    first = hit.map(|what| (part * chunk + i, what));
                                }
                                count += n;
                            }
                            (first, count)
                        })
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().expect("a scanning thread panicked")).collect()
            });
            for (hit, n) in parts {
                count += n;
                if first.is_none() {
                    first = hit.map(|(line, what)| (format!("line {} of {name}", line + 1), what));
                }
            }
        }
    }
    Ok(first.map(|(place, what)| Leak { place, what, count, outside: true }))
}

/// The leak check on files someone wrote or was sent: every study-wide listed
/// term (a case's own are checked on its texts: a file mixing cases may hold
/// the same word said of someone else) and every CPR
/// number, phone number and e-mail address that is not allowed, in any byte,
/// zip members included. Capitalised words are left to the study's own
/// check: a file's headings and markup are full of them.
pub fn file_leaks(list: &MaskList, files: &[PathBuf]) -> std::io::Result<Option<Leak>> {
    let masker = Masker::new(list, None);
    scan_files(files, |line| {
        let terms = masker.find(line);
        let numbers: Vec<_> =
            detect::findings(line, list, &masker).into_iter().filter(|f| f.kind != Kind::Name).collect();
        let hit = terms.first().map(|f| format!("the listed term {:?}", &line[f.range.clone()]));
        let hit = hit.or_else(|| numbers.first().map(|f| format!("{} {:?}", what(f.kind), f.text)));
        (hit, terms.len() + numbers.len())
    })
}
