//! Timeouts, the one-retry rule, redirects, the size cap, and log lines without secrets.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paydesk_request::{CreateSecurePayment, Credentials, Error, PaymentItem, SecurePaymentStatus};

use crate::support::{
    assert_no_secret, client_for, closed_port_base, reply, reply_with, Flaky, Reply, Stub,
    CLIENT_ID, KEY,
};

const OPEN: &str = r#"{"paymentType":"single","status":"pending"}"#;
const CREATED: &str = r#"{"requestIds":["01aa"],"securePaymentUrl":"https://pay.request.network/?token=01A","token":"01A","feePlan":null}"#;

fn link() -> CreateSecurePayment {
    CreateSecurePayment::current(vec![PaymentItem::new("1".parse().unwrap())])
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_at_the_configured_limit() {
    let stub = Stub::start(|_| Reply::Never).await;
    let limit = Duration::from_millis(300);
    let client = client_for(&stub.base, &stub.base, Credentials::api_key(KEY), limit);

    let error = client.secure_payment_status("01A").await.unwrap_err();
    assert_eq!(error, Error::Timeout { after: limit });
    assert_eq!(stub.hits(), 1, "a timeout is not retried, even for a GET");

    let error = client.create_secure_payment(&link()).await.unwrap_err();
    assert_eq!(error, Error::Timeout { after: limit });
    let error = client.list_webhooks().await.unwrap_err();
    assert_eq!(error, Error::Timeout { after: limit });
    assert_eq!(stub.hits(), 3);
}

#[tokio::test]
async fn status_get_is_retried_once_after_a_dropped_connection() {
    let flaky = Flaky::start(1, OPEN).await;
    let client = client_for(
        &flaky.base,
        &flaky.base,
        Credentials::api_key(KEY),
        Duration::from_secs(5),
    );
    let status = client.secure_payment_status("01A").await.unwrap();
    assert!(matches!(status, SecurePaymentStatus::Open(_)), "{status:?}");
    assert_eq!(flaky.connections(), 2);
}

#[tokio::test]
async fn status_get_gives_up_after_the_second_dropped_connection() {
    let flaky = Flaky::start(usize::MAX, OPEN).await;
    let client = client_for(
        &flaky.base,
        &flaky.base,
        Credentials::api_key(KEY),
        Duration::from_secs(5),
    );
    let error = client.secure_payment_status("01A").await.unwrap_err();
    assert_eq!(error.code(), "network", "{error:?}");
    assert_eq!(flaky.connections(), 2);
}

#[tokio::test]
async fn post_is_never_retried_after_a_dropped_connection() {
    let flaky = Flaky::start(1, CREATED).await;
    let client = client_for(
        &flaky.base,
        &flaky.base,
        Credentials::api_key(KEY),
        Duration::from_secs(5),
    );
    let error = client.create_secure_payment(&link()).await.unwrap_err();
    assert_eq!(error.code(), "network", "{error:?}");
    assert_eq!(flaky.connections(), 1);
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let base = closed_port_base().await;
    let client = client_for(
        &base,
        &base,
        Credentials::api_key(KEY),
        Duration::from_secs(5),
    );
    let error = client.secure_payment_status("01A").await.unwrap_err();
    let Error::Network { message } = &error else {
        panic!("{error:?}")
    };
    assert!(
        !message.contains("127.0.0.1"),
        "no URL in the message: {message}"
    );
}

#[tokio::test]
async fn redirects_are_not_followed_so_the_key_stays_home() {
    let elsewhere = Stub::answering(200, OPEN).await;
    let target = format!("{}v2/secure-payments/01A", elsewhere.base);
    let stub = Stub::start(move |_| reply_with(302, &[("location", &target)], "")).await;
    let error = stub
        .client()
        .secure_payment_status("01A")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Api {
            status: 302,
            message: "Found".into(),
            error: None,
            details: vec![]
        }
    );
    assert_eq!(elsewhere.hits(), 0);
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let huge: &'static str = Box::leak(format!("[\"{}\"]", "a".repeat(2 << 20)).into_boxed_str());
    let stub = Stub::answering(200, huge).await;
    let error = stub.client().list_webhooks().await.unwrap_err();
    assert_eq!(error.code(), "malformed");
    assert!(error.to_string().contains("larger than"), "{error}");
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn log_lines_at_trace_level_never_contain_the_credential() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // The stub echoes whichever credential it received, as a careless server might.
    let stub = Stub::start(|r| match r.path.as_str() {
        "/v1/webhook" => reply(201, r#"{"id":"01J","secret":"whsec_never_logged"}"#),
        _ => {
            let sent = r.header("x-api-key").or(r.header("x-client-id")).unwrap();
            reply(
                401,
                &format!(r#"{{"statusCode":401,"message":"bad credential {sent}"}}"#),
            )
        }
    })
    .await;
    for credentials in [
        Credentials::api_key(KEY),
        Credentials::client_id(CLIENT_ID, Some("https://paydesk.example".into())),
    ] {
        let client = stub.client_with(credentials);
        let error = client.secure_payment_status("01A").await.unwrap_err();
        tracing::warn!("status failed: {error} / {error:?}");
        let created = client
            .create_webhook(&"https://paydesk.example/hook".parse().unwrap())
            .await
            .unwrap();
        tracing::info!("webhook {created:?}");
    }
    let base = closed_port_base().await;
    let offline = client_for(
        &base,
        &base,
        Credentials::api_key(KEY),
        Duration::from_secs(5),
    );
    let _ = offline.secure_payment_status("01A").await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("paydesk_request"),
        "the capture works: {logs}"
    );
    for secret in [KEY, CLIENT_ID, "whsec_never_logged"] {
        assert_no_secret(secret, &"", &logs);
    }
}
