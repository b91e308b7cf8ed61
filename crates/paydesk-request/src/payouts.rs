//! Outgoing payout links (CONTRACT.md §3, §8).
//!
//! Owns `POST /v2/secure-payments/payouts` (one hosted link that the caller opens to pay one
//! recipient) and `POST /v2/secure-payments/batch-payouts` (several pending single payout links
//! on one EVM network combined into one; the children are invalidated). Both answer with a
//! [`CreatedSecurePayment`].

use rust_decimal::Decimal;
use serde::Serialize;

use crate::validation::{self as rules, ValidationError};
use crate::{CreatedSecurePayment, Error, RequestClient};

/// Body of `POST /v2/secure-payments/payouts`. Optional fields left `None` are not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePayout {
    /// Recipient wallet: EVM `0x...` or Tron `T...`.
    pub recipient: String,
    /// Wallet that creates the link (the docs say the signer's wallet must match it).
    pub creator_wallet_address: String,
    /// Network id: `mainnet`, `arbitrum-one`, `optimism`, `base`, `matic`, `bsc`, `tron`,
    /// `sepolia`.
    pub network: String,
    /// Currency id `<SYMBOL>-<network>`, e.g. `USDC-base`.
    pub currency: String,
    /// Human-readable amount, above zero; sent as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// Merchant reference, 1 to 255 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free recipient identifier, 1 to 255 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_identifier: Option<String>,
    /// Where the success screen's button leads; a safe http(s) URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// The button's text; only with `redirect_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_label: Option<String>,
}

impl CreatePayout {
    /// A payout with the required fields only.
    pub fn new(
        recipient: impl Into<String>,
        creator_wallet_address: impl Into<String>,
        network: impl Into<String>,
        currency: impl Into<String>,
        amount: Decimal,
    ) -> Self {
        Self {
            recipient: recipient.into(),
            creator_wallet_address: creator_wallet_address.into(),
            network: network.into(),
            currency: currency.into(),
            amount,
            reference: None,
            recipient_identifier: None,
            redirect_url: None,
            redirect_label: None,
        }
    }

    /// Runs the API's rules on this body; the first broken rule, in the schema's field order.
    pub fn validate(&self) -> Result<(), ValidationError> {
        rules::non_empty("network", &self.network)?;
        rules::non_empty("currency", &self.currency)?;
        rules::positive_amount("amount", &self.amount)?;
        rules::optional_text_field("reference", self.reference.as_deref())?;
        rules::optional_text_field("recipientIdentifier", self.recipient_identifier.as_deref())?;
        rules::validate_redirect(self.redirect_url.as_deref(), self.redirect_label.as_deref())
    }
}

/// Body of `POST /v2/secure-payments/batch-payouts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBatchPayout {
    /// Tokens of at least two pending single payout links on the same network.
    pub tokens: Vec<String>,
    /// Where the success screen's button leads; a safe http(s) URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// The button's text; only with `redirect_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_label: Option<String>,
}

impl CreateBatchPayout {
    /// A batch of these payout tokens, without redirect.
    pub fn new(tokens: Vec<String>) -> Self {
        Self {
            tokens,
            redirect_url: None,
            redirect_label: None,
        }
    }

    /// Runs the API's rules on this body; the first broken rule.
    pub fn validate(&self) -> Result<(), ValidationError> {
        rules::min_items("tokens", self.tokens.len(), 2)?;
        for (n, token) in self.tokens.iter().enumerate() {
            rules::non_empty(&format!("tokens[{n}]"), token)?;
        }
        rules::validate_redirect(self.redirect_url.as_deref(), self.redirect_label.as_deref())
    }
}

impl RequestClient {
    /// `POST /v2/secure-payments/payouts`: validates locally, then creates the payout link.
    /// Not retried: on `Timeout`, `Network`, `Malformed` or a 5xx `Api` error the link may exist.
    pub async fn create_payout(
        &self,
        payout: &CreatePayout,
    ) -> Result<CreatedSecurePayment, Error> {
        payout.validate()?;
        self.post_link(&["v2", "secure-payments", "payouts"], payout)
            .await
    }

    /// `POST /v2/secure-payments/batch-payouts`: validates locally, then combines the pending
    /// payout links into one (the server invalidates the children). Not retried.
    pub async fn create_batch_payout(
        &self,
        batch: &CreateBatchPayout,
    ) -> Result<CreatedSecurePayment, Error> {
        batch.validate()?;
        self.post_link(&["v2", "secure-payments", "batch-payouts"], batch)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payout_on_the_wire() {
        let mut payout = CreatePayout::new(
            "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
            "TKb9mFPjUgCbrQpenCm4Z3T7ELNrLWurfm",
            "tron",
            "USDT-tron",
            Decimal::from(250),
        );
        payout.reference = Some("INVOICE-2026-042".into());
        assert_eq!(
            serde_json::to_value(&payout).unwrap(),
            json!({
                "recipient": "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
                "creatorWalletAddress": "TKb9mFPjUgCbrQpenCm4Z3T7ELNrLWurfm",
                "network": "tron", "currency": "USDT-tron", "amount": "250",
                "reference": "INVOICE-2026-042"
            })
        );
    }

    #[test]
    fn payout_rules() {
        let ok = CreatePayout::new("0x1", "0x2", "base", "USDC-base", Decimal::new(1, 2));
        assert!(ok.validate().is_ok());
        let field = |p: CreatePayout| p.validate().unwrap_err().field;
        assert_eq!(
            field(CreatePayout {
                network: String::new(),
                ..ok.clone()
            }),
            "network"
        );
        assert_eq!(
            field(CreatePayout {
                amount: Decimal::ZERO,
                ..ok.clone()
            }),
            "amount"
        );
        assert_eq!(
            field(CreatePayout {
                recipient_identifier: Some("x".repeat(256)),
                ..ok.clone()
            }),
            "recipientIdentifier"
        );
        assert_eq!(
            field(CreatePayout {
                redirect_label: Some("Back".into()),
                ..ok
            }),
            "redirectLabel"
        );
    }

    #[test]
    fn batch_rules_and_wire_shape() {
        let one = CreateBatchPayout::new(vec!["01A".into()]);
        let e = one.validate().unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("tokens", "Array must contain at least 2 element(s)")
        );
        let blank = CreateBatchPayout::new(vec!["01A".into(), String::new()]);
        assert_eq!(blank.validate().unwrap_err().field, "tokens[1]");
        let mut two = CreateBatchPayout::new(vec!["01A".into(), "01B".into()]);
        two.redirect_url = Some("https://a.example/x".into());
        two.redirect_label = Some("Done".into());
        assert!(two.validate().is_ok());
        assert_eq!(
            serde_json::to_value(&two).unwrap(),
            json!({"tokens": ["01A", "01B"], "redirectUrl": "https://a.example/x", "redirectLabel": "Done"})
        );
    }
}
