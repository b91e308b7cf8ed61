//! Backups of the books: encrypted backup files to keep elsewhere, automatic daily copies in the
//! data folder, and the integrity checks that run when a database is opened.
//!
//! - An **encrypted backup** ([`format`], [`crypto`], [`stream`]) is one file: a consistent
//!   snapshot of the current mode's database (SQLite's online backup API, so the app may keep
//!   writing), a small JSON [`Manifest`], and — only when asked — this mode's keychain values.
//!   It is sealed with a passphrase: Argon2id derives the key, XChaCha20-Poly1305 encrypts in
//!   64 KiB chunks (STREAM, so memory use does not grow with the books), and the header (magic,
//!   format version, KDF parameters, salt, nonce prefix, chunk size) is authenticated as
//!   associated data of every chunk, so a wrong passphrase, a changed byte or a cut file are
//!   all refused before anything is replaced.
//! - **Restoring** ([`restore`]) checks the embedded database (`PRAGMA integrity_check`, schema
//!   version not newer than this build), then swaps it in: the old file is kept as
//!   `<name>.before-restore-<timestamp>` until the new one has opened and migrated, and is put
//!   back on any failure; after a success it moves to `backups/<name>-pre-restore-<time>.sqlite3`.
//! - **Automatic local backups** ([`schedule`]) are plain SQLite snapshots in
//!   `<data dir>/backups/`, at most one a day, pruned to the last 7 daily and 4 weekly ones.
//!   They hold no secrets and sit on the same disk as the database: they guard against damage
//!   and mistakes, not against losing the disk (that is what encrypted backups are for).
//! - **Recovery** ([`recovery`]): when the books cannot be opened because the file is damaged,
//!   what was found and which automatic backups could replace them; the restores keep the
//!   damaged file (every restore keeps the books it replaced as a `pre-restore` backup).
//! - **Integrity on open** ([`snapshot::check_on_open`], called by [`crate::store::Store::open`]):
//!   `PRAGMA integrity_check`, with an error that names the file and how to recover; and a
//!   `pre-migration` snapshot before an older database's schema is upgraded.
//!
//! Files written here are written atomically ([`crate::fsutil`]): temp file beside the target, fsync,
//! rename. A full disk leaves the target as it was.

pub mod crypto;
pub mod format;
pub mod recovery;
pub mod restore;
pub mod schedule;
pub mod snapshot;
pub mod stream;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::domain::Mode;
use crate::error::{Error, Result};
use crate::secrets::Secret;

pub use crypto::KdfParams;
pub use format::{OpenedBackup, FORMAT_VERSION, MAGIC};
pub use schedule::{AutoBackup, AutoBackupKind};

/// The shortest passphrase an encrypted backup accepts.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// The folder of automatic and pre-migration backups inside the data folder.
pub const BACKUPS_DIR: &str = "backups";

/// What an encrypted backup says about itself (stored inside the encrypted payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The backup file format (the header carries it too; both must be known to this build).
    pub format_version: u16,
    /// The Paydesk version that wrote the backup.
    pub app_version: String,
    /// `PRAGMA user_version` of the embedded database.
    pub schema_version: i64,
    /// Whose books: Test or live mode.
    pub mode: Mode,
    /// When the snapshot was taken (RFC 3339, UTC).
    pub created_at: String,
    /// Whether this mode's keychain values are inside.
    pub includes_secrets: bool,
    /// Size of the embedded database file.
    pub database_bytes: u64,
    /// SHA-256 (hex) of the payload after the manifest: the secrets section and the database.
    pub payload_sha256: String,
}

/// A backup file and what it holds (never a secret value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    /// The backup file.
    pub path: PathBuf,
    /// Its size on disk.
    pub file_bytes: u64,
    /// What it says about itself.
    pub manifest: Manifest,
    /// Which secrets it holds, by keychain slug (names only).
    pub secret_names: Vec<String>,
}

/// How an encrypted backup is made.
#[derive(Debug, Clone, Copy)]
pub struct BackupOptions {
    /// Put this mode's keychain values (and the webhook path) inside. Off unless asked.
    pub include_secrets: bool,
    /// The Argon2id cost (the default unless a test needs speed).
    pub kdf: KdfParams,
    /// Plaintext bytes per encrypted chunk ([`stream::DEFAULT_CHUNK_SIZE`] unless a test needs
    /// many chunks from small books).
    pub chunk_size: u32,
}

impl Default for BackupOptions {
    fn default() -> Self {
        BackupOptions {
            include_secrets: false,
            kdf: KdfParams::default(),
            chunk_size: stream::DEFAULT_CHUNK_SIZE,
        }
    }
}

/// Refuse passphrases shorter than [`MIN_PASSPHRASE_CHARS`].
pub fn check_passphrase(passphrase: &Secret) -> Result<()> {
    if passphrase.expose().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "passphrase",
            format!("must be at least {MIN_PASSPHRASE_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The "cannot open this backup" error: wrong passphrase, changed or cut file look the same.
pub(crate) fn not_openable() -> Error {
    Error::invalid(
        "passphrase",
        "cannot open the backup: the passphrase is wrong or the file was changed or cut",
    )
}

/// A `Storage` error carrying `message` (SQLite's corruption code, so it maps to exit 7).
pub(crate) fn storage_error(message: String) -> Error {
    Error::Storage(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
        Some(message),
    ))
}
