//! The budgets of DESIGN §8 that need a whole study: start to first frame,
//! key press on the review screen of a 100k-line session, CSV, xlsx and qdpx
//! export (whole processes, idle and both cores busy, with peak memory),
//! resident memory and size on disk, on a generated study of 1,000,000
//! lines. `cargo bench --bench study` (`-- --quick`: 20,000 lines).

mod support;

use fieldlog::dev::generate::generate;
use fieldlog::domain::SystemClock;
use fieldlog::keymap;
use fieldlog::store::{Change, Store};
use fieldlog::tui::app::App;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn main() {
    support::serve_launch();
    let quick = std::env::args().any(|a| a == "--quick");
    let (cases, sessions, lines, long, runs) =
        if quick { (2, 2, 5_000, 2_000, 3) } else { (20, 10, 5_000, 100_000, 5) };
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let path = dir.path().join("study");
    let started = Instant::now();
    let made = {
        let store = Store::open_or_create(&path).unwrap();
        let made = generate(&store, cases, sessions, lines).unwrap();
        // One long session to review: lines appended to the first session of the first case.
        let first = store.sessions().unwrap().remove(0);
        let mut template = store.utterances(first.id).unwrap().remove(0);
        let base = store.last_seq(first.id).unwrap();
        for chunk in (1..=long as u32).collect::<Vec<_>>().chunks(5_000) {
            let changes: Vec<Change> = chunk
                .iter()
                .map(|n| {
                    template.seq = base + n;
                    Change::Utterance(template.clone())
                })
                .collect();
            store.commit(&changes).unwrap();
        }
        store.checkpoint().unwrap();
        made
    };
    println!(
        "study: {} lines ({} MB of text) and a session of {} more, generated in {:.1?}",
        made.lines,
        made.text_bytes / 1_000_000,
        long,
        started.elapsed()
    );

    // Start to first frame: open the store, build the app, draw home.
    let mut start = Vec::new();
    for _ in 0..runs {
        let began = Instant::now();
        let store = Arc::new(Store::open_or_create(&path).unwrap());
        let app = App::new(store, keymap::load("default", None).keymap, Box::new(SystemClock), None).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|frame| app.render(frame)).unwrap();
        start.push(began.elapsed());
        drop(app);
    }
    println!("  start to first frame, {} lines:            {:>10.2?}", made.lines + long, median(start));

    // Key press to redrawn frame on the review screen of the long session.
    let store = Arc::new(Store::open_or_create(&path).unwrap());
    let mut app =
        App::new(store.clone(), keymap::load("default", None).keymap, Box::new(SystemClock), None).unwrap();
    // Home → the first case → its first session (the long one) → review.
    key(&mut app, KeyCode::Enter);
    for _ in 0..sessions + 1 {
        key(&mut app, KeyCode::Up);
    }
    key(&mut app, KeyCode::Enter);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut frames = Vec::new();
    for i in 0..(50 + 500) {
        let code = if i % 100 < 50 { KeyCode::Down } else { KeyCode::PageDown };
        let began = Instant::now();
        key(&mut app, code);
        terminal.draw(|frame| app.render(frame)).unwrap();
        if i >= 50 {
            frames.push(began.elapsed());
        }
    }
    println!("  key press to redrawn review frame, {long} lines: {:>10.2?}", median(frames));
    // Jumping from one end of the long session to the other.
    let mut jumps = Vec::new();
    for i in 0..20 {
        let began = Instant::now();
        key(&mut app, if i % 2 == 0 { KeyCode::End } else { KeyCode::Home });
        terminal.draw(|frame| app.render(frame)).unwrap();
        jumps.push(began.elapsed());
    }
    println!("  jump to the other end of it, redrawn:        {:>10.2?}", median(jumps));
    drop(app);

    drop(store);

    // Exports of the whole study as a user meets them: a whole `fieldlog
    // export` process from the shell (its start, opening the store, reading,
    // masking, the leak check and writing), idle and with both cores busy,
    // with the process's peak memory. Masked by the study's (empty) list,
    // then as said, then masked with 50 terms, several of them words the
    // generated lines use, so the byte check and real replacements are in it.
    let store_arg = path.as_os_str();
    let export = |format: &str, extra: &[&str], run: usize| -> support::Run {
        let out = dir.path().join(format!("export-{run}.{format}"));
        let mut args: Vec<&std::ffi::OsStr> = vec!["--store".as_ref(), store_arg, "export".as_ref()];
        args.extend(["--format", format, "--output"].map(std::ffi::OsStr::new));
        args.push(out.as_os_str());
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let done = support::run(support::fieldlog(), &args);
        assert!(done.success, "fieldlog export --format {format} {extra:?} failed");
        let _ = if out.is_dir() { std::fs::remove_dir_all(&out) } else { std::fs::remove_file(&out) };
        done
    };
    let measure = |label: &str, format: &str, extra: &[&str]| {
        for condition in support::Condition::BOTH {
            let _load = condition.start();
            let (mut samples, mut peak_kb) = (support::Samples::default(), 0);
            for run in 0..runs {
                let done = export(format, extra, run);
                samples.push(done.elapsed);
                peak_kb = peak_kb.max(done.peak_kb);
            }
            println!(
                "  export {} lines to {label:<28} {:<15} {}, peak {:>4} MB",
                made.lines + long,
                condition.word(),
                samples.summary(),
                peak_kb / 1024
            );
        }
    };
    measure("csv", "csv", &[]);
    measure("csv, as said (--unmasked)", "csv", &["--unmasked"]);
    measure("xlsx", "xlsx", &[]);
    measure("qdpx", "qdpx", &[]);
    let mut list = fieldlog::domain::MaskList::default();
    for (i, term) in ["praktik", "lægen", "jobcentret", "ryggen", "kursus"].iter().enumerate() {
        list.add(term, &format!("[sted{i}]"), None).unwrap();
    }
    for i in 0..45 {
        list.add(&format!("Navn{i} Efternavn"), &format!("[person{i}]"), None).unwrap();
    }
    Store::open(&path).unwrap().commit(&[Change::MaskList(list)]).unwrap();
    measure("csv, masked, 50 terms", "csv", &[]);
    measure("xlsx, masked, 50 terms", "xlsx", &[]);

    // Memory and size, in a process of its own that has just opened the store.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(&path)
        .args(["dev", "stats"])
        .output()
        .unwrap();
    let stats = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> f64 {
        stats
            .split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    println!("  resident memory with the store open:        {:>7.1} MB", field("resident_kb") / 1024.0);
    println!(
        "  store size on disk: {:.0} MB for {:.0} MB of text: {:.2}×",
        field("store_bytes") / 1e6,
        field("text_bytes") / 1e6,
        field("store_bytes") / field("text_bytes")
    );
}
