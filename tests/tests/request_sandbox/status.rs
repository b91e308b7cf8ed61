//! `GET /v2/secure-payments/:token` (CONTRACT.md §5, §11) in every state, read through
//! `RequestClient::secure_payment_status`: open (200), partially paid (still 200), failed
//! attempt (still 200), processing (423), completed (409 with a txHash per request), expired
//! (403), unknown (404).

use std::time::Duration;

use paydesk_request::{CreateSecurePayment, Error, PaymentItem, PaymentType, SecurePaymentStatus};
use paydesk_sandbox::{LinkState, RequestState};

use super::{dec, expect_open, is_tx_hash, Env, EVM_WALLET};

/// Sepolia, the network of the sandbox's default destination (FAU, 18 decimals).
const SEPOLIA_CHAIN_ID: u64 = 11_155_111;

#[tokio::test]
async fn status_of_a_new_link_is_open_with_its_fields() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let mut body = CreateSecurePayment::current(vec![PaymentItem::new(dec("10.5"))]);
    body.reference = Some("INV-2026-042".into());
    body.redirect_url = Some("https://paydesk.example/thanks".into());
    body.redirect_label = Some("Back to Paydesk".into());
    let created = client.create_secure_payment(&body).await.expect("created");

    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(details.payment_type, PaymentType::Single);
    assert_eq!(details.status, "pending");
    assert_eq!(details.request_ids, created.request_ids);
    assert_eq!(details.network.as_deref(), Some("sepolia"));
    assert_eq!(details.reference.as_deref(), Some("INV-2026-042"));
    assert_eq!(
        details.redirect_url.as_deref(),
        Some("https://paydesk.example/thanks")
    );
    assert_eq!(details.redirect_label.as_deref(), Some("Back to Paydesk"));
    assert_eq!(details.fee_plan, None);
    assert_eq!(details.lines.len(), 1);
    let line = &details.lines[0];
    assert_eq!(line.payee.as_deref(), Some(EVM_WALLET));
    assert_eq!(line.payment_currency.as_deref(), Some("FAU-sepolia"));
    assert_eq!(line.is_native_currency, Some(false));
    // Base units, as the OpenAPI single example: 10.5 FAU with 18 decimals.
    assert_eq!(line.amount_raw.as_deref(), Some("10500000000000000000"));
}

#[tokio::test]
async fn status_after_a_partial_payment_is_still_open() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "10").await;
    let control = env.sandbox.control();

    control
        .pay_part(&created.token, dec("4"))
        .expect("pay part");
    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(details.status, "pending");
    // `GET /:token` exposes no paid/left amounts (§5); the sandbox's own view has them.
    let request = &control.payment(&created.token).expect("link").requests[0];
    assert_eq!(request.state, RequestState::PartiallyPaid);
    assert_eq!(request.paid, "4.0");

    control
        .pay_part(&created.token, dec("6"))
        .expect("pay the rest");
    assert!(matches!(
        client.secure_payment_status(&created.token).await.unwrap(),
        SecurePaymentStatus::Completed { .. }
    ));
}

#[tokio::test]
async fn status_after_a_failed_attempt_stays_open_and_payable() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "2").await;
    let control = env.sandbox.control();

    control.fail(&created.token).expect("fail");
    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(details.status, "pending");
    assert_eq!(
        control.payment(&created.token).expect("link").requests[0].state,
        RequestState::Failed
    );

    control.pay(&created.token).expect("pay after the failure");
    assert!(matches!(
        client.secure_payment_status(&created.token).await.unwrap(),
        SecurePaymentStatus::Completed { .. }
    ));
}

#[tokio::test]
async fn status_while_processing_is_423_with_the_safe_transaction() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "2").await;
    env.sandbox
        .control()
        .processing(&created.token)
        .expect("hold");

    match client.secure_payment_status(&created.token).await.unwrap() {
        SecurePaymentStatus::Processing { requests } => {
            assert_eq!(requests.len(), 1);
            let r = &requests[0];
            assert_eq!(r.request_id, created.request_ids[0]);
            assert_eq!(r.has_been_paid, Some(false));
            assert!(r.safe_tx_hash.as_deref().is_some_and(is_tx_hash), "{r:?}");
            assert_eq!(r.chain_id, Some(SEPOLIA_CHAIN_ID));
            let now = env.sandbox.control().now().timestamp();
            assert!(r.safe_payment_deadline.is_some_and(|d| d > now), "{r:?}");
            assert_eq!(r.tx_hash, None);
        }
        other => panic!("expected 423 processing, got {other:?}"),
    }
}

#[tokio::test]
async fn status_after_full_payment_is_completed_with_tx_hashes() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let body =
        CreateSecurePayment::current(vec![PaymentItem::new(dec("1")), PaymentItem::new(dec("2"))]);
    let created = client.create_secure_payment(&body).await.expect("created");
    let paid = env.sandbox.control().pay(&created.token).expect("pay");
    assert_eq!(paid.state, LinkState::Completed);

    match client.secure_payment_status(&created.token).await.unwrap() {
        SecurePaymentStatus::Completed { requests } => {
            let got: Vec<_> = requests
                .iter()
                .map(|r| (r.request_id.clone(), r.has_been_paid, r.tx_hash.clone()))
                .collect();
            let want: Vec<_> = paid
                .requests
                .iter()
                .map(|r| (r.request_id.clone(), Some(true), r.tx_hash.clone()))
                .collect();
            assert_eq!(got, want);
            assert!(requests
                .iter()
                .all(|r| r.tx_hash.as_deref().is_some_and(is_tx_hash)));
        }
        other => panic!("expected 409 completed, got {other:?}"),
    }
}

#[tokio::test]
async fn status_after_seven_days_on_the_manual_clock_is_not_payable_expired() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "2").await;

    env.clock
        .advance(chrono::Duration::days(7) - chrono::Duration::seconds(1));
    expect_open(client.secure_payment_status(&created.token).await.unwrap());

    env.clock.advance(chrono::Duration::seconds(1));
    match client.secure_payment_status(&created.token).await.unwrap() {
        SecurePaymentStatus::NotPayable { message } => {
            assert!(message.to_lowercase().contains("expired"), "{message}")
        }
        other => panic!("expected 403 not payable, got {other:?}"),
    }
    assert_eq!(
        env.sandbox
            .control()
            .payment(&created.token)
            .expect("link")
            .state,
        LinkState::Expired
    );
}

#[tokio::test]
async fn status_of_a_link_expired_through_control_is_not_payable() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "2").await;
    env.sandbox
        .control()
        .expire(&created.token)
        .expect("expire");
    assert!(matches!(
        client.secure_payment_status(&created.token).await.unwrap(),
        SecurePaymentStatus::NotPayable { .. }
    ));
}

#[tokio::test]
async fn a_completed_link_stays_completed_after_its_expiry() {
    // The contract leaves 409-vs-403 precedence open (§16.5); both crates read "paid wins".
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "2").await;
    env.sandbox.control().pay(&created.token).expect("pay");
    env.sandbox
        .control()
        .advance_clock(Duration::from_secs(8 * 24 * 3600));
    assert!(matches!(
        client.secure_payment_status(&created.token).await.unwrap(),
        SecurePaymentStatus::Completed { .. }
    ));
}

#[tokio::test]
async fn a_token_with_reserved_characters_stays_one_path_segment() {
    let env = Env::start().await;
    let client = env.api_key_client();
    for token in ["a/b", "../payouts", "x?y#z", "%2e%2e", "..."] {
        assert_eq!(
            client.secure_payment_status(token).await.unwrap(),
            SecurePaymentStatus::Unknown,
            "{token}"
        );
    }
    // URL building drops `.` and `..` segments: `..` would have asked the session-only
    // `GET /v2/secure-payments` (401). The client refuses them before sending.
    for token in [".", ".."] {
        match client.secure_payment_status(token).await {
            Err(Error::Validation { field, .. }) => assert_eq!(field, "token"),
            other => panic!("{token}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn status_of_an_unknown_token_is_unknown() {
    let env = Env::start().await;
    let client = env.api_key_client();
    assert_eq!(
        client
            .secure_payment_status("01KJRA0M9QG8MA4X887908T8A4")
            .await
            .unwrap(),
        SecurePaymentStatus::Unknown
    );
}
