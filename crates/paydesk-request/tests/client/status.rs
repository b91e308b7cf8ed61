//! GET /v2/secure-payments/:token mapped to one outcome (CONTRACT.md §5).

use std::time::Duration;

use paydesk_request::{Error, PaymentType, SecurePaymentStatus};

use crate::support::{reply, reply_with, Stub};

const TOKEN: &str = "01KJRA0M9QG8MA4X887908T8A4";

const OPEN_SINGLE: &str = r#"{
  "paymentType": "single", "status": "pending",
  "requestIds": ["01e273ecc29d4b526df3a0f1f05ffc59372af8752c2b678096e49ac270416a7cdb"],
  "payee": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7", "network": "base",
  "amount": "10000000000000000000", "paymentCurrency": "USDC-base", "isNativeCurrency": false,
  "destination": {
    "destinationId": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    "payeeAddress": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD1234",
    "tokenAddress": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    "walletAddress": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7", "network": "base"
  },
  "reference": "ORDER-2024-001", "redirectUrl": null, "redirectLabel": null,
  "orchestratorId": null, "branding": null, "feePlan": null,
  "paymentOptions": { "BASE": { "USDC": { "balance": "150.00", "hasEnoughBalance": true, "neededAmount": "10.00" } } }
}"#;

const COMPLETED: &str = r##"{
  "message": "Secure payment has already been completed", "status": "completed",
  "branding": { "id": "brand_1", "primaryActionColor": "#00d395" },
  "requestStatuses": [
    { "requestId": "01e273ecc29d4b526df3a0f1f05ffc59372af8752c2b678096e49ac270416a7cdb", "hasBeenPaid": true,
      "txHash": "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef" },
    { "requestId": "01e273ecc29d4b526df3a0f1f05ffc59372af8752c2b678096e49ac270416a7cde", "hasBeenPaid": true,
      "txHash": "0xabcdef" }
  ]
}"##;

const PROCESSING: &str = r#"{
  "message": "Secure payment is in progress", "status": "pending", "branding": null,
  "requestStatuses": [
    { "requestId": "01e273ec", "hasBeenPaid": false,
      "safeTxHash": "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef",
      "chainId": 137, "safePaymentDeadline": 1749760800 }
  ]
}"#;

#[tokio::test]
async fn open_link_answers_200_with_its_fields() {
    let stub = Stub::answering(200, OPEN_SINGLE).await;
    let status = stub.client().secure_payment_status(TOKEN).await.unwrap();
    let SecurePaymentStatus::Open(details) = status else {
        panic!("expected Open, got {status:?}")
    };
    assert_eq!(details.payment_type, PaymentType::Single);
    assert_eq!(details.status, "pending");
    assert_eq!(details.request_ids.len(), 1);
    assert_eq!(details.network.as_deref(), Some("base"));
    assert_eq!(details.reference.as_deref(), Some("ORDER-2024-001"));
    assert_eq!(details.lines.len(), 1);
    assert_eq!(
        details.lines[0].payment_currency.as_deref(),
        Some("USDC-base")
    );
    assert_eq!(details.fee_plan, None);
    let request = stub.last();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, format!("/v2/secure-payments/{TOKEN}"));
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn processing_423_carries_the_safe_transaction() {
    let stub = Stub::answering(423, PROCESSING).await;
    let status = stub.client().secure_payment_status(TOKEN).await.unwrap();
    let SecurePaymentStatus::Processing { requests } = status else {
        panic!("expected Processing, got {status:?}")
    };
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].chain_id, Some(137));
    assert_eq!(requests[0].safe_payment_deadline, Some(1_749_760_800));
    assert!(requests[0].safe_tx_hash.is_some());
    assert_eq!(requests[0].has_been_paid, Some(false));
}

#[tokio::test]
async fn completed_409_gives_the_tx_hash_of_each_request() {
    let stub = Stub::answering(409, COMPLETED).await;
    let status = stub.client().secure_payment_status(TOKEN).await.unwrap();
    let SecurePaymentStatus::Completed { requests } = status else {
        panic!("expected Completed, got {status:?}")
    };
    let hashes: Vec<_> = requests.iter().map(|r| r.tx_hash.as_deref()).collect();
    assert_eq!(
        hashes,
        [
            Some("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"),
            Some("0xabcdef")
        ]
    );
    assert!(requests.iter().all(|r| r.has_been_paid == Some(true)));
}

#[tokio::test]
async fn completed_409_without_a_body_is_still_completed() {
    let stub = Stub::start(|_| reply_with(409, &[], "")).await;
    let status = stub.client().secure_payment_status(TOKEN).await.unwrap();
    assert_eq!(
        status,
        SecurePaymentStatus::Completed {
            requests: Vec::new()
        }
    );
}

#[tokio::test]
async fn completed_409_with_a_broken_entry_is_malformed_and_names_it() {
    let stub = Stub::answering(
        409,
        r#"{"requestStatuses":[{"hasBeenPaid":true,"txHash":"0x1"}]}"#,
    )
    .await;
    let error = stub
        .client()
        .secure_payment_status(TOKEN)
        .await
        .unwrap_err();
    let Error::Malformed { endpoint, problem } = &error else {
        panic!("expected Malformed, got {error:?}")
    };
    assert_eq!(endpoint, &format!("GET /v2/secure-payments/{TOKEN}"));
    assert!(problem.contains("requestStatuses[0]"), "{problem}");
    assert!(problem.contains("requestId"), "{problem}");
}

#[tokio::test]
async fn expired_403_is_not_payable_with_the_server_message() {
    let stub = Stub::answering(
        403,
        r#"{"statusCode":403,"message":"Secure payment token expired or invalid status","error":"Forbidden"}"#,
    )
    .await;
    let status = stub.client().secure_payment_status(TOKEN).await.unwrap();
    assert_eq!(
        status,
        SecurePaymentStatus::NotPayable {
            message: "Secure payment token expired or invalid status".into()
        }
    );
}

#[tokio::test]
async fn bare_403_is_not_payable() {
    let stub = Stub::start(|_| reply_with(403, &[], "")).await;
    let status = stub.client().secure_payment_status(TOKEN).await.unwrap();
    assert_eq!(
        status,
        SecurePaymentStatus::NotPayable {
            message: "Forbidden".into()
        }
    );
}

#[tokio::test]
async fn credential_403_is_an_error_not_an_expired_link() {
    let stub = Stub::answering(
        403,
        r#"{"statusCode":403,"message":"Origin header is required","error":"Forbidden"}"#,
    )
    .await;
    let error = stub
        .client()
        .secure_payment_status(TOKEN)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Forbidden {
            message: "Origin header is required".into()
        }
    );
}

#[tokio::test]
async fn unknown_token_404() {
    let stub = Stub::answering(
        404,
        r#"{"statusCode":404,"message":"Token not found","error":"Not Found"}"#,
    )
    .await;
    let status = stub.client().secure_payment_status(TOKEN).await.unwrap();
    assert_eq!(status, SecurePaymentStatus::Unknown);
}

#[tokio::test]
async fn unauthorized_401_is_an_error() {
    let stub = Stub::answering(
        401,
        r#"{"statusCode":401,"message":"Unauthorized","error":"Unauthorized"}"#,
    )
    .await;
    let error = stub
        .client()
        .secure_payment_status(TOKEN)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Unauthorized {
            message: "Unauthorized".into()
        }
    );
}

#[tokio::test]
async fn rate_limited_429_is_an_error_with_the_delay_and_is_not_retried() {
    let stub = Stub::start(|_| {
        reply_with(
            429,
            &[("retry-after", "17"), ("content-type", "application/json")],
            r#"{"statusCode":429,"message":"Too Many Requests"}"#,
        )
    })
    .await;
    let error = stub
        .client()
        .secure_payment_status(TOKEN)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::RateLimited {
            retry_after: Some(Duration::from_secs(17))
        }
    );
    assert_eq!(stub.hits(), 1);
}

#[tokio::test]
async fn open_200_missing_payment_type_is_malformed() {
    let stub = Stub::answering(200, r#"{"status":"pending","requestIds":[]}"#).await;
    let error = stub
        .client()
        .secure_payment_status(TOKEN)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "malformed");
    assert!(error.to_string().contains("paymentType"), "{error}");
}

#[tokio::test]
async fn open_200_that_is_not_json_is_malformed() {
    let stub = Stub::start(|_| reply_with(200, &[], "<html>maintenance</html>")).await;
    let error = stub
        .client()
        .secure_payment_status(TOKEN)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "malformed");
    assert!(error.to_string().contains("not JSON"), "{error}");
}

#[tokio::test]
async fn token_is_one_encoded_path_segment() {
    let stub = Stub::answering(404, "{}").await;
    stub.client().secure_payment_status("a/b?c").await.unwrap();
    assert_eq!(stub.last().path, "/v2/secure-payments/a%2Fb%3Fc");
}

#[tokio::test]
async fn empty_token_is_refused_locally() {
    let stub = Stub::start(|_| reply(200, OPEN_SINGLE)).await;
    let error = stub.client().secure_payment_status("").await.unwrap_err();
    assert_eq!(error.code(), "validation");
    assert_eq!(stub.hits(), 0);
}
