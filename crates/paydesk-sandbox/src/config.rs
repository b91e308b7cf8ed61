//! How a sandbox is set up: port, credentials, rate limit, clock, faults, the bound payee
//! destination and the webhook timing. Every field has the documented default.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{SandboxClock, SystemClock};
use crate::faults::Faults;
use crate::networks::DEFAULT_DESTINATION_ID;

/// Units of the `amount` field in `GET /v2/secure-payments/:token` (CONTRACT.md §5 leaves
/// them open: the single-payment example is in base units, the batch example in human units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AmountUnits {
    /// Single payments in the token's base units (`"10000000000000000000"` for 10 FAU), batch
    /// amounts human-readable: exactly as the OpenAPI examples show.
    #[default]
    AsDocumented,
    /// Human-readable everywhere (`"10"`).
    Human,
}

/// Everything [`crate::Sandbox::start`] needs. `SandboxConfig::default()` is a working setup.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Loopback port to listen on; 0 picks a free one.
    pub port: u16,
    /// The accepted `x-api-key`; generated (`rn_sandbox_...`) when `None`.
    pub api_key: Option<String>,
    /// The accepted `x-client-id`; generated (`cli_sandbox_...`) when `None`.
    pub client_id: Option<String>,
    /// The accepted session token (`Authorization: Bearer` or `session_token` cookie) for the
    /// session-only routes; generated when `None`.
    pub session_token: Option<String>,
    /// Calls per second per credential and IP before 429; 0 lifts the limit.
    pub rate_limit_per_sec: u32,
    /// The clock for link creation, expiry and timestamps.
    pub clock: Arc<dyn SandboxClock>,
    /// Injected misbehaviour (none by default).
    pub faults: Faults,
    /// The payee destination the client id is bound to; `None` models a platform without one.
    pub destination_id: Option<String>,
    /// Allowed `Origin`s of the client id. Empty (default) makes it a backend client id: no
    /// Origin check. Non-empty makes it a frontend one: `Origin` is required and checked.
    pub allowed_domains: Vec<String>,
    /// Whether the platform may create payouts (403 otherwise).
    pub payouts_allowed: bool,
    /// How long a link stays payable.
    pub link_lifetime: chrono::Duration,
    /// Units of `amount` in `GET /v2/secure-payments/:token`.
    pub amount_units: AmountUnits,
    /// Waits before each webhook retry (default 1 s, 5 s, 15 s).
    pub webhook_retry_delays: Vec<Duration>,
    /// Per-attempt webhook timeout (default 5 s).
    pub webhook_timeout: Duration,
    /// How long deliveries are held when `faults.webhook_out_of_order` is on (default 200 ms).
    pub webhook_reorder_window: Duration,
    /// Deliver webhooks to non-loopback hosts too (off by default: a sandbox stays local).
    pub allow_remote_webhooks: bool,
    /// Where the state lives between runs; `None` (default) keeps it in memory only.
    ///
    /// When set, the sandbox loads links, payments, webhooks (with their secrets) and the
    /// credentials not fixed above from this JSON file at start, and rewrites it atomically
    /// after every state-changing request; `<file>.lock` keeps a second sandbox off it. The
    /// file holds sandbox-only test credentials, never real secrets. See the `persist` module
    /// docs for the format and what is not kept (delivery queues, faults, clock advances).
    pub state_file: Option<PathBuf>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            api_key: None,
            client_id: None,
            session_token: None,
            rate_limit_per_sec: 5,
            clock: Arc::new(SystemClock),
            faults: Faults::default(),
            destination_id: Some(DEFAULT_DESTINATION_ID.to_string()),
            allowed_domains: Vec::new(),
            payouts_allowed: true,
            link_lifetime: chrono::Duration::days(7),
            amount_units: AmountUnits::default(),
            webhook_retry_delays: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(15),
            ],
            webhook_timeout: Duration::from_secs(5),
            webhook_reorder_window: Duration::from_millis(200),
            allow_remote_webhooks: false,
            state_file: None,
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("port", &self.port)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("client_id", &self.client_id)
            .field("rate_limit_per_sec", &self.rate_limit_per_sec)
            .field("faults", &self.faults)
            .field("destination_id", &self.destination_id)
            .field("allowed_domains", &self.allowed_domains)
            .field("payouts_allowed", &self.payouts_allowed)
            .field("link_lifetime", &self.link_lifetime)
            .field("amount_units", &self.amount_units)
            .field("webhook_retry_delays", &self.webhook_retry_delays)
            .field("webhook_timeout", &self.webhook_timeout)
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}
