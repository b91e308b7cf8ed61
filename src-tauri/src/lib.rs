//! # paydesk-desktop
//!
//! The Tauri 2 shell: it opens the engine ([`paydesk_core::Paydesk`]) as managed state and
//! exposes it to the webview through thin async commands ([`commands`]). It holds no business
//! logic; errors cross as `{code, message, field}` ([`error::IpcError`]).

pub mod commands;
pub mod error;
pub mod files;
pub mod launcher;
pub mod state;
pub mod webhooks;

use state::AppState;

/// Every command the webview may invoke (each granted by name in capabilities/main.json).
#[macro_export]
#[doc(hidden)]
macro_rules! handlers {
    () => {
        tauri::generate_handler![
            $crate::commands::settings::app_info,
            $crate::commands::settings::list_currencies,
            $crate::commands::settings::get_settings,
            $crate::commands::settings::update_settings,
            $crate::commands::settings::set_mode,
            $crate::commands::settings::get_profile,
            $crate::commands::settings::update_profile,
            $crate::commands::clients::list_clients,
            $crate::commands::clients::get_client,
            $crate::commands::clients::create_client,
            $crate::commands::clients::update_client,
            $crate::commands::invoices::list_invoices,
            $crate::commands::invoices::get_invoice,
            $crate::commands::invoices::create_invoice,
            $crate::commands::invoices::update_invoice,
            $crate::commands::invoices::void_invoice,
            $crate::commands::invoices::duplicate_invoice,
            $crate::commands::invoices::compute_totals,
            $crate::commands::secrets::secret_status,
            $crate::commands::secrets::set_secret,
            $crate::commands::secrets::delete_secret,
            $crate::commands::links::get_payment_settings,
            $crate::commands::links::update_payment_settings,
            $crate::commands::links::request_link,
            $crate::commands::links::reissue_link,
            $crate::commands::links::void_link,
            $crate::commands::links::get_link_state,
            $crate::commands::links::link_qr_svg,
            $crate::commands::links::open_link,
            $crate::commands::status::get_payment_status,
            $crate::commands::status::check_now,
            $crate::commands::status::get_sync_status,
            $crate::commands::status::get_dashboard,
            $crate::commands::webhooks::get_webhook_status,
            $crate::commands::webhooks::set_webhook_config,
            $crate::commands::webhooks::send_test_webhook,
            $crate::commands::payouts::list_networks,
            $crate::commands::payouts::list_contractors,
            $crate::commands::payouts::get_contractor,
            $crate::commands::payouts::create_contractor,
            $crate::commands::payouts::update_contractor,
            $crate::commands::payouts::get_payout_settings,
            $crate::commands::payouts::update_payout_settings,
            $crate::commands::payouts::list_payouts,
            $crate::commands::payouts::get_payout,
            $crate::commands::payouts::create_payout,
            $crate::commands::payouts::update_payout,
            $crate::commands::payouts::review_payout,
            $crate::commands::payouts::approve_payout,
            $crate::commands::payouts::cancel_payout,
            $crate::commands::payouts::open_payout_link,
            $crate::commands::payouts::payout_qr_svg,
            $crate::commands::payouts::batch_payouts,
            $crate::commands::documents::save_invoice_pdf,
            $crate::commands::documents::send_invoice,
            $crate::commands::documents::export_data,
            $crate::commands::documents::export_invoice_history,
            $crate::commands::documents::choose_logo,
            $crate::commands::documents::clear_logo,
            $crate::commands::documents::get_logo,
            $crate::commands::backup::create_backup,
            $crate::commands::backup::restore_backup,
            $crate::commands::backup::list_auto_backups,
            $crate::commands::backup::restore_auto_backup,
            $crate::commands::recovery::get_recovery,
            $crate::commands::recovery::recover_from_auto_backup,
            $crate::commands::recovery::recover_from_backup_file,
        ]
    };
}

/// How often the background loop sends due outbox rows and polls due links.
const TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// Tell the UI (events) and the user (a desktop notification for paid and partially paid)
/// what a scheduler tick changed.
fn publish<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    report: &paydesk_core::status::poller::TickReport,
    sync: Option<paydesk_core::status::poller::SyncStatus>,
) {
    use paydesk_core::InvoiceStatus;
    use tauri::Emitter;
    use tauri_plugin_notification::NotificationExt;
    publish_payouts(app, &report.payout_changes);
    for change in &report.changes {
        if let Err(e) = app.emit("payment-status-changed", change) {
            tracing::warn!(error = %e, "cannot emit payment-status-changed");
        }
        let body = match change.status {
            InvoiceStatus::Paid => format!("{} from {} is paid", change.number, change.client_name),
            InvoiceStatus::PartiallyPaid => format!(
                "{} from {}: {} {} paid so far",
                change.number,
                change.client_name,
                change.amount_paid.as_deref().unwrap_or("part"),
                change.currency
            ),
            _ => continue,
        };
        if let Err(e) = app
            .notification()
            .builder()
            .title("Payment received")
            .body(body)
            .show()
        {
            tracing::warn!(error = %e, "cannot show a notification");
        }
    }
    if report.polled > 0 || report.woke {
        if let Some(sync) = sync {
            if let Err(e) = app.emit("sync-status", sync) {
                tracing::warn!(error = %e, "cannot emit sync-status");
            }
        }
    }
}

/// Tell the UI (`payout-changed`) which payouts moved.
fn publish_payouts<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    changes: &[paydesk_core::store::PayoutChange],
) {
    use tauri::Emitter;
    for change in changes {
        if let Err(e) = app.emit("payout-changed", change) {
            tracing::warn!(error = %e, "cannot emit payout-changed");
        }
    }
}

/// Start the desktop app.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PAYDESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let state = AppState::open_default();
    let sender = state.clone();
    let on_exit = state.clone();
    let app = tauri::Builder::default()
        // Opens payment links and mail drafts from Rust only: no opener permission is granted
        // to the webview.
        .plugin(tauri_plugin_opener::init())
        // Starts the tunnel program from Rust only: no shell permission is granted either.
        .plugin(tauri_plugin_shell::init())
        // Save and open dialogs for PDFs, exports, backups and the logo, shown from Rust.
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            // Every second: send due link requests, then poll the links that are due.
            let handle = app.handle().clone();
            let payouts = app.handle().clone();
            sender.set_payout_listener(std::sync::Arc::new(move |changes| {
                publish_payouts(&payouts, changes)
            }));
            sender.spawn_background_loop(TICK, move |report, sync| publish(&handle, report, sync));
            start_webhooks(app.handle(), &sender);
            match files::FolderPicker::from_env() {
                Some(picker) => {
                    tracing::warn!(
                        var = files::E2E_FILES_DIR,
                        "file dialogs replaced by a fixed folder (test runs only)"
                    );
                    sender.set_file_picker(std::sync::Arc::new(picker));
                }
                None => sender.set_file_picker(std::sync::Arc::new(files::DialogPicker(
                    app.handle().clone(),
                ))),
            }
            Ok(())
        })
        .invoke_handler(handlers!())
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "Paydesk could not start");
            std::process::exit(1);
        }
    };
    app.run(move |_, event| {
        if let tauri::RunEvent::Exit = event {
            // Kill the tunnel program and close the receiver before the process ends.
            tauri::async_runtime::block_on(on_exit.stop_webhooks());
        }
    });
}

/// Tunnel programs start through the shell plugin, status changes become `webhook-status`
/// events, and webhooks start now if they are on.
fn start_webhooks<R: tauri::Runtime>(handle: &tauri::AppHandle<R>, state: &AppState) {
    use tauri::Emitter;
    let hub = state.webhooks();
    hub.set_launcher(std::sync::Arc::new(launcher::ShellLauncher::new(
        handle.clone(),
    )));
    let emitter = handle.clone();
    hub.set_emitter(std::sync::Arc::new(move |status| {
        if let Err(e) = emitter.emit("webhook-status", status) {
            tracing::warn!(error = %e, "cannot emit webhook-status");
        }
    }));
    let state = state.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = state.restart_webhooks().await {
            tracing::warn!(error = %e.message, "webhooks did not start");
        }
    });
}
