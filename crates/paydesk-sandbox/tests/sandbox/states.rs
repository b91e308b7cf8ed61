//! Payment states and what `GET /v2/secure-payments/:token` answers in each (CONTRACT.md §5,
//! §11): 200 pending (also partially paid or after a failure), 423 processing, 409 completed
//! with a txHash per request, 403 expired or invalidated, 404 unknown.

use std::time::Duration;

use paydesk_sandbox::{messages, ControlError, LinkState, RequestState};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;

use crate::util::start;

fn is_tx_hash(v: &serde_json::Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 66 && s.starts_with("0x"))
}

#[tokio::test]
async fn pending_link_answers_200_with_its_details() {
    let env = start().await;
    let token = env.create_amount("10.5").await;
    let a = env.get_token(&token).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["status"], "pending");
    assert_eq!(a.body["paymentType"], "single");
    assert_eq!(a.body["paymentCurrency"], "FAU-sepolia");
    assert_eq!(a.body["amount"], "10500000000000000000");
    assert_eq!(
        a.body["destination"]["destinationId"],
        env.sandbox.destination_id().expect("bound")
    );
    assert_eq!(
        env.get_token("01KJRA0M9QG8MA4X887908T8A4").await.body,
        json!({ "statusCode": 404, "message": "Secure payment not found", "error": "Not Found" })
    );
}

#[tokio::test]
async fn paid_link_answers_409_with_a_tx_hash_per_request() {
    let env = start().await;
    let created = env
        .create(json!({ "requests": [{ "amount": "10" }, { "amount": "5" }] }))
        .await;
    let token = created["token"].as_str().expect("token");
    let snapshot = env.sandbox.control().pay(token).expect("pay");
    assert_eq!(snapshot.state, LinkState::Completed);
    let a = env.get_token(token).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.body["message"], messages::COMPLETED);
    assert_eq!(a.body["status"], "completed");
    let statuses = a.body["requestStatuses"].as_array().expect("statuses");
    assert_eq!(statuses.len(), 2);
    for (s, id) in statuses
        .iter()
        .zip(created["requestIds"].as_array().expect("ids"))
    {
        assert_eq!(&s["requestId"], id);
        assert_eq!(s["hasBeenPaid"], true);
        assert!(is_tx_hash(&s["txHash"]), "{s}");
    }
    let request = env
        .get(&format!(
            "/v2/request/{}",
            created["requestIds"][0].as_str().expect("id")
        ))
        .await;
    assert_eq!(request.body["hasBeenPaid"], true);
    assert_eq!(request.body["isListening"], false);
    assert_eq!(request.body["txHash"], statuses[0]["txHash"]);
}

#[tokio::test]
async fn partial_payment_keeps_the_link_payable_until_the_total_is_reached() {
    let env = start().await;
    let token = env.create_amount("10").await;
    let control = env.sandbox.control();
    let snapshot = control.pay_part(&token, Decimal::new(4, 0)).expect("part");
    assert_eq!(snapshot.requests[0].state, RequestState::PartiallyPaid);
    assert_eq!(env.get_token(&token).await.status, StatusCode::OK);
    let rid = snapshot.requests[0].request_id.clone();
    let request = env.get(&format!("/v2/request/{rid}")).await;
    assert_eq!(
        (
            request.body["hasBeenPaid"].as_bool(),
            request.body["conversionBreakdown"]["remainingAmount"].as_str()
        ),
        (Some(false), Some("6.0"))
    );
    let snapshot = control.pay_part(&token, Decimal::new(6, 0)).expect("rest");
    assert_eq!(snapshot.state, LinkState::Completed);
    assert_eq!(env.get_token(&token).await.status, StatusCode::CONFLICT);
    assert_eq!(
        control.pay(&token).map(|_| ()),
        Err(ControlError::NotAllowed {
            token: token.clone(),
            state: LinkState::Completed,
            action: "pay"
        })
    );
}

#[tokio::test]
async fn processing_answers_423_and_a_failure_makes_it_payable_again() {
    let env = start().await;
    let token = env.create_amount("7").await;
    let control = env.sandbox.control();
    control.processing(&token).expect("hold");
    let a = env.get_token(&token).await;
    assert_eq!(a.status, StatusCode::LOCKED);
    assert_eq!(a.body["message"], messages::IN_PROGRESS);
    assert_eq!(a.body["status"], "pending");
    let s = &a.body["requestStatuses"][0];
    assert_eq!(s["hasBeenPaid"], false);
    assert!(is_tx_hash(&s["safeTxHash"]));
    assert_eq!(s["chainId"], 11155111);
    assert!(s["safePaymentDeadline"].is_i64());
    let snapshot = control.fail(&token).expect("fail");
    assert_eq!(snapshot.requests[0].state, RequestState::Failed);
    assert_eq!(env.get_token(&token).await.status, StatusCode::OK);
    control.processing(&token).expect("hold again");
    control.pay(&token).expect("the multisig executes");
    assert_eq!(env.get_token(&token).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn links_expire_seven_days_after_creation() {
    let env = start().await;
    let token = env.create_amount("3").await;
    let paid = env.create_amount("3").await;
    env.sandbox.control().pay(&paid).expect("pay");
    env.clock
        .advance(chrono::Duration::days(7) - chrono::Duration::seconds(1));
    assert_eq!(env.get_token(&token).await.status, StatusCode::OK);
    env.clock.advance(chrono::Duration::seconds(1));
    let a = env.get_token(&token).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.body["statusCode"], 403);
    assert_eq!(
        env.get_token(&paid).await.status,
        StatusCode::CONFLICT,
        "a paid link never turns expired"
    );
    assert!(matches!(
        env.sandbox.control().pay(&token),
        Err(ControlError::NotAllowed {
            state: LinkState::Expired,
            ..
        })
    ));
}

#[tokio::test]
async fn control_routes_expire_and_move_the_clock() {
    let env = start().await;
    let a = env.create_amount("1").await;
    let b = env.create_amount("1").await;
    let r = env
        .http
        .post(env.url(&format!("/__sandbox/payments/{a}/expire")))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(env.get_token(&a).await.status, StatusCode::FORBIDDEN);
    let r = env
        .http
        .post(env.url("/__sandbox/clock/advance"))
        .json(&json!({ "seconds": 7 * 24 * 3600 }))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(env.get_token(&b).await.status, StatusCode::FORBIDDEN);
    env.sandbox.control().advance_clock(Duration::from_secs(1));
    let r = env
        .http
        .post(env.url(&format!("/__sandbox/payments/{b}/pay")))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = env
        .http
        .post(env.url("/__sandbox/payments/01NOPE/pay"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn control_routes_pay_by_token_and_by_request_id() {
    let env = start().await;
    let created = env
        .create(json!({ "requests": [{ "amount": "10" }, { "amount": "5" }] }))
        .await;
    let token = created["token"].as_str().expect("token");
    let first = created["requestIds"][0].as_str().expect("id");
    let second = created["requestIds"][1].as_str().expect("id");
    let r = env
        .http
        .post(env.url(&format!("/__sandbox/requests/{first}/pay")))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        env.get_token(token).await.status,
        StatusCode::OK,
        "one of two requests paid"
    );
    let r = env
        .http
        .post(env.url(&format!("/__sandbox/requests/{second}/pay-part")))
        .json(&json!({ "amount": "2" }))
        .send()
        .await
        .expect("send");
    let snapshot: serde_json::Value = r.json().await.expect("json");
    assert_eq!(snapshot["requests"][1]["state"], "partially_paid");
    let r = env
        .http
        .post(env.url(&format!("/__sandbox/payments/{token}/pay-part")))
        .json(&json!({ "amount": "-1" }))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = env
        .http
        .post(env.url(&format!("/__sandbox/payments/{token}/pay")))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(env.get_token(token).await.status, StatusCode::CONFLICT);
    let listed: serde_json::Value = env
        .http
        .get(env.url("/__sandbox/payments"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(listed[0]["state"], "completed");
}

#[tokio::test]
async fn reset_forgets_everything() {
    let env = start().await;
    let token = env.create_amount("1").await;
    let r = env
        .http
        .post(env.url("/__sandbox/reset"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(env.get_token(&token).await.status, StatusCode::NOT_FOUND);
}
