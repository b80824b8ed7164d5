//! The session clock: elapsed time that can be paused and resumed without resetting.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClock {
    pub started: DateTime<FixedOffset>,
    /// Time spent paused in finished pauses, in milliseconds.
    pub paused_ms: i64,
    /// When the running pause began, if the clock is paused now.
    pub paused_since: Option<DateTime<FixedOffset>>,
}

impl SessionClock {
    pub fn start(now: DateTime<FixedOffset>) -> Self {
        SessionClock { started: now, paused_ms: 0, paused_since: None }
    }

    pub fn is_paused(&self) -> bool {
        self.paused_since.is_some()
    }

    /// Milliseconds of session time at `now`; frozen while paused, never negative.
    pub fn elapsed_ms(&self, now: DateTime<FixedOffset>) -> i64 {
        let until = self.paused_since.unwrap_or(now);
        ((until - self.started).num_milliseconds() - self.paused_ms).max(0)
    }

    pub fn pause(&mut self, now: DateTime<FixedOffset>) {
        if self.paused_since.is_none() {
            self.paused_since = Some(now);
        }
    }

    pub fn resume(&mut self, now: DateTime<FixedOffset>) {
        if let Some(since) = self.paused_since.take() {
            self.paused_ms += (now - since).num_milliseconds().max(0);
        }
    }
}

/// `hh:mm:ss` for a count of milliseconds (negative shown with a minus).
pub fn format_duration_ms(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let s = ms.unsigned_abs() / 1000;
    format!("{sign}{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t0() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap()
    }

    #[test]
    fn pause_freezes_and_resume_continues_without_reset() {
        let mut clock = SessionClock::start(t0());
        assert_eq!(clock.elapsed_ms(t0() + Duration::seconds(60)), 60_000);
        clock.pause(t0() + Duration::seconds(60));
        assert_eq!(clock.elapsed_ms(t0() + Duration::seconds(90)), 60_000);
        clock.resume(t0() + Duration::seconds(100));
        assert_eq!(clock.elapsed_ms(t0() + Duration::seconds(110)), 70_000);
    }

    #[test]
    fn formats_hours_minutes_seconds() {
        assert_eq!(format_duration_ms(3_723_000), "01:02:03");
        assert_eq!(format_duration_ms(-5_000), "-00:00:05");
    }
}

/// Where "now" comes from: the system in the app, a fixed hand in tests.
pub trait Clock: Send {
    fn now(&self) -> DateTime<FixedOffset>;
}

/// Wall-clock time with the local offset it was taken in.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        chrono::Local::now().fixed_offset()
    }
}

/// A clock that only moves when told to, shared between a test and the app.
#[derive(Clone)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<DateTime<FixedOffset>>>);

impl ManualClock {
    pub fn new(at: DateTime<FixedOffset>) -> Self {
        ManualClock(std::sync::Arc::new(std::sync::Mutex::new(at)))
    }
    pub fn advance_ms(&self, ms: i64) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += chrono::Duration::milliseconds(ms);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<FixedOffset> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
