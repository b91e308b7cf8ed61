//! The sandbox's sense of time: an injectable [`SandboxClock`] (system time by default, a
//! [`ManualClock`] for tests) plus an offset that the control API can move forward, so link
//! expiry can be reached without waiting seven days.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// A source of "now" for link creation, expiry and event timestamps.
pub trait SandboxClock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl SandboxClock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: tests set it and advance it explicitly.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock standing still at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// A clock standing still at the current wall-clock time.
    pub fn starting_now() -> Self {
        Self::new(Utc::now())
    }

    /// Moves the clock forward (or backward, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
}

impl SandboxClock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The clock the server reads: the configured clock plus the control API's offset.
pub(crate) struct ShiftedClock {
    inner: std::sync::Arc<dyn SandboxClock>,
    offset: Mutex<Duration>,
}

impl ShiftedClock {
    pub(crate) fn new(inner: std::sync::Arc<dyn SandboxClock>) -> Self {
        Self {
            inner,
            offset: Mutex::new(Duration::zero()),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.now() + *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }

    pub(crate) fn reset_offset(&self) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) = Duration::zero();
    }
}

/// `2025-10-03T14:30:00.000Z`: the JavaScript `toISOString` form the API uses.
pub(crate) fn iso_millis(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `2025-10-03T14:30:00Z`: the form the payment webhook examples use.
pub(crate) fn iso_seconds(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
