//! The command line grammar (clap derive): global flags and the top-level commands. Each domain
//! module defines its own subcommands next to the code that runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::exit::EXIT_CODES_HELP;

/// Paydesk: invoices for freelancers, from a terminal.
#[derive(Debug, Parser)]
#[command(
    name = "paydesk",
    version,
    about = "Paydesk: invoices for freelancers, from a terminal.",
    after_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Print machine-readable JSON on stdout (and errors as JSON on stderr).
    #[arg(long, global = true, display_order = 900)]
    pub json: bool,

    /// The data folder [default: $PAYDESK_DATA_DIR, else the platform app-data folder].
    #[arg(long, global = true, display_order = 901, value_name = "PATH", env = paydesk_core::app::DATA_DIR_ENV, hide_env = true)]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, show and edit clients.
    Client(ClientArgs),
    /// Create, list, show, edit, void and duplicate invoices.
    Invoice(InvoiceArgs),
    /// Show or change settings (default currency, numbering, terms, mode).
    Settings(SettingsArgs),
    /// Show or change your business profile.
    Profile(ProfileArgs),
    /// Save, check or remove Request Network credentials in the OS keychain.
    Secret(SecretArgs),
    /// Show the version, mode, data folder and whether the keychain is reachable.
    Info,
    /// List the currencies invoices can use.
    Currencies,
    /// Create, show, re-issue and void payment links of invoices.
    Link(LinkArgs),
    /// List the outbox of link requests, or send them again now.
    Outbox(OutboxArgs),
    /// Send queued links and poll the payment status of open invoices (what the app does in
    /// the background).
    Sync(crate::sync::SyncArgs),
    /// Show an invoice's payment status and the history that explains it.
    Status(crate::sync::StatusArgs),
    /// Run the local Request Network sandbox (API, payer page, webhooks) on 127.0.0.1.
    Sandbox(SandboxArgs),
    /// Receive Request Network webhooks: settings, status, the receiver and a test event.
    Webhook(WebhookArgs),
    /// Add, list, show and edit contractors (who you pay, and their pinned payout address).
    Contractor(ContractorArgs),
    /// Draft, review, approve, open, batch and cancel payouts to contractors.
    Payout(PayoutArgs),
    /// Encrypted backups of the books, and the automatic daily copies.
    Backup(BackupArgs),
    /// Export invoices, payments or payouts as CSV, or an invoice's history as JSON.
    Export(ExportArgs),
}

/// `paydesk export ...`
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: crate::export::ExportCommand,
}

/// `paydesk backup ...`
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: crate::backup::BackupCommand,
}

/// `paydesk contractor ...`
#[derive(Debug, Args)]
pub struct ContractorArgs {
    #[command(subcommand)]
    pub command: crate::payouts::ContractorCommand,
}

/// `paydesk payout ...`
#[derive(Debug, Args)]
pub struct PayoutArgs {
    #[command(subcommand)]
    pub command: crate::payouts::PayoutCommand,
}

/// `paydesk webhook ...`
#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    pub command: crate::webhook::WebhookCommand,
}

/// `paydesk sandbox [--port N] [--rate-limit N] [--state-file PATH]`
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The loopback port (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Requests per second allowed per credential before 429 (0 turns the limit off).
    #[arg(long, default_value_t = 5)]
    pub rate_limit: u32,
    /// Keep the sandbox state (links, payments, webhooks, its test credentials) in this JSON
    /// file across runs; one sandbox at a time may use it. In memory only when absent.
    #[arg(long, value_name = "PATH")]
    pub state_file: Option<std::path::PathBuf>,
}

/// `paydesk link ...`
#[derive(Debug, Args)]
pub struct LinkArgs {
    #[command(subcommand)]
    pub command: crate::links::LinkCommand,
}

/// `paydesk outbox ...`
#[derive(Debug, Args)]
pub struct OutboxArgs {
    #[command(subcommand)]
    pub command: crate::outbox::OutboxCommand,
}

/// `paydesk client ...`
#[derive(Debug, Args)]
pub struct ClientArgs {
    #[command(subcommand)]
    pub command: crate::clients::ClientCommand,
}

/// `paydesk invoice ...`
#[derive(Debug, Args)]
pub struct InvoiceArgs {
    #[command(subcommand)]
    pub command: crate::invoices::InvoiceCommand,
}

/// `paydesk settings [...]`
#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(subcommand)]
    pub command: Option<crate::settings::SettingsCommand>,
}

/// `paydesk profile [...]`
#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub command: Option<crate::settings::ProfileCommand>,
}

/// `paydesk secret ...`
#[derive(Debug, Args)]
pub struct SecretArgs {
    #[command(subcommand)]
    pub command: crate::secrets::SecretCommand,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }
}
