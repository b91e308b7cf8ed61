//! Contractors in SQLite, with their address history. A new address or network is saved only
//! when the caller confirms it, and the change is recorded in the same transaction.

use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::clients::escape_like;
use super::Store;
use crate::clock::timestamp;
use crate::domain::address::Network;
use crate::domain::contractor::{AddressChange, Contractor, ContractorDetail, ContractorInput};
use crate::error::{Error, Result};

const SELECT: &str = "SELECT c.id, c.name, c.email, c.network, c.address, c.default_currency,
        c.address_changed_at, (SELECT count(*) FROM payouts p WHERE p.contractor_id = c.id),
        c.created_at, c.updated_at
    FROM contractors c";

fn network(s: &str) -> rusqlite::Result<Network> {
    Network::parse("network", s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Contractor> {
    Ok(Contractor {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        network: network(&r.get::<_, String>(3)?)?,
        address: r.get(4)?,
        default_currency: r.get(5)?,
        address_changed_at: r.get(6)?,
        payout_count: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub(super) fn find(tx: &Transaction<'_>, id: &str) -> Result<Contractor> {
    tx.query_row(&format!("{SELECT} WHERE c.id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "contractor",
            id: id.to_string(),
        })
}

fn history(tx: &Transaction<'_>, id: &str) -> Result<Vec<AddressChange>> {
    let mut stmt = tx.prepare_cached(
        "SELECT at, network, old_address, new_address FROM contractor_addresses
         WHERE contractor_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(AddressChange {
            at: r.get(0)?,
            network: network(&r.get::<_, String>(1)?)?,
            old_address: r.get(2)?,
            new_address: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl Store {
    /// Contractors whose name or email contains `search`, by name.
    pub fn list_contractors(&mut self, search: Option<&str>) -> Result<Vec<Contractor>> {
        let pattern = format!("%{}%", escape_like(search.unwrap_or("").trim()));
        self.read(|tx, _| {
            let mut stmt = tx.prepare(&format!(
                "{SELECT} WHERE c.name LIKE ?1 ESCAPE '\\' OR coalesce(c.email, '') LIKE ?1 ESCAPE '\\'
                 ORDER BY c.name COLLATE NOCASE, c.id"
            ))?;
            let rows = stmt.query_map([pattern], from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// One contractor with its address history.
    pub fn contractor(&mut self, id: &str) -> Result<ContractorDetail> {
        self.read(|tx, _| {
            Ok(ContractorDetail {
                contractor: find(tx, id)?,
                history: history(tx, id)?,
            })
        })
    }

    /// Validate and add a contractor (its first address starts the history).
    pub fn create_contractor(&mut self, input: &ContractorInput) -> Result<Contractor> {
        let c = input.validate()?;
        self.write(|tx, clock| {
            let id = ulid::Ulid::new().to_string();
            let now = timestamp(clock.now());
            tx.execute(
                "INSERT INTO contractors (id, name, email, network, address, default_currency,
                     created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    id,
                    c.name,
                    c.email,
                    c.network.as_str(),
                    c.address.as_str(),
                    c.default_currency,
                    now
                ],
            )?;
            tx.execute(
                "INSERT INTO contractor_addresses (contractor_id, at, network, old_address,
                     new_address)
                 VALUES (?1, ?2, ?3, NULL, ?4)",
                params![id, now, c.network.as_str(), c.address.as_str()],
            )?;
            find(tx, &id)
        })
    }

    /// Validate and change a contractor. A different address or network is refused
    /// (`conflict` on `address`, nothing saved) unless `confirm_address_change`; then it is
    /// recorded in the history and the contractor's next payout is flagged.
    pub fn update_contractor(
        &mut self,
        id: &str,
        input: &ContractorInput,
        confirm_address_change: bool,
    ) -> Result<Contractor> {
        let c = input.validate()?;
        self.write(|tx, clock| {
            let old = find(tx, id)?;
            let now = timestamp(clock.now());
            let moved = old.address != c.address.as_str() || old.network != c.network;
            if moved && !confirm_address_change {
                return Err(Error::conflict(
                    Some("address"),
                    format!(
                        "changing the payout address of {} from {} to {} needs confirmation",
                        old.name,
                        old.address,
                        c.address.as_str()
                    ),
                ));
            }
            if moved {
                let open: i64 = tx.query_row(
                    "SELECT count(*) FROM payouts
                     WHERE contractor_id = ?1 AND state IN ('approved', 'live')",
                    [id],
                    |r| r.get(0),
                )?;
                if open > 0 && old.network != c.network {
                    return Err(Error::conflict(
                        Some("network"),
                        "an approved or live payout uses the current network; cancel it first",
                    ));
                }
                tx.execute(
                    "INSERT INTO contractor_addresses (contractor_id, at, network, old_address,
                         new_address)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, now, c.network.as_str(), old.address, c.address.as_str()],
                )?;
                // Drafts follow the contractor: on a new network their currency must change.
                if old.network != c.network {
                    tx.execute(
                        "UPDATE payouts SET network = ?2 WHERE contractor_id = ?1
                             AND state = 'draft'",
                        params![id, c.network.as_str()],
                    )?;
                }
            }
            tx.execute(
                "UPDATE contractors SET name = ?2, email = ?3, network = ?4, address = ?5,
                     default_currency = ?6, updated_at = ?7,
                     address_changed_at = CASE WHEN ?8 THEN ?7 ELSE address_changed_at END
                 WHERE id = ?1",
                params![
                    id,
                    c.name,
                    c.email,
                    c.network.as_str(),
                    c.address.as_str(),
                    c.default_currency,
                    now,
                    moved
                ],
            )?;
            find(tx, id)
        })
    }
}
