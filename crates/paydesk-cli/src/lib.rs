//! # paydesk-cli
//!
//! The `paydesk` command: every capability of [`paydesk_core`] from a terminal. Each command is
//! one call on the [`paydesk_core::Paydesk`] facade (one transaction), printed as a human table
//! or, with `--json`, as the same camelCase JSON the desktop app sends over IPC.
//!
//! The binary is a thin wrapper: `main` builds an [`Io`] from the real process (stdin, stdout,
//! stderr, the OS keychain) and exits with what [`run`] returns. Tests call [`run`] in-process
//! with buffers and a [`paydesk_core::secrets::MemoryStore`].
//!
//! ```
//! use std::sync::Arc;
//! use paydesk_cli::{run, Io};
//! use paydesk_core::secrets::MemoryStore;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let (mut stdin, mut stdout, mut stderr) = (&b""[..], Vec::new(), Vec::new());
//! let mut io = Io {
//!     stdin: &mut stdin,
//!     stdout: &mut stdout,
//!     stderr: &mut stderr,
//!     stdin_is_terminal: false,
//!     secrets: Arc::new(MemoryStore::new()),
//! };
//! let data_dir = dir.path().as_os_str().to_owned();
//! let args = ["paydesk".into(), "--data-dir".into(), data_dir, "client".into(), "list".into()];
//! assert_eq!(run(args, &mut io), 0);
//! ```
//!
//! ## Commands
//!
//! - `client add|list|show|edit` ([`clients`])
//! - `invoice create|list|show|edit|void|duplicate` ([`invoices`]; create/edit flags in
//!   [`invoice_form`])
//! - `settings [show|set|mode|payment|payout]`, `profile [show|set]` ([`settings`]; `payment` in
//!   [`links`])
//! - `link create|show|reissue|void` ([`links`]), `outbox list|retry` ([`outbox`]): payment
//!   links, sent in Test mode to the data folder's own sandbox (`<data_dir>/sandbox`, port
//!   47615 or `$PAYDESK_SANDBOX_PORT`), in live mode to the Request API
//! - `secret set|status|delete` ([`secrets`]): values come from stdin only, output is masked
//! - `info`, `currencies` ([`info`])
//! - `webhook config|status|serve|test` ([`webhook`]): the webhook settings, the registration
//!   with Request, the receiver + tunnel in the foreground, and test deliveries
//! - `contractor add|list|show|edit`, `payout draft|list|show|review|approve|cancel|open|batch|qr`
//!   and `settings payout` ([`payouts`]): paying contractors through payout links signed with
//!   your own wallet; `outbox send|retry` and `sync` send approved payouts too
//! - `backup create|inspect|restore|auto|list|restore-auto` ([`backup`]): passphrase-encrypted
//!   backups (passphrase at a hidden prompt or on stdin), and the automatic daily copies
//!
//! ## Exit codes
//!
//! See [`exit`]: 0 ok, 1 anything else, 2 usage, 3 invalid input, 4 not found, 5 conflict,
//! 6 keychain unavailable, 7 storage. An error is printed once, as one line on stderr
//! (`error: <message>`), or with `--json` as `{"code","message","field"}` on stderr.

pub mod backup;
pub mod cli;
pub mod clients;
mod context;
pub mod exit;
pub mod export;
pub mod info;
mod input;
pub mod invoice_form;
pub mod invoices;
pub mod links;
pub mod outbox;
mod output;
pub mod payouts;
mod sandbox;
mod secrets;
pub mod settings;
mod sync;
pub mod webhook;

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::sync::Arc;

use clap::Parser;
use paydesk_core::secrets::SecretStore;

use crate::cli::{Cli, Command};
use crate::context::Ctx;

/// Everything a run of `paydesk` touches outside the data folder, injectable for tests.
pub struct Io<'a> {
    /// Where `secret set` reads the value from (and `-` file arguments).
    pub stdin: &'a mut dyn BufRead,
    /// Results: tables, or JSON with `--json`.
    pub stdout: &'a mut dyn Write,
    /// The one error line.
    pub stderr: &'a mut dyn Write,
    /// Whether stdin is a terminal: `secret set` then prompts without echo instead of reading it.
    pub stdin_is_terminal: bool,
    /// Where credentials live: the OS keychain in the binary, a `MemoryStore` in tests.
    pub secrets: Arc<dyn SecretStore>,
}

/// Run `paydesk` with `args` (the first one is the program name) and return the exit code.
/// Never panics on user input; prints at most one error.
pub fn run<I, T>(args: I, io: &mut Io<'_>) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return exit::report_usage(&e, io),
    };
    let json = cli.json;
    // `backup restore` works on books that cannot be opened, so it needs the folder itself.
    let data_dir = cli.data_dir.clone();
    let mut ctx = Ctx::new(io, json, cli.data_dir);
    let result = match cli.command {
        Command::Client(c) => clients::run(c.command, &mut ctx),
        Command::Invoice(c) => invoices::run(c.command, &mut ctx),
        Command::Settings(c) => settings::run_settings(c.command, &mut ctx),
        Command::Profile(c) => settings::run_profile(c.command, &mut ctx),
        Command::Secret(c) => secrets::run(c.command, &mut ctx),
        Command::Info => info::run_info(&mut ctx),
        Command::Currencies => info::run_currencies(&mut ctx),
        Command::Link(c) => links::run(c.command, &mut ctx),
        Command::Outbox(c) => outbox::run(c.command, &mut ctx),
        Command::Sandbox(a) => sandbox::run(a, &mut ctx),
        Command::Sync(a) => sync::run_sync(a, &mut ctx),
        Command::Status(a) => sync::run_status(a, &mut ctx),
        Command::Webhook(c) => webhook::run(c.command, &mut ctx),
        Command::Contractor(c) => payouts::run_contractor(c.command, &mut ctx),
        Command::Payout(c) => payouts::run_payout(c.command, &mut ctx),
        Command::Backup(c) => backup::run(c.command, data_dir.as_deref(), &mut ctx),
        Command::Export(c) => export::run(c.command, &mut ctx),
    };
    match result {
        Ok(()) => exit::OK,
        Err(failure) => exit::report(&failure, json, ctx.io),
    }
}
