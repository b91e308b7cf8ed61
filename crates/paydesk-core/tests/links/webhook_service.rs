//! Webhooks end to end against the sandbox: the service registers its URL with the client id,
//! the sandbox pays and delivers a signed webhook, and the invoice is paid with no poller
//! running; with every webhook dropped, polling alone still gets there. A payout's webhook makes
//! its link due at once and the poll marks it paid. Turning webhooks off removes the
//! registration and its secret.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use paydesk_core::secrets::{SecretKind, SecretStore};
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::tunnel::{TokioLauncher, TunnelOptions};
use paydesk_core::webhook::{WebhookService, WebhookStatus};
use paydesk_core::{InvoiceStatus, LinkOptions, Mode, PayoutState, TunnelKind, WebhookConfig};
use paydesk_request::{ClientConfig, Credentials, RequestClient};
use paydesk_sandbox::Faults;

use crate::{Env, DEADLINE};

/// A port that was free a moment ago (the receiver binds it; the manual URL names it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Wait until `ready` holds, checking every 20 ms, up to [`DEADLINE`].
async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// Books whose credential is the sandbox's client id (links made with it reach its webhooks),
/// one invoice of `price` with a live link, and webhooks on through a "manual" public URL that
/// is the receiver's own loopback address.
async fn setup(env: &mut Env, price: &str) -> (String, String, WebhookService) {
    // Links made with the client id, as in live mode (the sandbox delivers to every webhook).
    env.app
        .set_secret(SecretKind::ClientId, env.sandbox.client_id())
        .expect("client id");
    let gateway = env
        .app
        .request_gateway(Some(env.sandbox.base_url()))
        .expect("client-id gateway");
    let invoice = env.invoice(price);
    env.app
        .request_link(&invoice, &LinkOptions::default())
        .expect("queue");
    let sent = env
        .outbox()
        .run_once(&gateway, env.now())
        .await
        .expect("send");
    assert_eq!(sent.sent, 1);
    let token = env.app.links_of(&invoice).expect("links")[0].token.clone();
    let port = free_port();
    env.app
        .set_webhook_config(&WebhookConfig {
            enabled: true,
            tunnel: TunnelKind::Manual,
            public_url: Some(format!("http://127.0.0.1:{port}")),
            port: Some(port),
            binary_path: None,
        })
        .expect("config");
    let setup = env
        .app
        .webhook_setup(Some((&env.sandbox.base_url(), env.sandbox.client_id())))
        .expect("setup");
    let service = WebhookService::start(setup, Arc::new(TokioLauncher), TunnelOptions::default())
        .await
        .expect("service starts");
    (invoice, token, service)
}

async fn registered(service: &WebhookService) -> WebhookStatus {
    until("the registration", || {
        service.status().registration.state == "registered"
    })
    .await;
    service.status()
}

fn auth_client(env: &Env) -> RequestClient {
    let base = env.sandbox.base_url();
    RequestClient::new(ClientConfig::custom(
        base.clone(),
        base,
        Credentials::client_id(env.sandbox.client_id(), None),
    ))
    .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_payment_reaches_the_invoice_through_the_registered_webhook_alone() {
    let mut env = Env::start().await;
    let (invoice, token, service) = setup(&mut env, "120").await;
    let status = registered(&service).await;
    let endpoint = status.endpoint_url.clone().expect("endpoint");
    assert_eq!(status.registration.url.as_deref(), Some(endpoint.as_str()));
    assert!(status.can_register);
    assert!(status
        .secret
        .as_deref()
        .is_some_and(|s| s.starts_with("••••")));
    let listed = auth_client(&env).list_webhooks().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].url.as_deref(), Some(endpoint.as_str()));
    // The secret is in the keychain, never in the database.
    let secret = env
        .secrets
        .get(&SecretKind::WebhookSecret.account(Mode::Test))
        .expect("keychain")
        .expect("secret saved");
    let db = std::fs::read(env.app.database_path()).expect("db file");
    assert!(!db
        .windows(secret.expose().len())
        .any(|w| w == secret.expose().as_bytes()));

    // No poller runs in this test: only the webhook can move the invoice.
    env.sandbox.control().pay(&token).expect("pay");
    until("the invoice to be paid by webhook", || {
        env.app
            .payment_status(&invoice)
            .expect("status")
            .invoice_status
            == InvoiceStatus::Paid
    })
    .await;
    let paid = env.app.payment_status(&invoice).expect("status");
    assert!(paid.events.iter().all(|e| e.source == "webhook"));
    assert!(paid.tx_hash.is_some());
    // Not yet verified by a poll, and the confirming poll is due at once.
    assert_eq!(paid.verified_at, None);
    let due = paid.next_check_at.clone().expect("a confirming poll");
    assert!(due.as_str() <= paydesk_core::clock::timestamp(env.now()).as_str());
    let deliveries = service.status().deliveries;
    assert!(deliveries
        .iter()
        .any(|d| d.verified && d.outcome == "applied" && d.status == 200));

    // The confirming poll verifies it and ends polling.
    let mut poller = env
        .app
        .poller(Arc::new(RateLimiter::new(1_000)))
        .expect("poller");
    let gateway = env
        .app
        .request_gateway(Some(env.sandbox.base_url()))
        .expect("gateway");
    poller.tick(&gateway, env.now()).await.expect("tick");
    let verified = env.app.payment_status(&invoice).expect("status");
    assert!(verified.verified_at.is_some());
    assert_eq!(verified.next_check_at, None);

    // A test event arrives marked as a test and changes no invoice.
    let before = service.status().deliveries.len();
    service.send_test().await.expect("test event");
    until("the test delivery", || {
        service
            .status()
            .deliveries
            .iter()
            .any(|d| d.outcome == "test")
    })
    .await;
    assert!(service.status().deliveries.len() > before);

    // Turning webhooks off removes the registration and its secret.
    service.stop(true).await;
    assert!(auth_client(&env)
        .list_webhooks()
        .await
        .expect("list")
        .is_empty());
    assert!(env
        .secrets
        .get(&SecretKind::WebhookSecret.account(Mode::Test))
        .expect("keychain")
        .is_none());
    assert_eq!(env.app.store().webhook_registration().expect("read"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_webhook_makes_its_link_due_at_once_and_the_poll_marks_it_paid() {
    use crate::payouts::{contractor, draft, wallets, ALICE, ALICE_SUM};
    let mut env = Env::start().await;
    let (_invoice, _token, service) = setup(&mut env, "10").await;
    registered(&service).await;
    let gateway = env
        .app
        .request_gateway(Some(env.sandbox.base_url()))
        .expect("client-id gateway");
    let alice = contractor(&mut env, "Alice", "sepolia", ALICE, "FAU-sepolia");
    let id = draft(&mut env, &alice, "42", "FAU-sepolia");
    wallets(&mut env);
    env.app.approve_payout(&id, ALICE_SUM).expect("approve");
    let sent = env
        .app
        .payout_sender()
        .expect("sender")
        .run_once(&gateway, env.now())
        .await
        .expect("send");
    assert_eq!(sent.sent, 1, "{sent:?}");
    let payout = env.app.payout(&id).expect("payout");
    let token = payout.link.expect("payout link").token;
    // The first poll (due at once) finds it open and schedules the next one seconds away:
    // nothing is due at this moment any more.
    let mut poller = env
        .app
        .poller(Arc::new(RateLimiter::new(1_000)))
        .expect("poller");
    env.clock.advance(Duration::seconds(1));
    let first = poller.tick(&gateway, env.now()).await.expect("tick");
    assert!(
        first.polled >= 1 && first.payout_changes.is_empty(),
        "{first:?}"
    );
    let due_now = |env: &mut Env| {
        let now = env.now();
        env.app.store().poll_summary(now).expect("summary").1
    };
    assert_eq!(due_now(&mut env), 0);

    // Paid on the sandbox, which delivers the signed webhook for the payout's request.
    env.sandbox.control().pay(&token).expect("pay");
    until("the payout's delivery", || {
        service
            .status()
            .deliveries
            .iter()
            .any(|d| d.event.as_deref() == Some("payment.confirmed") && d.outcome == "noted")
    })
    .await;
    let delivery = service
        .status()
        .deliveries
        .into_iter()
        .find(|d| d.event.as_deref() == Some("payment.confirmed"))
        .expect("delivery");
    assert_eq!(
        delivery.detail.as_deref(),
        Some("payment.confirmed for payout PO-0001; confirming by poll"),
        "{delivery:?}"
    );
    // The webhook alone does not mark it paid: it made the link due, and the poll at the same
    // moment marks it paid.
    assert_eq!(
        env.app.payout(&id).expect("payout").state,
        PayoutState::Live
    );
    assert_eq!(due_now(&mut env), 1);
    let tick = poller.tick(&gateway, env.now()).await.expect("tick");
    assert_eq!(tick.payout_changes.len(), 1, "{tick:?}");
    assert_eq!(tick.payout_changes[0].state, PayoutState::Paid);
    let paid = env.app.payout(&id).expect("payout");
    assert_eq!(paid.state, PayoutState::Paid);
    assert!(paid.tx_hash.is_some());
    service.stop(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_every_webhook_dropped_polling_still_marks_the_invoice_paid() {
    let mut env = Env::start().await;
    let (invoice, token, service) = setup(&mut env, "75").await;
    registered(&service).await;
    env.sandbox.control().set_faults(Faults {
        webhook_drop_share: 1.0,
        ..Default::default()
    });
    env.sandbox.control().pay(&token).expect("pay");
    // The payment happened, no delivery reached us; the invoice is still issued.
    assert_eq!(
        env.app
            .payment_status(&invoice)
            .expect("status")
            .invoice_status,
        InvoiceStatus::Issued
    );
    let mut poller = env
        .app
        .poller(Arc::new(RateLimiter::new(1_000)))
        .expect("poller");
    let gateway = env
        .app
        .request_gateway(Some(env.sandbox.base_url()))
        .expect("gateway");
    env.clock.advance(Duration::minutes(1));
    poller.tick(&gateway, env.now()).await.expect("tick");
    let paid = env.app.payment_status(&invoice).expect("status");
    assert_eq!(paid.invoice_status, InvoiceStatus::Paid);
    assert!(paid.events.iter().all(|e| e.source == "poll"));
    assert!(service.status().deliveries.is_empty());
    service.stop(false).await;
    // Stopping without turning off keeps the registration for the next start.
    assert_eq!(
        auth_client(&env).list_webhooks().await.expect("list").len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_the_same_url_keeps_the_registration_and_a_new_url_replaces_it() {
    let mut env = Env::start().await;
    let (_invoice, _token, service) = setup(&mut env, "10").await;
    let first = registered(&service).await;
    let first_id = first.registration.webhook_id.clone().expect("id");
    service.stop(false).await;

    // Same port, same URL: the registration and the secret are reused.
    let setup = env
        .app
        .webhook_setup(Some((&env.sandbox.base_url(), env.sandbox.client_id())))
        .expect("setup");
    let again = WebhookService::start(setup, Arc::new(TokioLauncher), TunnelOptions::default())
        .await
        .expect("restart");
    let second = registered(&again).await;
    assert_eq!(
        second.registration.webhook_id.as_deref(),
        Some(first_id.as_str())
    );
    again.stop(false).await;

    // A new port means a new URL: the old registration is deleted, a new one made.
    let mut config = env.app.webhook_config().expect("config");
    let port = free_port();
    config.port = Some(port);
    config.public_url = Some(format!("http://127.0.0.1:{port}"));
    env.app.set_webhook_config(&config).expect("save");
    let setup = env
        .app
        .webhook_setup(Some((&env.sandbox.base_url(), env.sandbox.client_id())))
        .expect("setup");
    let moved = WebhookService::start(setup, Arc::new(TokioLauncher), TunnelOptions::default())
        .await
        .expect("restart");
    let third = registered(&moved).await;
    assert_ne!(
        third.registration.webhook_id.as_deref(),
        Some(first_id.as_str())
    );
    let listed = auth_client(&env).list_webhooks().await.expect("list");
    assert_eq!(listed.len(), 1, "the old registration was removed");
    assert_eq!(listed[0].url, third.endpoint_url);
    moved.stop(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_client_id_the_url_is_shown_and_a_pasted_secret_is_used() {
    let mut env = Env::start().await;
    let port = free_port();
    env.app
        .set_webhook_config(&WebhookConfig {
            enabled: true,
            tunnel: TunnelKind::Manual,
            public_url: Some(format!("http://127.0.0.1:{port}/")),
            port: Some(port),
            binary_path: None,
        })
        .expect("config");
    let setup = env.app.webhook_setup(None).expect("setup without the API");
    let service = WebhookService::start(setup, Arc::new(TokioLauncher), TunnelOptions::default())
        .await
        .expect("service");
    until("the manual endpoint", || {
        service.status().registration.state == "manual"
    })
    .await;
    let status = service.status();
    assert!(!status.can_register);
    assert_eq!(status.secret, None);
    let endpoint = status.endpoint_url.expect("endpoint to paste");
    assert!(endpoint.starts_with(&format!("http://127.0.0.1:{port}/hooks/")));
    let err = service.send_test().await.expect_err("no client id");
    assert!(err.to_string().contains("clientId"), "{err}");

    // Before a secret is pasted every delivery is refused; after, a signed one is accepted.
    let body = br#"{"event":"payment.confirmed","requestId":"nobody"}"#;
    let post = |signature: String, id: &'static str| {
        let endpoint = endpoint.clone();
        async move {
            reqwest::Client::new()
                .post(endpoint)
                .header("content-type", "application/json")
                .header("x-request-network-signature", signature)
                .header("x-request-network-delivery", id)
                .body(body.to_vec())
                .send()
                .await
                .expect("answer")
                .status()
                .as_u16()
        }
    };
    let secret = "pasted-secret-0123456789";
    let signature = paydesk_core::webhook::sign(secret.as_bytes(), body);
    assert_eq!(post(signature.clone(), "01A").await, 401);
    env.app
        .set_secret(SecretKind::WebhookSecret, secret)
        .expect("paste the secret");
    service.reload_secret().expect("reload");
    assert_eq!(post(signature, "01B").await, 200);
    let deliveries = service.status().deliveries;
    assert_eq!(deliveries[0].outcome, "unknown_request");
    assert_eq!(deliveries[1].outcome, "rejected");
    assert_eq!(
        deliveries[1].detail.as_deref(),
        Some("no signing secret is saved yet")
    );
    service.stop(true).await;
    // Turning off does not delete a secret the user pasted (Paydesk registered nothing).
    assert!(env
        .secrets
        .get(&SecretKind::WebhookSecret.account(Mode::Test))
        .expect("keychain")
        .is_some());
}
