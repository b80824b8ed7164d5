//! ELAN annotation documents (EAF 3.0), one per session: a tier per speaker
//! (participant: the label; tier type: the role), one for pauses and one for
//! the researcher's notes, each line an annotation from its time to where the
//! next line begins; the narratives on tiers of their own, with their codes on
//! dependent tiers whose values come from the codebook as controlled
//! vocabularies. Times are the recording's when the session has a recording
//! start (lines typed before it have no time there: they are left out, and the
//! document says so), else the session clock's.

use crate::domain::{CodeGroup, Codebook, GroupKind, Narrative, Session, Utterance, UtteranceKind};
use chrono::{DateTime, FixedOffset};

mod media;
pub mod recording;
mod write;

pub use media::Media;

/// The tier that holds the researcher's notes.
pub const NOTES_TIER: &str = "(notes)";
/// The tier that holds the pauses: a pause is nobody's turn.
pub const PAUSES_TIER: &str = "(pauses)";
/// The first narratives tier; overlapping narratives go on "narratives 2", "narratives 3"…
pub const NARRATIVES_TIER: &str = "narratives";
/// A line whose speaker is no label of the session's.
const NO_SPEAKER_TIER: &str = "(no speaker)";
/// How long the last line lasts when nothing follows it.
const LAST_LINE_MS: i64 = 2_000;
/// The language of the codes' names is not known: ISO 639-3 "undetermined", as ELAN writes it.
const LANGUAGE: (&str, &str, &str) = ("und", "http://cdb.iso.org/lg/CDB-00130975-001", "undetermined (und)");
const ONE_CODE: (&str, &str) = ("Symbolic_Association", "1-1 association with a parent annotation");
const SEVERAL_CODES: (&str, &str) = (
    "Symbolic_Subdivision",
    "Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered",
);

/// Where a line starts on the document's time line, in milliseconds; none
/// for a line typed before the recording started.
fn start_ms(session: &Session, line: &Utterance) -> Option<i64> {
    match session.recording_started {
        Some(_) => session.recording_ms(line.onset),
        None => Some(line.elapsed_ms.max(0)),
    }
}

/// A line on the time line.
struct Placed<'a> {
    line: &'a Utterance,
    start: i64,
    end: i64,
}

/// Each line lasts until the next one begins. Lines that share a start (an
/// imported transcript's lines without a time stamp of their own) share the
/// time until the next one, in order, so that none overlaps another.
fn spread<'a>(timed: &[(&'a Utterance, i64)]) -> Vec<Placed<'a>> {
    let mut placed = Vec::with_capacity(timed.len());
    let mut i = 0;
    while i < timed.len() {
        let start = timed[i].1;
        let n = timed[i..].iter().take_while(|(_, t)| *t == start).count() as i64;
        let until = timed.get(i + n as usize).map_or(start + LAST_LINE_MS * n, |(_, t)| *t);
        for k in 0..n {
            let from = start + (until - start) * k / n;
            let to = start + (until - start) * (k + 1) / n;
            placed.push(Placed { line: timed[i + k as usize].0, start: from, end: to.max(from + 1) });
        }
        i += n as usize;
    }
    placed
}

/// The lines that have a time, placed; and the numbers of those that have none.
fn place<'a>(session: &Session, lines: &'a [Utterance]) -> (Vec<Placed<'a>>, Vec<u32>) {
    let mut timed = Vec::with_capacity(lines.len());
    let mut left_out = Vec::new();
    for line in lines.iter().filter(|l| !l.deleted) {
        match start_ms(session, line) {
            Some(start) => timed.push((line, start)),
            None => left_out.push(line.seq),
        }
    }
    timed.sort_by_key(|(l, start)| (*start, l.seq));
    // A note is no turn: talk runs on past it, and it lasts until the next line of any kind.
    let talk: Vec<(&Utterance, i64)> =
        timed.iter().copied().filter(|(l, _)| l.kind != UtteranceKind::Note).collect();
    let mut placed = spread(&talk);
    placed.extend(spread(&timed).into_iter().filter(|p| p.line.kind == UtteranceKind::Note));
    placed.sort_by_key(|p| (p.start, p.line.seq));
    (placed, left_out)
}

fn moment(at: DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// `1-3, 7`: line numbers as ranges.
fn ranges(seqs: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < seqs.len() {
        let mut j = i;
        while j + 1 < seqs.len() && seqs[j + 1] == seqs[j] + 1 {
            j += 1;
        }
        parts.push(if i == j { seqs[i].to_string() } else { format!("{}-{}", seqs[i], seqs[j]) });
        i = j + 1;
    }
    parts.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

enum Anchor {
    Time(i64, i64),
    /// A code on its narrative: the parent annotation, and the code before it on a subdivided tier.
    Parent(usize, Option<usize>),
}

struct Annotation {
    id: usize,
    anchor: Anchor,
    value: String,
    /// The controlled vocabulary entry the value comes from.
    entry: Option<String>,
}

struct Tier {
    id: String,
    participant: Option<String>,
    kind: String,
    parent: Option<String>,
    annotations: Vec<Annotation>,
}

struct LinguisticType {
    id: String,
    constraint: Option<&'static str>,
    vocabulary: Option<String>,
}

/// The whole document before it is written: tiers, tier types, vocabularies.
#[derive(Default)]
struct Plan<'a> {
    tiers: Vec<Tier>,
    types: Vec<LinguisticType>,
    groups: Vec<&'a CodeGroup>,
    annotations: usize,
    properties: Vec<(&'static str, String)>,
}

impl Plan<'_> {
    fn next_id(&mut self) -> usize {
        self.annotations += 1;
        self.annotations
    }

    fn add_type(&mut self, id: &str, constraint: Option<&'static str>, vocabulary: Option<&str>) {
        if !self.types.iter().any(|t| t.id == id) {
            self.types.push(LinguisticType {
                id: id.to_string(),
                constraint,
                vocabulary: vocabulary.map(str::to_string),
            });
        }
    }

    fn time_tier(&mut self, id: &str, participant: Option<&str>, kind: &str, lines: &[&Placed]) {
        self.add_type(kind, None, None);
        let annotations = lines
            .iter()
            .map(|p| Annotation {
                id: self.next_id(),
                anchor: Anchor::Time(p.start, p.end),
                value: match p.line.kind {
                    UtteranceKind::Event => format!("[{}]", p.line.text),
                    UtteranceKind::Pause => p.line.shown(),
                    _ => p.line.text.clone(),
                },
                entry: None,
            })
            .collect();
        self.tiers.push(Tier {
            id: id.to_string(),
            participant: participant.map(str::to_string),
            kind: kind.to_string(),
            parent: None,
            annotations,
        });
    }
}

/// Whose tier a line goes on.
fn tier_of(line: &Utterance) -> &str {
    match line.kind {
        UtteranceKind::Note => NOTES_TIER,
        UtteranceKind::Pause => PAUSES_TIER,
        _ if line.speaker.is_empty() => NO_SPEAKER_TIER,
        _ => &line.speaker,
    }
}

/// A narrative on the time line: from its first line's start to its last line's end.
struct Span<'a> {
    narrative: &'a Narrative,
    start: i64,
    end: i64,
}

/// The narratives on as few tiers as keep any two on one tier from
/// overlapping (ELAN allows no overlap within a tier): a nested or
/// overlapping narrative goes on the next tier down.
fn levels<'a>(mut spans: Vec<Span<'a>>) -> Vec<Vec<Span<'a>>> {
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end), s.narrative.first_seq, s.narrative.id));
    let mut levels: Vec<Vec<Span>> = vec![Vec::new()];
    for span in spans {
        match levels.iter_mut().find(|l| l.last().is_none_or(|last| last.end <= span.start)) {
            Some(level) => level.push(span),
            None => levels.push(vec![span]),
        }
    }
    levels
}

fn plan<'a>(
    session: &Session,
    lines: &[Utterance],
    narratives: &[Narrative],
    codebook: &'a Codebook,
) -> Plan<'a> {
    let mut plan = Plan::default();
    let (placed, left_out) = place(session, lines);
    let time_line = match session.recording_started {
        Some(at) => format!("milliseconds into the recording, which started at {}", moment(at)),
        None => format!(
            "milliseconds of the session clock (time it was paused not counted), which started at {}",
            moment(session.clock.started)
        ),
    };
    plan.properties.push(("time line", time_line));
    line_tiers(&mut plan, session, &placed);
    let (spans, lost) = spans(session, narratives, &placed);
    if !left_out.is_empty() {
        let narratives = match lost {
            0 => String::new(),
            1 => ", nor is the narrative that lies wholly among them".to_string(),
            n => format!(", nor are the {n} narratives that lie wholly among them"),
        };
        plan.properties.push((
            "left out",
            format!(
                "{} typed before the recording started (lines {}) have no time in it and are not in this document{narratives}",
                plural(left_out.len(), "line", "lines"),
                ranges(&left_out)
            ),
        ));
    }
    narrative_tiers(&mut plan, spans, codebook);
    plan
}

/// A tier per speaker (the session's, in order, then any other label a line
/// carries), then the pauses and the notes.
fn line_tiers(plan: &mut Plan, session: &Session, placed: &[Placed]) {
    let mut speakers: Vec<(String, String)> =
        session.speakers.iter().map(|s| (s.label.clone(), format!("role: {}", s.role))).collect();
    for p in placed {
        let tier = tier_of(p.line);
        if ![NOTES_TIER, PAUSES_TIER].contains(&tier) && !speakers.iter().any(|(label, _)| label == tier) {
            speakers.push((tier.to_string(), "role: unknown".to_string()));
        }
    }
    let on = |tier: &str| -> Vec<&Placed> { placed.iter().filter(|p| tier_of(p.line) == tier).collect() };
    for (label, role) in &speakers {
        plan.time_tier(label, Some(label), role, &on(label));
    }
    plan.time_tier(PAUSES_TIER, None, "pause", &on(PAUSES_TIER));
    plan.time_tier(NOTES_TIER, None, "note", &on(NOTES_TIER));
}

/// The session's narratives over the lines of their spans that have a time,
/// and how many have none.
fn spans<'a>(session: &Session, narratives: &'a [Narrative], placed: &[Placed]) -> (Vec<Span<'a>>, usize) {
    let (mut spans, mut lost) = (Vec::new(), 0);
    for narrative in narratives.iter().filter(|n| !n.deleted && n.session == session.id) {
        let covered = placed.iter().filter(|p| narrative.covers(p.line.seq));
        let bounds = covered.fold(None, |b: Option<(i64, i64)>, p| {
            Some(b.map_or((p.start, p.end), |(s, e)| (s.min(p.start), e.max(p.end))))
        });
        match bounds {
            Some((start, end)) => spans.push(Span { narrative, start, end }),
            None => lost += 1,
        }
    }
    (spans, lost)
}

/// The narratives tiers, each with a dependent tier per code group. A code
/// group's tier takes one code per narrative, or several in order where the
/// group allows several (any-of) or a narrative carries several.
fn narrative_tiers<'a>(plan: &mut Plan<'a>, spans: Vec<Span>, codebook: &'a Codebook) {
    let carries = |group: &CodeGroup, narrative: &Narrative| {
        group.codes.iter().filter(|c| narrative.codes.contains(&c.id)).count()
    };
    plan.groups = codebook
        .groups
        .iter()
        .filter(|g| !g.retired || spans.iter().any(|s| carries(g, s.narrative) > 0))
        .collect();
    let several: Vec<bool> = plan
        .groups
        .iter()
        .map(|g| g.kind == GroupKind::AnyOf || spans.iter().any(|s| carries(g, s.narrative) > 1))
        .collect();
    plan.add_type("narrative", None, None);
    for (i, level) in levels(spans).into_iter().enumerate() {
        let tier = if i == 0 { NARRATIVES_TIER.to_string() } else { format!("{NARRATIVES_TIER} {}", i + 1) };
        let annotations: Vec<Annotation> = level
            .iter()
            .map(|s| Annotation {
                id: plan.next_id(),
                anchor: Anchor::Time(s.start, s.end),
                value: s.narrative.title.clone(),
                entry: None,
            })
            .collect();
        let parents: Vec<(usize, &Narrative)> =
            annotations.iter().zip(&level).map(|(a, s)| (a.id, s.narrative)).collect();
        plan.tiers.push(Tier {
            id: tier.clone(),
            participant: None,
            kind: "narrative".to_string(),
            parent: None,
            annotations,
        });
        // The first narratives tier has a tier for every code group, to code
        // in ELAN too; the others only those their narratives use.
        for (g, group) in plan.groups.clone().into_iter().enumerate() {
            if i > 0 && parents.iter().all(|(_, n)| carries(group, n) == 0) {
                continue;
            }
            let kind = format!("codes: {}", group.name);
            let constraint = if several[g] { SEVERAL_CODES.0 } else { ONE_CODE.0 };
            plan.add_type(&kind, Some(constraint), Some(&group.name));
            let mut annotations = Vec::new();
            for (parent, narrative) in &parents {
                let mut previous = None;
                for code in group.codes.iter().filter(|c| narrative.codes.contains(&c.id)) {
                    let id = plan.next_id();
                    annotations.push(Annotation {
                        id,
                        anchor: Anchor::Parent(*parent, previous),
                        value: code.name.clone(),
                        entry: Some(entry_id(code.id)),
                    });
                    previous = Some(id);
                }
            }
            plan.tiers.push(Tier {
                id: format!("{tier}: {}", group.name),
                participant: None,
                kind,
                parent: Some(tier.clone()),
                annotations,
            });
        }
    }
}

fn entry_id(code: crate::domain::Id) -> String {
    format!("cveid_{code}")
}

/// The EAF document of one session, with its narratives coded from `codebook`,
/// linked to the recording `media` when it is known.
pub fn session_eaf(
    session: &Session,
    lines: &[Utterance],
    narratives: &[Narrative],
    codebook: &Codebook,
    media: Option<&Media>,
    exported: DateTime<FixedOffset>,
) -> String {
    session_eaf_noted(session, lines, narratives, codebook, media, exported, None)
}

/// `session_eaf`, with one more header property (NAME, value) the document
/// should carry, such as an unmasked export's notice.
pub fn session_eaf_noted(
    session: &Session,
    lines: &[Utterance],
    narratives: &[Narrative],
    codebook: &Codebook,
    media: Option<&Media>,
    exported: DateTime<FixedOffset>,
    note: Option<(&'static str, &str)>,
) -> String {
    let mut plan = plan(session, lines, narratives, codebook);
    plan.properties.extend(note.map(|(name, value)| (name, value.to_string())));
    write::document(&plan, media, exported)
}

#[cfg(test)]
mod tests;
