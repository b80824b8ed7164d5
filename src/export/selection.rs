//! The part of the study an export covers: everything but the lines read,
//! pseudonymised and masked up front; the lines a session at a time, on
//! reader threads, masked and leak-checked there and handed to the writer in
//! order (`each_session`), so that no export holds the whole study.

use super::masking::{self, Findings, Leak, Masks};
use super::pseudonyms::Pseudonyms;
use super::{json, stream, ExportError};
use crate::domain::contacts::{case_contacts, CaseContacts, ContactLedger, ContactPlan, Recruitment};
use crate::domain::narrated::NarratedTime;
use crate::domain::{Case, Codebook, Effort, Id, Link, Narrative, Session, Utterance, Variables};
use crate::store::{Store, StoreError};

/// The selection without its lines, as it will be written.
pub struct Selection {
    pub cases: Vec<Case>,
    pub sessions: Vec<Session>,
    pub narratives: Vec<Narrative>,
    pub codebook: Codebook,
    pub variables: Variables,
    pub efforts: Vec<Effort>,
    pub links: Vec<Link>,
    /// Each case's contact points kept, partial, missed (as of today), in `cases`' order.
    pub contacts: Vec<CaseContacts>,
    /// The recruitment log (whole-study exports only: it names people who never became cases).
    pub recruitment: Vec<Recruitment>,
    /// When the events the narratives tell of happened, where that was said.
    pub narrated: Vec<NarratedTime>,
}

/// Where the lines come from.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Store(&'a Store),
    /// Sessions with their lines, already read (a test, a small study).
    Memory(&'a [(Session, Vec<Utterance>)]),
}

/// How the lines are read and made ready for writing.
pub struct Reading<'a> {
    pub source: Source<'a>,
    pub pseudonyms: Option<&'a Pseudonyms>,
    /// The mask list, unless the export is unmasked.
    pub masks: Option<&'a Masks>,
    /// Whether the leak check runs (masked, and leaks not allowed).
    pub check: bool,
}

impl Reading<'_> {
    /// The study-wide terms the byte check looks for in what is written, if it runs.
    pub fn listed(&self) -> Option<&crate::domain::Masker> {
        self.masks.filter(|_| self.check).and_then(Masks::listed)
    }
}

/// What the leak check found so far, in the order things are written.
#[derive(Default)]
pub struct Tally {
    /// The detectors, in texts other than the lines (known before any line is read).
    rest: Option<Leak>,
    /// The detectors in the lines: the first, and how many in all.
    in_lines: Option<Leak>,
    line_count: usize,
    /// Study-wide listed terms in the bytes made to be written: place and what.
    listed: Option<(String, String)>,
    listed_count: usize,
}

impl Tally {
    /// Whether the export will be refused: nothing more need be written.
    pub fn refused(&self) -> bool {
        self.rest.is_some() || self.in_lines.is_some() || self.listed.is_some()
    }

    /// Whether the detectors found anything (in the lines so far, or elsewhere).
    pub fn detected(&self) -> bool {
        self.rest.is_some() || self.in_lines.is_some()
    }

    /// A session's findings in its lines, in session order.
    pub fn lines(&mut self, cases: &[Case], session: &Session, found: Findings) {
        if let (None, Some((seq, what))) = (&self.in_lines, found.first) {
            let place = masking::line_place(cases, session, seq);
            self.in_lines = Some(Leak { place, what, count: 0, outside: false });
        }
        self.line_count += found.count;
    }

    /// What the byte check found in a text written to `file` whose first line
    /// is line `line` of it (counting from 0).
    pub fn listed(&mut self, file: &str, line: usize, hits: &masking::Hits) {
        self.listed_at(|at| format!("line {} of {file}", line + at + 1), hits);
    }

    /// What the byte check found in a text, `place` naming where its first
    /// hit is from the line (or row) it is on in the text.
    pub fn listed_at(&mut self, place: impl FnOnce(usize) -> String, hits: &masking::Hits) {
        if let (None, Some((at, what))) = (&self.listed, &hits.first) {
            self.listed = Some((place(*at), what.clone()));
        }
        self.listed_count += hits.count;
    }

    /// The byte check's findings of `later`, in a file written after this one's.
    pub fn merge_listed(&mut self, later: Tally) {
        if self.listed.is_none() {
            self.listed = later.listed;
        }
        self.listed_count += later.listed_count;
    }

    /// The export's fate: refused with the study check's report if the
    /// detectors found anything (as before anything was written), else with
    /// the byte check's, whose file is not kept.
    pub fn verdict(mut self) -> Result<(), ExportError> {
        if let Some(leak) = self.in_lines.as_mut() {
            leak.count = self.line_count;
        }
        if let Some(leak) = masking::combine(self.in_lines, self.rest) {
            return Err(ExportError::Leak(leak));
        }
        match self.listed {
            Some((place, what)) => Err(ExportError::Leak(Leak {
                place: format!("{place} (the file is not kept)"),
                what,
                count: self.listed_count,
                outside: true,
            })),
            None => Ok(()),
        }
    }
}

/// Reads the selection for `scope` without its lines, pseudonymised and
/// masked, and the leak check of everything in it but the lines.
/// `today` is the day the cases' contact points are judged on.
pub fn select(
    store: &Store,
    scope: json::Scope,
    reading: &Reading,
    today: chrono::NaiveDate,
) -> Result<(Selection, Tally), ExportError> {
    let mut cases: Vec<Case> =
        store.cases()?.into_iter().filter(|c| scope.case.is_none_or(|id| c.id == id)).collect();
    // Every session, read once: contact points are judged by all of a case's.
    let all_sessions = store.sessions()?;
    let mut sessions: Vec<Session> = all_sessions
        .iter()
        .filter(|s| cases.iter().any(|c| c.id == s.case_id) && scope.session.is_none_or(|id| s.id == id))
        .cloned()
        .collect();
    if sessions.is_empty() {
        return Err(ExportError::Nothing);
    }
    let mut narratives: Vec<Narrative> =
        store.narratives()?.into_iter().filter(|n| sessions.iter().any(|s| s.id == n.session)).collect();
    let ours = |case: Id| cases.iter().any(|c| c.id == case);
    let mut efforts: Vec<Effort> = store.efforts()?.into_iter().filter(|e| ours(e.case_id)).collect();
    let mut links: Vec<Link> = store.links()?.into_iter().filter(|l| ours(l.case_id)).collect();
    let mut ledgers: Vec<ContactLedger> =
        store.contact_ledgers()?.into_iter().filter(|l| ours(l.case_id)).collect();
    let whole = scope.case.is_none() && scope.session.is_none();
    let mut recruitment = if whole { store.recruitment()? } else { Vec::new() };
    recruitment.sort_by(|a, b| (a.asked, a.label.as_str()).cmp(&(b.asked, b.label.as_str())));
    if let Some(p) = reading.pseudonyms {
        cases.iter_mut().for_each(|c| p.apply_case(c));
        sessions.iter_mut().for_each(|s| p.apply_session(s, &mut []));
        narratives.iter_mut().for_each(|n| p.apply_narrative(n));
        recruitment.iter_mut().for_each(|r| p.apply_recruitment(r));
    }
    let mut tally = Tally::default();
    if let Some(masks) = reading.masks {
        cases.iter_mut().for_each(|c| masks.case(c));
        sessions.iter_mut().for_each(|s| masks.session(s));
        let case_of: std::collections::HashMap<Id, Id> = sessions.iter().map(|s| (s.id, s.case_id)).collect();
        for n in &mut narratives {
            if let Some(case) = case_of.get(&n.session) {
                masks.narrative(*case, n);
            }
        }
        efforts.iter_mut().for_each(|e| masks.effort(e));
        links.iter_mut().for_each(|l| masks.link(l));
        ledgers.iter_mut().for_each(|l| masks.ledger(l));
        recruitment.iter_mut().for_each(|r| masks.recruitment(r, &cases));
        if reading.check {
            let study = masking::Study {
                cases: &cases,
                sessions: sessions.iter().map(|s| (s, &[][..])).collect(),
                narratives: &narratives,
                efforts: &efforts,
                links: &links,
                ledgers: &ledgers,
                recruitment: &recruitment,
            };
            tally.rest = masking::other_findings(masks, &study);
        }
    }
    // Judged by all the case's sessions, even when one session is exported.
    let contacts = judged(&store.contact_plan()?, &ledgers, &cases, &all_sessions, today);
    let narrated = store
        .narrated_times()?
        .into_iter()
        .filter(|t| narratives.iter().any(|n| n.id == t.narrative))
        .collect();
    let selection = Selection {
        narrated,
        codebook: store.codebook()?,
        variables: store.variables()?,
        contacts,
        recruitment,
        cases,
        sessions,
        narratives,
        efforts,
        links,
    };
    Ok((selection, tally))
}

/// Each of `cases`' contact points as of `today`, from the study's plan and
/// the cases' ledgers (their reasons masked when `masks` are given).
pub fn contacts(
    store: &Store,
    cases: &[Case],
    sessions: &[Session],
    masks: Option<&crate::export::masking::Masks>,
    today: chrono::NaiveDate,
) -> Result<Vec<CaseContacts>, StoreError> {
    let plan = store.contact_plan()?;
    let mut ledgers = store.contact_ledgers()?;
    if let Some(masks) = masks {
        ledgers.iter_mut().for_each(|l| masks.ledger(l));
    }
    Ok(judged(&plan, &ledgers, cases, sessions, today))
}

/// Each of `cases`' contact points as of `today`, by `plan` and `ledgers`.
fn judged(
    plan: &ContactPlan,
    ledgers: &[ContactLedger],
    cases: &[Case],
    sessions: &[Session],
    today: chrono::NaiveDate,
) -> Vec<CaseContacts> {
    cases
        .iter()
        .map(|case| {
            let ledger = ledgers.iter().find(|l| l.case_id == case.id);
            case_contacts(case, sessions, plan, ledger, today)
        })
        .collect()
}

impl Selection {
    /// Each session's lines, read, pseudonymised, masked and checked on the
    /// reader threads, where `prepare` turns them into what the writer
    /// needs; `consume` gets that on this thread in session order. The
    /// detectors' findings are in `tally` before `consume` is called.
    pub fn each_session<T: Send>(
        &self,
        reading: &Reading,
        tally: &mut Tally,
        prepare: impl Fn(&Session, Vec<Utterance>) -> Result<T, ExportError> + Sync,
        mut consume: impl FnMut(&Session, T, &mut Tally) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let indexed: Vec<usize> = (0..self.sessions.len()).collect();
        stream::in_order(
            &indexed,
            stream::readers(),
            |&i| {
                let session = &self.sessions[i];
                let lines = read_lines(reading, session)?;
                let found = match reading.masks.filter(|_| reading.check) {
                    Some(masks) => masking::session_findings(masks, session, &lines),
                    None => Findings::default(),
                };
                Ok((i, found, prepare(session, lines)?))
            },
            |(i, found, made)| {
                let session = &self.sessions[i];
                tally.lines(&self.cases, session, found);
                consume(session, made, tally)
            },
        )
    }

    /// Every session with its lines, for the formats written whole (markdown, eaf).
    pub fn with_lines(
        &self,
        reading: &Reading,
        tally: &mut Tally,
    ) -> Result<Vec<(Session, Vec<Utterance>)>, ExportError> {
        let mut all = Vec::with_capacity(self.sessions.len());
        self.each_session(
            reading,
            tally,
            |_, lines| Ok(lines),
            |s, lines, _| {
                all.push((s.clone(), lines));
                Ok(())
            },
        )?;
        Ok(all)
    }
}

/// One session's lines as they will be written: pseudonymised and masked.
fn read_lines(reading: &Reading, session: &Session) -> Result<Vec<Utterance>, ExportError> {
    let mut lines = match reading.source {
        Source::Store(store) => store.utterances(session.id)?,
        Source::Memory(sessions) => {
            sessions.iter().find(|(s, _)| s.id == session.id).map_or(Vec::new(), |(_, l)| l.clone())
        }
    };
    if let Some(p) = reading.pseudonyms {
        p.apply_lines(&mut lines);
    }
    if let Some(masks) = reading.masks {
        let masker = masks.of(session.case_id);
        lines.iter_mut().for_each(|line| masks.line(masker, line));
    }
    Ok(lines)
}
