//! The signed webhook receiver over real loopback HTTP: only correctly signed deliveries reach
//! the books, each delivery id is applied once (even when 8 arrive at once), status moves
//! forward only, and every payment event's link is handed to the poller.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use paydesk_core::outbox::{GatewayError, LinkGateway};
use paydesk_core::secrets::{MemoryStore, Secret};
use paydesk_core::status::PayState;
use paydesk_core::store::CreatedLink;
use paydesk_core::webhook::receiver::ReceiverHandle;
use paydesk_core::webhook::{event, sign, verify, SignatureError};
use paydesk_core::{
    ClientInput, InvoiceInput, InvoiceStatus, LineItemInput, LinkOptions, LinkPayload, Paydesk,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const SECRET: &str = "3f9a1c0b7e5d4a2f8c6b1e0d9a7f5c3b2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b";
const PATH: &str = "p4th-s3cret-0123456789abcdef";

/// Creates links whose request id is `req-<n>`.
struct FakeLinks(AtomicU64);

impl LinkGateway for FakeLinks {
    async fn create_link(&self, _: &LinkPayload) -> Result<CreatedLink, GatewayError> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        Ok(CreatedLink {
            token: format!("tok-{n}"),
            request_ids: vec![format!("req-{n}")],
            secure_payment_url: format!("https://pay.example/?token=tok-{n}"),
        })
    }
}

/// Books with one invoice of 100 FAU and its live link (request `req-0`), and a receiver.
struct Env {
    _dir: tempfile::TempDir,
    app: Paydesk,
    invoice: String,
    token: String,
    hooks: ReceiverHandle,
    polls: UnboundedReceiver<String>,
    http: reqwest::Client,
}

impl Env {
    async fn start() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("books");
        let client_id = app
            .create_client(&ClientInput {
                name: "Acme Studio".into(),
                ..Default::default()
            })
            .expect("client")
            .id;
        let invoice = app
            .create_invoice(&InvoiceInput {
                client_id,
                currency: "FAU-sepolia".into(),
                issue_date: "2026-11-21".into(),
                payment_terms_days: Some(30),
                lines: vec![LineItemInput {
                    description: "Design work".into(),
                    quantity: "1".into(),
                    unit_price: "100".into(),
                    tax_rate: "0".into(),
                    discount: "0".into(),
                }],
                ..Default::default()
            })
            .expect("invoice")
            .id;
        app.request_link(&invoice, &LinkOptions::default())
            .expect("queue link");
        let report = app
            .outbox()
            .expect("outbox")
            .run_once(&FakeLinks(AtomicU64::new(0)), chrono::Utc::now())
            .await
            .expect("send");
        assert_eq!(report.sent, 1);
        let token = app.links_of(&invoice).expect("links")[0].token.clone();
        let (tx, polls) = unbounded_channel();
        let hooks = app
            .webhook_receiver(Secret::new(SECRET), PATH, tx)
            .expect("receiver")
            .spawn(0)
            .await
            .expect("listen");
        Env {
            _dir: dir,
            app,
            invoice,
            token,
            hooks,
            polls,
            http: reqwest::Client::new(),
        }
    }

    /// Post `body` with `headers` to the receiver's URL; the status.
    async fn post(&self, body: Vec<u8>, headers: &[(&str, String)]) -> u16 {
        self.post_to(&self.hooks.url(), body, headers).await
    }

    async fn post_to(&self, url: &str, body: Vec<u8>, headers: &[(&str, String)]) -> u16 {
        let mut req = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req.send()
            .await
            .expect("delivery answered")
            .status()
            .as_u16()
    }

    /// A correctly signed delivery of `body` with id `id`.
    async fn deliver(&self, id: &str, body: &str) -> u16 {
        self.post(body.as_bytes().to_vec(), &signed(id, body.as_bytes()))
            .await
    }

    fn status(&mut self) -> paydesk_core::status::PaymentStatus {
        self.app.payment_status(&self.invoice).expect("status")
    }

    fn deliveries(&mut self) -> i64 {
        self.app
            .store()
            .connection()
            .query_row("SELECT count(*) FROM webhook_deliveries", [], |r| r.get(0))
            .expect("count")
    }

    fn outcome_of(&mut self, id: &str) -> String {
        self.app
            .store()
            .connection()
            .query_row(
                "SELECT outcome FROM webhook_deliveries WHERE delivery_id = ?1",
                [id],
                |r| r.get(0),
            )
            .expect("delivery row")
    }

    fn webhook_events(&mut self) -> usize {
        self.status()
            .events
            .iter()
            .filter(|e| e.source == "webhook")
            .count()
    }
}

fn signed(id: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("x-request-network-signature", sign(SECRET.as_bytes(), body)),
        ("x-request-network-delivery", id.to_string()),
        ("x-request-network-retry-count", "0".into()),
    ]
}

fn confirmed(request: &str) -> String {
    format!(
        r#"{{"event":"payment.confirmed","requestId":"{request}","requestID":"{request}","amount":"100.0","totalAmountPaid":"100.0","expectedAmount":"100.0","txHash":"0xfeed","timestamp":"2026-11-21T12:00:00Z"}}"#
    )
}

fn partial(request: &str, total: &str) -> String {
    format!(
        r#"{{"event":"payment.partial","requestId":"{request}","requestID":"{request}","amount":"{total}","totalAmountPaid":"{total}","expectedAmount":"100.0","txHash":"0xbeef"}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_delivery_is_401_and_stores_nothing() {
    let mut env = Env::start().await;
    let body = confirmed("req-0");
    let status = env
        .post(
            body.into_bytes(),
            &[("x-request-network-delivery", "01UNSIGNED".into())],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(env.deliveries(), 0);
    assert_eq!(env.status().invoice_status, InvoiceStatus::Issued);
    let recent = env.hooks.receiver().recent();
    assert_eq!(recent[0].outcome, "rejected");
    assert_eq!(recent[0].detail.as_deref(), Some("missing_signature"));
    assert!(env.polls.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrongly_signed_delivery_is_401() {
    let mut env = Env::start().await;
    let body = confirmed("req-0");
    for bad in ["0".repeat(64), "not-hex".into(), "zz".repeat(32)] {
        let status = env
            .post(
                body.clone().into_bytes(),
                &[
                    ("x-request-network-signature", bad),
                    ("x-request-network-delivery", "01WRONG".into()),
                ],
            )
            .await;
        assert_eq!(status, 401);
    }
    assert_eq!(env.deliveries(), 0);
    assert_eq!(env.status().pay_state, PayState::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_signed_with_another_secret_is_401() {
    let mut env = Env::start().await;
    let body = confirmed("req-0");
    let status = env
        .post(
            body.clone().into_bytes(),
            &[
                (
                    "x-request-network-signature",
                    sign(b"someone-elses-secret", body.as_bytes()),
                ),
                ("x-request-network-delivery", "01OTHER".into()),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(env.deliveries(), 0);
    assert_eq!(env.status().invoice_status, InvoiceStatus::Issued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_altered_after_signing_is_401() {
    let mut env = Env::start().await;
    let original = partial("req-0", "1.0");
    let altered = partial("req-0", "100.0");
    let status = env
        .post(
            altered.into_bytes(),
            &signed("01ALTERED", original.as_bytes()),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(env.deliveries(), 0);
    assert_eq!(env.status().pay_state, PayState::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_delivery_is_200_and_applied_once() {
    let mut env = Env::start().await;
    let body = partial("req-0", "40.0");
    assert_eq!(env.deliver("01REPLAY", &body).await, 200);
    assert_eq!(env.deliver("01REPLAY", &body).await, 200);
    assert_eq!(env.deliveries(), 1);
    assert_eq!(env.webhook_events(), 1);
    let status = env.status();
    assert_eq!(status.invoice_status, InvoiceStatus::PartiallyPaid);
    assert_eq!(status.pay_state, PayState::PartiallyPaid);
    let left: Decimal = status.amount_left.expect("left").parse().expect("decimal");
    assert_eq!(left, Decimal::from(60));
    // The first delivery asked for a confirming poll; the replay did not.
    assert_eq!(env.polls.recv().await.as_deref(), Some(env.token.as_str()));
    assert!(env.polls.try_recv().is_err());
    let recent = env.hooks.receiver().recent();
    assert_eq!(recent[0].outcome, "duplicate");
    assert_eq!(recent[1].outcome, "applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_after_confirmed_does_not_undo_paid() {
    let mut env = Env::start().await;
    assert_eq!(env.deliver("01CONFIRM", &confirmed("req-0")).await, 200);
    assert_eq!(env.deliver("01LATE", &partial("req-0", "40.0")).await, 200);
    let status = env.status();
    assert_eq!(status.invoice_status, InvoiceStatus::Paid);
    assert_eq!(status.pay_state, PayState::Paid);
    assert_eq!(status.tx_hash.as_deref(), Some("0xfeed"));
    // Both are in the history; the late one is logged as not applied.
    let hooks: Vec<_> = status
        .events
        .iter()
        .filter(|e| e.source == "webhook")
        .collect();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].observed, "partially_paid");
    assert!(!hooks[0].applied);
    assert_eq!(hooks[0].pay_state, "paid");
    assert!(hooks[1].applied);
    // Both payment events still ask for a confirming poll.
    assert_eq!(env.polls.recv().await.as_deref(), Some(env.token.as_str()));
    assert_eq!(env.polls.recv().await.as_deref(), Some(env.token.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_megabyte_body_is_413() {
    let mut env = Env::start().await;
    let body = vec![b' '; 1024 * 1024];
    let headers = signed("01HUGE", &body);
    assert_eq!(env.post(body, &headers).await, 413);
    assert_eq!(env.deliveries(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_is_400_after_a_valid_signature() {
    let mut env = Env::start().await;
    let body = b"{\"event\":\"payment.confirmed\",\"requestId\":\"\xff\xfe\"}".to_vec();
    let headers = signed("01BADUTF8", &body);
    assert_eq!(env.post(body, &headers).await, 400);
    assert_eq!(env.deliveries(), 0);
    let recent = env.hooks.receiver().recent();
    assert!(recent[0].verified);
    assert_eq!(recent[0].status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_and_missing_delivery_id_are_400() {
    let mut env = Env::start().await;
    let body = b"{\"event\":".to_vec();
    let headers = signed("01TRUNC", &body);
    assert_eq!(env.post(body, &headers).await, 400);
    let body = confirmed("req-0").into_bytes();
    let headers = vec![(
        "x-request-network-signature",
        sign(SECRET.as_bytes(), &body),
    )];
    assert_eq!(env.post(body, &headers).await, 400);
    assert_eq!(env.deliveries(), 0);
    assert_eq!(env.status().invoice_status, InvoiceStatus::Issued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_path_is_404() {
    let mut env = Env::start().await;
    let body = confirmed("req-0");
    let base = format!("http://{}", env.hooks.addr);
    for path in [
        "/hooks/p4th-s3cret-0123456789abcdeX",
        "/hooks/",
        "/hooks",
        "/",
    ] {
        let status = env
            .post_to(
                &format!("{base}{path}"),
                body.clone().into_bytes(),
                &signed("01PATH", body.as_bytes()),
            )
            .await;
        assert_eq!(status, 404, "{path}");
    }
    assert_eq!(env.deliveries(), 0);
    assert!(env.hooks.addr.ip().is_loopback());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_event_is_acknowledged_and_ignored() {
    let mut env = Env::start().await;
    let body = r#"{"event":"compliance.updated","clientUserId":"u1","kycStatus":"approved"}"#;
    assert_eq!(env.deliver("01UNKNOWN", body).await, 200);
    assert_eq!(env.outcome_of("01UNKNOWN"), "ignored");
    assert_eq!(env.status().invoice_status, InvoiceStatus::Issued);
    assert!(env.polls.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_request_is_acknowledged() {
    let mut env = Env::start().await;
    assert_eq!(env.deliver("01NOREQ", &confirmed("req-999")).await, 200);
    assert_eq!(env.outcome_of("01NOREQ"), "unknown_request");
    assert_eq!(env.status().invoice_status, InvoiceStatus::Issued);
    assert!(env.polls.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicate_deliveries_apply_once() {
    let mut env = Env::start().await;
    let body = confirmed("req-0");
    let url = env.hooks.url();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (http, url, body) = (env.http.clone(), url.clone(), body.clone());
            tokio::spawn(async move {
                let mut req = http.post(url).body(body.clone());
                for (k, v) in signed("01CONCURRENT", body.as_bytes()) {
                    req = req.header(k, v);
                }
                req.send().await.expect("answered").status().as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task"), 200);
    }
    assert_eq!(env.deliveries(), 1);
    assert_eq!(env.webhook_events(), 1);
    assert_eq!(env.status().invoice_status, InvoiceStatus::Paid);
    let recent = env.hooks.receiver().recent();
    assert_eq!(recent.iter().filter(|r| r.outcome == "applied").count(), 1);
    assert_eq!(
        recent.iter().filter(|r| r.outcome == "duplicate").count(),
        7
    );
    assert_eq!(env.polls.recv().await.as_deref(), Some(env.token.as_str()));
    assert!(env.polls.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_delivery_changes_no_invoice() {
    let mut env = Env::start().await;
    let body = confirmed("req-0");
    let mut headers = signed("01TEST", body.as_bytes());
    headers.push(("x-request-network-test", "true".into()));
    assert_eq!(env.post(body.into_bytes(), &headers).await, 200);
    assert_eq!(env.outcome_of("01TEST"), "test");
    let status = env.status();
    assert_eq!(status.invoice_status, InvoiceStatus::Issued);
    assert_eq!(status.pay_state, PayState::Open);
    assert_eq!(env.webhook_events(), 0);
    assert!(env.polls.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_event_is_recorded_for_the_invoice() {
    let mut env = Env::start().await;
    let body = r#"{"event":"secure_payment.user_event","userEvent":"wallet_connected","securePaymentToken":"spt_1","requestIds":["req-0"]}"#;
    assert_eq!(env.deliver("01USER", body).await, 200);
    let invoice = env.invoice.clone();
    let log = env.app.webhook_deliveries(&invoice).expect("deliveries");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, "user_event");
    assert_eq!(log[0].detail.as_deref(), Some("wallet_connected"));
    let activity = env.status().activity;
    assert_eq!(activity.len(), 1);
    assert_eq!(activity[0].user_event, "wallet_connected");
    assert_eq!(env.status().invoice_status, InvoiceStatus::Issued);
    assert!(env.polls.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uppercase_signature_and_shutdown() {
    let env = Env::start().await;
    let body = confirmed("req-0");
    let mut headers = signed("01UPPER", body.as_bytes());
    headers[0].1 = headers[0].1.to_uppercase();
    assert_eq!(env.post(body.into_bytes(), &headers).await, 200);
    let url = env.hooks.url();
    env.hooks.shutdown().await;
    assert!(env.http.post(url).body("{}").send().await.is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bodies_with_a_wrong_signature_are_rejected(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        header in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80)),
    ) {
        let good = sign(SECRET.as_bytes(), &body);
        let result = verify(SECRET.as_bytes(), &body, header.as_deref());
        match header {
            Some(h) if h.eq_ignore_ascii_case(good.as_bytes()) => prop_assert!(result.is_ok()),
            _ => prop_assert!(result.is_err()),
        }
    }

    #[test]
    fn a_flipped_bit_of_a_good_signature_is_a_mismatch(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        at in 0usize..32,
        bit in 0u8..8,
    ) {
        let mut raw = hex::decode(sign(SECRET.as_bytes(), &body)).expect("hex");
        raw[at] ^= 1 << bit;
        let bad = hex::encode(raw);
        prop_assert_eq!(
            verify(SECRET.as_bytes(), &body, Some(bad.as_bytes())),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn correctly_signed_arbitrary_bodies_verify(
        body in proptest::collection::vec(any::<u8>(), 0..4096),
        secret in proptest::collection::vec(any::<u8>(), 1..100),
    ) {
        let sig = sign(&secret, &body);
        prop_assert_eq!(verify(&secret, &body, Some(sig.as_bytes())), Ok(()));
        prop_assert_eq!(verify(&secret, &body, Some(sig.to_uppercase().as_bytes())), Ok(()));
    }

    #[test]
    fn the_parser_never_panics(body in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = event::parse(&body);
    }

    #[test]
    fn the_parser_never_panics_on_event_shaped_json(
        name in prop_oneof![
            Just("payment.confirmed".to_string()),
            Just("payment.partial.checkout".to_string()),
            Just("secure_payment.user_event".to_string()),
            Just("payment.failed".to_string()),
            "[a-z._]{0,30}",
        ],
        request in proptest::option::of("[ -~]{0,20}"),
        amount in proptest::option::of("[0-9.eE+-]{0,12}"),
    ) {
        let mut o = serde_json::Map::new();
        o.insert("event".into(), name.into());
        if let Some(r) = request {
            o.insert("requestId".into(), r.into());
        }
        if let Some(a) = amount {
            o.insert("totalAmountPaid".into(), a.clone().into());
            o.insert("expectedAmount".into(), a.into());
        }
        let body = serde_json::to_vec(&serde_json::Value::Object(o)).expect("json");
        let _ = event::parse(&body);
    }
}
