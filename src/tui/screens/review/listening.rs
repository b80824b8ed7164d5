//! Review by ear: play the session's recording from the cursor's line,
//! pause and go back as transcribers do, follow the line being played, and
//! give a line the moment heard as its start.

use super::super::{Effect, Receipt};
use super::ReviewState;
use crate::domain::clock::format_duration_ms;
use crate::domain::Retiming;
use crate::keymap::Action;
use crate::store::Change;
use crate::tui::sound::{Play, PlaybackView};
use chrono::{DateTime, FixedOffset};

/// How far `play-back` goes.
const BACK_MS: u64 = 3_000;

/// What review knows of the recording being played.
#[derive(Default)]
pub struct Listening {
    pub view: Option<PlaybackView>,
    /// The cursor moves to the line being played.
    pub follow: bool,
}

impl ReviewState {
    /// The line being played: the last whose time in the recording has come.
    pub(super) fn playing_index(&self) -> Option<usize> {
        let view = self.listening.view?;
        let at = view.position_ms as i64;
        let upto =
            self.lines.partition_point(|l| self.session.recording_ms(l.onset).is_none_or(|ms| ms <= at));
        let index = upto.checked_sub(1)?;
        self.session.recording_ms(self.lines[index].onset).map(|_| index)
    }

    /// Says something on the status line (playback's problems).
    pub fn tell(&mut self, message: String) {
        self.status = message;
    }

    /// Takes where playback is; the cursor follows it when asked to.
    pub fn set_playback(&mut self, view: Option<PlaybackView>) {
        self.listening.view = view;
        if self.listening.follow && view.is_some_and(|v| v.playing) {
            if let Some(i) = self.playing_index() {
                self.cursor = i;
            }
        }
    }

    pub(super) fn listen(&mut self, action: Action, now: DateTime<FixedOffset>) -> Effect {
        let session = self.session.id;
        let play = |play| Effect::Play { session, play };
        match action {
            Action::PlayPause => play(Play::Toggle),
            Action::PlayBack => play(Play::Back(BACK_MS)),
            Action::PlaySlower => play(Play::Slower),
            Action::PlayLine => {
                let Some(line) = self.lines.get(self.cursor) else {
                    self.status = "This session has no lines yet.".into();
                    return Effect::None;
                };
                match self.session.recording_ms(line.onset) {
                    Some(ms) => play(Play::From(ms as u64)),
                    None if self.session.recording_started.is_none() => {
                        self.status = "This session has no recording: attach one on its case screen.".into();
                        Effect::None
                    }
                    None => {
                        self.status = format!(
                            "Line {} was typed before the recording began: it has no moment in it.",
                            line.seq
                        );
                        Effect::None
                    }
                }
            }
            Action::PlayFollow => {
                self.listening.follow = !self.listening.follow;
                self.status = if self.listening.follow {
                    "The cursor follows the line being played.".into()
                } else {
                    "The cursor stays where you put it.".into()
                };
                Effect::None
            }
            Action::StampLine => self.stamp(now),
            _ => Effect::None,
        }
    }

    /// The cursor's line begins at the moment being played.
    fn stamp(&mut self, now: DateTime<FixedOffset>) -> Effect {
        let (Some(view), Some(started)) = (self.listening.view, self.session.recording_started) else {
            self.status = "Play the recording first: the line takes the moment being played.".into();
            return Effect::None;
        };
        let Some(line) = self.lines.get_mut(self.cursor) else { return Effect::None };
        let at = started + chrono::Duration::milliseconds(view.position_ms as i64);
        let retiming = Retiming {
            session: line.session,
            seq: line.seq,
            was: line.onset,
            recording_ms: view.position_ms as i64,
            at: now,
        };
        line.elapsed_ms += (at - line.onset).num_milliseconds();
        line.onset = at;
        let done = format!(
            "Line {} begins at {} in the recording; the time it was typed at is kept.",
            line.seq,
            format_duration_ms(view.position_ms as i64)
        );
        let changes = vec![Change::Retiming(retiming), Change::Utterance(line.clone())];
        Effect::save(changes, Receipt::Said(done))
    }

    /// `▶ 00:01:02 / 00:58:12 0.75×` for the header, when a recording is loaded.
    pub(super) fn playback_label(&self) -> String {
        let Some(view) = self.listening.view else { return String::new() };
        let sign = if view.playing { "▶" } else { "⏸" };
        let speed = if view.speed < 1.0 { format!(" {}×", view.speed) } else { String::new() };
        let follow = if self.listening.follow { " ↧" } else { "" };
        format!(
            "{sign} {} / {}{speed}{follow} · ",
            format_duration_ms(view.position_ms as i64),
            format_duration_ms(view.duration_ms as i64)
        )
    }
}
