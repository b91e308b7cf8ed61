//! Payouts: paying a contractor through a hosted payout link the freelancer signs with their own
//! wallet. Owns the payout's input rules (amount within the token's decimals, a currency on the
//! contractor's network), its states, the review shown before approval, the payout settings
//! (the creator wallet per network family) and the views the engine returns.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::address::{parse_address, Network};
use super::contractor::payout_currency;
use super::text::{check_text, limits};
use crate::error::{Error, Result};
use crate::money::parse::{parse_decimal, DecimalRule};

/// Where a payout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutState {
    /// Editable; nothing sent.
    Draft,
    /// Approved; its link request waits to be sent.
    Approved,
    /// The payout link exists: open it and sign.
    Live,
    Paid,
    /// The link expired unpaid.
    Expired,
    Cancelled,
    /// The API refused the link for good.
    Failed,
    /// Combined into a batch link.
    Batched,
}

impl PayoutState {
    pub const ALL: [PayoutState; 8] = [
        PayoutState::Draft,
        PayoutState::Approved,
        PayoutState::Live,
        PayoutState::Paid,
        PayoutState::Expired,
        PayoutState::Cancelled,
        PayoutState::Failed,
        PayoutState::Batched,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PayoutState::Draft => "draft",
            PayoutState::Approved => "approved",
            PayoutState::Live => "live",
            PayoutState::Paid => "paid",
            PayoutState::Expired => "expired",
            PayoutState::Cancelled => "cancelled",
            PayoutState::Failed => "failed",
            PayoutState::Batched => "batched",
        }
    }

    /// Parse a stored or typed state; errors name `field`.
    pub fn parse(field: &str, s: &str) -> Result<PayoutState> {
        PayoutState::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    field,
                    "must be draft, approved, live, paid, expired, cancelled, failed or batched",
                )
            })
    }
}

/// A payout as typed by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutInput {
    pub contractor_id: String,
    pub amount: String,
    pub currency: String,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub memo: Option<String>,
    #[serde(default)]
    pub invoice_id: Option<String>,
}

/// A validated [`PayoutInput`] (the contractor's network decides the currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPayout {
    pub amount: Decimal,
    pub currency: String,
    pub reference: Option<String>,
    pub memo: Option<String>,
}

/// The API's limit for `reference` (CONTRACT §3).
pub const REFERENCE_MAX: usize = 255;
const MEMO_MAX: usize = 1_000;

impl PayoutInput {
    /// Check the fields for a contractor paid on `network`.
    pub fn validate(&self, network: Network) -> Result<ValidPayout> {
        let currency = payout_currency("currency", network, self.currency.trim())?;
        let amount = parse_decimal(
            "amount",
            &self.amount,
            DecimalRule {
                max_decimals: currency.decimals,
                min: Decimal::ZERO,
                min_inclusive: false,
                max: Decimal::from(1_000_000_000_000u64),
            },
        )?;
        let optional = |field: &str, v: &Option<String>, max: usize| -> Result<Option<String>> {
            let text = check_text(field, v.as_deref().unwrap_or_default(), max, false)?;
            Ok((!text.is_empty()).then_some(text))
        };
        Ok(ValidPayout {
            amount,
            currency: currency.id.to_string(),
            reference: optional("reference", &self.reference, REFERENCE_MAX)?,
            memo: optional("memo", &self.memo, MEMO_MAX.min(limits::NOTES))?,
        })
    }
}

/// The wallet that creates (and signs) payout links, per network family
/// (`creatorWalletAddress`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutSettings {
    pub evm_wallet: Option<String>,
    pub tron_wallet: Option<String>,
}

impl PayoutSettings {
    /// Check both wallets (EVM stored checksummed); blanks become `None`.
    pub fn validate(&self) -> Result<PayoutSettings> {
        let check = |field: &str, network: Network, v: &Option<String>| -> Result<Option<String>> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(s) => Ok(Some(parse_address(field, network, s)?.to_string())),
            }
        };
        Ok(PayoutSettings {
            evm_wallet: check("evmWallet", Network::Base, &self.evm_wallet)?,
            tron_wallet: check("tronWallet", Network::Tron, &self.tron_wallet)?,
        })
    }

    /// The creator wallet for `network`, if set.
    pub fn wallet_for(&self, network: Network) -> Option<&str> {
        if network.is_evm() {
            self.evm_wallet.as_deref()
        } else {
            self.tron_wallet.as_deref()
        }
    }
}

/// A payout's hosted link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutLink {
    pub url: String,
    pub token: String,
    pub expires_at: String,
    pub status: String,
}

/// One step of a payout's audit history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutEvent {
    pub at: String,
    pub action: String,
    pub actor: Option<String>,
    pub detail: Option<String>,
}

/// A payout with everything the detail screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payout {
    pub id: String,
    pub number: String,
    pub state: PayoutState,
    pub contractor_id: String,
    pub contractor_name: String,
    pub network: Network,
    /// The approved address, or the contractor's current one while a draft.
    pub address: String,
    pub currency: String,
    pub amount: String,
    pub reference: Option<String>,
    pub memo: Option<String>,
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
    pub address_changed: bool,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub link: Option<PayoutLink>,
    pub tx_hash: Option<String>,
    pub paid_at: Option<String>,
    pub batch_id: Option<String>,
    pub message: Option<String>,
    pub created_at: String,
    /// Oldest first.
    pub history: Vec<PayoutEvent>,
}

/// A row of the payouts list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutSummary {
    pub id: String,
    pub number: String,
    pub state: PayoutState,
    pub contractor_name: String,
    pub network: Network,
    pub currency: String,
    pub amount: String,
    pub address_changed: bool,
    pub created_at: String,
}

/// What the freelancer checks before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutReview {
    pub payout: Payout,
    pub contractor_name: String,
    pub address: String,
    pub network: Network,
    pub network_label: String,
    pub currency: String,
    pub amount: String,
    pub address_changed: bool,
    /// The address the last payout to this contractor went to, when it differs.
    pub previous_address: Option<String>,
    pub creator_wallet: Option<String>,
    /// Why it cannot be approved now (empty: it can).
    pub problems: Vec<String>,
}

/// A batch payout link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub id: String,
    pub network: Network,
    pub payout_ids: Vec<String>,
    pub link: Option<PayoutLink>,
    pub state: PayoutState,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(amount: &str, currency: &str) -> PayoutInput {
        PayoutInput {
            contractor_id: "c".into(),
            amount: amount.into(),
            currency: currency.into(),
            reference: Some(" INV-7 ".into()),
            memo: None,
            invoice_id: None,
        }
    }

    fn field(r: Result<ValidPayout>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn amounts_are_positive_within_the_tokens_decimals_on_the_right_network() {
        let ok = input("250.5", "USDC-base")
            .validate(Network::Base)
            .expect("valid");
        assert_eq!(ok.amount.to_string(), "250.5");
        assert_eq!(ok.reference.as_deref(), Some("INV-7"));
        assert_eq!(
            field(input("0", "USDC-base").validate(Network::Base)),
            "amount"
        );
        assert_eq!(
            field(input("-1", "USDC-base").validate(Network::Base)),
            "amount"
        );
        assert_eq!(
            field(input("1.0000001", "USDC-base").validate(Network::Base)),
            "amount"
        );
        assert!(input("1.000000000000000001", "USDT-bsc")
            .validate(Network::Bsc)
            .is_ok());
        assert_eq!(
            field(input("10", "USDT-tron").validate(Network::Base)),
            "currency"
        );
        let mut long = input("1", "USDC-base");
        long.reference = Some("x".repeat(256));
        assert_eq!(field(long.validate(Network::Base)), "reference");
    }

    #[test]
    fn settings_check_each_wallet_for_its_family() {
        let s = PayoutSettings {
            evm_wallet: Some("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed".into()),
            tron_wallet: Some("  ".into()),
        }
        .validate()
        .expect("valid");
        assert_eq!(
            s.evm_wallet.as_deref(),
            Some("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        );
        assert_eq!(s.tron_wallet, None);
        assert_eq!(s.wallet_for(Network::Tron), None);
        let bad = PayoutSettings {
            evm_wallet: None,
            tron_wallet: Some("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed".into()),
        }
        .validate();
        assert!(matches!(bad, Err(Error::Invalid { field, .. }) if field == "tronWallet"));
    }
}
