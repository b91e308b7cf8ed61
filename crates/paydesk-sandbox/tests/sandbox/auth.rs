//! Credentials (CONTRACT.md §1.2): 401 bodies, client id and Origin rules, session-only routes,
//! the rate limit with Retry-After.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::util::{start, start_with, Auth};

fn unauthorized() -> serde_json::Value {
    json!({ "statusCode": 401, "message": "Unauthorized", "error": "Unauthorized" })
}

#[tokio::test]
async fn missing_or_wrong_credentials_get_401() {
    let env = start().await;
    let body = json!({ "requests": [{ "amount": "1" }] });
    let a = env
        .call(
            Method::POST,
            "/v2/secure-payments",
            Auth::None,
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
    for (header, value) in [
        ("x-api-key", "rn_wrong"),
        ("x-client-id", "cli_wrong"),
        ("x-orchestrator-key", "orc_x"),
    ] {
        let response = env
            .http
            .post(env.url("/v2/secure-payments"))
            .header(header, value)
            .json(&body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{header}");
    }
    let a = env.call(Method::GET, "/v1/webhook", Auth::None, None).await;
    assert_eq!(
        (a.status, a.body),
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
}

#[tokio::test]
async fn api_key_client_id_and_session_can_create() {
    let env = start().await;
    for auth in [Auth::ApiKey, Auth::ClientId, Auth::Session] {
        let a = env
            .call(
                Method::POST,
                "/v2/secure-payments",
                auth,
                Some(json!({ "requests": [{ "amount": "1" }] })),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{auth:?}: {}", a.text);
    }
}

#[tokio::test]
async fn frontend_client_id_needs_an_allowed_origin() {
    let env = start_with(|c| c.allowed_domains = vec!["https://shop.example".into()]).await;
    let send = |origin: Option<&'static str>| {
        let mut r = env
            .http
            .post(env.url("/v2/secure-payments"))
            .header("x-client-id", env.sandbox.client_id())
            .json(&json!({ "requests": [{ "amount": "1" }] }));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    let a = crate::util::answer(send(None).await.expect("send")).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.body["message"], "Origin header is required");
    let a = crate::util::answer(send(Some("https://evil.example")).await.expect("send")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = crate::util::answer(send(Some("https://shop.example")).await.expect("send")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
}

#[tokio::test]
async fn lookup_by_request_id_is_session_only() {
    let env = start().await;
    let created = env.create(json!({ "requests": [{ "amount": "3" }] })).await;
    let rid = created["requestIds"][0].as_str().expect("request id");
    let path = format!("/v2/secure-payments?requestId={rid}");
    let a = env.call(Method::GET, &path, Auth::ApiKey, None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let a = env.call(Method::GET, &path, Auth::Session, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["token"], created["token"]);
    assert_eq!(a.body["status"], "pending");
    let a = env
        .call(
            Method::GET,
            "/v2/secure-payments?requestId=01ff",
            Auth::Session,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.body["message"],
        "No secure payment found for this request ID"
    );
}

#[tokio::test]
async fn over_the_rate_limit_gets_429_with_retry_after() {
    let env = start_with(|c| c.rate_limit_per_sec = 5).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(env.get("/v2/secure-payments/01UNKNOWN").await);
    }
    assert!(
        statuses[..5]
            .iter()
            .all(|a| a.status == StatusCode::NOT_FOUND),
        "first five pass"
    );
    let limited = &statuses[5];
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.body,
        json!({ "statusCode": 429, "message": "Too Many Requests" })
    );
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=1).contains(&retry_after));
    // Another credential has its own budget; the control API is never limited.
    let a = env
        .call(
            Method::GET,
            "/v2/secure-payments/01UNKNOWN",
            Auth::ClientId,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        env.http
            .get(env.url("/__sandbox/info"))
            .send()
            .await
            .expect("send")
            .status(),
        StatusCode::OK
    );
    // Lifting the limit through the control API.
    env.sandbox.control().set_rate_limit(0);
    for _ in 0..10 {
        assert_eq!(
            env.get("/v2/secure-payments/01UNKNOWN").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn unknown_routes_answer_like_nestjs() {
    let env = start().await;
    let a = env.get("/v2/nope").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.body,
        json!({ "statusCode": 404, "message": "Cannot GET /v2/nope", "error": "Not Found" })
    );
}

#[tokio::test]
async fn auth_api_reads_the_client_id_next_to_an_api_key() {
    let env = start().await;
    let both = env
        .http
        .get(env.url("/v1/webhook"))
        .header("x-api-key", env.sandbox.api_key())
        .header("x-client-id", env.sandbox.client_id())
        .send()
        .await
        .expect("send");
    assert_eq!(both.status(), StatusCode::OK);
    let key_only = env
        .call(Method::GET, "/v1/webhook", Auth::ApiKey, None)
        .await;
    assert_eq!(key_only.status, StatusCode::UNAUTHORIZED);
}
