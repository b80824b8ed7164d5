//! Full-text search over a generated study of 1,000,000 lines (DESIGN §8:
//! ≤ 100 ms). `cargo bench --bench search` (`-- --quick` for 20,000 lines).
//! The first search builds the in-memory corpus and is reported apart.

mod support;

use fieldlog::dev::generate::generate;
use fieldlog::store::Store;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (sessions, lines, runs) = if quick { (2, 1_000, 5) } else { (10, 5_000, 21) };
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let store = Store::open_or_create(&dir.path().join("study")).unwrap();
    let started = Instant::now();
    let made = generate(&store, 20, sessions, lines).unwrap();
    println!(
        "search: generated {} lines ({} MB of text) in {:.1?}",
        made.lines,
        made.text_bytes / 1_000_000,
        started.elapsed()
    );
    let started = Instant::now();
    let first = store.search("selvværd", usize::MAX).unwrap().len();
    println!("  first search, building the corpus: {:>10.1?} ({first} hits)", started.elapsed());
    for query in ["selvværd", "SAGSBEHANDLER ærgrer", "fleksjob tandlæge", "zzz nowhere"] {
        let mut samples = Vec::new();
        let mut hits = 0;
        for _ in 0..runs {
            let started = Instant::now();
            hits = store.search(query, 1_000).unwrap().len();
            samples.push(started.elapsed());
        }
        println!(
            "  {query:<22} median {:>9.2?} over {runs} runs ({hits} hits shown, at most 1000)",
            median(samples)
        );
    }
}
