//! The auth headers on the wire (CONTRACT.md §1.2).

use paydesk_request::Credentials;

use crate::support::{Stub, CLIENT_ID, KEY};

const NOT_FOUND: &str = r#"{"statusCode":404,"message":"Token not found","error":"Not Found"}"#;

#[tokio::test]
async fn api_key_sends_x_api_key_and_nothing_else() {
    let stub = Stub::answering(404, NOT_FOUND).await;
    stub.client().secure_payment_status("01A").await.unwrap();
    let sent = stub.last();
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("x-client-id"), None);
    assert_eq!(sent.header("origin"), None);
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert!(sent
        .header("user-agent")
        .unwrap()
        .starts_with("paydesk-request/"));
}

#[tokio::test]
async fn client_id_sends_x_client_id_and_origin() {
    let stub = Stub::answering(404, NOT_FOUND).await;
    let client = stub.client_with(Credentials::client_id(
        CLIENT_ID,
        Some("https://paydesk.example".into()),
    ));
    client.secure_payment_status("01A").await.unwrap();
    let sent = stub.last();
    assert_eq!(sent.header("x-client-id"), Some(CLIENT_ID));
    assert_eq!(sent.header("origin"), Some("https://paydesk.example"));
    assert_eq!(sent.header("x-api-key"), None);
}

#[tokio::test]
async fn backend_client_id_sends_no_origin() {
    let stub = Stub::answering(404, NOT_FOUND).await;
    let client = stub.client_with(Credentials::client_id(CLIENT_ID, None));
    client.secure_payment_status("01A").await.unwrap();
    let sent = stub.last();
    assert_eq!(sent.header("x-client-id"), Some(CLIENT_ID));
    assert_eq!(sent.header("origin"), None);
}

#[tokio::test]
async fn webhook_calls_carry_the_same_credential() {
    let stub = Stub::answering(200, "[]").await;
    let client = stub.client_with(Credentials::client_id(
        CLIENT_ID,
        Some("http://localhost".into()),
    ));
    client.list_webhooks().await.unwrap();
    let sent = stub.last();
    assert_eq!(sent.path, "/v1/webhook");
    assert_eq!(sent.header("x-client-id"), Some(CLIENT_ID));
    assert_eq!(sent.header("origin"), Some("http://localhost"));
}

#[tokio::test]
async fn debug_of_the_client_and_its_config_hides_the_credential() {
    let stub = Stub::answering(404, NOT_FOUND).await;
    for (credentials, secret) in [
        (Credentials::api_key(KEY), KEY),
        (Credentials::client_id(CLIENT_ID, None), CLIENT_ID),
    ] {
        let config = paydesk_request::ClientConfig::custom(
            stub.base.clone(),
            stub.base.clone(),
            credentials.clone(),
        );
        let client = stub.client_with(credentials);
        crate::support::assert_no_secret(secret, &client, "");
        crate::support::assert_no_secret(secret, &config, "");
    }
}
