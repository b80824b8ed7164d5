//! Full-text search as a researcher meets it, on a generated study of
//! 1,000,000 lines (DESIGN §8): `fieldlog search` from the shell, a whole
//! process each time (≤ 300 ms), and the app's search screen (≤ 50 ms p50
//! for a common word, the whole app ≤ 150 MB resident), each idle and with
//! both cores busy; besides, what building the index from sled costs, what
//! folding its log costs, and the size on disk.
//!
//! `cargo bench --bench search` (`-- --quick`: 8,000 lines, a few runs).
//! `FIELDLOG_BENCH_STUDY=DIR` uses a study made before with `fieldlog dev
//! generate` instead of generating one (it is searched, and its index
//! rebuilt, in place).

mod support;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{Condition, Samples};

const NO_HIT: &str = "zzz nowhere";
const RARE: &str = "sagsbehandler ærgrer mig";
const COMMON: &str = "selvværd";

fn args<'a>(store: &'a Path, rest: &'a [&'a str]) -> Vec<&'a OsStr> {
    let mut all = vec![OsStr::new("--store"), store.as_os_str()];
    all.extend(rest.iter().map(OsStr::new));
    all
}

/// `key=value` from a dev command's output.
fn field(out: &str, key: &str) -> f64 {
    out.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {out:?}"))
}

fn remove_index(store: &Path) {
    for name in ["search.index", "search.log"] {
        let _ = std::fs::remove_file(store.join(name));
    }
}

fn size(path: &Path) -> u64 {
    let meta = std::fs::metadata(path).map(|m| (m.is_dir(), m.len())).unwrap_or((false, 0));
    match meta {
        (true, _) => std::fs::read_dir(path).unwrap().map(|e| size(&e.unwrap().path())).sum(),
        (false, len) => len,
    }
}

fn mb(kb: f64) -> String {
    format!("{:.1} MB", kb / 1024.0)
}

fn main() {
    support::serve_launch();
    let quick = std::env::args().any(|a| a == "--quick");
    let (cases, sessions, lines, shell_runs, app_runs, builds) =
        if quick { (4, 2, 1_000, 3, 5, 1) } else { (20, 10, 5_000, 21, 51, 3) };
    let fieldlog = support::fieldlog();
    let scratch = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let given = std::env::var_os("FIELDLOG_BENCH_STUDY").map(PathBuf::from);
    let store = given.clone().unwrap_or_else(|| scratch.path().join("study"));
    let text_bytes = if given.is_none() {
        // Made by fieldlog processes, not in this one: a child's peak memory
        // (wait4) counts this process's resident memory when it was started.
        let started = Instant::now();
        assert!(support::run(fieldlog, &args(&store, &["init"])).success);
        let (cases, sessions, lines) = (cases.to_string(), sessions.to_string(), lines.to_string());
        let generate = ["dev", "generate", "--cases", &cases, "--sessions", &sessions, "--lines", &lines];
        let made = support::run(fieldlog, &args(&store, &generate));
        let said = String::from_utf8_lossy(&made.stdout).into_owned();
        println!("search: {} in {:.1?}", said.trim(), started.elapsed());
        let bytes = said.split(" bytes of text").next().and_then(|s| s.rsplit('(').next());
        bytes.and_then(|b| b.parse().ok()).unwrap_or_else(|| panic!("no size of text in {said:?}"))
    } else {
        let out = support::run(fieldlog, &args(&store, &["dev", "stats"]));
        field(&String::from_utf8_lossy(&out.stdout), "text_bytes")
    };

    // Building the index from sled: what a study made before the index, or
    // one whose index was damaged, costs once (a new study's index is kept
    // from its first line on and never built so).
    for cond in Condition::BOTH {
        let _load = cond.start();
        let mut samples = Samples::default();
        let mut peak = 0;
        for _ in 0..builds {
            remove_index(&store);
            let run = support::run(fieldlog, &args(&store, &["search", NO_HIT]));
            assert!(run.success);
            samples.push(run.elapsed);
            peak = peak.max(run.peak_kb);
        }
        println!(
            "  first build of the index, `fieldlog search` ({}): {}, peak {}",
            cond.word(),
            samples.summary(),
            mb(peak as f64)
        );
    }
    let index_bytes = (size(&store.join("search.index")) + size(&store.join("search.log"))) as f64;
    let store_bytes = size(&store) as f64;
    println!(
        "  size on disk: {:.0} MB in all for {:.0} MB of text ({:.2}×), of which the index {:.0} MB ({:.2}×)",
        store_bytes / 1e6,
        text_bytes / 1e6,
        store_bytes / text_bytes,
        index_bytes / 1e6,
        index_bytes / text_bytes
    );

    // `fieldlog search` from the shell: a whole process, its output read.
    for cond in Condition::BOTH {
        let _load = cond.start();
        for query in [NO_HIT, RARE, COMMON] {
            let mut samples = Samples::default();
            let (mut peak, mut hits) = (0, 0);
            for _ in 0..shell_runs {
                let run = support::run(fieldlog, &args(&store, &["search", query]));
                assert!(run.success);
                samples.push(run.elapsed);
                peak = peak.max(run.peak_kb);
                hits = run.stdout.iter().filter(|b| **b == b'\n').count();
            }
            println!(
                "  `fieldlog search {query:?}` ({}): {}, peak {}, {hits} lines out",
                cond.word(),
                samples.summary(),
                mb(peak as f64)
            );
        }
    }

    // The app's search screen: a process holding what the app holds, the
    // index made ready as opening the screen does, then searched as the
    // screen searches (its limit), many times.
    let stats = support::run(fieldlog, &args(&store, &["dev", "stats"]));
    let opened_kb = field(&String::from_utf8_lossy(&stats.stdout), "resident_kb");
    println!("  the app with the store open, before any search: {} resident", mb(opened_kb));
    let runs = app_runs.to_string();
    for cond in Condition::BOTH {
        let _load = cond.start();
        for query in [COMMON, RARE, NO_HIT] {
            let out = support::run(fieldlog, &args(&store, &["dev", "search", query, "--runs", &runs]));
            let out = String::from_utf8_lossy(&out.stdout).into_owned();
            let us = |key| Duration::from_micros(field(&out, key) as u64);
            println!(
                "  in the app, {query:?} ({}): p50 {:>9.2?}, p99 {:>9.2?} (n={}), {} hits, index ready in {} ms, then {} resident",
                cond.word(),
                us("p50_us"),
                us("p99_us"),
                field(&out, "runs"),
                field(&out, "hits"),
                field(&out, "ready_ms"),
                mb(field(&out, "resident_kb"))
            );
        }
    }
    // The one time the app itself builds the index from sled (a study made
    // before the index): sled's cache, full after reading every line, stays.
    remove_index(&store);
    let out = support::run(fieldlog, &args(&store, &["dev", "search", COMMON, "--runs", &runs]));
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    println!(
        "  in the app, building the index itself first: built in {} ms, then p50 {:.2?}, {} resident",
        field(&out, "ready_ms"),
        Duration::from_micros(field(&out, "p50_us") as u64),
        mb(field(&out, "resident_kb"))
    );

    // Folding the log into the file: after about 2 MB of logged lines (some
    // ten thousand), the next search writes a new file from the old one.
    if !quick {
        let session = String::from_utf8_lossy(
            &support::run(
                fieldlog,
                &args(&store, &["session", "start", "--case", "G1", "--kind", "interview"]),
            )
            .stdout,
        )
        .trim()
        .to_string();
        let input = scratch.path().join("lines.txt");
        let line = "jeg har været på jobcentret og ærgrer mig over praktikken og ryggen igen i dag\n";
        std::fs::write(&input, line.repeat(12_000)).unwrap();
        let logged = std::process::Command::new(fieldlog)
            .args(args(&store, &["dev", "log-stdin", "--session", &session]))
            .stdin(std::fs::File::open(&input).unwrap())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(logged.success());
        let log_mb = size(&store.join("search.log")) as f64 / 1e6;
        let run = support::run(fieldlog, &args(&store, &["search", NO_HIT]));
        println!(
            "  folding a {log_mb:.1} MB log into a new index file, `fieldlog search`: {:.2?}, peak {}",
            run.elapsed,
            mb(run.peak_kb as f64)
        );
    }
}
