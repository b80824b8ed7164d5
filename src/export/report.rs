//! Reports a researcher can paste into a paper: one case over time, a
//! display of narratives across cases, and the follow-up overview.

use super::document::{Block, Document, Inlines};
use super::masking::Masks;
use crate::domain::clock::format_duration_ms;
use crate::domain::contacts::{
    case_contacts, contacts_table, CaseContacts, ContactLedger, ContactPlan, ContactStatus,
};
use crate::domain::narrated::NarratedTime;
use crate::domain::overview::{display, follow_up, overview_table, Columns};
use crate::domain::{Case, Codebook, Effort, Id, Link, Narrative, Session, UtteranceKind, Variables};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Everything a report reads, loaded once.
pub struct Study {
    pub cases: Vec<Case>,
    pub sessions: Vec<Session>,
    pub narratives: Vec<Narrative>,
    pub codebook: Codebook,
    pub efforts: Vec<Effort>,
    pub links: Vec<Link>,
    pub variables: Variables,
    pub contact_plan: ContactPlan,
    pub ledgers: Vec<ContactLedger>,
    pub narrated: Vec<NarratedTime>,
    /// The day contact points are judged on (past and unrecorded, or planned).
    pub today: NaiveDate,
    /// Who was asked to take part, oldest first.
    pub recruitment: Vec<crate::domain::contacts::Recruitment>,
    /// The mask list every text of the report went through; `None` when unmasked.
    pub masks: Option<Masks>,
    /// The cases as said, when `cases` are masked: tables count their
    /// values (two towns masked alike are still two), then show them masked.
    pub said_cases: Option<Vec<Case>>,
    /// The sessions as said, when `sessions` are masked: tables count
    /// professionals by their labels as typed (two names masked alike are two people).
    pub said_sessions: Option<Vec<Session>>,
}

impl Study {
    /// The study as reports show it: masked through the study's mask list
    /// unless `unmasked` (and then the report says so).
    pub fn load(store: &Store, unmasked: bool) -> Result<Study, StoreError> {
        let mut study = Study {
            cases: store.cases()?,
            sessions: store.sessions()?,
            narratives: store.narratives()?,
            codebook: store.codebook()?,
            efforts: store.efforts()?,
            links: store.links()?,
            variables: store.variables()?,
            contact_plan: store.contact_plan()?,
            ledgers: store.contact_ledgers()?,
            narrated: store.narrated_times()?,
            today: chrono::Local::now().date_naive(),
            recruitment: store.recruitment()?,
            masks: None,
            said_cases: None,
            said_sessions: None,
        };
        study.recruitment.sort_by(|a, b| (a.asked, a.label.as_str()).cmp(&(b.asked, b.label.as_str())));
        if !unmasked {
            let masks = Masks::new(store.mask_list()?, study.cases.iter().map(|c| c.id));
            study.said_cases = Some(study.cases.clone());
            study.said_sessions = Some(study.sessions.clone());
            study.cases.iter_mut().for_each(|c| masks.case(c));
            study.sessions.iter_mut().for_each(|s| masks.session(s));
            let case_of: HashMap<Id, Id> = study.sessions.iter().map(|s| (s.id, s.case_id)).collect();
            for n in &mut study.narratives {
                if let Some(case) = case_of.get(&n.session) {
                    masks.narrative(*case, n);
                }
            }
            study.efforts.iter_mut().for_each(|e| masks.effort(e));
            study.links.iter_mut().for_each(|l| masks.link(l));
            study.ledgers.iter_mut().for_each(|l| masks.ledger(l));
            study.recruitment.iter_mut().for_each(|r| masks.recruitment(r, &study.cases));
            study.masks = Some(masks);
        }
        Ok(study)
    }

    /// A line as the report shows it: masked with its case's list, or as said.
    pub(crate) fn said<'a>(&self, case: Id, text: &'a str) -> std::borrow::Cow<'a, str> {
        match &self.masks {
            Some(masks) => masks.of(case).mask(text),
            None => text.into(),
        }
    }

    /// The cases whose values tables count (as said), and each value as the
    /// report shows it (masked as in the case that has it, when masked).
    pub fn counted_cases(&self) -> (&[Case], HashMap<String, String>) {
        let Some(said) = &self.said_cases else { return (&self.cases, HashMap::new()) };
        let mut shown: HashMap<String, String> = HashMap::new();
        for (raw, masked) in said.iter().zip(&self.cases) {
            for ((_, value), (_, as_shown)) in raw.attributes.iter().zip(&masked.attributes) {
                let entry = shown.entry(value.clone()).or_insert_with(|| as_shown.clone());
                // Masked in any case that has it: masked everywhere in the table.
                if entry == value {
                    *entry = as_shown.clone();
                }
            }
        }
        (said, shown)
    }

    /// What an unmasked report says at its top.
    pub fn unmasked_note(&self) -> Option<&'static str> {
        self.masks.is_none().then_some(super::UNMASKED)
    }

    /// Every case's contact points as of `today`, in case order.
    pub fn contacts(&self) -> Vec<CaseContacts> {
        self.cases
            .iter()
            .map(|case| {
                let ledger = self.ledgers.iter().find(|l| l.case_id == case.id);
                case_contacts(case, &self.sessions, &self.contact_plan, ledger, self.today)
            })
            .collect()
    }

    pub fn session(&self, id: Id) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }
}

/// A narrative's lines, quoted in full as `SPEAKER: text`.
fn quote(
    store: &Store,
    study: &Study,
    cache: &mut HashMap<Id, Vec<String>>,
    n: &Narrative,
) -> Result<Vec<String>, StoreError> {
    if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(n.session) {
        let case = study.session(n.session).map(|s| s.case_id).unwrap_or_default();
        let mut lines = store.utterances(n.session)?;
        for l in &mut lines {
            l.text = study.said(case, &l.text).into_owned();
            l.speaker = study.said(case, &l.speaker).into_owned();
        }
        let max = lines.last().map_or(0, |l| l.seq) as usize;
        let mut by_seq = vec![String::new(); max + 1];
        for l in lines.into_iter().filter(|l| !l.deleted) {
            let text = match l.kind {
                UtteranceKind::Speech => format!("{}: {}", l.speaker, l.text),
                UtteranceKind::Event => format!("[{}]", l.text),
                UtteranceKind::Note => format!("(note: {})", l.text),
                UtteranceKind::Pause => "(pause)".to_string(),
            };
            by_seq[l.seq as usize] = text;
        }
        slot.insert(by_seq);
    }
    let lines = &cache[&n.session];
    Ok((n.first_seq..=n.last_seq)
        .filter_map(|s| lines.get(s as usize))
        .filter(|l| !l.is_empty())
        .cloned()
        .collect())
}

fn codes_text(book: &Codebook, n: &Narrative) -> String {
    n.codes.iter().map(|c| book.label(*c)).collect::<Vec<_>>().join("; ")
}

pub(crate) fn narrative_blocks(
    store: &Store,
    study: &Study,
    cache: &mut HashMap<Id, Vec<String>>,
    n: &Narrative,
    level: u8,
) -> Result<Vec<Block>, StoreError> {
    let session = study.session(n.session);
    let place = session.map_or(String::new(), |s| {
        format!(
            "{}, contact {}, {}, lines {}–{}",
            s.kind,
            s.contact_point,
            s.clock.started.format("%Y-%m-%d"),
            n.first_seq,
            n.last_seq
        )
    });
    let mut blocks = vec![Block::Heading(level, format!("“{}”", n.title)), Block::Paragraph(place.into())];
    if !n.codes.is_empty() {
        blocks.push(Block::Paragraph(format!("Codes: {}", codes_text(&study.codebook, n)).into()));
    }
    blocks.push(Block::Quote(quote(store, study, cache, n)?));
    if !n.memo.is_empty() {
        blocks.push(Block::Paragraph(format!("Memo: {}", n.memo).into()));
    }
    Ok(blocks)
}

/// `1 interview`, `2 interviews`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn length(s: &Session) -> String {
    s.ended.map_or("open".to_string(), |end| {
        format_duration_ms((end - s.clock.started).num_milliseconds())[..5].to_string()
    })
}

pub fn case_report(store: &Store, study: &Study, case: &Case) -> Result<Document, StoreError> {
    let mut blocks = Vec::new();
    if !case.attributes.is_empty() {
        blocks.push(Block::Heading(2, "Attributes".into()));
        blocks.push(Block::Table {
            header: vec!["variable".into(), "value".into()],
            rows: case.attributes.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect(),
        });
    }
    let f = follow_up(case, &study.sessions);
    blocks.push(Block::Heading(2, "Follow-up".into()));
    let contacts: Vec<String> = f.contact_points.iter().map(u32::to_string).collect();
    blocks.push(Block::Paragraph(Inlines::from(format!(
        "{}, {}, {}, {} at contact points {}; {}; from {} to {}.",
        count(f.sessions[0], "interview"),
        count(f.sessions[1], "observation"),
        count(f.sessions[2], "professional interview"),
        count(f.sessions[3], "case meeting"),
        if contacts.is_empty() { "none".to_string() } else { contacts.join(", ") },
        count(f.caseworker_changes, "caseworker change"),
        f.first.map_or("—".into(), |d| d.to_string()),
        f.last.map_or("—".into(), |d| d.to_string()),
    ))));
    let mut sessions: Vec<&Session> = study.sessions.iter().filter(|s| s.case_id == case.id).collect();
    sessions.sort_by_key(|s| (s.contact_point, s.clock.started));
    blocks.push(Block::Heading(2, "Sessions".into()));
    let mut rows = Vec::new();
    for s in &sessions {
        let speakers: Vec<String> =
            s.speakers.iter().map(|sp| format!("{} ({})", sp.label, sp.role)).collect();
        rows.push(vec![
            s.contact_point.to_string(),
            s.clock.started.format("%Y-%m-%d").to_string(),
            s.kind.to_string(),
            s.place_name(),
            speakers.join(", "),
            length(s),
            store.utterance_count(s.id)?.to_string(),
            study.narratives.iter().filter(|n| n.session == s.id).count().to_string(),
        ]);
    }
    let header = ["contact", "date", "kind", "place", "speakers", "length", "lines", "narratives"];
    blocks.push(Block::Table { header: header.map(String::from).to_vec(), rows });
    let efforts: Vec<&Effort> = study.efforts.iter().filter(|e| e.case_id == case.id).collect();
    if !efforts.is_empty() {
        blocks.push(Block::Heading(2, "Efforts".into()));
        let rows = efforts
            .iter()
            .map(|e| {
                vec![
                    e.kind.clone(),
                    e.provider.clone(),
                    e.start.to_string(),
                    e.end.map_or("ongoing".into(), |d| d.to_string()),
                    e.outcome.clone(),
                ]
            })
            .collect();
        let header = ["effort", "provider", "start", "end", "outcome"];
        blocks.push(Block::Table { header: header.map(String::from).to_vec(), rows });
    }
    let links: Vec<&Link> = study.links.iter().filter(|l| l.case_id == case.id).collect();
    if !links.is_empty() {
        blocks.push(Block::Heading(2, "Efforts and their consequences".into()));
        let items = links
            .iter()
            .map(|l| {
                let support: Vec<String> = l
                    .narratives
                    .iter()
                    .filter_map(|id| study.narratives.iter().find(|n| n.id == *id))
                    .map(|n| format!("“{}”", n.title))
                    .collect();
                let support = if support.is_empty() {
                    String::new()
                } else {
                    format!(" — told in {}", support.join(", "))
                };
                Inlines::from(format!("{} ({}){support}", l.chain_text(), l.valence))
            })
            .collect();
        blocks.push(Block::List(items));
    }
    let mut cache = HashMap::new();
    let mine: Vec<&Narrative> =
        study.narratives.iter().filter(|n| sessions.iter().any(|s| s.id == n.session)).collect();
    if !mine.is_empty() {
        blocks.push(Block::Heading(2, "Narratives".into()));
        for s in &sessions {
            let mut here: Vec<&&Narrative> = mine.iter().filter(|n| n.session == s.id).collect();
            here.sort_by_key(|n| n.first_seq);
            if here.is_empty() {
                continue;
            }
            blocks.push(Block::Heading(
                3,
                format!("Contact {}: {} {}", s.contact_point, s.kind, s.clock.started.format("%Y-%m-%d")),
            ));
            for n in here {
                blocks.extend(narrative_blocks(store, study, &mut cache, n, 4)?);
            }
        }
    }
    Ok(Document { title: format!("Case {}", case.code), blocks })
}

/// Cases × columns, each cell the titles of its narratives, then the quotes in full.
pub fn display_report(
    store: &Store,
    study: &Study,
    cases: &[Case],
    columns: &Columns,
    title: &str,
) -> Result<Document, StoreError> {
    let matrix = display(cases, &study.sessions, &study.narratives, &study.codebook, columns);
    let title_of = |id: &Id| {
        study.narratives.iter().find(|n| n.id == *id).map_or(String::new(), |n| format!("“{}”", n.title))
    };
    let mut header = vec!["case".to_string()];
    header.extend(matrix.columns.iter().cloned());
    let rows = matrix
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![row.case.clone()];
            cells.extend(row.cells.iter().map(|ids| ids.iter().map(title_of).collect::<Vec<_>>().join("\n")));
            cells
        })
        .collect();
    let mut blocks = vec![Block::Table { header, rows }];
    let mut cache = HashMap::new();
    let mut quoted: Vec<Id> = Vec::new();
    for row in &matrix.rows {
        let ids: Vec<Id> = row.cells.iter().flatten().copied().filter(|id| !quoted.contains(id)).collect();
        if ids.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(2, format!("Case {}", row.case)));
        for id in ids {
            if let Some(n) = study.narratives.iter().find(|n| n.id == id) {
                blocks.extend(narrative_blocks(store, study, &mut cache, n, 3)?);
                quoted.push(id);
            }
        }
    }
    Ok(Document { title: title.to_string(), blocks })
}

pub fn overview_report(study: &Study) -> Document {
    let header = [
        "case",
        "interviews",
        "observations",
        "professional interviews",
        "case meetings",
        "contact points",
        "contacts kept (held)",
        "contacts missed",
        "caseworker changes",
        "first",
        "last",
    ];
    let follow: Vec<_> = study
        .cases
        .iter()
        .zip(study.contacts())
        .map(|(case, contacts)| follow_up(case, &study.sessions).with_contacts(&contacts))
        .collect();
    let rows = overview_table(&follow, ", ");
    Document {
        title: "Follow-up overview".into(),
        blocks: vec![
            Block::Table { header: header.map(String::from).to_vec(), rows },
            Block::Paragraph(CONTACTS_KEY.into()),
        ],
    }
}

/// How the contact columns read, under every table that has them.
pub const CONTACTS_KEY: &str = "Contacts: kept in full, with the contacts held at all (a partial one included) in parentheses when they differ — 3 (4) is three kept and one held in part. Missed counts contacts marked missed and past ones with nothing recorded.";

/// The appendix follow-up table: each case's contact points kept (✓), held
/// in part ((x)), missed (–), unrecorded (?), planned (·) or after a dropout (out).
pub fn contacts_report(study: &Study) -> Document {
    let contacts = study.contacts();
    let (header, rows) = contacts_table(&contacts);
    let mut blocks = vec![
        Block::Paragraph(
            format!(
                "A contact every {} months from the first, {} contact points (changeable per case); as of {}.",
                study.contact_plan.every_months, study.contact_plan.points, study.today
            )
            .into(),
        ),
        Block::Table { header, rows },
        Block::Paragraph(CONTACTS_KEY.into()),
        Block::Paragraph("✓ kept, (x) held in part, – missed, ? past with nothing recorded, · planned, out after dropping out".into()),
    ];
    let reasons: Vec<Inlines> = contacts
        .iter()
        .flat_map(|c| {
            c.points.iter().filter_map(move |p| match &p.status {
                ContactStatus::Missed(r) | ContactStatus::Partial(r) if !r.is_empty() => {
                    Some(Inlines::from(format!("{} contact {}, {}: {r}", c.case, p.point, p.status.word())))
                }
                _ => None,
            })
        })
        .collect();
    if !reasons.is_empty() {
        blocks.push(Block::Heading(2, "Why".into()));
        blocks.push(Block::List(reasons));
    }
    if !study.recruitment.is_empty() {
        use crate::domain::contacts::RecruitmentOutcome;
        let log = &study.recruitment;
        let counts: Vec<String> = RecruitmentOutcome::ALL
            .iter()
            .map(|o| format!("{} {}", log.iter().filter(|r| r.outcome == *o).count(), o.word()))
            .collect();
        blocks.push(Block::Heading(2, "Recruitment".into()));
        blocks.push(Block::Paragraph(format!("{} asked: {}.", log.len(), counts.join(", ")).into()));
        let header = ["asked", "label", "outcome", "via", "reason"].map(String::from).to_vec();
        let rows = log
            .iter()
            .map(|r| {
                let (asked, label) = (r.asked.to_string(), r.label.to_string());
                vec![asked, label, r.outcome.word().into(), r.via.clone(), r.reason.clone()]
            })
            .collect();
        blocks.push(Block::Table { header, rows });
    }
    Document { title: "Contacts kept and missed".into(), blocks }
}
