//! The one rate limiter of the process: every Request API call (link creation by the outbox,
//! status polls, "check now") waits for a slot here, so the whole app stays under the API's
//! limit (CONTRACT.md §1.3: 5 requests/s per client ID and IP by default; configurable).
//!
//! Slots are spaced evenly (`1 s / rate`, plus 5% so a fixed one-second window on the server
//! never sees one call too many). A 429 pauses every caller until its `Retry-After` ends.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The default: the API's default tier.
pub const DEFAULT_RATE_PER_SEC: u32 = 5;

#[derive(Debug)]
struct State {
    per_sec: u32,
    spacing: Duration,
    next_slot: Instant,
    paused_until: Option<Instant>,
    granted: u64,
}

/// Evenly spaced slots, shared by every caller (wrap it in an `Arc`).
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
}

fn spacing(per_sec: u32) -> Duration {
    Duration::from_secs(1).mul_f64(1.05 / f64::from(per_sec.max(1)))
}

impl RateLimiter {
    /// `per_sec` calls per second (at least 1).
    pub fn new(per_sec: u32) -> RateLimiter {
        RateLimiter {
            state: Mutex::new(State {
                per_sec: per_sec.max(1),
                spacing: spacing(per_sec),
                next_slot: Instant::now(),
                paused_until: None,
                granted: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Change the rate (takes effect from the next slot).
    pub fn set_rate(&self, per_sec: u32) {
        let mut s = self.lock();
        s.per_sec = per_sec.max(1);
        s.spacing = spacing(per_sec);
    }

    /// The current rate, in calls per second.
    pub fn rate(&self) -> u32 {
        self.lock().per_sec
    }

    /// Wait for a slot.
    pub async fn acquire(&self) {
        let at = {
            let mut s = self.lock();
            let now = Instant::now();
            let mut at = s.next_slot.max(now);
            if let Some(p) = s.paused_until {
                at = at.max(p);
            }
            s.next_slot = at + s.spacing;
            s.granted += 1;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// Hold every caller for `wait` (a 429's `Retry-After`).
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.lock();
        s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
    }

    /// Slots handed out so far.
    pub fn granted(&self) -> u64 {
        self.lock().granted
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(DEFAULT_RATE_PER_SEC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_and_a_pause_holds_everyone() {
        let l = RateLimiter::new(5);
        let start = Instant::now();
        for _ in 0..6 {
            l.acquire().await;
        }
        // Six slots at 5/s (+5%): the sixth starts 5 spacings after the first.
        assert_eq!(Instant::now() - start, Duration::from_millis(1050));
        l.pause_for(Duration::from_secs(3));
        let before = Instant::now();
        l.acquire().await;
        assert_eq!(Instant::now() - before, Duration::from_secs(3));
        assert_eq!(l.granted(), 7);
    }
}
