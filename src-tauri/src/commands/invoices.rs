//! Invoice commands, including the live totals preview of the editor.

use paydesk_core::money::Totals;
use paydesk_core::{Invoice, InvoiceInput, InvoicePage, InvoiceQuery, TotalsInput};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// One page of the invoice list.
#[tauri::command]
pub async fn list_invoices(
    state: State<'_, AppState>,
    query: InvoiceQuery,
) -> IpcResult<InvoicePage> {
    state.run(move |e| e.list_invoices(&query)).await
}

/// One invoice with lines and totals.
#[tauri::command]
pub async fn get_invoice(state: State<'_, AppState>, id: String) -> IpcResult<Invoice> {
    state.run(move |e| e.invoice(&id)).await
}

/// Create an invoice (a draft with the next number unless one is given).
#[tauri::command]
pub async fn create_invoice(state: State<'_, AppState>, input: InvoiceInput) -> IpcResult<Invoice> {
    state.run(move |e| e.create_invoice(&input)).await
}

/// Save changes to an invoice.
#[tauri::command]
pub async fn update_invoice(
    state: State<'_, AppState>,
    id: String,
    input: InvoiceInput,
) -> IpcResult<Invoice> {
    state.run(move |e| e.update_invoice(&id, &input)).await
}

/// Void an invoice (it keeps its number).
#[tauri::command]
pub async fn void_invoice(state: State<'_, AppState>, id: String) -> IpcResult<Invoice> {
    state.run(move |e| e.void_invoice(&id)).await
}

/// Copy an invoice into a new draft.
#[tauri::command]
pub async fn duplicate_invoice(state: State<'_, AppState>, id: String) -> IpcResult<Invoice> {
    state.run(move |e| e.duplicate_invoice(&id)).await
}

/// Totals for the editor, by the same rule as saved invoices.
#[tauri::command]
pub async fn compute_totals(state: State<'_, AppState>, input: TotalsInput) -> IpcResult<Totals> {
    state.run(move |e| e.compute_totals(&input)).await
}
