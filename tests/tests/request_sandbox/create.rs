//! `POST /v2/secure-payments` (CONTRACT.md §2): the current body with and without
//! `destinationId`, the destination mismatch 403, the legacy body, batches, and the fields of
//! the 201 answer.

use paydesk_request::{
    CreateSecurePayment, Error, LegacyItem, PaymentItem, PaymentType, SecurePaymentStatus,
};
use paydesk_sandbox::{LinkState, RequestState};
use reqwest::StatusCode;
use serde_json::json;

use super::{dec, expect_open, is_request_id, is_ulid, Env, EVM_WALLET, TRON_RECIPIENT};

#[tokio::test]
async fn created_link_has_a_ulid_token_request_ids_and_a_url_on_the_sandbox() {
    let env = Env::start().await;
    let created = env.create(&env.api_key_client(), "10.50").await;

    assert!(is_ulid(&created.token), "{}", created.token);
    assert_eq!(created.request_ids.len(), 1);
    assert!(
        is_request_id(&created.request_ids[0]),
        "{}",
        created.request_ids[0]
    );
    let base = env.sandbox.base_url();
    let url = &created.secure_payment_url;
    assert_eq!(
        (url.scheme(), url.host_str(), url.port()),
        (base.scheme(), base.host_str(), base.port())
    );
    assert_eq!(
        url.query_pairs()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned()),
        Some(created.token.clone())
    );
    assert_eq!(*url, env.sandbox.payment_url(&created.token));
    assert_eq!(created.fee_plan, None);

    let link = env.sandbox.control().payment(&created.token).expect("link");
    assert_eq!(link.state, LinkState::Pending);
    assert_eq!(link.requests[0].request_id, created.request_ids[0]);
    assert_eq!(link.requests[0].amount, "10.5");
}

#[tokio::test]
async fn fee_plan_is_sent_as_null_and_read_as_none() {
    let env = Env::start().await;
    let (status, body) = env
        .raw_post(
            "v2/secure-payments",
            &json!({ "requests": [{ "amount": "1" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body.get("feePlan").is_some_and(|f| f.is_null()), "{body}");
    let created = env.create(&env.api_key_client(), "1").await;
    assert_eq!(created.fee_plan, None);
}

#[tokio::test]
async fn without_destination_id_the_bound_destination_is_used() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "3").await;
    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    let destination = details.lines[0].destination.as_ref().expect("destination");
    assert_eq!(
        destination.destination_id.as_deref(),
        env.sandbox.destination_id()
    );
}

#[tokio::test]
async fn the_bound_destination_id_sent_explicitly_is_accepted() {
    let env = Env::start().await;
    let bound = env.sandbox.destination_id().expect("bound").to_string();
    let body = CreateSecurePayment::current(vec![PaymentItem::to_destination(
        dec("7.25"),
        bound.clone(),
    )]);
    let client = env.api_key_client();
    let created = client.create_secure_payment(&body).await.expect("created");
    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(
        details.lines[0]
            .destination
            .as_ref()
            .and_then(|d| d.destination_id.clone()),
        Some(bound)
    );
}

#[tokio::test]
async fn another_destination_is_the_contracts_403_and_creates_nothing() {
    let env = Env::start().await;
    // The contract's EVM example (§10.4): well formed, but not the destination the sandbox
    // resolves for its client.
    let other = "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
    let body = CreateSecurePayment::current(vec![PaymentItem::to_destination(dec("1"), other)]);
    let error = env
        .api_key_client()
        .create_secure_payment(&body)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Forbidden {
            message: "Destination does not match the configured payment destination.".into()
        }
    );
    assert_eq!(env.link_count(), 0);
}

#[tokio::test]
async fn a_malformed_destination_id_is_a_400_with_the_documented_text() {
    let env = Env::start().await;
    let body = CreateSecurePayment::current(vec![PaymentItem::to_destination(
        dec("1"),
        "not-a-destination",
    )]);
    match env.api_key_client().create_secure_payment(&body).await {
        Err(Error::Api {
            status: 400,
            message,
            ..
        }) => assert_eq!(message, "Invalid destination ID format"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn legacy_body_creates_a_link_to_the_given_payee() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let body = CreateSecurePayment::legacy(vec![LegacyItem {
        payee: EVM_WALLET.into(),
        amount: dec("10"),
        invoice_currency: "USDC-base".into(),
        payment_currency: "USDC-base".into(),
    }]);
    let created = client.create_secure_payment(&body).await.expect("created");
    assert!(is_ulid(&created.token));
    assert!(created.request_ids.iter().all(|id| is_request_id(id)));

    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(details.payment_type, PaymentType::Single);
    assert_eq!(details.network.as_deref(), Some("base"));
    let line = &details.lines[0];
    assert_eq!(line.payee.as_deref(), Some(EVM_WALLET));
    assert_eq!(line.payment_currency.as_deref(), Some("USDC-base"));
    // Single amounts are in base units, as the OpenAPI example (§5): 10 USDC, 6 decimals.
    assert_eq!(line.amount_raw.as_deref(), Some("10000000"));
    let destination = line.destination.as_ref().expect("synthetic destination");
    assert_eq!(destination.wallet_address.as_deref(), Some(EVM_WALLET));
    assert_eq!(destination.network.as_deref(), Some("base"));
}

#[tokio::test]
async fn a_batch_gets_one_request_id_per_item_in_order() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let body = CreateSecurePayment::current(vec![
        PaymentItem::new(dec("1")),
        PaymentItem::new(dec("2.5")),
    ]);
    let created = client.create_secure_payment(&body).await.expect("created");
    assert_eq!(created.request_ids.len(), 2);
    assert_ne!(created.request_ids[0], created.request_ids[1]);

    let link = env.sandbox.control().payment(&created.token).expect("link");
    let amounts: Vec<(&str, &str)> = link
        .requests
        .iter()
        .map(|r| (r.request_id.as_str(), r.amount.as_str()))
        .collect();
    assert_eq!(
        amounts,
        [
            (created.request_ids[0].as_str(), "1.0"),
            (created.request_ids[1].as_str(), "2.5")
        ]
    );

    let details = expect_open(client.secure_payment_status(&created.token).await.unwrap());
    assert_eq!(details.payment_type, PaymentType::Batch);
    assert_eq!(details.request_ids, created.request_ids);
    let raw: Vec<_> = details
        .lines
        .iter()
        .map(|l| l.amount_raw.as_deref())
        .collect();
    // Batch amounts are human-readable, as the OpenAPI batch example (§5).
    assert_eq!(raw, [Some("1"), Some("2.5")]);
}

#[tokio::test]
async fn a_tron_batch_link_is_the_contracts_400() {
    let env = Env::start().await;
    let item = |amount: &str| LegacyItem {
        payee: TRON_RECIPIENT.into(),
        amount: dec(amount),
        invoice_currency: "USDT-tron".into(),
        payment_currency: "USDT-tron".into(),
    };
    let one = CreateSecurePayment::legacy(vec![item("5")]);
    let client = env.api_key_client();
    client
        .create_secure_payment(&one)
        .await
        .expect("a single Tron link is fine");

    let two = CreateSecurePayment::legacy(vec![item("5"), item("6")]);
    match client.create_secure_payment(&two).await {
        Err(Error::Api {
            status: 400,
            message,
            ..
        }) => assert_eq!(
            message,
            "Batch payments are not supported for TRON networks. Please submit individual payment requests."
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(env.link_count(), 1);
}

#[tokio::test]
async fn a_batch_across_networks_is_a_400() {
    let env = Env::start().await;
    let item = |currency: &str| LegacyItem {
        payee: EVM_WALLET.into(),
        amount: dec("1"),
        invoice_currency: currency.into(),
        payment_currency: currency.into(),
    };
    let body = CreateSecurePayment::legacy(vec![item("USDC-base"), item("USDC-optimism")]);
    match env.api_key_client().create_secure_payment(&body).await {
        Err(Error::Api {
            status: 400,
            message,
            ..
        }) => assert_eq!(message, "All requests must be on the same network"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_sandbox_sees_the_amount_the_client_sent() {
    let env = Env::start().await;
    let client = env.api_key_client();
    let created = env.create(&client, "0.000001").await;
    let link = env.sandbox.control().payment(&created.token).expect("link");
    assert_eq!(link.requests[0].amount, "0.000001");
    assert_eq!(link.requests[0].state, RequestState::Pending);
    assert!(matches!(
        client.secure_payment_status(&created.token).await,
        Ok(SecurePaymentStatus::Open(_))
    ));
}
