//! Webhook commands: the panel's state, its settings, and "send test event". Secrets (signing
//! secret, ngrok authtoken) go through the secret commands and never come back unmasked.

use paydesk_core::webhook::WebhookStatus;
use paydesk_core::WebhookConfig;
use serde::Serialize;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Receiver, tunnel, registration and the last deliveries.
#[tauri::command]
pub async fn get_webhook_status(state: State<'_, AppState>) -> IpcResult<WebhookStatus> {
    state.webhook_status().await
}

/// Validate, save and apply the webhook settings (restarts the tunnel as needed).
#[tauri::command]
pub async fn set_webhook_config(
    state: State<'_, AppState>,
    config: WebhookConfig,
) -> IpcResult<WebhookStatus> {
    state.set_webhook_config(config).await
}

/// What "send test event" says.
#[derive(Debug, Serialize)]
pub struct TestSent {
    pub message: String,
}

/// Ask Request to deliver a test event to this client id's webhooks.
#[tauri::command]
pub async fn send_test_webhook(state: State<'_, AppState>) -> IpcResult<TestSent> {
    let message = state.send_test_webhook().await?;
    Ok(TestSent { message })
}
