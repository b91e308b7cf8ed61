//! The sandbox's memory: secure payment links, their requests, registered webhooks, and the
//! status each link shows (derived from its flags, its payments and the clock).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::networks::{Currency, Destination, Network};

/// What kind of link a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkKind {
    /// `POST /v2/secure-payments`: someone pays us.
    Incoming,
    /// `POST /v2/secure-payments/payouts`: we pay someone.
    Payout,
    /// `POST /v2/secure-payments/batch-payouts`: several payouts combined.
    BatchPayout,
}

/// Who created a link, for webhook identity fields and the `.client_id` variants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Creator {
    /// Set when the link was created with `x-client-id`.
    pub client_id: Option<String>,
    /// The `Origin` header sent with that call, if any.
    pub origin: Option<String>,
}

/// Display and policy options shared by every create route.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LinkOptions {
    pub reference: Option<String>,
    pub payer_identifier: Option<String>,
    pub recipient_identifier: Option<String>,
    pub redirect_url: Option<String>,
    pub redirect_label: Option<String>,
    pub access_policy: Option<Value>,
}

/// A Safe multisig payment in flight: `GET /:token` answers 423 while it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Processing {
    pub safe_tx_hash: String,
    pub deadline_unix: i64,
}

/// One secure payment link.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub token: String,
    pub kind: LinkKind,
    pub request_ids: Vec<String>,
    pub network: &'static Network,
    pub options: LinkOptions,
    pub creator: Creator,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub processing: Option<Processing>,
    pub forced_expired: bool,
    pub invalidated: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub payer_address: Option<String>,
}

/// One on-chain payment observed for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    /// Human-readable amount of this payment.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// `0x` + 64 hex.
    pub tx_hash: String,
    /// When it was observed.
    pub at: DateTime<Utc>,
}

/// One Request Network request (one `requestIds[]` entry).
#[derive(Debug, Clone)]
pub(crate) struct RequestItem {
    pub request_id: String,
    /// The link that currently owns this request (a batch payout takes over its children's).
    pub token: String,
    pub payment_reference: String,
    pub amount: Decimal,
    pub currency: Currency,
    /// The payee wallet (recipient for payouts).
    pub payee: String,
    /// The resolved destination; `None` for payouts made from raw recipient details.
    pub destination: Option<Destination>,
    pub payments: Vec<PaymentRecord>,
    /// The sub-status of the last failed attempt, if the last attempt failed.
    pub last_failure: Option<String>,
}

impl RequestItem {
    pub(crate) fn paid(&self) -> Decimal {
        self.payments.iter().map(|p| p.amount).sum()
    }

    pub(crate) fn remaining(&self) -> Decimal {
        (self.amount - self.paid()).max(Decimal::ZERO)
    }

    pub(crate) fn has_been_paid(&self) -> bool {
        self.paid() >= self.amount
    }

    pub(crate) fn tx_hash(&self) -> Option<&str> {
        self.payments.last().map(|p| p.tx_hash.as_str())
    }

    /// The per-request state the control API reports.
    pub(crate) fn state(&self) -> RequestState {
        if self.has_been_paid() {
            RequestState::Paid
        } else if self.last_failure.is_some() {
            RequestState::Failed
        } else if self.paid() > Decimal::ZERO {
            RequestState::PartiallyPaid
        } else {
            RequestState::Pending
        }
    }
}

/// Payment state of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Nothing paid yet.
    Pending,
    /// Some paid, some left; the link stays payable.
    PartiallyPaid,
    /// Fully paid; has a transaction hash.
    Paid,
    /// The last attempt failed; the link stays payable.
    Failed,
}

/// What `GET /v2/secure-payments/:token` sees for a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Payable: 200.
    Pending,
    /// A multisig payment is in flight: 423.
    Processing,
    /// Every request paid: 409 with `txHash` per request.
    Completed,
    /// Seven days passed (or expired by the control API): 403.
    Expired,
    /// Folded into a batch payout: 403.
    Invalidated,
}

impl LinkState {
    /// The `status` string of the API (`processing` shows as `pending`).
    pub(crate) fn api_status(self) -> &'static str {
        match self {
            LinkState::Pending | LinkState::Processing => "pending",
            LinkState::Completed => "completed",
            LinkState::Expired => "expired",
            LinkState::Invalidated => "invalidated",
        }
    }
}

/// A webhook endpoint registered through `POST /v1/webhook`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Webhook {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    /// The owning client id; `None` for a platform-level webhook made with a session.
    pub client_id: Option<String>,
}

/// Everything the sandbox remembers.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub links: HashMap<String, Link>,
    pub requests: HashMap<String, RequestItem>,
    pub webhooks: Vec<Webhook>,
}

impl Store {
    pub(crate) fn insert_link(&mut self, link: Link, items: Vec<RequestItem>) {
        for item in items {
            self.requests.insert(item.request_id.clone(), item);
        }
        self.links.insert(link.token.clone(), link);
    }

    /// The derived state of a link at `now`.
    pub(crate) fn link_state(&self, link: &Link, now: DateTime<Utc>) -> LinkState {
        if link.invalidated {
            LinkState::Invalidated
        } else if self.items(link).all(|r| r.has_been_paid()) {
            LinkState::Completed
        } else if link.processing.is_some() {
            LinkState::Processing
        } else if link.forced_expired || now >= link.expires_at {
            LinkState::Expired
        } else {
            LinkState::Pending
        }
    }

    /// The request items of a link, in `requestIds` order.
    pub(crate) fn items<'a>(
        &'a self,
        link: &'a Link,
    ) -> impl Iterator<Item = &'a RequestItem> + 'a {
        link.request_ids
            .iter()
            .filter_map(|id| self.requests.get(id))
    }

    /// The link that currently owns a request id.
    pub(crate) fn link_for_request(&self, request_id: &str) -> Option<&Link> {
        self.requests
            .get(request_id)
            .and_then(|r| self.links.get(&r.token))
    }
}
