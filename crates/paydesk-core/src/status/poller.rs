//! The scheduler tick: poll the links that are due, a few at a time, and store each answer.
//!
//! [`Poller::tick`] reads the due links (most likely to change first), polls them with bounded
//! concurrency through a [`StatusGateway`] (whose calls wait for the shared
//! [`super::limiter::RateLimiter`]), and applies each answer in its own transaction. The app calls
//! it every second or so from a background task, `paydesk sync` from the CLI.
//!
//! Offline: a network failure marks the poller offline. It then probes with one due link at a
//! time, every 5 s doubling to a minute, without moving any link's schedule, so when the
//! network returns everything overdue is caught up, most likely to change first. The same holds
//! on start (links whose time passed while the app was closed are due) and after sleep (a tick
//! that finds the wall clock jumped by more than five minutes reports `woke`).

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::limiter::RateLimiter;
use super::schedule;
use super::{Observation, Source, StatusChange};
use crate::clock::timestamp;
use crate::error::Result;
use crate::outbox::RequestGateway;
use crate::store::{DueLink, LinkOwner, Store};

/// Why a poll got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    /// The network or the API is unreachable (connection refused, DNS, timeout).
    #[error("{message}")]
    Offline { message: String },
    /// 429: the limiter is paused for the server's `Retry-After`.
    #[error("{message}")]
    RateLimited { message: String },
    /// 401/403 on the credentials: nothing will work until the user fixes them.
    #[error("{message}")]
    Credentials { message: String },
    /// 5xx, a malformed answer, anything else: try this link again later.
    #[error("{message}")]
    Failed { message: String },
}

/// Something that answers "what is the status of this link": the Request API or a fake.
pub trait StatusGateway: Send + Sync {
    /// Poll `link`; with `detail`, also ask how much of a payable link was paid.
    fn check(
        &self,
        link: &DueLink,
        detail: bool,
    ) -> impl Future<Output = std::result::Result<Observation, PollError>> + Send;
}

fn poll_error(e: &paydesk_request::Error) -> PollError {
    use paydesk_request::Error as E;
    let message = e.to_string();
    match e {
        E::Timeout { .. } | E::Network { .. } => PollError::Offline { message },
        E::RateLimited { .. } => PollError::RateLimited { message },
        E::Unauthorized { .. } | E::Forbidden { .. } => PollError::Credentials {
            message: format!("{message}; check the API key or client ID in settings"),
        },
        _ => PollError::Failed { message },
    }
}

impl StatusGateway for RequestGateway {
    async fn check(
        &self,
        link: &DueLink,
        detail: bool,
    ) -> std::result::Result<Observation, PollError> {
        use paydesk_request::SecurePaymentStatus as S;
        let status = self
            .call(|c| {
                let token = link.token.clone();
                async move { c.secure_payment_status(&token).await }
            })
            .await
            .map_err(|e| poll_error(&e))?;
        Ok(match status {
            S::Open(_) => {
                let first = link.request_ids.first().filter(|_| detail);
                let Some(id) = first else {
                    return Ok(Observation::Open {
                        paid: None,
                        left: None,
                    });
                };
                let payment = self
                    .call(|c| {
                        let id = id.clone();
                        async move { c.request_payment(&id).await }
                    })
                    .await
                    .map_err(|e| poll_error(&e))?;
                match payment {
                    Some(p) if p.has_been_paid => Observation::Paid { tx_hash: p.tx_hash },
                    Some(p) => Observation::Open {
                        paid: p.paid_amount,
                        left: p.remaining_amount,
                    },
                    None => Observation::Open {
                        paid: None,
                        left: None,
                    },
                }
            }
            S::Processing { .. } => Observation::Processing,
            S::Completed { requests } => Observation::Paid {
                tx_hash: requests.into_iter().find_map(|r| r.tx_hash),
            },
            S::NotPayable { message } => Observation::NotPayable { message },
            S::Unknown => Observation::Unknown,
        })
    }
}

/// What the poller knows about the connection (shown as the offline banner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub online: bool,
    pub offline_since: Option<String>,
    pub last_tick_at: Option<String>,
    /// The last failure that affects every link (credentials), or the last poll failure.
    pub last_error: Option<String>,
    /// Links still polled.
    pub open_links: u32,
    /// Links whose poll is due now.
    pub due_now: u32,
    pub rate_limit_per_sec: u32,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TickReport {
    /// Links polled (answered or not).
    pub polled: u32,
    /// Answers stored.
    pub answered: u32,
    /// Polls that failed.
    pub failed: u32,
    /// Invoices that moved forward.
    pub changes: Vec<StatusChange>,
    /// Payouts that were paid or expired.
    pub payout_changes: Vec<crate::store::PayoutChange>,
    pub offline: bool,
    /// The wall clock jumped since the last tick (the machine slept).
    pub woke: bool,
}

/// A source of random numbers in `[0, 1)` for the schedule's jitter.
pub type Jitter = Box<dyn FnMut() -> f64 + Send>;

/// The scheduler, on its own database connection.
pub struct Poller {
    store: Store,
    limiter: Arc<RateLimiter>,
    jitter: Jitter,
    /// Polls in flight at once.
    pub concurrency: usize,
    /// Most links polled per tick.
    pub batch: u32,
    /// The API rate (requests/s) the schedule budgets for; the limiter's rate when `None`
    /// (a benchmark that runs time faster than real sets the simulated rate here).
    pub budget_rate: Option<u32>,
    online: bool,
    offline_since: Option<DateTime<Utc>>,
    next_probe: Option<DateTime<Utc>>,
    probe_wait: Duration,
    last_tick: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

impl std::fmt::Debug for Poller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller")
            .field("store", &self.store)
            .field("online", &self.online)
            .finish_non_exhaustive()
    }
}

const FIRST_PROBE: Duration = Duration::seconds(5);
const LAST_PROBE: Duration = Duration::seconds(60);
/// A failed poll of one link (5xx, malformed answer) is tried again after this.
const RETRY_FAILED: Duration = Duration::seconds(30);
/// With bad credentials, each link waits this long before the next try.
const RETRY_CREDENTIALS: Duration = Duration::minutes(5);

impl Poller {
    /// A poller on `store` whose gateway shares `limiter` (its rate is shown in the status).
    pub fn new(store: Store, limiter: Arc<RateLimiter>) -> Poller {
        Poller {
            store,
            limiter,
            jitter: Box::new(rand::random::<f64>),
            concurrency: 4,
            batch: 20,
            budget_rate: None,
            online: true,
            offline_since: None,
            next_probe: None,
            probe_wait: FIRST_PROBE,
            last_tick: None,
            last_error: None,
        }
    }

    /// Replace the jitter source (tests pin it).
    pub fn with_jitter(mut self, jitter: Jitter) -> Poller {
        self.jitter = jitter;
        self
    }

    /// The connection state and counts for the UI.
    pub fn status(&mut self, now: DateTime<Utc>) -> Result<SyncStatus> {
        let (open, due, _) = self.store.poll_summary(now)?;
        Ok(SyncStatus {
            online: self.online,
            offline_since: self.offline_since.map(timestamp),
            last_tick_at: self.last_tick.map(timestamp),
            last_error: self.last_error.clone(),
            open_links: open,
            due_now: due,
            rate_limit_per_sec: self.limiter.rate(),
        })
    }

    /// Whether the last poll reached the API.
    pub fn is_online(&self) -> bool {
        self.online
    }

    /// When the next poll is due (`None`: nothing left to poll).
    pub fn next_due(&mut self) -> Result<Option<DateTime<Utc>>> {
        let (_, _, next) = self.store.poll_summary(Utc::now())?;
        Ok(next.and_then(|t| {
            DateTime::parse_from_rfc3339(&t)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        }))
    }

    /// Go back online at once (the OS said the network returned): the next tick catches up.
    pub fn network_returned(&mut self) {
        self.next_probe = None;
        self.probe_wait = FIRST_PROBE;
    }

    fn went_offline(&mut self, now: DateTime<Utc>, message: &str) {
        if self.online {
            tracing::info!(%message, "offline: pausing payment-status polls");
            self.offline_since = Some(now);
            self.probe_wait = FIRST_PROBE;
        } else {
            self.probe_wait = (self.probe_wait * 2).min(LAST_PROBE);
        }
        self.online = false;
        self.next_probe = Some(now + self.probe_wait);
        self.last_error = Some(message.to_string());
    }

    fn answered(&mut self) {
        if !self.online {
            tracing::info!("online again: catching up on payment status");
        }
        self.online = true;
        self.offline_since = None;
        self.next_probe = None;
        self.last_error = None;
    }

    /// Poll every due link once (at most `batch`; one probe while offline).
    pub async fn tick<G: StatusGateway>(
        &mut self,
        gateway: &G,
        now: DateTime<Utc>,
    ) -> Result<TickReport> {
        let mut report = TickReport {
            woke: self
                .last_tick
                .is_some_and(|t| now - t > Duration::minutes(5)),
            ..TickReport::default()
        };
        self.last_tick = Some(now);
        if report.woke {
            // After sleep the network may be back: probe at once.
            self.network_returned();
        }
        if !self.online && self.next_probe.is_some_and(|p| now < p) {
            report.offline = true;
            return Ok(report);
        }
        let limit = if self.online { self.batch } else { 1 };
        let due = self.store.due_links(now, limit)?;
        if due.is_empty() {
            report.offline = !self.online;
            return Ok(report);
        }
        let (open, _, _) = self.store.poll_summary(now)?;
        let rate = self.budget_rate.unwrap_or_else(|| self.limiter.rate());
        let ceiling = Some(schedule::budget_ceiling(open, rate));
        let answers: Vec<(DueLink, std::result::Result<Observation, PollError>)> =
            stream::iter(due)
                .map(|link| async move {
                    // Ask how much was paid every third poll, and always for a partly paid or
                    // watched link (two calls instead of one).
                    let detail = link.checks % 3 == 0
                        || link.state == super::PayState::PartiallyPaid
                        || link.timing.watch_until.is_some_and(|w| w > now);
                    let answer = gateway.check(&link, detail).await;
                    (link, answer)
                })
                .buffer_unordered(self.concurrency.max(1))
                .collect()
                .await;
        for (link, answer) in answers {
            report.polled += 1;
            match answer {
                Ok(obs) => {
                    self.answered();
                    report.answered += 1;
                    let unit = (self.jitter)();
                    if link.owner != LinkOwner::Invoice {
                        report
                            .payout_changes
                            .extend(self.store.apply_payout_observation(
                                &link.token,
                                &obs,
                                now,
                                unit,
                                ceiling,
                            )?);
                    } else if let Some(change) = self.store.apply_observation_within(
                        &link.token,
                        Source::Poll,
                        &obs,
                        now,
                        unit,
                        ceiling,
                    )? {
                        report.changes.push(change);
                    }
                }
                Err(e) => {
                    report.failed += 1;
                    self.failed(&link, &e, now)?;
                }
            }
        }
        report.offline = !self.online;
        Ok(report)
    }

    fn failed(&mut self, link: &DueLink, e: &PollError, now: DateTime<Utc>) -> Result<()> {
        let message = e.to_string();
        let retry = match e {
            PollError::Offline { .. } => {
                self.went_offline(now, &message);
                // Still due: caught up when the network returns.
                now
            }
            PollError::RateLimited { .. } => now,
            PollError::Credentials { .. } => {
                self.last_error = Some(message.clone());
                now + RETRY_CREDENTIALS
            }
            PollError::Failed { .. } => now + RETRY_FAILED,
        };
        self.store.record_poll_error(&link.token, &message, retry)
    }

    /// "Check now": poll the invoice's live link at once (within the rate limit) and keep it
    /// watched for ten minutes. `Ok(Err(message))` when the poll got no answer.
    pub async fn check_now<G: StatusGateway>(
        &mut self,
        gateway: &G,
        invoice_id: &str,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<Option<StatusChange>, String>> {
        let Some(link) = self
            .store
            .watch_link(invoice_id, now + Duration::minutes(10))?
        else {
            return Ok(Err("the invoice has no live payment link to check".into()));
        };
        match gateway.check(&link, true).await {
            Ok(obs) => {
                self.answered();
                let unit = (self.jitter)();
                Ok(Ok(self.store.apply_observation(
                    &link.token,
                    Source::Check,
                    &obs,
                    now,
                    unit,
                )?))
            }
            Err(e) => {
                self.failed(&link, &e, now)?;
                Ok(Err(e.to_string()))
            }
        }
    }
}
