//! App info, settings, mode switch and business profile commands.

use paydesk_core::money::Currency;
use paydesk_core::{AppInfo, BusinessProfile, Mode, Settings, SettingsInput};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Version, mode, data folder and keychain state.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> IpcResult<AppInfo> {
    state.run(|e| Ok(e.info())).await
}

/// The currencies invoices can use.
#[tauri::command]
pub async fn list_currencies(state: State<'_, AppState>) -> IpcResult<Vec<Currency>> {
    state.run(|e| Ok(e.currencies().to_vec())).await
}

/// Settings of the current mode.
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> IpcResult<Settings> {
    state.run(|e| e.settings()).await
}

/// Validate and save settings.
#[tauri::command]
pub async fn update_settings(
    state: State<'_, AppState>,
    input: SettingsInput,
) -> IpcResult<Settings> {
    state.run(move |e| e.update_settings(&input)).await
}

/// Switch between Test mode and live mode (each has its own database).
#[tauri::command]
pub async fn set_mode(state: State<'_, AppState>, mode: Mode) -> IpcResult<AppInfo> {
    let info = state.run(move |e| e.set_mode(mode)).await?;
    // Each mode has its own books, secrets and registration.
    if let Err(e) = state.restart_webhooks().await {
        tracing::warn!(error = %e.message, "webhooks did not restart after the mode change");
    }
    Ok(info)
}

/// The business profile.
#[tauri::command]
pub async fn get_profile(state: State<'_, AppState>) -> IpcResult<BusinessProfile> {
    state.run(|e| e.profile()).await
}

/// Validate and save the business profile.
#[tauri::command]
pub async fn update_profile(
    state: State<'_, AppState>,
    input: BusinessProfile,
) -> IpcResult<BusinessProfile> {
    state.run(move |e| e.update_profile(&input)).await
}
