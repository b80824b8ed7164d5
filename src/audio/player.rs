//! Playing a recording on a thread of its own: from any moment, paused and
//! resumed a little earlier each time (as transcribers' f4 does), slower
//! without a lower voice. The screen asks where it is, and is never kept waiting.

use super::decode::Stream;
use super::output::Output;
use super::stretch::Stretch;
use super::AudioError;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Makes the output once the first sound is to be played: (rate, channels).
pub type OpenOutput = Box<dyn FnOnce(u32, u16) -> Result<Box<dyn Output>, AudioError> + Send>;

enum Command {
    PlayFrom(u64),
    Pause,
    Speed(f64),
    Quit,
}

#[derive(Default)]
struct Shared {
    /// The moment being heard, in ms of the recording.
    heard_ms: AtomicU64,
    playing: AtomicBool,
    /// Why playback stopped, once, if it failed.
    failure: Mutex<Option<String>>,
}

/// A recording being played (or ready to be).
pub struct Player {
    commands: Sender<Command>,
    shared: Arc<Shared>,
    duration_ms: u64,
    speed: f64,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    pub fn start(stream: Stream, open: OpenOutput) -> Player {
        let (commands, receive) = channel();
        let shared = Arc::new(Shared::default());
        let duration_ms = stream.info().duration_ms();
        let worker = Worker { stream, open: Some(open), output: None, shared: shared.clone(), speed: 1.0 };
        let thread = std::thread::Builder::new()
            .name("audio-player".into())
            .spawn(move || {
                let shared = worker.shared.clone();
                // A decoder's bug must not take the app's sound away silently, nor the app down.
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker.run(receive))).is_err() {
                    shared.playing.store(false, Ordering::Relaxed);
                    if let Ok(mut failure) = shared.failure.lock() {
                        *failure = Some("playback stopped: the recording could not be decoded here".into());
                    }
                }
            })
            .expect("a thread can be started");
        Player { commands, shared, duration_ms, speed: 1.0, thread: Some(thread) }
    }

    /// Plays from `ms` into the recording.
    pub fn play_from(&self, ms: u64) {
        let ms = ms.min(self.duration_ms);
        self.shared.heard_ms.store(ms, Ordering::Relaxed);
        self.shared.playing.store(true, Ordering::Relaxed);
        let _ = self.commands.send(Command::PlayFrom(ms));
    }

    pub fn pause(&self) {
        self.shared.playing.store(false, Ordering::Relaxed);
        let _ = self.commands.send(Command::Pause);
    }

    /// Goes `ms` back, playing on if it was playing.
    pub fn back(&self, ms: u64) {
        let to = self.position_ms().saturating_sub(ms);
        if self.is_playing() {
            self.play_from(to);
        } else {
            self.shared.heard_ms.store(to, Ordering::Relaxed);
        }
    }

    /// 1.0, 0.75 or 0.5 (anything from 0.25 to 1).
    pub fn set_speed(&mut self, speed: f64) {
        self.speed = speed.clamp(0.25, 1.0);
        let _ = self.commands.send(Command::Speed(self.speed));
        if self.is_playing() {
            self.play_from(self.position_ms());
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn position_ms(&self) -> u64 {
        self.shared.heard_ms.load(Ordering::Relaxed)
    }

    pub fn is_playing(&self) -> bool {
        self.shared.playing.load(Ordering::Relaxed)
    }

    pub fn duration_ms(&self) -> u64 {
        self.duration_ms
    }

    /// Why playback stopped, said once.
    pub fn failure(&self) -> Option<String> {
        self.shared.failure.lock().ok()?.take()
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Quit);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Worker {
    stream: Stream,
    open: Option<OpenOutput>,
    output: Option<Box<dyn Output>>,
    shared: Arc<Shared>,
    speed: f64,
}

impl Worker {
    fn run(mut self, commands: Receiver<Command>) {
        let rate = self.stream.info().sample_rate;
        let channels = self.stream.info().channels;
        let mut stretch = Stretch::new(rate, channels, 1.0);
        let mut out = Vec::new();
        let mut playing = false;
        // A command that came while a block was being handed over.
        let mut waiting: Option<Command> = None;
        loop {
            let command = if let Some(command) = waiting.take() {
                Some(command)
            } else if playing {
                match commands.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => return,
                }
            } else {
                match commands.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                }
            };
            match command {
                Some(Command::Quit) => return,
                Some(Command::Pause) => {
                    playing = false;
                    if let Some(output) = &mut self.output {
                        output.drop_buffered();
                    }
                    continue;
                }
                Some(Command::Speed(speed)) => {
                    self.speed = speed;
                    stretch = Stretch::new(rate, channels, speed);
                    continue;
                }
                Some(Command::PlayFrom(ms)) => {
                    stretch = Stretch::new(rate, channels, self.speed);
                    if let Some(output) = &mut self.output {
                        output.drop_buffered();
                    }
                    match self.stream.seek(ms * u64::from(rate) / 1000).and_then(|()| self.output()) {
                        Ok(()) => playing = true,
                        Err(e) => {
                            self.fail(e);
                            playing = false;
                            continue;
                        }
                    }
                }
                None => {}
            }
            let block = match self.stream.next_block() {
                Ok(Some(block)) => block,
                Ok(None) => {
                    playing = false;
                    self.shared.playing.store(false, Ordering::Relaxed);
                    continue;
                }
                Err(e) => {
                    self.fail(e);
                    playing = false;
                    continue;
                }
            };
            out.clear();
            stretch.process(block, &mut out);
            let output = self.output.as_mut().expect("opened before playing");
            // Handed over 10 ms at a time, so that a pause or a jump is heard at once.
            let mut failed = None;
            for piece in out.chunks((rate as usize / 100).max(1) * usize::from(channels.max(1))) {
                if let Err(e) = output.write(piece) {
                    failed = Some(e);
                    break;
                }
                if let Ok(command) = commands.try_recv() {
                    waiting = Some(command);
                    break;
                }
            }
            if let Some(e) = failed {
                self.output = None;
                self.fail(e);
                playing = false;
                continue;
            }
            if waiting.is_some() {
                continue;
            }
            // What is heard now: what was decoded, less what waits in the
            // stretcher and in the device (at the input's pace).
            let waiting = stretch.pending() + (output.delay() as f64 * stretch.speed()) as u64;
            let heard = self.stream.position().saturating_sub(waiting);
            if self.shared.playing.load(Ordering::Relaxed) {
                self.shared.heard_ms.store(heard * 1000 / u64::from(rate.max(1)), Ordering::Relaxed);
            }
        }
    }

    fn output(&mut self) -> Result<(), AudioError> {
        if self.output.is_none() {
            let open = self
                .open
                .take()
                .ok_or_else(|| AudioError::NoDevice("the sound device could not be opened".into()))?;
            let info = self.stream.info();
            self.output = Some(open(info.sample_rate, info.channels)?);
        }
        Ok(())
    }

    fn fail(&mut self, e: AudioError) {
        self.shared.playing.store(false, Ordering::Relaxed);
        if let Ok(mut failure) = self.shared.failure.lock() {
            *failure = Some(e.to_string());
        }
    }
}
