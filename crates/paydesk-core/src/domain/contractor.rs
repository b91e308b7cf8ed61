//! Contractors: who the freelancer pays. Owns the contractor's input rules (name, email, the
//! payout network and its pinned address, a default currency on that network) and the views the
//! engine returns. The address is stored in canonical form (EIP-55 or Tron base58).

use serde::{Deserialize, Serialize};

use super::address::{parse_address, Network, WalletAddress};
use super::text::{email, limits, required_text};
use crate::error::{Error, Result};
use crate::money::currency;

/// A contractor as typed by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractorInput {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub network: String,
    pub address: String,
    #[serde(default)]
    pub default_currency: Option<String>,
}

/// A validated [`ContractorInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContractor {
    pub name: String,
    pub email: Option<String>,
    pub network: Network,
    pub address: WalletAddress,
    pub default_currency: Option<String>,
}

impl ContractorInput {
    /// Check every field; the address is checked for the network and returned canonical.
    pub fn validate(&self) -> Result<ValidContractor> {
        let name = required_text("name", &self.name, limits::NAME)?;
        let email = email("email", self.email.as_deref().unwrap_or_default())?;
        let network = Network::parse("network", &self.network)?;
        let address = parse_address("address", network, &self.address)?;
        let default_currency = match self.default_currency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(
                payout_currency("defaultCurrency", network, id)?
                    .id
                    .to_string(),
            ),
        };
        Ok(ValidContractor {
            name,
            email: (!email.is_empty()).then_some(email),
            network,
            address,
            default_currency,
        })
    }
}

/// A payment currency that exists on `network`; its id and decimals.
pub fn payout_currency(
    field: &str,
    network: Network,
    id: &str,
) -> Result<&'static currency::Currency> {
    let found = currency::lookup(field, id)?;
    match found.network {
        Some(n) if n == network.as_str() => Ok(found),
        Some(n) => Err(Error::invalid(
            field,
            format!(
                "{id} is on {n}, but the payout network is {}; choose a currency on {}",
                network.as_str(),
                network.label()
            ),
        )),
        None => Err(Error::invalid(
            field,
            format!("{id} is not a crypto currency; payouts are paid in a token on the network"),
        )),
    }
}

/// A stored contractor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contractor {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub network: Network,
    pub address: String,
    pub default_currency: Option<String>,
    /// When the address last changed after creation.
    pub address_changed_at: Option<String>,
    pub payout_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// One address a contractor had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressChange {
    pub at: String,
    pub network: Network,
    pub old_address: Option<String>,
    pub new_address: String,
}

/// A contractor and its address history (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractorDetail {
    pub contractor: Contractor,
    pub history: Vec<AddressChange>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(network: &str, address: &str, currency: Option<&str>) -> ContractorInput {
        ContractorInput {
            name: " Ada Dev ".into(),
            email: Some("ada@example.com".into()),
            network: network.into(),
            address: address.into(),
            default_currency: currency.map(String::from),
        }
    }

    fn field(r: Result<ValidContractor>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn lowercase_evm_is_stored_checksummed_and_the_currency_must_be_on_the_network() {
        let ok = input(
            "base",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            Some("USDC-base"),
        )
        .validate()
        .expect("valid");
        assert_eq!(ok.name, "Ada Dev");
        assert_eq!(
            ok.address.as_str(),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        );
        assert_eq!(
            field(
                input(
                    "base",
                    "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                    Some("USDT-tron")
                )
                .validate()
            ),
            "defaultCurrency"
        );
        assert_eq!(
            field(
                input(
                    "base",
                    "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                    Some("EUR")
                )
                .validate()
            ),
            "defaultCurrency"
        );
        assert_eq!(
            field(input("base", "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", None).validate()),
            "address"
        );
        assert_eq!(
            field(input("solana", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", None).validate()),
            "network"
        );
        let tron = input(
            "tron",
            "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
            Some("USDT-tron"),
        )
        .validate()
        .expect("tron");
        assert_eq!(tron.network, Network::Tron);
    }
}
