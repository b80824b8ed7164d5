//! The app's sound: one recording played at a time, for the review screen
//! that asked. Playback off (no library, no device, no recording) is said
//! once, and nothing else changes.

use crate::audio::output::{self, Output};
use crate::audio::{AudioError, Player, Stream};
use crate::domain::{Id, Kept};
use crate::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a review screen asks of the recording.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Play {
    /// From this many ms into the recording.
    From(u64),
    /// Pause, or play again a little before where it paused.
    Toggle,
    /// Back this many ms.
    Back(u64),
    /// The next slower speed, round to normal.
    Slower,
}

/// Where playback is, for the screen to draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlaybackView {
    pub position_ms: u64,
    pub duration_ms: u64,
    pub playing: bool,
    pub speed: f64,
}

/// Opens a sound output for (rate, channels).
pub type OutputMaker = Arc<dyn Fn(u32, u16) -> Result<Box<dyn Output>, AudioError> + Send + Sync>;

/// How far playing again goes back, as transcribers' f4 does: a second
/// after a pause, a second more for each pause soon after the last play.
#[derive(Default)]
pub struct Rewind {
    last_play: Option<Instant>,
    steps: u64,
}

impl Rewind {
    const STEP_MS: u64 = 1_000;
    const MOST_MS: u64 = 5_000;
    /// Played this long, the next pause starts again from one step.
    const SETTLED: Duration = Duration::from_secs(5);

    /// The ms to go back when playing again at `now`, after a pause.
    pub fn on_resume(&mut self, now: Instant) -> u64 {
        self.steps = match self.last_play {
            Some(last) if now.saturating_duration_since(last) < Self::SETTLED + Duration::from_secs(2) => {
                self.steps + 1
            }
            _ => 1,
        };
        self.last_play = Some(now);
        (self.steps * Self::STEP_MS).min(Self::MOST_MS)
    }

    /// Playing began afresh (from a line): the next pause rewinds one step.
    pub fn reset(&mut self) {
        self.steps = 0;
        self.last_play = None;
    }
}

pub struct Sound {
    make_output: OutputMaker,
    playing: Option<(Id, Player)>,
    rewind: Rewind,
    /// Why playback is off, once said.
    said: Option<String>,
}

const SPEEDS: [f64; 3] = [1.0, 0.75, 0.5];

impl Default for Sound {
    fn default() -> Self {
        Sound::with_output(Arc::new(output::open))
    }
}

impl Sound {
    pub fn with_output(make_output: OutputMaker) -> Sound {
        Sound { make_output, playing: None, rewind: Rewind::default(), said: None }
    }

    /// Carries out `play` on `session`'s recording; what to say, if anything.
    pub fn command(&mut self, store: &Store, session: Id, play: Play, now: Instant) -> Result<(), String> {
        if self.playing.as_ref().is_none_or(|(s, _)| *s != session) {
            self.playing = Some((session, self.open(store, session)?));
        }
        let (_, player) = self.playing.as_mut().expect("opened above");
        match play {
            Play::From(ms) => {
                self.rewind.reset();
                player.play_from(ms);
            }
            Play::Toggle if player.is_playing() => player.pause(),
            Play::Toggle => player.play_from(player.position_ms().saturating_sub(self.rewind.on_resume(now))),
            Play::Back(ms) => player.back(ms),
            Play::Slower => {
                let at = SPEEDS.iter().position(|s| (*s - player.speed()).abs() < 1e-9).unwrap_or(0);
                player.set_speed(SPEEDS[(at + 1) % SPEEDS.len()]);
            }
        }
        Ok(())
    }

    fn open(&mut self, store: &Store, session: Id) -> Result<Player, String> {
        let recording = store
            .recording(session)
            .map_err(|e| e.to_string())?
            .ok_or("This session has no recording: attach one on its case screen, or with `fieldlog session attach`.")?;
        let (bytes, len) = store.open_recording(&recording).map_err(|e| match (&recording.kept, e) {
            (Kept::Copied { .. }, crate::store::StoreError::File { .. }) => format!(
                "The recording {} is not in this study's folder (attached on another laptop, or before a restore): attach it again.",
                recording.name
            ),
            (_, e) => e.to_string(),
        })?;
        let stream =
            Stream::open(bytes, Some(len), Some(&recording.extension())).map_err(|e| e.to_string())?;
        let make = self.make_output.clone();
        Ok(Player::start(stream, Box::new(move |rate, channels| make(rate, channels))))
    }

    /// Where playback of `session` is; none if it is not the one loaded.
    pub fn view(&self, session: Id) -> Option<PlaybackView> {
        let (s, player) = self.playing.as_ref()?;
        (*s == session).then(|| PlaybackView {
            position_ms: player.position_ms(),
            duration_ms: player.duration_ms(),
            playing: player.is_playing(),
            speed: player.speed(),
        })
    }

    /// Why playback stopped, if it failed since last asked, said once per reason.
    pub fn failure(&mut self) -> Option<String> {
        let (_, player) = self.playing.as_ref()?;
        let why = player.failure()?;
        if self.said.as_deref() == Some(why.as_str()) {
            return None;
        }
        self.said = Some(why.clone());
        Some(format!("Playback is off: {why}"))
    }

    pub fn is_playing(&self) -> bool {
        self.playing.as_ref().is_some_and(|(_, p)| p.is_playing())
    }

    /// Stops and lets go of the recording unless it is `session`'s.
    pub fn keep_only(&mut self, session: Option<Id>) {
        if self.playing.as_ref().is_some_and(|(s, _)| Some(*s) != session) {
            self.playing = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pause_soon_after_the_last_goes_back_a_second_further() {
        let mut rewind = Rewind::default();
        let t0 = Instant::now();
        assert_eq!(rewind.on_resume(t0), 1_000);
        assert_eq!(rewind.on_resume(t0 + Duration::from_secs(2)), 2_000);
        assert_eq!(rewind.on_resume(t0 + Duration::from_secs(3)), 3_000);
        // Played on for a while: back to one second.
        assert_eq!(rewind.on_resume(t0 + Duration::from_secs(30)), 1_000);
        for n in 0..10 {
            rewind.on_resume(t0 + Duration::from_secs(31 + n));
        }
        assert_eq!(rewind.on_resume(t0 + Duration::from_secs(42)), 5_000, "never more than five seconds");
        rewind.reset();
        assert_eq!(rewind.on_resume(t0 + Duration::from_secs(43)), 1_000);
    }
}
