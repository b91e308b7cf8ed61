//! The client (`paydesk-request`) against the sandbox (`paydesk-sandbox`) over real loopback
//! HTTP, for every route and every error. The two crates were written in parallel from
//! `shared/request-api/CONTRACT.md`; these tests prove they agree on shapes, statuses and
//! messages.
//!
//! Each test starts its own sandbox on `127.0.0.1:0` with a [`ManualClock`], no rate limit
//! (unless the test sets one) and webhook retries a few milliseconds apart. Nothing sleeps:
//! asynchronous effects are awaited with deadlines.
//!
//! - `create`: incoming links, current and legacy bodies, the answer's identifiers;
//! - `status`: `GET /v2/secure-payments/:token` in every state, as the client's typed outcome;
//! - `payouts`: payout and batch payout links, the Tron batch rule;
//! - `auth`: API key, client id, Origin, wrong credentials, the rate limit;
//! - `faults`: 5xx, latency beyond the client timeout, the lost response;
//! - `validation`: the client's local rules and the sandbox's 400s, word for word;
//! - `webhooks`: the Auth API through the client, signed deliveries checked independently;
//! - `redaction`: no credential in any error the client returns.

mod auth;
mod create;
mod faults;
mod payouts;
mod redaction;
mod status;
mod validation;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use paydesk_request::{
    ClientConfig, CreateSecurePayment, CreatedSecurePayment, Credentials, PaymentItem,
    RequestClient, SecurePaymentDetails, SecurePaymentStatus,
};
use paydesk_sandbox::{ManualClock, Sandbox, SandboxConfig, SandboxHandle};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

/// How long a test waits for something asynchronous before failing.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// An EVM wallet from the contract's examples.
pub const EVM_WALLET: &str = "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7";
/// A second EVM wallet (a payout creator).
pub const EVM_CREATOR: &str = "0x92Fc3406Fc6BB7A76aC63b2E8b9d02b1B9C3e4d5";
/// The Tron recipient and creator of the contract's payout example (§3).
pub const TRON_RECIPIENT: &str = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8";
pub const TRON_CREATOR: &str = "TKb9mFPjUgCbrQpenCm4Z3T7ELNrLWurfm";

/// A running sandbox, its manual clock, and a plain HTTP client for raw calls.
pub struct Env {
    pub sandbox: SandboxHandle,
    pub clock: Arc<ManualClock>,
    http: reqwest::Client,
}

impl Env {
    /// A sandbox with the defaults of [`Env::start_with`].
    pub async fn start() -> Env {
        Env::start_with(|_| {}).await
    }

    /// A sandbox on a manual clock (2026-09-01 12:00 UTC), no rate limit, webhook retries
    /// after 10/20/30 ms; `tweak` changes anything else.
    pub async fn start_with(tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
        let start = chrono::Utc
            .with_ymd_and_hms(2026, 9, 1, 12, 0, 0)
            .single()
            .expect("valid date");
        let clock = Arc::new(ManualClock::new(start));
        let mut config = SandboxConfig {
            rate_limit_per_sec: 0,
            clock: clock.clone(),
            webhook_retry_delays: vec![
                Duration::from_millis(10),
                Duration::from_millis(20),
                Duration::from_millis(30),
            ],
            webhook_timeout: Duration::from_secs(2),
            ..SandboxConfig::default()
        };
        tweak(&mut config);
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        Env {
            sandbox,
            clock,
            http,
        }
    }

    /// The client configuration for the sandbox: its one base URL as both API bases.
    pub fn config(&self, credentials: Credentials) -> ClientConfig {
        let base = self.sandbox.base_url();
        ClientConfig::custom(base.clone(), base, credentials)
    }

    /// A client with these credentials and the default timeout.
    pub fn client(&self, credentials: Credentials) -> RequestClient {
        RequestClient::new(self.config(credentials)).expect("client builds")
    }

    /// A client with the sandbox's API key.
    pub fn api_key_client(&self) -> RequestClient {
        self.client(Credentials::api_key(self.sandbox.api_key()))
    }

    /// A client with the sandbox's (backend) client id, no Origin.
    pub fn client_id_client(&self) -> RequestClient {
        self.client(Credentials::client_id(self.sandbox.client_id(), None))
    }

    /// Creates a single incoming link for `amount` through `client`.
    pub async fn create(&self, client: &RequestClient, amount: &str) -> CreatedSecurePayment {
        client
            .create_secure_payment(&single(amount))
            .await
            .expect("link created")
    }

    /// How many links the sandbox holds.
    pub fn link_count(&self) -> usize {
        self.sandbox.control().payments().len()
    }

    /// POSTs `body` as JSON with the API key, bypassing the client (and its validation).
    pub async fn raw_post(&self, path: &str, body: &impl Serialize) -> (StatusCode, Value) {
        let url = self.sandbox.base_url().join(path).expect("path joins");
        let response = self
            .http
            .post(url)
            .header("x-api-key", self.sandbox.api_key())
            .json(body)
            .send()
            .await
            .expect("request reaches the sandbox");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A decimal from its text.
pub fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal literal")
}

/// The current body for one item paid to the bound destination.
pub fn single(amount: &str) -> CreateSecurePayment {
    CreateSecurePayment::current(vec![PaymentItem::new(dec(amount))])
}

/// The details of an `Open` status; fails on any other outcome.
pub fn expect_open(status: SecurePaymentStatus) -> SecurePaymentDetails {
    match status {
        SecurePaymentStatus::Open(details) => *details,
        other => panic!("expected an open link, got {other:?}"),
    }
}

/// A ULID: 26 Crockford base32 characters, the first at most `7`.
pub fn is_ulid(text: &str) -> bool {
    const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    text.len() == 26 && text.chars().all(|c| CROCKFORD.contains(c)) && text.as_bytes()[0] <= b'7'
}

/// `len` lowercase hex characters.
pub fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A request id: `01` + 64 lowercase hex (66 characters).
pub fn is_request_id(text: &str) -> bool {
    text.starts_with("01") && is_lower_hex(text, 66)
}

/// A transaction hash: `0x` + 64 hex.
pub fn is_tx_hash(text: &str) -> bool {
    text.strip_prefix("0x")
        .is_some_and(|hex| is_lower_hex(&hex.to_ascii_lowercase(), 64))
}
