use fieldlog::domain::mask::detect::findings;
use fieldlog::domain::{MaskList, Masker};
use std::time::Instant;
fn main() {
    let words = [
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
    ];
    let lines: Vec<String> = (0..100_000)
        .map(|i| (0..12).map(|j| words[(i * 7 + j * 13) % words.len()]).collect::<Vec<_>>().join(" "))
        .collect();
    let mut list = MaskList::default();
    for (i, t) in ["praktik", "lægen", "jobcentret", "ryggen", "kursus"].iter().enumerate() {
        list.add(t, &format!("[s{i}]"), None).unwrap();
    }
    for i in 0..45 {
        list.add(&format!("Navn{i} Efternavn"), &format!("[p{i}]"), None).unwrap();
    }
    let m = Masker::new(&list, None);
    let t = Instant::now();
    let masked: Vec<String> = lines.iter().map(|l| m.mask(l).into_owned()).collect();
    println!("mask: {:?} per 100k lines", t.elapsed());
    let t = Instant::now();
    let n: usize = masked.iter().map(|l| findings(l, &list, &m).len()).sum();
    println!("findings: {:?} ({n})", t.elapsed());
    let t = Instant::now();
    let n: usize = masked.iter().map(|l| m.find(l).len()).sum();
    println!("find on masked: {:?} ({n})", t.elapsed());
}
