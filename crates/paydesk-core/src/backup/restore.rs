//! Putting a backup back: check everything first, then swap the database file with a way back.
//!
//! The functions here work on a data folder whose database is **not open** in this process
//! (the CLI's recovery path uses them when the books cannot even be opened); the
//! [`crate::Paydesk`] facade closes its own connection around them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::clock::Clock;
use crate::domain::Mode;
use crate::error::{Error, Result};
use crate::secrets::{Secret, SecretKind, SecretStore};
use crate::store::{latest_schema_version, Store};

use super::format::{self, OpenedBackup};
use super::snapshot::{self, open_read_only};
use super::{schedule, BackupInfo};

/// A database file beside the books, checked and waiting to replace them. Removed when dropped
/// unless it was moved into place.
#[derive(Debug)]
pub struct Candidate {
    path: PathBuf,
    schema_version: i64,
}

impl Candidate {
    /// The schema version of the candidate database.
    pub fn schema_version(&self) -> i64 {
        self.schema_version
    }
}

impl Drop for Candidate {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A decrypted, checked backup ready to be swapped in.
#[derive(Debug)]
pub struct PreparedRestore {
    pub info: BackupInfo,
    candidate: Candidate,
    secrets: BTreeMap<String, Secret>,
}

/// What an automatic-backup restore put back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoredDatabase {
    /// The file the books came from.
    pub source: PathBuf,
    /// The database that now holds them.
    pub database: PathBuf,
    /// The schema version of the restored file (before it was brought up to date).
    pub schema_version: i64,
    /// Where the books it replaced were kept (`backups/<name>-pre-restore-<time>.sqlite3`).
    pub previous: Option<PathBuf>,
}

/// What an encrypted-backup restore put back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoredBackup {
    /// The backup and what it says about itself.
    #[serde(flatten)]
    pub info: BackupInfo,
    /// Where the books it replaced were kept (`backups/<name>-pre-restore-<time>.sqlite3`).
    pub previous: Option<PathBuf>,
}

/// Open the backup file at `path`; its size on disk.
fn open_backup_file(path: &Path) -> Result<(std::io::BufReader<std::fs::File>, u64)> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound {
            what: "backup",
            id: path.display().to_string(),
        },
        _ => Error::io(format!("cannot read {}", path.display()), e),
    })?;
    let bytes = file
        .metadata()
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?
        .len();
    Ok((std::io::BufReader::with_capacity(64 * 1024, file), bytes))
}

/// Decrypt the backup at `path` chunk by chunk and check it, without keeping the database
/// (nothing else is touched). Returns the file's size and what it holds.
pub fn read_backup(path: &Path, passphrase: &Secret) -> Result<(u64, OpenedBackup)> {
    let (file, bytes) = open_backup_file(path)?;
    let opened = format::open(file, passphrase, &mut |_| Ok(()), &mut |_| Ok(()))?;
    Ok((bytes, opened))
}

/// Decrypt the backup at `path` chunk by chunk, writing the database inside to the new file
/// `database` (fsynced); `check` sees the manifest and secrets first and may refuse them. The
/// file is removed again if anything fails, the final hash and length checks included.
pub fn extract_backup(
    path: &Path,
    passphrase: &Secret,
    database: &Path,
    check: &mut dyn FnMut(&OpenedBackup) -> Result<()>,
) -> Result<(u64, OpenedBackup)> {
    let (file, bytes) = open_backup_file(path)?;
    let write_err = |e: std::io::Error| crate::fsutil::write_error(database, e);
    let result = (|| {
        let out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(database)
            .map_err(write_err)?;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
        let opened = format::open(file, passphrase, check, &mut |chunk| {
            out.write_all(chunk).map_err(write_err)
        })?;
        let out = out.into_inner().map_err(|e| write_err(e.into_error()))?;
        out.sync_all().map_err(write_err)?;
        Ok(opened)
    })();
    match result {
        Ok(opened) => Ok((bytes, opened)),
        Err(e) => {
            let _ = std::fs::remove_file(database);
            Err(e)
        }
    }
}

/// What a decrypted backup says, without its secret values.
pub fn info_of(path: &Path, file_bytes: u64, opened: &OpenedBackup) -> BackupInfo {
    BackupInfo {
        path: path.to_path_buf(),
        file_bytes,
        manifest: opened.manifest.clone(),
        secret_names: opened.secrets.keys().cloned().collect(),
    }
}

/// Check a database file: `PRAGMA integrity_check`, and a Paydesk schema this build knows.
/// Returns its schema version.
pub fn check_database_file(path: &Path) -> Result<i64> {
    let conn = open_read_only(path)?;
    snapshot::check(&conn).map_err(|detail| {
        Error::invalid(
            "backup",
            format!("the database inside fails its integrity check ({detail})"),
        )
    })?;
    let version = snapshot::user_version(&conn)?;
    if version < 1 {
        return Err(Error::invalid("backup", "does not hold Paydesk books"));
    }
    if version > latest_schema_version() {
        return Err(newer_schema(version));
    }
    Ok(version)
}

fn newer_schema(version: i64) -> Error {
    Error::invalid(
        "backup",
        format!(
            "holds books from a newer Paydesk (schema {version}; this version knows up to {}); \
             update Paydesk to restore it",
            latest_schema_version()
        ),
    )
}

fn candidate_path(data_dir: &Path) -> PathBuf {
    data_dir.join(format!(".restore-{}.sqlite3", ulid::Ulid::new()))
}

/// Copy the database file `source` beside the books and check it.
pub fn copy_candidate(data_dir: &Path, source: &Path) -> Result<Candidate> {
    let mut candidate = Candidate {
        path: candidate_path(data_dir),
        schema_version: 0,
    };
    std::fs::copy(source, &candidate.path)
        .map_err(|e| Error::io(format!("cannot copy {}", source.display()), e))?;
    candidate.schema_version = check_database_file(&candidate.path)?;
    Ok(candidate)
}

/// Decrypt and check the backup at `path` for the books of `mode` in `data_dir`. Nothing is
/// replaced yet; every reason to refuse is found here.
pub fn prepare(
    data_dir: &Path,
    mode: Mode,
    secrets: &dyn SecretStore,
    path: &Path,
    passphrase: &Secret,
) -> Result<PreparedRestore> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| Error::io(format!("cannot create {}", data_dir.display()), e))?;
    let mut candidate = Candidate {
        path: candidate_path(data_dir),
        schema_version: 0,
    };
    // The manifest and secrets come first in the payload (authenticated by their chunk): a
    // backup this build cannot restore here is refused before the database is decrypted.
    let mut check = |opened: &OpenedBackup| -> Result<()> {
        let m = &opened.manifest;
        if m.schema_version > latest_schema_version() {
            return Err(newer_schema(m.schema_version));
        }
        if m.mode != mode {
            return Err(Error::conflict(
                Some("mode"),
                format!(
                    "this backup holds the {} books; switch to {} mode to restore it",
                    m.mode.as_str(),
                    m.mode.as_str()
                ),
            ));
        }
        if !opened.secrets.is_empty() {
            // Fail before the books change, not halfway.
            secrets.check()?;
        }
        Ok(())
    };
    let (file_bytes, opened) = extract_backup(path, passphrase, &candidate.path, &mut check)?;
    let info = info_of(path, file_bytes, &opened);
    candidate.schema_version = check_database_file(&candidate.path)?;
    if candidate.schema_version != opened.manifest.schema_version {
        return Err(Error::invalid(
            "backup",
            "its manifest does not match the database inside",
        ));
    }
    Ok(PreparedRestore {
        info,
        candidate,
        secrets: opened.secrets,
    })
}

/// Swap a prepared backup in and write its secrets back; returns the open new store.
/// No connection to the database may be open in this process.
pub fn finish(
    database: &Path,
    mode: Mode,
    prepared: PreparedRestore,
    secrets: &dyn SecretStore,
    clock: Arc<dyn Clock>,
) -> Result<(RestoredBackup, Store)> {
    let (store, previous) = replace_database(database, prepared.candidate, clock)?;
    let kinds = SecretKind::ALL.into_iter().chain([SecretKind::WebhookPath]);
    for kind in kinds {
        if let Some(value) = prepared.secrets.get(kind.slug()) {
            secrets.set(&kind.account(mode), value)?;
        }
    }
    let restored = RestoredBackup {
        info: prepared.info,
        previous,
    };
    Ok((restored, store))
}

/// Where an automatic backup named on the command line is: as given, else in `backups/`.
pub fn resolve_auto_backup(data_dir: &Path, file: &Path) -> Result<PathBuf> {
    if file.is_file() {
        return Ok(file.to_path_buf());
    }
    let in_dir = schedule::backups_dir(data_dir).join(file);
    if in_dir.is_file() {
        return Ok(in_dir);
    }
    Err(Error::NotFound {
        what: "backup",
        id: file.display().to_string(),
    })
}

/// Replace the books of `mode` with the plain SQLite backup `file` (an automatic or
/// pre-migration backup). No connection to the database may be open in this process.
pub fn restore_auto_backup(
    data_dir: &Path,
    mode: Mode,
    file: &Path,
    clock: Arc<dyn Clock>,
) -> Result<(RestoredDatabase, Store)> {
    let source = resolve_auto_backup(data_dir, file)?;
    let candidate = copy_candidate(data_dir, &source)?;
    let schema_version = candidate.schema_version;
    let database = crate::app::database_path(data_dir, mode);
    let (store, previous) = replace_database(&database, candidate, clock)?;
    Ok((
        RestoredDatabase {
            source,
            database,
            schema_version,
            previous,
        },
        store,
    ))
}

/// Decrypt, check and restore the backup at `path` into the books of `mode`. No connection to
/// the database may be open in this process (the CLI's recovery path).
pub fn restore_backup(
    data_dir: &Path,
    mode: Mode,
    secrets: &dyn SecretStore,
    path: &Path,
    passphrase: &Secret,
    clock: Arc<dyn Clock>,
) -> Result<(RestoredBackup, Store)> {
    let prepared = prepare(data_dir, mode, secrets, path, passphrase)?;
    let database = crate::app::database_path(data_dir, mode);
    finish(&database, mode, prepared, secrets, clock)
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Move a database file with its `-wal` and `-shm` companions.
fn move_database(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::rename(from, to)?;
    for companion in ["-wal", "-shm"] {
        let f = with_suffix(from, companion);
        if f.exists() {
            std::fs::rename(&f, with_suffix(to, companion))?;
        }
    }
    Ok(())
}

fn remove_database(path: &Path) {
    for companion in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, companion));
    }
}

/// Swap `candidate` in as `database`: the old file waits as `<name>.before-restore-<time>`
/// until the new one has opened and migrated, and comes back on any failure. After a success
/// it is kept in the backups folder as `<name>-pre-restore-<time>.sqlite3` (listed with the
/// automatic backups, never pruned), so a restore can be undone; its path is returned.
pub fn replace_database(
    database: &Path,
    mut candidate: Candidate,
    clock: Arc<dyn Clock>,
) -> Result<(Store, Option<PathBuf>)> {
    let stamp = clock.now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let kept = with_suffix(database, &format!(".before-restore-{stamp}"));
    let had_old = database.exists();
    let io = |what: &str, e| Error::io(format!("cannot {what} {}", database.display()), e);
    if had_old {
        move_database(database, &kept).map_err(|e| io("move aside", e))?;
    }
    let put_back = || {
        remove_database(database);
        if had_old {
            if let Err(e) = move_database(&kept, database) {
                tracing::error!(kept = %kept.display(), "cannot put the old database back: {e}");
            }
        }
    };
    if let Err(e) = std::fs::rename(&candidate.path, database) {
        put_back();
        return Err(io("replace", e));
    }
    // In place now: the candidate's own clean-up must not delete the books.
    candidate.path = PathBuf::new();
    crate::fsutil::sync_dir(database);
    match Store::open_with_clock(database, clock) {
        Ok(store) => {
            let previous = had_old.then(|| keep_previous(database, &kept, &stamp));
            Ok((store, previous))
        }
        Err(e) => {
            put_back();
            Err(e)
        }
    }
}

/// Move the replaced books (`kept`, beside `database`) into the backups folder; where they are
/// now (still `kept` if the move failed, which is logged).
fn keep_previous(database: &Path, kept: &Path, stamp: &str) -> PathBuf {
    let stem = database
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "paydesk".to_string());
    let dir = snapshot::backups_dir_of(database);
    let dest = dir.join(format!("{stem}-pre-restore-{stamp}.sqlite3"));
    match std::fs::create_dir_all(&dir).and_then(|()| move_database(kept, &dest)) {
        Ok(()) => dest,
        Err(e) => {
            tracing::warn!(kept = %kept.display(), "cannot move the replaced books to the backups folder: {e}");
            kept.to_path_buf()
        }
    }
}
