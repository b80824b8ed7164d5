//! How well the detectors find what a fieldworker must mask, measured on
//! generated Danish lines with planted CPR numbers, phone numbers and
//! e-mail addresses in the forms people say and type them, and how often
//! they propose something in lines that hold none (times, sums, years,
//! dates, postcodes, counts). Prints the figures the README reports.

use fieldlog::domain::mask::detect::{findings, Kind};
use fieldlog::domain::{MaskList, Masker};

/// A small deterministic generator (xorshift), so the figures are the same every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const BEFORE: [&str; 6] =
    ["mit nummer er", "du kan ringe på", "skriv det ned:", "ja, det er", "hun sagde", "og så"];
const AFTER: [&str; 5] = ["tak.", "hvis du vil.", "ikke?", "", "– sådan er det."];

fn cpr(d: &mut Dice) -> String {
    let (day, month, year) = (1 + d.below(28), 1 + d.below(12), d.below(100));
    let tail = d.below(10_000);
    let dash = if d.below(2) == 0 { "-" } else { "" };
    format!("{day:02}{month:02}{year:02}{dash}{tail:04}")
}

fn phone(d: &mut Dice) -> String {
    let n = 20_000_000 + d.below(80_000_000);
    let s = n.to_string();
    let local = match d.below(3) {
        0 => s.clone(),
        1 => format!("{} {}", &s[..4], &s[4..]),
        _ => format!("{} {} {} {}", &s[..2], &s[2..4], &s[4..6], &s[6..]),
    };
    match d.below(3) {
        0 => format!("+45 {local}"),
        1 if !local.contains(' ') => format!("+45{local}"),
        _ => local,
    }
}

fn email(d: &mut Dice) -> String {
    let names = ["mette", "lars.h", "k.jensen", "sb1234", "anne-marie"];
    let hosts = ["koege.dk", "jobcenter.kk.dk", "gmail.com", "netto.dk", "hotmail.dk"];
    format!("{}@{}", d.pick(&names), d.pick(&hosts))
}

/// Lines that hold nothing to mask but numbers and words that look alike.
const CLEAN: [&str; 12] = [
    "vi mødes kl. 10.30 på onsdag",
    "det koster 12.500 kr. om måneden",
    "jeg startede i 2019 og stoppede i 2021",
    "mødet er den 12-03-2024",
    "hun bor i 4600 og har 3 børn",
    "jeg fik 2.000 kroner i dag",
    "sagen har nummer 123456",
    "det var 45 minutter for sent",
    "vi snakkede i 20 minutter om det",
    "hun tjener 185000 om året",
    "kl 8 til 16 hver dag",
    "jeg vejer 85 kilo og er 1,80",
];

#[test]
fn detectors_find_planted_numbers_and_addresses_and_propose_little_else() {
    let list = MaskList::default();
    let masker = Masker::new(&list, None);
    let mut d = Dice(0x5eed_f1e1_d106);
    let planted = 1000;
    let mut found = [(Kind::Cpr, 0usize), (Kind::Phone, 0), (Kind::Email, 0)];
    for i in 0..planted * 3 {
        let (kind, value) = match i % 3 {
            0 => (Kind::Cpr, cpr(&mut d)),
            1 => (Kind::Phone, phone(&mut d)),
            _ => (Kind::Email, email(&mut d)),
        };
        let line = format!("{} {value} {}", d.pick(&BEFORE), d.pick(&AFTER));
        let hits = findings(&line, &list, &masker);
        if hits.iter().any(|h| h.kind == kind && h.text == value) {
            found.iter_mut().find(|(k, _)| *k == kind).unwrap().1 += 1;
        }
    }
    let mut false_proposals = 0;
    for line in CLEAN {
        false_proposals += findings(line, &list, &masker).iter().filter(|f| f.kind != Kind::Name).count();
    }
    for (kind, n) in found {
        let recall = n as f64 / planted as f64;
        eprintln!("{}: found {n} of {planted} planted ({:.1}%)", kind.word(), 100.0 * recall);
        assert!(recall >= 0.95, "{} found in only {:.1}%", kind.word(), 100.0 * recall);
    }
    eprintln!("numbers and addresses proposed in {} lines without any: {false_proposals}", CLEAN.len());
    assert!(false_proposals <= 1, "{false_proposals} false proposals");
}

#[test]
fn capitalised_words_are_proposed_only_inside_sentences() {
    let list = MaskList::default();
    let masker = Masker::new(&list, None);
    let lines = [
        ("Jeg har talt med Mette om det. Hun sagde nej.", vec!["Mette"]),
        ("Vi var i Køge, og så kørte vi til Roskilde.", vec!["Køge", "Roskilde"]),
        ("Nej. Ja! Hvad? Måske: Jobcentret ringer.", vec![]),
        ("I skal komme, sagde De, og Deres sag er lukket.", vec![]),
        ("Han arbejder hos Netto.\nDerefter intet.", vec!["Netto"]),
    ];
    let mut proposed = 0;
    for (line, want) in lines {
        let got: Vec<String> = findings(line, &list, &masker)
            .into_iter()
            .filter(|f| f.kind == Kind::Name)
            .map(|f| f.text)
            .collect();
        assert_eq!(got, want, "{line}");
        proposed += got.len();
    }
    eprintln!("capitalised words proposed: {proposed}, every one a name");
}
