//! `POST /v2/secure-payments`: create an incoming payment link (CONTRACT.md §2).
//!
//! Owns the request body in its two shapes, the current one (`requests[]` of
//! `{destinationId?, amount}`) and the legacy one of the older guides (`requests[]` of
//! `{payee, amount, invoiceCurrency, paymentCurrency}`, §2.2), and the created-link answer
//! shared with the payout endpoints.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::http::{Answer, Api};
use crate::validation::{self as rules, ValidationError};
use crate::{Error, FeePlan, RequestClient};

/// Body of `POST /v2/secure-payments`. Optional fields left `None` are not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSecurePayment {
    /// What to collect: one item for a single payment, several for an (EVM-only) batch.
    pub requests: SecurePaymentRequests,
    /// Merchant reference for reconciliation, 1 to 255 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free payer identifier, 1 to 255 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer_identifier: Option<String>,
    /// Where the success screen's button leads; a safe http(s) URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// The button's text (default `Go Back and Close`); only with `redirect_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_label: Option<String>,
}

/// The `requests[]` array, in the shape the caller selects. Serializes as the bare array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SecurePaymentRequests {
    /// Current shape (Aug 2026): the server resolves payee, chain and token from the destination.
    Current(Vec<PaymentItem>),
    /// Legacy shape (Feb 2026 guides): explicit payee and currencies per item. Whether production
    /// still accepts it is open (CONTRACT.md §2.2, §16.1).
    Legacy(Vec<LegacyItem>),
}

impl SecurePaymentRequests {
    fn len(&self) -> usize {
        match self {
            Self::Current(items) => items.len(),
            Self::Legacy(items) => items.len(),
        }
    }
}

/// One item of the current shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentItem {
    /// `{interopAddress}:{tokenAddress}`; omit it when the client ID has a bound destination.
    /// Treated as opaque.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_id: Option<String>,
    /// Human-readable amount, above zero; sent as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

impl PaymentItem {
    /// An item paid to the destination bound to the client ID.
    pub fn new(amount: Decimal) -> Self {
        Self {
            destination_id: None,
            amount,
        }
    }

    /// An item paid to an explicit destination.
    pub fn to_destination(amount: Decimal, destination_id: impl Into<String>) -> Self {
        Self {
            destination_id: Some(destination_id.into()),
            amount,
        }
    }
}

/// One item of the legacy shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyItem {
    /// Payee EVM address.
    pub payee: String,
    /// Human-readable amount, above zero; sent as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// Invoice currency, e.g. `USDC-base` or `USD`.
    pub invoice_currency: String,
    /// Payment currency, e.g. `USDC-base`.
    pub payment_currency: String,
}

impl CreateSecurePayment {
    /// A link in the current shape, with no reference, payer or redirect.
    pub fn current(items: Vec<PaymentItem>) -> Self {
        Self::with_requests(SecurePaymentRequests::Current(items))
    }

    /// A link in the legacy shape, with no reference, payer or redirect.
    pub fn legacy(items: Vec<LegacyItem>) -> Self {
        Self::with_requests(SecurePaymentRequests::Legacy(items))
    }

    fn with_requests(requests: SecurePaymentRequests) -> Self {
        Self {
            requests,
            reference: None,
            payer_identifier: None,
            redirect_url: None,
            redirect_label: None,
        }
    }

    /// Runs the API's rules on this body; the first broken rule, in the schema's field order.
    pub fn validate(&self) -> Result<(), ValidationError> {
        rules::min_items("requests", self.requests.len(), 1)?;
        match &self.requests {
            SecurePaymentRequests::Current(items) => {
                for (n, item) in items.iter().enumerate() {
                    if let Some(destination) = &item.destination_id {
                        rules::non_empty(&format!("requests[{n}].destinationId"), destination)?;
                    }
                    rules::positive_amount(&format!("requests[{n}].amount"), &item.amount)?;
                }
            }
            SecurePaymentRequests::Legacy(items) => {
                for (n, item) in items.iter().enumerate() {
                    rules::non_empty(&format!("requests[{n}].payee"), &item.payee)?;
                    rules::positive_amount(&format!("requests[{n}].amount"), &item.amount)?;
                    rules::non_empty(
                        &format!("requests[{n}].invoiceCurrency"),
                        &item.invoice_currency,
                    )?;
                    rules::non_empty(
                        &format!("requests[{n}].paymentCurrency"),
                        &item.payment_currency,
                    )?;
                }
            }
        }
        rules::optional_text_field("reference", self.reference.as_deref())?;
        rules::optional_text_field("payerIdentifier", self.payer_identifier.as_deref())?;
        rules::validate_redirect(self.redirect_url.as_deref(), self.redirect_label.as_deref())
    }
}

/// The 201 answer of every link-creating call (CONTRACT.md §2.3). Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedSecurePayment {
    /// One request ID per `requests[]` item (a batch payout: per combined payout).
    pub request_ids: Vec<String>,
    /// The payer page, as the server gives it (`pay.` or `secure.request.network`, or the
    /// emulator's own).
    pub secure_payment_url: Url,
    /// The link's token, for `GET /v2/secure-payments/:token`; never empty.
    pub token: String,
    /// The fee plan; `None` when the server sends `null` (non-stablecoin, mixed batch) or, as in
    /// the docs' examples, leaves it out.
    #[serde(default)]
    pub fee_plan: Option<FeePlan>,
}

impl RequestClient {
    /// `POST /v2/secure-payments`: validates locally (nothing is sent when a rule is broken),
    /// then creates the link. Not retried: on `Timeout`, `Network`, `Malformed` or a 5xx `Api`
    /// error the link may exist.
    pub async fn create_secure_payment(
        &self,
        payment: &CreateSecurePayment,
    ) -> Result<CreatedSecurePayment, Error> {
        payment.validate()?;
        self.post_link(&["v2", "secure-payments"], payment).await
    }

    /// Sends a link-creating POST and reads the created link.
    pub(crate) async fn post_link(
        &self,
        path: &[&str],
        body: &impl Serialize,
    ) -> Result<CreatedSecurePayment, Error> {
        let url = self.transport.url(Api::Request, path);
        let answer = self.transport.send(Method::POST, url, Some(body)).await?;
        self.read_created(&answer)
    }

    fn read_created(&self, answer: &Answer) -> Result<CreatedSecurePayment, Error> {
        let created: CreatedSecurePayment = self.expect_success(answer)?;
        if created.token.is_empty() {
            return Err(self.transport.malformed(answer, "token: empty string"));
        }
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn current_shape_on_the_wire() {
        let mut body = CreateSecurePayment::current(vec![
            PaymentItem::to_destination(dec("10.50"), "0xabc@eip155:8453#ABCD1234:0xdef"),
            PaymentItem::new(dec("5")),
        ]);
        body.reference = Some("INV-42".into());
        body.redirect_url = Some("https://shop.example/done".into());
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "requests": [
                    {"destinationId": "0xabc@eip155:8453#ABCD1234:0xdef", "amount": "10.50"},
                    {"amount": "5"}
                ],
                "reference": "INV-42",
                "redirectUrl": "https://shop.example/done"
            })
        );
    }

    #[test]
    fn legacy_shape_on_the_wire() {
        let body = CreateSecurePayment::legacy(vec![LegacyItem {
            payee: "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7".into(),
            amount: dec("10"),
            invoice_currency: "USDC-base".into(),
            payment_currency: "USDC-base".into(),
        }]);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"requests": [{
                "payee": "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7",
                "amount": "10",
                "invoiceCurrency": "USDC-base",
                "paymentCurrency": "USDC-base"
            }]})
        );
    }

    #[test]
    fn validation_names_the_first_broken_field() {
        let field_of = |body: &CreateSecurePayment| body.validate().map_err(|e| e.field);
        assert_eq!(
            field_of(&CreateSecurePayment::current(vec![])),
            Err("requests".into())
        );
        let zero = CreateSecurePayment::current(vec![
            PaymentItem::new(dec("1")),
            PaymentItem::new(dec("0")),
        ]);
        assert_eq!(field_of(&zero), Err("requests[1].amount".into()));
        let empty_destination =
            CreateSecurePayment::current(vec![PaymentItem::to_destination(dec("1"), "")]);
        assert_eq!(
            field_of(&empty_destination),
            Err("requests[0].destinationId".into())
        );
        let legacy = CreateSecurePayment::legacy(vec![LegacyItem {
            payee: "0x1".into(),
            amount: dec("-2"),
            invoice_currency: "USD".into(),
            payment_currency: "USDC-base".into(),
        }]);
        assert_eq!(field_of(&legacy), Err("requests[0].amount".into()));
        let mut payer = CreateSecurePayment::current(vec![PaymentItem::new(dec("1"))]);
        payer.payer_identifier = Some(String::new());
        assert_eq!(field_of(&payer), Err("payerIdentifier".into()));
    }

    #[test]
    fn created_link_tolerates_a_missing_fee_plan_and_unknown_fields() {
        let created: CreatedSecurePayment = serde_json::from_value(json!({
            "requestIds": ["01e273ec"],
            "securePaymentUrl": "https://secure.request.network/01ABC",
            "token": "01ABC",
            "somethingNew": 1
        }))
        .unwrap();
        assert_eq!(created.fee_plan, None);
        assert_eq!(created.token, "01ABC");
    }
}
