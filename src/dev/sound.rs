//! Recordings made for tests and benchmarks: silence with tone markers at
//! known moments, so a test can tell by ear (by frequency) where playback is.

use crate::audio::capture::{wav_header, RATE};
use std::io::Write;
use std::path::Path;

/// The markers of the fixtures in `tests/fixtures/audio`: (start s, Hz), 0.4 s each.
pub const MARKERS: [(f64, f64); 3] = [(1.0, 440.0), (2.5, 880.0), (4.0, 1320.0)];
pub const MARKER_SECONDS: f64 = 0.4;

/// The sample at frame `i` of a recording with tones `marks` (start s, Hz).
pub fn marker_sample(i: u64, marks: &[(f64, f64)]) -> i16 {
    let t = i as f64 / f64::from(RATE);
    let v = marks
        .iter()
        .find(|(start, _)| (*start..start + MARKER_SECONDS).contains(&t))
        .map_or(0.0, |(start, hz)| 0.5 * (std::f64::consts::TAU * hz * (t - start)).sin());
    (v * 32767.0) as i16
}

/// Writes a mono 48 kHz WAV of `seconds` with tone `marks`.
pub fn write_marker_wav(path: &Path, seconds: f64, marks: &[(f64, f64)]) -> std::io::Result<()> {
    let frames = (seconds * f64::from(RATE)) as u64;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(&wav_header(frames * 2))?;
    for i in 0..frames {
        file.write_all(&marker_sample(i, marks).to_le_bytes())?;
    }
    file.flush()
}

/// The strongest of `candidates` (Hz) in `samples` (mono at `rate`), by
/// Goertzel power; none if the samples are near silence.
pub fn loudest_tone(samples: &[f32], rate: u32, candidates: &[f64]) -> Option<f64> {
    let energy: f64 =
        samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len().max(1) as f64;
    if energy < 1e-4 {
        return None;
    }
    let power = |hz: f64| {
        let w = std::f64::consts::TAU * hz / f64::from(rate);
        let (mut s1, mut s2) = (0.0, 0.0);
        for x in samples {
            let s0 = f64::from(*x) + 2.0 * w.cos() * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2
    };
    candidates.iter().copied().max_by(|a, b| power(*a).total_cmp(&power(*b)))
}

/// Where the first sound in `samples` (mono) begins, in frames: the first
/// 1 ms block well above silence.
pub fn onset(samples: &[f32], rate: u32) -> Option<usize> {
    let block = (rate / 1000).max(1) as usize;
    samples.chunks(block).position(|b| b.iter().any(|s| s.abs() > 0.05)).map(|i| i * block)
}
