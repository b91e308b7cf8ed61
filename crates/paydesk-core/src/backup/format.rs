//! The backup file format (version 1).
//!
//! ```text
//! offset  size  field
//!      0    14  magic "PAYDESK-BACKUP"
//!     14     2  format version, u16 little-endian (1)
//!     16     1  KDF: 1 = Argon2id v1.3
//!     17     4  Argon2 memory cost in KiB, u32 LE
//!     21     4  Argon2 passes, u32 LE
//!     25     4  Argon2 lanes, u32 LE
//!     29    16  salt
//!     45    24  XChaCha20-Poly1305 nonce
//!     69     …  ciphertext, then the 16-byte Poly1305 tag
//! ```
//!
//! Bytes 0..69 (the header) are the associated data. The plaintext payload is:
//!
//! ```text
//! u32 LE manifest length | manifest JSON | u32 LE secrets length | secrets JSON | SQLite file
//! ```
//!
//! The secrets JSON maps keychain slugs to values (`{}` when secrets were not included). The
//! manifest's `payloadSha256` covers everything after the manifest.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::secrets::Secret;

use super::crypto::{self, KdfParams, NONCE_LEN, SALT_LEN, TAG_LEN};
use super::{not_openable, Manifest};

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 14] = b"PAYDESK-BACKUP";
/// The newest format this build reads and the one it writes.
pub const FORMAT_VERSION: u16 = 1;
/// Header length of format 1.
pub const HEADER_LEN: usize = 14 + 2 + 1 + 12 + SALT_LEN + NONCE_LEN;

const KDF_ARGON2ID: u8 = 1;

/// What a backup holds once decrypted and checked.
pub struct OpenedBackup {
    /// What the backup says about itself.
    pub manifest: Manifest,
    /// Keychain slug → value (empty unless secrets were included).
    pub secrets: BTreeMap<String, Secret>,
    /// The SQLite database file.
    pub database: Vec<u8>,
}

impl std::fmt::Debug for OpenedBackup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedBackup")
            .field("manifest", &self.manifest)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("database_bytes", &self.database.len())
            .finish()
    }
}

/// The plaintext payload for `manifest` (whose size and hash fields are filled in here).
pub fn encode_payload(
    manifest: &mut Manifest,
    secrets: &BTreeMap<String, Secret>,
    database: &[u8],
) -> Vec<u8> {
    let plain: BTreeMap<&str, &str> = secrets
        .iter()
        .map(|(k, v)| (k.as_str(), v.expose()))
        .collect();
    let secrets_json = serde_json::to_vec(&plain).expect("a string map serializes");
    let mut hash = Sha256::new();
    hash.update((secrets_json.len() as u32).to_le_bytes());
    hash.update(&secrets_json);
    hash.update(database);
    manifest.database_bytes = database.len() as u64;
    manifest.payload_sha256 = hex::encode(hash.finalize());
    let manifest_json = serde_json::to_vec(manifest).expect("the manifest serializes");

    let mut out = Vec::with_capacity(8 + manifest_json.len() + secrets_json.len() + database.len());
    out.extend_from_slice(&(manifest_json.len() as u32).to_le_bytes());
    out.extend_from_slice(&manifest_json);
    out.extend_from_slice(&(secrets_json.len() as u32).to_le_bytes());
    out.extend_from_slice(&secrets_json);
    out.extend_from_slice(database);
    out
}

/// Split a decrypted payload and check its hash.
pub fn decode_payload(payload: Vec<u8>) -> Result<OpenedBackup> {
    let damaged = || Error::invalid("backup", "the decrypted payload is damaged");
    let (manifest_json, rest) = take_section(&payload).ok_or_else(damaged)?;
    let manifest: Manifest = serde_json::from_slice(manifest_json).map_err(|_| damaged())?;
    if manifest.format_version > FORMAT_VERSION {
        return Err(newer_format(manifest.format_version));
    }
    let actual = hex::encode(Sha256::digest(rest));
    if actual != manifest.payload_sha256 {
        return Err(damaged());
    }
    let (secrets_json, database) = take_section(rest).ok_or_else(damaged)?;
    let plain: BTreeMap<String, String> =
        serde_json::from_slice(secrets_json).map_err(|_| damaged())?;
    let database = database.to_vec();
    if database.len() as u64 != manifest.database_bytes {
        return Err(damaged());
    }
    Ok(OpenedBackup {
        manifest,
        secrets: plain
            .into_iter()
            .map(|(k, v)| (k, Secret::new(v)))
            .collect(),
        database,
    })
}

fn take_section(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let body = bytes.get(4..4 + len)?;
    Some((body, &bytes[4 + len..]))
}

/// Encrypt `payload` with a key derived from `passphrase`: the whole backup file.
pub fn seal(payload: &[u8], passphrase: &Secret, kdf: KdfParams) -> Result<Vec<u8>> {
    let salt = crypto::random_bytes::<SALT_LEN>();
    let nonce = crypto::random_bytes::<NONCE_LEN>();
    let key = kdf.derive(passphrase, &salt)?;
    let mut file = Vec::with_capacity(HEADER_LEN + payload.len() + TAG_LEN);
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.push(KDF_ARGON2ID);
    file.extend_from_slice(&kdf.m_cost_kib.to_le_bytes());
    file.extend_from_slice(&kdf.t_cost.to_le_bytes());
    file.extend_from_slice(&kdf.p_cost.to_le_bytes());
    file.extend_from_slice(&salt);
    file.extend_from_slice(&nonce);
    debug_assert_eq!(file.len(), HEADER_LEN);
    let sealed = crypto::seal(&key, &nonce, &file, payload);
    file.extend_from_slice(&sealed);
    Ok(file)
}

/// The header fields, checked before any key is derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format_version: u16,
    pub kdf: KdfParams,
    pub salt: [u8; SALT_LEN],
    pub nonce: [u8; NONCE_LEN],
}

/// Read the header of a backup file: refuses other files, newer formats and cut files.
pub fn read_header(file: &[u8]) -> Result<Header> {
    if file.len() < MAGIC.len() || &file[..MAGIC.len()] != MAGIC {
        return Err(Error::invalid("backup", "is not a Paydesk backup file"));
    }
    let cut = || {
        Error::invalid(
            "backup",
            "the file is cut short: the passphrase is wrong or the file was changed or cut",
        )
    };
    let u32_at = |at: usize| u32::from_le_bytes(file[at..at + 4].try_into().expect("4 bytes"));
    let version = u16::from_le_bytes(file.get(14..16).ok_or_else(cut)?.try_into().expect("2"));
    if version > FORMAT_VERSION {
        return Err(newer_format(version));
    }
    if version == 0 {
        return Err(not_openable());
    }
    if file.len() < HEADER_LEN + TAG_LEN {
        return Err(cut());
    }
    if file[16] != KDF_ARGON2ID {
        return Err(not_openable());
    }
    Ok(Header {
        format_version: version,
        kdf: KdfParams {
            m_cost_kib: u32_at(17),
            t_cost: u32_at(21),
            p_cost: u32_at(25),
        },
        salt: file[29..29 + SALT_LEN].try_into().expect("salt"),
        nonce: file[45..45 + NONCE_LEN].try_into().expect("nonce"),
    })
}

/// Decrypt a whole backup file and check its payload.
pub fn open(file: &[u8], passphrase: &Secret) -> Result<OpenedBackup> {
    let header = read_header(file)?;
    let key = header.kdf.derive(passphrase, &header.salt)?;
    let payload = crypto::open(
        &key,
        &header.nonce,
        &file[..HEADER_LEN],
        &file[HEADER_LEN..],
    )?;
    decode_payload(payload)
}

fn newer_format(version: u16) -> Error {
    Error::invalid(
        "backup",
        format!(
            "was written by a newer Paydesk (backup format {version}; this version reads up to \
             {FORMAT_VERSION}); update Paydesk to restore it"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Mode;

    fn manifest() -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            app_version: "0.1.0".into(),
            schema_version: 5,
            mode: Mode::Test,
            created_at: "2026-11-22T00:00:00.000Z".into(),
            includes_secrets: false,
            database_bytes: 0,
            payload_sha256: String::new(),
        }
    }

    #[test]
    fn a_sealed_payload_opens_with_its_passphrase_only() {
        let pass = Secret::new("correct horse");
        let mut m = manifest();
        let payload = encode_payload(&mut m, &BTreeMap::new(), b"SQLite format 3\0...");
        let file = seal(&payload, &pass, KdfParams::insecure_for_tests()).unwrap();
        let opened = open(&file, &pass).unwrap();
        assert_eq!(opened.manifest, m);
        assert_eq!(opened.database, b"SQLite format 3\0...");
        let err = open(&file, &Secret::new("wrong horse")).unwrap_err();
        assert_eq!(err.field(), Some("passphrase"));
    }

    #[test]
    fn header_is_69_bytes() {
        assert_eq!(HEADER_LEN, 69);
    }
}
