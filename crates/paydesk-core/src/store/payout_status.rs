//! Paid status of payout and batch links: the same rules ([`crate::status::rules`]) and
//! schedule ([`crate::status::schedule`]) as invoice links, applied to `payout_links`, moving the
//! payout (or every payout of a batch) to paid or expired, in the poll's transaction.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::payouts::event;
use super::Store;
use crate::clock::timestamp;
use crate::domain::payout::PayoutState;
use crate::error::{Error, Result};
use crate::status::rules::{self, Current};
use crate::status::schedule::{self, Timing};
use crate::status::{Observation, PayState};

/// A payout that moved (for the `payout-changed` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutChange {
    pub id: String,
    pub number: String,
    pub state: PayoutState,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| super::links::corrupt("timestamp"))
}

/// Apply one answer about payout link `token` (see [`Store::apply_payout_observation`]).
pub(super) fn apply(
    tx: &Transaction<'_>,
    token: &str,
    obs: &Observation,
    now: DateTime<Utc>,
    unit: f64,
    ceiling: Option<Duration>,
) -> Result<Vec<PayoutChange>> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        String,
    );
    let row: Row = tx
        .query_row(
            "SELECT owner_kind, owner_id, pay_state, paid_amount, created_at, expires_at,
                 watch_until, status
             FROM payout_links WHERE token = ?1",
            [token],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "payout link",
            id: token.to_string(),
        })?;
    let (kind, owner, state, paid, created, expires, watch, status) = row;
    let current = PayState::parse(&state).ok_or_else(|| super::links::corrupt("pay_state"))?;
    let outcome = rules::advance(
        &Current {
            state: current,
            paid: paid.clone(),
        },
        obs,
    );
    let timing = Timing {
        state: outcome.state,
        created_at: parse_time(&created)?,
        expires_at: parse_time(&expires)?,
        watch_until: watch.as_deref().map(parse_time).transpose()?,
        ceiling,
    };
    let at = timestamp(now);
    let next = (status == "live")
        .then(|| schedule::next_check(&timing, now, unit).map(timestamp))
        .flatten();
    let tx_hash = match obs {
        Observation::Paid { tx_hash } => tx_hash.clone(),
        _ => None,
    };
    tx.execute(
        "UPDATE payout_links SET pay_state = ?2, paid_amount = ?3, left_amount = ?4,
             tx_hash = coalesce(?5, tx_hash),
             paid_at = CASE WHEN ?2 = 'paid' THEN coalesce(paid_at, ?6) ELSE paid_at END,
             verified_at = ?6, checks = checks + 1, next_check_at = ?7, last_error = NULL,
             status = CASE WHEN ?2 = 'expired' AND status = 'live' THEN 'expired' ELSE status END,
             ended_at = CASE WHEN ?2 = 'expired' AND status = 'live' THEN ?6 ELSE ended_at END
         WHERE token = ?1",
        params![
            token,
            outcome.state.as_str(),
            if outcome.applied {
                outcome.paid.clone()
            } else {
                paid
            },
            if outcome.applied {
                outcome.left.clone()
            } else {
                None
            },
            tx_hash,
            at,
            next
        ],
    )?;
    if !outcome.applied {
        return Ok(Vec::new());
    }
    let target = match outcome.state {
        PayState::Paid => PayoutState::Paid,
        PayState::Expired => PayoutState::Expired,
        _ => return Ok(Vec::new()),
    };
    let hash: Option<String> = tx.query_row(
        "SELECT tx_hash FROM payout_links WHERE token = ?1",
        [token],
        |r| r.get(0),
    )?;
    if kind == "batch" {
        tx.execute(
            "UPDATE payout_batches SET state = ?2, updated_at = ?3 WHERE id = ?1",
            params![owner, target.as_str(), at],
        )?;
    }
    let ids: Vec<String> = if kind == "batch" {
        let mut stmt = tx.prepare_cached(
            "SELECT id FROM payouts WHERE batch_id = ?1 AND state = 'batched' ORDER BY seq",
        )?;
        let rows = stmt.query_map([&owner], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        vec![owner]
    };
    let mut changes = Vec::new();
    for id in ids {
        let n = tx.execute(
            "UPDATE payouts SET state = ?2, tx_hash = coalesce(?3, tx_hash),
                 paid_at = CASE WHEN ?2 = 'paid' THEN ?4 ELSE paid_at END, updated_at = ?4
             WHERE id = ?1 AND state IN ('live', 'batched')",
            params![id, target.as_str(), hash, at],
        )?;
        if n == 0 {
            continue;
        }
        let detail = match target {
            PayoutState::Paid => hash.as_deref().map(|h| format!("tx {h}")),
            _ => Some("the link expired unpaid".to_string()),
        };
        event(tx, &id, &at, target.as_str(), None, detail.as_deref())?;
        let seq: i64 =
            tx.query_row("SELECT seq FROM payouts WHERE id = ?1", [&id], |r| r.get(0))?;
        changes.push(PayoutChange {
            id,
            number: format!("PO-{seq:04}"),
            state: target,
        });
    }
    Ok(changes)
}

impl Store {
    /// The payout is being looked at: its live link (or its batch's) is polled every 10 s until
    /// `until`, as an invoice's is.
    pub fn watch_payout(&mut self, payout_id: &str, until: DateTime<Utc>) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "UPDATE payout_links SET watch_until = ?2,
                     next_check_at = CASE WHEN next_check_at IS NULL THEN NULL
                         ELSE min(next_check_at, ?3) END
                 WHERE status = 'live' AND (
                     (owner_kind = 'payout' AND owner_id = ?1)
                     OR (owner_kind = 'batch'
                         AND owner_id = (SELECT batch_id FROM payouts WHERE id = ?1)))",
                params![
                    payout_id,
                    timestamp(until),
                    timestamp(until - Duration::minutes(10) + Duration::seconds(10))
                ],
            )?;
            Ok(())
        })
    }

    /// Apply one poll answer about a payout or batch link: move the link forward only, schedule
    /// its next poll, and mark the payout(s) paid or expired, in one transaction.
    pub fn apply_payout_observation(
        &mut self,
        token: &str,
        obs: &Observation,
        now: DateTime<Utc>,
        unit: f64,
        ceiling: Option<Duration>,
    ) -> Result<Vec<PayoutChange>> {
        self.write(|tx, _| apply(tx, token, obs, now, unit, ceiling))
    }
}
