//! Bad input is refused before any request; every API or network failure leaves the invoice
//! and the outbox consistent, with a clear message.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration};
use paydesk_core::outbox::RequestGateway;
use paydesk_core::{
    ErrorCode, InvoiceStatus, LinkOptions, LinkStatus, Mode, OutboxState, PaymentSettings,
};
use paydesk_request::validation::{REDIRECT_LABEL_WITHOUT_URL, REDIRECT_URL_UNSAFE};
use paydesk_request::{ClientConfig, Credentials, RequestClient};
use paydesk_sandbox::Faults;

use crate::{gateway, Env, DEADLINE, WRONG_KEY};

/// The invoice is still a draft with no link, and its one outbox row is in `state`.
fn untouched(env: &mut Env, id: &str, state: OutboxState) -> paydesk_core::OutboxItem {
    assert_eq!(env.app.invoice(id).unwrap().status, InvoiceStatus::Draft);
    assert!(env.app.links_of(id).unwrap().is_empty());
    let rows = env.app.outbox_list(10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, state, "{:?}", rows[0]);
    rows[0].clone()
}

#[tokio::test]
async fn zero_total_is_refused_naming_the_field() {
    let mut env = Env::start().await;
    let id = env.invoice("0");
    let e = env
        .app
        .request_link(&id, &LinkOptions::default())
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        (ErrorCode::InvalidInput, Some("total")),
        "{e}"
    );
    assert!(env.app.outbox_list(10).unwrap().is_empty());
}

#[tokio::test]
async fn unsafe_redirects_get_the_api_messages_and_queue_nothing() {
    let mut env = Env::start().await;
    let e = env
        .app
        .set_payment_settings(&PaymentSettings {
            redirect_url: Some("https://x.example/<script>".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.to_string(), format!("redirectUrl: {REDIRECT_URL_UNSAFE}"));
    let e = env
        .app
        .set_payment_settings(&PaymentSettings {
            redirect_label: Some("Back".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("redirectLabel: {REDIRECT_LABEL_WITHOUT_URL}")
    );
    let id = env.invoice("10");
    let e = env
        .app
        .request_link(
            &id,
            &LinkOptions {
                redirect_url: Some("javascript:alert(1)".into()),
                redirect_label: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.to_string(), format!("redirectUrl: {REDIRECT_URL_UNSAFE}"));
    assert!(env.app.outbox_list(10).unwrap().is_empty());
}

#[tokio::test]
async fn live_mode_without_a_destination_is_refused() {
    let mut env = Env::start().await;
    env.app.set_mode(Mode::Live).unwrap();
    let client = env
        .app
        .create_client(&paydesk_core::ClientInput {
            name: "Live client".into(),
            ..Default::default()
        })
        .unwrap();
    env.client_id = client.id;
    let id = env.invoice("10");
    let e = env
        .app
        .request_link(&id, &LinkOptions::default())
        .unwrap_err();
    assert_eq!(e.field(), Some("destinationId"), "{e}");
    env.app
        .set_payment_settings(&PaymentSettings {
            use_bound_destination: true,
            ..Default::default()
        })
        .unwrap();
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
}

#[tokio::test]
async fn missing_credentials_are_named() {
    let env = Env::start().await;
    let e = env
        .app
        .request_gateway(Some(env.sandbox.base_url()))
        .unwrap_err();
    assert_eq!(e.field(), Some("credentials"), "{e}");
}

#[tokio::test]
async fn a_wrong_key_fails_for_good_without_the_key_and_retry_recovers() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let report = env.send_with_wrong_key().await;
    assert_eq!(report.failed, 1, "{report:?}");
    let row = untouched(&mut env, &id, OutboxState::Failed);
    let message = row.last_error.unwrap();
    assert!(message.contains("unauthorized"), "{message}");
    assert!(!message.contains(WRONG_KEY), "{message}");
    // Failed is not pending: the amounts are free again, and a retry re-queues the same row.
    env.app.outbox_retry(&row.id).unwrap();
    assert_eq!(env.send().await.sent, 1);
    assert_eq!(env.app.links_of(&id).unwrap().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_until_they_stop() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.sandbox.control().set_faults(Faults {
        server_error_share: 1.0,
        ..Default::default()
    });
    let report = env.send().await;
    assert_eq!(report.retrying, 1, "{report:?}");
    let row = untouched(&mut env, &id, OutboxState::Queued);
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .starts_with("API error 5"),
        "{row:?}"
    );
    assert_eq!(row.attempts, 1);
    // Jitter pinned to 0: the first wait is exactly half the 2 s base.
    let due = DateTime::parse_from_rfc3339(&row.next_attempt_at).unwrap();
    assert_eq!(due, env.now() + Duration::seconds(1));
    assert_eq!(
        env.send().await.retrying + env.send().await.sent,
        0,
        "not due yet"
    );

    env.sandbox.control().set_faults(Faults::default());
    env.clock.advance(Duration::seconds(1));
    assert_eq!(env.send().await.sent, 1);
    assert_eq!(env.app.invoice(&id).unwrap().status, InvoiceStatus::Issued);
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after_and_every_link_gets_through() {
    let mut env = Env::start_with(|c| c.rate_limit_per_sec = 2).await;
    let ids: Vec<_> = (0..6).map(|_| env.invoice("10")).collect();
    for id in &ids {
        env.app.request_link(id, &LinkOptions::default()).unwrap();
    }
    let first = env.send().await;
    assert!(first.retrying > 0, "{first:?}");
    let limited = env
        .app
        .outbox_list(10)
        .unwrap()
        .into_iter()
        .find(|r| r.state == OutboxState::Queued)
        .unwrap();
    assert!(
        limited
            .last_error
            .as_deref()
            .unwrap()
            .contains("rate limited"),
        "{limited:?}"
    );
    let due = DateTime::parse_from_rfc3339(&limited.next_attempt_at).unwrap();
    assert!(
        due >= env.now() + Duration::seconds(1),
        "Retry-After is honoured: {due}"
    );
    // The sandbox's window is real time: keep sending (at a later "now") until all are through.
    let deadline = std::time::Instant::now() + DEADLINE;
    let mut sent = first.sent;
    while sent < 6 {
        assert!(std::time::Instant::now() < deadline, "links still queued");
        env.clock.advance(Duration::hours(1));
        sent += env.send().await.sent;
        tokio::task::yield_now().await;
    }
    for id in &ids {
        assert_eq!(env.app.links_of(id).unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_timeout_is_retried_and_only_the_stored_link_is_live() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.sandbox.control().set_faults(Faults {
        latency_ms: 600,
        ..Default::default()
    });
    let impatient = gateway(
        &env.sandbox,
        env.sandbox.api_key(),
        StdDuration::from_millis(100),
    );
    let report = env.outbox().run_once(&impatient, env.now()).await.unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    let row = untouched(&mut env, &id, OutboxState::Queued);
    assert!(row.last_error.unwrap().contains("no answer within"));

    env.sandbox.control().set_faults(Faults::default());
    env.clock.advance(Duration::hours(1));
    assert_eq!(env.send().await.sent, 1);
    let links = env.app.links_of(&id).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].status, LinkStatus::Live);
}

#[tokio::test]
async fn a_lost_response_is_resent_and_the_orphan_is_never_stored() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.sandbox.control().set_faults(Faults {
        lost_response_share: 1.0,
        ..Default::default()
    });
    assert_eq!(env.send().await.retrying, 1);
    untouched(&mut env, &id, OutboxState::Queued);
    assert_eq!(
        env.sandbox.control().payments().len(),
        1,
        "the server acted"
    );

    env.sandbox.control().set_faults(Faults::default());
    env.clock.advance(Duration::hours(1));
    assert_eq!(env.send().await.sent, 1);
    let links = env.app.links_of(&id).unwrap();
    assert_eq!(links.len(), 1, "only the answered link is known to the app");
    assert_eq!(env.sandbox.control().payments().len(), 2);
}

#[tokio::test]
async fn a_malformed_answer_fails_the_row_and_names_the_problem() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let stub = axum::Router::new().route(
        "/v2/secure-payments",
        axum::routing::post(|| async {
            (
                axum::http::StatusCode::CREATED,
                [("content-type", "application/json")],
                r#"{"requestIds":["01ab"],"token":7}"#,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base: url::Url = format!("http://{}/", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, stub).await });
    let config = ClientConfig::custom(base.clone(), base, Credentials::api_key("rn_stub"));
    let stubbed = RequestGateway::new(RequestClient::new(config).unwrap());
    let report = env.outbox().run_once(&stubbed, env.now()).await.unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    let row = untouched(&mut env, &id, OutboxState::Failed);
    let message = row.last_error.unwrap();
    assert!(message.starts_with("malformed response"), "{message}");
}
