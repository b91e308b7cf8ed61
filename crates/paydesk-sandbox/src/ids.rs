//! Identifier formats the real service hands out: ULID tokens and delivery ids, `01` + 64 hex
//! request ids, `0x` + 16 hex payment references, transaction hashes, webhook secrets and the
//! generated sandbox credentials.

use chrono::{DateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;

/// A ULID stamped with `at` (tokens, webhook ids, delivery ids).
pub(crate) fn ulid_at(at: DateTime<Utc>) -> String {
    ulid::Ulid::from_datetime(at.into()).to_string()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// `01` followed by 64 lowercase hex characters.
pub(crate) fn request_id() -> String {
    format!("01{}", random_hex(32))
}

/// `0x` followed by 16 lowercase hex characters.
pub(crate) fn payment_reference() -> String {
    format!("0x{}", random_hex(8))
}

/// `0x` followed by 64 lowercase hex characters.
pub(crate) fn tx_hash() -> String {
    format!("0x{}", random_hex(32))
}

/// 64 lowercase hex characters.
pub(crate) fn webhook_secret() -> String {
    random_hex(32)
}

/// A random EVM address (lowercase hex), for payer addresses the page does not ask for.
pub(crate) fn evm_address() -> String {
    format!("0x{}", random_hex(20))
}

/// `rn_sandbox_` + 24 random alphanumerics.
pub(crate) fn api_key() -> String {
    format!(
        "rn_sandbox_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 24)
    )
}

/// `cli_sandbox_` + 24 random alphanumerics.
pub(crate) fn client_id() -> String {
    format!(
        "cli_sandbox_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 24)
    )
}

/// An opaque session token for the SIWE-session-only routes.
pub(crate) fn session_token() -> String {
    format!(
        "sess_sandbox_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 32)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_contract() {
        let id = request_id();
        assert_eq!(id.len(), 66);
        assert!(id.starts_with("01"));
        assert!(id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(payment_reference().len(), 18);
        assert_eq!(tx_hash().len(), 66);
        assert_eq!(webhook_secret().len(), 64);
        let token = ulid_at(Utc::now());
        assert_eq!(token.len(), 26);
        assert!(ulid::Ulid::from_string(&token).is_ok());
        assert!(api_key().starts_with("rn_"));
        assert!(client_id().starts_with("cli_"));
    }
}
