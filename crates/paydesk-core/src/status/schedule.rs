//! When a link is polled next: often right after it is issued or shared and while the user
//! looks at it, less and less as it ages, and not at all once it cannot change. A link is
//! polled once more just after its expiry (the confirming poll) and then left alone.
//!
//! | link                                   | interval |
//! |----------------------------------------|----------|
//! | processing (a Safe payment in flight)   | 15 s     |
//! | watched (open in the app, shared, check now) | 10 s |
//! | issued < 10 min ago                      | 20 s     |
//! | < 1 hour                                 | 1 min    |
//! | < 1 day                                  | 5 min    |
//! | < 3 days                                 | 15 min   |
//! | older                                    | 30 min   |
//!
//! When the request budget has room, long intervals are shortened so that the routine polls of
//! all open links use about a third of the rate limit ([`budget_ceiling`]): 1,000 week-old links
//! at 5/s are polled every 10 min instead of every 30 min.
//!
//! Each interval is scaled by a jitter in `[0.8, 1.2)` so links issued together spread out.
//! The limiter ([`super::limiter`]) caps whatever the schedule asks for; due links are polled
//! most overdue first, so a saturated budget is shared round-robin.

use chrono::{DateTime, Duration, Utc};

use super::PayState;

/// What the schedule needs to know about a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    pub state: PayState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Polled often until then (the user is looking at it, or just shared it).
    pub watch_until: Option<DateTime<Utc>>,
    /// The longest interval the request budget allows to keep (spare budget polls old links
    /// more often; see [`budget_ceiling`]). `None`: the table alone decides.
    pub ceiling: Option<Duration>,
}

/// The shortest interval a budget ceiling can bring a link down to.
pub const CEILING_FLOOR: Duration = Duration::seconds(20);

/// With `open` links sharing `rate` requests/s, spending a third of the rate on routine status
/// polls (detail calls and bursts add to it; the rest is left for new links, "check now" and the
/// user's other tools) lets every link be polled every `open / (rate / 3)` seconds: intervals
/// longer than that are shortened to it (never below [`CEILING_FLOOR`]; never above the table's
/// 30 minutes).
pub fn budget_ceiling(open: u32, rate: u32) -> Duration {
    let secs = f64::from(open.max(1)) / (f64::from(rate.max(1)) / 3.0);
    Duration::seconds(secs.ceil() as i64)
        .max(CEILING_FLOOR)
        .min(Duration::minutes(30))
}

/// How long after `expires_at` the confirming poll runs.
pub const CONFIRM_AFTER_EXPIRY: Duration = Duration::seconds(30);

/// The interval before jitter.
pub fn base_interval(t: &Timing, now: DateTime<Utc>) -> Duration {
    if t.state == PayState::Processing {
        return Duration::seconds(15);
    }
    if t.watch_until.is_some_and(|w| w > now) {
        return Duration::seconds(10);
    }
    let age = now - t.created_at;
    if age < Duration::minutes(10) {
        Duration::seconds(20)
    } else if age < Duration::hours(1) {
        Duration::minutes(1)
    } else if age < Duration::days(1) {
        Duration::minutes(5)
    } else if age < Duration::days(3) {
        Duration::minutes(15)
    } else {
        Duration::minutes(30)
    }
}

/// When to poll next after a poll at `now`; `None` when the link can no longer change.
/// `unit` is a random number in `[0, 1)`.
pub fn next_check(t: &Timing, now: DateTime<Utc>, unit: f64) -> Option<DateTime<Utc>> {
    if matches!(t.state, PayState::Paid | PayState::Expired | PayState::None) {
        return None;
    }
    let base = match t.ceiling {
        Some(c) => base_interval(t, now).min(c.max(CEILING_FLOOR)),
        None => base_interval(t, now),
    };
    let scaled = base.num_milliseconds() as f64 * (0.8 + 0.4 * unit.clamp(0.0, 1.0));
    let next = now + Duration::milliseconds(scaled as i64);
    let confirm = t.expires_at + CONFIRM_AFTER_EXPIRY;
    if now < confirm {
        // Never later than the confirming poll just after expiry.
        Some(next.min(confirm))
    } else {
        // Past expiry and the API still says payable (clocks disagree): keep a slow watch.
        Some(now + Duration::hours(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(age: Duration, state: PayState) -> (Timing, DateTime<Utc>) {
        let now = DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let created_at = now - age;
        (
            Timing {
                state,
                created_at,
                expires_at: created_at + Duration::days(7),
                watch_until: None,
                ceiling: None,
            },
            now,
        )
    }

    #[test]
    fn young_links_often_old_links_rarely_closed_links_never() {
        let (t, now) = timing(Duration::minutes(1), PayState::Open);
        assert_eq!(next_check(&t, now, 0.5), Some(now + Duration::seconds(20)));
        let (t, now) = timing(Duration::days(5), PayState::Open);
        assert_eq!(next_check(&t, now, 0.5), Some(now + Duration::minutes(30)));
        let (t, now) = timing(Duration::days(5), PayState::Paid);
        assert_eq!(next_check(&t, now, 0.5), None);
        let (t, now) = timing(Duration::days(5), PayState::Expired);
        assert_eq!(next_check(&t, now, 0.5), None);
    }

    #[test]
    fn watching_and_processing_poll_fast_and_jitter_stays_within_20_percent() {
        let (mut t, now) = timing(Duration::days(2), PayState::Open);
        t.watch_until = Some(now + Duration::minutes(5));
        assert_eq!(base_interval(&t, now), Duration::seconds(10));
        t.state = PayState::Processing;
        assert_eq!(base_interval(&t, now), Duration::seconds(15));
        let (t, now) = timing(Duration::minutes(30), PayState::Open);
        let lo = next_check(&t, now, 0.0).unwrap() - now;
        let hi = next_check(&t, now, 0.999).unwrap() - now;
        assert_eq!(lo, Duration::seconds(48));
        assert!(
            hi < Duration::seconds(72) && hi > Duration::seconds(71),
            "{hi}"
        );
    }

    #[test]
    fn spare_budget_shortens_long_intervals_only() {
        // 1,000 links at 5/s: every 600 s; 30 links: the 20 s floor.
        assert_eq!(budget_ceiling(1_000, 5), Duration::seconds(600));
        assert_eq!(budget_ceiling(30, 5), CEILING_FLOOR);
        assert_eq!(budget_ceiling(100_000, 5), Duration::minutes(30));
        let (mut t, now) = timing(Duration::days(5), PayState::Open);
        t.ceiling = Some(budget_ceiling(1_000, 5));
        assert_eq!(next_check(&t, now, 0.5), Some(now + Duration::seconds(600)));
        let (mut young, now) = timing(Duration::minutes(1), PayState::Open);
        young.ceiling = Some(budget_ceiling(1_000, 5));
        assert_eq!(
            next_check(&young, now, 0.5),
            Some(now + Duration::seconds(20))
        );
    }

    #[test]
    fn stops_at_expiry_with_one_confirming_poll() {
        let (t, _) = timing(Duration::zero(), PayState::Open);
        let just_before = t.expires_at - Duration::minutes(1);
        assert_eq!(
            next_check(&t, just_before, 0.5),
            Some(t.expires_at + CONFIRM_AFTER_EXPIRY)
        );
        let after = t.expires_at + Duration::minutes(1);
        assert_eq!(next_check(&t, after, 0.5), Some(after + Duration::hours(1)));
    }
}
