//! `fieldlog check`: every value decodes, every reference resolves, and the
//! case-code index matches the cases.

use super::envelope::Versioned;
use super::MASKS;
use super::{journal, keys, Store, StoreError};
use super::{
    CASES, CASE_CODES, CODEBOOK, DISMISSALS, DRAFTS, EFFORTS, EFFORT_KINDS, LINKS, NARRATIVES, REVISIONS,
    SESSIONS, UTTERANCES, VARIABLES,
};
use super::{CONTACTS, RECRUITMENT};
use crate::domain::contacts::{ContactLedger, ContactPlan, Recruitment};
use crate::domain::narrated::NarratedTime;
use crate::domain::MaskList;
use crate::domain::{
    Case, Codebook, Draft, Effort, EffortKinds, Id, Link, MarkDismissal, Narrative, Revision, Session,
    Utterance, Variables,
};
use std::collections::HashSet;

/// What a check found: counts, and one sentence per problem.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub cases: usize,
    pub sessions: usize,
    pub lines: usize,
    pub narratives: usize,
    pub problems: Vec<String>,
    /// What was done to the search index, when it was damaged or behind
    /// (it is derived from the store, so it is built again, not a problem).
    pub search_index: Option<String>,
}

fn short(key: &[u8]) -> String {
    key.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Decodes every value of `tree` as `T`, noting those that do not decode.
    fn read_all<T: Versioned>(
        &self,
        tree: u8,
        problems: &mut Vec<String>,
    ) -> Result<Vec<(Vec<u8>, T)>, StoreError> {
        let mut values = Vec::new();
        for item in self.tree(tree).iter() {
            let (key, value) = item?;
            match self.read::<T>(&value) {
                Ok(v) => values.push((key.to_vec(), v)),
                Err(e) => problems.push(format!("{} {}: {e}", T::NAME, short(&key))),
            }
        }
        Ok(values)
    }

    /// The contacts tree (the plan, ledgers and narrated times, told apart
    /// by their key's prefix) and the recruitment log: each value reads,
    /// each ledger's case and narrated time's narrative is in the store.
    fn check_follow_up_year(
        &self,
        cases: &HashSet<Id>,
        narratives: &HashSet<Id>,
        p: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        for item in self.tree(CONTACTS).iter() {
            let (key, value) = item?;
            if key.as_ref() == keys::CONTACT_PLAN {
                if let Err(e) = self.read::<ContactPlan>(&value) {
                    p.push(format!("{}: {e}", ContactPlan::NAME));
                }
            } else if key.starts_with(keys::LEDGER_PREFIX) {
                match self.read::<ContactLedger>(&value) {
                    Ok(l) if !cases.contains(&l.case_id) => {
                        p.push(format!("a contact ledger belongs to no case ({})", l.case_id))
                    }
                    Ok(_) => {}
                    Err(e) => p.push(format!("{} {}: {e}", ContactLedger::NAME, short(&key))),
                }
            } else if key.starts_with(keys::NARRATED_PREFIX) {
                match self.read::<NarratedTime>(&value) {
                    Ok(t) if !narratives.contains(&t.narrative) => {
                        p.push(format!("a narrated time belongs to no narrative ({})", t.narrative))
                    }
                    Ok(_) => {}
                    Err(e) => p.push(format!("{} {}: {e}", NarratedTime::NAME, short(&key))),
                }
            } else {
                p.push(format!("the contacts tree holds an unknown key {}", short(&key)));
            }
        }
        let _: Vec<(Vec<u8>, Recruitment)> = self.read_all(RECRUITMENT, p)?;
        Ok(())
    }

    /// Problems of the journal: damage found when this store was opened
    /// (read as it was, before replay), and damaged journals kept aside by
    /// earlier opens, which stay a problem until someone has looked at them.
    fn journal_problems(&self, problems: &mut Vec<String>) {
        let aside = |name: &std::ffi::OsStr| name.to_string_lossy().starts_with(journal::DAMAGED_PREFIX);
        let mut kept: Vec<std::path::PathBuf> = std::fs::read_dir(&self.dir)
            .map(|entries| entries.flatten().filter(|e| aside(&e.file_name())).map(|e| e.path()).collect())
            .unwrap_or_default();
        kept.sort();
        if let Some(report) = self.findings.damage_report() {
            problems.push(format!("when the store was opened now, {report}"));
        }
        for path in kept.iter().filter(|p| Some(*p) != self.findings.kept_aside.as_ref()) {
            let bytes = std::fs::read(path).unwrap_or_default();
            let parsed = journal::parse(&bytes);
            let unreadable: usize = parsed.damaged.iter().map(|(_, len)| len).sum();
            problems.push(format!(
                "a damaged journal was kept at {}: {} whole records in it were replayed, {unreadable} bytes could not be read; remove the file once you have looked at it",
                path.display(),
                parsed.records.len()
            ));
        }
    }

    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let mut report = CheckReport::default();
        self.journal_problems(&mut report.problems);
        let p = &mut report.problems;
        let cases: Vec<(Vec<u8>, Case)> = self.read_all(CASES, p)?;
        let sessions: Vec<(Vec<u8>, Session)> = self.read_all(SESSIONS, p)?;
        let narratives: Vec<(Vec<u8>, Narrative)> = self.read_all(NARRATIVES, p)?;
        let session_ids: HashSet<Id> = sessions.iter().map(|(_, s)| s.id).collect();
        // Lines are checked as they are read, never all held: a study of a
        // million lines keeps only the first lines that narratives start at.
        let mut lines = 0;
        let mut starts: HashSet<(Id, u32)> =
            narratives.iter().map(|(_, n)| (n.session, n.first_seq)).collect();
        let mut found_starts: HashSet<(Id, u32)> = HashSet::new();
        for item in self.tree(UTTERANCES).iter() {
            let (key, value) = item?;
            let line: Utterance = match self.read(&value) {
                Ok(line) => line,
                Err(e) => {
                    p.push(format!("{} {}: {e}", Utterance::NAME, short(&key)));
                    continue;
                }
            };
            lines += 1;
            if key.as_ref() != keys::line(line.session, line.seq).as_slice() {
                p.push(format!(
                    "line {} of session {} is stored under another line's key",
                    line.seq, line.session
                ));
            }
            if !session_ids.contains(&line.session) {
                p.push(format!("line {} belongs to no session ({})", line.seq, line.session));
            }
            if starts.remove(&(line.session, line.seq)) {
                found_starts.insert((line.session, line.seq));
            }
        }
        let revisions: Vec<(Vec<u8>, Revision)> = self.read_all(REVISIONS, p)?;
        let drafts: Vec<(Vec<u8>, Draft)> = self.read_all(DRAFTS, p)?;
        let books: Vec<(Vec<u8>, Codebook)> = self.read_all(CODEBOOK, p)?;
        let dismissals: Vec<(Vec<u8>, MarkDismissal)> = self.read_all(DISMISSALS, p)?;
        let _: Vec<(Vec<u8>, Variables)> = self.read_all(VARIABLES, p)?;
        let efforts: Vec<(Vec<u8>, Effort)> = self.read_all(EFFORTS, p)?;
        let links: Vec<(Vec<u8>, Link)> = self.read_all(LINKS, p)?;
        let _: Vec<(Vec<u8>, EffortKinds)> = self.read_all(EFFORT_KINDS, p)?;
        let _: Vec<(Vec<u8>, MaskList)> = self.read_all(MASKS, p)?;

        let case_ids: HashSet<Id> = cases.iter().map(|(_, c)| c.id).collect();
        for (key, case) in &cases {
            if key.as_slice() != case.id.as_bytes() {
                p.push(format!("case {} is stored under another case's key", case.code));
            }
            match self.tree(CASE_CODES).get(case.code.as_str().as_bytes())? {
                Some(id) if id.as_ref() == case.id.as_bytes() => {}
                _ => p.push(format!("case {} is missing from the case-code index", case.code)),
            }
        }
        for item in self.tree(CASE_CODES).iter() {
            let (code, id) = item?;
            if !cases
                .iter()
                .any(|(_, c)| c.id.as_bytes() == id.as_ref() && c.code.as_str().as_bytes() == code.as_ref())
            {
                p.push(format!(
                    "the case-code index names {:?}, which is no case",
                    String::from_utf8_lossy(&code)
                ));
            }
        }
        for (_, s) in &sessions {
            if !case_ids.contains(&s.case_id) {
                p.push(format!("session {} belongs to no case", s.id));
            }
        }
        for (_, r) in &revisions {
            if !session_ids.contains(&r.session) {
                p.push(format!("a revision of line {} belongs to no session ({})", r.seq, r.session));
            }
        }
        for (_, d) in &drafts {
            if !session_ids.contains(&d.session) {
                p.push(format!("a draft belongs to no session ({})", d.session));
            }
        }
        for (_, d) in &dismissals {
            if !session_ids.contains(&d.session) {
                p.push(format!("a dismissed mark belongs to no session ({})", d.session));
            }
        }
        let book = books.into_iter().next().map(|(_, b)| b).unwrap_or_default();
        for (_, n) in &narratives {
            if !session_ids.contains(&n.session) {
                p.push(format!("narrative {:?} belongs to no session", n.title));
            } else if !found_starts.contains(&(n.session, n.first_seq)) {
                p.push(format!(
                    "narrative {:?} starts at line {}, which its session does not have",
                    n.title, n.first_seq
                ));
            }
            for code in n.codes.iter().filter(|c| book.code(**c).is_none()) {
                p.push(format!("narrative {:?} carries code {code}, which is not in the codebook", n.title));
            }
        }
        for (_, e) in &efforts {
            if !case_ids.contains(&e.case_id) {
                p.push(format!("effort {:?} belongs to no case", e.kind));
            }
        }
        let narrative_ids: HashSet<Id> = narratives.iter().map(|(_, n)| n.id).collect();
        for (_, l) in &links {
            if !case_ids.contains(&l.case_id) {
                p.push(format!("link {:?} belongs to no case", l.chain_text()));
            }
            if l.narratives.iter().any(|n| !narrative_ids.contains(n)) {
                p.push(format!("link {:?} names a narrative that is not in the store", l.chain_text()));
            }
        }
        self.check_follow_up_year(&case_ids, &narrative_ids, p)?;
        report.search_index = self.check_search_index(&narratives)?;
        self.check_recordings(&session_ids, &mut report.problems)?;
        report.cases = cases.len();
        report.sessions = sessions.len();
        report.lines = lines;
        report.narratives = narratives.iter().filter(|(_, n)| !n.deleted).count();
        Ok(report)
    }
}
