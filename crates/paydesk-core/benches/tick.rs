//! Scheduler tick cost: the database work of one tick (due query, 20 answers applied) with
//! 1,000 open links, once alone and once beside 9,000 closed (paid) links, to show the cost does
//! not grow with closed links. The gateways are in-process fakes, so only the engine is timed.
//!
//! Run: `cargo bench -p paydesk-core --bench tick`

mod common;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use paydesk_core::outbox::{GatewayError, LinkGateway, Outbox};
use paydesk_core::secrets::MemoryStore;
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::status::poller::{PollError, StatusGateway};
use paydesk_core::status::{Observation, Source};
use paydesk_core::store::{CreatedLink, DueLink};
use paydesk_core::{LinkPayload, Paydesk};

/// Creates links with made-up tokens.
struct FakeLinks(std::sync::atomic::AtomicU64);

impl LinkGateway for FakeLinks {
    async fn create_link(&self, _: &LinkPayload) -> Result<CreatedLink, GatewayError> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(CreatedLink {
            token: format!("01TOKEN{n:019}"),
            request_ids: vec![format!("01{n:064}")],
            secure_payment_url: format!("https://pay.example/?token={n}"),
        })
    }
}

/// Every link is still open.
struct AlwaysOpen;

impl StatusGateway for AlwaysOpen {
    async fn check(&self, _: &DueLink, _: bool) -> Result<Observation, PollError> {
        Ok(Observation::Open {
            paid: None,
            left: None,
        })
    }
}

async fn books(open: usize, closed: usize) -> (tempfile::TempDir, Paydesk) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("open");
    let client_id = common::bench_client(&mut app);
    for i in 0..open + closed {
        common::queue_invoice_link(&mut app, &client_id, i, "2026-11-21");
    }
    let gateway = FakeLinks(Default::default());
    let mut outbox: Outbox = app.outbox().expect("outbox");
    outbox.batch = 10_000;
    outbox.run_once(&gateway, Utc::now()).await.expect("send");
    let tokens: Vec<String> = app
        .store()
        .due_links(Utc::now() + Duration::days(1), 100_000)
        .expect("due")
        .into_iter()
        .map(|l| l.token)
        .collect();
    let now = Utc::now();
    for token in tokens.iter().take(closed) {
        app.store()
            .apply_observation(
                token,
                Source::Poll,
                &Observation::Paid { tx_hash: None },
                now,
                0.5,
            )
            .expect("paid");
    }
    (dir, app)
}

async fn measure(open: usize, closed: usize) {
    let (_dir, mut app) = books(open, closed).await;
    let at = Utc::now() + Duration::days(2);
    let rounds = 50;
    let start = Instant::now();
    for _ in 0..rounds {
        let due = app.store().due_links(at, 20).expect("due");
        assert_eq!(due.len(), 20);
    }
    let query = start.elapsed() / rounds;
    let mut poller = app
        .poller(Arc::new(RateLimiter::new(1_000_000)))
        .expect("poller");
    let mut ticks = Vec::new();
    for i in 0..rounds {
        let t = Instant::now();
        let r = poller
            .tick(&AlwaysOpen, at + Duration::seconds(i64::from(i)))
            .await
            .expect("tick");
        ticks.push(t.elapsed());
        assert_eq!(r.answered, 20);
    }
    ticks.sort();
    let median = ticks[ticks.len() / 2];
    let p95 = ticks[ticks.len() * 95 / 100];
    println!(
        "{open:>6} open + {closed:>6} closed links: due query {:>7.3} ms, tick of 20 answers median {:>7.3} ms p95 {:>7.3} ms",
        ms(query),
        ms(median),
        ms(p95)
    );
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    measure(1_000, 0).await;
    measure(1_000, 9_000).await;
}
