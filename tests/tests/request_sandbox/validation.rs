//! The client's local rules (`paydesk_request::validation`) against the sandbox's body
//! validation: a body the client refuses is never sent, and the very same body sent raw
//! (bypassing the client) gets a 400 carrying the client's message word for word. A body the
//! client accepts, the sandbox creates.
//!
//! Field paths differ in notation only: the client names `requests[0].amount`, the sandbox
//! (zod-style) `requests.0.amount`; they are compared after normalising.

use paydesk_request::validation::{REDIRECT_LABEL_WITHOUT_URL, REDIRECT_URL_UNSAFE};
use paydesk_request::{
    CreateBatchPayout, CreatePayout, CreateSecurePayment, Error, PaymentItem, ValidationError,
};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::{dec, single, Env, EVM_CREATOR, EVM_WALLET};

/// The texts CONTRACT.md gives word for word: the sandbox's top-level `message` must be them.
const CONTRACT_WORDED: [&str; 2] = [REDIRECT_URL_UNSAFE, REDIRECT_LABEL_WITHOUT_URL];

/// `requests[0].amount` -> `requests.0.amount`.
fn zod_path(field: &str) -> String {
    field.replace('[', ".").replace(']', "")
}

/// Sends `body` raw and checks the sandbox's verdict against the client's `local` one.
async fn assert_sandbox_agrees(
    env: &Env,
    path: &str,
    body: &impl Serialize,
    local: Result<(), ValidationError>,
    case: &str,
) {
    let before = env.link_count();
    let (status, answer) = env.raw_post(path, body).await;
    match local {
        Ok(()) => {
            assert_eq!(
                status,
                StatusCode::CREATED,
                "{case}: sandbox refused: {answer}"
            );
            assert_eq!(env.link_count(), before + 1, "{case}");
        }
        Err(e) => {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {answer}");
            let issues: Vec<(String, String)> = answer["errors"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|i| {
                            let text = |k: &str| i[k].as_str().unwrap_or_default().to_string();
                            (text("field"), text("message"))
                        })
                        .collect()
                })
                .unwrap_or_default();
            assert!(
                issues.contains(&(zod_path(&e.field), e.message.clone())),
                "{case}: client says {e}, sandbox says {answer}"
            );
            if CONTRACT_WORDED.contains(&e.message.as_str()) {
                assert_eq!(answer["message"], Value::from(e.message), "{case}");
            }
            assert_eq!(env.link_count(), before, "{case}");
        }
    }
}

fn with_redirect(url: Option<&str>, label: Option<&str>) -> CreateSecurePayment {
    let mut body = single("1");
    body.redirect_url = url.map(str::to_string);
    body.redirect_label = label.map(str::to_string);
    body
}

#[tokio::test]
async fn an_unsafe_redirect_url_is_refused_before_sending_and_by_the_sandbox_alike() {
    let env = Env::start().await;
    let body = with_redirect(Some("javascript:alert(1)"), None);
    let error = env
        .api_key_client()
        .create_secure_payment(&body)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Validation {
            field: "redirectUrl".into(),
            message: REDIRECT_URL_UNSAFE.into()
        }
    );
    assert_eq!(env.link_count(), 0, "nothing reached the sandbox");

    let (status, answer) = env.raw_post("v2/secure-payments", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["message"], REDIRECT_URL_UNSAFE);
    assert_eq!(env.link_count(), 0);
}

#[tokio::test]
async fn a_label_without_url_is_refused_before_sending_and_by_the_sandbox_alike() {
    let env = Env::start().await;
    let body = with_redirect(None, Some("Back to the shop"));
    let error = env
        .api_key_client()
        .create_secure_payment(&body)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        Error::Validation {
            field: "redirectLabel".into(),
            message: REDIRECT_LABEL_WITHOUT_URL.into()
        }
    );
    assert_eq!(env.link_count(), 0, "nothing reached the sandbox");

    let (status, answer) = env.raw_post("v2/secure-payments", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["message"], REDIRECT_LABEL_WITHOUT_URL);
}

#[tokio::test]
async fn every_redirect_url_gets_the_same_verdict_from_both() {
    let env = Env::start().await;
    let urls = [
        "https://shop.example/orders/42/thank-you",
        "http://localhost:3000/back?x=1&y=2#done",
        "HTTPS://SHOP.EXAMPLE/",
        "https://shop.example/%3Cscript%3E",
        "https://exämple.com/päth",
        "https:///nohost",
        "javascript:alert(1)",
        "JavaScript://shop.example/%0Aalert(1)",
        "data:text/html,hi",
        "ftp://shop.example/",
        "mailto:a@b.example",
        "//shop.example/path",
        "/relative/path",
        "http://",
        "",
        " https://shop.example",
        "https://shop.example/a b",
        "https://shop.example/\ta",
        "https://shop.example/\n",
        "https://shop.example/<script>",
        "https://shop.example/>",
        "https://shop.example/?q=\"x\"",
        "https://shop.example/?q='x'",
        "https://shop.example/`",
        "https://shop.example/\u{a0}",
        "https://shop.example/\u{2028}",
        "https://shop.example/\u{3000}",
        "https://shop.example/\u{feff}",
        "https://shop.example/\u{85}",
        "https://shop.example/\u{0}",
        "https://shop.example/\u{1}",
        "https://shop.example/\u{7f}",
        "https://shop.example/\u{9b}",
    ];
    for url in urls {
        let body = with_redirect(Some(url), Some("Back"));
        let case = format!("redirectUrl {url:?}");
        assert_sandbox_agrees(&env, "v2/secure-payments", &body, body.validate(), &case).await;
    }
}

#[tokio::test]
async fn every_text_field_rule_gets_the_same_verdict_from_both() {
    let env = Env::start().await;
    let url = Some("https://shop.example/done");
    let long = "a".repeat(255);
    let too_long = "a".repeat(256);
    let accents = "é".repeat(255);
    let emoji_fit = "😀".repeat(127); // 254 UTF-16 units
    let emoji_over = "😀".repeat(128); // 256 UTF-16 units, 128 characters
    let labels = [
        "Back to your order",
        "Zurück zum Shop — ✓",
        "  spaces\tare fine ",
        long.as_str(),
        accents.as_str(),
        emoji_fit.as_str(),
        emoji_over.as_str(),
        too_long.as_str(),
        "",
        "<b>Back</b>",
        "a > b",
        "Tom & Jerry",
        "say \"hi\"",
        "it's",
        "`cmd`",
    ];
    for label in labels {
        let body = with_redirect(url, Some(label));
        let case = format!("redirectLabel {label:?}");
        assert_sandbox_agrees(&env, "v2/secure-payments", &body, body.validate(), &case).await;
    }
    // Two rules broken at once: the client reports the label's own rule first; the sandbox
    // lists both (its top-level message is the contract-worded one).
    let body = with_redirect(None, Some("it's"));
    assert_sandbox_agrees(&env, "v2/secure-payments", &body, body.validate(), "both").await;
    for text in [
        "INV-1",
        long.as_str(),
        "",
        too_long.as_str(),
        emoji_over.as_str(),
    ] {
        let mut body = single("1");
        body.reference = Some(text.to_string());
        let case = format!("reference {text:?}");
        assert_sandbox_agrees(&env, "v2/secure-payments", &body, body.validate(), &case).await;
        let mut body = single("1");
        body.payer_identifier = Some(text.to_string());
        let case = format!("payerIdentifier {text:?}");
        assert_sandbox_agrees(&env, "v2/secure-payments", &body, body.validate(), &case).await;
    }
}

#[tokio::test]
async fn item_rules_get_the_same_verdict_from_both() {
    let env = Env::start().await;
    let bodies = [
        ("no items", CreateSecurePayment::current(vec![])),
        ("zero amount", single("0")),
        (
            "negative amount",
            CreateSecurePayment::current(vec![PaymentItem::new(-Decimal::ONE)]),
        ),
        (
            "second amount zero",
            CreateSecurePayment::current(vec![
                PaymentItem::new(dec("1")),
                PaymentItem::new(Decimal::ZERO),
            ]),
        ),
        (
            "empty destination",
            CreateSecurePayment::current(vec![PaymentItem::to_destination(dec("1"), "")]),
        ),
        ("tiny amount", single("0.000000000000000001")),
    ];
    for (case, body) in bodies {
        assert_sandbox_agrees(&env, "v2/secure-payments", &body, body.validate(), case).await;
    }
}

#[tokio::test]
async fn payout_rules_get_the_same_verdict_from_both() {
    let env = Env::start().await;
    let ok = CreatePayout::new(EVM_WALLET, EVM_CREATOR, "base", "USDC-base", dec("5"));
    let mut label_only = ok.clone();
    label_only.redirect_label = Some("Done".into());
    let mut unsafe_url = ok.clone();
    unsafe_url.redirect_url = Some("https://shop.example/<x>".into());
    let mut long_id = ok.clone();
    long_id.recipient_identifier = Some("r".repeat(256));
    let cases = [
        ("valid payout", ok.clone()),
        (
            "zero amount",
            CreatePayout {
                amount: Decimal::ZERO,
                ..ok.clone()
            },
        ),
        (
            "empty network",
            CreatePayout {
                network: String::new(),
                ..ok.clone()
            },
        ),
        (
            "empty currency",
            CreatePayout {
                currency: String::new(),
                ..ok.clone()
            },
        ),
        ("label without url", label_only),
        ("unsafe url", unsafe_url),
        ("long recipient identifier", long_id),
    ];
    for (case, body) in cases {
        let path = "v2/secure-payments/payouts";
        assert_sandbox_agrees(&env, path, &body, body.validate(), case).await;
    }

    let client = env.api_key_client();
    let before = env.link_count();
    let zero = CreatePayout {
        amount: Decimal::ZERO,
        ..ok
    };
    assert!(matches!(
        client.create_payout(&zero).await,
        Err(Error::Validation { .. })
    ));
    assert_eq!(env.link_count(), before, "nothing was sent");
}

#[tokio::test]
async fn batch_payout_rules_get_the_same_verdict_from_both() {
    let env = Env::start().await;
    let mut label_only = CreateBatchPayout::new(vec!["01A".into(), "01B".into()]);
    label_only.redirect_label = Some("Done".into());
    let cases = [
        ("one token", CreateBatchPayout::new(vec!["01A".into()])),
        (
            "empty token",
            CreateBatchPayout::new(vec!["01A".into(), String::new()]),
        ),
        ("label without url", label_only),
    ];
    for (case, body) in cases {
        let path = "v2/secure-payments/batch-payouts";
        assert_sandbox_agrees(&env, path, &body, body.validate(), case).await;
    }
}

#[tokio::test]
async fn a_rule_only_the_server_knows_comes_back_with_its_field_details() {
    // FAU has 18 decimals: the client cannot know, the sandbox refuses a 19th.
    let env = Env::start().await;
    let error = env
        .api_key_client()
        .create_secure_payment(&single("1.0000000000000000001"))
        .await
        .unwrap_err();
    match error {
        Error::Api {
            status: 400,
            message,
            error,
            details,
        } => {
            assert_eq!(message, "Validation failed");
            assert_eq!(error.as_deref(), Some("Bad Request"));
            assert_eq!(details.len(), 1);
            assert_eq!(details[0].field.as_deref(), Some("requests.0.amount"));
            assert_eq!(
                details[0].message,
                "Amount cannot have more than 18 decimal places"
            );
        }
        other => panic!("{other:?}"),
    }
}
