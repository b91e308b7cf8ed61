//! The currencies Paydesk knows: Request Network payment currency ids (`SYMBOL-network`, CONTRACT.md
//! §10.5) with their token decimals, and fiat codes used for display.

use serde::Serialize;

use crate::error::{Error, Result};

/// Whether a currency can be paid on chain or is for display only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CurrencyKind {
    Crypto,
    Fiat,
}

/// One currency: its id as the API spells it and the number of decimals amounts may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Currency {
    pub id: &'static str,
    pub label: &'static str,
    pub decimals: u32,
    pub kind: CurrencyKind,
    pub network: Option<&'static str>,
}

const fn crypto(
    id: &'static str,
    label: &'static str,
    decimals: u32,
    network: &'static str,
) -> Currency {
    Currency {
        id,
        label,
        decimals,
        kind: CurrencyKind::Crypto,
        network: Some(network),
    }
}

const fn fiat(id: &'static str, label: &'static str) -> Currency {
    Currency {
        id,
        label,
        decimals: 2,
        kind: CurrencyKind::Fiat,
        network: None,
    }
}

/// The catalogue, crypto first. USDC/USDT carry 6 decimals except on BNB chain (18).
pub const CURRENCIES: &[Currency] = &[
    crypto("USDC-base", "USDC on Base", 6, "base"),
    crypto("USDC-mainnet", "USDC on Ethereum", 6, "mainnet"),
    crypto(
        "USDC-arbitrum-one",
        "USDC on Arbitrum One",
        6,
        "arbitrum-one",
    ),
    crypto("USDC-optimism", "USDC on Optimism", 6, "optimism"),
    crypto("USDC-matic", "USDC on Polygon", 6, "matic"),
    crypto("USDC-bsc", "USDC on BNB Chain", 18, "bsc"),
    crypto("USDC-tron", "USDC on Tron", 6, "tron"),
    crypto("USDT-mainnet", "USDT on Ethereum", 6, "mainnet"),
    crypto(
        "USDT-arbitrum-one",
        "USDT on Arbitrum One",
        6,
        "arbitrum-one",
    ),
    crypto(
        "USDT0-arbitrum-one",
        "USDT0 on Arbitrum One",
        6,
        "arbitrum-one",
    ),
    crypto("USDT-optimism", "USDT on Optimism", 6, "optimism"),
    crypto("USDT0-optimism", "USDT0 on Optimism", 6, "optimism"),
    crypto("USDT-base", "USDT on Base", 6, "base"),
    crypto("USDT-matic", "USDT on Polygon", 6, "matic"),
    crypto("USDT0-matic", "USDT0 on Polygon", 6, "matic"),
    crypto("USDT-bsc", "USDT on BNB Chain", 18, "bsc"),
    crypto("USDT-tron", "USDT on Tron", 6, "tron"),
    crypto("ETH-mainnet", "ETH on Ethereum", 18, "mainnet"),
    crypto("USDC-sepolia", "USDC on Sepolia (testnet)", 6, "sepolia"),
    crypto("FAU-sepolia", "FAU on Sepolia (testnet)", 18, "sepolia"),
    fiat("USD", "US dollar"),
    fiat("EUR", "Euro"),
    fiat("GBP", "Pound sterling"),
];

/// Look a currency up by id (exact, case-sensitive as the API is); `field` names the input.
pub fn lookup(field: &str, id: &str) -> Result<&'static Currency> {
    CURRENCIES.iter().find(|c| c.id == id).ok_or_else(|| {
        Error::invalid(
            field,
            format!("unknown currency \"{}\"; use one of the listed currency ids (e.g. USDC-base, USDT-tron, EUR)", truncate(id)),
        )
    })
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = CURRENCIES.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CURRENCIES.len());
    }

    #[test]
    fn unknown_currency_is_rejected_with_field() {
        let err = lookup("currency", "DOGE").unwrap_err();
        assert_eq!(err.field(), Some("currency"));
        assert!(err.to_string().contains("unknown currency \"DOGE\""));
    }

    #[test]
    fn bsc_stablecoins_have_18_decimals() {
        assert_eq!(lookup("c", "USDT-bsc").unwrap().decimals, 18);
        assert_eq!(lookup("c", "USDC-base").unwrap().decimals, 6);
        assert_eq!(lookup("c", "EUR").unwrap().decimals, 2);
    }
}
