//! The live screen as a user meets it: the real `fieldlog` in a real
//! terminal (a pty, read back through a vt100 screen), on a generated study
//! of 1,000,000 lines with an open session of 100,000.
//!
//! - start to first frame: from starting the process to the home screen drawn;
//! - key press to frame: from a key written to the terminal to the cursor
//!   drawn after it, typing lines at 30 ms a key. The app checkpoints after
//!   a second without saves; the bench watches its trace
//!   (`FIELDLOG_TRACE_CHECKPOINTS`) and, every other line, types the first
//!   key the moment a checkpoint starts, and on the others presses Enter
//!   then, so both figures are also given for the samples that overlapped one;
//! - Enter to saved: from Enter to "Line N saved to disk" on screen, each
//!   followed by one write + fdatasync of the same number of bytes on the
//!   same disk, done by a separate quiet process (this bench run again with
//!   `--reference-fsync`), so both meet the same disk and neither carries the
//!   other's threads.
//!
//! Each figure is taken idle and with both cores kept busy by a load
//! generator. `cargo bench --bench durable_save` (`-- --quick`: a tiny study).

mod support;

use chrono::DateTime;
use fieldlog::domain::*;
use fieldlog::store::{monotonic_ns, Change, Store};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};
use support::pty::Terminal;
use support::{Condition, Samples};

const LINES: [&str; 8] = [
    "Ja.",
    "Nej, det tror jeg ikke",
    "Jeg har været i praktik i tre måneder nu",
    "Hvad siger lægen om ryggen?",
    "Det har gjort noget ved mit selvværd",
    "Mm.",
    "Sagsbehandleren ringede i går om kurset",
    "Så må vi se hvad der sker efter nytår",
];

fn main() {
    support::serve_launch();
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--reference-fsync") {
        return reference_fsync(Path::new(&args[at + 1]));
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (cases, sessions, lines, long, starts, typed) =
        if quick { (2, 2, 1_000, 1_000, 3, 4) } else { (20, 10, 5_000, 100_000, 21, 100) };
    // FIELDLOG_BENCH_LINES=N types N lines in each condition instead.
    let typed = std::env::var("FIELDLOG_BENCH_LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(typed);
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    // FIELDLOG_BENCH_STUDY=DIR keeps the generated study there and uses it
    // again on the next run (each run adds its typed lines to it).
    let kept = std::env::var_os("FIELDLOG_BENCH_STUDY").map(std::path::PathBuf::from);
    let study = kept.clone().unwrap_or_else(|| dir.path().join("study"));
    let began = Instant::now();
    let total = if kept.is_some() && Store::exists(&study) {
        let store = Store::open(&study).unwrap();
        store.sessions().unwrap().iter().map(|s| store.last_seq(s.id).unwrap() as usize).sum()
    } else {
        make_study(&study, None, cases, sessions, lines, long)
    };
    println!("durable_save: {total} lines, an open session of {long}, made in {:.1?}", began.elapsed());
    let mut reference = Reference::start(&dir.path().join("reference"));

    for condition in Condition::BOTH {
        let _load = condition.start();
        println!("  {}:", condition.word());
        let first = start_to_first_frame(&study, &[], starts);
        println!("    start to first frame, {total} lines, 80x24:        {}", first.summary());
        let (saved, fsyncs) = ack_against_fsync(&study, &mut reference, if quick { 5 } else { typed });
        println!("    enter to acknowledged, in the app's process: {}", saved.summary());
        println!("    one fsync of the same size, separate process: {}", fsyncs.summary());
        println!(
            "    ratio: {:.2}× at p50, {:.2}× at p99",
            ratio(saved.p50(), fsyncs.p50()),
            ratio(saved.p99(), fsyncs.p99())
        );
        let trace = dir.path().join(format!("checkpoints-{condition:?}"));
        let typing = type_lines(&study, &[], &trace, &mut reference, next_seq(&study, None), typed);
        typing.print(long);
    }

    // The same saving in an encrypted store (a small one: only saving is timed).
    let sealed = dir.path().join("sealed");
    make_study(&sealed, Some("bench passphrase"), 1, 1, 100, 1_000);
    let passphrase = [("FIELDLOG_PASSPHRASE", OsStr::new("bench passphrase"))];
    for condition in Condition::BOTH {
        let _load = condition.start();
        let trace = dir.path().join(format!("sealed-checkpoints-{condition:?}"));
        let typing = type_lines(
            &sealed,
            &passphrase,
            &trace,
            &mut reference,
            next_seq(&sealed, Some("bench passphrase")),
            typed / 2,
        );
        println!(
            "  encrypted store, {}: enter to saved {} against one fsync {}: {:.2}× p50, {:.2}× p99",
            condition.word(),
            typing.saved().summary(),
            typing.reference.summary(),
            ratio(typing.saved().p50(), typing.reference.p50()),
            ratio(typing.saved().p99(), typing.reference.p99()),
        );
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// A generated study with a case `AA` (first on the home screen) whose open
/// session has `long` lines; returns the number of lines in all.
fn make_study(
    path: &Path,
    passphrase: Option<&str>,
    cases: usize,
    sessions: usize,
    lines: usize,
    long: u32,
) -> usize {
    let store = Store::create(path, passphrase).unwrap();
    let made = fieldlog::dev::generate::generate(&store, cases, sessions, lines).unwrap();
    let t = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    let code = CaseCode::parse("AA").unwrap();
    let case = Case::new(code.clone(), vec![], t);
    store.add_case(&case).unwrap();
    let kind = SessionKind::Observation;
    let session = Session::new(case.id, kind, 1, "job centre", session::default_speakers(kind, &code), t);
    store.commit(&[Change::Session(session.clone())]).unwrap();
    for chunk in (1..=long).collect::<Vec<u32>>().chunks(5_000) {
        let changes = chunk
            .iter()
            .map(|&seq| {
                Change::Utterance(Utterance {
                    session: session.id,
                    seq,
                    speaker: "AA".into(),
                    kind: UtteranceKind::Speech,
                    text: LINES[seq as usize % LINES.len()].into(),
                    onset: t,
                    committed: t,
                    elapsed_ms: i64::from(seq) * 3_000,
                    mark: None,
                    deleted: false,
                })
            })
            .collect::<Vec<_>>();
        store.commit(&changes).unwrap();
    }
    store.checkpoint().unwrap();
    made.lines + long as usize
}

fn open(study: &Path, envs: &[(&str, &OsStr)]) -> Terminal {
    Terminal::spawn(support::fieldlog(), &[OsStr::new("--store"), study.as_os_str()], envs, 80, 24)
}

fn home_drawn(screen: &vt100::Screen) -> bool {
    let text = screen.contents();
    text.contains("fieldlog · cases") && text.contains("AA")
}

/// From starting the process to the home screen on the terminal.
fn start_to_first_frame(study: &Path, envs: &[(&str, &OsStr)], runs: usize) -> Samples {
    let mut samples = Samples::default();
    for _ in 0..runs {
        let began = Instant::now();
        let mut terminal = open(study, envs);
        let drawn = terminal.wait_for(Duration::from_secs(30), home_drawn).expect("the home screen");
        samples.push(drawn - began);
        terminal.send(b"\x11"); // ctrl-q
        assert!(terminal.wait_exit(Duration::from_secs(30)), "fieldlog quits");
    }
    samples
}

/// One sample and the monotonic-clock span it covered.
struct Timed {
    took: Duration,
    span: (u64, u64),
}

#[derive(Default)]
struct Typing {
    keys: Vec<Timed>,
    saves: Vec<Timed>,
    reference: Samples,
    checkpoints: Vec<(u64, u64)>,
}

impl Typing {
    fn during_checkpoints(&self, timed: &[Timed]) -> Samples {
        let overlaps = |(a, b): (u64, u64)| self.checkpoints.iter().any(|&(s, e)| a <= e && s <= b);
        Samples(timed.iter().filter(|t| overlaps(t.span)).map(|t| t.took).collect())
    }

    /// Enter to saved, every sample.
    fn saved(&self) -> Samples {
        Samples(self.saves.iter().map(|t| t.took).collect())
    }

    fn print(&self, long: u32) {
        let keys = Samples(self.keys.iter().map(|t| t.took).collect());
        let longest = self.checkpoints.iter().map(|(s, e)| e - s).max().unwrap_or(0);
        println!("    key press to frame, live screen, {long}-line session: {}", keys.summary());
        println!(
            "      of which during one of the {} checkpoints (longest {:.1?}): {}",
            self.checkpoints.len(),
            Duration::from_nanos(longest),
            self.during_checkpoints(&self.keys).summary()
        );
        println!("    enter to saved on screen:                    {}", self.saved().summary());
        println!("    one fsync of the same size, separate process: {}", self.reference.summary());
        println!(
            "    ratio: {:.2}× at p50, {:.2}× at p99",
            ratio(self.saved().p50(), self.reference.p50()),
            ratio(self.saved().p99(), self.reference.p99())
        );
        println!(
            "      enter to saved during a checkpoint:        {}",
            self.during_checkpoints(&self.saves).summary()
        );
    }
}

/// Types `count` lines into the open session as a fast typist would,
/// pausing about a second after each (when the app checkpoints).
fn type_lines(
    study: &Path,
    envs: &[(&str, &OsStr)],
    trace: &Path,
    reference: &mut Reference,
    first_seq: u32,
    count: usize,
) -> Typing {
    let mut envs = envs.to_vec();
    envs.push(("FIELDLOG_TRACE_CHECKPOINTS", trace.as_os_str()));
    let mut terminal = open(study, &envs);
    terminal.wait_for(Duration::from_secs(30), home_drawn).expect("the home screen");
    terminal.send(b"o");
    let live = terminal.wait_for(Duration::from_secs(30), |s| s.contents().contains("AA ▸"));
    live.expect("the live screen of the open session");
    terminal.settle(Duration::from_millis(300));
    let home_col = terminal.screen.screen().cursor_position().1;
    let journal = study.join("journal");
    let mut typing = Typing::default();
    let mut dice = 0x2545_f491_4f6c_dd1d_u64;
    let mut roll = |n: u64| {
        dice ^= dice << 13;
        dice ^= dice >> 7;
        dice ^= dice << 17;
        dice % n
    };
    let mut record = 0;
    for i in 0..count {
        // Every other line, the first key comes the moment a checkpoint starts;
        // on the others, Enter does.
        let enter_in_checkpoint = i % 2 == 1;
        if i > 0 && !enter_in_checkpoint {
            wait_for_checkpoint(trace, &mut terminal);
        }
        let text = LINES[roll(LINES.len() as u64) as usize];
        for (n, c) in text.chars().enumerate() {
            let mut bytes = [0u8; 4];
            let from = monotonic_ns();
            let sent = terminal.send(c.encode_utf8(&mut bytes).as_bytes());
            let want = home_col + n as u16 + 1;
            let drawn = terminal.wait_for(Duration::from_secs(10), |s| s.cursor_position().1 == want);
            let drawn = drawn.expect("the typed key drawn");
            typing.keys.push(Timed { took: drawn - sent, span: (from, monotonic_ns()) });
            std::thread::sleep(Duration::from_millis(30));
        }
        if enter_in_checkpoint {
            wait_for_checkpoint(trace, &mut terminal);
        }
        let before = std::fs::metadata(&journal).map_or(0, |m| m.len());
        let said = format!("Line {} saved to disk", first_seq + i as u32);
        let from = monotonic_ns();
        let sent = terminal.send(b"\r");
        let shown = terminal.wait_for(Duration::from_secs(10), |s| s.contents().contains(&said));
        let shown = shown.unwrap_or_else(|| panic!("{said:?} on screen:\n{}", terminal.text()));
        typing.saves.push(Timed { took: shown - sent, span: (from, monotonic_ns()) });
        let after = std::fs::metadata(&journal).map_or(0, |m| m.len());
        if after > before {
            record = after - before;
        }
        typing.reference.push(reference.fsync(record.max(100)));
        terminal.settle(Duration::from_millis(100 + roll(200)));
    }
    terminal.send(b"\x11");
    assert!(terminal.wait_exit(Duration::from_secs(60)), "fieldlog quits");
    typing.checkpoints = std::fs::read_to_string(trace)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' ').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?))))
        .collect();
    typing
}

/// Waits (reading the screen meanwhile) until the app starts its next
/// checkpoint, as its trace file shows, or for at most three seconds.
fn wait_for_checkpoint(trace: &Path, terminal: &mut Terminal) {
    let starts = |t: &Path| std::fs::read_to_string(t).unwrap_or_default().split_whitespace().count();
    let before = starts(trace);
    let deadline = Instant::now() + Duration::from_secs(3);
    // A trace holds "start end" pairs; a start alone is a checkpoint under way.
    while Instant::now() < deadline {
        let now = starts(trace);
        if now > before && now % 2 == 1 {
            return;
        }
        terminal.settle(Duration::from_millis(1));
    }
}

/// The quiet process that does the reference fsyncs.
struct Reference {
    child: Child,
    ask: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl Reference {
    fn start(file: &Path) -> Reference {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--reference-fsync")
            .arg(file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the reference process");
        let ask = child.stdin.take().unwrap();
        let answers = BufReader::new(child.stdout.take().unwrap());
        Reference { child, ask, answers }
    }

    /// One write of `bytes` bytes and its fdatasync, timed in the other process.
    fn fsync(&mut self, bytes: u64) -> Duration {
        writeln!(self.ask, "{bytes}").unwrap();
        let mut answer = String::new();
        self.answers.read_line(&mut answer).unwrap();
        Duration::from_nanos(answer.trim().parse().expect("nanoseconds"))
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reference process: for each number read, appends that many bytes to
/// `file` and fdatasyncs it, and answers with the nanoseconds it took. One
/// thread, nothing else running: the disk's own figure.
fn reference_fsync(file: &Path) {
    let mut out = std::fs::OpenOptions::new().create(true).append(true).open(file).unwrap();
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(bytes) = line.unwrap_or_default().trim().parse::<usize>() else { return };
        let data = vec![b'x'; bytes];
        let began = Instant::now();
        out.write_all(&data).unwrap();
        out.sync_data().unwrap();
        let took = began.elapsed().as_nanos();
        let mut stdout = stdout.lock();
        writeln!(stdout, "{took}").unwrap();
        stdout.flush().unwrap();
    }
}

/// The store's own part of Enter to saved: a line handed to the writer
/// thread (as the live screen hands it) until its acknowledgement comes
/// back, each followed by the reference fsync of the journal record's size
/// in the separate process; pauses of up to 1.2 s let the writer's own
/// checkpoints (after a second without saves) fall among them.
fn ack_against_fsync(study: &Path, reference: &mut Reference, count: usize) -> (Samples, Samples) {
    use fieldlog::store::writer::{Durability, Job, Writer};
    let store = std::sync::Arc::new(Store::open(study).unwrap());
    let open = store.sessions().unwrap().into_iter().rev().find(|s| s.ended.is_none()).unwrap();
    let first = store.last_seq(open.id).unwrap() + 1;
    let template = store.utterances(open.id).unwrap().pop().unwrap();
    let (mut writer, acks) = Writer::spawn(store.clone());
    let journal = study.join("journal");
    let (mut saved, mut fsyncs) = (Samples::default(), Samples::default());
    let mut record = 0;
    for (i, seq) in (first..first + count as u32).enumerate() {
        let line = Utterance { seq, text: LINES[i % LINES.len()].into(), ..template.clone() };
        let before = std::fs::metadata(&journal).map_or(0, |m| m.len());
        let sent = Instant::now();
        writer.send(Job {
            tag: u64::from(seq),
            changes: vec![Change::Utterance(line), Change::ClearDraft(open.id)],
            durability: Durability::Synced,
        });
        acks.recv().unwrap();
        saved.push(sent.elapsed());
        let after = std::fs::metadata(&journal).map_or(0, |m| m.len());
        if after > before {
            record = after - before;
        }
        fsyncs.push(reference.fsync(record.max(100)));
        if count > 10 {
            std::thread::sleep(Duration::from_millis(u64::from(seq * 7919) % 1_200));
        }
    }
    writer.finish();
    (saved, fsyncs)
}

/// The number the next line typed into `AA`'s open session gets.
fn next_seq(study: &Path, passphrase: Option<&str>) -> u32 {
    let store = Store::open_with(study, passphrase).unwrap();
    let open = store.sessions().unwrap().into_iter().rev().find(|s| s.ended.is_none()).unwrap();
    store.last_seq(open.id).unwrap() + 1
}
