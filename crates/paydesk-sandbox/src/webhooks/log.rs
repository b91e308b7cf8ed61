//! The delivery log: one record per event and endpoint with every attempt, and a version
//! counter that tests and the control API wait on.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::watch;
use tokio::time::Instant;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not yet answered with a 2xx and retries remain.
    Pending,
    /// An attempt got a 2xx answer.
    Delivered,
    /// Every attempt failed.
    Failed,
    /// Dropped by the `webhook_drop_share` fault: never sent.
    Dropped,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptRecord {
    /// The `x-request-network-retry-count` sent.
    pub retry_count: u32,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// Why the attempt failed without an answer (timeout, connection refused, ...).
    pub error: Option<String>,
    /// A resend caused by the `webhook_duplicate_share` fault.
    pub duplicate: bool,
    /// When the attempt started.
    pub at: DateTime<Utc>,
}

/// One event sent to one endpoint, with every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// The `x-request-network-delivery` ULID, the same on every attempt.
    pub delivery_id: String,
    /// The endpoint's webhook id.
    pub webhook_id: String,
    /// The endpoint's URL.
    pub url: String,
    /// The event name, e.g. `payment.confirmed.checkout`.
    pub event: String,
    /// Sent through `POST /v1/webhook/test` (carries `x-request-network-test: true`).
    pub test: bool,
    /// The exact body bytes, as UTF-8.
    pub body: String,
    /// Where the delivery stands.
    pub status: DeliveryStatus,
    /// Every attempt so far.
    pub attempts: Vec<AttemptRecord>,
    /// When the event was queued.
    pub created_at: DateTime<Utc>,
}

/// The log of every delivery, with a version counter to wait on.
#[derive(Debug)]
pub(crate) struct DeliveryLog {
    records: Mutex<Vec<DeliveryRecord>>,
    version: watch::Sender<u64>,
}

impl DeliveryLog {
    pub(crate) fn new() -> Self {
        Self {
            records: Mutex::new(Vec::new()),
            version: watch::channel(0).0,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<DeliveryRecord>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn snapshot(&self) -> Vec<DeliveryRecord> {
        self.lock().clone()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
        self.version.send_modify(|v| *v += 1);
    }

    pub(crate) fn push(&self, record: DeliveryRecord) {
        self.lock().push(record);
        self.version.send_modify(|v| *v += 1);
    }

    pub(crate) fn update(&self, delivery_id: &str, f: impl FnOnce(&mut DeliveryRecord)) {
        if let Some(r) = self
            .lock()
            .iter_mut()
            .rev()
            .find(|r| r.delivery_id == delivery_id)
        {
            f(r);
        }
        self.version.send_modify(|v| *v += 1);
    }

    /// Waits until `done` holds for the log, or `timeout` passes (then `None`).
    pub(crate) async fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[DeliveryRecord]) -> bool,
    ) -> Option<Vec<DeliveryRecord>> {
        let mut rx = self.version.subscribe();
        let deadline = Instant::now() + timeout;
        loop {
            {
                let records = self.lock();
                if done(&records) {
                    return Some(records.clone());
                }
            }
            if tokio::time::timeout_at(deadline, rx.changed())
                .await
                .is_err()
            {
                return None;
            }
        }
    }
}
