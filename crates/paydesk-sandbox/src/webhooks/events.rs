//! Webhook payloads (CONTRACT.md §9.5-§9.6): payment events built from what happened to a
//! request, their `.client_id` and `.checkout` variants, and the placeholder payloads of
//! test sends (`POST /v1/webhook/test`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::json::Obj;
use crate::amount::human;
use crate::clock::{iso_millis, iso_seconds};
use crate::ids;
use crate::state::{Creator, RequestItem};

/// Every event name a test send accepts: the Auth API's enum plus the payment variants.
pub(crate) const EVENT_TYPES: &[&str] = &[
    "payment.processing",
    "payment.failed",
    "payment.refunded",
    "payment.confirmed",
    "payment.partial",
    "request.recurring",
    "payment_detail.updated",
    "compliance.updated",
    "client_id.linked",
    "secure_payment.access_rejected",
    "kyt.screening.completed",
    "secure_payment.user_event",
    "payment.confirmed.client_id",
    "payment.partial.client_id",
    "payment.confirmed.checkout",
    "payment.partial.checkout",
];

/// The Auth API's own enum (what its 400 message lists).
pub(crate) const BASE_EVENT_TYPES: &[&str] = &[
    "payment.processing",
    "payment.failed",
    "payment.refunded",
    "payment.confirmed",
    "payment.partial",
    "request.recurring",
    "payment_detail.updated",
    "compliance.updated",
    "client_id.linked",
    "secure_payment.access_rejected",
    "kyt.screening.completed",
    "secure_payment.user_event",
];

/// What happened to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaymentEventKind {
    Confirmed,
    Partial,
    Failed,
}

/// One payment observation, ready to be rendered into payloads.
#[derive(Debug, Clone)]
pub(crate) struct PaymentEvent {
    pub kind: PaymentEventKind,
    pub request_id: String,
    pub payment_reference: String,
    pub payee: String,
    /// This transaction's amount (zero for a failure).
    pub amount: Decimal,
    pub total_paid: Decimal,
    pub expected: Decimal,
    pub tx_hash: Option<String>,
    pub payer_address: Option<String>,
    pub network: &'static str,
    pub native: &'static str,
    pub currency_symbol: String,
    pub sub_status: String,
    pub creator: Creator,
    pub at: DateTime<Utc>,
}

impl PaymentEvent {
    /// Builds an event from a request's state after the change.
    pub(crate) fn from_item(
        kind: PaymentEventKind,
        item: &RequestItem,
        amount: Decimal,
        payer: Option<&str>,
        creator: &Creator,
        at: DateTime<Utc>,
    ) -> Self {
        PaymentEvent {
            kind,
            request_id: item.request_id.clone(),
            payment_reference: item.payment_reference.clone(),
            payee: item.payee.clone(),
            amount,
            total_paid: item.paid(),
            expected: item.amount,
            tx_hash: item.tx_hash().map(str::to_string),
            payer_address: payer.map(str::to_string),
            network: item.currency.network.id,
            native: item.currency.network.native,
            currency_symbol: item.currency.symbol.clone(),
            sub_status: item.last_failure.clone().unwrap_or_default(),
            creator: creator.clone(),
            at,
        }
    }

    /// `(event name, payload)` for each delivery this observation causes: the base event,
    /// then `.client_id` (links created with a client id) and `.checkout` (every secure
    /// payment link) for confirmed and partial payments.
    pub(crate) fn payloads(&self) -> Vec<(String, Obj)> {
        let base = match self.kind {
            PaymentEventKind::Confirmed => "payment.confirmed",
            PaymentEventKind::Partial => "payment.partial",
            PaymentEventKind::Failed => {
                return vec![("payment.failed".into(), self.failed_payload())]
            }
        };
        let mut names = vec![base.to_string()];
        if self.creator.client_id.is_some() {
            names.push(format!("{base}.client_id"));
        }
        names.push(format!("{base}.checkout"));
        names
            .into_iter()
            .map(|name| {
                let body = self.paid_payload(&name);
                (name, body)
            })
            .collect()
    }

    fn identity(&self, body: Obj) -> Obj {
        match &self.creator.client_id {
            Some(id) => body
                .v("clientId", id.as_str())
                .v("origin", self.creator.origin.clone()),
            None => body,
        }
    }

    fn paid_payload(&self, name: &str) -> Obj {
        let body = Obj::new()
            .v("event", name)
            .v("requestId", self.request_id.as_str())
            .v("requestID", self.request_id.as_str())
            .v("paymentReference", self.payment_reference.as_str());
        let mut body = self
            .identity(body)
            .v(
                "explorer",
                format!("https://scan.request.network/request/{}", self.request_id),
            )
            .v("amount", human(self.amount))
            .v("totalAmountPaid", human(self.total_paid))
            .v("expectedAmount", human(self.expected))
            .v("timestamp", iso_seconds(self.at))
            .v("txHash", self.tx_hash.clone())
            .v("payerAddress", self.payer_address.clone())
            .v("payerEoaAddress", self.payer_address.clone())
            .v("network", self.network)
            .v("currency", self.currency_symbol.as_str())
            .v("paymentCurrency", self.currency_symbol.as_str())
            .v("isCryptoToFiat", false)
            .v("subStatus", "")
            .v("paymentProcessor", "request-network")
            .a(
                "fees",
                vec![Obj::new()
                    .v("type", "network")
                    .v("amount", "0.0001")
                    .v("currency", self.native)],
            );
        if self.total_paid > self.expected {
            body = body.v("excessAmount", human(self.total_paid - self.expected));
        }
        body
    }

    fn failed_payload(&self) -> Obj {
        let body = Obj::new()
            .v("event", "payment.failed")
            .v("requestId", self.request_id.as_str())
            .v("requestID", self.request_id.as_str())
            .v("paymentReference", self.payment_reference.as_str());
        self.identity(body)
            .v("payee", self.payee.as_str())
            .v("subStatus", self.sub_status.as_str())
            .v("paymentProcessor", "request-network")
    }
}

/// The placeholder payload of a test send for `event` (one of [`EVENT_TYPES`]).
pub(crate) fn test_payload(event: &str, client_id: Option<&str>, now: DateTime<Utc>) -> Obj {
    let request_id = ids::request_id();
    let reference = ids::payment_reference();
    let ts = iso_millis(now);
    let common = |name: &str| {
        Obj::new()
            .v("event", name)
            .v("requestId", request_id.as_str())
            .v("requestID", request_id.as_str())
            .v("paymentReference", reference.as_str())
    };
    let with_client = |body: Obj| match client_id {
        Some(id) => body.v("clientId", id),
        None => body,
    };
    let kind = if event.starts_with("payment.confirmed") {
        Some(PaymentEventKind::Confirmed)
    } else if event.starts_with("payment.partial") {
        Some(PaymentEventKind::Partial)
    } else {
        None
    };
    if let Some(kind) = kind {
        let partial = kind == PaymentEventKind::Partial;
        let sample = PaymentEvent {
            kind,
            request_id: request_id.clone(),
            payment_reference: reference.clone(),
            payee: "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7".into(),
            amount: Decimal::new(if partial { 40 } else { 100 }, 0),
            total_paid: Decimal::new(if partial { 40 } else { 100 }, 0),
            expected: Decimal::new(100, 0),
            tx_hash: Some(ids::tx_hash()),
            payer_address: Some(ids::evm_address()),
            network: "sepolia",
            native: "ETH",
            currency_symbol: "FAU".into(),
            sub_status: String::new(),
            creator: Creator {
                client_id: client_id.map(str::to_string),
                origin: None,
            },
            at: now,
        };
        return sample.paid_payload(event);
    }
    match event {
        "payment.failed" => with_client(common(event))
            .v("subStatus", "insufficient_funds")
            .v("paymentProcessor", "request-network"),
        "payment.processing" => common(event)
            .v("offrampId", ids::ulid_at(now))
            .v("timestamp", ts)
            .v("subStatus", "initiated")
            .v("paymentProcessor", "request-tech")
            .v("rawPayload", Value::Object(Default::default())),
        "payment.refunded" => common(event)
            .v("refundedTo", ids::evm_address())
            .v("refundAmount", "100.0")
            .v("currency", "USDC")
            .v("timestamp", ts)
            .v("paymentProcessor", "request-network"),
        "request.recurring" => common(event)
            .v("originalRequestId", ids::request_id())
            .v("originalRequestPaymentReference", ids::payment_reference())
            .v("timestamp", ts)
            .v("paymentProcessor", "request-network"),
        "compliance.updated" => Obj::new()
            .v("event", event)
            .v("clientUserId", "sandbox-user")
            .v("kycStatus", "approved")
            .v("agreementStatus", "completed")
            .v("isCompliant", true)
            .v("timestamp", ts)
            .v("rawPayload", Value::Object(Default::default())),
        "payment_detail.updated" => Obj::new()
            .v("event", event)
            .v("status", "approved")
            .v("paymentDetailsId", ids::ulid_at(now))
            .v("clientUserId", "sandbox-user")
            .v("timestamp", ts),
        "secure_payment.access_rejected" => Obj::new()
            .v("event", event)
            .v("requestId", request_id.as_str())
            .v("attemptedPayerWalletAddress", ids::evm_address())
            .v("timestamp", ts),
        "secure_payment.user_event" => with_client(
            Obj::new()
                .v("event", event)
                .v("userEvent", "wallet_connected")
                .v("securePaymentToken", ids::ulid_at(now))
                .v("requestId", request_id.as_str())
                .v("requestIds", vec![request_id.clone()]),
        )
        .v("occurredAt", ts.as_str())
        .v("timestamp", ts.as_str())
        .o(
            "properties",
            Obj::new()
                .v("wallet_provider", "metamask")
                .v("payment_type", "single"),
        ),
        "kyt.screening.completed" => with_client(
            Obj::new()
                .v("event", event)
                .v("paymentToken", ids::ulid_at(now)),
        )
        .v("walletAddress", ids::evm_address())
        .v("eoaAddress", ids::evm_address())
        .v("smartAccountAddress", Value::Null)
        .v("status", "approved")
        .v("provider", "hypernative")
        .v("policyId", Value::Null)
        .v("timestamp", ts),
        _ => Obj::new()
            .v("event", event)
            .v("clientId", client_id.unwrap_or("cli_sandbox"))
            .v("orchestratorId", ids::ulid_at(now))
            .v("linkId", ids::ulid_at(now))
            .v("intentId", ids::ulid_at(now))
            .v("externalId", "sandbox")
            .v("destinationId", crate::networks::DEFAULT_DESTINATION_ID)
            .v(
                "destinationWalletAddress",
                "0x6923831acf5c327260d7ac7c9dff5b1c3cb3c7d7",
            )
            .v("chain", "sepolia")
            .v("currency", "FAU")
            .v("timestamp", ts),
    }
}
