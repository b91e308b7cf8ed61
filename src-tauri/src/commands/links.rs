//! Payment-link commands: payment settings, create / void / re-issue a link, its state and QR.
//!
//! `request_link` and `reissue_link` only record the intent (durably, in the outbox) and start a
//! sender pass in the background; the UI polls `get_link_state` while the link is queued.
//! Credentials stay in the shell: nothing here returns one.

use paydesk_core::{
    Error, LinkOptions, LinkPhase, LinkStatus, Mode, OutboxItem, Paydesk, PaymentLink,
    PaymentSettings,
};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// A link as the UI shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkInfo {
    pub url: String,
    pub token: String,
    pub created_at: String,
    pub expires_at: String,
    /// `live`, `expired`, `void` or `superseded`.
    pub status: LinkStatus,
    pub amount: String,
    pub currency: String,
    pub redirect_url: Option<String>,
    pub redirect_label: Option<String>,
}

impl From<&PaymentLink> for LinkInfo {
    /// The store already shows a live link past its expiry as expired.
    fn from(l: &PaymentLink) -> Self {
        LinkInfo {
            url: l.secure_payment_url.clone(),
            token: l.token.clone(),
            created_at: l.created_at.clone(),
            expires_at: l.expires_at.clone(),
            status: l.status,
            amount: l.amount.clone(),
            currency: l.currency.clone(),
            redirect_url: l.redirect_url.clone(),
            redirect_label: l.redirect_label.clone(),
        }
    }
}

/// A link request waiting in the outbox.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingLink {
    pub last_error: Option<String>,
    pub next_attempt_at: String,
    pub attempts: u32,
}

/// An invoice's payment link as the editor shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkState {
    pub invoice_id: String,
    /// `none`, `queued` (waiting to be sent), `live`, `expired` or `failed` (refused for good).
    pub state: LinkPhase,
    /// The live (or expired) link.
    pub link: Option<LinkInfo>,
    /// The queued request.
    pub pending: Option<PendingLink>,
    /// Why the request is queued or failed.
    pub message: Option<String>,
    /// Every link the invoice had, oldest first.
    pub history: Vec<LinkInfo>,
    /// A live (even if past its expiry, until the API or the user ends it) or queued link locks
    /// the invoice: its amounts cannot be edited until the link is voided.
    pub locked: bool,
}

fn link_state(e: &mut Paydesk, invoice_id: &str) -> paydesk_core::Result<LinkState> {
    let o = e.link_overview(invoice_id)?;
    Ok(LinkState {
        invoice_id: invoice_id.to_string(),
        state: o.phase,
        link: o.current.as_ref().map(LinkInfo::from),
        pending: o.pending.map(|p| PendingLink {
            last_error: p.last_error,
            next_attempt_at: p.next_attempt_at,
            attempts: p.attempts,
        }),
        message: o.message,
        history: o.history.iter().map(LinkInfo::from).collect(),
        locked: o.locked,
    })
}

/// Live mode sends with the keychain's credential: refuse before queueing when there is none.
fn check_can_send(e: &Paydesk) -> paydesk_core::Result<()> {
    if e.mode() == Mode::Live {
        e.request_gateway(None)?;
    }
    Ok(())
}

/// Where links pay to and the redirect defaults.
#[tauri::command]
pub async fn get_payment_settings(state: State<'_, AppState>) -> IpcResult<PaymentSettings> {
    state.run(|e| e.payment_settings()).await
}

/// Validate and save the payment settings.
#[tauri::command]
pub async fn update_payment_settings(
    state: State<'_, AppState>,
    input: PaymentSettings,
) -> IpcResult<PaymentSettings> {
    state.run(move |e| e.set_payment_settings(&input)).await
}

/// The engine action behind "create link" and "reissue link".
type QueueLink = fn(&mut Paydesk, &str, &LinkOptions) -> paydesk_core::Result<OutboxItem>;

/// Queue a link with `action`, answer with the invoice's link state, and wake the sender.
async fn queue_link(
    state: State<'_, AppState>,
    invoice_id: String,
    options: LinkOptions,
    action: QueueLink,
) -> IpcResult<LinkState> {
    let result = state
        .run(move |e| {
            check_can_send(e)?;
            action(e, &invoice_id, &options)?;
            link_state(e, &invoice_id)
        })
        .await?;
    state.kick_sender();
    Ok(result)
}

/// Queue a payment link for an invoice (its amounts lock) and send it in the background.
#[tauri::command]
pub async fn request_link(
    state: State<'_, AppState>,
    invoice_id: String,
    redirect_url: Option<String>,
    redirect_label: Option<String>,
) -> IpcResult<LinkState> {
    let options = LinkOptions {
        redirect_url,
        redirect_label,
    };
    queue_link(state, invoice_id, options, Paydesk::request_link).await
}

/// Replace an expired link with a fresh one (the old one stays in the history).
#[tauri::command]
pub async fn reissue_link(
    state: State<'_, AppState>,
    invoice_id: String,
    redirect_url: Option<String>,
    redirect_label: Option<String>,
) -> IpcResult<LinkState> {
    let options = LinkOptions {
        redirect_url,
        redirect_label,
    };
    queue_link(state, invoice_id, options, Paydesk::reissue_link).await
}

/// Void the invoice's live or queued link; its amounts can be edited again.
#[tauri::command]
pub async fn void_link(state: State<'_, AppState>, invoice_id: String) -> IpcResult<LinkState> {
    state
        .run(move |e| {
            e.void_link(&invoice_id)?;
            link_state(e, &invoice_id)
        })
        .await
}

/// The invoice's live link or queued request, and its link history.
#[tauri::command]
pub async fn get_link_state(
    state: State<'_, AppState>,
    invoice_id: String,
) -> IpcResult<LinkState> {
    state.run(move |e| link_state(e, &invoice_id)).await
}

/// The SVG markup of the QR code of the invoice's live link.
#[tauri::command]
pub async fn link_qr_svg(state: State<'_, AppState>, invoice_id: String) -> IpcResult<String> {
    state
        .run(move |e| {
            let s = link_state(e, &invoice_id)?;
            match s.link {
                Some(l) if s.state == LinkPhase::Live => paydesk_core::qr::svg(&l.url),
                _ => Err(Error::conflict(
                    None,
                    "the invoice has no live payment link".to_string(),
                )),
            }
        })
        .await
}

/// Open the invoice's live link outside the app: `target` `browser` opens the payer page in the
/// default browser, `email` a mail draft to the client (number, amount, due date, link). The URL
/// comes from the database and is checked ([`paydesk_core::openable_url`]): never a URL the
/// webview supplies. Answers with what was opened.
#[tauri::command]
pub async fn open_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    invoice_id: String,
    target: String,
) -> IpcResult<String> {
    let email = match target.as_str() {
        "browser" => false,
        "email" => true,
        _ => return Err(Error::invalid("target", "must be browser or email").into()),
    };
    // Just shared: the payer may pay any minute, so it is polled often for a while.
    let share = state
        .run(move |e| {
            let share = e.link_share(&invoice_id)?;
            e.watch_invoice(&invoice_id)?;
            Ok(share)
        })
        .await?;
    let url = if email { share.mailto } else { share.url };
    app.opener()
        .open_url(url.clone(), None::<&str>)
        .map_err(|e| {
            let what = if email { "mail program" } else { "browser" };
            IpcError::internal(format!(
                "could not start the default {what} ({e}); copy the link instead"
            ))
        })?;
    Ok(url)
}
