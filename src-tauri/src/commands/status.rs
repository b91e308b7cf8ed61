//! Paid-status commands: an invoice's payment status (and "I'm looking at it"), check now,
//! the poller's connection state, and the dashboard. Polling itself runs in the background
//! ([`crate::state::AppState::spawn_background_loop`]).

use paydesk_core::status::poller::SyncStatus;
use paydesk_core::status::{Dashboard, PaymentStatus};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// The invoice's paid status and history; the invoice counts as watched (polled every 10 s)
/// for the next ten minutes.
#[tauri::command]
pub async fn get_payment_status(
    state: State<'_, AppState>,
    invoice_id: String,
) -> IpcResult<PaymentStatus> {
    state
        .run(move |e| {
            e.watch_invoice(&invoice_id)?;
            e.payment_status(&invoice_id)
        })
        .await
}

/// Poll the invoice's live link now (within the rate limit) and answer with its status; a
/// failed poll shows in `lastError`.
#[tauri::command]
pub async fn check_now(state: State<'_, AppState>, invoice_id: String) -> IpcResult<PaymentStatus> {
    let id = invoice_id.clone();
    let outcome = state.check_now(invoice_id).await?;
    let mut status = state.run(move |e| e.payment_status(&id)).await?;
    if let Err(message) = outcome {
        status.last_error = Some(message);
    }
    Ok(status)
}

/// Online or offline, the last error, how many links are polled.
#[tauri::command]
pub async fn get_sync_status(state: State<'_, AppState>) -> IpcResult<SyncStatus> {
    state.sync_status().await
}

/// Outstanding, overdue and paid totals per currency, and what needs attention.
#[tauri::command]
pub async fn get_dashboard(state: State<'_, AppState>) -> IpcResult<Dashboard> {
    state.run(|e| e.dashboard()).await
}
