//! The control API in process ([`SandboxControl`]): what a payer or the chain would do to a
//! link (pay in full, pay part, fail, hold as processing), expiring links, moving the clock,
//! fault knobs, the rate limit, the webhook delivery log and reset. The `/__sandbox/` routes
//! and the payer page's buttons call these same methods.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::amount::{human, parse_amount};
use crate::faults::Faults;
use crate::server::Shared;
use crate::state::{Link, LinkState, PaymentRecord, RequestState, Store};
use crate::transitions::{apply, Action};
use crate::webhooks::events::PaymentEvent;
use crate::webhooks::log::DeliveryRecord;

/// Why a control action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// No link has this token.
    #[error("unknown token {0}")]
    UnknownToken(String),
    /// No link has this request id.
    #[error("unknown request id {0}")]
    UnknownRequest(String),
    /// The link's state does not allow the action (e.g. paying an expired link).
    #[error("secure payment {token} is {state:?}: {action} is not possible")]
    NotAllowed {
        /// The link.
        token: String,
        /// Its state.
        state: LinkState,
        /// What was asked.
        action: &'static str,
    },
    /// A partial amount that is not a positive decimal.
    #[error("invalid amount: {0}")]
    InvalidAmount(String),
}

/// One request of a link, as the control API reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestSnapshot {
    /// `01` + 64 hex.
    pub request_id: String,
    /// `0x` + 16 hex.
    pub payment_reference: String,
    /// The expected amount, human-readable.
    pub amount: String,
    /// The amount paid so far, human-readable.
    pub paid: String,
    /// Payment state.
    pub state: RequestState,
    /// The last payment's transaction hash.
    pub tx_hash: Option<String>,
    /// Every payment observed.
    pub payments: Vec<PaymentRecord>,
}

/// A link, as the control API reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSnapshot {
    /// The ULID token.
    pub token: String,
    /// The state `GET /v2/secure-payments/:token` answers from.
    pub state: LinkState,
    /// The payer page.
    pub secure_payment_url: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Expiry time (creation + 7 days).
    pub expires_at: DateTime<Utc>,
    /// The `reference` the link was created with (Paydesk sends the invoice number).
    pub reference: Option<String>,
    /// When the last request got fully paid.
    pub completed_at: Option<DateTime<Utc>>,
    /// The requests, in `requestIds` order.
    pub requests: Vec<RequestSnapshot>,
}

/// Drives a running sandbox from the same process. Cheap to clone.
#[derive(Clone)]
pub struct SandboxControl {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SandboxControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxControl").finish_non_exhaustive()
    }
}

impl SandboxControl {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Pays every unpaid request of the link in full (status `completed`, txHash per request).
    pub fn pay(&self, token: &str) -> Result<PaymentSnapshot, ControlError> {
        self.act(token, None, Action::PayFull)
    }

    /// Pays `amount` towards the first unpaid request; the link stays payable until the
    /// total is reached (`payment.partial`), then completes (`payment.confirmed`).
    pub fn pay_part(&self, token: &str, amount: Decimal) -> Result<PaymentSnapshot, ControlError> {
        self.act(token, None, Action::PayPart(amount))
    }

    /// Fails the payment attempt (`payment.failed`); the link stays payable.
    pub fn fail(&self, token: &str) -> Result<PaymentSnapshot, ControlError> {
        self.act(token, None, Action::Fail)
    }

    /// Holds the link as processing (a multisig payment in flight): `GET` answers 423.
    pub fn processing(&self, token: &str) -> Result<PaymentSnapshot, ControlError> {
        self.act(token, None, Action::Processing)
    }

    /// Expires the link now: `GET` answers 403.
    pub fn expire(&self, token: &str) -> Result<PaymentSnapshot, ControlError> {
        self.act(token, None, Action::Expire)
    }

    /// Pays one request of a batch in full.
    pub fn pay_request(&self, request_id: &str) -> Result<PaymentSnapshot, ControlError> {
        let token = self.token_of(request_id)?;
        self.act(&token, Some(request_id), Action::PayFull)
    }

    /// Pays `amount` towards one request.
    pub fn pay_request_part(
        &self,
        request_id: &str,
        amount: Decimal,
    ) -> Result<PaymentSnapshot, ControlError> {
        let token = self.token_of(request_id)?;
        self.act(&token, Some(request_id), Action::PayPart(amount))
    }

    /// Fails the payment attempt of one request.
    pub fn fail_request(&self, request_id: &str) -> Result<PaymentSnapshot, ControlError> {
        let token = self.token_of(request_id)?;
        self.act(&token, Some(request_id), Action::Fail)
    }

    /// A link's current state, if the token exists.
    pub fn payment(&self, token: &str) -> Option<PaymentSnapshot> {
        let store = self.shared.store();
        store
            .links
            .get(token)
            .map(|link| self.snapshot(&store, link))
    }

    /// Every link, oldest first.
    pub fn payments(&self) -> Vec<PaymentSnapshot> {
        let store = self.shared.store();
        let mut all: Vec<PaymentSnapshot> = store
            .links
            .values()
            .map(|link| self.snapshot(&store, link))
            .collect();
        all.sort_by(|a, b| (a.created_at, &a.token).cmp(&(b.created_at, &b.token)));
        all
    }

    /// The sandbox's current time (the configured clock plus every advance).
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.now()
    }

    /// Moves the sandbox clock forward (on top of whatever clock it was given).
    pub fn advance_clock(&self, by: Duration) {
        self.shared
            .clock
            .advance(chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX));
    }

    /// The current fault knobs.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Replaces the fault knobs (shares are clamped into 0..=1).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// The current rate limit per second (0 = none).
    pub fn rate_limit(&self) -> u32 {
        self.shared.limiter.limit()
    }

    /// Sets the rate limit per second (0 = none) and starts fresh windows.
    pub fn set_rate_limit(&self, per_sec: u32) {
        self.shared.limiter.set_limit(per_sec);
    }

    /// Every webhook delivery so far, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.shared.dispatcher.log.snapshot()
    }

    /// Waits until `done` holds for the delivery log, or `timeout` passes (`None`).
    pub async fn wait_for_deliveries(
        &self,
        timeout: Duration,
        done: impl Fn(&[DeliveryRecord]) -> bool,
    ) -> Option<Vec<DeliveryRecord>> {
        self.shared.dispatcher.log.wait_for(timeout, done).await
    }

    /// Forgets every link, request, webhook and delivery; restores faults, clock offset and
    /// rate limit to how the sandbox started. With a state file, the emptied state is saved
    /// (the credentials stay).
    pub fn reset(&self) {
        {
            let mut store = self.shared.store();
            *store = Default::default();
            self.shared.save(&store);
        }
        self.shared.dispatcher.log.clear();
        self.shared.set_faults(Faults::default());
        self.shared.clock.reset_offset();
        self.shared
            .limiter
            .set_limit(self.shared.settings.rate_limit_per_sec);
    }

    fn token_of(&self, request_id: &str) -> Result<String, ControlError> {
        self.shared
            .store()
            .link_for_request(request_id)
            .map(|l| l.token.clone())
            .ok_or_else(|| ControlError::UnknownRequest(request_id.to_string()))
    }

    fn snapshot(&self, store: &Store, link: &Link) -> PaymentSnapshot {
        let now = self.shared.now();
        PaymentSnapshot {
            token: link.token.clone(),
            state: store.link_state(link, now),
            secure_payment_url: self.shared.payment_url(&link.token),
            created_at: link.created_at,
            expires_at: link.expires_at,
            reference: link.options.reference.clone(),
            completed_at: link.completed_at,
            requests: store
                .items(link)
                .map(|r| RequestSnapshot {
                    request_id: r.request_id.clone(),
                    payment_reference: r.payment_reference.clone(),
                    amount: human(r.amount),
                    paid: human(r.paid()),
                    state: r.state(),
                    tx_hash: r.tx_hash().map(str::to_string),
                    payments: r.payments.clone(),
                })
                .collect(),
        }
    }

    fn act(
        &self,
        token: &str,
        only: Option<&str>,
        action: Action,
    ) -> Result<PaymentSnapshot, ControlError> {
        let now = self.shared.now();
        let (snapshot, events) = {
            let mut guard = self.shared.store();
            let store = &mut *guard;
            let events = apply(store, token, only, action, now)?;
            self.shared.save(store);
            let link = store
                .links
                .get(token)
                .ok_or_else(|| ControlError::UnknownToken(token.to_string()))?;
            (self.snapshot(store, link), events)
        };
        self.emit(events, now);
        Ok(snapshot)
    }

    fn emit(&self, events: Vec<PaymentEvent>, now: DateTime<Utc>) {
        if events.is_empty() {
            return;
        }
        let targets = self.shared.webhook_targets(|_| true);
        if targets.is_empty() {
            return;
        }
        for event in events {
            for (name, body) in event.payloads() {
                drop(
                    self.shared
                        .dispatcher
                        .emit(&targets, &name, body.to_bytes(), false, now),
                );
            }
        }
    }
}

/// Parses a human-readable partial amount from the control routes.
pub(crate) fn parse_part_amount(s: &str) -> Result<Decimal, ControlError> {
    parse_amount(s.trim(), 18).map_err(|e| ControlError::InvalidAmount(e.message()))
}
