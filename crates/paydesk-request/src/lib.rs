//! # paydesk-request: typed client for the Request Network API
//!
//! This crate speaks HTTP and JSON to the Request API (v2 Secure Payments) and to the Auth API
//! (webhook registration), following `shared/request-api/CONTRACT.md`. It knows nothing of
//! invoices: the engine (`paydesk-core`) decides what to create and what an answer means for the
//! books.
//!
//! ## What it offers
//!
//! - [`RequestClient`], built from a [`ClientConfig`] ([`ClientConfig::production`],
//!   [`ClientConfig::staging`], or [`ClientConfig::custom`] for the local emulator, whose one base
//!   URL serves both APIs) with [`Credentials`]: `x-api-key`, or `x-client-id` plus an optional
//!   `Origin`. Secrets are [`ApiSecret`]s: they print as `<redacted>`.
//! - Links: [`RequestClient::create_secure_payment`] (current or legacy body shape),
//!   [`RequestClient::create_payout`], [`RequestClient::create_batch_payout`], all answering a
//!   [`CreatedSecurePayment`] (`requestIds`, `securePaymentUrl`, `token`, `feePlan`).
//! - Status: [`RequestClient::secure_payment_status`] maps `GET /v2/secure-payments/:token` to a
//!   [`SecurePaymentStatus`]: `Open` (200), `Processing` (423), `Completed` with per-request
//!   `txHash` (409), `NotPayable` (403), `Unknown` (404).
//! - Webhooks: [`RequestClient::create_webhook`], [`RequestClient::list_webhooks`],
//!   [`RequestClient::set_webhook_active`], [`RequestClient::delete_webhook`],
//!   [`RequestClient::send_test_webhook`].
//! - [`validation`]: the API's input rules as pure functions with the API's messages, for form
//!   input; every call runs them before sending, so a broken rule never reaches the network.
//! - [`Error`], with a stable [`Error::code`]. 429 is [`Error::RateLimited`] with the parsed
//!   `Retry-After`. No error, value `Debug` or log line contains a credential: server text is
//!   scrubbed of it, auth headers are marked sensitive and never logged, bodies are never logged.
//!
//! ## Behaviour on the wire
//!
//! Every call has the configured timeout (default 15 s), from connect to the last body byte.
//! POST, PUT and DELETE are never retried here (the app's outbox owns retries and idempotency);
//! GETs are retried once after a network error. Redirects are not followed, so a credential
//! never travels to another host. Amounts are [`rust_decimal::Decimal`] and travel as strings.
//!
//! ## Example
//!
//! ```no_run
//! use paydesk_request::{
//!     ClientConfig, CreateSecurePayment, Credentials, PaymentItem, RequestClient,
//!     SecurePaymentStatus,
//! };
//! use rust_decimal::Decimal;
//!
//! # async fn run() -> Result<(), paydesk_request::Error> {
//! let client = RequestClient::new(ClientConfig::production(Credentials::client_id(
//!     "cli_nz1bj41szV2fvjm9pbxdIhro3ld4x4",
//!     None,
//! )))?;
//!
//! let mut link = CreateSecurePayment::current(vec![PaymentItem::new(Decimal::new(1050, 2))]);
//! link.reference = Some("INV-2026-042".into());
//! link.redirect_url = Some("https://paydesk.example/thanks".into());
//! let created = client.create_secure_payment(&link).await?;
//! println!("share {}", created.secure_payment_url);
//!
//! match client.secure_payment_status(&created.token).await? {
//!     SecurePaymentStatus::Completed { requests } => {
//!         for r in requests {
//!             println!("{} paid in {:?}", r.request_id, r.tx_hash);
//!         }
//!     }
//!     other => println!("not paid yet: {other:?}"),
//! }
//! # Ok(())
//! # }
//! ```

mod client;
mod config;
mod credentials;
mod envelope;
mod error;
mod fee_plan;
mod http;
mod payouts;
mod request_status;
mod retry_after;
mod secure_payments;
mod status;
pub mod validation;
mod webhooks;

pub use client::RequestClient;
pub use config::{
    ClientConfig, AUTH_API_BASE, DEFAULT_TIMEOUT, PRODUCTION_API_BASE, STAGING_API_BASE,
};
pub use credentials::{ApiSecret, Credentials};
pub use error::{ApiIssue, Error};
pub use fee_plan::{Fee, FeeDestination, FeePlan};
pub use payouts::{CreateBatchPayout, CreatePayout};
pub use request_status::RequestPayment;
pub use secure_payments::{
    CreateSecurePayment, CreatedSecurePayment, LegacyItem, PaymentItem, SecurePaymentRequests,
};
pub use status::{
    Destination, PaymentLine, PaymentType, RequestStatus, SecurePaymentDetails, SecurePaymentStatus,
};
pub use validation::ValidationError;
pub use webhooks::{CreatedWebhook, Webhook};
