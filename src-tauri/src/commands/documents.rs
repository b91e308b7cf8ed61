//! Document and export commands: the invoice PDF (save dialog), "send" (PDF into the data
//! folder, mail draft, the PDF shown to attach), accountant exports and the invoice history
//! (save dialog), and the business logo (open dialog). Paths come from the dialogs shown from
//! Rust, never from the webview.

use std::path::PathBuf;

use paydesk_core::app::{SavedPdf, SentInvoice};
use paydesk_core::document::Paper;
use paydesk_core::export::{DateRange, ExportKind};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{IpcError, IpcResult};
use crate::files::Filter;
use crate::state::AppState;

const PDF: Filter = Filter {
    name: "PDF",
    extensions: &["pdf"],
};
const CSV: Filter = Filter {
    name: "CSV",
    extensions: &["csv"],
};
const JSON: Filter = Filter {
    name: "JSON",
    extensions: &["json"],
};
const IMAGE: Filter = Filter {
    name: "Image",
    extensions: &["png", "jpg", "jpeg"],
};

/// A file written.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedFile {
    pub path: String,
    pub bytes: u64,
}

/// An export written.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
    pub rows: usize,
}

fn invoice_number(
    state: &AppState,
    id: String,
) -> impl std::future::Future<Output = IpcResult<String>> + '_ {
    state.run(move |e| Ok(e.find_invoice(&id)?.number))
}

/// Save the invoice's PDF where the user chooses; `None` when cancelled.
#[tauri::command]
pub async fn save_invoice_pdf(
    state: State<'_, AppState>,
    invoice_id: String,
    paper: Paper,
) -> IpcResult<Option<SavedPdf>> {
    let number = invoice_number(&state, invoice_id.clone()).await?;
    let Some(path) = state
        .pick_save("Save the invoice as PDF", format!("{number}.pdf"), PDF)
        .await?
    else {
        return Ok(None);
    };
    state
        .run(move |e| e.save_invoice_pdf(&invoice_id, paper, &path))
        .await
        .map(Some)
}

/// Send the invoice: its PDF into the data folder, a mail draft in the user's mail program, the
/// PDF shown in its folder to attach, the invoice marked sent.
#[tauri::command]
pub async fn send_invoice<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    invoice_id: String,
) -> IpcResult<SentInvoice> {
    let sent = state
        .run(move |e| e.send_invoice(&invoice_id, Paper::A4))
        .await?;
    app.opener()
        .open_url(sent.mailto.clone(), None::<&str>)
        .map_err(|e| {
            IpcError::internal(format!(
                "could not start the mail program ({e}); the PDF is at {}",
                sent.pdf_path
            ))
        })?;
    if let Err(e) = app.opener().reveal_item_in_dir(&sent.pdf_path) {
        tracing::warn!(error = %e, "cannot show the invoice PDF in its folder");
    }
    Ok(sent)
}

/// Export invoices, payments or payouts of a date range as CSV where the user chooses.
#[tauri::command]
pub async fn export_data(
    state: State<'_, AppState>,
    kind: ExportKind,
    from: String,
    to: String,
) -> IpcResult<Option<ExportResult>> {
    let range = DateRange::parse(&from, &to).map_err(IpcError::from)?;
    let name = format!(
        "paydesk-{}-{}-{}.csv",
        serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        range.from,
        range.to
    );
    let Some(path) = state.pick_save("Export as CSV", name, CSV).await? else {
        return Ok(None);
    };
    let (written, rows) = state
        .run(move |e| e.write_export(kind, range, &path))
        .await?;
    Ok(Some(ExportResult {
        path: written.display().to_string(),
        rows,
    }))
}

/// Export one invoice's whole history as JSON where the user chooses.
#[tauri::command]
pub async fn export_invoice_history(
    state: State<'_, AppState>,
    invoice_id: String,
) -> IpcResult<Option<SavedFile>> {
    let number = invoice_number(&state, invoice_id.clone()).await?;
    let Some(path) = state
        .pick_save(
            "Export the invoice history",
            format!("{number}-history.json"),
            JSON,
        )
        .await?
    else {
        return Ok(None);
    };
    state
        .run(move |e| {
            let history = e.invoice_history(&invoice_id)?;
            let bytes = serde_json::to_vec_pretty(&history).map_err(|err| {
                paydesk_core::Error::invalid("history", format!("cannot be written: {err}"))
            })?;
            let written = paydesk_core::document::write_atomically(&path, &bytes)?;
            Ok(SavedFile {
                path: written.display().to_string(),
                bytes: bytes.len() as u64,
            })
        })
        .await
        .map(Some)
}

/// Choose the business logo (PNG or JPEG) printed on invoices; `None` when cancelled.
#[tauri::command]
pub async fn choose_logo(state: State<'_, AppState>) -> IpcResult<Option<String>> {
    let Some(path) = state.pick_open("Choose your logo", IMAGE).await? else {
        return Ok(None);
    };
    state
        .run(move |e| e.set_logo(Some(&path)))
        .await
        .map(|p| p.map(|p| p.display().to_string()))
}

/// Print no logo.
#[tauri::command]
pub async fn clear_logo(state: State<'_, AppState>) -> IpcResult<Option<String>> {
    state.run(|e| e.set_logo(None)).await.map(|_| None)
}

/// The logo's path, if one was chosen.
#[tauri::command]
pub async fn get_logo(state: State<'_, AppState>) -> IpcResult<Option<String>> {
    state
        .run(|e| e.logo_path())
        .await
        .map(|p| p.map(|p: PathBuf| p.display().to_string()))
}
