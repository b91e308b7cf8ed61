//! Sending approved payouts: each approved payout is its own queue row (`payouts.next_attempt_at`),
//! claimed one at a time with a lease and fenced by its attempt count, so a crash leaves at most
//! one payout waiting for its lease. One payout is one `POST /v2/secure-payments/payouts` with
//! one recipient; a requested batch is one `POST /v2/secure-payments/batch-payouts`. Retryable
//! failures back off like the invoice outbox; permanent ones mark the payout (or batch) failed.

use std::future::Future;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use paydesk_request::{CreateBatchPayout, CreatePayout};
use rust_decimal::Decimal;

use crate::domain::PayoutState;
use crate::error::Result;
use crate::outbox::{classify, Backoff, GatewayError, RequestGateway, SendReport};
use crate::status::poller::Jitter;
use crate::store::{BatchClaim, CreatedLink, PayoutChange, PayoutClaim, Store};

fn change(id: &str, number: &str, state: PayoutState) -> PayoutChange {
    PayoutChange {
        id: id.to_string(),
        number: number.to_string(),
        state,
    }
}

/// Something that creates payout links: the Request API, or a fake in tests.
pub trait PayoutGateway: Send + Sync {
    /// One payout link for one recipient.
    fn create_payout(
        &self,
        claim: &PayoutClaim,
    ) -> impl Future<Output = std::result::Result<CreatedLink, GatewayError>> + Send;
    /// One batch link combining the claim's live payout links.
    fn create_batch(
        &self,
        claim: &BatchClaim,
    ) -> impl Future<Output = std::result::Result<CreatedLink, GatewayError>> + Send;
}

/// The API body for a claimed payout.
pub fn payout_request(claim: &PayoutClaim) -> std::result::Result<CreatePayout, GatewayError> {
    let amount = Decimal::from_str(&claim.amount).map_err(|_| GatewayError::Permanent {
        message: format!("amount: {} is not a decimal", claim.amount),
    })?;
    let mut body = CreatePayout::new(
        claim.recipient.clone(),
        claim.creator_wallet.clone(),
        claim.network.as_str(),
        claim.currency.clone(),
        amount,
    );
    body.reference = Some(claim.reference.clone());
    body.recipient_identifier = Some(claim.recipient_identifier.clone()).filter(|s| !s.is_empty());
    Ok(body)
}

fn created(c: paydesk_request::CreatedSecurePayment) -> CreatedLink {
    CreatedLink {
        token: c.token,
        request_ids: c.request_ids,
        secure_payment_url: c.secure_payment_url.to_string(),
    }
}

impl PayoutGateway for RequestGateway {
    async fn create_payout(
        &self,
        claim: &PayoutClaim,
    ) -> std::result::Result<CreatedLink, GatewayError> {
        let body = payout_request(claim)?;
        self.call(|c| c.create_payout(&body))
            .await
            .map(created)
            .map_err(|e| classify(&e))
    }

    async fn create_batch(
        &self,
        claim: &BatchClaim,
    ) -> std::result::Result<CreatedLink, GatewayError> {
        let body = CreateBatchPayout::new(claim.tokens.clone());
        self.call(|c| c.create_batch_payout(&body))
            .await
            .map(created)
            .map_err(|e| classify(&e))
    }
}

/// Sends approved payouts and requested batches, on its own database connection.
pub struct PayoutSender {
    store: Store,
    backoff: Backoff,
    jitter: Jitter,
    lease: Duration,
    /// Most payouts sent per pass.
    pub batch: u32,
}

impl std::fmt::Debug for PayoutSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayoutSender")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl PayoutSender {
    /// A sender over the books at `path`.
    pub fn open(path: &Path) -> Result<PayoutSender> {
        Ok(PayoutSender::from_store(Store::open(path)?))
    }

    /// A sender over `store`.
    pub fn from_store(store: Store) -> PayoutSender {
        PayoutSender {
            store,
            backoff: Backoff::default(),
            jitter: Box::new(rand::random::<f64>),
            lease: Duration::seconds(60),
            batch: 20,
        }
    }

    /// Use `backoff` and `jitter` (tests make them exact).
    pub fn with_backoff(mut self, backoff: Backoff, jitter: Jitter) -> PayoutSender {
        self.backoff = backoff;
        self.jitter = jitter;
        self
    }

    fn wait(&mut self, attempt: u32, retry_after: Option<std::time::Duration>) -> Duration {
        self.backoff
            .delay_at_least(attempt, (self.jitter)(), retry_after)
    }

    /// Send every due payout and batch once.
    pub async fn run_once<G: PayoutGateway>(
        &mut self,
        gateway: &G,
        now: DateTime<Utc>,
    ) -> Result<SendReport> {
        let mut report = SendReport::default();
        for _ in 0..self.batch {
            let Some(claim) = self.store.claim_payout(now, self.lease)? else {
                break;
            };
            match gateway.create_payout(&claim).await {
                Ok(link) => {
                    if self.store.complete_payout(&claim, &link, now)? {
                        report.sent += 1;
                        report
                            .payouts
                            .push(change(&claim.id, &claim.number, PayoutState::Live));
                    } else {
                        report.discarded += 1;
                    }
                }
                Err(GatewayError::Retryable {
                    message,
                    retry_after,
                }) => {
                    let at = now + self.wait(claim.attempt, retry_after);
                    self.store.retry_payout(&claim, at, &message)?;
                    report.retrying += 1;
                    report.errors.push((claim.id.clone(), message));
                }
                Err(GatewayError::Permanent { message }) => {
                    self.store.fail_payout(&claim, now, &message)?;
                    report
                        .payouts
                        .push(change(&claim.id, &claim.number, PayoutState::Failed));
                    report.failed += 1;
                    report.errors.push((claim.id.clone(), message));
                }
            }
        }
        while let Some(claim) = self.store.claim_batch(now, self.lease)? {
            match gateway.create_batch(&claim).await {
                Ok(link) => {
                    if self.store.complete_batch(&claim, &link, now)? {
                        report.sent += 1;
                        for (id, number) in &claim.payouts {
                            report
                                .payouts
                                .push(change(id, number, PayoutState::Batched));
                        }
                    } else {
                        report.discarded += 1;
                    }
                }
                Err(GatewayError::Retryable {
                    message,
                    retry_after,
                }) => {
                    let at = now + self.wait(claim.attempt, retry_after);
                    self.store.batch_failed(&claim, Some(at), &message, now)?;
                    report.retrying += 1;
                    report.errors.push((claim.id.clone(), message));
                }
                Err(GatewayError::Permanent { message }) => {
                    self.store.batch_failed(&claim, None, &message, now)?;
                    report.failed += 1;
                    report.errors.push((claim.id.clone(), message));
                }
            }
        }
        Ok(report)
    }
}
