//! Recordings: every format a recorder or phone writes decodes to its
//! length; playback starts where it was asked to, heard by its tone markers.

use fieldlog::audio::output::{NullOutput, Output};
use fieldlog::audio::{inspect, Player, Stream};
use fieldlog::dev::sound::{loudest_tone, onset, write_marker_wav, MARKERS};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FRAMES: u64 = 6 * 48_000;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name)
}

fn marker_wav(dir: &Path) -> PathBuf {
    let path = dir.join("markers.wav");
    write_marker_wav(&path, 6.0, &MARKERS).unwrap();
    path
}

/// The marker recording in every format fieldlog reads: WAV made here, the rest encoded once.
fn every_format(dir: &Path) -> Vec<PathBuf> {
    let mut all = vec![marker_wav(dir)];
    all.extend(["flac", "mp3", "m4a", "ogg", "opus"].map(|e| fixture(&format!("markers.{e}"))));
    all
}

fn open(path: &Path) -> Stream {
    let file = std::fs::File::open(path).unwrap();
    let len = file.metadata().unwrap().len();
    Stream::open(Box::new(file), Some(len), path.extension().and_then(|e| e.to_str())).unwrap()
}

#[test]
fn each_format_decodes_to_its_length_within_one_frame() {
    let dir = tempfile::tempdir().unwrap();
    for path in every_format(dir.path()) {
        let file = std::fs::File::open(&path).unwrap();
        let len = file.metadata().unwrap().len();
        let info = inspect(Box::new(file), Some(len), path.extension().and_then(|e| e.to_str())).unwrap();
        assert_eq!(info.sample_rate, 48_000, "{}", path.display());
        println!("{}: {} frames ({})", path.display(), info.frames, info.codec);
        assert!(
            info.frames.abs_diff(FRAMES) <= 1,
            "{}: {} frames, not {FRAMES}",
            path.display(),
            info.frames
        );
    }
}

/// Plays `path` from `from_ms` into a null output; the first second it was handed.
fn heard_from(path: &Path, from_ms: u64, speed: f64) -> Vec<f32> {
    let output = NullOutput::new(48_000, 1, false);
    let heard = output.heard.clone();
    let mut player = Player::start(open(path), Box::new(move |_, _| Ok(Box::new(output) as Box<dyn Output>)));
    if speed < 1.0 {
        player.set_speed(speed);
    }
    player.play_from(from_ms);
    let waited = Instant::now();
    while heard.lock().unwrap().first.len() < 48_000 && waited.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let first = heard.lock().unwrap().first.clone();
    assert!(player.failure().is_none());
    first
}

#[test]
fn playing_from_a_moment_starts_there_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let tones: Vec<f64> = MARKERS.iter().map(|m| m.1).collect();
    for path in every_format(dir.path()) {
        for (start, hz) in MARKERS {
            // 200 ms before the marker: its tone must begin 200 ms into what is heard.
            let from_ms = (start * 1000.0) as u64 - 200;
            let first = heard_from(&path, from_ms, 1.0);
            let at = onset(&first, 48_000).unwrap_or_else(|| panic!("{}: nothing heard", path.display()));
            let at_ms = at as i64 * 1000 / 48_000;
            assert!(
                (at_ms - 200).abs() <= 50,
                "{} from {from_ms} ms: the {hz} Hz marker came {at_ms} ms in",
                path.display()
            );
            let tone = loudest_tone(&first[at..at + 9_600], 48_000, &tones);
            assert_eq!(tone, Some(hz), "{} from {from_ms} ms", path.display());
            println!("{} from {from_ms} ms: {hz} Hz at {at_ms} ms", path.display());
        }
    }
}

#[test]
fn slower_playback_keeps_the_markers_pitch_and_stretches_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let wav = marker_wav(dir.path());
    let tones: Vec<f64> = MARKERS.iter().map(|m| m.1).collect();
    // 200 ms before the 880 Hz marker at half speed: it comes 400 ms in, still 880 Hz.
    let first = heard_from(&wav, 2_300, 0.5);
    let at = onset(&first, 48_000).unwrap();
    let at_ms = at as i64 * 1000 / 48_000;
    assert!((at_ms - 400).abs() <= 50, "came {at_ms} ms in");
    assert_eq!(loudest_tone(&first[at + 2_000..at + 12_000], 48_000, &tones), Some(880.0));
}

/// The real ALSA path, through ALSA's own `null` device: the library is
/// loaded at run time, frames are taken at the device's pace, and what
/// waits in its buffer is counted (CI installs libasound2 for this).
#[test]
fn alsa_plays_through_its_null_device() {
    let mut device =
        fieldlog::audio::alsa::Playback::open("null", 48_000, 1).expect("ALSA's null device opens");
    let second = vec![0.25f32; 48_000];
    device.write(&second).unwrap();
    device.drop_buffered();
    device.write(&second[..4_800]).unwrap();
    let _ = device.delay();
    let refused =
        fieldlog::audio::alsa::Playback::open("no-such-device-here", 48_000, 1).err().unwrap().to_string();
    assert!(refused.contains("no sound device \"no-such-device-here\""), "{refused}");
}
