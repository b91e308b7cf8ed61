//! Paid status, offline-first: what the API says about each link, the rule that moves a link's
//! state forward only, and the views built on it.
//!
//! - [`rules`]: the forward-only rule (a stale or late answer never turns paid back into open).
//! - [`schedule`]: when each link is polled next (adaptive intervals, stop at expiry).
//! - [`limiter`]: the one rate limiter every API call of the process goes through.
//! - [`poller`]: the scheduler tick: due links, bounded concurrency, offline detection.
//!
//! Each answer is appended to `link_events` in the same transaction that updates the link and
//! its invoice ([`crate::store::Store::apply_observation`]).

pub mod limiter;
pub mod poller;
pub mod rules;
pub mod schedule;

use serde::Serialize;

use crate::domain::InvoiceStatus;

/// Where a link is on its way to being paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayState {
    /// No link (the invoice was never sent as a link).
    None,
    /// Payable, nothing seen paid.
    Open,
    /// A Safe multisig payment is in flight (423).
    Processing,
    /// Some of it paid.
    PartiallyPaid,
    /// Fully paid (409 completed).
    Paid,
    /// Past its expiry or not payable (403) and not paid: re-issue it.
    Expired,
}

impl PayState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PayState::None => "none",
            PayState::Open => "open",
            PayState::Processing => "processing",
            PayState::PartiallyPaid => "partially_paid",
            PayState::Paid => "paid",
            PayState::Expired => "expired",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<PayState> {
        Some(match s {
            "none" => PayState::None,
            "open" => PayState::Open,
            "processing" => PayState::Processing,
            "partially_paid" => PayState::PartiallyPaid,
            "paid" => PayState::Paid,
            "expired" => PayState::Expired,
            _ => return None,
        })
    }
}

/// Who told us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The scheduler's poll.
    Poll,
    /// The user's "check now".
    Check,
    /// A verified webhook delivery.
    Webhook,
    /// The app itself (e.g. the expiry time passed).
    System,
}

impl Source {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Poll => "poll",
            Source::Check => "check",
            Source::Webhook => "webhook",
            Source::System => "system",
        }
    }
}

/// One answer about a link, reduced to what the status needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// 200: payable. `paid`/`left` when the request status told a partial payment.
    Open {
        paid: Option<String>,
        left: Option<String>,
    },
    /// 423: a Safe payment in flight.
    Processing,
    /// 409: completed.
    Paid { tx_hash: Option<String> },
    /// 403: expired or not payable.
    NotPayable { message: String },
    /// 404: the API does not know the token.
    Unknown,
}

impl Observation {
    /// The stored name of what was observed.
    pub fn name(&self) -> &'static str {
        match self {
            Observation::Open { paid: Some(_), .. } => "partially_paid",
            Observation::Open { .. } => "open",
            Observation::Processing => "processing",
            Observation::Paid { .. } => "paid",
            Observation::NotPayable { .. } => "not_payable",
            Observation::Unknown => "unknown",
        }
    }

    /// A short human detail for the history.
    pub fn detail(&self, currency: &str) -> Option<String> {
        match self {
            Observation::Open {
                paid: Some(p),
                left,
            } => Some(match left {
                Some(l) => format!("paid {p} {currency}, {l} {currency} left"),
                None => format!("paid {p} {currency}"),
            }),
            Observation::Paid { tx_hash: Some(tx) } => Some(format!("tx {tx}")),
            Observation::NotPayable { message } => Some(message.clone()),
            Observation::Unknown => Some("the API does not know this link".into()),
            _ => None,
        }
    }
}

/// One row of an invoice's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEvent {
    pub at: String,
    pub source: String,
    pub observed: String,
    pub detail: Option<String>,
    /// `false`: stale or no change.
    pub applied: bool,
    /// The link's state after the event.
    pub pay_state: String,
}

/// An invoice's paid status with the history that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentStatus {
    pub invoice_id: String,
    pub invoice_number: String,
    pub invoice_status: InvoiceStatus,
    pub pay_state: PayState,
    pub currency: String,
    pub total: String,
    pub amount_paid: Option<String>,
    pub amount_left: Option<String>,
    pub tx_hash: Option<String>,
    pub paid_at: Option<String>,
    /// The last successful poll of the current link.
    pub verified_at: Option<String>,
    /// `None`: not polled any more.
    pub next_check_at: Option<String>,
    pub last_error: Option<String>,
    /// Newest first, across all of the invoice's links.
    pub events: Vec<StatusEvent>,
    /// What the payer did on the payment page (webhook `secure_payment.user_event`), newest
    /// first. Telemetry only: it never moves a status.
    pub activity: Vec<PayerActivity>,
}

/// One payer action reported by a `secure_payment.user_event` webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayerActivity {
    pub at: String,
    /// `wallet_connected`, `payment_sent_to_wallet`, `payment_approved_in_wallet`, or a newer
    /// name as sent.
    pub user_event: String,
    pub test: bool,
}

/// An invoice that moved forward (for notifications and the UI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub invoice_id: String,
    pub number: String,
    pub client_name: String,
    pub status: InvoiceStatus,
    pub pay_state: PayState,
    pub amount_paid: Option<String>,
    pub currency: String,
}

/// Per-currency money figures of the dashboard (decimal strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotals {
    pub currency: String,
    pub outstanding: String,
    pub overdue: String,
    pub paid_this_month: String,
    pub paid_this_year: String,
}

/// An invoice the user should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttentionItem {
    pub invoice_id: String,
    pub number: String,
    pub client_name: String,
    pub currency: String,
    pub total: String,
    pub status: InvoiceStatus,
    pub due_date: String,
    /// `overdue`, `expired`, `partially_paid` or `link_failed`.
    pub reason: &'static str,
}

/// The dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub totals: Vec<CurrencyTotals>,
    pub attention: Vec<AttentionItem>,
}
