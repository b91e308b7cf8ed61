//! Creating links: current and legacy bodies, destination rules, batches, Tron, validation
//! messages, payouts and batch payouts (CONTRACT.md §2, §3, §8).

use paydesk_sandbox::messages;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::util::{start, start_with, Env};

const TRON_DESTINATION: &str = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8@eip155:728126428#5F89A3B2:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const PAYEE: &str = "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7";

async fn create_err(env: &Env, path: &str, body: Value) -> (StatusCode, Value) {
    let a = env.post(path, body).await;
    (a.status, a.body)
}

#[tokio::test]
async fn create_returns_ulid_token_request_ids_and_payer_url() {
    let env = start().await;
    let body = env.create(json!({ "requests": [{ "amount": "10.50" }], "reference": "INV-1", "payerIdentifier": "acme" })).await;
    let token = body["token"].as_str().expect("token");
    assert_eq!(token.len(), 26);
    assert!(ulid::Ulid::from_string(token).is_ok());
    let ids = body["requestIds"].as_array().expect("ids");
    assert_eq!(ids.len(), 1);
    let id = ids[0].as_str().expect("id");
    assert!(id.len() == 66 && id.starts_with("01") && id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        body["securePaymentUrl"],
        format!("{}?token={token}", env.sandbox.base_url())
    );
    assert_eq!(body["feePlan"], Value::Null);
    let snapshot = env.sandbox.control().payment(token).expect("stored");
    assert_eq!(
        snapshot.expires_at - snapshot.created_at,
        chrono::Duration::days(7)
    );
}

#[tokio::test]
async fn destination_id_must_match_the_bound_one() {
    let env = start().await;
    let bound = env.sandbox.destination_id().expect("bound").to_string();
    env.create(json!({ "requests": [{ "amount": "1", "destinationId": bound }] }))
        .await;
    let other = "0xb07d2398d2004378cad234da0ef14f1c94a530e4@eip155:11155111#C3D4E5F6:0x370DE27fdb7D1Ff1e1BaA7D11c5820a324Cf623C";
    let (status, body) = create_err(
        &env,
        "/v2/secure-payments",
        json!({ "requests": [{ "amount": "1", "destinationId": other }] }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({ "statusCode": 403, "message": messages::DESTINATION_MISMATCH, "error": "Forbidden" })
    );
    let (status, body) = create_err(
        &env,
        "/v2/secure-payments",
        json!({ "requests": [{ "amount": "1", "destinationId": "garbage" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], messages::INVALID_DESTINATION);
}

#[tokio::test]
async fn legacy_body_is_accepted_and_resolved() {
    let env = start().await;
    let body = env
        .create(json!({ "requests": [{ "payee": PAYEE, "amount": "10", "invoiceCurrency": "USDC-base", "paymentCurrency": "USDC-base" }], "feePercentage": "2.5", "feeAddress": PAYEE }))
        .await;
    let a = env.get_token(body["token"].as_str().expect("token")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["payee"], PAYEE);
    assert_eq!(a.body["network"], "base");
    assert_eq!(a.body["paymentCurrency"], "USDC-base");
    assert_eq!(
        a.body["amount"], "10000000",
        "single amounts are in base units, as the OpenAPI example"
    );
    let (status, body) = create_err(&env, "/v2/secure-payments", json!({ "requests": [{ "payee": "nope", "amount": "1", "invoiceCurrency": "USD", "paymentCurrency": "USDC-base" }] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "requests.0.payee");
}

#[tokio::test]
async fn batches_share_one_network_and_never_run_on_tron() {
    let env = start().await;
    let body = env
        .create(json!({ "requests": [{ "amount": "10" }, { "amount": "5" }] }))
        .await;
    assert_eq!(body["requestIds"].as_array().map(Vec::len), Some(2));
    let a = env.get_token(body["token"].as_str().expect("token")).await;
    assert_eq!(a.body["paymentType"], "batch");
    assert_eq!(a.body["amounts"], json!(["10", "5"]));

    let mixed = json!({ "requests": [
        { "payee": PAYEE, "amount": "1", "invoiceCurrency": "USD", "paymentCurrency": "USDC-base" },
        { "payee": PAYEE, "amount": "1", "invoiceCurrency": "USD", "paymentCurrency": "USDC-optimism" } ] });
    let (status, body) = create_err(&env, "/v2/secure-payments", mixed).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some(messages::SAME_NETWORK))
    );

    let tron = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8";
    let legacy_tron = json!({ "requests": [
        { "payee": tron, "amount": "1", "invoiceCurrency": "USDT-tron", "paymentCurrency": "USDT-tron" },
        { "payee": tron, "amount": "2", "invoiceCurrency": "USDT-tron", "paymentCurrency": "USDT-tron" } ] });
    let (status, body) = create_err(&env, "/v2/secure-payments", legacy_tron).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], messages::TRON_BATCH);
}

#[tokio::test]
async fn tron_destination_allows_single_links_only() {
    let env = start_with(|c| c.destination_id = Some(TRON_DESTINATION.into())).await;
    env.create(json!({ "requests": [{ "amount": "25" }] }))
        .await;
    let (status, body) = create_err(
        &env,
        "/v2/secure-payments",
        json!({ "requests": [{ "amount": "1" }, { "amount": "2" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({ "statusCode": 400, "message": messages::TRON_BATCH, "error": "Bad Request" })
    );
}

#[tokio::test]
async fn no_bound_destination_is_refused() {
    let env = start_with(|c| c.destination_id = None).await;
    let (status, _) = create_err(
        &env,
        "/v2/secure-payments",
        json!({ "requests": [{ "amount": "1" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let a = env
        .call(
            reqwest::Method::POST,
            "/v2/secure-payments",
            crate::util::Auth::ClientId,
            Some(json!({ "requests": [{ "amount": "1" }] })),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn redirect_rules_answer_with_the_contract_text() {
    let env = start().await;
    for url in [
        "javascript:alert(1)",
        "https://shop.test/<script>",
        "https://shop.test/a b",
        "ftp://shop.test/",
        "https://shop.test/\"x",
    ] {
        let (status, body) = create_err(
            &env,
            "/v2/secure-payments",
            json!({ "requests": [{ "amount": "1" }], "redirectUrl": url }),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
        assert_eq!(body["message"], messages::UNSAFE_REDIRECT, "{url}");
        assert_eq!(
            body["errors"][0],
            json!({ "field": "redirectUrl", "message": messages::UNSAFE_REDIRECT })
        );
    }
    let (status, body) = create_err(
        &env,
        "/v2/secure-payments",
        json!({ "requests": [{ "amount": "1" }], "redirectLabel": "Back to shop" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], messages::LABEL_WITHOUT_URL);
    let (status, _) = create_err(&env, "/v2/secure-payments", json!({ "requests": [{ "amount": "1" }], "redirectUrl": "https://shop.test/", "redirectLabel": "<b>" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    env.create(json!({ "requests": [{ "amount": "1" }], "redirectUrl": "https://shop.test/thanks?o=1", "redirectLabel": "Back to shop" })).await;
}

#[tokio::test]
async fn body_validation_lists_every_bad_field() {
    let env = start().await;
    let cases = [
        (json!({}), "requests", "Required"),
        (
            json!({ "requests": [] }),
            "requests",
            "Array must contain at least 1 element(s)",
        ),
        (
            json!({ "requests": [{ "amount": 10 }] }),
            "requests.0.amount",
            "Expected string, received number",
        ),
        (
            json!({ "requests": [{ "amount": "0" }] }),
            "requests.0.amount",
            "amount must be greater than 0",
        ),
        (json!({ "requests": [{}] }), "requests.0.amount", "Required"),
        (
            json!({ "requests": [{ "amount": "1" }], "reference": "" }),
            "reference",
            "String must contain at least 1 character(s)",
        ),
        (
            json!({ "requests": [{ "amount": "1" }], "payerIdentifier": "x".repeat(256) }),
            "payerIdentifier",
            "String must contain at most 255 character(s)",
        ),
        (
            json!({ "requests": [{ "amount": "1" }], "accessPolicy": { "mode": "all" } }),
            "accessPolicy.mode",
            "Invalid enum value. Expected 'inherit' | 'off' | 'kyt_all_wallets', received 'all'",
        ),
        (
            json!({ "requests": [{ "amount": "1" }], "accessPolicy": { "allowedPayerAddresses": ["0x12"] } }),
            "accessPolicy.allowedPayerAddresses.0",
            "Invalid EVM or TRON wallet address",
        ),
    ];
    for (body, field, message) in cases {
        let (status, answer) = create_err(&env, "/v2/secure-payments", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["message"], "Validation failed", "{body}");
        assert_eq!(
            answer["errors"][0],
            json!({ "field": field, "message": message }),
            "{body}"
        );
    }
    let response = env
        .http
        .post(env.url("/v2/secure-payments"))
        .header("x-api-key", env.sandbox.api_key())
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn payouts_validate_network_currency_and_recipient() {
    let env = start().await;
    let ok = json!({ "recipient": "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", "creatorWalletAddress": "TKb9mFPjUgCbrQpenCm4Z3T7ELNrLWurfm", "network": "tron", "currency": "USDT-tron", "amount": "250", "reference": "INVOICE-2026-042" });
    let a = env.post("/v2/secure-payments/payouts", ok.clone()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let page = env
        .get_token(a.body["token"].as_str().expect("token"))
        .await;
    assert_eq!(page.body["destination"], Value::Null);
    assert_eq!(page.body["payee"], "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8");

    let mut bad_network = ok.clone();
    bad_network["network"] = json!("dogechain");
    assert_eq!(
        create_err(&env, "/v2/secure-payments/payouts", bad_network)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let mut mismatch = ok.clone();
    mismatch["currency"] = json!("USDC-base");
    assert_eq!(
        create_err(&env, "/v2/secure-payments/payouts", mismatch)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let mut bad_recipient = ok.clone();
    bad_recipient["recipient"] = json!(PAYEE);
    let (status, body) = create_err(&env, "/v2/secure-payments/payouts", bad_recipient).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "recipient");
    let (status, body) = create_err(&env, "/v2/secure-payments/payouts", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(5));

    let closed = start_with(|c| c.payouts_allowed = false).await;
    let (status, body) = create_err(&closed, "/v2/secure-payments/payouts", ok).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], messages::PAYOUTS_NOT_ALLOWED);
}

async fn payout(env: &Env, network: &str, currency: &str, recipient: &str) -> String {
    let a = env.post("/v2/secure-payments/payouts", json!({ "recipient": recipient, "creatorWalletAddress": PAYEE, "network": network, "currency": currency, "amount": "5" })).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.body["token"].as_str().expect("token").to_string()
}

#[tokio::test]
async fn batch_payouts_combine_pending_payouts_and_invalidate_them() {
    let env = start().await;
    let a = payout(&env, "base", "USDC-base", PAYEE).await;
    let b = payout(
        &env,
        "base",
        "USDC-base",
        "0xb07d2398d2004378cad234da0ef14f1c94a530e4",
    )
    .await;
    let batch = env
        .post(
            "/v2/secure-payments/batch-payouts",
            json!({ "tokens": [a, b], "redirectUrl": "https://shop.test/done" }),
        )
        .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.text);
    assert_eq!(batch.body["requestIds"].as_array().map(Vec::len), Some(2));
    let page = env
        .get_token(batch.body["token"].as_str().expect("token"))
        .await;
    assert_eq!(page.body["paymentType"], "batch");
    assert_eq!(
        env.get_token(&a).await.status,
        StatusCode::FORBIDDEN,
        "children are invalidated"
    );

    let (status, _) = create_err(
        &env,
        "/v2/secure-payments/batch-payouts",
        json!({ "tokens": [a, b] }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "invalidated children cannot be batched again"
    );
    let c = payout(&env, "base", "USDC-base", PAYEE).await;
    let (status, body) = create_err(
        &env,
        "/v2/secure-payments/batch-payouts",
        json!({ "tokens": [c] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["message"],
        "Array must contain at least 2 element(s)"
    );
    let d = payout(&env, "optimism", "USDC-optimism", PAYEE).await;
    let (status, body) = create_err(
        &env,
        "/v2/secure-payments/batch-payouts",
        json!({ "tokens": [c, d] }),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("All payouts must be on the same network")
        )
    );

    let t1 = payout(
        &env,
        "tron",
        "USDT-tron",
        "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
    )
    .await;
    let t2 = payout(
        &env,
        "tron",
        "USDT-tron",
        "TKb9mFPjUgCbrQpenCm4Z3T7ELNrLWurfm",
    )
    .await;
    let (status, body) = create_err(
        &env,
        "/v2/secure-payments/batch-payouts",
        json!({ "tokens": [t1, t2] }),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some(messages::TRON_BATCH))
    );
}
