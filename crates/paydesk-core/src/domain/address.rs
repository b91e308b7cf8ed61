//! Payout networks and wallet addresses: which chain a payout goes to, and whether the address
//! typed for it can receive there (CONTRACT.md §3 `network`/`recipient`, §10.5).
//!
//! EVM addresses are checked against their EIP-55 checksum when typed in mixed case and returned
//! checksummed; Tron addresses are checked against their base58check checksum. A typo in an
//! address sends money nowhere, so every rule here refuses rather than guesses.

use std::fmt;

use serde::{Deserialize, Serialize};
use tiny_keccak::{Hasher, Keccak};

use crate::{Error, Result};

/// A payout network (CONTRACT §10.5 / §3 `network`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    Mainnet,
    ArbitrumOne,
    Optimism,
    Base,
    Matic,
    Bsc,
    Tron,
    Sepolia,
}

impl Network {
    /// Every network, in the order of CONTRACT §10.5.
    pub const ALL: [Network; 8] = [
        Network::Mainnet,
        Network::ArbitrumOne,
        Network::Optimism,
        Network::Base,
        Network::Matic,
        Network::Bsc,
        Network::Tron,
        Network::Sepolia,
    ];

    /// The API id (`mainnet`, `arbitrum-one`, ...), the same string serde uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Mainnet => "mainnet",
            Network::ArbitrumOne => "arbitrum-one",
            Network::Optimism => "optimism",
            Network::Base => "base",
            Network::Matic => "matic",
            Network::Bsc => "bsc",
            Network::Tron => "tron",
            Network::Sepolia => "sepolia",
        }
    }

    /// Parse an API id (surrounding spaces ignored); the error names `field` and lists the ids.
    pub fn parse(field: &str, s: &str) -> Result<Network> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::invalid(field, "is required"));
        }
        Network::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| {
                let ids: Vec<&str> = Network::ALL.iter().map(|n| n.as_str()).collect();
                Error::invalid(
                    field,
                    format!("unknown network \"{s}\": must be one of {}", ids.join(", ")),
                )
            })
    }

    /// True for the EVM chains (every network but Tron).
    pub fn is_evm(self) -> bool {
        self != Network::Tron
    }

    /// The chain ID (Tron's is the one Request Network uses in `eip155:` destination IDs).
    pub fn chain_id(self) -> u64 {
        match self {
            Network::Mainnet => 1,
            Network::ArbitrumOne => 42161,
            Network::Optimism => 10,
            Network::Base => 8453,
            Network::Matic => 137,
            Network::Bsc => 56,
            Network::Tron => 728126428,
            Network::Sepolia => 11155111,
        }
    }

    /// The name shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Network::Mainnet => "Ethereum",
            Network::ArbitrumOne => "Arbitrum One",
            Network::Optimism => "Optimism",
            Network::Base => "Base",
            Network::Matic => "Polygon",
            Network::Bsc => "BNB Chain",
            Network::Tron => "Tron",
            Network::Sepolia => "Sepolia (testnet)",
        }
    }

    /// The network of a payment currency id `<SYMBOL>-<network>` ("USDC-base" -> Base,
    /// "USDT0-arbitrum-one" -> ArbitrumOne, "ETH-sepolia-sepolia" -> Sepolia); None for fiat or
    /// unknown.
    pub fn of_currency(currency: &str) -> Option<Network> {
        let (symbol, rest) = currency.trim().split_once('-')?;
        if symbol.is_empty() {
            return None;
        }
        // Legacy ids carry an extra middle part (`ETH-sepolia-sepolia`): the network is the
        // last whole dash-separated suffix, which also covers ids that contain a dash.
        Network::ALL.into_iter().find(|n| {
            let id = n.as_str();
            rest == id
                || rest
                    .strip_suffix(id)
                    .is_some_and(|head| head.len() > 1 && head.ends_with('-'))
        })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated address in its canonical form: EVM EIP-55 checksummed, Tron base58 as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WalletAddress(String);

impl WalletAddress {
    /// The canonical text of the address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WalletAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Validate `input` (trimmed) as an address on `network`; errors name `field`.
pub fn parse_address(field: &str, network: Network, input: &str) -> Result<WalletAddress> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(Error::invalid(
            field,
            "must not contain spaces or line breaks: paste the address as one word",
        ));
    }
    if network.is_evm() {
        parse_evm(field, network, s)
    } else {
        parse_tron(field, s)
    }
}

/// EIP-55 checksum form of 40 hex chars (with or without 0x) — exposed for tests and the sandbox.
pub fn eip55(hex40: &str) -> Option<String> {
    let hex = hex40.strip_prefix("0x").unwrap_or(hex40);
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let lower = hex.to_ascii_lowercase();
    let mut hash = [0u8; 32];
    let mut keccak = Keccak::v256();
    keccak.update(lower.as_bytes());
    keccak.finalize(&mut hash);
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        out.push(if nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    Some(out)
}

const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const EVM_SHAPE: &str = "must be 0x followed by 40 hex characters (an EVM address)";
const TRON_SHAPE: &str = "must be a Tron address: 34 base58 characters starting with T";

fn looks_like_tron(s: &str) -> bool {
    s.len() == 34 && s.starts_with('T') && s.chars().all(|c| BASE58.contains(c))
}

fn looks_like_evm(s: &str) -> bool {
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"));
    hex.is_some_and(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn parse_evm(field: &str, network: Network, s: &str) -> Result<WalletAddress> {
    if looks_like_tron(s) {
        return Err(Error::invalid(
            field,
            format!("is a Tron address, but the network is {}", network.label()),
        ));
    }
    let Some(hex) = s.strip_prefix("0x") else {
        return Err(Error::invalid(field, EVM_SHAPE));
    };
    if hex.len() != 40 {
        return Err(Error::invalid(
            field,
            format!("{EVM_SHAPE}; it has {} after 0x", hex.chars().count()),
        ));
    }
    if let Some(bad) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(Error::invalid(
            field,
            format!("{EVM_SHAPE}; '{bad}' is not a hex digit"),
        ));
    }
    if hex.bytes().all(|b| b == b'0') {
        return Err(Error::invalid(field, "must not be the zero address"));
    }
    let checksummed = eip55(hex).expect("40 hex digits checked above");
    let single_case = !hex.bytes().any(|b| b.is_ascii_lowercase())
        || !hex.bytes().any(|b| b.is_ascii_uppercase());
    if !single_case && s != checksummed {
        return Err(Error::invalid(
            field,
            "checksum does not match (EIP-55): check for a typo, or paste it all lowercase",
        ));
    }
    Ok(WalletAddress(checksummed))
}

fn parse_tron(field: &str, s: &str) -> Result<WalletAddress> {
    if looks_like_evm(s) {
        return Err(Error::invalid(
            field,
            "is an EVM address, but the network is Tron",
        ));
    }
    if s.len() == 42 && s.starts_with("41") && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid(
            field,
            "is a Tron address in hex form: use its base58 form starting with T",
        ));
    }
    if let Some(bad) = s.chars().find(|c| !BASE58.contains(*c)) {
        return Err(Error::invalid(
            field,
            format!("{TRON_SHAPE}; '{bad}' is not base58 (0, O, I and l are never used)"),
        ));
    }
    if !s.starts_with('T') || s.len() != 34 {
        return Err(Error::invalid(field, TRON_SHAPE));
    }
    match bs58::decode(s).with_check(Some(0x41)).into_vec() {
        Ok(bytes) if bytes.len() == 21 => Ok(WalletAddress(s.to_string())),
        Err(bs58::decode::Error::InvalidChecksum { .. }) => Err(Error::invalid(
            field,
            "checksum does not match (base58check): check for a typo",
        )),
        _ => Err(Error::invalid(field, TRON_SHAPE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(e: Error) -> String {
        match e {
            Error::Invalid { field, rule } => {
                assert_eq!(field, "recipient");
                rule
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn evm(s: &str) -> Result<WalletAddress> {
        parse_address("recipient", Network::Base, s)
    }

    fn tron(s: &str) -> Result<WalletAddress> {
        parse_address("recipient", Network::Tron, s)
    }

    /// The four mixed-case vectors and the two single-case pairs from EIP-55.
    const EIP55_VECTORS: [&str; 8] = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ];

    /// CONTRACT §3's recipient and the USDT and USDC token contracts of §10.5.
    const TRON_VALID: [&str; 3] = [
        "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8",
    ];

    #[test]
    fn eip55_vectors_are_their_own_checksum_form() {
        for v in EIP55_VECTORS {
            assert_eq!(eip55(v).as_deref(), Some(v));
            assert_eq!(eip55(&v.to_lowercase()).as_deref(), Some(v));
            assert_eq!(evm(v).unwrap().as_str(), v);
        }
    }

    #[test]
    fn lowercase_and_uppercase_addresses_come_back_checksummed() {
        for v in EIP55_VECTORS {
            let upper = format!("0x{}", v[2..].to_uppercase());
            assert_eq!(evm(&v.to_lowercase()).unwrap().as_str(), v);
            assert_eq!(evm(&upper).unwrap().as_str(), v);
        }
        let usdt_bsc = parse_address(
            "recipient",
            Network::Bsc,
            "  0x55d398326f99059ff775485246999027b3197955\n",
        )
        .unwrap();
        assert_eq!(
            usdt_bsc.to_string(),
            "0x55d398326f99059fF775485246999027B3197955"
        );
    }

    #[test]
    fn one_flipped_case_is_a_checksum_error() {
        let flipped = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        assert!(rule(evm(flipped).unwrap_err()).contains("checksum does not match (EIP-55)"));
    }

    #[test]
    fn evm_shape_rules_are_named() {
        assert!(
            rule(evm("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA").unwrap_err())
                .contains("40 hex characters")
        );
        assert!(
            rule(evm("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg").unwrap_err())
                .contains("'g' is not a hex digit")
        );
        assert!(
            rule(evm("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").unwrap_err())
                .contains("must be 0x")
        );
        assert_eq!(
            rule(evm("0x0000000000000000000000000000000000000000").unwrap_err()),
            "must not be the zero address"
        );
        assert_eq!(rule(evm("   ").unwrap_err()), "is required");
        assert!(
            rule(evm("0x5aAeb6053F3E94C9b9A0 9f33669435E7Ef1BeAed").unwrap_err())
                .contains("must not contain spaces")
        );
    }

    #[test]
    fn contract_tron_addresses_are_valid_as_given() {
        for t in TRON_VALID {
            assert_eq!(tron(t).unwrap().as_str(), t);
        }
    }

    #[test]
    fn contract_example_creator_wallet_has_a_bad_checksum() {
        // CONTRACT §3's `creatorWalletAddress` example is not a real address: its last four
        // bytes are 54592e3c, the double SHA-256 of its payload starts 29ec0b8b.
        assert_eq!(
            rule(tron("TKb9mFPjUgCbrQpenCm4Z3T7ELNrLWurfm").unwrap_err()),
            "checksum does not match (base58check): check for a typo"
        );
    }

    #[test]
    fn one_changed_tron_character_is_a_checksum_error() {
        // Last character 8 -> 9.
        let typo = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv9";
        assert_eq!(
            rule(tron(typo).unwrap_err()),
            "checksum does not match (base58check): check for a typo"
        );
    }

    #[test]
    fn tron_shape_rules_are_named() {
        assert!(
            rule(tron("TJRabPrwbZy45sbavfcjinPJC18kjpRTv0").unwrap_err())
                .contains("'0' is not base58")
        );
        assert!(rule(tron("TJRabPrwbZy45sbavfcjinPJC18kjpRTv").unwrap_err())
            .contains("34 base58 characters starting with T"));
        let hex_form = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c";
        assert!(rule(tron(hex_form).unwrap_err()).contains("starting with T"));
        assert_eq!(rule(tron("").unwrap_err()), "is required");
    }

    #[test]
    fn an_address_on_the_wrong_network_says_which() {
        assert_eq!(
            rule(evm("TJRabPrwbZy45sbavfcjinPJC18kjpRTv8").unwrap_err()),
            "is a Tron address, but the network is Base"
        );
        let on_polygon = parse_address(
            "recipient",
            Network::Matic,
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        );
        assert_eq!(
            rule(on_polygon.unwrap_err()),
            "is a Tron address, but the network is Polygon"
        );
        assert_eq!(
            rule(tron("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").unwrap_err()),
            "is an EVM address, but the network is Tron"
        );
    }

    #[test]
    fn currency_ids_map_to_their_network() {
        let cases = [
            ("USDC-base", Some(Network::Base)),
            ("USDT-arbitrum-one", Some(Network::ArbitrumOne)),
            ("USDT0-arbitrum-one", Some(Network::ArbitrumOne)),
            ("USDT0-optimism", Some(Network::Optimism)),
            ("USDT0-matic", Some(Network::Matic)),
            ("USDT-tron", Some(Network::Tron)),
            ("USDC-tron", Some(Network::Tron)),
            ("FAU-sepolia", Some(Network::Sepolia)),
            ("ETH-mainnet", Some(Network::Mainnet)),
            ("USDT-bsc", Some(Network::Bsc)),
            ("ETH-sepolia-sepolia", Some(Network::Sepolia)),
            ("ETH-mainnet-mainnet", Some(Network::Mainnet)),
            ("USDC-x-arbitrum-one", Some(Network::ArbitrumOne)),
            ("USD", None),
            ("EUR", None),
            ("USDC-solana", None),
            ("USDC-", None),
            ("-base", None),
            ("USDC-database", None),
            ("USDC-one", None),
        ];
        for (id, want) in cases {
            assert_eq!(Network::of_currency(id), want, "{id}");
        }
    }

    #[test]
    fn network_serde_uses_the_api_ids() {
        let ids = [
            "mainnet",
            "arbitrum-one",
            "optimism",
            "base",
            "matic",
            "bsc",
            "tron",
            "sepolia",
        ];
        for (n, id) in Network::ALL.into_iter().zip(ids) {
            assert_eq!(n.as_str(), id);
            assert_eq!(serde_json::to_string(&n).unwrap(), format!("\"{id}\""));
            let back: Network = serde_json::from_str(&format!("\"{id}\"")).unwrap();
            assert_eq!(back, n);
            assert_eq!(Network::parse("network", id).unwrap(), n);
            assert_eq!(n.is_evm(), n != Network::Tron);
        }
        let chain_ids: Vec<u64> = Network::ALL.iter().map(|n| n.chain_id()).collect();
        assert_eq!(
            chain_ids,
            [1, 42161, 10, 8453, 137, 56, 728126428, 11155111]
        );
    }

    #[test]
    fn unknown_network_lists_the_valid_ids() {
        let e = Network::parse("network", "polygon").unwrap_err();
        assert_eq!(e.field(), Some("network"));
        assert!(e.to_string().contains("mainnet, arbitrum-one"), "{e}");
        assert!(e.to_string().contains("sepolia"), "{e}");
    }

    #[test]
    fn wallet_address_serializes_as_a_plain_string() {
        let a = evm("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\""
        );
    }

    fn tron_from(body: &[u8; 20]) -> String {
        let mut payload = vec![0x41];
        payload.extend_from_slice(body);
        bs58::encode(payload).with_check().into_string()
    }

    proptest! {
        #[test]
        fn eip55_form_parses_to_itself(bytes in any::<[u8; 20]>()) {
            prop_assume!(bytes != [0u8; 20]);
            let lower = format!("0x{}", hex::encode(bytes));
            let sum = eip55(&lower).unwrap();
            prop_assert_eq!(evm(&sum).unwrap().to_string(), sum.clone());
            prop_assert_eq!(evm(&lower).unwrap().to_string(), sum);
        }

        #[test]
        fn built_tron_addresses_parse_and_any_typo_fails(
            bytes in any::<[u8; 20]>(),
            at in 0usize..34,
            pick in 0usize..57,
        ) {
            let address = tron_from(&bytes);
            prop_assert_eq!(tron(&address).unwrap().to_string(), address.clone());
            let old = address.as_bytes()[at] as char;
            let others: Vec<char> = BASE58.chars().filter(|c| *c != old).collect();
            let mut typo: Vec<char> = address.chars().collect();
            typo[at] = others[pick];
            let typo: String = typo.into_iter().collect();
            prop_assert!(tron(&typo).is_err(), "{} accepted", typo);
        }
    }
}
