//! Signed webhook deliveries from the Request API (CONTRACT section 9).
//!
//! - [`mod@verify`]: the signature check over the raw body, in constant time. Nothing else may look
//!   at a body before it passes.
//! - [`event`]: a verified body parsed into a typed [`event::WebhookEvent`] (amounts stay strings).
//! - [`receiver`]: the loopback HTTP endpoint: body limit, verify, parse, record the delivery once
//!   and apply it ([`crate::store::Store::apply_delivery`]), answer fast, and hand each payment
//!   event's link to the poller (the webhook is a hint, polling is the truth).
//! - [`service`]: the receiver, the tunnel and the registration with Request run together, and
//!   the state the Webhooks panel shows.

pub mod event;
pub mod receiver;
pub mod service;
pub mod verify;

pub use event::{EventError, Settlement, WebhookEvent};
pub use receiver::{DeliveryRecord, ReceiverHandle, WebhookReceiver};
pub use service::{WebhookService, WebhookSetup, WebhookStatus};
pub use verify::{sign, verify, SignatureError};
