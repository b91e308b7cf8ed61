//! The outbox rows in SQLite: listing, retrying, and the sender's side (claim, complete,
//! reschedule, fail).
//!
//! A claim is committed before any HTTP call and is fenced by the row's `attempts`: an answer
//! is stored only while the row is still `sending` under that same claim, so an answer for an
//! older claim (a sender whose lease ran out) or for a cancelled intent is never stored. The
//! answer, the finished row and the issued invoice are one transaction ([`Store::complete_link`]).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Row, Transaction};

use super::links::{build_payload, corrupt, live_link, pending_intent, LINK_LIFETIME_DAYS};
use super::Store;
use crate::clock::timestamp;
use crate::domain::{LinkOptions, LinkPayload, Mode, OutboxItem, OutboxState};
use crate::error::{Error, Result};

/// One claimed outbox row, ready to send.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The outbox row.
    pub id: String,
    /// The fencing token: the row's `attempts` after this claim.
    pub attempt: u32,
    pub invoice_id: String,
    pub payload: LinkPayload,
}

/// What the API answered for a created link.
#[derive(Debug, Clone)]
pub struct CreatedLink {
    pub token: String,
    pub request_ids: Vec<String>,
    pub secure_payment_url: String,
}

pub(super) fn outbox_item(tx: &Transaction<'_>, id: &str) -> Result<OutboxItem> {
    tx.query_row(
        &format!("{OUTBOX_SELECT} WHERE o.id = ?1"),
        [id],
        outbox_from_row,
    )?
}

const OUTBOX_SELECT: &str = "SELECT o.id, o.kind, o.invoice_id, i.number, o.state, o.attempts,
    o.next_attempt_at, o.last_error, o.created_at, o.updated_at, o.payload
    FROM outbox o JOIN invoices i ON i.id = o.invoice_id";

fn outbox_from_row(r: &Row<'_>) -> rusqlite::Result<Result<OutboxItem>> {
    let state: String = r.get(4)?;
    let payload: String = r.get(10)?;
    let attempts: i64 = r.get(5)?;
    let item = (|| {
        Ok(OutboxItem {
            id: r.get(0)?,
            kind: r.get(1)?,
            invoice_id: r.get(2)?,
            invoice_number: r.get(3)?,
            state: OutboxState::parse(&state).map_err(|_| corrupt("outbox state"))?,
            attempts: attempts.max(0) as u32,
            next_attempt_at: r.get(6)?,
            last_error: r.get(7)?,
            created_at: r.get(8)?,
            updated_at: r.get(9)?,
            payload: serde_json::from_str(&payload).map_err(|_| corrupt("outbox payload"))?,
        })
    })();
    Ok(item)
}

impl Store {
    /// The outbox, newest first (at most `limit` rows).
    pub fn outbox_list(&mut self, limit: u32) -> Result<Vec<OutboxItem>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare_cached(&format!(
                "{OUTBOX_SELECT} ORDER BY o.created_at DESC, o.id DESC LIMIT ?1"
            ))?;
            let rows = stmt.query_map([limit], outbox_from_row)?;
            rows.map(|r| r?).collect()
        })
    }

    /// When the next queued or `sending` row falls due (its retry time or the end of its
    /// lease); `None` when nothing is waiting to be sent.
    pub fn outbox_next_due(&mut self) -> Result<Option<DateTime<Utc>>> {
        let next: Option<String> = self.read(|tx, _| {
            Ok(tx.query_row(
                "SELECT min(next_attempt_at) FROM outbox WHERE state IN ('queued', 'sending')",
                [],
                |r| r.get(0),
            )?)
        })?;
        next.map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| corrupt("outbox next_attempt_at"))
        })
        .transpose()
    }

    /// Send a failed (or waiting) row again now. A failed create-link is rebuilt from the
    /// current invoice and settings, so fixing the settings and retrying works.
    pub fn outbox_retry(&mut self, mode: Mode, id: &str) -> Result<OutboxItem> {
        self.write(|tx, clock| {
            let now = timestamp(clock.now());
            let item = outbox_item(tx, id).map_err(|e| match e {
                Error::Storage(rusqlite::Error::QueryReturnedNoRows) => Error::NotFound {
                    what: "outbox item",
                    id: id.to_string(),
                },
                other => other,
            })?;
            match item.state {
                OutboxState::Queued => {
                    tx.execute(
                        "UPDATE outbox SET next_attempt_at = ?2, updated_at = ?2 WHERE id = ?1",
                        params![id, now],
                    )?;
                }
                OutboxState::Failed => {
                    let payload = build_payload(
                        tx,
                        clock,
                        mode,
                        &item.invoice_id,
                        &LinkOptions {
                            redirect_url: item.payload.redirect_url.clone(),
                            redirect_label: item.payload.redirect_label.clone(),
                        },
                    )?;
                    if pending_intent(tx, &item.invoice_id)?.is_some()
                        || live_link(tx, &now, &item.invoice_id)?.is_some()
                    {
                        return Err(Error::conflict(
                            None,
                            format!("{} already has a live or queued link", item.invoice_number),
                        ));
                    }
                    let json = serde_json::to_string(&payload).map_err(|_| corrupt("payload"))?;
                    tx.execute(
                        "UPDATE outbox SET state = 'queued', payload = ?2, next_attempt_at = ?3,
                             last_error = NULL, updated_at = ?3 WHERE id = ?1",
                        params![id, json, now],
                    )?;
                }
                other => {
                    return Err(Error::conflict(
                        None,
                        format!(
                            "outbox item {id} is {} and cannot be retried",
                            other.as_str()
                        ),
                    ))
                }
            }
            outbox_item(tx, id)
        })
    }

    /// Claim up to `limit` due rows for sending: queued rows whose time has come, and `sending`
    /// rows whose lease ended (their sender died). Each claim bumps `attempts` (the fence) and
    /// sets the lease to `now + lease`. Committed before any HTTP call.
    pub fn claim_due(
        &mut self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Claim>> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let until = timestamp(now + lease);
            let mut stmt = tx.prepare_cached(
                "SELECT id, attempts, invoice_id, payload FROM outbox
                 WHERE state IN ('queued', 'sending') AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT ?2",
            )?;
            let rows = stmt
                .query_map(params![at, limit], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut claims = Vec::with_capacity(rows.len());
            for (id, attempts, invoice_id, payload) in rows {
                let attempt = attempts.max(0) as u32 + 1;
                tx.execute(
                    "UPDATE outbox SET state = 'sending', attempts = ?2, next_attempt_at = ?3,
                         updated_at = ?4 WHERE id = ?1",
                    params![id, attempt, until, at],
                )?;
                claims.push(Claim {
                    id,
                    attempt,
                    invoice_id,
                    payload: serde_json::from_str(&payload)
                        .map_err(|_| corrupt("outbox payload"))?,
                });
            }
            Ok(claims)
        })
    }

    /// Store the created link, finish the row and issue the invoice, in one transaction.
    /// Returns `false` (storing nothing) when the claim is stale: the row was cancelled or
    /// claimed again meanwhile, so this link is never shown to anyone.
    pub fn complete_link(
        &mut self,
        claim: &Claim,
        link: &CreatedLink,
        sent_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let finished = tx.execute(
                "UPDATE outbox SET state = 'done', last_error = NULL, updated_at = ?3
                 WHERE id = ?1 AND state = 'sending' AND attempts = ?2",
                params![claim.id, claim.attempt, at],
            )?;
            if finished == 0 {
                return Ok(false);
            }
            let p = &claim.payload;
            tx.execute(
                "INSERT INTO payment_links (invoice_id, token, request_ids, secure_payment_url,
                     created_at, expires_at, status, redirect_url, redirect_label, amount,
                     currency, outbox_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'live', ?7, ?8, ?9, ?10, ?11)",
                params![
                    claim.invoice_id,
                    link.token,
                    serde_json::to_string(&link.request_ids).map_err(|_| corrupt("request ids"))?,
                    link.secure_payment_url,
                    timestamp(sent_at),
                    timestamp(sent_at + Duration::days(LINK_LIFETIME_DAYS)),
                    p.redirect_url,
                    p.redirect_label,
                    p.amount,
                    p.currency,
                    claim.id
                ],
            )?;
            // Webhooks name request ids: index them to this link in the same transaction.
            for request_id in &link.request_ids {
                tx.execute(
                    "INSERT INTO link_requests (request_id, token) VALUES (?1, ?2)
                     ON CONFLICT (request_id) DO UPDATE SET token = excluded.token",
                    params![request_id, link.token],
                )?;
            }
            // First status poll soon after issuing (status/schedule.rs takes over from there).
            tx.execute(
                "UPDATE payment_links SET next_check_at = ?2 WHERE token = ?1",
                params![link.token, timestamp(now + Duration::seconds(20))],
            )?;
            tx.execute(
                "UPDATE invoices SET status = 'issued', updated_at = ?2
                 WHERE id = ?1 AND status IN ('draft', 'expired')",
                params![claim.invoice_id, at],
            )?;
            Ok(true)
        })
    }

    /// Put a claimed row back in the queue until `next`, noting why. Stale claims are ignored.
    pub fn reschedule(&mut self, claim: &Claim, next: DateTime<Utc>, error: &str) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "UPDATE outbox SET state = 'queued', next_attempt_at = ?3, last_error = ?4,
                     updated_at = ?3
                 WHERE id = ?1 AND state = 'sending' AND attempts = ?2",
                params![claim.id, claim.attempt, timestamp(next), error],
            )?;
            Ok(())
        })
    }

    /// Mark a claimed row failed for good, noting why. Stale claims are ignored.
    pub fn fail(&mut self, claim: &Claim, now: DateTime<Utc>, error: &str) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?3, updated_at = ?4
                 WHERE id = ?1 AND state = 'sending' AND attempts = ?2",
                params![claim.id, claim.attempt, error, timestamp(now)],
            )?;
            Ok(())
        })
    }
}
