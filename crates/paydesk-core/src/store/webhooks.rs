//! Webhook deliveries in SQLite: one verified delivery recorded and applied in one transaction.
//!
//! The delivery id's primary key is the idempotency check (CONTRACT 9.7): a redelivery hits the
//! conflict and changes nothing, with no check-then-act outside the transaction. Payment events
//! reach the link through `link_requests` and the same code path as a poll
//! (`status::apply`, `source = webhook`), so the forward-only rule and the event log
//! hold for them too. The caller polls the returned token at once: the webhook is a hint, the
//! poll is the truth (ARCHITECTURE invariant 7). Payout links (found by the request ids in
//! `payout_links`) take only the hint: the delivery makes them due now and the poll moves them.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use serde::Serialize;

use super::Store;
use crate::clock::timestamp;
use crate::error::Result;
use crate::status::{Observation, Source, StatusChange};
use crate::webhook::event::{Settlement, WebhookEvent};

/// What a delivery did, as stored in `webhook_deliveries.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// A payment event reached a link (its state moved forward, or the answer was stale).
    Applied,
    /// Seen before: nothing changed.
    Duplicate,
    /// A test delivery (`x-request-network-test: true`): recorded, no invoice touched.
    Test,
    /// A payment event for a request id that no link of these books has.
    UnknownRequest,
    /// Payer telemetry (wallet connected, ...), kept for the invoice's history.
    UserEvent,
    /// Failed, refunded, processing or access rejected: logged; payment ones are polled. Every
    /// event about a payout link (payment ones make it due now).
    Noted,
    /// An event Paydesk does not act on.
    Ignored,
}

impl DeliveryKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Applied => "applied",
            DeliveryKind::Duplicate => "duplicate",
            DeliveryKind::Test => "test",
            DeliveryKind::UnknownRequest => "unknown_request",
            DeliveryKind::UserEvent => "user_event",
            DeliveryKind::Noted => "noted",
            DeliveryKind::Ignored => "ignored",
        }
    }
}

/// The result of [`Store::apply_delivery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryOutcome {
    pub kind: DeliveryKind,
    /// The invoice the delivery was about, when its request id is known.
    pub invoice_id: Option<String>,
    /// A short detail (the user event's name, "paid 40.00 FAU-sepolia, ...").
    pub detail: Option<String>,
    /// The invoice moved forward.
    pub change: Option<StatusChange>,
    /// The link to poll now to confirm (payment events on a known link).
    pub poll_token: Option<String>,
}

impl DeliveryOutcome {
    fn new(kind: DeliveryKind) -> Self {
        DeliveryOutcome {
            kind,
            invoice_id: None,
            detail: None,
            change: None,
            poll_token: None,
        }
    }
}

/// One delivery of the stored log, for an invoice's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub delivery_id: String,
    pub received_at: String,
    pub event: String,
    pub request_id: Option<String>,
    pub invoice_id: Option<String>,
    pub test: bool,
    pub outcome: String,
    pub detail: Option<String>,
}

/// A `webhook_deliveries` row (columns in table order, without `rowid`).
fn delivery_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebhookDelivery> {
    Ok(WebhookDelivery {
        delivery_id: r.get(0)?,
        received_at: r.get(1)?,
        event: r.get(2)?,
        request_id: r.get(3)?,
        invoice_id: r.get(4)?,
        test: r.get(5)?,
        outcome: r.get(6)?,
        detail: r.get(7)?,
    })
}

/// The link (token, invoice, its request count) a request id belongs to.
fn link_of(tx: &Transaction<'_>, request_id: &str) -> Result<Option<(String, String, i64)>> {
    Ok(tx
        .query_row(
            "SELECT l.token, l.invoice_id,
                 (SELECT count(*) FROM link_requests x WHERE x.token = l.token)
             FROM link_requests r JOIN payment_links l ON l.token = r.token
             WHERE r.request_id = ?1",
            [request_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// The payout (or batch payout) link whose requests include `request_id`: its token and what it
/// pays, in words ("payout PO-0003", "batch payout of 3"). Payout links are few, so their
/// request ids are read from the JSON column rather than indexed.
fn payout_link_of(tx: &Transaction<'_>, request_id: &str) -> Result<Option<(String, String)>> {
    let found: Option<(String, String, Option<i64>, i64)> = tx
        .query_row(
            "SELECT l.token, l.owner_kind,
                 (SELECT p.seq FROM payouts p WHERE l.owner_kind = 'payout' AND p.id = l.owner_id),
                 (SELECT count(*) FROM payouts b WHERE l.owner_kind = 'batch'
                     AND b.batch_id = l.owner_id)
             FROM payout_links l, json_each(l.request_ids) j
             WHERE json_valid(l.request_ids) AND j.type = 'text' AND j.value = ?1
             ORDER BY l.status = 'live' DESC, l.created_at DESC LIMIT 1",
            [request_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(found.map(|(token, kind, seq, in_batch)| {
        let what = match (kind.as_str(), seq) {
            ("payout", Some(seq)) => format!("payout {}", super::payouts::number(seq)),
            _ => format!("batch payout of {in_batch}"),
        };
        (token, what)
    }))
}

/// A delivery about a payout link: a hint only. A payment event makes the link due now and
/// returns its token, so the poller confirms (and records) the payout within a second; the
/// payout's state only ever moves on what the API answers to that poll.
fn payout_hint(
    tx: &Transaction<'_>,
    event: &WebhookEvent,
    token: String,
    what: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryOutcome> {
    let mut out = DeliveryOutcome::new(DeliveryKind::Noted);
    if event.is_payment() {
        // A link no longer polled (paid and verified, expired, voided) is left as it is.
        let polled = tx.execute(
            "UPDATE payout_links SET next_check_at = min(next_check_at, ?2)
             WHERE token = ?1 AND status = 'live' AND next_check_at IS NOT NULL",
            params![token, timestamp(now)],
        )?;
        if polled == 1 {
            out.detail = Some(format!("{} for {what}; confirming by poll", event.name()));
            out.poll_token = Some(token);
        } else {
            out.detail = Some(format!(
                "{} for {what}, which is no longer polled",
                event.name()
            ));
        }
    } else {
        out.detail = Some(match noted_detail(event) {
            Some(detail) => format!("{detail} ({what})"),
            None => format!("{} for {what}", event.name()),
        });
    }
    Ok(out)
}

/// What a settlement event says about the link.
fn observation(event: &WebhookEvent) -> Option<Observation> {
    match event {
        WebhookEvent::PaymentConfirmed(s) => Some(Observation::Paid {
            tx_hash: s.tx_hash.clone(),
        }),
        WebhookEvent::PaymentPartial(s) => partial(s),
        _ => None,
    }
}

/// `paid = totalAmountPaid`, `left = expectedAmount - totalAmountPaid`, in exact decimals.
fn partial(s: &Settlement) -> Option<Observation> {
    let paid = s
        .total_amount_paid
        .as_deref()
        .and_then(|p| Decimal::from_str(p).ok())?;
    let left = s
        .expected_amount
        .as_deref()
        .and_then(|e| Decimal::from_str(e).ok())
        .and_then(|e| e.checked_sub(paid))
        .filter(|l| !l.is_sign_negative());
    Some(Observation::Open {
        paid: Some(paid.normalize().to_string()),
        left: left.map(|l| l.normalize().to_string()),
    })
}

fn noted_detail(event: &WebhookEvent) -> Option<String> {
    match event {
        WebhookEvent::PaymentFailed { sub_status, .. } => Some(match sub_status {
            Some(s) => format!("payment failed ({s})"),
            None => "payment failed".into(),
        }),
        WebhookEvent::PaymentRefunded { refund_amount, .. } => Some(match refund_amount {
            Some(a) => format!("refunded {a} to the payer"),
            None => "refunded to the payer".into(),
        }),
        WebhookEvent::PaymentProcessing { sub_status, .. } => Some(match sub_status {
            Some(s) => format!("payout processing ({s})"),
            None => "payout processing".into(),
        }),
        WebhookEvent::AccessRejected { wallet, .. } => Some(match wallet {
            Some(w) => format!("a wallet not allowed to pay tried to: {w}"),
            None => "a wallet not allowed to pay tried to".into(),
        }),
        _ => None,
    }
}

fn decide(
    tx: &Transaction<'_>,
    test: bool,
    event: &WebhookEvent,
    now: DateTime<Utc>,
) -> Result<DeliveryOutcome> {
    if test {
        let mut out = DeliveryOutcome::new(DeliveryKind::Test);
        out.detail = Some("test delivery".into());
        return Ok(out);
    }
    if let WebhookEvent::Unknown { .. } = event {
        return Ok(DeliveryOutcome::new(DeliveryKind::Ignored));
    }
    if let WebhookEvent::UserEvent {
        user_event,
        request_ids,
        ..
    } = event
    {
        let mut out = DeliveryOutcome::new(DeliveryKind::UserEvent);
        // The raw name (`wallet_connected`): the app words it, and the UI can tell them apart.
        out.detail = Some(user_event.clone());
        for id in request_ids {
            if let Some((_, invoice_id, _)) = link_of(tx, id)? {
                out.invoice_id = Some(invoice_id);
                break;
            }
        }
        return Ok(out);
    }
    let Some(request_id) = event.request_id() else {
        let mut out = DeliveryOutcome::new(DeliveryKind::Noted);
        out.detail = noted_detail(event);
        return Ok(out);
    };
    let Some((token, invoice_id, requests)) = link_of(tx, request_id)? else {
        if let Some((token, what)) = payout_link_of(tx, request_id)? {
            return payout_hint(tx, event, token, &what, now);
        }
        tracing::info!(
            event = event.name(),
            request_id,
            "webhook for a request no link has"
        );
        let mut out = DeliveryOutcome::new(DeliveryKind::UnknownRequest);
        out.detail = Some(format!("no link has request {request_id}"));
        return Ok(out);
    };
    let mut out = DeliveryOutcome::new(DeliveryKind::Noted);
    out.invoice_id = Some(invoice_id);
    if event.is_payment() {
        out.poll_token = Some(token.clone());
    }
    if let WebhookEvent::PaymentConfirmed(settle) | WebhookEvent::PaymentPartial(settle) = event {
        if let Some(payer) = &settle.payer_address {
            tx.execute(
                "UPDATE payment_links SET payer_address = ?2 WHERE token = ?1",
                params![token, payer],
            )?;
        }
    }
    match observation(event) {
        // One request of a batch link says nothing about the whole link: leave it to the poll.
        Some(obs) if requests <= 1 => {
            let currency: String = tx.query_row(
                "SELECT currency FROM payment_links WHERE token = ?1",
                [&token],
                |r| r.get(0),
            )?;
            out.kind = DeliveryKind::Applied;
            out.detail = obs.detail(&currency).or_else(|| Some(obs.name().into()));
            out.change = super::status::apply(
                tx,
                &token,
                Source::Webhook,
                &obs,
                now,
                rand::random::<f64>(),
                None,
            )?;
        }
        Some(_) => {
            out.detail = Some(format!(
                "{} for one request of a link with {requests}; confirming by poll",
                event.name()
            ));
        }
        None => out.detail = noted_detail(event),
    }
    Ok(out)
}

impl Store {
    /// Record verified delivery `delivery_id` and apply `event`, in one transaction. A delivery
    /// id seen before returns [`DeliveryKind::Duplicate`] and changes nothing; a test delivery
    /// changes no invoice; payment events move an invoice link forward only (as a poll would)
    /// and make a payout link due now, and return the token to poll now.
    pub fn apply_delivery(
        &mut self,
        delivery_id: &str,
        test: bool,
        event: &WebhookEvent,
        now: DateTime<Utc>,
    ) -> Result<DeliveryOutcome> {
        self.write(|tx, _| {
            let inserted = tx.execute(
                "INSERT INTO webhook_deliveries (delivery_id, received_at, event, request_id,
                     test, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'ignored')
                 ON CONFLICT (delivery_id) DO NOTHING",
                params![
                    delivery_id,
                    timestamp(now),
                    event.name(),
                    event.request_id(),
                    test
                ],
            )?;
            if inserted == 0 {
                return Ok(DeliveryOutcome::new(DeliveryKind::Duplicate));
            }
            let out = decide(tx, test, event, now)?;
            tx.execute(
                "UPDATE webhook_deliveries SET outcome = ?2, invoice_id = ?3, detail = ?4
                 WHERE delivery_id = ?1",
                params![delivery_id, out.kind.as_str(), out.invoice_id, out.detail],
            )?;
            Ok(out)
        })
    }

    /// The newest `limit` deliveries of any kind (for `paydesk webhook status`).
    pub fn recent_webhook_deliveries(&mut self, limit: u32) -> Result<Vec<WebhookDelivery>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "SELECT delivery_id, received_at, event, request_id, invoice_id, test, outcome,
                     detail
                 FROM webhook_deliveries ORDER BY received_at DESC, delivery_id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], delivery_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The newest `limit` deliveries about `invoice_id` (payer activity, payment hints).
    pub fn webhook_deliveries(
        &mut self,
        invoice_id: &str,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "SELECT delivery_id, received_at, event, request_id, invoice_id, test, outcome,
                     detail
                 FROM webhook_deliveries WHERE invoice_id = ?1
                 ORDER BY received_at DESC, rowid DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![invoice_id, limit], delivery_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
