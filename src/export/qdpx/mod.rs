//! REFI-QDA project exchange (`.qdpx`), which NVivo, ATLAS.ti, MAXQDA and
//! QualCoder import: each session a text source (its transcript as plain
//! text, with the session's facts as source variables), the codebook as
//! codes (groups as parent codes), each narrative a coded selection of
//! exactly its lines' text with its title and memo, cases with their typed
//! variables and sources, sets of sessions by contact point and kind, one
//! user per author. GUIDs are the study's own ids or derived from them, so
//! they are the same in every export; positions count Unicode code points
//! of NFC text, as the README's "Positions in a .qdpx" explains.

pub mod audio;
pub mod codes;
pub mod facts;
mod package;
pub mod text;

pub use package::{write, About};
pub use text::{source_text, SourceText};

use super::xml::{attr, text as clean};
use crate::domain::contacts::CaseContacts;
use crate::domain::{Case, Codebook, Id, Narrative, Session, Variables};
use chrono::{DateTime, FixedOffset, Utc};
use facts::{Type, Variable};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::collections::HashMap;
use std::io;

/// What a project is made of.
pub struct Project<'a> {
    pub name: &'a str,
    pub cases: &'a [Case],
    pub sessions: &'a [Session],
    /// Where each session's narratives lie in its source text, by session.
    pub placed: &'a HashMap<Id, Placed>,
    pub narratives: &'a [Narrative],
    pub codebook: &'a Codebook,
    pub variables: &'a Variables,
    /// Also write each case as a code that codes its sessions' whole text,
    /// under the case's own GUID: how NVivo links cases to sources, and the
    /// only way QualCoder's import links them. Two elements then share a GUID.
    pub cases_as_codes: bool,
    /// The project's description, if it has one (an unmasked export says so there).
    pub description: Option<&'a str>,
    /// The recordings linked, by session: each an AudioSource whose
    /// transcript is the session's text with its sync points (`Placed::sync`).
    pub recordings: &'a HashMap<Id, audio::Linked>,
    /// Each case's contact points, in `cases`' order: counts as variables,
    /// each point and why in the case's description (its memo in QualCoder).
    pub contacts: &'a [CaseContacts],
}

/// The project document being written, to memory or straight into the zip.
type Xml<'a> = Writer<&'a mut dyn io::Write>;

/// What the project document needs of a session's source text, which is
/// written apart from it: where each of the session's narratives lies in
/// it, and its length, in code points.
#[derive(Debug, Default)]
pub struct Placed {
    pub spans: HashMap<Id, (usize, usize)>,
    pub length: usize,
    /// Where each line with a time in the session's recording begins, and
    /// that time: (seq, position, ms). Empty without a recording.
    pub sync: Vec<(u32, usize, i64)>,
}

impl Placed {
    /// `narratives` are the session's own (not deleted).
    pub fn of(source: &SourceText, narratives: &[&Narrative]) -> Placed {
        let spans = narratives
            .iter()
            .filter_map(|n| source.span(n.first_seq, n.last_seq).map(|span| (n.id, span)))
            .collect();
        Placed { spans, length: source.text.chars().count(), sync: Vec::new() }
    }
}

fn user_id(author: &str) -> Id {
    Id::named(&format!("user:{author}"))
}

/// An `xs:dateTime` in UTC, the form every importer reads.
fn when(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn text_element(w: &mut Xml<'_>, name: &str, content: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(&clean(content)))?;
    Ok(())
}

/// A narrative's title and memo as one text: what its selection's
/// description and its note say.
fn narrative_text(n: &Narrative) -> String {
    if n.memo.is_empty() {
        n.title.clone()
    } else {
        format!("{}\n\n{}", n.title, n.memo)
    }
}

/// Each source's name: case, contact point, kind and date; the time, then the
/// short id, are added where two sessions would otherwise share a name.
fn source_names(p: &Project) -> HashMap<Id, String> {
    let codes: HashMap<Id, &str> = p.cases.iter().map(|c| (c.id, c.code.as_str())).collect();
    let base = |s: &Session| {
        let case = codes.get(&s.case_id).copied().unwrap_or_default();
        format!("{case} contact {} {} {}", s.contact_point, s.kind, s.clock.started.format("%Y-%m-%d"))
    };
    let timed = |s: &Session| format!("{} {}", base(s), s.clock.started.format("%H.%M"));
    let tally = |name: &dyn Fn(&Session) -> String| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for s in p.sessions {
            *counts.entry(name(s)).or_default() += 1;
        }
        counts
    };
    let (bases, times) = (tally(&base), tally(&timed));
    p.sessions
        .iter()
        .map(|s| {
            let name = match (base(s), timed(s)) {
                (name, _) if bases[&name] == 1 => name,
                (_, name) if times[&name] == 1 => name,
                (_, name) => format!("{name} {}", s.id.short()),
            };
            (s.id, name)
        })
        .collect()
}

fn write_variables(w: &mut Xml<'_>, variables: &[&Variable]) -> io::Result<()> {
    w.create_element("Variables").write_inner_content(|w| {
        for v in variables {
            let id = v.id.to_string();
            let name = attr(&v.name);
            w.create_element("Variable")
                .with_attributes([("guid", id.as_str()), ("name", &*name), ("typeOfVariable", v.kind.word())])
                .write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_value(w: &mut Xml<'_>, variable: Id, kind: Type, value: &str) -> io::Result<()> {
    let (element, value) = kind.value(value);
    w.create_element("VariableValue").write_inner_content(|w| {
        reference(w, "VariableRef", variable)?;
        text_element(w, element, &value)
    })?;
    Ok(())
}

fn write_cases(w: &mut Xml<'_>, p: &Project, cases: &[Case], variables: &[Variable]) -> io::Result<()> {
    w.create_element("Cases").write_inner_content(|w| {
        for (i, case) in cases.iter().enumerate() {
            let id = case.id.to_string();
            w.create_element("Case")
                .with_attributes([("guid", id.as_str()), ("name", &*attr(case.code.as_str()))])
                .write_inner_content(|w| {
                    if let Some(k) = p.contacts.get(i).filter(|k| !k.points.is_empty()) {
                        text_element(w, "Description", &k.ledger_text())?;
                    }
                    for v in variables {
                        if let Some((_, value)) =
                            case.attributes.iter().find(|(k, _)| k.eq_ignore_ascii_case(&v.name))
                        {
                            write_value(w, v.id, v.kind, value)?;
                        }
                    }
                    for s in p.sessions.iter().filter(|s| s.case_id == case.id) {
                        reference(w, "SourceRef", s.id)?;
                    }
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `<ELEMENT targetGUID="…"/>`: a reference to another element by its GUID.
fn reference(w: &mut Xml<'_>, element: &str, target: Id) -> io::Result<()> {
    w.create_element(element).with_attribute(("targetGUID", target.to_string().as_str())).write_empty()?;
    Ok(())
}

/// A coding of a selection with one code, by a user at a time.
fn write_coding(w: &mut Xml<'_>, guid: Id, user: &str, created: &str, code: Id) -> io::Result<()> {
    let guid = guid.to_string();
    w.create_element("Coding")
        .with_attributes([("guid", guid.as_str()), ("creatingUser", user), ("creationDateTime", created)])
        .write_inner_content(|w| reference(w, "CodeRef", code))?;
    Ok(())
}

/// One narrative's selection: its title as name, its title and memo as
/// description (QualCoder shows it as the coding's memo, or as an
/// annotation when the narrative has no code), a coding per code, its note.
fn write_selection(
    w: &mut Xml<'_>,
    n: &Narrative,
    (start, end): (usize, usize),
    codebook: &Codebook,
) -> io::Result<()> {
    let (guid, user, created, modified) =
        (n.id.to_string(), user_id(&n.author).to_string(), when(n.created), when(n.updated));
    let (start, end) = (start.to_string(), end.to_string());
    w.create_element("PlainTextSelection")
        .with_attributes([
            ("guid", guid.as_str()),
            ("name", &*attr(&n.title)),
            ("startPosition", &start),
            ("endPosition", &end),
            ("creatingUser", &user),
            ("creationDateTime", &created),
            ("modifyingUser", &user),
            ("modifiedDateTime", &modified),
        ])
        .write_inner_content(|w| {
            codes::description(w, &narrative_text(n))?;
            for code in n.codes.iter().filter(|c| codebook.code(**c).is_some()) {
                write_coding(w, n.id.derived(&format!("coding:{code}")), &user, &created, *code)?;
            }
            reference(w, "NoteRef", n.id.derived("note"))
        })?;
    Ok(())
}

/// The whole text of a session coded with its case's code (`cases_as_codes`).
fn write_case_coding(w: &mut Xml<'_>, session: &Session, length: usize) -> io::Result<()> {
    let (guid, user, created) = (
        session.id.derived("case selection").to_string(),
        user_id("fieldlog").to_string(),
        when(session.clock.started),
    );
    let end = length.to_string();
    w.create_element("PlainTextSelection")
        .with_attributes([
            ("guid", guid.as_str()),
            ("startPosition", "0"),
            ("endPosition", &end),
            ("creatingUser", &user),
            ("creationDateTime", &created),
        ])
        .write_inner_content(|w| {
            write_coding(w, session.id.derived("case coding"), &user, &created, session.case_id)
        })?;
    Ok(())
}

fn write_sources(w: &mut Xml<'_>, p: &Project, source_variables: &[Variable]) -> io::Result<()> {
    let names = source_names(p);
    let creator = user_id("fieldlog").to_string();
    let none = Placed::default();
    w.create_element("Sources").write_inner_content(|w| {
        for session in p.sessions {
            let placed = p.placed.get(&session.id).unwrap_or(&none);
            let case = p
                .cases
                .iter()
                .find(|c| c.id == session.case_id)
                .map_or(String::new(), |c| c.code.to_string());
            let (guid, created) = (session.id.to_string(), when(session.clock.started));
            let path = format!("internal://{guid}.txt");
            w.create_element("TextSource")
                .with_attributes([
                    ("guid", guid.as_str()),
                    ("name", &*attr(&names[&session.id])),
                    ("plainTextPath", &path),
                    ("creatingUser", &creator),
                    ("creationDateTime", &created),
                ])
                .write_inner_content(|w| {
                    codes::description(w, &session.notes)?;
                    for n in p.narratives.iter().filter(|n| n.session == session.id && !n.deleted) {
                        if let Some(span) = placed.spans.get(&n.id) {
                            write_selection(w, n, *span, p.codebook)?;
                        }
                    }
                    if p.cases_as_codes {
                        write_case_coding(w, session, placed.length)?;
                    }
                    for (v, value) in source_variables.iter().zip(facts::source_values(session, &case)) {
                        write_value(w, v.id, v.kind, &value)?;
                    }
                    Ok(())
                })?;
        }
        // After every text source, so a reader that wants them in the
        // schema's order of kinds finds them so.
        for session in p.sessions {
            if let Some(linked) = p.recordings.get(&session.id) {
                let sync = p.placed.get(&session.id).map_or(&[][..], |placed| &placed.sync);
                audio::write_audio_source(w, session, &names[&session.id], linked, sync)?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn write_notes(w: &mut Xml<'_>, p: &Project, sessions: &[Id]) -> io::Result<()> {
    w.create_element("Notes").write_inner_content(|w| {
        for n in p.narratives.iter().filter(|n| !n.deleted && sessions.contains(&n.session)) {
            let (guid, user, created, modified) = (
                n.id.derived("note").to_string(),
                user_id(&n.author).to_string(),
                when(n.created),
                when(n.updated),
            );
            w.create_element("Note")
                .with_attributes([
                    ("guid", guid.as_str()),
                    ("name", &*attr(&n.title)),
                    ("creatingUser", &user),
                    ("creationDateTime", &created),
                    ("modifyingUser", &user),
                    ("modifiedDateTime", &modified),
                ])
                .write_inner_content(|w| text_element(w, "PlainTextContent", &narrative_text(n)))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_sets(w: &mut Xml<'_>, p: &Project) -> io::Result<()> {
    let sessions: Vec<&Session> = p.sessions.iter().collect();
    w.create_element("Sets").write_inner_content(|w| {
        for set in facts::sets(&sessions) {
            let id = set.id.to_string();
            w.create_element("Set")
                .with_attributes([("guid", id.as_str()), ("name", &*attr(&set.name))])
                .write_inner_content(|w| {
                    codes::description(w, &set.description)?;
                    for member in &set.members {
                        reference(w, "MemberSource", *member)?;
                    }
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The project document (`project.qde`) as text; the source texts are written apart.
pub fn project(p: &Project) -> io::Result<String> {
    let mut bytes = Vec::new();
    write_project(p, &mut bytes)?;
    Ok(String::from_utf8(bytes).expect("the writer writes the UTF-8 it is given"))
}

/// The project document written to `out`, element by element.
pub fn write_project(p: &Project, out: &mut dyn io::Write) -> io::Result<()> {
    let mut authors: Vec<&str> = p.narratives.iter().map(|n| n.author.as_str()).collect();
    authors.push("fieldlog");
    authors.sort_unstable();
    authors.dedup();
    let (cases, variables) = facts::with_contacts(p.cases, p.contacts, p.variables);
    let case_variables = facts::case_variables(&cases, &variables);
    let source_variables = facts::source_variables(&case_variables);
    let mut w = Writer::new_with_indent(out, b' ', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    let creator = user_id("fieldlog").to_string();
    w.create_element("Project")
        .with_attributes([
            ("xmlns", "urn:QDA-XML:project:1.0"),
            ("name", &*attr(p.name)),
            ("origin", "fieldlog"),
            ("creatingUserGUID", &creator),
        ])
        .write_inner_content(|w| {
            w.create_element("Users").write_inner_content(|w| {
                for a in &authors {
                    let id = user_id(a).to_string();
                    w.create_element("User")
                        .with_attributes([("guid", id.as_str()), ("name", &*attr(a))])
                        .write_empty()?;
                }
                Ok(())
            })?;
            w.create_element("CodeBook").write_inner_content(|w| {
                codes::write_codes(w, p.codebook, if p.cases_as_codes { p.cases } else { &[] })
            })?;
            let all: Vec<&Variable> = case_variables.iter().chain(&source_variables).collect();
            write_variables(w, &all)?;
            write_cases(w, p, &cases, &case_variables)?;
            write_sources(w, p, &source_variables)?;
            let sessions: Vec<Id> = p.sessions.iter().map(|s| s.id).collect();
            write_notes(w, p, &sessions)?;
            write_sets(w, p)?;
            if let Some(description) = p.description {
                codes::description(w, description)?;
            }
            Ok(())
        })?;
    w.into_inner().write_all(b"\n")
}
