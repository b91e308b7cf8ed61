//! # paydesk-core
//!
//! The Paydesk engine, with no UI and no Tauri: everything a freelancer's books need, reachable
//! from the desktop shell, the `paydesk` CLI and tests alike.
//!
//! - [`money`]: the currency catalogue, decimal parsing with named rules, and invoice totals
//!   under one documented rounding rule (exact `rust_decimal`, never floats).
//! - [`domain`]: clients, invoices, line items, settings, numbering patterns, and their
//!   validation. Bad input becomes [`Error::Invalid`] naming the field and the rule.
//! - [`store`]: SQLite (WAL, foreign keys, versioned migrations), one transaction per action.
//! - [`secrets`]: the [`secrets::SecretStore`] trait over the OS keychain; values are
//!   [`secrets::Secret`]s that print `<redacted>`.
//! - [`domain::link`] and [`outbox`]: payment links. Asking for a link queues a create-link
//!   intent in the durable outbox (same transaction, amounts locked); [`outbox::Outbox::run_once`]
//!   sends it through a [`outbox::LinkGateway`] (the Request API client, or a fake) and stores
//!   the link, with at most one live link per invoice even across crashes.
//! - [`webhook`]: signed webhook deliveries: constant-time signature check over the raw body,
//!   typed events, and a loopback HTTP receiver that records each delivery once and pokes the
//!   poller (the webhook is a hint, polling is the truth).
//! - Contractors and payouts ([`domain::contractor`], [`domain::payout`], [`payout_sender`]):
//!   a pinned payout address per contractor, drafts, a deliberate approval, one hosted payout
//!   link per approved payout (or a batch), tracked by the same status engine as invoice links.
//! - [`qr`]: QR codes of a link as PNG, SVG and terminal text.
//! - [`tunnel`]: puts the webhook receiver on the internet (cloudflared, ngrok or a manual URL).
//! - [`backup`]: passphrase-encrypted backup files, daily local snapshots with retention, and
//!   the integrity check (with a way back) when a database is opened.
//! - [`Paydesk`]: the facade that ties a data folder, a mode and a secret store together.
//!
//! ```no_run
//! use std::sync::Arc;
//! use paydesk_core::{secrets::KeychainStore, ClientInput, Paydesk};
//!
//! let dir = paydesk_core::app::resolve_data_dir(None)?;
//! let mut app = Paydesk::open(&dir, Arc::new(KeychainStore::new(paydesk_core::app::keychain_service())))?;
//! let client = app.create_client(&ClientInput { name: "Acme Studio".into(), ..Default::default() })?;
//! println!("{} has {} invoices", client.name, client.invoice_count);
//! # Ok::<(), paydesk_core::Error>(())
//! ```

pub mod app;
pub mod backup;
pub mod clock;
pub mod document;
pub mod domain;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod money;
pub mod outbox;
pub mod payout_sender;
pub mod qr;
pub mod secrets;
pub mod sent_documents;
pub mod status;
pub mod store;
pub mod tunnel;
pub mod webhook;

pub use app::{AppInfo, KeychainState, Paydesk, SecretStatus};
pub use domain::*;
pub use error::{Error, ErrorCode, Result};
