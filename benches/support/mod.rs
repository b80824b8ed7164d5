//! What every bench needs to measure a figure the way a user meets it:
//! percentiles with their n, a load generator that keeps both cores busy,
//! and a whole process timed from the shell with its peak memory.
#![allow(dead_code)] // each bench uses its own part

pub mod pty;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Timings of one figure, reported as p50 and p99 with their n.
#[derive(Clone, Debug, Default)]
pub struct Samples(pub Vec<Duration>);

impl Samples {
    pub fn push(&mut self, sample: Duration) {
        self.0.push(sample);
    }

    /// The q-quantile (0.5, 0.99), by nearest rank.
    pub fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    pub fn p50(&self) -> Duration {
        self.quantile(0.5)
    }

    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }

    pub fn max(&self) -> Duration {
        self.0.iter().copied().max().unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `p50 X, p99 Y (n=N)`.
    pub fn summary(&self) -> String {
        format!("p50 {:>9.2?}, p99 {:>9.2?} (n={})", self.p50(), self.p99(), self.len())
    }
}

/// Both cores kept busy while it lives: one spinning thread per core, each
/// hashing a buffer larger than the caches, as a build or a browser would.
pub struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    pub fn start() -> Load {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..cores)
            .map(|i| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut buffer = vec![i as u8; 8 << 20];
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        for chunk in buffer.chunks_mut(4096) {
                            x = x.wrapping_mul(6364136223846793005).wrapping_add(chunk[0] as u64);
                            chunk[0] = x as u8;
                        }
                    }
                    std::hint::black_box(x);
                })
            })
            .collect();
        Load { stop, threads }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// The conditions a figure is measured under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Idle,
    Busy,
}

impl Condition {
    pub const BOTH: [Condition; 2] = [Condition::Idle, Condition::Busy];

    /// A load generator for `Busy`, nothing for `Idle`.
    pub fn start(self) -> Option<Load> {
        (self == Condition::Busy).then(Load::start)
    }

    pub fn word(self) -> &'static str {
        match self {
            Condition::Idle => "idle",
            Condition::Busy => "both cores busy",
        }
    }
}

/// One run of a whole process, as from the shell.
pub struct Run {
    pub elapsed: Duration,
    /// Peak resident memory of the process, in kilobytes.
    pub peak_kb: u64,
    pub stdout: Vec<u8>,
    pub success: bool,
}

/// Runs the program with its arguments and waits for it; its peak memory
/// comes from the kernel's accounting of that one child (wait4).
/// The peak is the child's own: the kernel adds the old address space's
/// peak at exec, so the program is started by a fresh, small copy of the
/// bench (`serve_launch`), never straight from the bench's own large process.
#[allow(clippy::zombie_processes)] // reaped by the wait4 below, which std does not see
pub fn run(program: &Path, args: &[&std::ffi::OsStr]) -> Run {
    let peak_file = tempfile::NamedTempFile::new().expect("a file for the peak");
    let began = Instant::now();
    let child = Command::new(std::env::current_exe().expect("the bench's own path"))
        .arg(LAUNCH)
        .arg(program)
        .args(args)
        .env(PEAK_FILE, peak_file.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starting the program");
    let pid = child.id() as libc::pid_t;
    let mut stdout = Vec::new();
    if let Some(mut out) = child.stdout {
        use std::io::Read;
        let _ = out.read_to_end(&mut stdout);
    }
    let (status, _) = wait_with_peak(pid);
    let peak_kb = std::fs::read_to_string(peak_file.path()).ok().and_then(|p| p.trim().parse().ok());
    Run {
        elapsed: began.elapsed(),
        peak_kb: peak_kb.unwrap_or(0),
        stdout,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

const LAUNCH: &str = "--launch-measured";
/// Where the launcher writes the program's peak, in kilobytes.
const PEAK_FILE: &str = "FIELDLOG_BENCH_PEAK_FILE";

/// Call first in every bench's `main`. When `run` started this copy of the
/// bench to launch a program, it starts the program as its own child (this
/// copy is small: a child's peak starts from its parent's size at fork),
/// waits for it, writes its peak to the file `run` named, exits with its
/// status and never returns.
pub fn serve_launch() {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(std::ffi::OsStr::new(LAUNCH)) {
        return;
    }
    let program = args.next().expect("a program to launch");
    let child = Command::new(program).args(args).spawn().expect("launching the measured program");
    let (status, peak_kb) = wait_with_peak(child.id() as libc::pid_t);
    if let Some(file) = std::env::var_os(PEAK_FILE) {
        std::fs::write(file, peak_kb.to_string()).expect("writing the peak");
    }
    std::process::exit(if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 1 });
}

/// Waits for the child `pid`: its wait status and its peak resident kilobytes.
fn wait_with_peak(pid: libc::pid_t) -> (i32, u64) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; the pointers live for the call.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "waiting for the program");
    (status, usage.ru_maxrss as u64)
}

/// The fieldlog binary cargo built for the benches.
pub fn fieldlog() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_fieldlog"))
}
