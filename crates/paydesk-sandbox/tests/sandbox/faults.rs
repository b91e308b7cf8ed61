//! HTTP fault knobs: added latency, a share of 5xx answers before the handler, and lost
//! responses after it ran. The control API and the payer page are never affected.

use std::time::{Duration, Instant};

use paydesk_sandbox::Faults;
use reqwest::StatusCode;
use serde_json::json;

use crate::util::start;

#[tokio::test]
async fn server_error_share_answers_5xx_and_changes_nothing() {
    let env = start().await;
    env.sandbox.control().set_faults(Faults {
        server_error_share: 1.0,
        ..Faults::default()
    });
    for _ in 0..5 {
        let a = env
            .post(
                "/v2/secure-payments",
                json!({ "requests": [{ "amount": "1" }] }),
            )
            .await;
        assert!(a.status.is_server_error(), "{}", a.status);
        assert!(a.body["statusCode"].as_u64().is_some_and(|c| c >= 500));
    }
    assert!(env.sandbox.control().payments().is_empty());
    assert_eq!(
        env.http
            .get(env.url("/__sandbox/info"))
            .send()
            .await
            .expect("send")
            .status(),
        StatusCode::OK
    );
    let r = env
        .http
        .put(env.url("/__sandbox/faults"))
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    env.create_amount("1").await;
}

#[tokio::test]
async fn lost_responses_still_create_the_link() {
    let env = start().await;
    let r = env
        .http
        .put(env.url("/__sandbox/faults"))
        .json(&json!({ "lostResponseShare": 1.0 }))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let a = env
        .post(
            "/v2/secure-payments",
            json!({ "requests": [{ "amount": "1" }] }),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        env.sandbox.control().payments().len(),
        1,
        "the effect happened, the answer was lost"
    );
}

#[tokio::test]
async fn latency_is_added_to_api_calls() {
    let env = start().await;
    env.sandbox.control().set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let started = Instant::now();
    env.get_token("01KJRA0M9QG8MA4X887908T8A4").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    let faults: Faults = env
        .http
        .get(env.url("/__sandbox/faults"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(faults.latency_ms, 150);
}

#[tokio::test]
async fn shares_are_clamped() {
    let env = start().await;
    env.sandbox.control().set_faults(Faults {
        server_error_share: 7.0,
        webhook_drop_share: -1.0,
        ..Faults::default()
    });
    let f = env.sandbox.control().faults();
    assert_eq!((f.server_error_share, f.webhook_drop_share), (1.0, 0.0));
}
