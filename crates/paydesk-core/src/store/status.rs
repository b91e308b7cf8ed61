//! Paid status in SQLite: which links are due for a poll, applying one answer (event, link and
//! invoice in one transaction), the payment status view with its history, and the dashboard.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;

use super::links::corrupt;
use super::Store;
use crate::clock::timestamp;
use crate::domain::InvoiceStatus;
use crate::error::{Error, Result};
use crate::money::currency;
use crate::money::totals::format_amount;
use crate::status::rules::{self, Current};
use crate::status::schedule::{self, Timing};
use crate::status::{
    AttentionItem, CurrencyTotals, Dashboard, Observation, PayState, PayerActivity, PaymentStatus,
    Source, StatusChange, StatusEvent,
};

/// Who a polled link belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOwner {
    Invoice,
    Payout,
    Batch,
}

/// A link the scheduler should poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueLink {
    pub token: String,
    pub owner: LinkOwner,
    /// The invoice, payout or batch id.
    pub owner_id: String,
    pub request_ids: Vec<String>,
    pub state: PayState,
    pub paid: Option<String>,
    pub checks: u32,
    pub timing: Timing,
    pub currency: String,
}

/// How many events the payment status view returns.
const HISTORY: u32 = 200;

fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("timestamp"))
}

fn pay_state(s: &str) -> Result<PayState> {
    PayState::parse(s).ok_or_else(|| corrupt("pay_state"))
}

const DUE_COLUMNS: &str = "token, owner_id, request_ids, pay_state, paid_amount, checks,
     created_at, expires_at, watch_until, currency, owner_kind";
/// Invoice links only (`owner_id` is the invoice).
const DUE_SELECT: &str = "SELECT token, invoice_id, request_ids, pay_state, paid_amount, checks,
     created_at, expires_at, watch_until, currency, 'invoice' FROM payment_links";

fn due_from_row(r: &rusqlite::Row<'_>) -> Result<DueLink> {
    let ids: String = r.get(2)?;
    let watch: Option<String> = r.get(8)?;
    Ok(DueLink {
        token: r.get(0)?,
        owner: match r.get::<_, String>(10)?.as_str() {
            "invoice" => LinkOwner::Invoice,
            "payout" => LinkOwner::Payout,
            "batch" => LinkOwner::Batch,
            _ => return Err(corrupt("link owner")),
        },
        owner_id: r.get(1)?,
        request_ids: serde_json::from_str(&ids).map_err(|_| corrupt("request ids"))?,
        state: pay_state(&r.get::<_, String>(3)?)?,
        paid: r.get(4)?,
        checks: r.get::<_, i64>(5)?.max(0) as u32,
        timing: Timing {
            state: pay_state(&r.get::<_, String>(3)?)?,
            created_at: parse_time(&r.get::<_, String>(6)?)?,
            expires_at: parse_time(&r.get::<_, String>(7)?)?,
            watch_until: watch.as_deref().map(parse_time).transpose()?,
            ceiling: None,
        },
        currency: r.get(9)?,
    })
}

impl Store {
    /// Up to `limit` live links due for a poll at `now`, most likely to change first (a payment
    /// in flight or partly paid, then links being watched), then the most overdue (so a
    /// saturated rate limit is shared round-robin, never starving old links). Reads only the
    /// partial index of links that can still change.
    pub fn due_links(&mut self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueLink>> {
        self.read(|tx, _| {
            let at = timestamp(now);
            // Invoice, payout and batch links share one budget and one order.
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {DUE_COLUMNS} FROM tracked_links
                 WHERE status = 'live' AND next_check_at IS NOT NULL AND next_check_at <= ?1
                 ORDER BY pay_state IN ('processing', 'partially_paid') DESC,
                     coalesce(watch_until > ?1, 0) DESC, next_check_at
                 LIMIT ?2"
            ))?;
            let rows = stmt.query_and_then(params![at, limit], due_from_row)?;
            rows.collect()
        })
    }

    /// The invoice's live link for an immediate check; marks it watched until `watch_until`.
    pub fn watch_link(
        &mut self,
        invoice_id: &str,
        watch_until: DateTime<Utc>,
    ) -> Result<Option<DueLink>> {
        self.write(|tx, _| {
            tx.execute(
                "UPDATE payment_links SET watch_until = ?2,
                     next_check_at = CASE WHEN next_check_at IS NULL THEN NULL
                         ELSE min(next_check_at, ?3) END
                 WHERE invoice_id = ?1 AND status = 'live'",
                params![
                    invoice_id,
                    timestamp(watch_until),
                    // Watched links poll every 10 s: bring a far-off check closer.
                    timestamp(watch_until - Duration::minutes(10) + Duration::seconds(10))
                ],
            )?;
            tx.query_row(
                &format!("{DUE_SELECT} WHERE invoice_id = ?1 AND status = 'live'"),
                [invoice_id],
                |r| Ok(due_from_row(r)),
            )
            .optional()?
            .transpose()
        })
    }

    /// Make every link that is still polled due at `now` (a manual "check everything").
    pub fn make_all_due(&mut self, now: DateTime<Utc>) -> Result<u32> {
        self.write(|tx, _| {
            let at = timestamp(now);
            let mut n = 0;
            for table in ["payment_links", "payout_links"] {
                n += tx.execute(
                    &format!(
                        "UPDATE {table} SET next_check_at = ?1
                         WHERE status = 'live' AND next_check_at IS NOT NULL
                             AND next_check_at > ?1"
                    ),
                    [&at],
                )?;
            }
            Ok(n as u32)
        })
    }

    /// When the scheduler's next poll is due, and how many links are still polled.
    pub fn poll_summary(&mut self, now: DateTime<Utc>) -> Result<(u32, u32, Option<String>)> {
        self.read(|tx, _| {
            Ok(tx.query_row(
                "SELECT count(*), coalesce(sum(next_check_at <= ?1), 0), min(next_check_at)
                 FROM tracked_links WHERE status = 'live' AND next_check_at IS NOT NULL",
                [timestamp(now)],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u32,
                        r.get::<_, i64>(1)? as u32,
                        r.get(2)?,
                    ))
                },
            )?)
        })
    }

    /// Apply one answer about `token`: append it to the history, move the link forward (or
    /// not, when stale), schedule its next poll, and set the invoice's status, in one
    /// transaction. Returns the change when the invoice moved forward.
    pub fn apply_observation(
        &mut self,
        token: &str,
        source: Source,
        obs: &Observation,
        now: DateTime<Utc>,
        unit: f64,
    ) -> Result<Option<StatusChange>> {
        self.write(|tx, _| apply(tx, token, source, obs, now, unit, None))
    }

    /// [`Store::apply_observation`] with the request budget's interval ceiling
    /// ([`crate::status::schedule::budget_ceiling`]) for the next poll.
    pub fn apply_observation_within(
        &mut self,
        token: &str,
        source: Source,
        obs: &Observation,
        now: DateTime<Utc>,
        unit: f64,
        ceiling: Option<Duration>,
    ) -> Result<Option<StatusChange>> {
        self.write(|tx, _| apply(tx, token, source, obs, now, unit, ceiling))
    }

    /// Record a failed poll: the link keeps its state and is tried again at `retry_at`.
    pub fn record_poll_error(
        &mut self,
        token: &str,
        message: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx, _| {
            for table in ["payment_links", "payout_links"] {
                tx.execute(
                    &format!(
                        "UPDATE {table} SET last_error = ?2,
                             next_check_at = CASE WHEN next_check_at IS NULL THEN NULL
                                 ELSE ?3 END
                         WHERE token = ?1"
                    ),
                    params![token, message, timestamp(retry_at)],
                )?;
            }
            Ok(())
        })
    }

    /// The invoice's paid status and the history that explains it.
    pub fn payment_status(&mut self, invoice_id: &str) -> Result<PaymentStatus> {
        self.read(|tx, clock| payment_status(tx, invoice_id, clock.now()))
    }

    /// Outstanding, overdue and paid totals per currency, and what needs attention, as of
    /// `now` (the month and year of `now`, in UTC).
    pub fn dashboard(&mut self, now: DateTime<Utc>) -> Result<Dashboard> {
        self.read(|tx, _| dashboard(tx, now))
    }
}

/// Apply one answer about `token` inside the caller's transaction (see
/// [`Store::apply_observation`]); webhooks use it to record their delivery atomically with it.
/// A webhook is a hint, not a poll: it does not count as a check nor set `verified_at`.
pub(super) fn apply(
    tx: &Transaction<'_>,
    token: &str,
    source: Source,
    obs: &Observation,
    now: DateTime<Utc>,
    unit: f64,
    ceiling: Option<Duration>,
) -> Result<Option<StatusChange>> {
    let row = tx
        .query_row(&format!("{DUE_SELECT} WHERE token = ?1"), [token], |r| {
            Ok(due_from_row(r))
        })
        .optional()?
        .transpose()?
        .ok_or_else(|| Error::NotFound {
            what: "payment link",
            id: token.to_string(),
        })?;
    let link_status: String = tx.query_row(
        "SELECT status FROM payment_links WHERE token = ?1",
        [token],
        |r| r.get(0),
    )?;
    let at = timestamp(now);
    // Amounts at the currency's precision, as everywhere else ("40.00", not "40.0").
    let decimals = currency::lookup("currency", &row.currency).map_or(2, |c| c.decimals);
    let exact = |s: &Option<String>| {
        s.as_deref()
            .and_then(|v| Decimal::from_str(v).ok())
            .map(|d| format_amount(d, decimals))
    };
    let normalized;
    let obs = match obs {
        Observation::Open { paid, left } => {
            normalized = Observation::Open {
                paid: exact(paid),
                left: exact(left),
            };
            &normalized
        }
        other => other,
    };
    let outcome = rules::advance(
        &Current {
            state: row.state,
            paid: row.paid.clone(),
        },
        obs,
    );
    let mut timing = row.timing.clone();
    timing.state = outcome.state;
    timing.ceiling = ceiling;
    // A webhook is confirmed by a poll at once (even "paid": polling is the truth).
    let next = match (link_status.as_str(), source) {
        ("live", Source::Webhook) => Some(at.clone()),
        ("live", _) => schedule::next_check(&timing, now, unit).map(timestamp),
        _ => None,
    };
    let tx_hash = match obs {
        Observation::Paid { tx_hash } => tx_hash.clone(),
        _ => None,
    };
    tx.execute(
        "UPDATE payment_links SET pay_state = ?2, paid_amount = ?3, left_amount = ?4,
             tx_hash = coalesce(?5, tx_hash),
             paid_at = CASE WHEN ?2 = 'paid' THEN coalesce(paid_at, ?6) ELSE paid_at END,
             verified_at = CASE WHEN ?8 THEN ?6 ELSE verified_at END,
             checks = checks + ?8, next_check_at = ?7, last_error = NULL,
             status = CASE WHEN ?2 = 'expired' AND status = 'live' THEN 'expired' ELSE status END,
             ended_at = CASE WHEN ?2 = 'expired' AND status = 'live' THEN ?6 ELSE ended_at END
         WHERE token = ?1",
        params![
            token,
            outcome.state.as_str(),
            if outcome.applied {
                outcome.paid.clone()
            } else {
                row.paid.clone()
            },
            if outcome.applied {
                outcome.left.clone()
            } else {
                None::<String>
            },
            tx_hash,
            at,
            next,
            source != Source::Webhook
        ],
    )?;
    tx.execute(
        "INSERT INTO link_events (token, invoice_id, at, source, observed, detail, applied,
             pay_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            token,
            row.owner_id,
            at,
            source.as_str(),
            obs.name(),
            obs.detail(&row.currency),
            outcome.applied,
            outcome.state.as_str()
        ],
    )?;
    // Money that arrived counts whatever the link's state (an expired link paid just before
    // its expiry, an old link paid after a re-issue); anything else only comes from the live one.
    let money = matches!(outcome.state, PayState::Paid | PayState::PartiallyPaid);
    if !outcome.applied || (link_status != "live" && !money) {
        return Ok(None);
    }
    let status = rules::invoice_status(outcome.state);
    let changed = tx.execute(
        "UPDATE invoices SET status = ?2, updated_at = ?3,
             paid_at = CASE WHEN ?2 = 'paid' THEN ?3 ELSE paid_at END
         WHERE id = ?1 AND status NOT IN ('void', 'draft', 'paid') AND status != ?2",
        params![row.owner_id, status.as_str(), at],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let (number, client_name): (String, String) = tx.query_row(
        "SELECT i.number, c.name FROM invoices i JOIN clients c ON c.id = i.client_id
         WHERE i.id = ?1",
        [&row.owner_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Some(StatusChange {
        invoice_id: row.owner_id,
        number,
        client_name,
        status,
        pay_state: outcome.state,
        amount_paid: outcome.paid,
        currency: row.currency,
    }))
}

fn payment_status(
    tx: &Transaction<'_>,
    invoice_id: &str,
    now: DateTime<Utc>,
) -> Result<PaymentStatus> {
    let today = now.date_naive().to_string();
    let (number, status, currency, total, paid_at): (
        String,
        String,
        String,
        String,
        Option<String>,
    ) = tx
        .query_row(
            "SELECT number, CASE WHEN status IN ('issued', 'partially_paid') AND due_date < ?2
                 THEN 'overdue' ELSE status END, currency, total, paid_at
             FROM invoices WHERE id = ?1",
            params![invoice_id, today],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "invoice",
            id: invoice_id.to_string(),
        })?;
    let link = tx
        .query_row(
            "SELECT pay_state, paid_amount, left_amount, tx_hash, paid_at, verified_at,
                 next_check_at, last_error, status
             FROM payment_links WHERE invoice_id = ?1
             ORDER BY status = 'live' DESC, seq DESC LIMIT 1",
            [invoice_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?;
    let mut stmt = tx.prepare_cached(
        "SELECT at, source, observed, detail, applied, pay_state FROM link_events
         WHERE invoice_id = ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    let events = stmt
        .query_map(params![invoice_id, HISTORY], |r| {
            Ok(StatusEvent {
                at: r.get(0)?,
                source: r.get(1)?,
                observed: r.get(2)?,
                detail: r.get(3)?,
                applied: r.get(4)?,
                pay_state: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = tx.prepare_cached(
        "SELECT received_at, coalesce(detail, ''), test FROM webhook_deliveries
         WHERE invoice_id = ?1 AND outcome = 'user_event'
         ORDER BY received_at DESC, delivery_id DESC LIMIT ?2",
    )?;
    let activity = stmt
        .query_map(params![invoice_id, HISTORY], |r| {
            Ok(PayerActivity {
                at: r.get(0)?,
                user_event: r.get(1)?,
                test: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let invoice_status = InvoiceStatus::parse("status", &status)?;
    let decimals = currency::lookup("currency", &currency).map_or(2, |c| c.decimals);
    let show = |s: &str| format_amount(Decimal::from_str(s).unwrap_or_default(), decimals);
    let total = show(&total);
    let mut view = PaymentStatus {
        invoice_id: invoice_id.to_string(),
        invoice_number: number,
        invoice_status,
        pay_state: PayState::None,
        currency,
        total,
        amount_paid: None,
        amount_left: None,
        tx_hash: None,
        paid_at,
        verified_at: None,
        next_check_at: None,
        last_error: None,
        events,
        activity,
    };
    if let Some((state, paid, left, tx_hash, link_paid_at, verified, next, error, status)) = link {
        let mut state = pay_state(&state)?;
        if status == "void" || status == "superseded" {
            state = PayState::None;
        }
        view.pay_state = state;
        view.amount_paid = paid.as_deref().map(show);
        view.amount_left = left.as_deref().map(show);
        view.tx_hash = tx_hash;
        view.paid_at = view.paid_at.or(link_paid_at);
        view.verified_at = verified;
        view.next_check_at = next.filter(|_| status == "live");
        view.last_error = error;
    }
    Ok(view)
}

fn dashboard(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<Dashboard> {
    let today = now.date_naive().to_string();
    let month = format!("{:04}-{:02}", now.year(), now.month());
    let year = format!("{:04}", now.year());
    #[derive(Default)]
    struct Acc {
        outstanding: Decimal,
        overdue: Decimal,
        month: Decimal,
        year: Decimal,
    }
    let mut per: BTreeMap<String, Acc> = BTreeMap::new();
    let mut attention = Vec::new();
    // Open invoices (outstanding; the partly paid count what is left) and this year's paid.
    let mut stmt = tx.prepare_cached(
        "SELECT i.id, i.number, c.name, i.currency, i.total, i.status, i.due_date, i.paid_at,
             (SELECT coalesce(l.left_amount, '') FROM payment_links l
              WHERE l.invoice_id = i.id ORDER BY l.seq DESC LIMIT 1),
             (SELECT o.state FROM outbox o WHERE o.invoice_id = i.id
              ORDER BY o.created_at DESC LIMIT 1)
         FROM invoices i JOIN clients c ON c.id = i.client_id
         WHERE i.status IN ('issued', 'partially_paid', 'expired')
            OR (i.status = 'paid' AND i.paid_at >= ?1)
         ORDER BY i.due_date, i.seq",
    )?;
    let rows = stmt.query_map([&year], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, Option<String>>(9)?,
        ))
    })?;
    for row in rows {
        let (id, number, client, cur, total, status, due, paid_at, left, outbox) = row?;
        let total_d = Decimal::from_str(&total).map_err(|_| corrupt("invoice total"))?;
        let acc = per.entry(cur.clone()).or_default();
        if status == "paid" {
            let at = paid_at.unwrap_or_default();
            acc.year += total_d;
            if at.starts_with(&month) {
                acc.month += total_d;
            }
            continue;
        }
        let left_d = left
            .filter(|l| !l.is_empty())
            .and_then(|l| Decimal::from_str(&l).ok())
            .filter(|_| status == "partially_paid")
            .unwrap_or(total_d);
        acc.outstanding += left_d;
        let overdue = due < today;
        if overdue {
            acc.overdue += left_d;
        }
        let reason = if status == "expired" {
            Some("expired")
        } else if outbox.as_deref() == Some("failed") && status == "issued" {
            Some("link_failed")
        } else if overdue {
            Some("overdue")
        } else if status == "partially_paid" {
            Some("partially_paid")
        } else {
            None
        };
        if let Some(reason) = reason {
            let decimals = currency::lookup("currency", &cur).map_or(2, |c| c.decimals);
            attention.push(AttentionItem {
                invoice_id: id,
                number,
                client_name: client,
                currency: cur.clone(),
                total: format_amount(total_d, decimals),
                status: if overdue && status != "expired" {
                    InvoiceStatus::Overdue
                } else {
                    InvoiceStatus::parse("status", &status)?
                },
                due_date: due,
                reason,
            });
        }
    }
    let totals = per
        .into_iter()
        .map(|(cur, a)| {
            let d = currency::lookup("currency", &cur).map_or(2, |c| c.decimals);
            CurrencyTotals {
                currency: cur,
                outstanding: format_amount(a.outstanding, d),
                overdue: format_amount(a.overdue, d),
                paid_this_month: format_amount(a.month, d),
                paid_this_year: format_amount(a.year, d),
            }
        })
        .collect();
    Ok(Dashboard { totals, attention })
}
