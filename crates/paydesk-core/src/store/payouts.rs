//! Payouts in SQLite: drafts, the review, approval (the payout becomes its own send-queue row,
//! see `payout_queue`), cancellation, opening, and the audit history. Batches are in
//! `payout_batches`. Every public method is one transaction.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::contractors;
use super::settings::{get_json, put_json};
use super::Store;
use crate::clock::timestamp;
use crate::domain::address::Network;
use crate::domain::contractor::payout_currency;
use crate::domain::payout::{
    Payout, PayoutEvent, PayoutInput, PayoutLink, PayoutReview, PayoutSettings, PayoutState,
    PayoutSummary,
};
use crate::error::{Error, Result};

const SETTINGS_KEY: &str = "payout_settings";

fn state_of(s: &str) -> rusqlite::Result<PayoutState> {
    PayoutState::parse("state", s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(super) fn network_of(s: &str) -> rusqlite::Result<Network> {
    Network::parse("network", s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(super) fn number(seq: i64) -> String {
    format!("PO-{seq:04}")
}

pub(super) fn event(
    tx: &Transaction<'_>,
    payout_id: &str,
    at: &str,
    action: &str,
    actor: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO payout_events (payout_id, at, action, actor, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![payout_id, at, action, actor, detail],
    )?;
    Ok(())
}

const SELECT: &str = "SELECT p.id, p.seq, p.state, p.contractor_id, c.name, p.network,
        coalesce(p.address, c.address), p.currency, p.amount, p.reference, p.memo, p.invoice_id,
        i.number, p.address_changed, p.approved_at, p.approved_by, p.tx_hash, p.paid_at,
        p.batch_id, p.message, p.created_at
    FROM payouts p JOIN contractors c ON c.id = p.contractor_id
    LEFT JOIN invoices i ON i.id = p.invoice_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Payout> {
    Ok(Payout {
        id: r.get(0)?,
        number: number(r.get(1)?),
        state: state_of(&r.get::<_, String>(2)?)?,
        contractor_id: r.get(3)?,
        contractor_name: r.get(4)?,
        network: network_of(&r.get::<_, String>(5)?)?,
        address: r.get(6)?,
        currency: r.get(7)?,
        amount: r.get(8)?,
        reference: r.get(9)?,
        memo: r.get(10)?,
        invoice_id: r.get(11)?,
        invoice_number: r.get(12)?,
        address_changed: r.get(13)?,
        approved_at: r.get(14)?,
        approved_by: r.get(15)?,
        tx_hash: r.get(16)?,
        paid_at: r.get(17)?,
        batch_id: r.get(18)?,
        message: r.get(19)?,
        created_at: r.get(20)?,
        link: None,
        history: Vec::new(),
    })
}

/// The live (else newest) link of a payout or batch.
pub(super) fn link_of(
    tx: &Transaction<'_>,
    kind: &str,
    owner: &str,
) -> Result<Option<(PayoutLink, Option<String>)>> {
    Ok(tx
        .query_row(
            "SELECT secure_payment_url, token, expires_at, status, opened_at FROM payout_links
             WHERE owner_kind = ?1 AND owner_id = ?2
             ORDER BY status = 'live' DESC, created_at DESC LIMIT 1",
            params![kind, owner],
            |r| {
                Ok((
                    PayoutLink {
                        url: r.get(0)?,
                        token: r.get(1)?,
                        expires_at: r.get(2)?,
                        status: r.get(3)?,
                    },
                    r.get(4)?,
                ))
            },
        )
        .optional()?)
}

pub(super) fn find(tx: &Transaction<'_>, id: &str) -> Result<Payout> {
    let mut payout = tx
        .query_row(&format!("{SELECT} WHERE p.id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "payout",
            id: id.to_string(),
        })?;
    payout.link = match (&payout.batch_id, payout.state) {
        (Some(batch), PayoutState::Batched | PayoutState::Paid | PayoutState::Expired) => {
            link_of(tx, "batch", batch)?.map(|(l, _)| l)
        }
        _ => link_of(tx, "payout", id)?.map(|(l, _)| l),
    };
    let mut stmt = tx.prepare_cached(
        "SELECT at, action, actor, detail FROM payout_events WHERE payout_id = ?1 ORDER BY seq",
    )?;
    payout.history = stmt
        .query_map([id], |r| {
            Ok(PayoutEvent {
                at: r.get(0)?,
                action: r.get(1)?,
                actor: r.get(2)?,
                detail: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(payout)
}

fn settings(tx: &Transaction<'_>) -> Result<PayoutSettings> {
    Ok(get_json(tx, SETTINGS_KEY)?.unwrap_or_default())
}

/// The address the last approved payout to `contractor` went to (other than `except`).
fn previous_address(
    tx: &Transaction<'_>,
    contractor: &str,
    except: &str,
) -> Result<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT address FROM payouts WHERE contractor_id = ?1 AND id <> ?2
                 AND address IS NOT NULL
             ORDER BY approved_at DESC, seq DESC LIMIT 1",
            params![contractor, except],
            |r| r.get(0),
        )
        .optional()?)
}

fn check_invoice(tx: &Transaction<'_>, invoice: Option<&str>) -> Result<Option<String>> {
    let Some(id) = invoice.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let found: Option<String> = tx
        .query_row("SELECT id FROM invoices WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    found
        .map(Some)
        .ok_or_else(|| Error::invalid("invoiceId", "no such invoice"))
}

fn contractor_network(tx: &Transaction<'_>, id: &str) -> Result<Network> {
    match contractors::find(tx, id) {
        Ok(c) => Ok(c.network),
        Err(Error::NotFound { .. }) => Err(Error::invalid("contractorId", "no such contractor")),
        Err(e) => Err(e),
    }
}

fn conflict_state(payout: &Payout, doing: &str) -> Error {
    Error::conflict(
        Some("state"),
        format!(
            "{} is {}: it cannot be {doing}",
            payout.number,
            payout.state.as_str()
        ),
    )
}

impl Store {
    /// The creator wallets.
    pub fn payout_settings(&mut self) -> Result<PayoutSettings> {
        self.read(|tx, _| settings(tx))
    }

    /// Validate and save the creator wallets.
    pub fn set_payout_settings(&mut self, input: &PayoutSettings) -> Result<PayoutSettings> {
        let valid = input.validate()?;
        self.write(|tx, _| put_json(tx, SETTINGS_KEY, &valid))?;
        Ok(valid)
    }

    /// A new draft payout.
    pub fn create_payout(&mut self, input: &PayoutInput, actor: &str) -> Result<Payout> {
        self.write(|tx, clock| {
            let network = contractor_network(tx, input.contractor_id.trim())?;
            let v = input.validate(network)?;
            let invoice = check_invoice(tx, input.invoice_id.as_deref())?;
            let id = ulid::Ulid::new().to_string();
            let now = timestamp(clock.now());
            let seq: i64 =
                tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM payouts", [], |r| {
                    r.get(0)
                })?;
            tx.execute(
                "INSERT INTO payouts (id, seq, contractor_id, state, network, currency, amount,
                     reference, memo, invoice_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    id,
                    seq,
                    input.contractor_id.trim(),
                    network.as_str(),
                    v.currency,
                    v.amount.to_string(),
                    v.reference,
                    v.memo,
                    invoice,
                    now
                ],
            )?;
            event(tx, &id, &now, "drafted", Some(actor), None)?;
            find(tx, &id)
        })
    }

    /// Change a draft.
    pub fn update_payout(&mut self, id: &str, input: &PayoutInput, actor: &str) -> Result<Payout> {
        self.write(|tx, clock| {
            let current = find(tx, id)?;
            if current.state != PayoutState::Draft {
                return Err(conflict_state(&current, "edited"));
            }
            let network = contractor_network(tx, input.contractor_id.trim())?;
            let v = input.validate(network)?;
            let invoice = check_invoice(tx, input.invoice_id.as_deref())?;
            let now = timestamp(clock.now());
            tx.execute(
                "UPDATE payouts SET contractor_id = ?2, network = ?3, currency = ?4, amount = ?5,
                     reference = ?6, memo = ?7, invoice_id = ?8, updated_at = ?9
                 WHERE id = ?1",
                params![
                    id,
                    input.contractor_id.trim(),
                    network.as_str(),
                    v.currency,
                    v.amount.to_string(),
                    v.reference,
                    v.memo,
                    invoice,
                    now
                ],
            )?;
            event(tx, id, &now, "edited", Some(actor), None)?;
            find(tx, id)
        })
    }

    /// One payout with its link and history.
    pub fn payout(&mut self, id: &str) -> Result<Payout> {
        self.read(|tx, _| find(tx, id))
    }

    /// Payouts (in `state`, or all), newest first.
    pub fn list_payouts(&mut self, state: Option<PayoutState>) -> Result<Vec<PayoutSummary>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare_cached(&format!(
                "{SELECT} WHERE ?1 IS NULL OR p.state = ?1 ORDER BY p.seq DESC"
            ))?;
            let rows = stmt.query_map([state.map(PayoutState::as_str)], from_row)?;
            Ok(rows
                .map(|r| {
                    r.map(|p| PayoutSummary {
                        id: p.id,
                        number: p.number,
                        state: p.state,
                        contractor_name: p.contractor_name,
                        network: p.network,
                        currency: p.currency,
                        amount: p.amount,
                        address_changed: p.address_changed,
                        created_at: p.created_at,
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// What the freelancer checks before approving, and why it cannot be approved yet.
    pub fn review_payout(&mut self, id: &str) -> Result<PayoutReview> {
        self.read(|tx, _| {
            let payout = find(tx, id)?;
            let contractor = contractors::find(tx, &payout.contractor_id)?;
            let address = match payout.state {
                PayoutState::Draft => contractor.address.clone(),
                _ => payout.address.clone(),
            };
            let previous = previous_address(tx, &payout.contractor_id, id)?;
            let changed = match payout.state {
                PayoutState::Draft => previous.as_deref().is_some_and(|p| p != address),
                _ => payout.address_changed,
            };
            let wallet = settings(tx)?
                .wallet_for(contractor.network)
                .map(String::from);
            let mut problems = Vec::new();
            if payout.state != PayoutState::Draft {
                problems.push(format!("it is already {}", payout.state.as_str()));
            }
            if wallet.is_none() {
                problems.push(format!(
                    "set your {} wallet (the creator wallet that signs payouts) in the payout settings",
                    if contractor.network.is_evm() { "EVM" } else { "Tron" }
                ));
            }
            if let Err(e) = payout_currency("currency", contractor.network, &payout.currency) {
                problems.push(e.to_string());
            }
            Ok(PayoutReview {
                contractor_name: contractor.name,
                address,
                network: contractor.network,
                network_label: contractor.network.label().to_string(),
                currency: payout.currency.clone(),
                amount: payout.amount.clone(),
                address_changed: changed,
                previous_address: previous.filter(|_| changed),
                creator_wallet: wallet,
                problems,
                payout,
            })
        })
    }

    /// Approve a draft for `address` (the one the review showed): it is queued for sending at
    /// `now`. A second approval, an address that changed since the review, or no creator
    /// wallet is refused with nothing changed.
    pub fn approve_payout(
        &mut self,
        id: &str,
        address: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Payout> {
        self.write(|tx, _| {
            let payout = find(tx, id)?;
            if payout.state != PayoutState::Draft {
                return Err(conflict_state(&payout, "approved again"));
            }
            let contractor = contractors::find(tx, &payout.contractor_id)?;
            if contractor.address != address.trim() {
                return Err(Error::conflict(
                    Some("address"),
                    format!(
                        "the contractor's address is now {}, not the one reviewed; review again",
                        contractor.address
                    ),
                ));
            }
            payout_currency("currency", contractor.network, &payout.currency)?;
            let wallet = settings(tx)?
                .wallet_for(contractor.network)
                .map(String::from)
                .ok_or_else(|| {
                    Error::invalid(
                        "creatorWalletAddress",
                        "set the wallet that signs payouts in the payout settings first",
                    )
                })?;
            let previous = previous_address(tx, &payout.contractor_id, id)?;
            let changed = previous.as_deref().is_some_and(|p| p != contractor.address);
            let at = timestamp(now);
            tx.execute(
                "UPDATE payouts SET state = 'approved', network = ?2, address = ?3,
                     address_changed = ?4, approved_at = ?5, approved_by = ?6,
                     creator_wallet = ?7, next_attempt_at = ?5, attempts = 0, sending = 0,
                     message = 'waiting to be sent', updated_at = ?5
                 WHERE id = ?1 AND state = 'draft'",
                params![
                    id,
                    contractor.network.as_str(),
                    contractor.address,
                    changed,
                    at,
                    actor,
                    wallet
                ],
            )?;
            if let (true, Some(prev)) = (changed, &previous) {
                event(
                    tx,
                    id,
                    &at,
                    "address_flagged",
                    None,
                    Some(&format!("changed from {prev}")),
                )?;
            }
            event(
                tx,
                id,
                &at,
                "approved",
                Some(actor),
                Some(&contractor.address),
            )?;
            find(tx, id)
        })
    }

    /// Cancel a draft, an approved payout not being sent, or a live one whose link was never
    /// opened (its link is voided here; the API has no cancel, so it simply expires).
    pub fn cancel_payout(&mut self, id: &str, actor: &str) -> Result<Payout> {
        self.write(|tx, clock| {
            let payout = find(tx, id)?;
            let now = clock.now();
            let at = timestamp(now);
            match payout.state {
                PayoutState::Draft => {}
                PayoutState::Approved => {
                    let (sending, lease): (bool, Option<String>) = tx.query_row(
                        "SELECT sending, next_attempt_at FROM payouts WHERE id = ?1",
                        [id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )?;
                    if sending && lease.is_some_and(|l| l > at) {
                        return Err(Error::conflict(
                            Some("state"),
                            "its link is being created right now; try again in a moment",
                        ));
                    }
                }
                PayoutState::Live => {
                    let opened = link_of(tx, "payout", id)?.and_then(|(_, o)| o);
                    if payout.batch_id.is_some() {
                        return Err(Error::conflict(
                            Some("state"),
                            "it is being combined into a batch",
                        ));
                    }
                    if let Some(when) = opened {
                        return Err(Error::conflict(
                            Some("state"),
                            format!(
                                "its link was opened for signing at {when}; wait until it is paid or expires"
                            ),
                        ));
                    }
                    tx.execute(
                        "UPDATE payout_links SET status = 'void', next_check_at = NULL,
                             ended_at = ?2
                         WHERE owner_kind = 'payout' AND owner_id = ?1 AND status = 'live'",
                        params![id, at],
                    )?;
                }
                _ => return Err(conflict_state(&payout, "cancelled")),
            }
            tx.execute(
                "UPDATE payouts SET state = 'cancelled', sending = 0, next_attempt_at = NULL,
                     message = NULL, updated_at = ?2
                 WHERE id = ?1",
                params![id, at],
            )?;
            event(tx, id, &at, "cancelled", Some(actor), None)?;
            find(tx, id)
        })
    }

    /// The payout's live link, marked opened (from then on it cannot be cancelled).
    pub fn open_payout_link(&mut self, id: &str, actor: &str) -> Result<PayoutLink> {
        self.write(|tx, clock| {
            let payout = find(tx, id)?;
            let (kind, owner) = match (&payout.batch_id, payout.state) {
                (Some(batch), PayoutState::Batched) => ("batch", batch.clone()),
                (_, PayoutState::Live) => ("payout", id.to_string()),
                _ => {
                    return Err(Error::conflict(
                        Some("link"),
                        format!("{} has no live link to open", payout.number),
                    ))
                }
            };
            let (link, opened) = link_of(tx, kind, &owner)?
                .filter(|(l, _)| l.status == "live")
                .ok_or_else(|| Error::conflict(Some("link"), "there is no live link to open"))?;
            if opened.is_none() {
                let at = timestamp(clock.now());
                tx.execute(
                    "UPDATE payout_links SET opened_at = ?2 WHERE token = ?1",
                    params![link.token, at],
                )?;
                event(tx, id, &at, "opened", Some(actor), None)?;
            }
            Ok(link)
        })
    }
}
