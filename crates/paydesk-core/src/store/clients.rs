//! Clients in SQLite.

use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::Store;
use crate::clock::timestamp;
use crate::domain::{Client, ClientInput};
use crate::error::{Error, Result};

const SELECT: &str = "SELECT c.id, c.name, c.email, c.address, c.tax_id, c.notes, c.created_at,
        c.updated_at, (SELECT count(*) FROM invoices i WHERE i.client_id = c.id)
    FROM clients c";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Client> {
    Ok(Client {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        address: r.get(3)?,
        tax_id: r.get(4)?,
        notes: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        invoice_count: r.get(8)?,
    })
}

pub(super) fn find(tx: &Transaction<'_>, id: &str) -> Result<Client> {
    tx.query_row(&format!("{SELECT} WHERE c.id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "client",
            id: id.to_string(),
        })
}

impl Store {
    /// All clients whose name or email contains `search` (case-insensitive), sorted by name.
    pub fn list_clients(&mut self, search: Option<&str>) -> Result<Vec<Client>> {
        let pattern = format!("%{}%", escape_like(search.unwrap_or("").trim()));
        self.read(|tx, _| {
            let mut stmt = tx.prepare(&format!(
                "{SELECT} WHERE c.name LIKE ?1 ESCAPE '\\' OR c.email LIKE ?1 ESCAPE '\\'
                 ORDER BY c.name COLLATE NOCASE, c.id"
            ))?;
            let rows = stmt.query_map([pattern], from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// One client by id.
    pub fn client(&mut self, id: &str) -> Result<Client> {
        self.read(|tx, _| find(tx, id))
    }

    /// Validate and add a client.
    pub fn create_client(&mut self, input: &ClientInput) -> Result<Client> {
        let c = input.validate()?;
        self.write(|tx, clock| {
            let id = ulid::Ulid::new().to_string();
            let now = timestamp(clock.now());
            tx.execute(
                "INSERT INTO clients (id, name, email, address, tax_id, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![id, c.name, c.email, c.address, c.tax_id, c.notes, now],
            )?;
            find(tx, &id)
        })
    }

    /// Validate and change a client.
    pub fn update_client(&mut self, id: &str, input: &ClientInput) -> Result<Client> {
        let c = input.validate()?;
        self.write(|tx, clock| {
            let changed = tx.execute(
                "UPDATE clients SET name = ?2, email = ?3, address = ?4, tax_id = ?5, notes = ?6,
                     updated_at = ?7 WHERE id = ?1",
                params![
                    id,
                    c.name,
                    c.email,
                    c.address,
                    c.tax_id,
                    c.notes,
                    timestamp(clock.now())
                ],
            )?;
            if changed == 0 {
                return Err(Error::NotFound {
                    what: "client",
                    id: id.to_string(),
                });
            }
            find(tx, id)
        })
    }
}

/// Escape `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub(super) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
