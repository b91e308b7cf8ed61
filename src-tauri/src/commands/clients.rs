//! Client commands.

use paydesk_core::{Client, ClientInput};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Clients matching `search`, sorted by name.
#[tauri::command]
pub async fn list_clients(
    state: State<'_, AppState>,
    search: Option<String>,
) -> IpcResult<Vec<Client>> {
    state.run(move |e| e.list_clients(search.as_deref())).await
}

/// One client.
#[tauri::command]
pub async fn get_client(state: State<'_, AppState>, id: String) -> IpcResult<Client> {
    state.run(move |e| e.client(&id)).await
}

/// Add a client.
#[tauri::command]
pub async fn create_client(state: State<'_, AppState>, input: ClientInput) -> IpcResult<Client> {
    state.run(move |e| e.create_client(&input)).await
}

/// Change a client.
#[tauri::command]
pub async fn update_client(
    state: State<'_, AppState>,
    id: String,
    input: ClientInput,
) -> IpcResult<Client> {
    state.run(move |e| e.update_client(&id, &input)).await
}
