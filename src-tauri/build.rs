//! Build script: checks the UI was built (it is embedded at compile time) and declares the app's
//! commands so capabilities can grant each one by name.

const COMMANDS: &[&str] = &[
    "app_info",
    "list_currencies",
    "get_settings",
    "update_settings",
    "set_mode",
    "get_profile",
    "update_profile",
    "list_clients",
    "get_client",
    "create_client",
    "update_client",
    "list_invoices",
    "get_invoice",
    "create_invoice",
    "update_invoice",
    "void_invoice",
    "duplicate_invoice",
    "compute_totals",
    "secret_status",
    "set_secret",
    "delete_secret",
    "get_payment_settings",
    "update_payment_settings",
    "request_link",
    "reissue_link",
    "void_link",
    "get_link_state",
    "link_qr_svg",
    "open_link",
    "get_payment_status",
    "check_now",
    "get_sync_status",
    "get_dashboard",
    "get_webhook_status",
    "set_webhook_config",
    "send_test_webhook",
    "list_networks",
    "list_contractors",
    "get_contractor",
    "create_contractor",
    "update_contractor",
    "get_payout_settings",
    "update_payout_settings",
    "list_payouts",
    "get_payout",
    "create_payout",
    "update_payout",
    "review_payout",
    "approve_payout",
    "cancel_payout",
    "open_payout_link",
    "payout_qr_svg",
    "batch_payouts",
    "save_invoice_pdf",
    "send_invoice",
    "export_data",
    "export_invoice_history",
    "choose_logo",
    "clear_logo",
    "get_logo",
    "create_backup",
    "restore_backup",
    "list_auto_backups",
    "restore_auto_backup",
    "get_recovery",
    "recover_from_auto_backup",
    "recover_from_backup_file",
];

fn main() {
    let dist = std::path::Path::new("../ui/dist/index.html");
    if !dist.exists() {
        panic!(
            "ui/dist is missing: build the UI first with `npm --prefix ui ci && npm --prefix ui run build` \
             (scripts/run.sh and scripts/test.sh do this for you)"
        );
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}
