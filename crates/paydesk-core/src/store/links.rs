//! Payment settings and payment links in SQLite: asking for a link (one outbox row, written in
//! the user's transaction; nothing touches the network here), re-issuing, voiding, history, and
//! the amount lock that `update_invoice` checks. The outbox rows themselves: `outbox.rs`.

use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::outbox::outbox_item;
use super::{invoices, Store};
use crate::clock::{timestamp, Clock};
use crate::domain::link::{api_rule, check_redirect};
use crate::domain::{
    InvoiceStatus, LinkDestination, LinkOptions, LinkPayload, LinkStatus, Mode, OutboxItem,
    PaymentLink, PaymentSettings,
};
use crate::error::{Error, Result};
use crate::money::currency::{self, CurrencyKind};

/// How long a link stays payable when the API does not say (CONTRACT.md §2.3: 7 days).
pub const LINK_LIFETIME_DAYS: i64 = 7;

pub(super) fn corrupt(what: &str) -> Error {
    Error::Storage(rusqlite::Error::InvalidColumnType(
        0,
        format!("stored {what} is not valid"),
        rusqlite::types::Type::Text,
    ))
}

pub(super) fn load_settings(tx: &Transaction<'_>) -> Result<PaymentSettings> {
    Ok(tx
        .query_row(
            "SELECT destination_id, use_bound_destination, payee_address, payment_currency,
                 redirect_url, redirect_label FROM payment_settings WHERE id = 1",
            [],
            |r| {
                Ok(PaymentSettings {
                    destination_id: r.get(0)?,
                    use_bound_destination: r.get::<_, i64>(1)? == 1,
                    payee_address: r.get(2)?,
                    payment_currency: r.get(3)?,
                    redirect_url: r.get(4)?,
                    redirect_label: r.get(5)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

fn link_from_row(r: &Row<'_>, now: &str) -> rusqlite::Result<PaymentLink> {
    let ids: String = r.get(2)?;
    let status: String = r.get(6)?;
    let expires_at: String = r.get(5)?;
    Ok(PaymentLink {
        invoice_id: r.get(0)?,
        token: r.get(1)?,
        request_ids: serde_json::from_str(&ids).unwrap_or_default(),
        secure_payment_url: r.get(3)?,
        created_at: r.get(4)?,
        status: if status == "live" && expires_at.as_str() <= now {
            LinkStatus::Expired
        } else {
            LinkStatus::parse(&status).unwrap_or(LinkStatus::Void)
        },
        expires_at,
        redirect_url: r.get(7)?,
        redirect_label: r.get(8)?,
        amount: r.get(9)?,
        currency: r.get(10)?,
    })
}

const LINK_COLUMNS: &str = "invoice_id, token, request_ids, secure_payment_url, created_at,
    expires_at, status, redirect_url, redirect_label, amount, currency";

/// The stored live link of an invoice (which may be past its expiry).
pub(super) fn live_link(
    tx: &Transaction<'_>,
    now: &str,
    invoice_id: &str,
) -> Result<Option<PaymentLink>> {
    Ok(tx
        .query_row(
            &format!(
                "SELECT {LINK_COLUMNS} FROM payment_links WHERE invoice_id = ?1 AND status = 'live'"
            ),
            [invoice_id],
            |r| link_from_row(r, now),
        )
        .optional()?)
}

/// The id of the invoice's queued or sending create-link row.
pub(super) fn pending_intent(tx: &Transaction<'_>, invoice_id: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT id FROM outbox WHERE invoice_id = ?1 AND kind = 'create_link'
                 AND state IN ('queued', 'sending')",
            [invoice_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Whether the invoice's amounts are locked: a link is stored live (even past its expiry, until
/// the API or the user ends it) or a request for one is queued.
pub(super) fn is_locked(tx: &Transaction<'_>, invoice_id: &str) -> Result<bool> {
    let live = tx
        .query_row(
            "SELECT 1 FROM payment_links WHERE invoice_id = ?1 AND status = 'live'",
            [invoice_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    Ok(live || pending_intent(tx, invoice_id)?.is_some())
}

/// Refuse to change an invoice's amounts while a link is live or queued for it.
pub(super) fn check_unlocked(tx: &Transaction<'_>, invoice_id: &str, number: &str) -> Result<()> {
    if is_locked(tx, invoice_id)? {
        return Err(Error::conflict(
            None,
            format!("{number} has a payment link, so its amounts are locked: void the link first"),
        ));
    }
    Ok(())
}

/// End every link and pending intent of an invoice (the invoice itself is being voided).
pub(super) fn end_all(tx: &Transaction<'_>, invoice_id: &str, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE payment_links SET status = 'void', ended_at = ?2
         WHERE invoice_id = ?1 AND status = 'live'",
        params![invoice_id, now],
    )?;
    tx.execute(
        "UPDATE outbox SET state = 'cancelled', last_error = 'the invoice was voided',
             updated_at = ?2
         WHERE invoice_id = ?1 AND state IN ('queued', 'sending')",
        params![invoice_id, now],
    )?;
    Ok(())
}

/// The request for `invoice_id` under the current settings, or why none can be made.
pub(super) fn build_payload(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    mode: Mode,
    invoice_id: &str,
    options: &LinkOptions,
) -> Result<LinkPayload> {
    let invoice = invoices::load(tx, clock, invoice_id)?;
    match invoice.status {
        InvoiceStatus::Void => {
            return Err(Error::conflict(
                None,
                format!("{} is void; a void invoice cannot be paid", invoice.number),
            ))
        }
        InvoiceStatus::Paid => {
            return Err(Error::conflict(
                None,
                format!("{} is already paid", invoice.number),
            ))
        }
        _ => {}
    }
    if invoice.totals.total.value.is_sign_negative() || invoice.totals.total.value.is_zero() {
        return Err(Error::invalid(
            "total",
            "must be greater than zero to request a payment link",
        ));
    }
    let settings = load_settings(tx)?;
    let invoice_currency = currency::lookup("currency", &invoice.currency)?;
    let destination = match (&settings.destination_id, &settings.payee_address) {
        (_, Some(payee)) => LinkDestination::Legacy {
            payee: payee.clone(),
            invoice_currency: invoice.currency.clone(),
            payment_currency: settings.payment_currency.clone().unwrap_or_default(),
        },
        _ if invoice_currency.kind == CurrencyKind::Fiat => {
            return Err(Error::invalid(
                "currency",
                format!(
                    "{} is for display only: a payment link needs a crypto invoice currency \
                     (such as USDC-base), or a payee address and payment currency in payment \
                     settings so the API converts {} at payment time",
                    invoice.currency, invoice.currency
                ),
            ))
        }
        (Some(id), None) => LinkDestination::Id {
            destination_id: id.clone(),
        },
        (None, None) if settings.use_bound_destination || mode == Mode::Test => {
            LinkDestination::Bound
        }
        (None, None) => {
            return Err(Error::invalid(
                "destinationId",
                "no payment destination: set a destination ID (copy it from the Request \
                 dashboard), a payee address and payment currency, or choose the destination \
                 bound to your client ID in payment settings",
            ))
        }
    };
    let pick = |given: &Option<String>, default: &Option<String>| {
        given
            .as_deref()
            .map(str::trim)
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
            .unwrap_or_else(|| default.clone())
    };
    let redirect_url = pick(&options.redirect_url, &settings.redirect_url);
    // A per-invoice URL without a label does not inherit the default label meant for another URL.
    let redirect_label = if options.redirect_url.is_some() {
        pick(&options.redirect_label, &None)
    } else {
        pick(&options.redirect_label, &settings.redirect_label)
    };
    check_redirect(redirect_url.as_deref(), redirect_label.as_deref())?;
    let payer = paydesk_request::validation::validate_payer_identifier(&invoice.client_name)
        .ok()
        .map(|_| invoice.client_name.clone());
    paydesk_request::validation::validate_reference(&invoice.number).map_err(api_rule)?;
    Ok(LinkPayload {
        amount: invoice.totals.total.to_wire(),
        currency: invoice.currency,
        destination,
        reference: invoice.number,
        payer_identifier: payer,
        redirect_url,
        redirect_label,
    })
}

fn insert_intent(
    tx: &Transaction<'_>,
    now: &str,
    invoice_id: &str,
    payload: &LinkPayload,
) -> Result<String> {
    let id = ulid::Ulid::new().to_string();
    let json = serde_json::to_string(payload).map_err(|_| corrupt("payload"))?;
    tx.execute(
        "INSERT INTO outbox (id, kind, invoice_id, payload, state, attempts, next_attempt_at,
             created_at, updated_at)
         VALUES (?1, 'create_link', ?2, ?3, 'queued', 0, ?4, ?4, ?4)",
        params![id, invoice_id, json, now],
    )?;
    Ok(id)
}

pub(super) fn invoice_number(tx: &Transaction<'_>, invoice_id: &str) -> Result<String> {
    tx.query_row(
        "SELECT number FROM invoices WHERE id = ?1",
        [invoice_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "invoice",
        id: invoice_id.to_string(),
    })
}

/// Queue a create-link intent after checking nothing live or pending exists.
fn queue_link(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    mode: Mode,
    invoice_id: &str,
    options: &LinkOptions,
) -> Result<OutboxItem> {
    let payload = build_payload(tx, clock, mode, invoice_id, options)?;
    let number = invoice_number(tx, invoice_id)?;
    if pending_intent(tx, invoice_id)?.is_some() {
        return Err(Error::conflict(
            None,
            format!("a payment link for {number} is already queued"),
        ));
    }
    let now = timestamp(clock.now());
    if let Some(link) = live_link(tx, &now, invoice_id)? {
        let hint = if link.status == LinkStatus::Expired {
            "it has expired: re-issue it"
        } else {
            "void it first to make a new one"
        };
        return Err(Error::conflict(
            None,
            format!("{number} already has a payment link; {hint}"),
        ));
    }
    let id = insert_intent(tx, &now, invoice_id, &payload)?;
    outbox_item(tx, &id)
}

impl Store {
    /// Where links pay to, and the redirect defaults.
    pub fn payment_settings(&mut self) -> Result<PaymentSettings> {
        self.read(|tx, _| load_settings(tx))
    }

    /// Validate and save the payment settings.
    pub fn set_payment_settings(&mut self, input: &PaymentSettings) -> Result<PaymentSettings> {
        let s = input.validate()?;
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO payment_settings (id, destination_id, use_bound_destination,
                     payee_address, payment_currency, redirect_url, redirect_label)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET destination_id = excluded.destination_id,
                     use_bound_destination = excluded.use_bound_destination,
                     payee_address = excluded.payee_address,
                     payment_currency = excluded.payment_currency,
                     redirect_url = excluded.redirect_url, redirect_label = excluded.redirect_label",
                params![
                    s.destination_id,
                    s.use_bound_destination as i64,
                    s.payee_address,
                    s.payment_currency,
                    s.redirect_url,
                    s.redirect_label
                ],
            )?;
            load_settings(tx)
        })
    }

    /// Validate and queue a payment link for an invoice (one transaction: the outbox row is the
    /// "link queued" state, and it locks the invoice's amounts).
    pub fn request_link(
        &mut self,
        mode: Mode,
        invoice_id: &str,
        options: &LinkOptions,
    ) -> Result<OutboxItem> {
        self.write(|tx, clock| queue_link(tx, clock, mode, invoice_id, options))
    }

    /// Replace an expired link (or one the API answered 403 for) with a new queued one; the old
    /// link stays in the history as superseded.
    pub fn reissue_link(
        &mut self,
        mode: Mode,
        invoice_id: &str,
        options: &LinkOptions,
    ) -> Result<OutboxItem> {
        self.write(|tx, clock| {
            let now = timestamp(clock.now());
            let number = invoice_number(tx, invoice_id)?;
            let live = live_link(tx, &now, invoice_id)?;
            let last_status: Option<String> = tx
                .query_row(
                    "SELECT status FROM payment_links WHERE invoice_id = ?1
                     ORDER BY seq DESC LIMIT 1",
                    [invoice_id],
                    |r| r.get(0),
                )
                .optional()?;
            match (&live, last_status.as_deref()) {
                (Some(l), _) if l.status == LinkStatus::Live => {
                    return Err(Error::conflict(
                        None,
                        format!(
                            "the link of {number} is still payable until {}; void it first",
                            l.expires_at
                        ),
                    ))
                }
                (Some(_), _) | (None, Some("expired")) => {}
                _ => {
                    return Err(Error::conflict(
                        None,
                        format!("{number} has no expired link to re-issue"),
                    ))
                }
            }
            tx.execute(
                "UPDATE payment_links SET status = 'superseded', ended_at = ?2
                 WHERE invoice_id = ?1 AND status IN ('live', 'expired')",
                params![invoice_id, now],
            )?;
            queue_link(tx, clock, mode, invoice_id, options)
        })
    }

    /// Record that the API answered 403 (expired or not payable) for a link.
    pub fn mark_link_expired(&mut self, token: &str) -> Result<()> {
        self.write(|tx, clock| {
            tx.execute(
                "UPDATE payment_links SET status = 'expired', ended_at = ?2,
                     pay_state = CASE WHEN pay_state = 'paid' THEN 'paid' ELSE 'expired' END,
                     next_check_at = NULL
                 WHERE token = ?1 AND status = 'live'",
                params![token, timestamp(clock.now())],
            )?;
            Ok(())
        })
    }

    /// Void the invoice's live link and cancel a queued one; the invoice's amounts unlock. An
    /// intent already being sent is cancelled too: its answer, if any, is discarded.
    pub fn void_link(&mut self, invoice_id: &str) -> Result<Vec<PaymentLink>> {
        self.write(|tx, clock| {
            let now = timestamp(clock.now());
            let number = invoice_number(tx, invoice_id)?;
            let links = tx.execute(
                "UPDATE payment_links SET status = 'void', ended_at = ?2
                 WHERE invoice_id = ?1 AND status = 'live'",
                params![invoice_id, now],
            )?;
            let intents = tx.execute(
                "UPDATE outbox SET state = 'cancelled', last_error = 'the link was voided',
                     updated_at = ?2
                 WHERE invoice_id = ?1 AND state IN ('queued', 'sending')",
                params![invoice_id, now],
            )?;
            if links + intents == 0 {
                return Err(Error::conflict(
                    None,
                    format!("{number} has no live or queued payment link"),
                ));
            }
            links_of(tx, &now, invoice_id)
        })
    }

    /// Every link the invoice ever had, oldest first.
    pub fn links_of(&mut self, invoice_id: &str) -> Result<Vec<PaymentLink>> {
        self.read(|tx, clock| {
            invoice_number(tx, invoice_id)?;
            links_of(tx, &timestamp(clock.now()), invoice_id)
        })
    }
}

pub(super) fn links_of(
    tx: &Transaction<'_>,
    now: &str,
    invoice_id: &str,
) -> Result<Vec<PaymentLink>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {LINK_COLUMNS} FROM payment_links WHERE invoice_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map([invoice_id], |r| link_from_row(r, now))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
