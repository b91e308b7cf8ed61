//! Batch payouts: live single EVM payouts on one network combined into one batch link
//! (`POST /v2/secure-payments/batch-payouts`). Requesting a batch queues it; the sender claims it,
//! and on success the children become `batched` and their own links superseded.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;

use super::links::LINK_LIFETIME_DAYS;
use super::outbox::CreatedLink;
use super::payouts::{event, find, link_of, network_of, number};
use super::Store;
use crate::clock::timestamp;
use crate::domain::address::Network;
use crate::domain::payout::{Batch, PayoutState};
use crate::error::{Error, Result};

/// A claimed batch: the child links to combine, fenced by `attempt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchClaim {
    pub id: String,
    /// The payouts combined, with their numbers.
    pub payouts: Vec<(String, String)>,
    pub attempt: u32,
    pub network: Network,
    pub tokens: Vec<String>,
}

impl Store {
    /// Combine live EVM payouts on one network (never opened, not in another batch) into a batch
    /// whose link is created by the sender.
    pub fn request_batch(&mut self, ids: &[String], actor: &str) -> Result<Batch> {
        self.write(|tx, clock| {
            let mut unique: Vec<&String> = ids.iter().collect();
            unique.sort();
            unique.dedup();
            if unique.len() < 2 {
                return Err(Error::invalid(
                    "ids",
                    "choose at least two payouts to combine",
                ));
            }
            let mut network = None;
            for id in &unique {
                let p = find(tx, id)?;
                if p.state != PayoutState::Live || p.batch_id.is_some() {
                    return Err(Error::invalid(
                        "ids",
                        format!(
                            "{} is {}: only live single payouts can be combined",
                            p.number,
                            p.state.as_str()
                        ),
                    ));
                }
                if !p.network.is_evm() {
                    return Err(Error::invalid(
                        "ids",
                        format!("{} is on Tron: Tron payouts cannot be batched", p.number),
                    ));
                }
                if link_of(tx, "payout", id)?.and_then(|(_, o)| o).is_some() {
                    return Err(Error::invalid(
                        "ids",
                        format!(
                            "{}'s link was opened for signing; it cannot be combined",
                            p.number
                        ),
                    ));
                }
                match network {
                    None => network = Some(p.network),
                    Some(n) if n != p.network => {
                        return Err(Error::invalid(
                            "ids",
                            "all payouts of a batch must be on the same network",
                        ))
                    }
                    Some(_) => {}
                }
            }
            let network = network.unwrap_or(Network::Base);
            let id = ulid::Ulid::new().to_string();
            let at = timestamp(clock.now());
            tx.execute(
                "INSERT INTO payout_batches (id, network, state, next_attempt_at, created_at,
                     updated_at)
                 VALUES (?1, ?2, 'approved', ?3, ?3, ?3)",
                params![id, network.as_str(), at],
            )?;
            for p in &unique {
                tx.execute(
                    "UPDATE payouts SET batch_id = ?2, updated_at = ?3 WHERE id = ?1",
                    params![p, id, at],
                )?;
                event(
                    tx,
                    p,
                    &at,
                    "batched",
                    Some(actor),
                    Some(&format!("requested batch {id}")),
                )?;
            }
            batch(tx, &id)
        })
    }

    /// One batch.
    pub fn batch(&mut self, id: &str) -> Result<Batch> {
        self.read(|tx, _| batch(tx, id))
    }

    /// Claim a batch waiting for its link.
    pub fn claim_batch(
        &mut self,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<BatchClaim>> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let row: Option<(String, String, i64)> = tx
                .query_row(
                    "SELECT id, network, attempts + 1 FROM payout_batches
                     WHERE state = 'approved' AND next_attempt_at <= ?1
                     ORDER BY next_attempt_at LIMIT 1",
                    [&at],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((id, network, attempt)) = row else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE payout_batches SET attempts = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![id, attempt, timestamp(now + lease)],
            )?;
            let mut stmt = tx.prepare_cached(
                "SELECT l.token, p.id, p.seq FROM payouts p JOIN payout_links l
                     ON l.owner_kind = 'payout' AND l.owner_id = p.id AND l.status = 'live'
                 WHERE p.batch_id = ?1 ORDER BY p.seq",
            )?;
            let rows = stmt
                .query_map([&id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let tokens = rows.iter().map(|(t, _, _)| t.clone()).collect();
            let payouts = rows
                .into_iter()
                .map(|(_, id, seq)| (id, number(seq)))
                .collect();
            Ok(Some(BatchClaim {
                id,
                payouts,
                attempt: attempt.max(0) as u32,
                network: network_of(&network)?,
                tokens,
            }))
        })
    }

    /// Store a batch's link: the children become `batched` and their own links superseded.
    pub fn complete_batch(
        &mut self,
        claim: &BatchClaim,
        created: &CreatedLink,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let n = tx.execute(
                "UPDATE payout_batches SET state = 'live', next_attempt_at = NULL,
                     last_error = NULL, updated_at = ?3
                 WHERE id = ?1 AND attempts = ?2 AND state = 'approved'",
                params![claim.id, claim.attempt, at],
            )?;
            let live = n > 0;
            // The batch's amount as a label: the sum per currency ("30 USDC-base + 5 USDT-base").
            let mut totals: std::collections::BTreeMap<String, Decimal> = Default::default();
            {
                let mut stmt =
                    tx.prepare_cached("SELECT currency, amount FROM payouts WHERE batch_id = ?1")?;
                let rows = stmt.query_map([&claim.id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?;
                for row in rows {
                    let (currency, amount) = row?;
                    let amount = Decimal::from_str(&amount)
                        .map_err(|_| super::links::corrupt("payout amount"))?;
                    *totals.entry(currency).or_default() += amount;
                }
            }
            let currencies: Vec<&String> = totals.keys().collect();
            let label = totals
                .iter()
                .map(|(c, a)| format!("{} {c}", a.normalize()))
                .collect::<Vec<_>>()
                .join(" + ");
            let (amount, currency) = match currencies.as_slice() {
                [one] => (totals[*one].normalize().to_string(), (*one).clone()),
                _ => (label, "mixed".to_string()),
            };
            tx.execute(
                "INSERT INTO payout_links (token, owner_kind, owner_id, request_ids,
                     secure_payment_url, created_at, expires_at, status, network, amount, currency,
                     next_check_at)
                 VALUES (?1, 'batch', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    created.token,
                    claim.id,
                    serde_json::to_string(&created.request_ids).unwrap_or_else(|_| "[]".into()),
                    created.secure_payment_url,
                    at,
                    timestamp(now + Duration::days(LINK_LIFETIME_DAYS)),
                    if live { "live" } else { "void" },
                    claim.network.as_str(),
                    amount,
                    currency,
                    live.then(|| at.clone())
                ],
            )?;
            if !live {
                return Ok(false);
            }
            let children: Vec<String> = {
                let mut stmt = tx.prepare_cached("SELECT id FROM payouts WHERE batch_id = ?1")?;
                let rows = stmt.query_map([&claim.id], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            for child in &children {
                tx.execute(
                    "UPDATE payout_links SET status = 'superseded', next_check_at = NULL,
                         ended_at = ?2
                     WHERE owner_kind = 'payout' AND owner_id = ?1 AND status = 'live'",
                    params![child, at],
                )?;
                tx.execute(
                    "UPDATE payouts SET state = 'batched', updated_at = ?2 WHERE id = ?1",
                    params![child, at],
                )?;
                event(
                    tx,
                    child,
                    &at,
                    "batched",
                    None,
                    Some(&format!("combined into {}", created.token)),
                )?;
            }
            Ok(true)
        })
    }

    /// A batch attempt failed: retry at `at`, or (permanent) give up and free the children.
    pub fn batch_failed(
        &mut self,
        claim: &BatchClaim,
        retry_at: Option<DateTime<Utc>>,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx, _| {
            let at = timestamp(now);
            match retry_at {
                Some(when) => {
                    tx.execute(
                        "UPDATE payout_batches SET next_attempt_at = ?3, last_error = ?4
                         WHERE id = ?1 AND attempts = ?2 AND state = 'approved'",
                        params![claim.id, claim.attempt, timestamp(when), message],
                    )?;
                }
                None => {
                    let n = tx.execute(
                        "UPDATE payout_batches SET state = 'failed', next_attempt_at = NULL,
                             last_error = ?3, updated_at = ?4
                         WHERE id = ?1 AND attempts = ?2 AND state = 'approved'",
                        params![claim.id, claim.attempt, message, at],
                    )?;
                    if n > 0 {
                        let children: Vec<String> = {
                            let mut stmt =
                                tx.prepare_cached("SELECT id FROM payouts WHERE batch_id = ?1")?;
                            let rows = stmt.query_map([&claim.id], |r| r.get(0))?;
                            rows.collect::<rusqlite::Result<Vec<_>>>()?
                        };
                        for child in &children {
                            tx.execute(
                                "UPDATE payouts SET batch_id = NULL, updated_at = ?2 WHERE id = ?1",
                                params![child, at],
                            )?;
                            event(
                                tx,
                                child,
                                &at,
                                "failed",
                                None,
                                Some(&format!("batch refused: {message}")),
                            )?;
                        }
                    }
                }
            }
            Ok(())
        })
    }
}

fn batch(tx: &Transaction<'_>, id: &str) -> Result<Batch> {
    let (network, state): (String, String) = tx
        .query_row(
            "SELECT network, state FROM payout_batches WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "batch",
            id: id.to_string(),
        })?;
    let mut stmt = tx.prepare_cached("SELECT id FROM payouts WHERE batch_id = ?1 ORDER BY seq")?;
    let payout_ids = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Batch {
        id: id.to_string(),
        network: network_of(&network)?,
        payout_ids,
        link: link_of(tx, "batch", id)?.map(|(l, _)| l),
        state: match state.as_str() {
            "approved" => PayoutState::Approved,
            "live" => PayoutState::Live,
            "paid" => PayoutState::Paid,
            "expired" => PayoutState::Expired,
            _ => PayoutState::Failed,
        },
    })
}
