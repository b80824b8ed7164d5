//! kill -9 at random moments of logging loses no acknowledged line.
//!
//! Each round starts the real binary logging lines from standard input the
//! way the live screen does (through the store writer, "saved N" printed
//! only after the fsync), kills it with SIGKILL at a random moment, and
//! checks that every acknowledged line is stored, in order, exactly once.
//! CI runs a few rounds; `FIELDLOG_KILLS=200 cargo test --release --test crash`
//! is the long run.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn fieldlog(store: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fieldlog"));
    command.arg("--store").arg(store);
    command
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

fn stored_texts(store: &Path, session: &str) -> Vec<(u64, String)> {
    let out = fieldlog(store).args(["session", "show", session, "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    shown["utterances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["seq"].as_u64().unwrap(), u["text"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn killed_at_random_moments_every_acknowledged_line_survives() {
    let kills: u32 = std::env::var("FIELDLOG_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(5);
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut random = Random(seed);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("study");
    assert!(fieldlog(&store).arg("init").output().unwrap().status.success());
    assert!(fieldlog(&store).args(["case", "add", "AA"]).output().unwrap().status.success());
    let out = fieldlog(&store)
        .args(["session", "start", "--case", "AA", "--kind", "observation"])
        .output()
        .unwrap();
    let session = String::from_utf8(out.stdout).unwrap().trim().to_string();

    let mut acknowledged: Vec<String> = Vec::new();
    let mut sent = 0u64;
    for round in 0..kills {
        let mut child = fieldlog(&store)
            .args(["dev", "log-stdin", "--session", &session])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let mut acks = BufReader::new(child.stdout.take().unwrap()).lines();
        let target = random.below(40);
        let mut texts_this_round = Vec::new();
        for _ in 0..target {
            sent += 1;
            let text = format!("linje {sent} i runde {round}: selvværd og ærgrelse");
            if writeln!(input, "{text}").is_err() {
                break;
            }
            texts_this_round.push(text);
            match acks.next() {
                Some(Ok(ack)) if ack.starts_with("saved ") => {
                    acknowledged.push(texts_this_round.last().unwrap().clone())
                }
                _ => break,
            }
        }
        // One more line in flight, then the kill lands somewhere in its saving.
        sent += 1;
        let _ = writeln!(input, "linje {sent} i runde {round}: måske");
        std::thread::sleep(Duration::from_micros(random.below(3_000)));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    let stored = stored_texts(&store, &session);
    let seqs: Vec<u64> = stored.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=stored.len() as u64).collect::<Vec<_>>(), "seed {seed}: line numbers run 1..n");
    let texts: Vec<&String> = stored.iter().map(|(_, t)| t).collect();
    for text in &acknowledged {
        let count = texts.iter().filter(|t| **t == text).count();
        assert_eq!(count, 1, "seed {seed}: acknowledged line {text:?} stored {count} times");
    }
    let numbers: Vec<u64> = texts.iter().map(|t| t.split(' ').nth(1).unwrap().parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "seed {seed}: lines stored in the order typed");
    println!(
        "{kills} kills, {} lines acknowledged, {} stored, seed {seed}",
        acknowledged.len(),
        stored.len()
    );
}
