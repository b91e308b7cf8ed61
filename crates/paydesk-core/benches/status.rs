//! Paid-status benchmark: 1,000 open links in the sandbox under the API's 5 requests/s, payers
//! paying at random times, the real poller and limiter over loopback HTTP.
//!
//! Simulated time runs `SPEED` times faster than real time: the engine's and the sandbox's clocks
//! follow `start + SPEED x real elapsed`, and the limiter and the sandbox's own rate limit run at
//! `5 x SPEED` per real second, which is exactly 5 per simulated second. Each scenario simulates a
//! warm-up and then one measured hour:
//!
//! - "fresh": 1,000 links issued uniformly over the hour before the measured hour (they keep being
//!   issued by the simulation at their times) — links issued in the last hour;
//! - "week-old": 1,000 links issued six to seven days earlier (before their expiry).
//!
//! In the measured hour 30% of the links are paid at uniformly random times. Reported: requests per
//! link per hour, the share of the 5/s limit used, 429s seen, and the detection latency (payment to
//! the poll that saw it, simulated seconds), median and p95.
//!
//! Run: `cargo bench -p paydesk-core --bench status` (about 3 minutes;
//! `PAYDESK_BENCH_SPEED` changes the compression, default 40).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use paydesk_core::clock::Clock;
use paydesk_core::outbox::RequestGateway;
use paydesk_core::secrets::MemoryStore;
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::Paydesk;
use paydesk_request::{ClientConfig, Credentials, RequestClient};
use paydesk_sandbox::{ManualClock, Sandbox, SandboxConfig, SandboxHandle};
use rand::Rng;

const LINKS: usize = 1_000;
const API_RATE: u32 = 5;
const PAID_SHARE: f64 = 0.3;

/// The engine's clock, moved by the simulation.
struct SimClock(Mutex<DateTime<Utc>>);

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    fn today(&self) -> chrono::NaiveDate {
        self.now().date_naive()
    }
}

struct World {
    _dir: tempfile::TempDir,
    app: Paydesk,
    sandbox: SandboxHandle,
    sandbox_clock: Arc<ManualClock>,
    clock: Arc<SimClock>,
    client_id: String,
}

fn start_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap()
}

async fn world() -> World {
    let sandbox_clock = Arc::new(ManualClock::new(start_at()));
    let sandbox = Sandbox::start(SandboxConfig {
        rate_limit_per_sec: 0,
        clock: sandbox_clock.clone(),
        ..Default::default()
    })
    .await
    .expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SimClock(Mutex::new(start_at())));
    let mut app = Paydesk::open_with_clock(dir.path(), Arc::new(MemoryStore::new()), clock.clone())
        .expect("open");
    let client_id = common::bench_client(&mut app);
    World {
        _dir: dir,
        app,
        sandbox,
        sandbox_clock,
        clock,
        client_id,
    }
}

impl World {
    fn set_time(&self, t: DateTime<Utc>) {
        *self.clock.0.lock().unwrap() = t;
        self.sandbox_clock.set(t);
    }

    /// Issue one link at simulated time `at`; (invoice id, token).
    async fn issue(
        &mut self,
        gateway: &RequestGateway,
        at: DateTime<Utc>,
        i: usize,
    ) -> (String, String) {
        self.set_time(at);
        let date = at.date_naive().to_string();
        let id = common::queue_invoice_link(&mut self.app, &self.client_id, i, &date);
        let mut outbox = self.app.outbox().expect("outbox");
        let sent = outbox.run_once(gateway, at).await.expect("send");
        assert_eq!(sent.sent, 1, "{sent:?}");
        let token = self.app.links_of(&id).expect("links")[0].token.clone();
        (id, token)
    }
}

fn gateway(sandbox: &SandboxHandle) -> RequestGateway {
    let base = sandbox.base_url();
    RequestGateway::new(
        RequestClient::new(ClientConfig::custom(
            base.clone(),
            base,
            Credentials::api_key(sandbox.api_key()),
        ))
        .expect("client"),
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// One scenario: links issued at `issued` offsets (from the measured hour's start), a warm-up of
/// `warm_up`, then one measured hour with payments.
async fn scenario(name: &str, issued: Vec<Duration>, warm_up: Duration, speed: u32) {
    let mut w = world().await;
    let setup_gateway = gateway(&w.sandbox);
    let hour_start = start_at();
    let sim_start = hour_start - warm_up;
    let mut rng = rand::rng();

    // Links issued before the simulation starts are created up front, at their times.
    let mut pending: Vec<(DateTime<Utc>, usize)> = Vec::new();
    let mut tokens: Vec<(String, String)> = Vec::new();
    let mut order: Vec<(DateTime<Utc>, usize)> = issued
        .iter()
        .enumerate()
        .map(|(i, d)| (hour_start + *d, i))
        .collect();
    order.sort();
    for (at, i) in order {
        if at < sim_start {
            tokens.push(w.issue(&setup_gateway, at, i).await);
        } else {
            pending.push((at, i));
        }
    }
    pending.reverse();

    // Payments: 30% of the links, at random times in the measured hour (after issue).
    let mut payments: Vec<(DateTime<Utc>, usize)> = Vec::new();
    for (i, d) in issued.iter().enumerate() {
        if rng.random_bool(PAID_SHARE) {
            let from = (*d).max(Duration::zero()).num_seconds();
            let at = rng.random_range(from..3_600);
            payments.push((hour_start + Duration::seconds(at), i));
        }
    }
    payments.sort();
    payments.reverse();

    let limiter = Arc::new(RateLimiter::new(API_RATE * speed));
    let poll_gateway = gateway(&w.sandbox).with_limiter(limiter.clone());
    w.sandbox.control().set_rate_limit(API_RATE * speed);
    let mut poller = w.app.poller(limiter.clone()).expect("poller");
    poller.batch = API_RATE * 2;
    // The limiter runs at the compressed real-time rate; the schedule budgets for the real one.
    poller.budget_rate = Some(API_RATE);

    let mut paid_at: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut detected: Vec<f64> = Vec::new();
    let mut granted_at_hour_start = None;
    let mut throttled = 0u32;
    let sim_end = hour_start + Duration::hours(1);
    let real_start = Instant::now();
    loop {
        let elapsed = real_start.elapsed().as_secs_f64() * f64::from(speed);
        let now = sim_start + Duration::milliseconds((elapsed * 1_000.0) as i64);
        if now >= sim_end {
            break;
        }
        w.set_time(now);
        if granted_at_hour_start.is_none() && now >= hour_start {
            granted_at_hour_start = Some(limiter.granted());
        }
        while pending.last().is_some_and(|(at, _)| *at <= now) {
            let (at, i) = pending.pop().expect("pending");
            // Issuing goes through the sandbox without the limiter (its time is not measured).
            w.sandbox.control().set_rate_limit(0);
            let pair = w.issue(&setup_gateway, at.max(now), i).await;
            w.sandbox.control().set_rate_limit(API_RATE * speed);
            while tokens.len() <= i {
                tokens.push((String::new(), String::new()));
            }
            tokens[i] = pair;
        }
        while payments.last().is_some_and(|(at, _)| *at <= now) {
            let (at, i) = payments.pop().expect("payment");
            let (id, token) = &tokens[i];
            if !token.is_empty() && w.sandbox.control().pay(token).is_ok() {
                paid_at.insert(id.clone(), at);
            }
        }
        let report = poller.tick(&poll_gateway, now).await.expect("tick");
        throttled += report.failed;
        for change in report.changes {
            if let Some(paid) = paid_at.get(&change.invoice_id) {
                if now >= hour_start {
                    detected.push((now - *paid).num_milliseconds() as f64 / 1_000.0);
                }
            }
        }
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
    let requests = limiter.granted() - granted_at_hour_start.unwrap_or(0);
    detected.sort_by(f64::total_cmp);
    println!(
        "{name:>9}: {LINKS} links, {} paid in the hour, {} detected within it; {:.1} requests per link per hour; {:.0}% of the {API_RATE}/s limit; {throttled} failed polls (429s included); detection latency median {:.0} s, p95 {:.0} s (simulated, {}x real time)",
        paid_at.len(),
        detected.len(),
        requests as f64 / LINKS as f64,
        requests as f64 / (f64::from(API_RATE) * 3_600.0) * 100.0,
        percentile(&detected, 0.5),
        percentile(&detected, 0.95),
        speed,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let speed: u32 = std::env::var("PAYDESK_BENCH_SPEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut rng = rand::rng();
    let fresh: Vec<Duration> = (0..LINKS)
        .map(|_| Duration::seconds(rng.random_range(-3_600..0)))
        .collect();
    scenario("fresh", fresh, Duration::hours(1), speed).await;
    let old: Vec<Duration> = (0..LINKS)
        .map(|_| Duration::seconds(rng.random_range(-(7 * 86_400 - 7_200)..-(6 * 86_400))))
        .collect();
    scenario("week-old", old, Duration::minutes(30), speed).await;
}
