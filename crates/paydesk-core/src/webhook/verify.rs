//! Webhook signatures (CONTRACT 9.2, 9.3): `x-request-network-signature` is the hex
//! HMAC-SHA256 of the raw body bytes, keyed with the webhook secret's UTF-8 bytes.
//!
//! This module owns the one check that decides whether a delivery may be looked at at all. It
//! works on raw bytes (never re-serialized JSON) and compares in constant time
//! ([`Mac::verify_slice`]), so it must run before anything parses the body.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature header of a delivery.
pub const SIGNATURE_HEADER: &str = "x-request-network-signature";

/// Length of a hex HMAC-SHA256 signature.
const HEX_LEN: usize = 64;

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery's signature was refused. Each variant means "not from the API": never act on
/// the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature header.
    #[error("the delivery has no signature")]
    Missing,
    /// The header is not 64 hex characters.
    #[error("the signature is not 64 hex characters")]
    Malformed,
    /// Well formed, but not the HMAC of this body with our secret.
    #[error("the signature does not match the body")]
    Mismatch,
}

impl SignatureError {
    /// A stable short name for logs and the deliveries panel.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureError::Missing => "missing_signature",
            SignatureError::Malformed => "malformed_signature",
            SignatureError::Mismatch => "bad_signature",
        }
    }
}

fn mac(secret: &[u8], body: &[u8]) -> Option<HmacSha256> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail, but no panic on this path.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).ok()?;
    mac.update(body);
    Some(mac)
}

/// Check `header` (the raw value of [`SIGNATURE_HEADER`], `None` when absent) against `body`
/// signed with `secret`. Accepts lower- or uppercase hex; compares in constant time.
pub fn verify(secret: &[u8], body: &[u8], header: Option<&[u8]>) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    if header.is_empty() {
        return Err(SignatureError::Missing);
    }
    if header.len() != HEX_LEN {
        return Err(SignatureError::Malformed);
    }
    let expected = hex::decode(header).map_err(|_| SignatureError::Malformed)?;
    let mac = mac(secret, body).ok_or(SignatureError::Mismatch)?;
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The lowercase hex signature of `body` under `secret`, as the API sends it (for tests and
/// emulators).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    match mac(secret, body) {
        Some(mac) => hex::encode(mac.finalize().into_bytes()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test";

    #[test]
    fn known_vector_matches() {
        // RFC 4231 test case 2.
        let sig = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            verify(
                b"Jefe",
                b"what do ya want for nothing?",
                Some(sig.as_bytes())
            ),
            Ok(())
        );
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        let sig = sign(SECRET, b"{}").to_uppercase();
        assert_eq!(verify(SECRET, b"{}", Some(sig.as_bytes())), Ok(()));
    }

    #[test]
    fn missing_short_non_hex_and_wrong_are_refused() {
        assert_eq!(verify(SECRET, b"{}", None), Err(SignatureError::Missing));
        assert_eq!(
            verify(SECRET, b"{}", Some(b"")),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, b"{}", Some(b"abcd")),
            Err(SignatureError::Malformed)
        );
        let prefixed = format!("sha256={}", sign(SECRET, b"{}"));
        assert_eq!(
            verify(SECRET, b"{}", Some(prefixed.as_bytes())),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(SECRET, b"{}", Some("z".repeat(64).as_bytes())),
            Err(SignatureError::Malformed)
        );
        let other = sign(b"other", b"{}");
        assert_eq!(
            verify(SECRET, b"{}", Some(other.as_bytes())),
            Err(SignatureError::Mismatch)
        );
    }
}
