//! Webhook delivery in background tasks: signing (hex HMAC-SHA256 of the exact body bytes),
//! the delivery headers, one FIFO worker per endpoint for first attempts, retries after
//! 1 s / 5 s / 15 s with a 5 s timeout, and the drop / duplicate / out-of-order faults.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::faults::{roll, Faults};

use super::log::{AttemptRecord, DeliveryLog, DeliveryRecord, DeliveryStatus};

/// Timing and policy of deliveries.
#[derive(Debug, Clone)]
pub(crate) struct DeliverySettings {
    pub retry_delays: Vec<Duration>,
    pub timeout: Duration,
    pub allow_remote: bool,
    pub reorder_window: Duration,
}

/// Hex HMAC-SHA256 of `body`, keyed with the webhook secret's UTF-8 bytes.
pub(crate) fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length: the error arm is never taken.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// One queued delivery.
struct Job {
    delivery_id: String,
    webhook_id: String,
    url: String,
    secret: String,
    body: Arc<Vec<u8>>,
    test: bool,
    first_attempt: Option<oneshot::Sender<bool>>,
}

/// A webhook endpoint to send an event to.
pub(crate) struct Target {
    pub webhook_id: String,
    pub url: String,
    pub secret: String,
}

struct Context {
    client: reqwest::Client,
    settings: DeliverySettings,
    faults: Arc<Mutex<Faults>>,
    log: Arc<DeliveryLog>,
    shutdown: watch::Receiver<bool>,
}

impl Context {
    fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs `fut` until it ends or the sandbox shuts down.
    fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => {}
                _ = fut => {}
            }
        });
    }
}

/// Queues deliveries and owns the background tasks that send them.
pub(crate) struct Dispatcher {
    tx: mpsc::UnboundedSender<Job>,
    pub(crate) log: Arc<DeliveryLog>,
}

impl Dispatcher {
    /// Starts the dispatcher task.
    pub(crate) fn start(
        client: reqwest::Client,
        settings: DeliverySettings,
        faults: Arc<Mutex<Faults>>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let log = Arc::new(DeliveryLog::new());
        let (tx, rx) = mpsc::unbounded_channel();
        let ctx = Arc::new(Context {
            client,
            settings,
            faults,
            log: log.clone(),
            shutdown,
        });
        ctx.spawn(dispatch(rx, ctx.clone()));
        Dispatcher { tx, log }
    }

    /// Queues one event for each target; each gets its own delivery id. The receivers
    /// resolve to whether the first attempt succeeded (a dropped delivery counts as sent).
    pub(crate) fn emit(
        &self,
        targets: &[Target],
        event: &str,
        body: Vec<u8>,
        test: bool,
        now: DateTime<Utc>,
    ) -> Vec<oneshot::Receiver<bool>> {
        let body = Arc::new(body);
        let mut receivers = Vec::with_capacity(targets.len());
        for target in targets {
            let delivery_id = ulid::Ulid::from_datetime(now.into()).to_string();
            self.log.push(DeliveryRecord {
                delivery_id: delivery_id.clone(),
                webhook_id: target.webhook_id.clone(),
                url: target.url.clone(),
                event: event.to_string(),
                test,
                body: String::from_utf8_lossy(&body).into_owned(),
                status: DeliveryStatus::Pending,
                attempts: Vec::new(),
                created_at: now,
            });
            let (first_tx, first_rx) = oneshot::channel();
            receivers.push(first_rx);
            let job = Job {
                delivery_id,
                webhook_id: target.webhook_id.clone(),
                url: target.url.clone(),
                secret: target.secret.clone(),
                body: body.clone(),
                test,
                first_attempt: Some(first_tx),
            };
            if self.tx.send(job).is_err() {
                tracing::warn!("webhook dispatcher stopped; delivery not queued");
            }
        }
        receivers
    }
}

/// Applies drops and the out-of-order buffer, then hands jobs to per-endpoint workers.
async fn dispatch(mut rx: mpsc::UnboundedReceiver<Job>, ctx: Arc<Context>) {
    let mut workers: HashMap<String, mpsc::UnboundedSender<Job>> = HashMap::new();
    let mut held: Vec<Job> = Vec::new();
    let mut flush_at: Option<Instant> = None;
    loop {
        let flush = async {
            match flush_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            job = rx.recv() => {
                let Some(mut job) = job else { break };
                let faults = ctx.faults();
                if roll(faults.webhook_drop_share) {
                    ctx.log.update(&job.delivery_id, |r| r.status = DeliveryStatus::Dropped);
                    if let Some(first) = job.first_attempt.take() {
                        let _ = first.send(true);
                    }
                } else if faults.webhook_out_of_order {
                    held.push(job);
                    flush_at.get_or_insert_with(|| Instant::now() + ctx.settings.reorder_window);
                } else {
                    route(&ctx, &mut workers, job);
                }
            }
            _ = flush => {
                flush_at = None;
                for job in held.drain(..).rev() {
                    route(&ctx, &mut workers, job);
                }
            }
        }
    }
}

fn route(ctx: &Arc<Context>, workers: &mut HashMap<String, mpsc::UnboundedSender<Job>>, job: Job) {
    let worker = workers.entry(job.webhook_id.clone()).or_insert_with(|| {
        let (tx, rx) = mpsc::unbounded_channel();
        ctx.spawn(endpoint_worker(rx, ctx.clone()));
        tx
    });
    if let Err(mpsc::error::SendError(job)) = worker.send(job) {
        ctx.log
            .update(&job.delivery_id, |r| r.status = DeliveryStatus::Failed);
    }
}

/// Sends first attempts to one endpoint in order; failures continue in their own retry task.
async fn endpoint_worker(mut rx: mpsc::UnboundedReceiver<Job>, ctx: Arc<Context>) {
    while let Some(mut job) = rx.recv().await {
        let ok = attempt(&ctx, &job, 0, false).await;
        if let Some(first) = job.first_attempt.take() {
            let _ = first.send(ok);
        }
        if ok {
            finish(&ctx, &job, 0).await;
        } else {
            let ctx2 = ctx.clone();
            ctx.spawn(retry(job, ctx2));
        }
    }
}

async fn retry(job: Job, ctx: Arc<Context>) {
    for (i, delay) in ctx.settings.retry_delays.iter().enumerate() {
        tokio::time::sleep(*delay).await;
        let retry_count = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if attempt(&ctx, &job, retry_count, false).await {
            finish(&ctx, &job, retry_count).await;
            return;
        }
    }
    tracing::info!(delivery = %job.delivery_id, url = %job.url, "webhook delivery failed after all retries");
    ctx.log
        .update(&job.delivery_id, |r| r.status = DeliveryStatus::Failed);
}

/// Marks a delivery done, resending it once when the duplicate fault fires.
async fn finish(ctx: &Context, job: &Job, retry_count: u32) {
    if roll(ctx.faults().webhook_duplicate_share) {
        attempt(ctx, job, retry_count, true).await;
    }
    ctx.log
        .update(&job.delivery_id, |r| r.status = DeliveryStatus::Delivered);
}

fn is_loopback(url: &str) -> bool {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

/// One POST; records it and says whether the receiver answered 2xx.
async fn attempt(ctx: &Context, job: &Job, retry_count: u32, duplicate: bool) -> bool {
    let at = Utc::now();
    let outcome: Result<u16, String> = if !ctx.settings.allow_remote && !is_loopback(&job.url) {
        Err("the sandbox only delivers to loopback addresses".into())
    } else {
        let mut request = ctx
            .client
            .post(&job.url)
            .timeout(ctx.settings.timeout)
            .header("content-type", "application/json")
            .header("x-request-network-signature", sign(&job.secret, &job.body))
            .header("x-request-network-delivery", &job.delivery_id)
            .header("x-request-network-retry-count", retry_count.to_string());
        if job.test {
            request = request.header("x-request-network-test", "true");
        }
        match request.body(job.body.as_ref().clone()).send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(e) if e.is_timeout() => Err(format!("timed out after {:?}", ctx.settings.timeout)),
            Err(e) => Err(format!("{e}")),
        }
    };
    let ok = matches!(outcome, Ok(code) if (200..300).contains(&code));
    let (status_code, error) = match outcome {
        Ok(code) => (Some(code), None),
        Err(e) => (None, Some(e)),
    };
    ctx.log.update(&job.delivery_id, |r| {
        r.attempts.push(AttemptRecord {
            retry_count,
            status_code,
            error,
            duplicate,
            at,
        });
    });
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn loopback_targets() {
        assert!(is_loopback("http://127.0.0.1:9/x"));
        assert!(is_loopback("http://localhost:9/x"));
        assert!(is_loopback("http://[::1]:9/x"));
        assert!(!is_loopback("https://example.com/x"));
    }
}
