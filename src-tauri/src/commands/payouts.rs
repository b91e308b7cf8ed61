//! Contractor and payout commands: thin wrappers over the engine (validation, the review, the
//! approval rules and the audit history live there). Approving and batching wake the sender so
//! the payout link is created at once; opening a payout link goes to the OS opener from Rust.

use paydesk_core::domain::address::Network;
use paydesk_core::{
    Batch, Contractor, ContractorDetail, ContractorInput, Error, Payout, PayoutInput, PayoutReview,
    PayoutSettings, PayoutState, PayoutSummary,
};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// A payout network as the UI lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInfo {
    pub id: Network,
    pub label: &'static str,
    pub evm: bool,
}

/// Every payout network.
#[tauri::command]
pub async fn list_networks() -> IpcResult<Vec<NetworkInfo>> {
    Ok(Network::ALL
        .into_iter()
        .map(|n| NetworkInfo {
            id: n,
            label: n.label(),
            evm: n.is_evm(),
        })
        .collect())
}

/// Contractors whose name or email contains `search`.
#[tauri::command]
pub async fn list_contractors(
    state: State<'_, AppState>,
    search: Option<String>,
) -> IpcResult<Vec<Contractor>> {
    state
        .run(move |e| e.list_contractors(search.as_deref()))
        .await
}

/// A contractor and its address history.
#[tauri::command]
pub async fn get_contractor(state: State<'_, AppState>, id: String) -> IpcResult<ContractorDetail> {
    state.run(move |e| e.contractor(&id)).await
}

/// Add a contractor.
#[tauri::command]
pub async fn create_contractor(
    state: State<'_, AppState>,
    input: ContractorInput,
) -> IpcResult<Contractor> {
    state.run(move |e| e.create_contractor(&input)).await
}

/// Change a contractor; a new address or network needs `confirm_address_change`.
#[tauri::command]
pub async fn update_contractor(
    state: State<'_, AppState>,
    id: String,
    input: ContractorInput,
    confirm_address_change: bool,
) -> IpcResult<Contractor> {
    state
        .run(move |e| e.update_contractor(&id, &input, confirm_address_change))
        .await
}

/// The creator wallets that sign payouts.
#[tauri::command]
pub async fn get_payout_settings(state: State<'_, AppState>) -> IpcResult<PayoutSettings> {
    state.run(|e| e.payout_settings()).await
}

/// Save the creator wallets.
#[tauri::command]
pub async fn update_payout_settings(
    state: State<'_, AppState>,
    input: PayoutSettings,
) -> IpcResult<PayoutSettings> {
    state.run(move |e| e.set_payout_settings(&input)).await
}

/// Payouts in `state` (or all), newest first.
#[tauri::command]
pub async fn list_payouts(
    app: State<'_, AppState>,
    state: Option<PayoutState>,
) -> IpcResult<Vec<PayoutSummary>> {
    app.run(move |e| e.list_payouts(state)).await
}

/// One payout with its link and history (also marks it "being looked at": its link is polled
/// every 10 s for ten minutes, as an open invoice's is).
#[tauri::command]
pub async fn get_payout(state: State<'_, AppState>, id: String) -> IpcResult<Payout> {
    state
        .run(move |e| {
            e.watch_payout(&id)?;
            e.payout(&id)
        })
        .await
}

/// A new draft.
#[tauri::command]
pub async fn create_payout(state: State<'_, AppState>, input: PayoutInput) -> IpcResult<Payout> {
    state.run(move |e| e.create_payout(&input)).await
}

/// Change a draft.
#[tauri::command]
pub async fn update_payout(
    state: State<'_, AppState>,
    id: String,
    input: PayoutInput,
) -> IpcResult<Payout> {
    state.run(move |e| e.update_payout(&id, &input)).await
}

/// What to check before approving.
#[tauri::command]
pub async fn review_payout(state: State<'_, AppState>, id: String) -> IpcResult<PayoutReview> {
    state.run(move |e| e.review_payout(&id)).await
}

/// Approve a draft for the reviewed `address`; the link is created in the background at once.
#[tauri::command]
pub async fn approve_payout(
    state: State<'_, AppState>,
    id: String,
    address: String,
) -> IpcResult<Payout> {
    let payout = state.run(move |e| e.approve_payout(&id, &address)).await?;
    state.kick_sender();
    Ok(payout)
}

/// Cancel a payout whose link was not opened.
#[tauri::command]
pub async fn cancel_payout(state: State<'_, AppState>, id: String) -> IpcResult<Payout> {
    state.run(move |e| e.cancel_payout(&id)).await
}

/// Open the payout's live link in the browser to sign it (recorded; it can no longer be
/// cancelled). The URL comes from the database, never from the webview.
#[tauri::command]
pub async fn open_payout_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> IpcResult<String> {
    let link = state.run(move |e| e.open_payout_link(&id)).await?;
    app.opener()
        .open_url(link.url.clone(), None::<&str>)
        .map_err(|e| {
            IpcError::internal(format!(
                "could not start the default browser ({e}); copy the link instead"
            ))
        })?;
    Ok(link.url)
}

/// The payout's live link as an SVG QR code.
#[tauri::command]
pub async fn payout_qr_svg(state: State<'_, AppState>, id: String) -> IpcResult<String> {
    state
        .run(move |e| match e.payout(&id)?.link {
            Some(l) if l.status == "live" => paydesk_core::qr::svg(&l.url),
            _ => Err(Error::conflict(None, "the payout has no live link")),
        })
        .await
}

/// Combine live EVM payouts on one network into one batch link (created in the background).
#[tauri::command]
pub async fn batch_payouts(state: State<'_, AppState>, ids: Vec<String>) -> IpcResult<Batch> {
    let batch = state.run(move |e| e.batch_payouts(&ids)).await?;
    state.kick_sender();
    Ok(batch)
}
