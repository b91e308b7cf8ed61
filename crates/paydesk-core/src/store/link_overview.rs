//! Where an invoice's payment link stands ([`LinkOverview`]): its links, its queued request,
//! the newest request's failure and the amount lock, read in one transaction so the app and
//! the CLI show the same phase by the same rule.

use rusqlite::{OptionalExtension, Transaction};

use super::links::{invoice_number, is_locked, links_of, pending_intent};
use super::outbox::outbox_item;
use super::Store;
use crate::clock::timestamp;
use crate::domain::{LinkOverview, LinkPhase, LinkStatus, OutboxItem, OutboxState, PaymentLink};
use crate::error::Result;

/// What the phase is shown as when a request is queued and has not failed yet.
const NOT_SENT_YET: &str = "not sent yet";

/// The invoice's newest create-link request, whatever its state.
fn newest_request(tx: &Transaction<'_>, invoice_id: &str) -> Result<Option<OutboxItem>> {
    let id: Option<String> = tx
        .query_row(
            "SELECT id FROM outbox WHERE invoice_id = ?1 AND kind = 'create_link'
             ORDER BY created_at DESC, id DESC LIMIT 1",
            [invoice_id],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| outbox_item(tx, &id)).transpose()
}

/// The phase, the link it is about and the message, from what is stored. Only the newest link
/// counts (an old expired link says nothing once a newer one was voided). A live link wins; a
/// queued request comes next (a re-issue of an expired link is queued, not expired); then a
/// newest request the API refused for good (no link can be newer: a link comes from a request
/// that succeeded); then an expired newest link.
fn phase(
    history: &[PaymentLink],
    pending: Option<&OutboxItem>,
    newest: Option<&OutboxItem>,
) -> (LinkPhase, Option<PaymentLink>, Option<String>) {
    let current = history
        .last()
        .filter(|l| matches!(l.status, LinkStatus::Live | LinkStatus::Expired));
    if let Some(l) = current.filter(|l| l.status == LinkStatus::Live) {
        return (LinkPhase::Live, Some(l.clone()), None);
    }
    if let Some(p) = pending {
        let why = p.last_error.clone().unwrap_or_else(|| NOT_SENT_YET.into());
        return (LinkPhase::Queued, None, Some(why));
    }
    if let Some(row) = newest.filter(|r| r.state == OutboxState::Failed) {
        return (LinkPhase::Failed, None, row.last_error.clone());
    }
    match current {
        Some(l) => (LinkPhase::Expired, Some(l.clone()), None),
        None => (LinkPhase::None, None, None),
    }
}

impl Store {
    /// Where the invoice's payment link stands (`NotFound` for an unknown invoice).
    pub fn link_overview(&mut self, invoice_id: &str) -> Result<LinkOverview> {
        self.read(|tx, clock| {
            invoice_number(tx, invoice_id)?;
            let history = links_of(tx, &timestamp(clock.now()), invoice_id)?;
            let pending = pending_intent(tx, invoice_id)?
                .map(|id| outbox_item(tx, &id))
                .transpose()?;
            let newest = newest_request(tx, invoice_id)?;
            let (phase, current, message) = phase(&history, pending.as_ref(), newest.as_ref());
            Ok(LinkOverview {
                phase,
                current,
                pending,
                message,
                history,
                locked: is_locked(tx, invoice_id)?,
            })
        })
    }
}
