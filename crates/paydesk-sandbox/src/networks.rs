//! What the sandbox knows of chains and tokens (CONTRACT.md §10.4-§10.5): the supported
//! networks, their stablecoins, currency ids like `USDC-base`, wallet address shapes and the
//! ERC-7828 destination id `{wallet}@eip155:{chainId}#{checksum}:{tokenAddress}`.

use sha2::{Digest, Sha256};

/// One supported network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Network {
    /// The API id: `mainnet`, `base`, `tron`, ...
    pub id: &'static str,
    pub chain_id: u64,
    /// The native coin symbol, used for the network fee in webhook payloads.
    pub native: &'static str,
}

impl Network {
    pub(crate) fn is_tron(&self) -> bool {
        self.id == "tron"
    }
}

pub(crate) const NETWORKS: &[Network] = &[
    Network {
        id: "mainnet",
        chain_id: 1,
        native: "ETH",
    },
    Network {
        id: "arbitrum-one",
        chain_id: 42161,
        native: "ETH",
    },
    Network {
        id: "optimism",
        chain_id: 10,
        native: "ETH",
    },
    Network {
        id: "base",
        chain_id: 8453,
        native: "ETH",
    },
    Network {
        id: "matic",
        chain_id: 137,
        native: "POL",
    },
    Network {
        id: "bsc",
        chain_id: 56,
        native: "BNB",
    },
    Network {
        id: "tron",
        chain_id: 728126428,
        native: "TRX",
    },
    Network {
        id: "sepolia",
        chain_id: 11155111,
        native: "ETH",
    },
];

/// One token on one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub symbol: &'static str,
    pub network: &'static str,
    pub address: &'static str,
    pub decimals: u32,
}

const TOKENS: &[Token] = &[
    Token {
        symbol: "USDC",
        network: "mainnet",
        address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        decimals: 6,
    },
    Token {
        symbol: "USDT",
        network: "mainnet",
        address: "0xdAC17F958D2ee523a2206206994597C13D831ec7",
        decimals: 6,
    },
    Token {
        symbol: "USDC",
        network: "arbitrum-one",
        address: "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
        decimals: 6,
    },
    Token {
        symbol: "USDT0",
        network: "arbitrum-one",
        address: "0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9",
        decimals: 6,
    },
    Token {
        symbol: "USDT",
        network: "arbitrum-one",
        address: "0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9",
        decimals: 6,
    },
    Token {
        symbol: "USDC",
        network: "optimism",
        address: "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85",
        decimals: 6,
    },
    Token {
        symbol: "USDT",
        network: "optimism",
        address: "0x94b008aA00579c1307B0EF2c499aD98a8ce58e58",
        decimals: 6,
    },
    Token {
        symbol: "USDT0",
        network: "optimism",
        address: "0x94b008aA00579c1307B0EF2c499aD98a8ce58e58",
        decimals: 6,
    },
    Token {
        symbol: "USDC",
        network: "base",
        address: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
        decimals: 6,
    },
    Token {
        symbol: "USDT",
        network: "base",
        address: "0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2",
        decimals: 6,
    },
    Token {
        symbol: "USDC",
        network: "matic",
        address: "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359",
        decimals: 6,
    },
    Token {
        symbol: "USDT",
        network: "matic",
        address: "0xc2132D05D31c914a87C6611C10748AEb04B58e8F",
        decimals: 6,
    },
    Token {
        symbol: "USDT0",
        network: "matic",
        address: "0xc2132D05D31c914a87C6611C10748AEb04B58e8F",
        decimals: 6,
    },
    Token {
        symbol: "USDC",
        network: "bsc",
        address: "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d",
        decimals: 18,
    },
    Token {
        symbol: "USDT",
        network: "bsc",
        address: "0x55d398326f99059ff775485246999027b3197955",
        decimals: 18,
    },
    Token {
        symbol: "USDC",
        network: "tron",
        address: "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8",
        decimals: 6,
    },
    Token {
        symbol: "USDT",
        network: "tron",
        address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        decimals: 6,
    },
    Token {
        symbol: "USDC",
        network: "sepolia",
        address: "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238",
        decimals: 6,
    },
    Token {
        symbol: "USDT",
        network: "sepolia",
        address: "0xF046b3CA5ae2879c6bAcC4D42fAF363eE8379F78",
        decimals: 6,
    },
    Token {
        symbol: "FAU",
        network: "sepolia",
        address: "0x370DE27fdb7D1Ff1e1BaA7D11c5820a324Cf623C",
        decimals: 18,
    },
];

/// The placeholder "token address" of a native coin (ETH on an EVM chain).
const NATIVE_ADDRESS: &str = "0x0000000000000000000000000000000000000000";

pub(crate) fn network(id: &str) -> Option<&'static Network> {
    NETWORKS.iter().find(|n| n.id == id)
}

pub(crate) fn network_by_chain(chain_id: u64) -> Option<&'static Network> {
    NETWORKS.iter().find(|n| n.chain_id == chain_id)
}

fn token_by_address(network: &str, address: &str) -> Option<&'static Token> {
    let tron = network == "tron";
    TOKENS.iter().find(|t| {
        t.network == network
            && if tron {
                t.address == address
            } else {
                t.address.eq_ignore_ascii_case(address)
            }
    })
}

/// A resolved payment currency: `USDC-base`, `ETH-mainnet`, `FAU-sepolia`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Currency {
    /// The id as the caller wrote it (kept for echoing back).
    pub id: String,
    pub symbol: String,
    pub network: &'static Network,
    pub address: String,
    pub decimals: u32,
    pub native: bool,
}

/// Parses a `<SYMBOL>-<network>` currency id; legacy three-part ids like
/// `ETH-sepolia-sepolia` name the network twice.
pub(crate) fn currency(id: &str) -> Option<Currency> {
    let (symbol, rest) = id.split_once('-')?;
    let net_id = match rest.split_once('-') {
        Some((a, b)) if a == b => a,
        _ => rest,
    };
    let network = network(net_id)?;
    if let Some(t) = TOKENS
        .iter()
        .find(|t| t.network == network.id && t.symbol == symbol)
    {
        return Some(Currency {
            id: id.to_string(),
            symbol: t.symbol.to_string(),
            network,
            address: t.address.to_string(),
            decimals: t.decimals,
            native: false,
        });
    }
    (symbol == network.native && !network.is_tron()).then(|| Currency {
        id: id.to_string(),
        symbol: symbol.to_string(),
        network,
        address: NATIVE_ADDRESS.to_string(),
        decimals: 18,
        native: true,
    })
}

/// Fiat invoice currencies the legacy body accepts besides crypto currency ids.
pub(crate) fn is_fiat(id: &str) -> bool {
    matches!(id, "USD" | "EUR" | "GBP" | "CNY" | "JPY")
}

/// `0x` + 40 hex characters.
pub(crate) fn is_evm_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && s[2..].chars().all(|c| c.is_ascii_hexdigit())
}

/// `T` + 33 base58 characters.
pub(crate) fn is_tron_address(s: &str) -> bool {
    const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    s.len() == 34 && s.starts_with('T') && s.chars().all(|c| BASE58.contains(c))
}

/// Whether `address` is a wallet address of the right family for `network`.
pub(crate) fn is_wallet_for(network: &Network, address: &str) -> bool {
    if network.is_tron() {
        is_tron_address(address)
    } else {
        is_evm_address(address)
    }
}

/// A payee destination: where an incoming payment lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Destination {
    pub destination_id: String,
    pub wallet: String,
    pub network: &'static Network,
    pub currency: Currency,
}

impl Destination {
    /// `{wallet}@eip155:{chainId}#{checksum}`.
    pub(crate) fn payee_address(&self) -> &str {
        self.destination_id
            .rsplit_once(':')
            .map_or(self.destination_id.as_str(), |(h, _)| h)
    }

    /// A destination for a legacy `{payee, paymentCurrency}` item. The checksum algorithm is
    /// undocumented, so the sandbox derives a stable 8-hex one from the address and chain.
    pub(crate) fn synthetic(wallet: &str, currency: Currency) -> Self {
        let chain = currency.network.chain_id;
        let digest = Sha256::digest(format!("{wallet}@eip155:{chain}").as_bytes());
        let checksum = hex::encode_upper(&digest[..4]);
        Destination {
            destination_id: format!("{wallet}@eip155:{chain}#{checksum}:{}", currency.address),
            wallet: wallet.to_string(),
            network: currency.network,
            currency,
        }
    }
}

/// Why a destination id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DestinationError {
    /// Not of the `{wallet}@eip155:{chainId}#{checksum}:{token}` shape.
    Format,
    /// Well formed, but the chain or token is not one the sandbox supports.
    Unsupported,
}

/// Parses `{wallet}@eip155:{chainId}#{8 hex}:{tokenAddress}`.
pub(crate) fn parse_destination(id: &str) -> Result<Destination, DestinationError> {
    let (human, token) = id.rsplit_once(':').ok_or(DestinationError::Format)?;
    let (wallet, rest) = human.split_once('@').ok_or(DestinationError::Format)?;
    let rest = rest
        .strip_prefix("eip155:")
        .ok_or(DestinationError::Format)?;
    let (chain, checksum) = rest.split_once('#').ok_or(DestinationError::Format)?;
    let chain: u64 = chain.parse().map_err(|_| DestinationError::Format)?;
    if checksum.len() != 8 || !checksum.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(DestinationError::Format);
    }
    let address_ok = |a: &str| is_evm_address(a) || is_tron_address(a);
    if !address_ok(wallet) || !address_ok(token) {
        return Err(DestinationError::Format);
    }
    let network = network_by_chain(chain).ok_or(DestinationError::Unsupported)?;
    if !is_wallet_for(network, wallet) {
        return Err(DestinationError::Format);
    }
    let t = token_by_address(network.id, token).ok_or(DestinationError::Unsupported)?;
    Ok(Destination {
        destination_id: id.to_string(),
        wallet: wallet.to_string(),
        network,
        currency: Currency {
            id: format!("{}-{}", t.symbol, network.id),
            symbol: t.symbol.to_string(),
            network,
            address: t.address.to_string(),
            decimals: t.decimals,
            native: false,
        },
    })
}

/// The destination the sandbox binds its client id to unless told otherwise: FAU on Sepolia,
/// the OpenAPI document's own example.
pub const DEFAULT_DESTINATION_ID: &str = "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:11155111#A1B2C3D4:0x370DE27fdb7D1Ff1e1BaA7D11c5820a324Cf623C";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_contract_examples() {
        let d = parse_destination(DEFAULT_DESTINATION_ID).expect("evm example");
        assert_eq!(d.network.id, "sepolia");
        assert_eq!(d.currency.id, "FAU-sepolia");
        assert_eq!(
            d.payee_address(),
            "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:11155111#A1B2C3D4"
        );
        let tron = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8@eip155:728126428#5F89A3B2:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
        let d = parse_destination(tron).expect("tron example");
        assert_eq!(d.currency.id, "USDT-tron");
        assert_eq!(parse_destination("nope"), Err(DestinationError::Format));
    }

    #[test]
    fn currency_ids() {
        assert_eq!(currency("USDC-base").map(|c| c.decimals), Some(6));
        assert_eq!(
            currency("USDT-arbitrum-one").map(|c| c.network.id),
            Some("arbitrum-one")
        );
        assert_eq!(
            currency("ETH-sepolia-sepolia").map(|c| c.native),
            Some(true)
        );
        assert_eq!(currency("USDC-bsc").map(|c| c.decimals), Some(18));
        assert!(currency("DOGE-base").is_none());
        assert!(currency("USDC").is_none());
    }
}
