//! Body validation for the create routes (CONTRACT.md §2-§3, §8): JSON parsing, field types
//! and lengths with zod-style messages, and the rules the contract words exactly (redirect
//! URL and label). Produces typed bodies; the routes then resolve destinations and networks.

use serde_json::{Map, Value};

use crate::errors::ApiError;
use crate::messages::{LABEL_WITHOUT_URL, UNSAFE_REDIRECT};
use crate::networks::{is_evm_address, is_tron_address};
use crate::state::LinkOptions;

mod checker;

use checker::{enum_value, is_safe_redirect, Checker};
pub(crate) use checker::{parse_json, type_name};

/// One `requests[]` item of `POST /v2/secure-payments`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreateItem {
    pub amount: String,
    pub destination_id: Option<String>,
    /// The Feb-2026 shape: explicit payee and currencies.
    pub legacy: Option<LegacyItem>,
}

/// The legacy per-item fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LegacyItem {
    pub payee: String,
    pub invoice_currency: String,
    pub payment_currency: String,
}

/// A validated `POST /v2/secure-payments` body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreateBody {
    pub items: Vec<CreateItem>,
    pub options: LinkOptions,
}

/// A validated `POST /v2/secure-payments/payouts` body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PayoutBody {
    pub recipient: String,
    pub creator_wallet: String,
    pub network: String,
    pub currency: String,
    pub amount: String,
    pub options: LinkOptions,
}

/// A validated `POST /v2/secure-payments/batch-payouts` body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BatchPayoutBody {
    pub tokens: Vec<String>,
    pub options: LinkOptions,
}

fn access_policy(c: &mut Checker, obj: &Map<String, Value>) -> Option<Value> {
    let value = obj.get("accessPolicy")?;
    let policy = c.object(value, "accessPolicy")?;
    enum_value(
        c,
        policy,
        "mode",
        "accessPolicy.mode",
        &["inherit", "off", "kyt_all_wallets"],
        false,
    );
    enum_value(
        c,
        policy,
        "screeningProvider",
        "accessPolicy.screeningProvider",
        &["hypernative", "merklescience"],
        true,
    );
    for key in ["hideUntilApproved", "hidePayeeAddress"] {
        if let Some(v) = policy.get(key).filter(|v| !v.is_boolean()) {
            c.err(
                &format!("accessPolicy.{key}"),
                format!("Expected boolean, received {}", type_name(v)),
            );
        }
    }
    match policy.get("allowedPayerAddresses") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("accessPolicy.allowedPayerAddresses.{i}");
                match item.as_str() {
                    Some(a) if is_evm_address(a) || is_tron_address(a) => {}
                    Some(_) => c.err(&path, "Invalid EVM or TRON wallet address"),
                    None => c.err(
                        &path,
                        format!("Expected string, received {}", type_name(item)),
                    ),
                }
            }
        }
        Some(other) => c.err(
            "accessPolicy.allowedPayerAddresses",
            format!("Expected array, received {}", type_name(other)),
        ),
    }
    Some(value.clone())
}

/// The display/policy fields every create route shares. `identifier` names the free
/// identifier field (`payerIdentifier` or `recipientIdentifier`); `None` for batch payouts.
fn link_options(
    c: &mut Checker,
    obj: &Map<String, Value>,
    identifier: Option<&str>,
) -> LinkOptions {
    let reference = if identifier.is_some() {
        c.string(obj, "reference", "reference", false, 1, Some(255))
    } else {
        None
    };
    let ident = identifier.and_then(|key| c.string(obj, key, key, false, 1, Some(255)));
    let redirect_url = c.string(obj, "redirectUrl", "redirectUrl", false, 0, None);
    let redirect_label = c.string(obj, "redirectLabel", "redirectLabel", false, 1, Some(255));
    if redirect_label
        .as_deref()
        .is_some_and(|l| l.contains(['<', '>', '&', '"', '\'', '`']))
    {
        c.err("redirectLabel", "Invalid");
    }
    let access_policy = if identifier.is_some() {
        access_policy(c, obj)
    } else {
        None
    };
    if redirect_url
        .as_deref()
        .is_some_and(|u| !is_safe_redirect(u))
    {
        c.rule("redirectUrl", UNSAFE_REDIRECT);
    }
    if obj.contains_key("redirectLabel") && !obj.contains_key("redirectUrl") {
        c.rule("redirectLabel", LABEL_WITHOUT_URL);
    }
    let (payer_identifier, recipient_identifier) = match identifier {
        Some("payerIdentifier") => (ident, None),
        _ => (None, ident),
    };
    LinkOptions {
        reference,
        payer_identifier,
        recipient_identifier,
        redirect_url,
        redirect_label,
        access_policy,
    }
}

/// Validates a `POST /v2/secure-payments` body (current and legacy item shapes).
pub(crate) fn create_body(body: &Value) -> Result<CreateBody, ApiError> {
    let mut c = Checker::default();
    let Some(obj) = c.object(body, "body") else {
        return c.finish(CreateBody {
            items: vec![],
            options: LinkOptions::default(),
        });
    };
    let mut items = Vec::new();
    match obj.get("requests") {
        None => c.err("requests", "Required"),
        Some(Value::Array(list)) if list.is_empty() => {
            c.err("requests", "Array must contain at least 1 element(s)")
        }
        Some(Value::Array(list)) => {
            for (i, item) in list.iter().enumerate() {
                let path = |k: &str| format!("requests.{i}.{k}");
                let Some(item) = c.object(item, &format!("requests.{i}")) else {
                    continue;
                };
                let amount = c.amount(item, "amount", &path("amount"));
                let destination_id = c.string(
                    item,
                    "destinationId",
                    &path("destinationId"),
                    false,
                    1,
                    None,
                );
                let is_legacy = ["payee", "invoiceCurrency", "paymentCurrency"]
                    .iter()
                    .any(|k| item.contains_key(*k));
                let legacy = if is_legacy {
                    let payee = c.string(item, "payee", &path("payee"), true, 1, None);
                    let invoice = c.string(
                        item,
                        "invoiceCurrency",
                        &path("invoiceCurrency"),
                        true,
                        1,
                        None,
                    );
                    let payment = c.string(
                        item,
                        "paymentCurrency",
                        &path("paymentCurrency"),
                        true,
                        1,
                        None,
                    );
                    match (payee, invoice, payment) {
                        (Some(payee), Some(invoice_currency), Some(payment_currency)) => {
                            Some(LegacyItem {
                                payee,
                                invoice_currency,
                                payment_currency,
                            })
                        }
                        _ => None,
                    }
                } else {
                    None
                };
                if let Some(amount) = amount {
                    items.push(CreateItem {
                        amount,
                        destination_id,
                        legacy,
                    });
                }
            }
        }
        Some(other) => c.err(
            "requests",
            format!("Expected array, received {}", type_name(other)),
        ),
    }
    let options = link_options(&mut c, obj, Some("payerIdentifier"));
    c.finish(CreateBody { items, options })
}

/// Validates a `POST /v2/secure-payments/payouts` body.
pub(crate) fn payout_body(body: &Value) -> Result<PayoutBody, ApiError> {
    let mut c = Checker::default();
    let empty = Map::new();
    let obj = c.object(body, "body").unwrap_or(&empty);
    let recipient = c.string(obj, "recipient", "recipient", true, 0, None);
    let creator_wallet = c.string(
        obj,
        "creatorWalletAddress",
        "creatorWalletAddress",
        true,
        0,
        None,
    );
    let network = c.string(obj, "network", "network", true, 1, None);
    let currency = c.string(obj, "currency", "currency", true, 1, None);
    let amount = c.amount(obj, "amount", "amount");
    if creator_wallet
        .as_deref()
        .is_some_and(|w| !is_evm_address(w) && !is_tron_address(w))
    {
        c.err("creatorWalletAddress", "Invalid EVM or TRON wallet address");
    }
    let options = link_options(&mut c, obj, Some("recipientIdentifier"));
    let body = PayoutBody {
        recipient: recipient.unwrap_or_default(),
        creator_wallet: creator_wallet.unwrap_or_default(),
        network: network.unwrap_or_default(),
        currency: currency.unwrap_or_default(),
        amount: amount.unwrap_or_default(),
        options,
    };
    c.finish(body)
}

/// Validates a `POST /v2/secure-payments/batch-payouts` body.
pub(crate) fn batch_payout_body(body: &Value) -> Result<BatchPayoutBody, ApiError> {
    let mut c = Checker::default();
    let empty = Map::new();
    let obj = c.object(body, "body").unwrap_or(&empty);
    let mut tokens = Vec::new();
    match obj.get("tokens") {
        None => c.err("tokens", "Required"),
        Some(Value::Array(list)) => {
            if list.len() < 2 {
                c.err("tokens", "Array must contain at least 2 element(s)");
            }
            for (i, t) in list.iter().enumerate() {
                match t.as_str() {
                    Some("") => c.err(
                        &format!("tokens.{i}"),
                        "String must contain at least 1 character(s)",
                    ),
                    Some(s) => tokens.push(s.to_string()),
                    None => c.err(
                        &format!("tokens.{i}"),
                        format!("Expected string, received {}", type_name(t)),
                    ),
                }
            }
        }
        Some(other) => c.err(
            "tokens",
            format!("Expected array, received {}", type_name(other)),
        ),
    }
    let options = link_options(&mut c, obj, None);
    c.finish(BatchPayoutBody { tokens, options })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(r: Result<CreateBody, ApiError>) -> String {
        match r {
            Err(ApiError::Validation { message, .. }) => message,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn redirect_rules_use_the_contract_wording() {
        let b = json!({"requests":[{"amount":"1"}], "redirectUrl":"javascript:alert(1)"});
        assert_eq!(message(create_body(&b)), UNSAFE_REDIRECT);
        let b = json!({"requests":[{"amount":"1"}], "redirectUrl":"https://x.test/a b"});
        assert_eq!(message(create_body(&b)), UNSAFE_REDIRECT);
        for unsafe_url in [
            "https://x.test/\u{feff}",
            "https://x.test/\u{1}",
            "https://x.test/\u{7f}",
        ] {
            let b = json!({"requests":[{"amount":"1"}], "redirectUrl": unsafe_url});
            assert_eq!(message(create_body(&b)), UNSAFE_REDIRECT, "{unsafe_url:?}");
        }
        let b = json!({"requests":[{"amount":"1"}], "redirectLabel":"Back"});
        assert_eq!(message(create_body(&b)), LABEL_WITHOUT_URL);
        let b = json!({"requests":[{"amount":"1"}], "redirectUrl":"https://shop.test/thanks", "redirectLabel":"Back"});
        assert!(create_body(&b).is_ok());
    }

    #[test]
    fn reports_each_bad_field() {
        let b = json!({"requests":[{"amount":10},{"amount":"-1"}], "reference":""});
        match create_body(&b) {
            Err(ApiError::Validation { message, errors }) => {
                assert_eq!(message, "Validation failed");
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(
                    fields,
                    ["requests.0.amount", "requests.1.amount", "reference"]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            message(create_body(&json!({"requests":[]}))),
            "Validation failed"
        );
    }

    #[test]
    fn lengths_count_utf16_units_as_javascript_does() {
        let fits = json!({"requests":[{"amount":"1"}], "reference": "😀".repeat(127)});
        assert!(create_body(&fits).is_ok());
        let over = json!({"requests":[{"amount":"1"}], "reference": "😀".repeat(128)});
        match create_body(&over) {
            Err(ApiError::Validation { errors, .. }) => assert_eq!(
                errors[0].message,
                "String must contain at most 255 character(s)"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn legacy_items_need_all_three_fields() {
        let b = json!({"requests":[{"amount":"1","payee":"0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7","invoiceCurrency":"USD","paymentCurrency":"USDC-base"}]});
        let body = create_body(&b).expect("legacy body");
        assert!(body.items[0].legacy.is_some());
        let b = json!({"requests":[{"amount":"1","payee":"0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7"}]});
        assert_eq!(message(create_body(&b)), "Validation failed");
    }
}
