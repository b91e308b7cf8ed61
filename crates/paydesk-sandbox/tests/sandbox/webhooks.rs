//! Webhooks (CONTRACT.md §9.1-§9.6): Auth API registration routes, payment events as signed
//! compact JSON checked by an independent HMAC over the raw bytes, their variants and
//! headers, test sends, and inactive endpoints.

use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::json;

use crate::util::{expected_signature, start, Auth, Receiver};

#[tokio::test]
async fn register_list_toggle_and_delete() {
    let env = start().await;
    let (id, secret) = env.register_webhook("http://localhost:9/hook").await;
    assert_eq!(id.len(), 26);
    assert!(secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit()));
    let dup = env
        .call(
            Method::POST,
            "/v1/webhook",
            Auth::ClientId,
            Some(json!({ "url": "http://localhost:9/hook" })),
        )
        .await;
    assert_eq!(
        (dup.status, dup.body["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("Webhook already exists"))
    );
    for url in ["not a url", "http://example.com/hook"] {
        let a = env
            .call(
                Method::POST,
                "/v1/webhook",
                Auth::ClientId,
                Some(json!({ "url": url })),
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{url}");
    }
    let a = env
        .call(Method::POST, "/v1/webhook", Auth::ClientId, Some(json!({})))
        .await;
    assert_eq!(a.body["message"][0]["path"], json!(["url"]));

    let list = env
        .call(Method::GET, "/v1/webhook", Auth::ClientId, None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    assert_eq!(list.body[0]["id"], id);
    assert_eq!(list.body[0]["isActive"], true);
    assert!(
        list.body[0].get("secret").is_none(),
        "the secret is shown once"
    );

    let toggled = env
        .call(
            Method::PUT,
            &format!("/v1/webhook/{id}"),
            Auth::ClientId,
            None,
        )
        .await;
    assert_eq!(
        (toggled.status, toggled.body["isActive"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let toggled = env
        .call(
            Method::PUT,
            &format!("/v1/webhook/{id}"),
            Auth::ClientId,
            None,
        )
        .await;
    assert_eq!(toggled.body["isActive"], true);
    let gone = env
        .call(
            Method::DELETE,
            &format!("/v1/webhook/{id}"),
            Auth::ClientId,
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK);
    let again = env
        .call(
            Method::DELETE,
            &format!("/v1/webhook/{id}"),
            Auth::ClientId,
            None,
        )
        .await;
    assert_eq!(
        (again.status, again.body["message"].as_str()),
        (StatusCode::NOT_FOUND, Some("Webhook not found"))
    );
    assert_eq!(
        env.call(Method::PUT, "/v1/webhook/01NOPE", Auth::ClientId, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn payment_events_are_signed_compact_json_with_checkout_variants() {
    let env = start().await;
    let receiver = Receiver::start().await;
    let (_, secret) = env.register_webhook(&receiver.url).await;
    let token = env.create_amount("100").await;
    let snapshot = env.sandbox.control().pay(&token).expect("pay");
    let got = receiver.wait_for(2).await;
    let events: Vec<String> = got.iter().map(|r| r.event()).collect();
    assert_eq!(events, ["payment.confirmed", "payment.confirmed.checkout"]);
    for r in &got {
        assert_eq!(
            r.header("x-request-network-signature"),
            expected_signature(&secret, &r.body)
        );
        assert_eq!(r.header("content-type"), "application/json");
        assert_eq!(r.header("x-request-network-retry-count"), "0");
        assert!(ulid::Ulid::from_string(r.header("x-request-network-delivery")).is_ok());
        assert!(r.headers.get("x-request-network-test").is_none());
        let compact = serde_json::to_vec(&r.json()).expect("json");
        assert_eq!(compact.len(), r.body.len(), "sent compact, no whitespace");
        assert!(r.body.starts_with(br#"{"event":"#));
    }
    assert_ne!(
        got[0].header("x-request-network-delivery"),
        got[1].header("x-request-network-delivery")
    );
    let body = got[0].json();
    let request = &snapshot.requests[0];
    assert_eq!(body["requestId"], request.request_id);
    assert_eq!(body["requestID"], request.request_id);
    assert_eq!(body["paymentReference"], request.payment_reference);
    assert_eq!(body["txHash"].as_str(), request.tx_hash.as_deref());
    assert_eq!(
        (
            body["amount"].as_str(),
            body["totalAmountPaid"].as_str(),
            body["expectedAmount"].as_str()
        ),
        (Some("100.0"), Some("100.0"), Some("100.0"))
    );
    assert_eq!(
        body["explorer"],
        format!(
            "https://scan.request.network/request/{}",
            request.request_id
        )
    );
    assert_eq!(body["paymentProcessor"], "request-network");
    assert!(body.get("clientId").is_none(), "created with an API key");
}

#[tokio::test]
async fn client_id_links_add_the_client_id_variant() {
    let env = start().await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    let created = env
        .call(
            Method::POST,
            "/v2/secure-payments",
            Auth::ClientId,
            Some(json!({ "requests": [{ "amount": "10" }] })),
        )
        .await;
    let token = created.body["token"].as_str().expect("token");
    env.sandbox
        .control()
        .pay_part(token, Decimal::new(4, 0))
        .expect("part");
    let got = receiver.wait_for(3).await;
    let events: Vec<String> = got.iter().map(|r| r.event()).collect();
    assert_eq!(
        events,
        [
            "payment.partial",
            "payment.partial.client_id",
            "payment.partial.checkout"
        ]
    );
    let body = got[1].json();
    assert_eq!(body["clientId"], env.sandbox.client_id());
    assert_eq!(
        (
            body["amount"].as_str(),
            body["totalAmountPaid"].as_str(),
            body["expectedAmount"].as_str()
        ),
        (Some("4.0"), Some("4.0"), Some("10.0"))
    );
}

#[tokio::test]
async fn failures_send_payment_failed() {
    let env = start().await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    let token = env.create_amount("10").await;
    env.sandbox.control().fail(&token).expect("fail");
    let got = receiver.wait_for(1).await;
    let body = got[0].json();
    assert_eq!(body["event"], "payment.failed");
    assert_eq!(body["subStatus"], "failed");
}

#[tokio::test]
async fn test_sends_carry_the_test_header() {
    let env = start().await;
    let receiver = Receiver::start().await;
    let (_, secret) = env.register_webhook(&receiver.url).await;
    for event in [
        "payment.confirmed",
        "secure_payment.access_rejected",
        "compliance.updated",
        "payment.partial.checkout",
    ] {
        let a = env
            .call(
                Method::POST,
                "/v1/webhook/test",
                Auth::ClientId,
                Some(json!({ "eventType": event })),
            )
            .await;
        assert_eq!(
            (a.status, a.body.clone()),
            (StatusCode::CREATED, json!({ "sent": 1, "failed": 0 })),
            "{event}"
        );
    }
    let got = receiver.wait_for(4).await;
    for r in &got {
        assert_eq!(r.header("x-request-network-test"), "true");
        assert_eq!(
            r.header("x-request-network-signature"),
            expected_signature(&secret, &r.body)
        );
    }
    assert_eq!(got[1].event(), "secure_payment.access_rejected");
    let bad = env
        .call(
            Method::POST,
            "/v1/webhook/test",
            Auth::ClientId,
            Some(json!({ "eventType": "invalid.event" })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["message"][0]["code"], "invalid_enum_value");
    assert!(bad.body["message"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .ends_with("received 'invalid.event'"));
}

#[tokio::test]
async fn test_send_without_active_endpoints_is_404() {
    let env = start().await;
    let a = env
        .call(
            Method::POST,
            "/v1/webhook/test",
            Auth::ClientId,
            Some(json!({ "eventType": "payment.confirmed" })),
        )
        .await;
    assert_eq!(
        (a.status, a.body["message"].as_str()),
        (StatusCode::NOT_FOUND, Some("No active webhooks found"))
    );
}

#[tokio::test]
async fn inactive_endpoints_get_nothing() {
    let env = start().await;
    let active = Receiver::start().await;
    let paused = Receiver::start().await;
    env.register_webhook(&active.url).await;
    let (paused_id, _) = env.register_webhook(&paused.url).await;
    env.call(
        Method::PUT,
        &format!("/v1/webhook/{paused_id}"),
        Auth::ClientId,
        Some(json!({ "isActive": false })),
    )
    .await;
    env.sandbox
        .control()
        .pay(&env.create_amount("1").await)
        .expect("pay");
    active.wait_for(2).await;
    let log = env.sandbox.control().deliveries();
    assert!(log.iter().all(|d| d.webhook_id != paused_id));
    assert!(paused.received().is_empty());
}
