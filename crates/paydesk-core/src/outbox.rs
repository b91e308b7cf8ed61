//! The outbox sender: carries queued create-link intents to the API and stores the answers.
//!
//! [`Outbox::run_once`] claims the due rows (state `sending`, committed before any HTTP call),
//! calls the [`LinkGateway`] for each, then stores the outcome:
//!
//! - created: in ONE transaction, the link row (`live`), the outbox row `done` and the invoice
//!   `issued` ([`crate::store::Store::complete_link`]);
//! - retryable (5xx, 429, timeout, network): back to `queued` at `now + backoff` (exponential,
//!   capped, with jitter from an injectable source; 429 waits at least its `Retry-After`);
//! - permanent (validation, 400, 401, 403, 404, a malformed answer): `failed` with the
//!   message. Messages come from `paydesk_request::Error`, which never carries a credential.
//!
//! ## A crash between sending and storing
//!
//! If the process dies after the API created a link but before the answer was stored (or the
//! answer was lost on the way: a 5xx or timeout after the server acted), the app holds no record
//! of that link, so it was never shown, copied, encoded in a QR code or mailed to anyone. The row
//! is still `sending`; its lease (`next_attempt_at`) runs out and a later `run_once` claims it
//! again and sends it again. The one link that gets stored is the only one a payer can ever
//! receive from Paydesk. The orphan on the server is unreachable (its token is unknown to every
//! payer) and expires after 7 days; the API offers no lookup by `reference` to adopt it instead.
//!
//! Three guards make "at most one live link per invoice" hold whatever interleaving happens:
//! each claim bumps the row's `attempts` and an answer is only stored if `attempts` still equals
//! its claim (a sender whose lease expired cannot store over a newer claim, and a voided intent
//! is never stored); the partial UNIQUE index on live links rejects a second one; and the
//! partial UNIQUE index on pending intents keeps one create-link row per invoice in flight.
//! A lease, not "reset every `sending` row at startup", decides when to re-send, so a second
//! process starting up (the CLI next to the app) does not re-send a row the first is sending.

use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use paydesk_request::{
    CreateSecurePayment, LegacyItem, PaymentItem, RequestClient, SecurePaymentRequests,
};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::clock::{timestamp, Clock, SystemClock};
use crate::domain::{LinkDestination, LinkPayload};
use crate::error::Result;
use crate::status::limiter::RateLimiter;
use crate::store::{Claim, CreatedLink, Store};

/// Why a create-link call did not produce a link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Worth trying again later (the API or the network may recover).
    #[error("{message}")]
    Retryable {
        message: String,
        /// The server's `Retry-After`, when it gave one.
        retry_after: Option<StdDuration>,
    },
    /// Trying again with the same request will not help.
    #[error("{message}")]
    Permanent { message: String },
}

/// Something that creates secure payment links: the Request API, or a fake in tests.
pub trait LinkGateway: Send + Sync {
    /// Create one link for `payload`.
    fn create_link(
        &self,
        payload: &LinkPayload,
    ) -> impl Future<Output = Result<CreatedLink, GatewayError>> + Send;
}

/// [`LinkGateway`] (and [`crate::status::poller::StatusGateway`]) over the Request API client.
/// With a limiter, every call waits for its slot and a 429 pauses every caller.
#[derive(Debug, Clone)]
pub struct RequestGateway {
    client: RequestClient,
    limiter: Option<Arc<RateLimiter>>,
}

impl RequestGateway {
    /// Use `client` (its base URL, credentials and timeout) for every call.
    pub fn new(client: RequestClient) -> Self {
        Self {
            client,
            limiter: None,
        }
    }

    /// Make every call wait for a slot of `limiter` (shared by the whole process).
    pub fn with_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Run one API call within the rate limit; a 429 pauses the limiter for its `Retry-After`
    /// (one second when the server gave none).
    pub(crate) async fn call<'a, T, F, Fut>(&'a self, f: F) -> Result<T, paydesk_request::Error>
    where
        F: FnOnce(&'a RequestClient) -> Fut,
        Fut: Future<Output = Result<T, paydesk_request::Error>> + Send + 'a,
    {
        if let Some(l) = &self.limiter {
            l.acquire().await;
        }
        let out = f(&self.client).await;
        if let (Err(paydesk_request::Error::RateLimited { retry_after }), Some(l)) =
            (&out, &self.limiter)
        {
            l.pause_for(retry_after.unwrap_or(StdDuration::from_secs(1)));
        }
        out
    }
}

/// The API body for a frozen payload.
pub fn to_request(payload: &LinkPayload) -> std::result::Result<CreateSecurePayment, GatewayError> {
    let amount = Decimal::from_str(&payload.amount).map_err(|_| GatewayError::Permanent {
        message: format!("amount: {} is not a decimal", payload.amount),
    })?;
    let mut body = match &payload.destination {
        LinkDestination::Bound => CreateSecurePayment::current(vec![PaymentItem::new(amount)]),
        LinkDestination::Id { destination_id } => {
            CreateSecurePayment::current(vec![PaymentItem::to_destination(
                amount,
                destination_id.clone(),
            )])
        }
        LinkDestination::Legacy {
            payee,
            invoice_currency,
            payment_currency,
        } => CreateSecurePayment {
            requests: SecurePaymentRequests::Legacy(vec![LegacyItem {
                payee: payee.clone(),
                amount,
                invoice_currency: invoice_currency.clone(),
                payment_currency: payment_currency.clone(),
            }]),
            ..CreateSecurePayment::current(Vec::new())
        },
    };
    body.reference = Some(payload.reference.clone());
    body.payer_identifier = payload.payer_identifier.clone();
    body.redirect_url = payload.redirect_url.clone();
    body.redirect_label = payload.redirect_label.clone();
    Ok(body)
}

/// Sort an API error into retry-later or give-up, with a message fit for the user.
pub fn classify(e: &paydesk_request::Error) -> GatewayError {
    use paydesk_request::Error as E;
    let message = e.to_string();
    match e {
        E::RateLimited { retry_after } => GatewayError::Retryable {
            message,
            retry_after: *retry_after,
        },
        E::Api { status, .. } if *status >= 500 || *status == 408 => GatewayError::Retryable {
            message,
            retry_after: None,
        },
        E::Timeout { .. } | E::Network { .. } => GatewayError::Retryable {
            message,
            retry_after: None,
        },
        E::Unauthorized { .. } => GatewayError::Permanent {
            message: format!("{message}; check the API key or client ID in settings"),
        },
        _ => GatewayError::Permanent { message },
    }
}

impl LinkGateway for RequestGateway {
    async fn create_link(
        &self,
        payload: &LinkPayload,
    ) -> std::result::Result<CreatedLink, GatewayError> {
        let body = to_request(payload)?;
        let created = self
            .call(|c| c.create_secure_payment(&body))
            .await
            .map_err(|e| classify(&e))?;
        Ok(CreatedLink {
            token: created.token,
            request_ids: created.request_ids,
            secure_payment_url: created.secure_payment_url.to_string(),
        })
    }
}

/// Exponential backoff: `base * 2^(attempt-1)`, capped, scaled by a jitter in `[0.5, 1.0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::seconds(2),
            cap: Duration::minutes(15),
        }
    }
}

impl Backoff {
    /// The wait before attempt `attempt + 1`; `unit` is a random number in `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let full = self
            .base
            .checked_mul(1 << exp.min(20))
            .unwrap_or(self.cap)
            .min(self.cap);
        let ms = full.num_milliseconds() as f64 * (0.5 + 0.5 * unit.clamp(0.0, 1.0));
        Duration::milliseconds(ms as i64)
    }

    /// [`Backoff::delay`], but never sooner than the server asked (`Retry-After`).
    pub fn delay_at_least(
        &self,
        attempt: u32,
        unit: f64,
        retry_after: Option<StdDuration>,
    ) -> Duration {
        let wait = self.delay(attempt, unit);
        match retry_after.and_then(|d| Duration::from_std(d).ok()) {
            Some(after) => wait.max(after),
            None => wait,
        }
    }
}

/// What one [`Outbox::run_once`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendReport {
    /// Links created and stored.
    pub sent: u32,
    /// Rows put back in the queue (retryable failures).
    pub retrying: u32,
    /// Rows failed for good.
    pub failed: u32,
    /// Answers discarded because the row was voided or re-claimed meanwhile.
    pub discarded: u32,
    /// `(outbox id, message)` of every failure in this run.
    pub errors: Vec<(String, String)>,
    /// Payouts whose state changed in this run (link created, failed, batched).
    pub payouts: Vec<crate::store::PayoutChange>,
}

/// What happened to one claimed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Retrying { at: String, message: String },
    Failed { message: String },
    Discarded,
}

/// A source of random numbers in `[0, 1)` for jitter.
pub type Jitter = Box<dyn FnMut() -> f64 + Send>;

/// The sender, with its own database connection (run it off the UI thread).
pub struct Outbox {
    store: Store,
    backoff: Backoff,
    jitter: Jitter,
    /// How long a claim holds a row before another sender may take it (well above the client
    /// timeout, so a slow call is never sent twice by two live senders).
    pub lease: Duration,
    /// Most rows sent per run.
    pub batch: u32,
    /// Kept copies of sent invoices, printed again when their invoice gets a new link.
    documents: Option<crate::sent_documents::SentDocuments>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("store", &self.store)
            .field("backoff", &self.backoff)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// A sender on the database at `path`.
    pub fn open(path: &Path) -> Result<Outbox> {
        Ok(Self::from_store(Store::open_with_clock(
            path,
            Arc::new(SystemClock) as Arc<dyn Clock>,
        )?))
    }

    /// A sender on an open store, with the default backoff, a random jitter, a 2-minute lease
    /// and batches of 50.
    pub fn from_store(store: Store) -> Outbox {
        Outbox {
            store,
            backoff: Backoff::default(),
            jitter: Box::new(rand::random::<f64>),
            lease: Duration::minutes(2),
            batch: 50,
            documents: None,
        }
    }

    /// Print the kept copy of a sent invoice again when its new link is stored.
    pub fn with_documents(mut self, documents: crate::sent_documents::SentDocuments) -> Outbox {
        self.documents = Some(documents);
        self
    }

    /// Replace the backoff and the jitter source (tests pin them).
    pub fn with_backoff(mut self, backoff: Backoff, jitter: Jitter) -> Outbox {
        self.backoff = backoff;
        self.jitter = jitter;
        self
    }

    /// Claim the due rows (committed: they are `sending` from here on).
    pub fn claim_due(&mut self, now: DateTime<Utc>) -> Result<Vec<Claim>> {
        self.store.claim_due(now, self.lease, self.batch)
    }

    /// Send one claimed row and store the outcome.
    pub async fn deliver<G: LinkGateway>(
        &mut self,
        gateway: &G,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Delivery> {
        match gateway.create_link(&claim.payload).await {
            Ok(link) => {
                if self.store.complete_link(claim, &link, now, now)? {
                    self.refresh_document(&claim.invoice_id, now);
                    Ok(Delivery::Sent)
                } else {
                    Ok(Delivery::Discarded)
                }
            }
            Err(GatewayError::Retryable {
                message,
                retry_after,
            }) => {
                let wait = self
                    .backoff
                    .delay_at_least(claim.attempt, (self.jitter)(), retry_after);
                let at = now + wait;
                self.store.reschedule(claim, at, &message)?;
                Ok(Delivery::Retrying {
                    at: timestamp(at),
                    message,
                })
            }
            Err(GatewayError::Permanent { message }) => {
                self.store.fail(claim, now, &message)?;
                Ok(Delivery::Failed { message })
            }
        }
    }

    /// The link is stored whatever happens here: a copy that cannot be printed again (a logo
    /// gone, a full disk) is logged and stays as it was.
    fn refresh_document(&mut self, invoice_id: &str, now: DateTime<Utc>) {
        let Some(documents) = &self.documents else {
            return;
        };
        if let Err(e) = documents.refresh(&mut self.store, invoice_id, now) {
            tracing::warn!(error = %e, "could not print the sent invoice again with its new link");
        }
    }

    /// Send each due row once (at most `batch` rows), claiming them one by one.
    pub async fn run_once<G: LinkGateway>(
        &mut self,
        gateway: &G,
        now: DateTime<Utc>,
    ) -> Result<SendReport> {
        let mut report = SendReport::default();
        // One row at a time: a claim (and its lease) covers only the call in flight, so a
        // sender that dies leaves at most one row waiting for its lease to run out.
        for _ in 0..self.batch {
            let Some(claim) = self.store.claim_due(now, self.lease, 1)?.pop() else {
                break;
            };
            match self.deliver(gateway, &claim, now).await? {
                Delivery::Sent => report.sent += 1,
                Delivery::Discarded => report.discarded += 1,
                Delivery::Retrying { message, .. } => {
                    report.retrying += 1;
                    report.errors.push((claim.id.clone(), message));
                }
                Delivery::Failed { message } => {
                    report.failed += 1;
                    report.errors.push((claim.id.clone(), message));
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters_within_half() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, 0.0), Duration::seconds(1));
        assert_eq!(b.delay(1, 0.999_999).num_seconds(), 1);
        assert_eq!(b.delay(3, 0.0), Duration::seconds(4));
        assert_eq!(b.delay(40, 0.0), Duration::seconds(450));
        assert!(b.delay(40, 0.99) <= Duration::minutes(15));
    }

    #[test]
    fn retry_after_is_a_floor_not_a_replacement() {
        let b = Backoff::default();
        let later = Some(StdDuration::from_secs(30));
        assert_eq!(b.delay_at_least(1, 0.0, later), Duration::seconds(30));
        assert_eq!(b.delay_at_least(6, 0.0, later), Duration::seconds(32));
        assert_eq!(b.delay_at_least(3, 0.0, None), b.delay(3, 0.0));
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_but_not_401() {
        use paydesk_request::Error as E;
        let retry = |e: E| matches!(classify(&e), GatewayError::Retryable { .. });
        assert!(retry(E::RateLimited {
            retry_after: Some(StdDuration::from_secs(3))
        }));
        assert!(retry(E::Timeout {
            after: StdDuration::from_secs(1)
        }));
        assert!(retry(E::Api {
            status: 503,
            message: "x".into(),
            error: None,
            details: vec![]
        }));
        assert!(!retry(E::Api {
            status: 400,
            message: "x".into(),
            error: None,
            details: vec![]
        }));
        assert!(!retry(E::Unauthorized {
            message: "Invalid API key".into()
        }));
    }
}
