//! Link-creating POSTs: the bodies on the wire, the created link, and local validation that
//! stops a broken body before it reaches the server.

use paydesk_request::validation::{REDIRECT_LABEL_WITHOUT_URL, REDIRECT_URL_UNSAFE};
use paydesk_request::{
    CreateBatchPayout, CreatePayout, CreateSecurePayment, Credentials, Error, LegacyItem,
    PaymentItem,
};
use rust_decimal::Decimal;
use serde_json::json;
use url::Url;

use crate::support::{client_for, reply_with, Stub, KEY};

const CREATED: &str = r#"{
  "requestIds": ["01de2a889ee629c15b71b5d7964e3a7e87638c886be75bf1b9d2c1fbe64cf855fb"],
  "securePaymentUrl": "https://pay.request.network/?token=01KJRA0M9QG8MA4X887908T8A4",
  "token": "01KJRA0M9QG8MA4X887908T8A4",
  "feePlan": null
}"#;

const DESTINATION: &str = "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn one_item() -> CreateSecurePayment {
    CreateSecurePayment::current(vec![PaymentItem::to_destination(dec("10.50"), DESTINATION)])
}

#[tokio::test]
async fn current_shape_goes_on_the_wire_as_the_contract_says() {
    let stub = Stub::answering(201, CREATED).await;
    let mut body = CreateSecurePayment::current(vec![
        PaymentItem::to_destination(dec("10.50"), DESTINATION),
        PaymentItem::new(dec("0.000001")),
    ]);
    body.reference = Some("INV-2026-042".into());
    body.payer_identifier = Some("alice@example.com".into());
    body.redirect_url = Some("https://paydesk.example/thanks".into());
    body.redirect_label = Some("Back to Paydesk".into());

    let created = stub.client().create_secure_payment(&body).await.unwrap();

    let sent = stub.last();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v2/secure-payments");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.json(),
        json!({
            "requests": [
                {"destinationId": DESTINATION, "amount": "10.50"},
                {"amount": "0.000001"}
            ],
            "reference": "INV-2026-042",
            "payerIdentifier": "alice@example.com",
            "redirectUrl": "https://paydesk.example/thanks",
            "redirectLabel": "Back to Paydesk"
        })
    );
    assert_eq!(created.token, "01KJRA0M9QG8MA4X887908T8A4");
    assert_eq!(
        created.secure_payment_url.as_str(),
        "https://pay.request.network/?token=01KJRA0M9QG8MA4X887908T8A4"
    );
    assert_eq!(created.request_ids.len(), 1);
    assert_eq!(created.fee_plan, None);
}

#[tokio::test]
async fn legacy_shape_goes_on_the_wire_with_payee_and_currencies() {
    let stub = Stub::answering(201, CREATED).await;
    let body = CreateSecurePayment::legacy(vec![LegacyItem {
        payee: "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7".into(),
        amount: dec("10"),
        invoice_currency: "USDC-base".into(),
        payment_currency: "USDC-base".into(),
    }]);
    stub.client().create_secure_payment(&body).await.unwrap();
    assert_eq!(
        stub.last().json(),
        json!({"requests": [{
            "payee": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7",
            "amount": "10",
            "invoiceCurrency": "USDC-base",
            "paymentCurrency": "USDC-base"
        }]})
    );
}

#[tokio::test]
async fn fee_plan_is_read_exactly_when_present() {
    let stub = Stub::answering(
        201,
        r#"{"requestIds":["01aa"],"securePaymentUrl":"https://secure.request.network/01ABC","token":"01ABC",
            "feePlan":{"version":1,"flow":"get_paid","defaultFeeBearer":"payee","grossAmountUsd":"10.50",
              "netRecipientAmountUsd":"10.45","payerTotalAmountUsd":"10.50","totalFeesUsd":"0.05",
              "payeeBorneFeesUsd":"0.05","payerBorneFeesUsd":"0","fees":[]}}"#,
    )
    .await;
    let created = stub
        .client()
        .create_secure_payment(&one_item())
        .await
        .unwrap();
    let plan = created.fee_plan.unwrap();
    assert_eq!(plan.net_recipient_amount_usd, dec("10.45"));
    assert_eq!(plan.total_fees_usd.to_string(), "0.05");
}

#[tokio::test]
async fn payout_goes_to_its_path_with_its_fields() {
    let stub = Stub::answering(201, CREATED).await;
    let mut payout = CreatePayout::new(
        "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7",
        "0xb07d2398d2004378cad234da0ef14f1c94a530e4",
        "base",
        "USDC-base",
        dec("250.00"),
    );
    payout.reference = Some("INVOICE-2026-042".into());
    payout.recipient_identifier = Some("contractor-7".into());
    payout.redirect_url = Some("http://localhost:1420/payouts".into());
    let created = stub.client().create_payout(&payout).await.unwrap();
    let sent = stub.last();
    assert_eq!(sent.path, "/v2/secure-payments/payouts");
    assert_eq!(
        sent.json(),
        json!({
            "recipient": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7",
            "creatorWalletAddress": "0xb07d2398d2004378cad234da0ef14f1c94a530e4",
            "network": "base", "currency": "USDC-base", "amount": "250.00",
            "reference": "INVOICE-2026-042", "recipientIdentifier": "contractor-7",
            "redirectUrl": "http://localhost:1420/payouts"
        })
    );
    assert_eq!(created.token, "01KJRA0M9QG8MA4X887908T8A4");
}

#[tokio::test]
async fn batch_payout_goes_to_its_path_with_the_tokens() {
    let stub = Stub::answering(201, CREATED).await;
    let batch = CreateBatchPayout::new(vec!["01AAA".into(), "01BBB".into(), "01CCC".into()]);
    stub.client().create_batch_payout(&batch).await.unwrap();
    let sent = stub.last();
    assert_eq!(sent.path, "/v2/secure-payments/batch-payouts");
    assert_eq!(sent.json(), json!({"tokens": ["01AAA", "01BBB", "01CCC"]}));
}

#[tokio::test]
async fn broken_input_is_refused_before_any_request() {
    let stub = Stub::answering(201, CREATED).await;
    let client = stub.client();
    let with = |edit: &dyn Fn(&mut CreateSecurePayment)| {
        let mut body = one_item();
        edit(&mut body);
        body
    };
    let cases: Vec<(CreateSecurePayment, &str, &str)> = vec![
        (
            with(&|b| b.redirect_url = Some("javascript:alert(document.cookie)".into())),
            "redirectUrl",
            REDIRECT_URL_UNSAFE,
        ),
        (
            with(&|b| b.redirect_url = Some("data:text/html,<script>".into())),
            "redirectUrl",
            REDIRECT_URL_UNSAFE,
        ),
        (
            with(&|b| b.redirect_url = Some(" https://paydesk.example".into())),
            "redirectUrl",
            REDIRECT_URL_UNSAFE,
        ),
        (
            with(&|b| b.redirect_label = Some("Back".into())),
            "redirectLabel",
            REDIRECT_LABEL_WITHOUT_URL,
        ),
        (
            with(&|b| {
                b.redirect_url = Some("https://paydesk.example".into());
                b.redirect_label = Some("Tom & Jerry".into());
            }),
            "redirectLabel",
            "Invalid",
        ),
        (
            with(&|b| b.reference = Some("r".repeat(256))),
            "reference",
            "String must contain at most 255 character(s)",
        ),
        (
            CreateSecurePayment::current(vec![PaymentItem::new(Decimal::ZERO)]),
            "requests[0].amount",
            "amount must be greater than 0",
        ),
        (
            CreateSecurePayment::current(vec![]),
            "requests",
            "Array must contain at least 1 element(s)",
        ),
    ];
    for (body, field, message) in cases {
        let error = client.create_secure_payment(&body).await.unwrap_err();
        assert_eq!(
            error,
            Error::Validation {
                field: field.into(),
                message: message.into()
            }
        );
    }
    let mut payout = CreatePayout::new("0x1", "0x2", "base", "USDC-base", dec("-1"));
    assert_eq!(
        client.create_payout(&payout).await.unwrap_err().code(),
        "validation"
    );
    payout.amount = dec("1");
    payout.redirect_label = Some("Back".into());
    assert_eq!(
        client.create_payout(&payout).await.unwrap_err(),
        Error::Validation {
            field: "redirectLabel".into(),
            message: REDIRECT_LABEL_WITHOUT_URL.into()
        }
    );
    let lone = CreateBatchPayout::new(vec!["01AAA".into()]);
    assert_eq!(
        client.create_batch_payout(&lone).await.unwrap_err().code(),
        "validation"
    );
    assert_eq!(stub.hits(), 0, "a refused body must never reach the server");
}

#[tokio::test]
async fn created_answer_without_token_is_malformed_and_names_it() {
    let stub = Stub::answering(
        201,
        r#"{"requestIds":["01aa"],"securePaymentUrl":"https://pay.request.network/?token=x","feePlan":null}"#,
    )
    .await;
    let error = stub
        .client()
        .create_secure_payment(&one_item())
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("malformed response from POST /v2/secure-payments: missing field `token`"),
        "{error}"
    );
}

#[tokio::test]
async fn created_answer_with_an_empty_token_or_a_bad_url_is_malformed() {
    for (body, needle) in [
        (
            r#"{"requestIds":[],"securePaymentUrl":"https://pay.request.network/","token":"","feePlan":null}"#,
            "token: empty string",
        ),
        (
            r#"{"requestIds":[],"securePaymentUrl":"not a url","token":"01A","feePlan":null}"#,
            "securePaymentUrl",
        ),
        (
            r#"{"requestIds":"01aa","securePaymentUrl":"https://x/","token":"01A"}"#,
            "requestIds",
        ),
    ] {
        let stub = Stub::answering(201, body).await;
        let error = stub
            .client()
            .create_secure_payment(&one_item())
            .await
            .unwrap_err();
        assert_eq!(error.code(), "malformed", "{body}");
        assert!(error.to_string().contains(needle), "{error}");
    }
}

#[tokio::test]
async fn created_answer_with_an_empty_body_is_malformed() {
    let stub = Stub::start(|_| reply_with(201, &[], "")).await;
    let error = stub
        .client()
        .create_secure_payment(&one_item())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "malformed response from POST /v2/secure-payments: empty body, expected JSON"
    );
}

#[tokio::test]
async fn a_base_with_a_path_prefix_keeps_it() {
    let stub = Stub::answering(201, CREATED).await;
    let base = Url::parse(&format!("{}emulator/", stub.base)).unwrap();
    let client = client_for(
        &base,
        &base,
        Credentials::api_key(KEY),
        std::time::Duration::from_secs(5),
    );
    client.create_secure_payment(&one_item()).await.unwrap();
    assert_eq!(stub.last().path, "/emulator/v2/secure-payments");
}
