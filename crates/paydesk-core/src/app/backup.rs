//! Backups through the facade: encrypted backup files of the current mode's books, the daily
//! automatic copies, and restoring either. See [`crate::backup`] for the format and the rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::backup::restore::{self, RestoredBackup, RestoredDatabase};
use crate::backup::{
    self, format, schedule, snapshot, AutoBackup, BackupInfo, BackupOptions, Manifest,
    FORMAT_VERSION,
};
use crate::clock::timestamp;
use crate::error::Result;
use crate::secrets::{Secret, SecretKind};
use crate::store::Store;

use super::Paydesk;

impl Paydesk {
    /// Write an encrypted backup of the current mode's books to `path` (atomically: the file
    /// there is replaced only by a complete backup). Secrets only with `include_secrets`.
    pub fn create_backup(
        &mut self,
        path: &Path,
        passphrase: &Secret,
        include_secrets: bool,
    ) -> Result<BackupInfo> {
        let options = BackupOptions {
            include_secrets,
            ..BackupOptions::default()
        };
        self.create_backup_with(path, passphrase, &options)
    }

    /// [`Paydesk::create_backup`] with every option.
    pub fn create_backup_with(
        &mut self,
        path: &Path,
        passphrase: &Secret,
        options: &BackupOptions,
    ) -> Result<BackupInfo> {
        backup::check_passphrase(passphrase)?;
        let secrets = if options.include_secrets {
            self.secrets_to_back_up()?
        } else {
            BTreeMap::new()
        };
        let created_at = timestamp(self.clock.now());
        let mut manifest = Manifest {
            format_version: FORMAT_VERSION,
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            schema_version: snapshot::user_version(self.store.connection())?,
            mode: self.mode,
            created_at,
            includes_secrets: options.include_secrets,
            database_bytes: 0,
            payload_sha256: String::new(),
        };
        // Snapshot to a temp file in the data folder, hash it from disk, then stream it through
        // the chunked encryption into a temp file beside `path`: never the whole database in
        // memory.
        let snapshot = crate::fsutil::temp_path_for(&self.data_dir.join("snapshot.sqlite3"))?;
        let result = snapshot::snapshot_to(self.store.connection(), &snapshot).and_then(|()| {
            let sealer = format::Sealer::new(
                &mut manifest,
                &secrets,
                &snapshot,
                passphrase,
                options.kdf,
                options.chunk_size,
            )?;
            let mut file_bytes = 0;
            crate::fsutil::write_atomically_streaming(path, |file| {
                file_bytes = sealer.write_to(file)?;
                Ok(())
            })?;
            Ok(file_bytes)
        });
        let _ = std::fs::remove_file(&snapshot);
        Ok(BackupInfo {
            path: path.to_path_buf(),
            file_bytes: result?,
            manifest,
            secret_names: secrets.into_keys().collect(),
        })
    }

    /// Decrypt the backup at `path` and say what it holds (changes nothing).
    pub fn inspect_backup(&self, path: &Path, passphrase: &Secret) -> Result<BackupInfo> {
        let (file_bytes, opened) = restore::read_backup(path, passphrase)?;
        Ok(restore::info_of(path, file_bytes, &opened))
    }

    /// Replace the current mode's books with the encrypted backup at `path` (and write its
    /// secrets back to the keychain when it has any). Everything is checked before the database
    /// is touched; on a failure after that, the previous database is put back. No other
    /// connection of this process may write meanwhile.
    pub fn restore_backup(&mut self, path: &Path, passphrase: &Secret) -> Result<RestoredBackup> {
        let prepared = restore::prepare(
            &self.data_dir,
            self.mode,
            self.secrets.as_ref(),
            path,
            passphrase,
        )?;
        let (mode, secrets, clock) = (self.mode, self.secrets.clone(), self.clock.clone());
        self.with_store_closed(|db| restore::finish(db, mode, prepared, secrets.as_ref(), clock))
    }

    /// Take today's automatic backup of the current mode unless it exists (`None` then), and
    /// prune old ones (7 daily, 4 weekly; see [`crate::backup::schedule`]).
    pub fn auto_backup_if_due(&mut self, now: DateTime<Utc>) -> Result<Option<PathBuf>> {
        let (data_dir, mode) = (self.data_dir.clone(), self.mode);
        schedule::backup_if_due(self.store.connection(), &data_dir, mode, now)
    }

    /// The current mode's automatic backups, newest first.
    pub fn list_auto_backups(&self) -> Result<Vec<AutoBackup>> {
        schedule::list(&self.data_dir, self.mode)
    }

    /// Replace the current mode's books with an automatic (plain SQLite) backup: a path, or a
    /// file name in the backups folder. Checked before anything is replaced.
    pub fn restore_auto_backup(&mut self, path: &Path) -> Result<RestoredDatabase> {
        let (data_dir, mode, clock) = (self.data_dir.clone(), self.mode, self.clock.clone());
        // A bad file fails before the books are replaced; they are then opened again.
        self.with_store_closed(|_| restore::restore_auto_backup(&data_dir, mode, path, clock))
    }

    /// This mode's keychain values for a backup, by slug.
    fn secrets_to_back_up(&self) -> Result<BTreeMap<String, Secret>> {
        let mut out = BTreeMap::new();
        for kind in SecretKind::ALL.into_iter().chain([SecretKind::WebhookPath]) {
            if let Some(value) = self.secrets.get(&kind.account(self.mode))? {
                out.insert(kind.slug().to_string(), value);
            }
        }
        Ok(out)
    }

    /// Run `f` with this engine's connection closed (it gets the database path and returns the
    /// store to use next). On failure the previous database is opened again.
    fn with_store_closed<T>(&mut self, f: impl FnOnce(&Path) -> Result<(T, Store)>) -> Result<T> {
        let db = self.store.path().to_path_buf();
        // Fold the WAL into the main file, so the file set aside is whole on its own.
        let _ =
            self.store
                .connection()
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let placeholder = Store::open_with_clock(Path::new(":memory:"), self.clock.clone())?;
        drop(std::mem::replace(&mut self.store, placeholder));
        match f(&db) {
            Ok((out, store)) => {
                self.store = store;
                Ok(out)
            }
            Err(e) => {
                match Store::open_with_clock(&db, self.clock.clone()) {
                    Ok(store) => self.store = store,
                    Err(reopen) => tracing::error!(
                        "cannot reopen {} after a failed restore: {reopen}",
                        db.display()
                    ),
                }
                Err(e)
            }
        }
    }
}
