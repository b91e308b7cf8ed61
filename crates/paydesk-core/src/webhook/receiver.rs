//! The webhook endpoint: `POST /hooks/{path_secret}` on 127.0.0.1 only.
//!
//! This module owns the HTTP side of a delivery, in this order: the unguessable path (else 404),
//! the body limit (64 KiB, else 413), the signature over the raw bytes (else 401, nothing
//! stored), the JSON (else 400), the delivery id (else 400), then one store transaction on a
//! blocking thread. Everything the API should not retry (applied, duplicate, test, unknown event,
//! unknown request) is a quick 200; only our own failures are 5xx (CONTRACT 9.4, 9.7). Each
//! payment event's link token goes to the poller's channel, and the last 50 deliveries are kept
//! in memory for the UI's deliveries panel.

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::{mpsc::UnboundedSender, oneshot, watch};
use tokio::task::JoinHandle;

use super::event::{self, WebhookEvent};
use super::verify::{self, SIGNATURE_HEADER};
use crate::clock::{timestamp, Clock};
use crate::error::{Error, Result};
use crate::secrets::Secret;
use crate::store::{DeliveryKind, DeliveryOutcome, Store};

/// The idempotency key header (a ULID per delivery).
pub const DELIVERY_HEADER: &str = "x-request-network-delivery";
/// Present (`true`) only on test deliveries.
pub const TEST_HEADER: &str = "x-request-network-test";
/// The attempt number (0..=3).
pub const RETRY_HEADER: &str = "x-request-network-retry-count";
/// The largest body accepted; real deliveries are a few hundred bytes.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How many recent deliveries [`WebhookReceiver::recent`] keeps.
pub const RECENT: usize = 50;

const PREFIX: &str = "/hooks/";

/// One delivery as the deliveries panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    pub at: String,
    pub delivery_id: Option<String>,
    pub event: Option<String>,
    pub retry_count: Option<String>,
    /// The signature was good.
    pub verified: bool,
    /// `applied`, `duplicate`, `test`, `unknown_request`, `user_event`, `noted`, `ignored`,
    /// `rejected` or `error`.
    pub outcome: String,
    /// Why it was rejected, or what it did.
    pub detail: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
}

struct Shared {
    store: Mutex<Store>,
    clock: Arc<dyn Clock>,
    /// `None` until a signing secret is known (registration or the user pastes it): every
    /// delivery is then refused with 401.
    secret: RwLock<Option<Secret>>,
    path_secret: String,
    polls: UnboundedSender<String>,
    recent: Mutex<VecDeque<DeliveryRecord>>,
    /// Bumped after every delivery, answered or refused (the app re-reads its panel).
    changed: watch::Sender<u64>,
}

/// The webhook endpoint over one store connection. Cheap to clone (shared state).
#[derive(Clone)]
pub struct WebhookReceiver {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("secret", &"<redacted>")
            .field("path_secret", &"<redacted>")
            .finish()
    }
}

/// A random path segment no one can guess (128 bits, hex).
pub fn new_path_secret() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn check_secret(secret: &Secret) -> Result<()> {
    if secret.expose().is_empty() {
        return Err(Error::invalid("webhookSecret", "must not be empty"));
    }
    Ok(())
}

/// Equal in time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl WebhookReceiver {
    /// A receiver that applies deliveries to `store`, checks signatures with `secret`, answers
    /// only at `/hooks/{path_secret}` and sends payment events' link tokens on `polls`.
    /// `path_secret` must be 16 to 128 characters of `A-Z a-z 0-9 - _`; the secret non-empty.
    pub fn new(
        store: Store,
        secret: Secret,
        path_secret: &str,
        polls: UnboundedSender<String>,
    ) -> Result<WebhookReceiver> {
        check_secret(&secret)?;
        WebhookReceiver::build(store, Some(secret), path_secret, polls)
    }

    /// A receiver with no signing secret yet: it refuses every delivery (401) until
    /// [`WebhookReceiver::set_secret`].
    pub fn unkeyed(
        store: Store,
        path_secret: &str,
        polls: UnboundedSender<String>,
    ) -> Result<WebhookReceiver> {
        WebhookReceiver::build(store, None, path_secret, polls)
    }

    fn build(
        store: Store,
        secret: Option<Secret>,
        path_secret: &str,
        polls: UnboundedSender<String>,
    ) -> Result<WebhookReceiver> {
        let ok = (16..=128).contains(&path_secret.len())
            && path_secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(Error::invalid(
                "pathSecret",
                "must be 16 to 128 letters, digits, '-' or '_'",
            ));
        }
        Ok(WebhookReceiver {
            shared: Arc::new(Shared {
                clock: store.shared_clock(),
                store: Mutex::new(store),
                secret: RwLock::new(secret),
                path_secret: path_secret.to_string(),
                polls,
                recent: Mutex::new(VecDeque::with_capacity(RECENT)),
                changed: watch::Sender::new(0),
            }),
        })
    }

    /// Check deliveries with `secret` from now on (a new registration, or one pasted by the
    /// user). Deliveries in flight finish with the old one.
    pub fn set_secret(&self, secret: Secret) -> Result<()> {
        check_secret(&secret)?;
        *self
            .shared
            .secret
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(secret);
        Ok(())
    }

    /// Whether a signing secret is set.
    pub fn has_secret(&self) -> bool {
        self.shared
            .secret
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Changes after every delivery (for a panel that shows [`WebhookReceiver::recent`]).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.shared.changed.subscribe()
    }

    /// The path the API must post to (`/hooks/<path secret>`); treat it as a secret.
    pub fn url_path(&self) -> String {
        format!("{PREFIX}{}", self.shared.path_secret)
    }

    /// The last [`RECENT`] deliveries, newest first.
    pub fn recent(&self) -> Vec<DeliveryRecord> {
        let recent = self.shared.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.iter().rev().cloned().collect()
    }

    /// The one route. Any other path is 404; the path segment is compared in constant time.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/hooks/{path_secret}", post(receive))
            .with_state(self.shared.clone())
    }

    /// Serve on `listener` until `shutdown` resolves.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Open the store at `store_path`, bind 127.0.0.1:`port` (0 = any free port) and serve in
    /// the background.
    pub async fn start(
        store_path: &Path,
        secret: Secret,
        path_secret: &str,
        port: u16,
        polls: UnboundedSender<String>,
    ) -> Result<ReceiverHandle> {
        let store = Store::open(store_path)?;
        WebhookReceiver::new(store, secret, path_secret, polls)?
            .spawn(port)
            .await
    }

    /// Bind 127.0.0.1:`port` (0 = any free port) and serve this receiver in the background.
    pub async fn spawn(self, port: u16) -> Result<ReceiverHandle> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| Error::io(format!("cannot listen on 127.0.0.1:{port}"), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the webhook address", e))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let receiver = self.clone();
        let task = tokio::spawn(async move {
            let result = self
                .serve(listener, async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "webhook receiver stopped");
            }
        });
        Ok(ReceiverHandle {
            addr,
            url_path: receiver.url_path(),
            receiver,
            stop: Some(stop),
            task,
        })
    }
}

fn remember(shared: &Shared, record: DeliveryRecord) {
    let mut recent = shared.recent.lock().unwrap_or_else(|e| e.into_inner());
    while recent.len() >= RECENT {
        recent.pop_front();
    }
    recent.push_back(record);
    drop(recent);
    shared.changed.send_modify(|n| *n = n.wrapping_add(1));
}

/// A running receiver.
#[derive(Debug)]
pub struct ReceiverHandle {
    /// Where it listens (always 127.0.0.1).
    pub addr: SocketAddr,
    /// The path to post to; a secret.
    pub url_path: String,
    receiver: WebhookReceiver,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl ReceiverHandle {
    /// `http://127.0.0.1:<port>/hooks/<path secret>`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.url_path)
    }

    /// The receiver (for [`WebhookReceiver::recent`]).
    pub fn receiver(&self) -> &WebhookReceiver {
        &self.receiver
    }

    /// Stop accepting, finish deliveries in flight, and wait for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for ReceiverHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[derive(Serialize)]
struct Answer {
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

fn answer(status: StatusCode, outcome: &'static str, detail: Option<String>) -> Response {
    (status, Json(Answer { outcome, detail })).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A delivery id: 1 to 128 visible ASCII characters (the API sends a ULID).
fn delivery_id(headers: &HeaderMap) -> Option<String> {
    header(headers, DELIVERY_HEADER)
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let segment = uri.path().strip_prefix(PREFIX).unwrap_or_default();
    if !same(segment.as_bytes(), shared.path_secret.as_bytes()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut record = DeliveryRecord {
        at: timestamp(shared.clock.now()),
        delivery_id: delivery_id(&headers),
        event: None,
        retry_count: header(&headers, RETRY_HEADER).map(str::to_string),
        verified: false,
        outcome: "rejected".into(),
        detail: None,
        status: 0,
    };
    let reject = |mut record: DeliveryRecord, status: StatusCode, why: String| {
        tracing::warn!(status = status.as_u16(), reason = %why, "webhook delivery rejected");
        record.status = status.as_u16();
        record.detail = Some(why.clone());
        remember(&shared, record);
        answer(status, "rejected", Some(why))
    };
    let declared = header(&headers, "content-length").and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return reject(
            record,
            StatusCode::PAYLOAD_TOO_LARGE,
            "body over 64 KiB".into(),
        );
    }
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return reject(
            record,
            StatusCode::PAYLOAD_TOO_LARGE,
            "body over 64 KiB or unreadable".into(),
        );
    };
    let signature = headers.get(SIGNATURE_HEADER).map(|v| v.as_bytes());
    let checked = match &*shared.secret.read().unwrap_or_else(|e| e.into_inner()) {
        Some(secret) => verify::verify(secret.expose().as_bytes(), &bytes, signature)
            .map_err(|e| e.as_str().to_string()),
        None => Err("no signing secret is saved yet".to_string()),
    };
    if let Err(why) = checked {
        return reject(record, StatusCode::UNAUTHORIZED, why);
    }
    record.verified = true;
    let event = match event::parse(&bytes) {
        Ok(event) => event,
        Err(e) => return reject(record, StatusCode::BAD_REQUEST, e.to_string()),
    };
    record.event = Some(event.name().to_string());
    let Some(id) = record.delivery_id.clone() else {
        return reject(
            record,
            StatusCode::BAD_REQUEST,
            format!("no valid {DELIVERY_HEADER}"),
        );
    };
    let test = header(&headers, TEST_HEADER).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let applied = tokio::task::spawn_blocking({
        let shared = shared.clone();
        move || apply(&shared, &id, test, &event)
    })
    .await;
    let outcome = match applied {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "webhook delivery not recorded");
            record.outcome = "error".into();
            record.status = 500;
            record.detail = Some(e.to_string());
            remember(&shared, record);
            return answer(StatusCode::INTERNAL_SERVER_ERROR, "error", None);
        }
        Err(_) => {
            record.outcome = "error".into();
            record.status = 500;
            record.detail = Some("the delivery task failed".into());
            remember(&shared, record);
            return answer(StatusCode::INTERNAL_SERVER_ERROR, "error", None);
        }
    };
    if let Some(token) = &outcome.poll_token {
        // The app polls it now to confirm; a closed channel only means nobody polls any more.
        let _ = shared.polls.send(token.clone());
    }
    let kind = outcome.kind.as_str();
    record.outcome = kind.into();
    record.detail = outcome.detail.clone();
    record.status = 200;
    remember(&shared, record);
    answer(StatusCode::OK, kind, None)
}

fn apply(shared: &Shared, id: &str, test: bool, event: &WebhookEvent) -> Result<DeliveryOutcome> {
    let mut store = shared
        .store
        .lock()
        .map_err(|_| Error::conflict(None, "the webhook store is unusable after a panic"))?;
    let now = shared.clock.now();
    let outcome = store.apply_delivery(id, test, event, now)?;
    if outcome.kind == DeliveryKind::Duplicate {
        tracing::debug!(delivery = id, "duplicate webhook delivery");
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_secret_comparison() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert_eq!(new_path_secret().len(), 32);
    }
}
