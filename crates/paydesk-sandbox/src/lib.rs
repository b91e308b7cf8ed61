//! # paydesk-sandbox
//!
//! A faithful local emulator of the Request Network API (CONTRACT.md in `shared/request-api`),
//! so Paydesk's Test mode, its tests and its benchmarks run without the real service. One
//! axum server on `127.0.0.1` serves, at one base URL (use it as both the API and the Auth
//! base URL):
//!
//! - the **Request API**: `POST /v2/secure-payments` (current `requests[]` body and the legacy
//!   `payee`/`invoiceCurrency`/`paymentCurrency` items), `POST /v2/secure-payments/payouts`,
//!   `POST /v2/secure-payments/batch-payouts`, `GET /v2/secure-payments/{token}`
//!   (200 pending, 423 processing, 409 completed with a txHash per request, 403 expired or
//!   invalidated, 404 unknown), `GET /v2/secure-payments?requestId=` (session only) and
//!   `GET /v2/request/{requestId}`;
//! - the **Auth API** webhook routes: `POST /v1/webhook` (`{id, secret}`, the secret shown
//!   once), `GET /v1/webhook`, `PUT /v1/webhook/{id}` (toggle), `DELETE /v1/webhook/{id}`,
//!   `POST /v1/webhook/test`;
//! - the **payer page** at each `securePaymentUrl` = `{base}/?token=<token>`: amount, state,
//!   buttons to pay in full, pay part, fail or hold as processing (plain HTML forms), and the
//!   redirect button after payment ("Go Back and Close" unless `redirectLabel` says otherwise);
//! - the **control API** under `/__sandbox/`: `payments[/{token}]`,
//!   `payments/{token}/{pay,pay-part,fail,processing,expire}`,
//!   `requests/{requestId}/{pay,pay-part,fail}`, `clock` and `clock/advance {seconds}`,
//!   `faults` (GET/PUT), `rate-limit` (GET/PUT `{perSecond}`), `deliveries`, `reset`, `info`.
//!   [`SandboxControl`] offers the same in process.
//!
//! Credentials are generated (`rn_sandbox_...`, `cli_sandbox_...`) unless configured. Tokens
//! are ULIDs, request ids `01` + 64 hex; links expire 7 days after creation on an injectable
//! [`SandboxClock`] ([`ManualClock`] in tests). Callers are rate limited per credential and
//! IP (5/s by default, 0 lifts it; 429 with `Retry-After`). Webhooks are compact JSON signed
//! with hex HMAC-SHA256 of the exact bytes (key: the secret's UTF-8 bytes), sent with
//! `x-request-network-signature`, `-delivery` (a ULID, the same on every retry of one event to
//! one endpoint), `-retry-count` and, on test sends, `-test: true`; retried after 1 s, 5 s and
//! 15 s with a 5 s timeout (configurable). [`Faults`] adds latency, 5xx answers, lost
//! responses, and dropped, duplicated or reordered webhooks.
//!
//! State lives in memory unless [`SandboxConfig::state_file`] names a JSON file: then links,
//! payments, webhooks (with their secrets) and the generated credentials survive restarts,
//! every change is written atomically, and a lock keeps a second sandbox (the desktop app's
//! Test mode and `paydesk sandbox`, say) off the same file while one runs. The file holds
//! sandbox-only test credentials, never real secrets; webhook deliveries in flight, faults and
//! clock advances are not kept. See [`SandboxError::StateCorrupt`], [`SandboxError::StateTooNew`]
//! and [`SandboxError::StateInUse`] for what refuses to start.
//!
//! ## Readings chosen where the contract is open
//!
//! - Error bodies are NestJS `{statusCode, message, error}`. Body validation answers 400
//!   `{statusCode, message: "Validation failed", error, errors: [{field, message}]}`; when a
//!   rule the contract words exactly is broken (redirect rules), `message` is that text and it
//!   is also in `errors[]`. The Auth API answers zod issues (`message: [{code, path, message}]`).
//!   429 is `{"statusCode":429,"message":"Too Many Requests"}`; there is no 5-minute block.
//! - `amount` in `GET /:token` follows the OpenAPI examples: base units for single payments,
//!   human units in batches ([`AmountUnits`] switches to human everywhere).
//! - A partial payment keeps the link `pending` (200) until the total is reached; a failed
//!   attempt (`payment.failed`) leaves it payable; processing (423) wins over expiry, and a
//!   completed link answers 409 forever (it never turns expired).
//! - Each payment observation is sent as separate deliveries: the base event, then
//!   `.client_id` (links created with `x-client-id`; base and variant carry `clientId` and
//!   `origin`), then `.checkout` (every link); `payment.failed` has no variants. One event per
//!   request id in a batch. Every active webhook of the (single) platform receives them.
//! - `GET /:token` accepts `x-api-key` as well as `x-client-id`. The client id is a backend one
//!   (no Origin check) unless `allowed_domains` is set; then a missing Origin is 401
//!   `Origin header is required` and a foreign one 403.
//! - The legacy body is accepted and mapped to a synthetic destination (stable 8-hex checksum).
//! - String lengths (`reference`, `redirectLabel`, ...) count UTF-16 code units, as zod
//!   (JavaScript's `String.length`) does. `redirectUrl` also refuses U+FEFF (whitespace to
//!   JavaScript) and control characters: the same rule, word for word, as `paydesk-request`'s
//!   `validation`, whose amount messages the sandbox uses too.
//! - Webhooks go only to loopback addresses unless `allow_remote_webhooks` is set.
//! - Toggle and delete answer `{id, url, isActive, createdAt}`; a test send answers 201
//!   `{sent, failed}` once every first attempt is done, and 404 `No active webhooks found`.
//!
//! [`TestModeSandbox`] runs (or joins) the one sandbox of a Paydesk data folder for Test mode.
//!
//! ```no_run
//! use paydesk_sandbox::{Sandbox, SandboxConfig};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let created: serde_json::Value = reqwest::Client::new()
//!     .post(sandbox.base_url().join("v2/secure-payments")?)
//!     .header("x-api-key", sandbox.api_key())
//!     .json(&serde_json::json!({ "requests": [{ "amount": "10.50" }] }))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! let token = created["token"].as_str().unwrap_or_default();
//! sandbox.control().pay(token)?; // GET /v2/secure-payments/{token} now answers 409
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod amount;
mod auth;
mod clock;
mod config;
mod control;
mod errors;
mod faults;
mod host;
mod ids;
pub mod messages;
mod networks;
mod payer_page;
mod persist;
mod rate_limit;
mod routes;
mod server;
mod state;
mod transitions;
mod validation;
mod views;
mod webhooks;

pub use clock::{ManualClock, SandboxClock, SystemClock};
pub use config::{AmountUnits, SandboxConfig};
pub use control::{ControlError, PaymentSnapshot, RequestSnapshot, SandboxControl};
pub use errors::SandboxError;
pub use faults::Faults;
pub use host::{configured_port, Endpoint, TestModeSandbox, DEFAULT_PORT, PORT_ENV};
pub use networks::DEFAULT_DESTINATION_ID;
pub use server::{
    serve_forever, serve_forever_blocking, serve_until_ctrl_c, Sandbox, SandboxHandle, SandboxInfo,
};
pub use state::{LinkState, PaymentRecord, RequestState};
pub use webhooks::log::{AttemptRecord, DeliveryRecord, DeliveryStatus};
