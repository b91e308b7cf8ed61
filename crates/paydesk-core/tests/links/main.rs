//! Payment links end to end: the engine, its outbox and the Request API client against the
//! in-process sandbox over loopback HTTP. Nothing sleeps: the outbox runs on an injected "now",
//! and waits on the real clock are loops with deadlines.
//!
//! - `flow`: invoice -> queued link -> sent -> stored link -> QR -> paid on the sandbox; locks,
//!   void, expiry and re-issue;
//! - `overview`: the phase of an invoice's link as the app and the CLI show it, and its lock;
//! - `faults`: bad input before any request, and every failure of the API or the network;
//! - `crash`: 200 links under a 30% 5xx rate with the sender "killed" at random points.

mod crash;
mod exports;
mod faults;
mod flow;
mod model;
mod overview;
mod payouts;
mod status;
mod webhook_service;

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use paydesk_core::clock::Clock;
use paydesk_core::outbox::{Backoff, Outbox, RequestGateway};
use paydesk_core::secrets::MemoryStore;
use paydesk_core::{ClientInput, InvoiceInput, LineItemInput, Paydesk};
use paydesk_request::{ClientConfig, Credentials, RequestClient};
use paydesk_sandbox::{ManualClock, Sandbox, SandboxConfig, SandboxHandle};

/// How long a test waits on anything real (HTTP, the rate limit window).
pub const DEADLINE: StdDuration = StdDuration::from_secs(30);

/// A clock the test moves by hand (the engine's and the outbox's "now").
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap();
        *t += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    fn today(&self) -> chrono::NaiveDate {
        self.now().date_naive()
    }
}

/// The books, the sandbox and a gateway to it, all at 2026-11-21 12:00 UTC.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub secrets: Arc<MemoryStore>,
    pub clock: Arc<TestClock>,
    pub app: Paydesk,
    pub sandbox: SandboxHandle,
    pub gateway: RequestGateway,
    pub client_id: String,
}

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
}

impl Env {
    pub async fn start() -> Env {
        Env::start_with(|_| {}).await
    }

    /// A sandbox with no rate limit on a manual clock; `tweak` changes anything else.
    pub async fn start_with(tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
        let mut config = SandboxConfig {
            rate_limit_per_sec: 0,
            clock: Arc::new(ManualClock::new(start_time())),
            ..Default::default()
        };
        tweak(&mut config);
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = Arc::new(MemoryStore::new());
        let clock = Arc::new(TestClock(Mutex::new(start_time())));
        let mut app = Paydesk::open_with_clock(dir.path(), secrets.clone(), clock.clone())
            .expect("open books");
        let client_id = app
            .create_client(&ClientInput {
                name: "Acme Studio".into(),
                ..Default::default()
            })
            .expect("client")
            .id;
        let gateway = gateway(&sandbox, sandbox.api_key(), StdDuration::from_secs(5));
        Env {
            dir,
            secrets,
            clock,
            app,
            sandbox,
            gateway,
            client_id,
        }
    }

    /// The engine's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// An invoice of one line at `price` in `currency`.
    pub fn invoice_in(&mut self, currency: &str, price: &str) -> String {
        let input = InvoiceInput {
            client_id: self.client_id.clone(),
            currency: currency.into(),
            issue_date: "2026-11-21".into(),
            payment_terms_days: Some(30),
            lines: vec![LineItemInput {
                description: "Design work".into(),
                quantity: "1".into(),
                unit_price: price.into(),
                tax_rate: "0".into(),
                discount: "0".into(),
            }],
            ..Default::default()
        };
        self.app.create_invoice(&input).expect("invoice").id
    }

    /// An invoice in the sandbox destination's token (FAU on Sepolia).
    pub fn invoice(&mut self, price: &str) -> String {
        self.invoice_in("FAU-sepolia", price)
    }

    /// A sender with no jitter (delays are exactly the lower bound of the backoff).
    pub fn outbox(&self) -> Outbox {
        self.app
            .outbox()
            .expect("outbox")
            .with_backoff(Backoff::default(), Box::new(|| 0.0))
    }

    /// Run the sender once at the engine's current time.
    pub async fn send(&self) -> paydesk_core::outbox::SendReport {
        self.outbox()
            .run_once(&self.gateway, self.now())
            .await
            .expect("run the outbox")
    }

    /// Run the sender once with [`WRONG_KEY`], which the API refuses for good (401).
    pub async fn send_with_wrong_key(&self) -> paydesk_core::outbox::SendReport {
        let wrong = gateway(&self.sandbox, WRONG_KEY, StdDuration::from_secs(5));
        self.outbox()
            .run_once(&wrong, self.now())
            .await
            .expect("run the outbox")
    }
}

/// An API key the sandbox does not know.
pub const WRONG_KEY: &str = "rn_wrong_secret_key_123";

/// A gateway to `sandbox` with `key` and a per-call `timeout`.
pub fn gateway(sandbox: &SandboxHandle, key: &str, timeout: StdDuration) -> RequestGateway {
    let base = sandbox.base_url();
    let config =
        ClientConfig::custom(base.clone(), base, Credentials::api_key(key)).with_timeout(timeout);
    RequestGateway::new(RequestClient::new(config).expect("client"))
}
