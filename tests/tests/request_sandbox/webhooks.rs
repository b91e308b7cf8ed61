//! Webhooks (CONTRACT.md §9) through the client's Auth API methods: register (id + secret),
//! list, toggle, delete, test sends; and the deliveries themselves, received by a tiny axum
//! server on 127.0.0.1 and verified independently of both crates (hex HMAC-SHA256 of the raw
//! bytes, keyed with the secret the client got back).

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use paydesk_request::{Credentials, Error, RequestClient};
use paydesk_sandbox::{DeliveryRecord, DeliveryStatus};
use serde_json::Value;
use tokio::sync::watch;
use url::Url;

use super::{is_lower_hex, is_ulid, Env, DEADLINE};

/// One POST the receiver got: headers and the exact body bytes.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

#[derive(Clone)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
    count: Arc<watch::Sender<usize>>,
}

async fn record(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> &'static str {
    let count = {
        let mut all = inbox.received.lock().expect("lock");
        all.push(Received { headers, body });
        all.len()
    };
    inbox.count.send_replace(count);
    "ok"
}

/// A webhook endpoint on 127.0.0.1:0 that records everything and answers 200.
struct Receiver {
    url: Url,
    inbox: Inbox,
}

impl Receiver {
    async fn start() -> Receiver {
        let inbox = Inbox {
            received: Arc::default(),
            count: Arc::new(watch::channel(0).0),
        };
        let app = Router::new()
            .route("/hook", post(record))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = Url::parse(&format!(
            "http://{}/hook",
            listener.local_addr().expect("addr")
        ))
        .expect("url");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, inbox }
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.received.lock().expect("lock").clone()
    }

    /// Waits (with the deadline) until at least `n` deliveries arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let mut rx = self.inbox.count.subscribe();
        let arrived = tokio::time::timeout(DEADLINE, rx.wait_for(|c| *c >= n)).await;
        assert!(
            arrived.is_ok(),
            "only {} of {n} webhooks arrived in time",
            self.received().len()
        );
        self.received()
    }
}

/// The signature as the contract defines it (§9.3), computed here, not by either crate.
fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn assert_signed(delivery: &Received, secret: &str) {
    let sent = delivery
        .header("x-request-network-signature")
        .expect("signature header");
    assert_eq!(sent, signature(secret, &delivery.body), "{delivery:?}");
    assert!(is_lower_hex(sent, 64), "{sent}");
    assert_ne!(sent, signature("not-the-secret", &delivery.body));
}

#[tokio::test]
async fn webhook_lifecycle_through_the_auth_api() {
    let env = Env::start().await;
    let client = env.client_id_client();
    let receiver = Receiver::start().await;

    let created = client.create_webhook(&receiver.url).await.expect("created");
    assert!(is_ulid(&created.id), "{}", created.id);
    assert!(is_lower_hex(created.secret.expose(), 64));

    let list = client.list_webhooks().await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, created.id);
    assert_eq!(list[0].url.as_deref(), Some(receiver.url.as_str()));
    assert_eq!(list[0].is_active, Some(true));
    assert!(list[0].secret.is_none(), "the secret is shown once");
    assert!(list[0].created_at.is_some());

    client
        .set_webhook_active(&created.id, false)
        .await
        .expect("deactivate");
    let list = client.list_webhooks().await.expect("list");
    assert_eq!(list[0].is_active, Some(false));
    // No active webhook: nothing to send a test to.
    let error = client
        .send_test_webhook("payment.confirmed")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    client
        .set_webhook_active(&created.id, false)
        .await
        .expect("already inactive is fine");

    client
        .set_webhook_active(&created.id, true)
        .await
        .expect("reactivate");
    assert_eq!(
        client.list_webhooks().await.expect("list")[0].is_active,
        Some(true)
    );
    client
        .send_test_webhook("payment.confirmed")
        .await
        .expect("test send");
    receiver.wait_for(1).await;

    client.delete_webhook(&created.id).await.expect("delete");
    assert!(client.list_webhooks().await.expect("list").is_empty());
    let error = client.delete_webhook(&created.id).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    // `..` would become `DELETE /v1/webhook`: refused before sending.
    let error = client.delete_webhook("..").await.unwrap_err();
    assert!(matches!(error, Error::Validation { .. }), "{error:?}");
    let error = client
        .set_webhook_active(&created.id, true)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn a_test_send_is_signed_and_marked_as_a_test() {
    let env = Env::start().await;
    let client = env.client_id_client();
    let receiver = Receiver::start().await;
    let created = client.create_webhook(&receiver.url).await.expect("created");

    client
        .send_test_webhook("payment.confirmed")
        .await
        .expect("test send");
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let delivery = &got[0];
    assert_signed(delivery, created.secret.expose());
    assert_eq!(delivery.header("x-request-network-test"), Some("true"));
    assert_eq!(delivery.header("x-request-network-retry-count"), Some("0"));
    assert!(delivery
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    let id = delivery
        .header("x-request-network-delivery")
        .expect("delivery id");
    assert!(is_ulid(id), "{id}");
    assert_eq!(delivery.json()["event"], "payment.confirmed");

    let logged = env.sandbox.control().deliveries();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].delivery_id, id);
    assert!(logged[0].test);
}

#[tokio::test]
async fn a_real_payment_emits_signed_payment_events_with_delivery_ids() {
    let env = Env::start().await;
    let client = env.client_id_client();
    let receiver = Receiver::start().await;
    let webhook = client.create_webhook(&receiver.url).await.expect("created");
    let link = env.create(&client, "42").await;

    let paid = env.sandbox.control().pay(&link.token).expect("pay");
    let tx_hash = paid.requests[0].tx_hash.clone().expect("tx hash");
    let done = |log: &[DeliveryRecord]| {
        log.len() >= 3 && log.iter().all(|d| d.status == DeliveryStatus::Delivered)
    };
    let log = env
        .sandbox
        .control()
        .wait_for_deliveries(DEADLINE, done)
        .await
        .expect("every delivery made in time");
    let got = receiver.wait_for(log.len()).await;

    // A link created with a client id: the base event, `.client_id` and `.checkout` (§9.5).
    let mut events: Vec<String> = got
        .iter()
        .map(|d| d.json()["event"].as_str().unwrap_or_default().to_string())
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "payment.confirmed",
            "payment.confirmed.checkout",
            "payment.confirmed.client_id"
        ]
    );
    let mut ids = Vec::new();
    for delivery in &got {
        assert_signed(delivery, webhook.secret.expose());
        assert_eq!(delivery.header("x-request-network-test"), None);
        let id = delivery
            .header("x-request-network-delivery")
            .expect("delivery id");
        assert!(is_ulid(id), "{id}");
        ids.push(id.to_string());
        let body = delivery.json();
        assert_eq!(body["requestId"], Value::from(link.request_ids[0].clone()));
        assert_eq!(body["requestID"], body["requestId"]);
        assert_eq!(body["txHash"], Value::from(tx_hash.clone()));
        assert_eq!(body["expectedAmount"], "42.0");
        assert_eq!(body["clientId"], env.sandbox.client_id());
        // Compact JSON (§9.3): re-serialising compactly keeps the length, whatever the key order.
        let compact = serde_json::to_vec(&body).expect("json");
        assert_eq!(delivery.body.len(), compact.len(), "{body}");
    }
    let mut logged: Vec<String> = log.iter().map(|d| d.delivery_id.clone()).collect();
    ids.sort();
    logged.sort();
    assert_eq!(ids, logged, "one delivery id per delivery, as logged");
    ids.dedup();
    assert_eq!(ids.len(), 3, "each event has its own delivery id");
}

#[tokio::test]
async fn the_auth_api_refuses_an_api_key() {
    // The contract sends every Auth API call with `x-client-id` (§9.1); the sandbox holds it.
    let env = Env::start().await;
    let client: RequestClient = env.client(Credentials::api_key(env.sandbox.api_key()));
    let receiver = Receiver::start().await;
    let error = client.create_webhook(&receiver.url).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    let error = client.list_webhooks().await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
}

#[tokio::test]
async fn auth_api_refusals_come_back_as_api_errors_with_details() {
    let env = Env::start().await;
    let client = env.client_id_client();
    let receiver = Receiver::start().await;
    client.create_webhook(&receiver.url).await.expect("created");

    // A zod issue list (`message: [{code, path, message}]`), read into field details.
    match client.send_test_webhook("payment.teleported").await {
        Err(Error::Api {
            status: 400,
            message,
            details,
            ..
        }) => {
            assert!(message.starts_with("Invalid enum value"), "{message}");
            assert_eq!(details[0].field.as_deref(), Some("eventType"));
        }
        other => panic!("{other:?}"),
    }
    // Plain http only for loopback hosts.
    let remote = Url::parse("http://hooks.paydesk.example/in").expect("url");
    match client.create_webhook(&remote).await {
        Err(Error::Api { status: 400, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(client.list_webhooks().await.expect("list").len(), 1);
    assert!(receiver.received().is_empty());
}
