//! The real `paydesk` binary, run as a process. Each test gets its own data folder
//! (`PAYDESK_DATA_DIR`) and its own keychain namespace (`PAYDESK_KEYCHAIN_SERVICE`), and checks
//! exit codes, the JSON on stdout and the one error line on stderr.
//!
//! Commands are written as a person types them: `b.ok("client add --name 'Acme Studio'")`.
//! Topic modules live in `tests/cli/` (a crate root's `mod` paths need `#[path]` to reach them).

#[path = "cli/util.rs"]
mod util;

#[path = "cli/backup.rs"]
mod backup;
#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/clients.rs"]
mod clients;
#[path = "cli/crash.rs"]
mod crash;
#[path = "cli/disk_full.rs"]
mod disk_full;
#[path = "cli/export.rs"]
mod export;
#[path = "cli/invoices.rs"]
mod invoices;
#[path = "cli/links.rs"]
mod links;
#[path = "cli/payouts.rs"]
mod payouts;
#[path = "cli/sandbox.rs"]
mod sandbox;
#[path = "cli/secrets.rs"]
mod secrets;
#[path = "cli/settings.rs"]
mod settings;
#[path = "cli/webhook.rs"]
mod webhook;
