//! The passphrase key (Argon2id), random salts and nonces, and the one-shot authenticated
//! encryption (XChaCha20-Poly1305) of backup format 1 (format 2 encrypts in chunks:
//! [`super::stream`]).
//!
//! In both formats the whole header is the AEAD's associated data: changing the KDF
//! parameters, the salt, the nonce or the format version breaks the tag just like changing the
//! ciphertext does.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::secrets::Secret;

use super::not_openable;

/// Salt length in bytes.
pub const SALT_LEN: usize = 16;
/// XChaCha20-Poly1305 nonce length in bytes.
pub const NONCE_LEN: usize = 24;
/// Poly1305 tag length in bytes.
pub const TAG_LEN: usize = 16;

/// Largest memory cost a backup header may ask for (1 GiB): a crafted file cannot make the
/// app allocate without bound.
const MAX_M_COST_KIB: u32 = 1024 * 1024;
/// Most passes a backup header may ask for.
const MAX_T_COST: u32 = 64;
/// Most lanes a backup header may ask for.
const MAX_P_COST: u32 = 16;

/// Argon2id cost parameters, stored in each backup's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes, 1 lane: well above OWASP's minimum, about a quarter second on a laptop.
    fn default() -> Self {
        KdfParams {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

impl KdfParams {
    /// Cheap parameters for tests that open many backups. Never for real backups.
    #[doc(hidden)]
    pub fn insecure_for_tests() -> Self {
        KdfParams {
            m_cost_kib: 1024,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Refuse parameters outside what this build would ever write (a damaged or crafted header).
    pub fn check(&self) -> Result<Params> {
        if self.m_cost_kib > MAX_M_COST_KIB || self.t_cost > MAX_T_COST || self.p_cost > MAX_P_COST
        {
            return Err(not_openable());
        }
        Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32)).map_err(|_| not_openable())
    }

    /// The 32-byte key for `passphrase` and `salt`.
    pub fn derive(&self, passphrase: &Secret, salt: &[u8]) -> Result<[u8; 32]> {
        let params = self.check()?;
        let mut key = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.expose().as_bytes(), salt, &mut key)
            .map_err(|e| Error::invalid("passphrase", format!("cannot derive the key: {e}")))?;
        Ok(key)
    }
}

/// Fresh random bytes from the OS generator (salts and nonces).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::rng().fill_bytes(&mut out);
    out
}

/// Encrypt `plaintext` under `key` in one message (format 1); `header` is authenticated, not
/// encrypted. Returns ciphertext followed by the tag.
pub fn seal(key: &[u8; 32], nonce: &[u8; NONCE_LEN], header: &[u8], plaintext: &[u8]) -> Vec<u8> {
    XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: plaintext,
                aad: header,
            },
        )
        .expect("XChaCha20-Poly1305 encrypts any length this app writes")
}

/// Decrypt and verify; any change to header, ciphertext or tag is refused.
pub fn open(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    header: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>> {
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: header,
            },
        )
        .map_err(|_| not_openable())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_associated_data_is_refused() {
        let key = [7u8; 32];
        let nonce = random_bytes::<NONCE_LEN>();
        let sealed = seal(&key, &nonce, b"header", b"books");
        assert_eq!(open(&key, &nonce, b"header", &sealed).unwrap(), b"books");
        assert!(open(&key, &nonce, b"Header", &sealed).is_err());
    }

    #[test]
    fn absurd_kdf_parameters_are_refused_before_allocating() {
        let p = KdfParams {
            m_cost_kib: u32::MAX,
            t_cost: 1,
            p_cost: 1,
        };
        assert!(p.check().is_err());
        assert!(KdfParams::default().check().is_ok());
    }
}
