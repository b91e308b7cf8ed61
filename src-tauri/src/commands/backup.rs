//! Backup commands: an encrypted backup where the user chooses, a restore from one (after a
//! safety copy of the current books, with every other connection of the app closed), and the
//! automatic daily backups. Passphrases arrive as arguments of one call and are never stored.

use paydesk_core::backup::restore::{RestoredBackup, RestoredDatabase};
use paydesk_core::backup::schedule::written_at;
use paydesk_core::backup::{AutoBackup, AutoBackupKind, BackupInfo};
use paydesk_core::secrets::Secret;
use paydesk_core::Mode;
use serde::Serialize;
use tauri::State;

use crate::error::IpcResult;
use crate::files::Filter;
use crate::state::AppState;

pub(crate) const BACKUP: Filter = Filter {
    name: "Paydesk backup",
    extensions: &["pdbackup"],
};

/// A backup as the UI shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupView {
    pub path: String,
    pub bytes: u64,
    pub created_at: String,
    pub mode: Mode,
    pub schema_version: i64,
    pub app_version: String,
    pub includes_secrets: bool,
}

impl From<BackupInfo> for BackupView {
    fn from(b: BackupInfo) -> Self {
        BackupView {
            path: b.path.display().to_string(),
            bytes: b.file_bytes,
            created_at: b.manifest.created_at,
            mode: b.manifest.mode,
            schema_version: b.manifest.schema_version,
            app_version: b.manifest.app_version,
            includes_secrets: b.manifest.includes_secrets,
        }
    }
}

/// A finished restore.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreResult {
    pub backup: BackupView,
    /// Where the books the restore replaced were kept (in the backups folder, listed with the
    /// automatic backups); empty when there were none.
    pub previous_kept_at: String,
}

/// An automatic backup.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoBackupView {
    pub path: String,
    pub created_at: String,
    pub bytes: u64,
    pub kind: AutoBackupKind,
}

impl From<AutoBackup> for AutoBackupView {
    fn from(b: AutoBackup) -> Self {
        AutoBackupView {
            created_at: created_at(&b),
            path: b.path.display().to_string(),
            bytes: b.bytes,
            kind: b.kind,
        }
    }
}

/// When an automatic backup's books are from: the file's time, else its day.
fn created_at(b: &AutoBackup) -> String {
    b.created_at
        .clone()
        .or_else(|| b.date.map(|d| format!("{d}T00:00:00Z")))
        .unwrap_or_default()
}

impl From<RestoredBackup> for RestoreResult {
    fn from(r: RestoredBackup) -> Self {
        RestoreResult {
            backup: r.info.into(),
            previous_kept_at: kept(r.previous),
        }
    }
}

impl RestoreResult {
    /// The result of restoring the automatic backup `r` into the books of `mode`.
    pub fn from_auto(r: RestoredDatabase, mode: Mode) -> Self {
        let meta = std::fs::metadata(&r.source).ok();
        RestoreResult {
            backup: BackupView {
                path: r.source.display().to_string(),
                created_at: meta.as_ref().and_then(written_at).unwrap_or_default(),
                bytes: meta.map_or(0, |m| m.len()),
                mode,
                schema_version: r.schema_version,
                app_version: String::new(),
                includes_secrets: false,
            },
            previous_kept_at: kept(r.previous),
        }
    }
}

/// Where the replaced books went, as the UI shows it.
fn kept(previous: Option<std::path::PathBuf>) -> String {
    previous
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Write an encrypted backup of the current books where the user chooses.
#[tauri::command]
pub async fn create_backup(
    state: State<'_, AppState>,
    passphrase: String,
    include_secrets: bool,
) -> IpcResult<Option<BackupView>> {
    let passphrase = Secret::new(passphrase);
    paydesk_core::backup::check_passphrase(&passphrase)?;
    let mode = state.run(|e| Ok(e.mode())).await?;
    let name = format!(
        "paydesk-{}-{}.pdbackup",
        mode.as_str(),
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let Some(path) = state.pick_save("Save a backup", name, BACKUP).await? else {
        return Ok(None);
    };
    state
        .run(move |e| e.create_backup(&path, &passphrase, include_secrets))
        .await
        .map(|b| Some(b.into()))
}

/// Replace the current books with an encrypted backup the user picks.
#[tauri::command]
pub async fn restore_backup(
    state: State<'_, AppState>,
    passphrase: String,
) -> IpcResult<Option<RestoreResult>> {
    let passphrase = Secret::new(passphrase);
    let Some(path) = state.pick_open("Restore a backup", BACKUP).await? else {
        return Ok(None);
    };
    // Checked first: a wrong passphrase or a changed file stops here, with nothing touched.
    let check = path.clone();
    let key = passphrase.clone();
    state.run(move |e| e.inspect_backup(&check, &key)).await?;
    state
        .with_books_closed(move |e| Ok(e.restore_backup(&path, &passphrase)?.into()))
        .await
        .map(Some)
}

/// The automatic backups, newest first.
#[tauri::command]
pub async fn list_auto_backups(state: State<'_, AppState>) -> IpcResult<Vec<AutoBackupView>> {
    state
        .run(|e| {
            Ok(e.list_auto_backups()?
                .into_iter()
                .map(AutoBackupView::from)
                .collect())
        })
        .await
}

/// Replace the current books with one of the automatic backups (a path from the list).
#[tauri::command]
pub async fn restore_auto_backup(
    state: State<'_, AppState>,
    path: String,
) -> IpcResult<RestoreResult> {
    state
        .with_books_closed(move |e| {
            let restored = e.restore_auto_backup(std::path::Path::new(&path))?;
            Ok(RestoreResult::from_auto(restored, e.mode()))
        })
        .await
}
