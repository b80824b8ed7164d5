//! Where decoded sound goes: the laptop's sound device through ALSA, loaded
//! when playback starts (no audio library is needed to build or run
//! fieldlog), or nowhere: a null output that says where it would be playing.

use super::alsa;
use super::AudioError;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A sound device that takes interleaved `f32` frames.
pub trait Output: Send {
    /// Hands frames over; blocks while the device's buffer is full.
    fn write(&mut self, samples: &[f32]) -> Result<(), AudioError>;
    /// Frames handed over but not yet heard.
    fn delay(&mut self) -> u64;
    /// Forgets what is buffered (pause, jump).
    fn drop_buffered(&mut self);
}

/// Opens the output playback should use: `FIELDLOG_AUDIO_OUTPUT=null` for
/// none, else ALSA's device `FIELDLOG_AUDIO_DEVICE` (default `default`).
pub fn open(rate: u32, channels: u16) -> Result<Box<dyn Output>, AudioError> {
    match std::env::var("FIELDLOG_AUDIO_OUTPUT").as_deref() {
        Ok("null") => Ok(Box::new(NullOutput::new(rate, channels, true))),
        _ => {
            let device = std::env::var("FIELDLOG_AUDIO_DEVICE").unwrap_or_else(|_| "default".into());
            Ok(Box::new(alsa::Playback::open(&device, rate, channels)?))
        }
    }
}

/// What a null output was handed: the first frames and when.
#[derive(Debug, Default)]
pub struct Heard {
    /// The first frames handed over since the last `drop_buffered`, up to a second.
    pub first: Vec<f32>,
    /// When the first frame of those was handed over.
    pub first_at: Option<Instant>,
    /// Frames handed over in all.
    pub frames: u64,
}

/// An output with no device: it takes frames at the pace a device would
/// (or at once, unpaced), and keeps what it was handed for tests and benches.
pub struct NullOutput {
    rate: u32,
    channels: u16,
    paced: bool,
    started: Option<(Instant, u64)>,
    pub heard: Arc<Mutex<Heard>>,
}

impl NullOutput {
    pub fn new(rate: u32, channels: u16, paced: bool) -> NullOutput {
        NullOutput { rate, channels, paced, started: None, heard: Arc::default() }
    }

    fn played(&self) -> u64 {
        self.started.map_or(0, |(at, from)| from + (at.elapsed().as_secs_f64() * f64::from(self.rate)) as u64)
    }
}

impl Output for NullOutput {
    fn write(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        let frames = (samples.len() / usize::from(self.channels.max(1))) as u64;
        let total = {
            let mut heard = self.heard.lock().unwrap_or_else(|e| e.into_inner());
            if heard.first_at.is_none() {
                heard.first_at = Some(Instant::now());
            }
            let room = (self.rate as usize * usize::from(self.channels)).saturating_sub(heard.first.len());
            heard.first.extend_from_slice(&samples[..room.min(samples.len())]);
            heard.frames += frames;
            heard.frames
        };
        if self.paced {
            let started = *self.started.get_or_insert((Instant::now(), 0));
            // Like a device with a tenth of a second of buffer.
            let ahead = total.saturating_sub(self.played()).saturating_sub(u64::from(self.rate) / 10);
            if ahead > 0 {
                std::thread::sleep(Duration::from_secs_f64(ahead as f64 / f64::from(self.rate)));
            }
            let _ = started;
        }
        Ok(())
    }

    fn delay(&mut self) -> u64 {
        if self.paced {
            let frames = self.heard.lock().map_or(0, |h| h.frames);
            frames.saturating_sub(self.played())
        } else {
            0
        }
    }

    fn drop_buffered(&mut self) {
        let mut heard = self.heard.lock().unwrap_or_else(|e| e.into_inner());
        *heard = Heard::default();
        self.started = None;
    }
}
