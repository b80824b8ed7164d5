//! The real program in a real terminal (tmux, 80×24): typed at with
//! send-keys, read back with capture-pane, stopped the ways a laptop stops it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
    /// More arguments for fieldlog, after the store.
    args: String,
    /// A command fieldlog runs under (strace), or nothing.
    wrapper: String,
}

impl Tmux {
    /// Starts fieldlog on a fresh store in a detached 80×24 tmux session.
    fn start() -> Tmux {
        Tmux::start_with(|_| String::new())
    }

    /// Starts fieldlog with more arguments, made knowing the test's folder.
    fn start_with(args: impl Fn(&Path) -> String) -> Tmux {
        Tmux::start_wrapped(|_| String::new(), args)
    }

    /// Starts fieldlog under `wrapper` (a tracer), with more arguments.
    fn start_wrapped(wrapper: impl Fn(&Path) -> String, args: impl Fn(&Path) -> String) -> Tmux {
        let dir = tempfile::tempdir().unwrap();
        let args = args(dir.path());
        let wrapper = wrapper(dir.path());
        let socket = format!(
            "fieldlog-test-{}-{}",
            std::process::id(),
            dir.path().file_name().unwrap().to_string_lossy()
        );
        let tmux = Tmux { socket, dir, args, wrapper };
        let made = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .arg("--store")
            .arg(tmux.store())
            .arg("init")
            .output()
            .unwrap();
        assert!(made.status.success());
        tmux.launch();
        tmux
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("study")
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn launch(&self) {
        let program = format!(
            "{} {} --store {} {}; echo exited $? > {}",
            self.wrapper,
            env!("CARGO_BIN_EXE_fieldlog"),
            self.store().display(),
            self.args,
            self.dir.path().join("exit").display()
        );
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24"])
            .args([
                "-e",
                &format!("XDG_CONFIG_HOME={}", self.config().display()),
                "-e",
                "TERM=xterm-256color",
            ])
            .arg(program)
            .status()
            .expect("these tests need tmux: install it (apt-get install tmux)");
        assert!(status.success());
        self.wait_for("fieldlog · cases");
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.tmux(&["send-keys", "-t", "0", key]);
        }
    }

    fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "0"])
    }

    fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "waited for {text:?}, screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The pid fieldlog wrote into its store lock.
    fn pid(&self) -> String {
        std::fs::read_to_string(self.store().join("lock")).unwrap().trim().to_string()
    }

    fn wait_for_exit(&self) -> String {
        let path = self.dir.path().join("exit");
        let started = Instant::now();
        while !path.exists() {
            assert!(started.elapsed() < Duration::from_secs(10), "fieldlog did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(50));
        std::fs::read_to_string(path).unwrap().trim().to_string()
    }

    fn session_json(&self) -> Value {
        let cli = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
                .arg("--store")
                .arg(self.store())
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice::<Value>(&out.stdout).unwrap()
        };
        let list = cli(&["session", "list", "--json"]);
        let id = list[0]["id"].as_str().unwrap().to_string();
        cli(&["session", "show", &id, "--json"])
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

fn texts(session: &Value) -> Vec<String> {
    session["utterances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["text"].as_str().unwrap().to_string())
        .collect()
}

/// Adds case AA, starts an interview and logs two lines.
fn log_two_lines(t: &Tmux) {
    t.keys(&["a"]);
    t.text("AA");
    t.keys(&["Enter", "s", "Left", "Enter"]);
    t.wait_for("AA · interview · contact 1");
    t.text("Jeg har søgt 40 job, og ingen har svaret");
    t.keys(&["Enter", "M-2"]);
    t.text("Hvordan har du det med det?");
    t.keys(&["Enter"]);
    t.wait_for("Line 2 saved to disk");
}

fn assert_draft_offered_after_restart(t: &Tmux, draft: &str) {
    t.launch();
    t.keys(&["o"]);
    let screen = t.wait_for("Recovered the line you were typing");
    assert!(screen.contains(&format!("▸ {draft}")), "{screen}");
}

#[test]
fn sigterm_saves_the_line_being_typed_and_restores_the_terminal() {
    let t = Tmux::start();
    log_two_lines(&t);
    t.text("Det ærgrer mig");
    t.wait_for("▸ Det ærgrer mig");
    Command::new("kill").args(["-TERM", &t.pid()]).status().unwrap();
    assert_eq!(t.wait_for_exit(), "exited 0");
    let shell = t.screen();
    assert!(
        !shell.contains("fieldlog · cases") && !shell.contains("alt-h help"),
        "alternate screen left:\n{shell}"
    );
    assert_eq!(
        texts(&t.session_json()),
        ["Jeg har søgt 40 job, og ingen har svaret", "Hvordan har du det med det?"]
    );
    assert_draft_offered_after_restart(&t, "Det ærgrer mig");
}

#[test]
fn closing_the_terminal_window_saves_the_line_being_typed() {
    let t = Tmux::start();
    log_two_lines(&t);
    t.text("Min sagsbehandler");
    t.wait_for("▸ Min sagsbehandler");
    // Killing the tmux server hangs up the terminal: fieldlog gets SIGHUP.
    t.tmux(&["kill-server"]);
    let started = Instant::now();
    while Command::new("kill")
        .args(["-0", &t.pid()])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
        .success()
    {
        assert!(started.elapsed() < Duration::from_secs(10), "fieldlog still runs after its terminal closed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_draft_offered_after_restart(&t, "Min sagsbehandler");
}

#[test]
fn kill_9_loses_no_saved_line_and_gives_the_draft_back() {
    let t = Tmux::start();
    log_two_lines(&t);
    t.text("Jeg vil gerne i praktik");
    t.wait_for("▸ Jeg vil gerne i praktik");
    // The draft is saved every quarter second.
    std::thread::sleep(Duration::from_millis(600));
    Command::new("kill").args(["-KILL", &t.pid()]).status().unwrap();
    t.wait_for_exit();
    assert_eq!(texts(&t.session_json()).len(), 2);
    assert_draft_offered_after_restart(&t, "Jeg vil gerne i praktik");
}

#[test]
fn kill_9_while_recording_loses_at_most_a_second_and_the_recording_opens() {
    // Traced: a power cut loses what is not synced, so the recording must be synced every second.
    let wrapper = |dir: &Path| {
        format!(
            "strace -f -qq -y -tt -e trace=write,fdatasync -e signal=none -o {}",
            dir.join("trace").display()
        )
    };
    let t = Tmux::start_wrapped(wrapper, |dir| {
        let wav = dir.join("voice.wav");
        fieldlog::dev::sound::write_marker_wav(&wav, 30.0, &fieldlog::dev::sound::MARKERS).unwrap();
        format!("--audio-source {}", wav.display())
    });
    t.keys(&["a"]);
    t.text("AA");
    t.keys(&["Enter", "s", "Left", "Enter"]);
    t.wait_for("AA · interview · contact 1");
    t.keys(&["M-a"]);
    t.wait_for("Not recording: no consent to recording is noted for");
    t.keys(&["M-y"]);
    t.wait_for("every speaker agreed to be recorded");
    t.keys(&["M-a"]);
    t.wait_for("● rec");
    let began = Instant::now();
    std::thread::sleep(Duration::from_millis(3_200));
    Command::new("kill").args(["-KILL", &t.pid()]).status().unwrap();
    let recorded_at_least = began.elapsed().as_secs_f64();
    t.wait_for_exit();
    // The recording was synced to disk every second of sound: a dead battery
    // would lose at most one. Counted in bytes written between syncs (48 kHz
    // mono, 16 bit: 96,000 bytes a second), not in wall time.
    let trace = std::fs::read_to_string(t.dir.path().join("trace")).unwrap();
    let (mut unsynced, mut most, mut syncs) = (0u64, 0u64, 0);
    for line in trace.lines().filter(|l| l.contains(".wav>")) {
        if line.contains("write(") {
            unsynced += line.rsplit("= ").next().and_then(|n| n.trim().parse::<u64>().ok()).unwrap_or(0);
        } else if line.contains("fdatasync(") {
            most = most.max(unsynced);
            unsynced = 0;
            syncs += 1;
        }
    }
    assert!(syncs >= 2, "the recording was synced {syncs} times in {recorded_at_least:.1} s:\n{trace}");
    assert!(most <= 96_000 + 1_920 + 44, "{most} bytes of sound were written between two syncs");
    // The next fieldlog to open the study mends the recording and keeps what reached the disk.
    let session = t.session_json();
    let id = session["session"]["id"].as_str().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(t.store())
        .args(["session", "recording", &id, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recording: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kept = recording["frames"].as_u64().unwrap() as f64 / 48_000.0;
    assert!(
        kept >= recorded_at_least - 1.0,
        "kept {kept:.2} s of at least {recorded_at_least:.2} s recorded"
    );
    assert!(!recording["sha256"].as_str().unwrap().is_empty());
    // The file opens, to its length, and holds what the microphone heard: the 440 Hz marker at 1.0 s.
    let path = t.store().join("recordings").join(recording["kept"]["copied"]["file"].as_str().unwrap());
    let file = std::fs::File::open(&path).unwrap();
    let len = file.metadata().unwrap().len();
    let mut stream = fieldlog::audio::Stream::open(Box::new(file), Some(len), Some("wav")).unwrap();
    assert_eq!(stream.info().frames, recording["frames"].as_u64().unwrap());
    stream.seek(48_000).unwrap();
    let mut heard = Vec::new();
    while heard.len() < 9_600 {
        heard.extend_from_slice(stream.next_block().unwrap().unwrap());
    }
    let tones: Vec<f64> = fieldlog::dev::sound::MARKERS.iter().map(|m| m.1).collect();
    assert_eq!(fieldlog::dev::sound::loudest_tone(&heard[..9_600], 48_000, &tones), Some(440.0));
}

#[test]
fn a_bad_user_keymap_shows_a_banner_and_logging_still_works() {
    let t = Tmux::start();
    t.keys(&["C-q"]);
    t.wait_for_exit();
    std::fs::remove_file(t.dir.path().join("exit")).unwrap();
    let keymap_dir = t.config().join("fieldlog");
    std::fs::create_dir_all(&keymap_dir).unwrap();
    std::fs::write(keymap_dir.join("keymap.toml"), "[live]\n\"alt-x\" = \"make-coffee\"\n").unwrap();
    t.launch();
    // The banner wraps: compare without the white space it wraps at.
    let screen: String = t.wait_for("Keymap refused").split_whitespace().collect();
    assert!(screen.contains("keymap.toml:2:unknownaction\"make-coffee\""), "{screen}");
    log_two_lines(&t);
}

#[test]
fn resize_storms_down_to_one_cell_leave_it_working() {
    let t = Tmux::start();
    log_two_lines(&t);
    for (w, h) in [(1, 1), (2, 1), (80, 2), (10, 30), (1, 24), (200, 60), (80, 24)] {
        t.tmux(&["resize-window", "-t", "0", "-x", &w.to_string(), "-y", &h.to_string()]);
        std::thread::sleep(Duration::from_millis(30));
    }
    t.text("Stadig her");
    t.keys(&["Enter"]);
    t.wait_for("Line 3 saved to disk");
    assert!(!Path::new(&t.dir.path().join("exit")).exists(), "fieldlog must still run");
}

/// The number N of the last "Line N saved to disk" the screen shows, if any.
fn acknowledged(screen: &str) -> Option<u64> {
    let at = screen.rfind("Line ")?;
    let rest = &screen[at + 5..];
    let (number, tail) = rest.split_once(' ')?;
    tail.starts_with("saved to disk").then(|| number.parse().ok()).flatten()
}

/// The live app in a real terminal, killed with SIGKILL at random moments
/// while lines are typed: every line the screen said was saved is stored,
/// once and in order, and a half-typed line comes back. CI runs a few
/// rounds; `FIELDLOG_TUI_KILLS=200 cargo test --release --test terminal -- --nocapture kill` is the long run.
#[test]
fn the_live_app_killed_at_random_moments_keeps_every_acknowledged_line() {
    let rounds: u32 = std::env::var("FIELDLOG_TUI_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(3);
    let mut seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut random = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let t = Tmux::start();
    log_two_lines(&t);
    // Every line typed and committed, in order, as the store should hold them.
    let mut typed: Vec<String> =
        ["Jeg har søgt 40 job, og ingen har svaret", "Hvordan har du det med det?"].map(String::from).into();
    let mut half_typed: Option<String> = None;
    let (mut checked, mut drafts_back) = (0, 0);
    for round in 0..rounds {
        if round > 0 {
            std::fs::remove_file(t.dir.path().join("exit")).ok();
            t.launch();
            t.keys(&["o"]);
            let screen = t.wait_for("▸");
            match half_typed.take() {
                // A line half typed at the kill comes back in the input line: keep it as a line.
                Some(draft) => {
                    let screen = t.wait_for("Recovered the line");
                    assert!(
                        screen.contains(&format!("▸ {draft}")),
                        "round {round}: the draft is not back: {screen}"
                    );
                    drafts_back += 1;
                    t.keys(&["Enter"]);
                    typed.push(draft);
                }
                None => assert!(
                    !screen.contains("Recovered the line"),
                    "round {round}: a draft nobody typed: {screen}"
                ),
            }
        }
        for i in 0..(1 + random(6)) {
            let line = format!("runde {round} linje {i} om selvværd og ærgrelse");
            t.text(&line);
            t.keys(&["Enter"]);
            typed.push(line);
        }
        if random(2) == 0 {
            let draft = format!("halvt skrevet i runde {round}");
            t.text(&draft);
            // Past the quarter-second draft save.
            std::thread::sleep(Duration::from_millis(600));
            half_typed = Some(draft);
        } else {
            std::thread::sleep(Duration::from_millis(random(300)));
        }
        let screen = t.screen();
        Command::new("kill").args(["-KILL", &t.pid()]).status().unwrap();
        t.wait_for_exit();
        let stored = texts(&t.session_json());
        if let Some(n) = acknowledged(&screen) {
            assert!(
                stored.len() as u64 >= n,
                "round {round}: the screen said line {n} was saved, the store has {}",
                stored.len()
            );
        }
        assert!(stored.len() <= typed.len(), "round {round}: more lines stored than typed");
        assert_eq!(
            stored,
            typed[..stored.len()],
            "round {round}: the stored lines are the typed ones, once, in order"
        );
        // Lines typed but not yet saved at the kill were never acknowledged: they are gone.
        typed.truncate(stored.len());
        checked = stored.len();
    }
    println!("{rounds} kills of the live app, {checked} lines checked (text and order), {drafts_back} drafts given back");
}

#[test]
fn a_second_app_or_command_on_a_store_in_use_is_refused_and_the_first_goes_on() {
    let t = Tmux::start();
    log_two_lines(&t);
    let second = Command::new(env!("CARGO_BIN_EXE_fieldlog")).arg("--store").arg(t.store()).output().unwrap();
    assert!(!second.status.success());
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(
        message.contains(&format!("the store at {} is in use by another fieldlog", t.store().display())),
        "{message}"
    );
    let command = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(t.store())
        .args(["case", "list"])
        .output()
        .unwrap();
    assert!(!command.status.success());
    assert!(String::from_utf8_lossy(&command.stderr).contains(&format!("(process {})", t.pid())));
    t.text("Stadig her efter forsøgene");
    t.keys(&["Enter"]);
    t.wait_for("Line 3 saved to disk");
}

#[test]
fn a_panic_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let socket = format!("fieldlog-panic-{}", std::process::id());
    let made = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .arg("--store")
        .arg(dir.path().join("study"))
        .arg("init")
        .output()
        .unwrap();
    assert!(made.status.success());
    let program = format!(
        "{} --store {}; echo exited $?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; sleep 30",
        env!("CARGO_BIN_EXE_fieldlog"),
        dir.path().join("study").display()
    );
    let started = Command::new("tmux")
        .args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-e",
            "FIELDLOG_TEST_PANIC=1",
            "-e",
            "RUST_BACKTRACE=0",
        ])
        .arg(program)
        .status()
        .unwrap();
    assert!(started.success());
    let begun = Instant::now();
    let screen = loop {
        let out =
            Command::new("tmux").args(["-L", &socket, "capture-pane", "-p", "-t", "0"]).output().unwrap();
        let screen = String::from_utf8_lossy(&out.stdout).into_owned();
        if screen.lines().any(|l| l.trim() == "icanon" || l.trim() == "-icanon") {
            break screen;
        }
        assert!(begun.elapsed() < Duration::from_secs(10), "{screen}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = Command::new("tmux").args(["-L", &socket, "kill-server"]).output();
    assert!(screen.contains("a panic on purpose"), "the panic message is shown: {screen}");
    assert!(screen.contains("exited 101"), "{screen}");
    assert!(screen.lines().any(|l| l.trim() == "icanon"), "raw mode is off again: {screen}");
    assert!(!screen.contains("fieldlog · cases"), "the alternate screen is left: {screen}");
}
