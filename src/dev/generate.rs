//! A realistic synthetic study: cases, sessions of every kind, Danish-like
//! lines of realistic lengths by several speakers, marks, and narratives
//! with codes. Deterministic for a given size, so benchmarks repeat.

use crate::domain::session::default_speakers;
use crate::domain::{
    Case, CaseCode, Codebook, Id, Mark, Narrative, Place, Session, SessionKind, Utterance, UtteranceKind,
    Variable, VariableKind,
};
use crate::store::{Change, Store, StoreError};
use chrono::{DateTime, Duration, FixedOffset};

const WORDS: &[&str] = &[
    "jeg",
    "det",
    "og",
    "er",
    "ikke",
    "har",
    "været",
    "på",
    "jobcentret",
    "praktik",
    "arbejde",
    "sagsbehandler",
    "selvværd",
    "ærgrer",
    "mig",
    "ryggen",
    "lægen",
    "kursus",
    "løntilskud",
    "fleksjob",
    "tandlæge",
    "børnene",
    "økonomi",
    "ansøgninger",
    "måske",
    "rigtig",
    "godt",
    "svært",
    "næste",
    "måned",
    "år",
    "sammen",
    "med",
    "hvad",
    "tænker",
    "du",
    "om",
    "vi",
    "kan",
    "prøve",
    "igen",
    "aldrig",
    "altid",
    "håber",
    "føler",
    "at",
];

/// A small deterministic generator (xorshift), so a study of a given size is always the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn sentence(dice: &mut Dice) -> String {
    // Line lengths as people talk: mostly short, sometimes long.
    let longest = if dice.below(5) == 0 { 40 } else { 14 };
    let words = 3 + dice.below(longest);
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push(' ');
        }
        let word = WORDS[dice.below(WORDS.len() as u64) as usize];
        if i == 0 {
            let mut chars = word.chars();
            text.extend(chars.next().into_iter().flat_map(char::to_uppercase));
            text.extend(chars);
        } else {
            text.push_str(word);
        }
    }
    text.push(if dice.below(6) == 0 { '?' } else { '.' });
    text
}

/// What was made, for the report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub cases: usize,
    pub sessions: usize,
    pub lines: usize,
    pub narratives: usize,
    pub text_bytes: usize,
}

/// Adds `cases` cases with `sessions` sessions of `lines` lines each to the store.
/// Refuses a store that already holds a study: synthetic cases must never
/// mix with a real one.
pub fn check_empty(store: &Store) -> Result<(), String> {
    match store.cases().map_err(|e| e.to_string())?.len() {
        0 => Ok(()),
        n => Err(format!(
            "the store at {} already holds {}: dev generate makes a synthetic study only in a new store (give one with --store DIR)",
            store.path().display(),
            crate::domain::text::count(n, "case")
        )),
    }
}

pub fn generate(store: &Store, cases: usize, sessions: usize, lines: usize) -> Result<Generated, StoreError> {
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let book: Codebook = store.codebook()?;
    let codes: Vec<Vec<Id>> = book.groups.iter().map(|g| g.codes.iter().map(|c| c.id).collect()).collect();
    let start: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2025-01-06T09:00:00+01:00").expect("valid time");
    let mut made = Generated::default();
    let existing = store.cases()?.len();
    // The cases' site is a variable of the study, as the attribute rule asks.
    let mut variables = store.variables()?;
    if variables.get("site").is_none() {
        let sites = VariableKind::List(vec!["Nord".into(), "Syd".into()]);
        variables.variables.push(Variable { name: "site".into(), kind: sites });
        store.commit(&[Change::Variables(variables)])?;
    }
    for c in 0..cases {
        let code = CaseCode::parse(&format!("G{}", existing + c + 1)).expect("short code");
        let case = Case::new(code.clone(), vec![("site".into(), ["Nord", "Syd"][c % 2].into())], start);
        store.add_case(&case)?;
        made.cases += 1;
        for s in 0..sessions {
            let kind = SessionKind::ALL[s % 4];
            let begun = start + Duration::days((s * 90 + c) as i64);
            let place = Place::ALL[s % Place::ALL.len()].word();
            // A contact every three months, as the founding study had (and as the sessions' dates are).
            let contact = (s + 1) as u32;
            let mut session =
                Session::new(case.id, kind, contact, place, default_speakers(kind, &code), begun);
            session.ended = Some(begun + Duration::seconds(lines as i64 * 4));
            session.recording_started = Some(begun);
            store.commit(&[Change::Session(session.clone())])?;
            made.sessions += 1;
            let mut batch = Vec::with_capacity(2_000);
            for seq in 1..=lines as u32 {
                let at = begun + Duration::seconds(i64::from(seq) * 4);
                let speaker = &session.speakers[dice.below(session.speakers.len() as u64) as usize];
                let text = sentence(&mut dice);
                made.text_bytes += text.len();
                let mark = (dice.below(60) == 0).then(|| Mark { word: String::new(), at });
                batch.push(Change::Utterance(Utterance {
                    session: session.id,
                    seq,
                    speaker: speaker.label.clone(),
                    kind: if dice.below(25) == 0 { UtteranceKind::Event } else { UtteranceKind::Speech },
                    text,
                    onset: at,
                    committed: at + Duration::milliseconds(2_500),
                    elapsed_ms: i64::from(seq) * 4_000,
                    mark,
                    deleted: false,
                }));
                if seq % 40 == 0 && seq >= 5 {
                    let mut picked = Vec::new();
                    for group in codes.iter().filter(|g| !g.is_empty()) {
                        if dice.below(2) == 0 {
                            book.toggle(&mut picked, group[dice.below(group.len() as u64) as usize]);
                        }
                    }
                    batch.push(Change::Narrative(Narrative {
                        id: Id::new(),
                        session: session.id,
                        first_seq: seq - 4,
                        last_seq: seq - 1,
                        title: sentence(&mut dice),
                        codes: picked,
                        memo: sentence(&mut dice),
                        author: "generator".into(),
                        created: at,
                        updated: at,
                        deleted: false,
                    }));
                    made.narratives += 1;
                }
                if batch.len() >= 2_000 {
                    store.commit(&batch)?;
                    batch.clear();
                }
            }
            store.commit(&batch)?;
            made.lines += lines;
            store.checkpoint()?;
        }
    }
    Ok(made)
}

#[cfg(test)]
mod contact_tests {
    use super::generate;
    use crate::store::Store;

    #[test]
    fn each_generated_session_is_the_next_contact_three_months_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("s"), None).unwrap();
        generate(&store, 1, 3, 5).unwrap();
        let mut sessions = store.sessions().unwrap();
        sessions.sort_by_key(|s| s.clock.started);
        let contacts: Vec<u32> = sessions.iter().map(|s| s.contact_point).collect();
        assert_eq!(contacts, [1, 2, 3]);
        let gap = sessions[1].clock.started - sessions[0].clock.started;
        assert_eq!(gap.num_days(), 90);
    }
}
