//! Webhook delivery (CONTRACT.md §9.4): retries with one delivery id and counted attempts,
//! giving up after four, timeouts, the delivery log, and the drop / duplicate / out-of-order
//! fault knobs.

use std::time::Duration;

use paydesk_sandbox::{DeliveryStatus, Faults};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::json;

use crate::util::{expected_signature, start, start_with, Auth, Receiver, DEADLINE};

#[tokio::test]
async fn retries_keep_the_delivery_id_and_count_attempts() {
    let env = start().await;
    let receiver = Receiver::start().await;
    let (_, secret) = env.register_webhook(&receiver.url).await;
    receiver.script(&[500, 500]);
    let a = env
        .call(
            Method::POST,
            "/v1/webhook/test",
            Auth::ClientId,
            Some(json!({ "eventType": "payment.failed" })),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(
        a.body,
        json!({ "sent": 0, "failed": 1 }),
        "the first attempt got a 500"
    );
    let got = receiver.wait_for(3).await;
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.header("x-request-network-delivery"))
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let counts: Vec<&str> = got
        .iter()
        .map(|r| r.header("x-request-network-retry-count"))
        .collect();
    assert_eq!(counts, ["0", "1", "2"]);
    assert!(got.iter().all(|r| r.body == got[0].body
        && r.header("x-request-network-signature") == expected_signature(&secret, &r.body)));
    let log = env
        .sandbox
        .control()
        .wait_for_deliveries(DEADLINE, |d| {
            d.iter().all(|d| d.status == DeliveryStatus::Delivered)
        })
        .await
        .expect("delivered");
    let codes: Vec<Option<u16>> = log[0].attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(200)]);
}

#[tokio::test]
async fn four_failed_attempts_give_up() {
    let env = start().await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    receiver.script(&[404, 401, 500, 503, 500, 502, 422, 500]);
    env.sandbox
        .control()
        .pay(&env.create_amount("1").await)
        .expect("pay");
    let log = env
        .sandbox
        .control()
        .wait_for_deliveries(DEADLINE, |d| {
            d.len() == 2 && d.iter().all(|d| d.status != DeliveryStatus::Pending)
        })
        .await
        .expect("settled");
    for failed in &log {
        assert_eq!(failed.status, DeliveryStatus::Failed);
        assert_eq!(
            failed
                .attempts
                .iter()
                .map(|a| a.retry_count)
                .collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
    }
}

#[tokio::test]
async fn slow_receivers_time_out_and_are_retried() {
    let env = start_with(|c| c.webhook_timeout = Duration::from_millis(150)).await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    receiver.delay(Duration::from_millis(400));
    env.call(
        Method::POST,
        "/v1/webhook/test",
        Auth::ClientId,
        Some(json!({ "eventType": "payment.confirmed" })),
    )
    .await;
    let log = env
        .sandbox
        .control()
        .wait_for_deliveries(DEADLINE, |d| {
            d.first()
                .is_some_and(|d| d.status == DeliveryStatus::Failed)
        })
        .await
        .expect("gave up");
    assert_eq!(log[0].attempts.len(), 4);
    assert!(
        log[0]
            .attempts
            .iter()
            .all(|a| a.error.as_deref().is_some_and(|e| e.contains("timed out"))),
        "{:?}",
        log[0].attempts
    );
}

#[tokio::test]
async fn drop_fault_sends_nothing() {
    let env = start().await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    env.sandbox.control().set_faults(Faults {
        webhook_drop_share: 1.0,
        ..Faults::default()
    });
    env.sandbox
        .control()
        .pay(&env.create_amount("1").await)
        .expect("pay");
    let log = env
        .sandbox
        .control()
        .wait_for_deliveries(DEADLINE, |d| {
            d.len() == 2 && d.iter().all(|d| d.status == DeliveryStatus::Dropped)
        })
        .await;
    assert!(log.is_some(), "{:?}", env.sandbox.control().deliveries());
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn duplicate_fault_sends_the_same_delivery_twice() {
    let env = start().await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    env.sandbox.control().set_faults(Faults {
        webhook_duplicate_share: 1.0,
        ..Faults::default()
    });
    env.call(
        Method::POST,
        "/v1/webhook/test",
        Auth::ClientId,
        Some(json!({ "eventType": "payment.confirmed" })),
    )
    .await;
    let got = receiver.wait_for(2).await;
    assert_eq!(
        got[0].header("x-request-network-delivery"),
        got[1].header("x-request-network-delivery")
    );
    assert_eq!(got[0].body, got[1].body);
}

#[tokio::test]
async fn out_of_order_fault_sends_newest_first() {
    let env = start_with(|c| c.webhook_reorder_window = Duration::from_millis(500)).await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    env.sandbox.control().set_faults(Faults {
        webhook_out_of_order: true,
        ..Faults::default()
    });
    let token = env.create_amount("10").await;
    env.sandbox
        .control()
        .pay_part(&token, Decimal::new(4, 0))
        .expect("part");
    env.sandbox.control().pay(&token).expect("rest");
    let got = receiver.wait_for(4).await;
    let events: Vec<String> = got.iter().map(|r| r.event()).collect();
    assert_eq!(
        events,
        [
            "payment.confirmed.checkout",
            "payment.confirmed",
            "payment.partial.checkout",
            "payment.partial"
        ]
    );
}

#[tokio::test]
async fn control_route_lists_deliveries() {
    let env = start().await;
    let receiver = Receiver::start().await;
    env.register_webhook(&receiver.url).await;
    env.call(
        Method::POST,
        "/v1/webhook/test",
        Auth::ClientId,
        Some(json!({ "eventType": "payment.confirmed" })),
    )
    .await;
    receiver.wait_for(1).await;
    let list: serde_json::Value = env
        .http
        .get(env.url("/__sandbox/deliveries"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["event"], "payment.confirmed");
    assert_eq!(list[0]["test"], true);
    assert_eq!(list[0]["attempts"][0]["retryCount"], 0);
    assert!(list[0]["body"]
        .as_str()
        .unwrap_or_default()
        .starts_with(r#"{"event":"payment.confirmed""#));
}
