//! Recovery commands: when the books could not be opened because their file is damaged, the UI
//! shows a recovery screen instead of the app. It asks what was found ([`get_recovery`]) and
//! restores an automatic backup or an encrypted backup file into the closed books, which are
//! then opened. The damaged file is kept in the backups folder, never deleted.

use paydesk_core::backup::recovery::Damage;
use paydesk_core::backup::restore;
use paydesk_core::clock::SystemClock;
use paydesk_core::secrets::Secret;
use paydesk_core::Mode;
use serde::Serialize;
use std::sync::Arc;
use tauri::State;

use super::backup::{AutoBackupView, RestoreResult, BACKUP};
use crate::error::IpcResult;
use crate::state::AppState;

/// Damaged books, as the recovery screen shows them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryView {
    /// The damaged database file.
    pub database: String,
    pub mode: Mode,
    /// What the integrity check found.
    pub problem: String,
    /// The automatic backups that could replace the books, newest first.
    pub backups: Vec<AutoBackupView>,
}

impl From<Damage> for RecoveryView {
    fn from(d: Damage) -> Self {
        RecoveryView {
            database: d.database.display().to_string(),
            mode: d.mode,
            problem: d.problem,
            backups: d.backups.into_iter().map(AutoBackupView::from).collect(),
        }
    }
}

/// What is wrong with the books, when they could not be opened because they are damaged;
/// `null` otherwise.
#[tauri::command]
pub async fn get_recovery(state: State<'_, AppState>) -> IpcResult<Option<RecoveryView>> {
    Ok(state.damage().await?.map(RecoveryView::from))
}

/// Replace the damaged books with an automatic backup (a path from the recovery list).
#[tauri::command]
pub async fn recover_from_auto_backup(
    state: State<'_, AppState>,
    path: String,
) -> IpcResult<RestoreResult> {
    state
        .recover(move |dir, mode, _| {
            let (restored, _store) = restore::restore_auto_backup(
                dir,
                mode,
                std::path::Path::new(&path),
                Arc::new(SystemClock),
            )?;
            Ok(RestoreResult::from_auto(restored, mode))
        })
        .await
}

/// Replace the damaged books with an encrypted backup the user picks (`null` when cancelled).
#[tauri::command]
pub async fn recover_from_backup_file(
    state: State<'_, AppState>,
    passphrase: String,
) -> IpcResult<Option<RestoreResult>> {
    let passphrase = Secret::new(passphrase);
    let Some(path) = state.pick_open("Restore a backup", BACKUP).await? else {
        return Ok(None);
    };
    state
        .recover(move |dir, mode, secrets| {
            let (restored, _store) = restore::restore_backup(
                dir,
                mode,
                secrets,
                &path,
                &passphrase,
                Arc::new(SystemClock),
            )?;
            Ok(RestoreResult::from(restored))
        })
        .await
        .map(Some)
}
