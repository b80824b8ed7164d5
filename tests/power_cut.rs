//! Power cuts at random moments lose no acknowledged line.
//!
//! kill -9 (tests/crash.rs) leaves every write in the kernel's page cache,
//! so it cannot show what a power cut loses: only what was fsynced. Here the
//! store lives on `examples/powercut_fs`, a FUSE filesystem that keeps live
//! and durable state apart and reverts to the durable state when told. Each
//! round logs lines through the real binary (`dev log-stdin`, which prints
//! "saved N" only past the fdatasync), kills it with SIGKILL at a random
//! moment — or freezes the disk just before a random fsync, for a cut at an
//! exact point — cuts the power, opens the store again with the real binary
//! and checks every acknowledged line: stored exactly once, with its text,
//! in the order typed, numbered 1..n.
//!
//! A second test cuts the power while the store is checkpointing (after a
//! second of idleness, or once the journal passes 1 MiB).
//!
//! `cargo test --test power_cut -- --nocapture` runs 5 cuts per test;
//! `FIELDLOG_POWER_CUTS=200` is the long run, `FIELDLOG_POWER_CUT_SEED=N`
//! repeats a run's random choices (not its timing), and
//! `FIELDLOG_POWER_CUT_MODEL=strict` makes only fsyncdir make directory
//! entries durable (the default is ext4's behaviour: any fsync does).
//! Needs /dev/fuse and fusermount3 (Debian: `apt-get install fuse3`);
//! without them the tests fail rather than pass unchecked.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::copy_dir;

fn fieldlog(store: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldlog"));
    command.arg("--store").arg(store);
    command
}

/// Runs a fieldlog command to its end: its standard output, or what it said went wrong.
fn run(store: &Path, args: &[&str]) -> Result<String, String> {
    let out = fieldlog(store).args(args).stdin(Stdio::null()).output().unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`fieldlog {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A line for a failure message: long lines cut short.
fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// The powercut_fs example, built by cargo next to this test's directory
/// (`target/debug/examples`). `cargo test --test power_cut` builds no
/// examples, so it is built here if it is missing or older than its source.
fn powercut_fs_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).expect("the test runs from target/PROFILE/deps");
    let binary = profile_dir.join("examples").join("powercut_fs");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/powercut_fs.rs");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&binary).is_none() || modified(&binary) < modified(&source) {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.current_dir(env!("CARGO_MANIFEST_DIR")).args(["build", "--example", "powercut_fs"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cargo.arg("--release");
        }
        if let Some(target) = profile_dir.parent() {
            cargo.arg("--target-dir").arg(target);
        }
        let status = cargo.status().expect("running cargo to build the powercut_fs example");
        assert!(status.success(), "building the powercut_fs example failed");
    }
    binary
}

/// Fails the test, in one sentence, where FUSE cannot be mounted.
fn require_fuse() {
    assert!(
        Path::new("/dev/fuse").exists(),
        "the power-cut tests need /dev/fuse: load the fuse kernel module (modprobe fuse) or run where FUSE is available"
    );
    let on_path = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("fusermount3").is_file()));
    assert!(on_path, "the power-cut tests need fusermount3: install it with `apt-get install fuse3`");
}

/// powercut_fs mounted on a temporary directory; unmounted when dropped,
/// also when the test panics.
struct PowerCutFs {
    fs: Child,
    /// Lines the fs prints on standard error, as they come.
    said: Receiver<String>,
    /// Everything it said, for failure messages.
    transcript: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    mountpoint: PathBuf,
    cuts: u32,
    _dir: tempfile::TempDir,
}

impl PowerCutFs {
    fn mount(strict: bool) -> PowerCutFs {
        require_fuse();
        let binary = powercut_fs_binary();
        let dir = tempfile::tempdir().unwrap();
        let mountpoint = dir.path().join("disk");
        std::fs::create_dir(&mountpoint).unwrap();
        let mut command = Command::new(&binary);
        if strict {
            command.arg("--strict-metadata");
        }
        let mut fs = command
            .arg(&mountpoint)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stderr = fs.stderr.take().unwrap();
        let (tell, said) = channel();
        let transcript = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = transcript.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                keep.lock().unwrap().push(line.clone());
                let _ = tell.send(line);
            }
        });
        let mount = PowerCutFs { fs, said, transcript, mountpoint, cuts: 0, _dir: dir };
        if mount.expect("powercut_fs: mounted", Duration::from_secs(20)).is_none() {
            panic!("powercut_fs did not mount: {}", mount.transcript());
        }
        mount
    }

    fn transcript(&self) -> String {
        self.transcript.lock().unwrap().join("\n")
    }

    /// Waits for a line from the fs that starts with `prefix`, skipping others.
    fn expect(&self, prefix: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.said.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    fn signal(&self, signal: i32, value: usize) {
        let pid = self.fs.id() as libc::pid_t;
        // SAFETY: sigqueue with an integer carried in the pointer-sized value.
        let sent =
            unsafe { libc::sigqueue(pid, signal, libc::sigval { sival_ptr: value as *mut libc::c_void }) };
        assert_eq!(sent, 0, "signalling powercut_fs: {}", std::io::Error::last_os_error());
    }

    /// Cuts the power, and waits until the fs has reverted to its durable state.
    fn cut(&mut self) -> String {
        self.signal(libc::SIGUSR1, 0);
        self.cuts += 1;
        let prefix = format!("powercut_fs: power cut {}:", self.cuts);
        self.expect(&prefix, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("powercut_fs did not cut the power: {}", self.transcript()))
    }

    /// Makes the disk freeze just before the `fsyncs`-th fsync from now.
    fn arm(&self, fsyncs: u64) {
        self.signal(libc::SIGUSR2, fsyncs as usize);
        self.expect("powercut_fs: armed", Duration::from_secs(10))
            .unwrap_or_else(|| panic!("powercut_fs did not arm: {}", self.transcript()));
    }
}

impl Drop for PowerCutFs {
    fn drop(&mut self) {
        let unmount = |args: &[&str]| {
            Command::new("fusermount3")
                .args(args)
                .arg(&self.mountpoint)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        // A process still using the mount makes it busy for a moment; then detach it lazily.
        let unmounted = (0..20).any(|_| {
            unmount(&["-u"]) || {
                std::thread::sleep(Duration::from_millis(100));
                false
            }
        });
        if !unmounted {
            unmount(&["-u", "-z"]);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.fs.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.fs.kill();
        let _ = self.fs.wait();
    }
}

/// `fieldlog dev log-stdin` on the session: lines in, "saved N" out.
struct Logger {
    child: Child,
    input: ChildStdin,
    acks: Receiver<u64>,
    reader: Option<JoinHandle<()>>,
}

impl Logger {
    fn start(store: &Path, session: &str) -> Logger {
        let mut child = fieldlog(store)
            .args(["dev", "log-stdin", "--session", session])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tell, acks) = channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(seq) = line.strip_prefix("saved ").and_then(|s| s.trim().parse().ok()) {
                    let _ = tell.send(seq);
                }
            }
        });
        Logger { child, input, acks, reader: Some(reader) }
    }

    fn send(&mut self, text: &str) -> bool {
        writeln!(self.input, "{text}").and_then(|()| self.input.flush()).is_ok()
    }

    /// The next "saved N", unless the program stopped or took longer than `timeout`.
    fn ack(&self, timeout: Duration) -> Option<u64> {
        self.acks.recv_timeout(timeout).ok()
    }

    /// kill -9; returns the acknowledgements it printed before dying and not yet read.
    fn kill(mut self) -> Vec<u64> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.acks.try_iter().collect()
    }
}

impl Drop for Logger {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const DANISH: [&str; 4] =
    ["selvværd og ærgrelse", "Ærø, Århus og Øresund", "blåbærgrød på gården", "ÆØÅ æøå"];

/// One session's lines: sent, acknowledged, and sent but not yet acknowledged.
#[derive(Default)]
struct Log {
    session: String,
    /// Every line sent, by its number (the second word of its text).
    sent: Vec<String>,
    /// (seq the program printed, text), in the order typed.
    acknowledged: Vec<(u64, String)>,
    waiting: VecDeque<String>,
    acknowledged_bytes: usize,
}

/// One study on a powercut_fs disk and the sessions logged into it.
struct Study {
    disk: PowerCutFs,
    store: PathBuf,
    random: Random,
    seed: u64,
    round: u32,
    /// The session being logged into.
    log: Log,
    /// Sessions logged into before, checked again at the end.
    earlier: Vec<Log>,
}

impl Study {
    fn new(test: &str) -> Study {
        let strict = std::env::var("FIELDLOG_POWER_CUT_MODEL").is_ok_and(|m| m == "strict");
        let seed =
            std::env::var("FIELDLOG_POWER_CUT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
            }) | 1;
        println!("{test}: seed {seed}, {} model", if strict { "strict-metadata" } else { "ext4" });
        let disk = PowerCutFs::mount(strict);
        let store = disk.mountpoint.join("study");
        run(&store, &["init"]).unwrap_or_else(|e| panic!("seed {seed}: setting up: {e}"));
        run(&store, &["case", "add", "AA"]).unwrap_or_else(|e| panic!("seed {seed}: setting up: {e}"));
        let mut study = Study {
            disk,
            store,
            random: Random(seed),
            seed,
            round: 0,
            log: Log::default(),
            earlier: Vec::new(),
        };
        study.new_session();
        study
    }

    /// Starts a new session to log into; the one before is kept for the final check.
    fn new_session(&mut self) {
        let out = run(&self.store, &["session", "start", "--case", "AA", "--kind", "observation"])
            .unwrap_or_else(|e| panic!("seed {}, round {}: starting a session: {e}", self.seed, self.round));
        let log = Log { session: out.trim().to_string(), ..Log::default() };
        let before = std::mem::replace(&mut self.log, log);
        if !before.session.is_empty() {
            self.earlier.push(before);
        }
    }

    fn send(&mut self, logger: &mut Logger, filler: usize) -> bool {
        let n = self.log.sent.len() + 1;
        let danish = DANISH[n % DANISH.len()];
        let mut text = format!("linje {n} i runde {}: {danish}", self.round);
        while text.len() < filler {
            text.push_str(" — ");
            text.push_str(danish);
        }
        self.log.sent.push(text.clone());
        self.log.waiting.push_back(text.clone());
        logger.send(&text)
    }

    /// Records an acknowledgement: it is for the oldest line not yet acknowledged.
    fn acknowledge(&mut self, seq: u64) {
        let text = self.log.waiting.pop_front().expect("an acknowledgement for a line that was never sent");
        self.log.acknowledged_bytes += text.len();
        self.log.acknowledged.push((seq, text));
    }

    fn wait_ack(&mut self, logger: &Logger, timeout: Duration) -> bool {
        match logger.ack(timeout) {
            Some(seq) => {
                self.acknowledge(seq);
                true
            }
            None => false,
        }
    }

    fn start_logger(&self) -> Logger {
        Logger::start(&self.store, &self.log.session)
    }

    /// kill -9 the logger, keeping what it acknowledged before it died.
    fn kill(&mut self, logger: Logger) {
        for seq in logger.kill() {
            self.acknowledge(seq);
        }
        self.log.waiting.clear();
    }

    /// kill -9 the logger, then cut the power.
    fn kill_and_cut(&mut self, logger: Logger) {
        self.kill(logger);
        self.disk.cut();
    }

    fn journal_len(&self) -> u64 {
        std::fs::metadata(self.store.join("journal")).map(|m| m.len()).unwrap_or(0)
    }

    /// Opens the store with the real binary and checks the session being logged into.
    /// Opens the store with the real binary and checks the session being
    /// logged into. The store as the cut left it is copied first (opening it
    /// replays and empties the journal), and kept when the check fails.
    fn check(&self) -> usize {
        let kept = std::env::temp_dir().join(format!("fieldlog-power-cut-{}", self.seed));
        let _ = std::fs::remove_dir_all(&kept);
        copy_dir(&self.store, &kept);
        let context = format!(
            "seed {}, round {} (the store as the cut left it is kept at {})",
            self.seed,
            self.round,
            kept.display()
        );
        let stored = check(&self.store, &self.log, &context);
        let _ = std::fs::remove_dir_all(&kept);
        stored
    }

    /// Checks every session, and prints the counts.
    fn finish(&self, test: &str) {
        let context = format!("seed {}, at the end", self.seed);
        let stored: usize =
            self.earlier.iter().chain([&self.log]).map(|log| check(&self.store, log, &context)).sum();
        let acknowledged: usize =
            self.earlier.iter().chain([&self.log]).map(|log| log.acknowledged.len()).sum();
        let transcript = self.disk.transcript.lock().unwrap();
        // "powercut_fs: frozen before fsync N of /study/PATH": which files the exact cuts hit.
        let mut frozen_at: BTreeMap<&str, usize> = Default::default();
        for line in transcript.iter().filter(|l| l.starts_with("powercut_fs: frozen")) {
            let path = line.rsplit(" of ").next().unwrap_or("?").trim_start_matches("/study/");
            *frozen_at.entry(path).or_default() += 1;
        }
        let exact: usize = frozen_at.values().sum();
        let places: Vec<String> = frozen_at.iter().map(|(path, n)| format!("{n} {path}")).collect();
        let places = if places.is_empty() { "none".to_string() } else { places.join(", ") };
        println!(
            "{test}: {} power cuts ({exact} just before an fsync: {}), \
             {acknowledged} lines acknowledged, {stored} stored, in {} sessions, seed {}",
            self.disk.cuts,
            places,
            self.earlier.len() + 1,
            self.seed
        );
    }

    /// A line now and then on long runs (seen with --nocapture).
    fn progress(&self, test: &str, stored: usize) {
        if self.round.is_multiple_of(20) {
            println!("{test}: round {}, {stored} lines stored in the current session", self.round);
        }
    }
}

/// Opens the store with the real binary and checks every acknowledged line of
/// one session: stored once, with its text and number, in the order typed,
/// numbers running 1..n. Returns how many lines the session holds.
fn check(store: &Path, log: &Log, context: &str) -> usize {
    let shown = run(store, &["session", "show", &log.session, "--json"])
        .unwrap_or_else(|e| panic!("{context}: the store does not open after the power cut: {e}"));
    let shown: Value = serde_json::from_str(&shown).unwrap();
    let stored: Vec<(u64, &str)> = shown["utterances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["seq"].as_u64().unwrap(), u["text"].as_str().unwrap()))
        .collect();
    let seqs: Vec<u64> = stored.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=stored.len() as u64).collect::<Vec<_>>(), "{context}: line numbers run 1..n");
    let mut where_stored: HashMap<&str, Vec<u64>> = HashMap::new();
    for (seq, text) in &stored {
        where_stored.entry(text).or_default().push(*seq);
    }
    for (seq, text) in &log.acknowledged {
        let found = where_stored.get(text.as_str()).map(Vec::as_slice).unwrap_or_default();
        assert!(
            found.len() == 1,
            "{context}: acknowledged line {seq} {:?} is stored {} times ({} lines stored, {} acknowledged)",
            short(text),
            found.len(),
            stored.len(),
            log.acknowledged.len()
        );
        assert_eq!(
            found[0],
            *seq,
            "{context}: acknowledged line {:?} was saved as {seq}, stored as {}",
            short(text),
            found[0]
        );
    }
    let mut numbers = Vec::new();
    for (seq, text) in &stored {
        let n: usize = text.split(' ').nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(
            n >= 1 && log.sent.get(n - 1).is_some_and(|sent| sent == text),
            "{context}: stored line {seq} {:?} is not a line that was sent",
            short(text)
        );
        numbers.push(n);
    }
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{context}: lines stored in the order typed");
    stored.len()
}

fn cuts() -> u32 {
    std::env::var("FIELDLOG_POWER_CUTS").ok().and_then(|k| k.parse().ok()).unwrap_or(5)
}

const ACK_TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn power_cut_while_logging_loses_no_acknowledged_line() {
    let test = "power_cut_while_logging";
    let mut study = Study::new(test);
    // The store's lock (flock) must hold on this fs too: a second fieldlog is refused.
    let mut logger = study.start_logger();
    assert!(
        study.send(&mut logger, 0) && study.wait_ack(&logger, ACK_TIMEOUT),
        "the first line was not saved"
    );
    let second = run(&study.store, &["session", "list"]);
    assert!(
        second.as_ref().is_err_and(|e| e.contains("in use")),
        "a second fieldlog was not refused the store in use on powercut_fs: {second:?}"
    );
    study.kill(logger);
    for round in 1..=cuts() {
        study.round = round;
        let lines = study.random.below(40);
        let style = study.random.below(3);
        if style == 2 {
            // An exact cut: anywhere from opening the store to the last line's fsync.
            let fsyncs = 1 + study.random.below(lines + 8);
            study.disk.arm(fsyncs);
        }
        let mut logger = study.start_logger();
        match style {
            // Line by line, as typed, like tests/crash.rs; one more in flight at the kill.
            0 => {
                for _ in 0..lines {
                    if !study.send(&mut logger, 0) || !study.wait_ack(&logger, ACK_TIMEOUT) {
                        break;
                    }
                }
                study.send(&mut logger, 0);
                std::thread::sleep(Duration::from_micros(study.random.below(5_000)));
            }
            // A burst typed faster than it is saved; killed while it is being saved.
            1 => {
                for _ in 0..lines {
                    study.send(&mut logger, 0);
                }
                std::thread::sleep(Duration::from_micros(study.random.below(20_000)));
            }
            // Until the disk freezes (the program then fails to save and stops).
            _ => {
                for _ in 0..lines {
                    if !study.send(&mut logger, 0) || !study.wait_ack(&logger, Duration::from_secs(2)) {
                        break;
                    }
                }
            }
        }
        study.kill_and_cut(logger);
        let stored = study.check();
        study.progress(test, stored);
    }
    study.finish(test);
}

#[test]
fn power_cut_while_checkpointing_loses_no_acknowledged_line() {
    let test = "power_cut_while_checkpointing";
    let mut study = Study::new(test);
    for round in 1..=cuts() {
        study.round = round;
        // Reading a session back takes longer the more it holds: a new one every 4 MiB.
        if study.log.acknowledged_bytes > 4 << 20 {
            study.new_session();
        }
        let mut logger = study.start_logger();
        if study.random.below(2) == 0 {
            // Typing pauses: the writer checkpoints into sled after a second.
            for _ in 0..1 + study.random.below(20) {
                if !study.send(&mut logger, 0) || !study.wait_ack(&logger, ACK_TIMEOUT) {
                    break;
                }
            }
            if study.random.below(2) == 0 {
                study.disk.arm(1 + study.random.below(4));
                study.disk.expect("powercut_fs: frozen", Duration::from_millis(2_500));
            } else {
                std::thread::sleep(Duration::from_millis(900 + study.random.below(300)));
            }
        } else {
            // Long lines until the journal passes 1 MiB: the checkpoint follows that line's save.
            const LONG: usize = 8 * 1024;
            while study.journal_len() < (1 << 20) - 2 * LONG as u64 {
                if !study.send(&mut logger, LONG) || !study.wait_ack(&logger, ACK_TIMEOUT) {
                    break;
                }
            }
            study.disk.arm(1 + study.random.below(6));
            for _ in 0..4 {
                if !study.send(&mut logger, LONG) || !study.wait_ack(&logger, Duration::from_secs(2)) {
                    break;
                }
            }
            study.disk.expect("powercut_fs: frozen", Duration::from_millis(500));
        }
        study.kill_and_cut(logger);
        let stored = study.check();
        study.progress(test, stored);
    }
    study.finish(test);
}

/// Power cuts while a case is purged or a backup is written, at a random
/// fsync of it: after each, the store opens sound with the study as it was
/// or as it became, never less, and the backup file is the old one or a
/// whole new one. `FIELDLOG_POWER_CUTS` sets the number of cuts here too.
#[test]
fn power_cut_during_purge_or_backup_leaves_the_old_or_the_new_whole() {
    let cuts: u32 = std::env::var("FIELDLOG_POWER_CUTS").ok().and_then(|c| c.parse().ok()).unwrap_or(6);
    let strict = std::env::var("FIELDLOG_POWER_CUT_MODEL").is_ok_and(|m| m == "strict");
    let seed =
        std::env::var("FIELDLOG_POWER_CUT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        }) | 1;
    let mut random = Random(seed);
    let mut disk = PowerCutFs::mount(strict);
    let store = disk.mountpoint.join("study");
    let backup = disk.mountpoint.join("backup.json");
    let backup_arg = backup.to_str().unwrap().to_string();
    let setup = |args: &[&str]| run(&store, args).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    setup(&["init"]);
    setup(&["case", "add", "AA"]);
    let kept = setup(&["session", "start", "--case", "AA", "--kind", "observation"]).trim().to_string();
    let kept_lines: Vec<String> = (1..=10).map(|n| format!("bliver stående {n}: ærgrelse")).collect();
    for line in &kept_lines {
        setup(&["log", "--session", &kept, line]);
    }
    setup(&["backup", &backup_arg]);
    let lines_of = |session: &str, context: &str| -> Vec<String> {
        let shown = run(&store, &["session", "show", session, "--json"])
            .unwrap_or_else(|e| panic!("{context}: the store does not open after the power cut: {e}"));
        let shown: Value = serde_json::from_str(&shown).unwrap();
        shown["utterances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["text"].as_str().unwrap().to_string())
            .collect()
    };
    let (mut finished, mut rolled_back, mut new_backups) = (0, 0, 0);
    let mut purged_session = None;
    for round in 0..cuts {
        if !setup(&["case", "list"]).contains("BB") {
            setup(&["case", "add", "BB"]);
            let session =
                setup(&["session", "start", "--case", "BB", "--kind", "interview"]).trim().to_string();
            setup(&["log", "--session", &session, "slettes helt"]);
            purged_session = Some(session);
        }
        let purge = round % 2 == 0;
        let context = format!("seed {seed}, round {round}, {}", if purge { "purge" } else { "backup" });
        let old_backup = std::fs::read(&backup).unwrap();
        disk.arm(1 + random.below(if purge { 40 } else { 16 }));
        let _ = if purge {
            run(&store, &["case", "purge", "BB", "--yes"])
        } else {
            run(&store, &["backup", &backup_arg])
        };
        disk.cut();
        let sound =
            run(&store, &["check"]).unwrap_or_else(|e| panic!("{context}: the store is not sound: {e}"));
        assert!(sound.contains("sound"), "{context}: {sound}");
        assert_eq!(lines_of(&kept, &context), kept_lines, "{context}: the other case's lines changed");
        if setup(&["case", "list"]).contains("BB") {
            let session = purged_session.as_deref().unwrap();
            assert_eq!(lines_of(session, &context), ["slettes helt"], "{context}: half purged");
            rolled_back += usize::from(purge);
        } else {
            finished += 1;
        }
        let now = std::fs::read(&backup).unwrap_or_else(|e| panic!("{context}: the backup is gone: {e}"));
        if now != old_backup {
            let restored = tempfile::tempdir().unwrap();
            let target = restored.path().join("study");
            run(&target, &["restore", &backup_arg])
                .unwrap_or_else(|e| panic!("{context}: a broken backup: {e}"));
            new_backups += 1;
        }
    }
    println!(
        "power_cut_during_purge_or_backup: {} power cuts; purges {finished} finished, {rolled_back} rolled back; {new_backups} new backups whole, the rest the old one; seed {seed}",
        disk.cuts
    );
}
