//! The fee plan snapshot the API attaches to a secure payment (CONTRACT.md §2.3).
//!
//! Owns [`FeePlan`] and [`Fee`]. USD amounts arrive as decimal strings and stay exact
//! ([`Decimal`]); `percentageBps` arrives as a JSON number.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// The resolved fee plan of a secure payment (`version` 1). Fields the OAS marks required are
/// required; unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeePlan {
    /// Schema version (1).
    pub version: u32,
    /// `get_paid` (incoming link) or `pay` (payout).
    pub flow: String,
    /// `payer` or `payee`.
    pub default_fee_bearer: String,
    /// Gross amount in USD.
    #[serde(with = "rust_decimal::serde::str")]
    pub gross_amount_usd: Decimal,
    /// What the recipient receives, in USD.
    #[serde(with = "rust_decimal::serde::str")]
    pub net_recipient_amount_usd: Decimal,
    /// What the payer pays in total, in USD.
    #[serde(with = "rust_decimal::serde::str")]
    pub payer_total_amount_usd: Decimal,
    /// All fees, in USD.
    #[serde(with = "rust_decimal::serde::str")]
    pub total_fees_usd: Decimal,
    /// Fees borne by the payee, in USD.
    #[serde(with = "rust_decimal::serde::str")]
    pub payee_borne_fees_usd: Decimal,
    /// Fees borne by the payer, in USD.
    #[serde(with = "rust_decimal::serde::str")]
    pub payer_borne_fees_usd: Decimal,
    /// The individual fees.
    pub fees: Vec<Fee>,
}

/// One fee line of a [`FeePlan`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fee {
    /// Fee type, e.g. `platform`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Human label.
    pub label: String,
    /// `payer` or `payee`.
    pub fee_bearer: String,
    /// Why that bearer (`fee_config`, `flow_default`, ...).
    pub fee_bearer_source: String,
    /// Rate in basis points.
    #[serde(deserialize_with = "decimal_from_number")]
    pub percentage_bps: Decimal,
    /// Cap in USD, if any.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub cap_usd: Option<Decimal>,
    /// Fixed part in USD, if any.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub fixed_amount_usd: Option<Decimal>,
    /// The computed fee in USD.
    #[serde(with = "rust_decimal::serde::str")]
    pub calculated_amount_usd: Decimal,
    /// How the fee recipient is resolved.
    pub destination_resolver: String,
    /// Where the fee goes.
    pub destination_ref: FeeDestination,
    /// Where the fee configuration came from.
    pub config_source: String,
}

/// The wallet a fee is paid to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeeDestination {
    /// EVM address, if EVM.
    #[serde(default)]
    pub evm_address: Option<String>,
    /// Tron address, if Tron.
    #[serde(default)]
    pub tron_address: Option<String>,
}

fn decimal_from_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    let text = number.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"{
        "version": 1, "flow": "get_paid", "defaultFeeBearer": "payee",
        "grossAmountUsd": "100.00", "netRecipientAmountUsd": "99.50", "payerTotalAmountUsd": "100.00",
        "totalFeesUsd": "0.50", "payeeBorneFeesUsd": "0.50", "payerBorneFeesUsd": "0",
        "fees": [{
            "type": "platform", "label": "Platform fee", "feeBearer": "payee",
            "feeBearerSource": "flow_default", "percentageBps": 50, "capUsd": null,
            "calculatedAmountUsd": "0.50", "destinationResolver": "platform_wallet",
            "destinationRef": {"evmAddress": "0xabc"}, "configSource": "default", "extra": true
        }],
        "futureField": {"ignored": true}
    }"#;

    #[test]
    fn reads_the_documented_shape_exactly() {
        let plan: FeePlan = serde_json::from_str(PLAN).unwrap();
        assert_eq!(plan.net_recipient_amount_usd, Decimal::new(9950, 2));
        assert_eq!(plan.net_recipient_amount_usd.to_string(), "99.50");
        let fee = &plan.fees[0];
        assert_eq!(fee.percentage_bps, Decimal::from(50));
        assert_eq!(fee.cap_usd, None);
        assert_eq!(fee.fixed_amount_usd, None);
        assert_eq!(fee.destination_ref.evm_address.as_deref(), Some("0xabc"));
    }

    #[test]
    fn fractional_basis_points_stay_exact() {
        let plan = PLAN.replace("\"percentageBps\": 50", "\"percentageBps\": 12.5");
        let plan: FeePlan = serde_json::from_str(&plan).unwrap();
        assert_eq!(plan.fees[0].percentage_bps, Decimal::new(125, 1));
    }

    #[test]
    fn usd_amounts_as_json_numbers_are_refused() {
        let plan = PLAN.replace("\"totalFeesUsd\": \"0.50\"", "\"totalFeesUsd\": 0.5");
        assert!(serde_json::from_str::<FeePlan>(&plan).is_err());
    }
}
