//! Recording from the microphone (or, for tests, from a file read at the
//! pace of a microphone) into a WAV file that is always whole enough to
//! open: the sound is synced to disk every second, with the header's sizes,
//! so a kill or a dead battery loses at most the last second.

use super::decode::Stream;
use super::AudioError;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The rate and channels fieldlog records at: speech, mono, 16 bit.
pub const RATE: u32 = 48_000;
pub const CHANNELS: u16 = 1;
const HEADER: u64 = 44;

/// A source of 16-bit frames at `RATE`, `CHANNELS`.
pub trait Input: Send {
    /// Fills `frames` (blocking as a microphone does); how many frames came.
    fn read(&mut self, frames: &mut [i16]) -> Result<usize, AudioError>;
}

/// Opens what recording listens to: `source` (a sound file, read at a
/// microphone's pace) when given, else ALSA's capture device.
pub fn open(source: Option<&Path>) -> Result<Box<dyn Input>, AudioError> {
    match source {
        Some(path) => Ok(Box::new(FileInput::open(path, true)?)),
        None => {
            let device = std::env::var("FIELDLOG_AUDIO_DEVICE").unwrap_or_else(|_| "default".into());
            Ok(Box::new(super::alsa::Capture::open(&device, RATE, CHANNELS)?))
        }
    }
}

/// A sound file standing in for the microphone (tests, benches, demos):
/// mixed to mono and given at `RATE` (it must be recorded at that rate).
pub struct FileInput {
    stream: Stream,
    left: Vec<i16>,
    paced: Option<(Instant, u64)>,
}

impl FileInput {
    pub fn open(path: &Path, paced: bool) -> Result<FileInput, AudioError> {
        let file =
            File::open(path).map_err(|e| AudioError::Unreadable(format!("{}: {e}", path.display())))?;
        let len = file.metadata().ok().map(|m| m.len());
        let extension = path.extension().and_then(|e| e.to_str());
        let stream = Stream::open(Box::new(file), len, extension)?;
        if stream.info().sample_rate != RATE {
            return Err(AudioError::Unreadable(format!(
                "{} is at {} Hz: a file standing in for the microphone must be at {RATE} Hz",
                path.display(),
                stream.info().sample_rate
            )));
        }
        Ok(FileInput { stream, left: Vec::new(), paced: paced.then(|| (Instant::now(), 0)) })
    }
}

impl Input for FileInput {
    fn read(&mut self, frames: &mut [i16]) -> Result<usize, AudioError> {
        while self.left.len() < frames.len() {
            let channels = usize::from(self.stream.info().channels.max(1));
            match self.stream.next_block()? {
                Some(block) => self.left.extend(
                    block
                        .chunks(channels)
                        .map(|f| (f.iter().sum::<f32>() / channels as f32 * 32767.0) as i16),
                ),
                None => break,
            }
        }
        let n = frames.len().min(self.left.len());
        frames[..n].copy_from_slice(&self.left[..n]);
        self.left.drain(..n);
        if let Some((started, given)) = &mut self.paced {
            *given += n as u64;
            let due = Duration::from_secs_f64(*given as f64 / f64::from(RATE));
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        if n == 0 {
            // The file has ended: a microphone would go on; silence does.
            std::thread::sleep(Duration::from_millis(20));
            frames.fill(0);
            return Ok(frames.len().min(RATE as usize / 50));
        }
        Ok(n)
    }
}

/// A 44-byte WAV header for `data` bytes of 16-bit PCM.
pub fn wav_header(data: u64) -> [u8; 44] {
    let data = u32::try_from(data).unwrap_or(u32::MAX - 36);
    let mut h = [0u8; 44];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&(36 + data).to_le_bytes());
    h[8..16].copy_from_slice(b"WAVEfmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes());
    h[22..24].copy_from_slice(&CHANNELS.to_le_bytes());
    h[24..28].copy_from_slice(&RATE.to_le_bytes());
    h[28..32].copy_from_slice(&(RATE * u32::from(CHANNELS) * 2).to_le_bytes());
    h[32..34].copy_from_slice(&(CHANNELS * 2).to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data.to_le_bytes());
    h
}

/// Makes a recording cut short (killed, battery gone) whole: the header's
/// sizes are set from what is on disk, a torn last frame dropped. Returns
/// the frames it holds.
pub fn mend(path: &Path) -> std::io::Result<u64> {
    let mut file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    let len = file.metadata()?.len();
    let frame = u64::from(CHANNELS) * 2;
    let data = len.saturating_sub(HEADER) / frame * frame;
    if len != HEADER + data {
        file.set_len(HEADER + data)?;
    }
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&wav_header(data))?;
    file.sync_all()?;
    Ok(data / frame)
}

#[derive(Default)]
struct Progress {
    stop: AtomicBool,
    failure: Mutex<Option<String>>,
}

/// A recording under way.
pub struct Recorder {
    progress: Arc<Progress>,
    thread: Option<JoinHandle<Result<u64, AudioError>>>,
    /// How long before `start` returned its first frame was heard: the
    /// recording began at the caller's "now" less this.
    pub heard_before: std::time::Duration,
}

impl Recorder {
    /// Starts recording `input` into a new file at `path`. Returns once the
    /// first frames are on their way, with the moment they were heard.
    pub fn start(mut input: Box<dyn Input>, path: &Path) -> Result<Recorder, AudioError> {
        let mut file = super::create_new(path)?;
        file.write_all(&wav_header(0)).map_err(AudioError::io(path))?;
        let mut first = vec![0i16; RATE as usize / 50];
        let got = input.read(&mut first)?;
        let read_at = Instant::now();
        let progress = Arc::new(Progress::default());
        let shared = progress.clone();
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("audio-recorder".into())
            .spawn(move || record(input, file, &path, &first[..got], &shared))
            .map_err(|e| AudioError::Unreadable(e.to_string()))?;
        let heard_before = Duration::from_secs_f64(got as f64 / f64::from(RATE)) + read_at.elapsed();
        Ok(Recorder { progress, thread: Some(thread), heard_before })
    }

    pub fn failure(&self) -> Option<String> {
        self.progress.failure.lock().ok()?.clone()
    }

    /// Stops, syncs the whole file, and says how many frames it holds.
    pub fn stop(mut self) -> Result<u64, AudioError> {
        self.progress.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .map(|t| t.join().unwrap_or_else(|_| Err(AudioError::Unreadable("the recorder stopped".into()))))
            .unwrap_or(Ok(0))
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.progress.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn record(
    mut input: Box<dyn Input>,
    mut file: File,
    path: &Path,
    first: &[i16],
    progress: &Progress,
) -> Result<u64, AudioError> {
    let io = AudioError::io(path);
    let mut frames = 0u64;
    let mut synced_at = 0u64;
    let mut buffer = vec![0i16; RATE as usize / 50];
    let mut bytes = Vec::new();
    let mut pending: &[i16] = first;
    let result = loop {
        bytes.clear();
        bytes.extend(pending.iter().flat_map(|s| s.to_le_bytes()));
        if let Err(e) = file.write_all(&bytes) {
            break Err(io(e));
        }
        frames += (pending.len() / usize::from(CHANNELS)) as u64;
        if frames - synced_at >= u64::from(RATE) || progress.stop.load(Ordering::Relaxed) {
            // The header's sizes, then one sync: what is on disk opens as it is.
            let synced = file
                .seek(SeekFrom::Start(0))
                .and_then(|_| file.write_all(&wav_header(frames * u64::from(CHANNELS) * 2)))
                .and_then(|()| file.seek(SeekFrom::End(0)).map(|_| ()))
                .and_then(|()| file.sync_data());
            if let Err(e) = synced {
                break Err(io(e));
            }
            synced_at = frames;
        }
        if progress.stop.load(Ordering::Relaxed) {
            break Ok(frames);
        }
        match input.read(&mut buffer) {
            Ok(n) => pending = &buffer[..n * usize::from(CHANNELS)],
            Err(e) => break Err(e),
        }
    };
    if let Err(e) = &result {
        if let Ok(mut failure) = progress.failure.lock() {
            *failure = Some(e.to_string());
        }
    }
    result
}
