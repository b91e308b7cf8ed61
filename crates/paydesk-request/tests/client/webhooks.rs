//! Auth API webhook endpoints (CONTRACT.md §9.1).

use std::time::Duration;

use axum::http::Method;
use paydesk_request::{Credentials, Error};
use serde_json::json;
use url::Url;

use crate::support::{client_for, reply, reply_with, Stub, CLIENT_ID};

const SECRET: &str = "9f8688812f6abb01ee7a36934ab10cabab4498a24d2dc080f900ced57617713c";

fn hook_url() -> Url {
    Url::parse("https://paydesk.example/webhooks/request").unwrap()
}

#[tokio::test]
async fn create_goes_to_the_auth_api_and_returns_id_and_secret() {
    let api = Stub::answering(500, "{}").await;
    let auth = Stub::start(|_| {
        reply(
            201,
            &format!(r#"{{"id":"01KJC2WX8EH4MP3DHZB2YQ7N9G","secret":"{SECRET}"}}"#),
        )
    })
    .await;
    let client = client_for(
        &api.base,
        &auth.base,
        Credentials::client_id(CLIENT_ID, None),
        Duration::from_secs(5),
    );
    let created = client.create_webhook(&hook_url()).await.unwrap();
    assert_eq!(created.id, "01KJC2WX8EH4MP3DHZB2YQ7N9G");
    assert_eq!(created.secret.expose(), SECRET);
    assert!(!format!("{created:?}").contains(SECRET));
    let sent = auth.last();
    assert_eq!(
        (sent.method.clone(), sent.path.as_str()),
        (Method::POST, "/v1/webhook")
    );
    assert_eq!(
        sent.json(),
        json!({"url": "https://paydesk.example/webhooks/request"})
    );
    assert_eq!(api.hits(), 0, "webhooks live on the Auth API");
}

#[tokio::test]
async fn create_without_a_secret_is_malformed() {
    let stub = Stub::answering(201, r#"{"id":"01KJC2WX8EH4MP3DHZB2YQ7N9G"}"#).await;
    let error = stub.client().create_webhook(&hook_url()).await.unwrap_err();
    assert_eq!(error.code(), "malformed");
    assert!(error.to_string().contains("secret"), "{error}");
}

#[tokio::test]
async fn create_of_a_duplicate_is_an_api_error() {
    let stub = Stub::answering(
        400,
        r#"{"statusCode":400,"message":"Webhook already exists","error":"Bad Request"}"#,
    )
    .await;
    let error = stub.client().create_webhook(&hook_url()).await.unwrap_err();
    assert_eq!(
        error,
        Error::Api {
            status: 400,
            message: "Webhook already exists".into(),
            error: Some("Bad Request".into()),
            details: vec![]
        }
    );
}

#[tokio::test]
async fn list_reads_the_webhooks() {
    let stub = Stub::answering(
        200,
        r#"[{"id":"01J","url":"https://a.example/h","isActive":true,"createdAt":"2025-02-17T10:50:19.497Z","secret":"abc"},
            {"id":"01K","url":"https://b.example/h","isActive":false}]"#,
    )
    .await;
    let list = stub.client().list_webhooks().await.unwrap();
    let summary: Vec<_> = list.iter().map(|w| (w.id.as_str(), w.is_active)).collect();
    assert_eq!(summary, [("01J", Some(true)), ("01K", Some(false))]);
    assert_eq!(stub.last().method, Method::GET);
}

/// A stub whose list says webhook `01J` has `is_active`.
async fn toggle_stub(is_active: bool) -> Stub {
    Stub::start(move |r| {
        if r.method == Method::GET {
            reply(200, &format!(r#"[{{"id":"01J","isActive":{is_active}}}]"#))
        } else {
            reply(200, "{}")
        }
    })
    .await
}

#[tokio::test]
async fn setting_the_state_it_already_has_sends_no_toggle() {
    let stub = toggle_stub(true).await;
    stub.client().set_webhook_active("01J", true).await.unwrap();
    let methods: Vec<_> = stub.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, [Method::GET]);
}

#[tokio::test]
async fn setting_another_state_sends_one_put_with_the_wanted_state() {
    let stub = toggle_stub(true).await;
    stub.client()
        .set_webhook_active("01J", false)
        .await
        .unwrap();
    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].method, Method::PUT);
    assert_eq!(requests[1].path, "/v1/webhook/01J");
    assert_eq!(requests[1].json(), json!({"isActive": false}));
}

#[tokio::test]
async fn setting_the_state_of_an_unknown_webhook_is_not_found() {
    let stub = toggle_stub(true).await;
    let error = stub
        .client()
        .set_webhook_active("01Z", false)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "not_found");
    assert_eq!(stub.hits(), 1, "no PUT for a webhook that is not there");
}

#[tokio::test]
async fn delete_sends_delete_and_reads_404_as_not_found() {
    let stub = Stub::answering(200, "").await;
    stub.client().delete_webhook("01J").await.unwrap();
    let sent = stub.last();
    assert_eq!(
        (sent.method, sent.path.as_str()),
        (Method::DELETE, "/v1/webhook/01J")
    );

    let gone = Stub::answering(
        404,
        r#"{"statusCode":404,"message":"Webhook not found","error":"Not Found"}"#,
    )
    .await;
    let error = gone.client().delete_webhook("01J").await.unwrap_err();
    assert_eq!(
        error,
        Error::NotFound {
            message: "Webhook not found".into()
        }
    );
}

#[tokio::test]
async fn test_event_is_sent_with_its_type() {
    let stub = Stub::start(|_| reply_with(201, &[], "")).await;
    stub.client()
        .send_test_webhook("payment.confirmed")
        .await
        .unwrap();
    let sent = stub.last();
    assert_eq!(
        (sent.method.clone(), sent.path.as_str()),
        (Method::POST, "/v1/webhook/test")
    );
    assert_eq!(sent.json(), json!({"eventType": "payment.confirmed"}));
}

#[tokio::test]
async fn test_event_without_active_webhooks_is_not_found() {
    let stub = Stub::answering(
        404,
        r#"{"statusCode":404,"message":"No active webhooks found","error":"Not Found"}"#,
    )
    .await;
    let error = stub
        .client()
        .send_test_webhook("payment.confirmed")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::NotFound {
            message: "No active webhooks found".into()
        }
    );
}

#[tokio::test]
async fn an_empty_webhook_id_is_refused_locally() {
    let stub = Stub::answering(200, "[]").await;
    let client = stub.client();
    assert_eq!(
        client.delete_webhook("").await.unwrap_err().code(),
        "validation"
    );
    assert_eq!(
        client
            .set_webhook_active("", true)
            .await
            .unwrap_err()
            .code(),
        "validation"
    );
    assert_eq!(stub.hits(), 0);
}
