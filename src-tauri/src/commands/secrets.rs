//! Credential commands. Values go into the keychain; only masked forms ever come back.

use paydesk_core::secrets::SecretKind;
use paydesk_core::SecretStatus;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Whether the keychain works, and the stored credentials masked (`••••1234`).
#[tauri::command]
pub async fn secret_status(state: State<'_, AppState>) -> IpcResult<SecretStatus> {
    state.run(|e| Ok(e.secret_status())).await
}

/// Save a credential in the keychain.
#[tauri::command]
pub async fn set_secret(
    state: State<'_, AppState>,
    kind: SecretKind,
    value: String,
) -> IpcResult<SecretStatus> {
    let status = state.run(move |e| e.set_secret(kind, &value)).await?;
    state.webhook_secret_changed(kind).await?;
    Ok(status)
}

/// Remove a credential from the keychain.
#[tauri::command]
pub async fn delete_secret(
    state: State<'_, AppState>,
    kind: SecretKind,
) -> IpcResult<SecretStatus> {
    let status = state.run(move |e| e.delete_secret(kind)).await?;
    state.webhook_secret_changed(kind).await?;
    Ok(status)
}
