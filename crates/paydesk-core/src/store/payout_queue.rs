//! The send queue of approved payouts: an approved payout is its own queue row
//! (`payouts.next_attempt_at`), claimed one at a time with a lease and fenced by its attempt
//! count; the outcome (link stored, retry later, failed) is written in one transaction.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};

use super::links::LINK_LIFETIME_DAYS;
use super::outbox::CreatedLink;
use super::payouts::{event, network_of, number};
use super::Store;
use crate::clock::timestamp;
use crate::domain::address::Network;
use crate::error::Result;

/// A claimed approved payout: what to send, fenced by `attempt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutClaim {
    pub id: String,
    pub number: String,
    pub attempt: u32,
    pub recipient: String,
    pub creator_wallet: String,
    pub network: Network,
    pub currency: String,
    pub amount: String,
    pub reference: String,
    pub recipient_identifier: String,
}

impl Store {
    /// Claim the most overdue approved payout for sending (its lease ends at `now + lease`).
    pub fn claim_payout(
        &mut self,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<PayoutClaim>> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let row = tx
                .query_row(
                    "SELECT p.id, p.address, p.creator_wallet, p.network, p.currency, p.amount,
                         coalesce(p.reference, 'PO-' || printf('%04d', p.seq)), c.name,
                         p.attempts + 1, p.seq
                     FROM payouts p JOIN contractors c ON c.id = p.contractor_id
                     WHERE p.state = 'approved' AND p.next_attempt_at <= ?1
                     ORDER BY p.next_attempt_at LIMIT 1",
                    [&at],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            network_of(&r.get::<_, String>(3)?)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                            r.get::<_, String>(6)?,
                            r.get::<_, String>(7)?,
                            r.get::<_, i64>(8)?,
                            r.get::<_, i64>(9)?,
                        ))
                    },
                )
                .optional()?;
            let Some((
                id,
                recipient,
                wallet,
                network,
                currency,
                amount,
                reference,
                name,
                attempt,
                seq,
            )) = row
            else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE payouts SET sending = 1, attempts = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![id, attempt, timestamp(now + lease)],
            )?;
            Ok(Some(PayoutClaim {
                id,
                number: number(seq),
                attempt: attempt.max(0) as u32,
                recipient,
                creator_wallet: wallet.unwrap_or_default(),
                network,
                currency,
                amount,
                reference,
                recipient_identifier: name.chars().take(255).collect(),
            }))
        })
    }

    /// Store the created link of a claim. `false` when the claim lost its fence (cancelled or
    /// claimed again meanwhile): the link is kept as void so it is never shown as payable.
    pub fn complete_payout(
        &mut self,
        claim: &PayoutClaim,
        created: &CreatedLink,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let fenced: Option<String> = tx
                .query_row(
                    "SELECT state FROM payouts WHERE id = ?1 AND attempts = ?2",
                    params![claim.id, claim.attempt],
                    |r| r.get(0),
                )
                .optional()?;
            let live = fenced.as_deref() == Some("approved");
            tx.execute(
                "INSERT INTO payout_links (token, owner_kind, owner_id, request_ids,
                     secure_payment_url, created_at, expires_at, status, network, amount, currency,
                     next_check_at)
                 VALUES (?1, 'payout', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    created.token,
                    claim.id,
                    serde_json::to_string(&created.request_ids).unwrap_or_else(|_| "[]".into()),
                    created.secure_payment_url,
                    at,
                    timestamp(now + Duration::days(LINK_LIFETIME_DAYS)),
                    if live { "live" } else { "void" },
                    claim.network.as_str(),
                    claim.amount,
                    claim.currency,
                    live.then(|| at.clone())
                ],
            )?;
            if !live {
                return Ok(false);
            }
            tx.execute(
                "UPDATE payouts SET state = 'live', sending = 0, next_attempt_at = NULL,
                     message = NULL, updated_at = ?2
                 WHERE id = ?1",
                params![claim.id, at],
            )?;
            event(
                tx,
                &claim.id,
                &at,
                "link_created",
                None,
                Some(&created.token),
            )?;
            Ok(true)
        })
    }

    /// A retryable failure: try again at `at`.
    pub fn retry_payout(
        &mut self,
        claim: &PayoutClaim,
        at: DateTime<Utc>,
        message: &str,
    ) -> Result<()> {
        self.write(|tx, _| {
            tx.execute(
                "UPDATE payouts SET sending = 0, next_attempt_at = ?3, message = ?4
                 WHERE id = ?1 AND attempts = ?2 AND state = 'approved'",
                params![claim.id, claim.attempt, timestamp(at), message],
            )?;
            Ok(())
        })
    }

    /// The API refused the payout for good.
    pub fn fail_payout(
        &mut self,
        claim: &PayoutClaim,
        now: DateTime<Utc>,
        message: &str,
    ) -> Result<()> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let n = tx.execute(
                "UPDATE payouts SET state = 'failed', sending = 0, next_attempt_at = NULL,
                     message = ?3, updated_at = ?4
                 WHERE id = ?1 AND attempts = ?2 AND state = 'approved'",
                params![claim.id, claim.attempt, message, at],
            )?;
            if n > 0 {
                event(tx, &claim.id, &at, "failed", None, Some(message))?;
            }
            Ok(())
        })
    }
}
