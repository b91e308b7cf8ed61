//! Invoices and their line items in SQLite: numbering, create, edit, void, duplicate, list.

use std::str::FromStr;

use chrono::{Days, NaiveDate};
use rusqlite::{params, OptionalExtension, Row, ToSql, Transaction};
use rust_decimal::Decimal;

use super::clients::escape_like;
use super::{links, settings, Store};
use crate::clock::{timestamp, Clock};
use crate::domain::numbering::NumberPattern;
use crate::domain::{
    DiscountInput, Invoice, InvoiceDraft, InvoiceInput, InvoicePage, InvoiceQuery, InvoiceSort,
    InvoiceStatus, InvoiceSummary, LineItemInput, Mode,
};
use crate::error::{Error, Result};
use crate::money::currency;
use crate::money::totals::{compute_totals, format_amount, Discount, DiscountKind, LineItem};

/// The status a user sees: stored status, with `overdue` derived from the due date.
const DERIVED_STATUS: &str =
    "CASE WHEN i.status IN ('issued', 'partially_paid') AND i.due_date < :today
    THEN 'overdue' ELSE i.status END";

/// Most rows one list page may ask for.
pub const MAX_PAGE: u32 = 500;

fn corrupt(what: &str) -> Error {
    Error::Storage(rusqlite::Error::InvalidColumnType(
        0,
        format!("stored {what} is not valid"),
        rusqlite::types::Type::Text,
    ))
}

fn decimal(what: &str, s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|_| corrupt(what))
}

/// A sortable text key for a non-negative amount: 20 integer digits, 18 fraction digits.
fn total_key(total: Decimal) -> String {
    let mut t = total;
    t.rescale(18);
    let text = t.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    format!("{int:0>20}.{frac:0<18}")
}

fn number_taken(tx: &Transaction<'_>, number: &str) -> Result<bool> {
    Ok(tx
        .query_row("SELECT 1 FROM invoices WHERE number = ?1", [number], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// The next free number from the pattern for `date`; advances the scope's counter.
fn next_number(tx: &Transaction<'_>, pattern: &NumberPattern, date: NaiveDate) -> Result<String> {
    let scope = pattern.scope(date);
    let last: i64 = tx
        .query_row(
            "SELECT last FROM number_sequences WHERE scope = ?1",
            [&scope],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let mut seq = last + 1;
    // A number typed by hand may already hold this slot: skip it, never reuse it.
    let number = loop {
        let candidate = pattern.render(date, seq as u64);
        if !number_taken(tx, &candidate)? {
            break candidate;
        }
        seq += 1;
    };
    tx.execute(
        "INSERT INTO number_sequences (scope, last) VALUES (?1, ?2)
         ON CONFLICT (scope) DO UPDATE SET last = excluded.last",
        params![scope, seq],
    )?;
    Ok(number)
}

fn check_client(tx: &Transaction<'_>, client_id: &str) -> Result<()> {
    let exists = tx
        .query_row("SELECT 1 FROM clients WHERE id = ?1", [client_id], |_| {
            Ok(())
        })
        .optional()?
        .is_some();
    if exists {
        Ok(())
    } else {
        Err(Error::invalid("clientId", "no client with this id exists"))
    }
}

fn write_lines(
    tx: &Transaction<'_>,
    invoice_id: &str,
    lines: &[LineItem],
    decimals: u32,
) -> Result<()> {
    tx.execute(
        "DELETE FROM invoice_lines WHERE invoice_id = ?1",
        [invoice_id],
    )?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price,
             tax_rate, discount) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (pos, l) in lines.iter().enumerate() {
        stmt.execute(params![
            invoice_id,
            pos as i64,
            l.description,
            l.quantity.to_string(),
            format_amount(l.unit_price, decimals),
            l.tax_rate.to_string(),
            l.discount.to_string()
        ])?;
    }
    Ok(())
}

/// Insert a validated invoice with `number` as a draft; returns its id.
fn insert(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    d: &InvoiceDraft,
    number: &str,
) -> Result<String> {
    let id = ulid::Ulid::new().to_string();
    let now = timestamp(clock.now());
    let t = &d.totals;
    tx.execute(
        "INSERT INTO invoices (id, number, client_id, status, currency, issue_date, due_date,
             payment_terms_days, discount_kind, discount_value, notes, terms, subtotal,
             discount_total, tax_total, total, total_key, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
             ?17, ?17)",
        params![
            id,
            number,
            d.client_id,
            d.currency.id,
            d.issue_date.to_string(),
            d.due_date.to_string(),
            d.payment_terms_days,
            d.discount.kind.as_str(),
            d.discount.value.to_string(),
            d.notes,
            d.terms,
            t.subtotal.to_wire(),
            t.discount.to_wire(),
            t.tax.to_wire(),
            t.total.to_wire(),
            total_key(t.total.value),
            now
        ],
    )?;
    write_lines(tx, &id, &d.lines, d.currency.decimals)?;
    Ok(id)
}

pub(super) fn load(tx: &Transaction<'_>, clock: &dyn Clock, id: &str) -> Result<Invoice> {
    let today = clock.today().to_string();
    let row = tx
        .query_row(
            &format!(
                "SELECT i.id, i.number, {DERIVED_STATUS}, i.client_id, c.name, i.currency,
                     i.issue_date, i.due_date, i.payment_terms_days, i.discount_kind,
                     i.discount_value, i.notes, i.terms, i.created_at, i.updated_at, i.voided_at,
                     (SELECT l.verified_at FROM payment_links l WHERE l.invoice_id = i.id ORDER BY l.seq DESC LIMIT 1),
                     i.sent_at
                 FROM invoices i JOIN clients c ON c.id = i.client_id WHERE i.id = :id"
            ),
            rusqlite::named_params! { ":today": today, ":id": id },
            |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                    ),
                    (
                        r.get::<_, Option<u32>>(8)?,
                        r.get::<_, String>(9)?,
                        r.get::<_, String>(10)?,
                        r.get::<_, String>(11)?,
                        r.get::<_, String>(12)?,
                        r.get::<_, String>(13)?,
                        r.get::<_, String>(14)?,
                        r.get::<_, Option<String>>(15)?,
                        r.get::<_, Option<String>>(16)?,
                        r.get::<_, Option<String>>(17)?,
                    ),
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "invoice",
            id: id.to_string(),
        })?;
    let ((id, number, status, client_id, client_name, currency_id, issue_date, due_date), rest) =
        row;
    let (
        terms_days,
        discount_kind,
        discount_value,
        notes,
        terms,
        created_at,
        updated_at,
        voided_at,
        verified_at,
        sent_at,
    ) = rest;
    let currency = currency::lookup("currency", &currency_id).map_err(|_| corrupt("currency"))?;
    let mut stmt = tx.prepare_cached(
        "SELECT description, quantity, unit_price, tax_rate, discount FROM invoice_lines
         WHERE invoice_id = ?1 ORDER BY position",
    )?;
    let inputs = stmt
        .query_map([&id], |r: &Row<'_>| {
            Ok(LineItemInput {
                description: r.get(0)?,
                quantity: r.get(1)?,
                unit_price: r.get(2)?,
                tax_rate: r.get(3)?,
                discount: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let lines = inputs
        .iter()
        .map(|l| {
            Ok(LineItem {
                description: l.description.clone(),
                quantity: decimal("quantity", &l.quantity)?,
                unit_price: decimal("unit price", &l.unit_price)?,
                tax_rate: decimal("tax rate", &l.tax_rate)?,
                discount: decimal("discount", &l.discount)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let kind = match discount_kind.as_str() {
        "amount" => DiscountKind::Amount,
        _ => DiscountKind::Percent,
    };
    let discount = Discount {
        kind,
        value: decimal("discount", &discount_value)?,
    };
    let totals = compute_totals(&lines, discount, currency.decimals)?;
    Ok(Invoice {
        id,
        number,
        status: InvoiceStatus::parse("status", &status).map_err(|_| corrupt("status"))?,
        client_id,
        client_name,
        currency: currency_id,
        issue_date,
        due_date,
        payment_terms_days: terms_days,
        lines: inputs,
        discount: DiscountInput {
            kind,
            value: discount_value,
        },
        notes,
        terms,
        totals,
        created_at,
        updated_at,
        voided_at,
        verified_at,
        sent_at,
    })
}

fn stored_status(tx: &Transaction<'_>, id: &str) -> Result<(String, String)> {
    tx.query_row(
        "SELECT status, number FROM invoices WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "invoice",
        id: id.to_string(),
    })
}

fn status_filter(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Overdue => {
            "i.status IN ('issued', 'partially_paid') AND i.due_date < :today"
        }
        InvoiceStatus::Issued => "i.status = 'issued' AND i.due_date >= :today",
        InvoiceStatus::PartiallyPaid => "i.status = 'partially_paid' AND i.due_date >= :today",
        InvoiceStatus::Draft => "i.status = 'draft'",
        InvoiceStatus::Paid => "i.status = 'paid'",
        InvoiceStatus::Expired => "i.status = 'expired'",
        InvoiceStatus::Void => "i.status = 'void'",
    }
}

/// An FTS5 phrase query for `term` (quotes doubled so any text is a literal phrase).
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

impl Store {
    /// Record that the invoice was sent to its client now; the invoice as it is afterwards.
    pub fn mark_sent(&mut self, id: &str, paper: crate::document::Paper) -> Result<Invoice> {
        self.write(|tx, clock| {
            super::documents::remember_sent_paper(tx, paper)?;
            if load(tx, clock, id)?.status == InvoiceStatus::Void {
                return Err(Error::conflict(
                    Some("status"),
                    "a void invoice cannot be sent",
                ));
            }
            tx.execute(
                "UPDATE invoices SET sent_at = ?2 WHERE id = ?1",
                params![id, timestamp(clock.now())],
            )?;
            load(tx, clock, id)
        })
    }

    /// Validate and create an invoice (a draft) with the next number or the one given.
    pub fn create_invoice(&mut self, mode: Mode, input: &InvoiceInput) -> Result<Invoice> {
        let draft = input.validate()?;
        self.write(|tx, clock| {
            check_client(tx, &draft.client_id)?;
            let number = match &draft.number {
                Some(n) => {
                    if number_taken(tx, n)? {
                        return Err(Error::conflict(
                            Some("number"),
                            format!(
                                "{n} is already used by another invoice; numbers are never reused"
                            ),
                        ));
                    }
                    n.clone()
                }
                None => {
                    let s = settings::load(tx, mode)?;
                    let pattern = NumberPattern::parse(&s.numbering_pattern)?;
                    next_number(tx, &pattern, draft.issue_date)?
                }
            };
            let id = insert(tx, clock, &draft, &number)?;
            load(tx, clock, &id)
        })
    }

    /// Validate and save changes to an invoice. Its number never changes; a void invoice is final.
    pub fn update_invoice(&mut self, id: &str, input: &InvoiceInput) -> Result<Invoice> {
        let d = input.validate()?;
        self.write(|tx, clock| {
            let (status, number) = stored_status(tx, id)?;
            if status == "void" {
                return Err(Error::conflict(
                    None,
                    format!("{number} is void and cannot be edited"),
                ));
            }
            if let Some(n) = &d.number {
                if *n != number {
                    return Err(Error::conflict(
                        Some("number"),
                        "cannot be changed once assigned",
                    ));
                }
            }
            links::check_unlocked(tx, id, &number)?;
            check_client(tx, &d.client_id)?;
            let t = &d.totals;
            tx.execute(
                "UPDATE invoices SET client_id = ?2, currency = ?3, issue_date = ?4, due_date = ?5,
                     payment_terms_days = ?6, discount_kind = ?7, discount_value = ?8, notes = ?9,
                     terms = ?10, subtotal = ?11, discount_total = ?12, tax_total = ?13,
                     total = ?14, total_key = ?15, updated_at = ?16
                 WHERE id = ?1",
                params![
                    id,
                    d.client_id,
                    d.currency.id,
                    d.issue_date.to_string(),
                    d.due_date.to_string(),
                    d.payment_terms_days,
                    d.discount.kind.as_str(),
                    d.discount.value.to_string(),
                    d.notes,
                    d.terms,
                    t.subtotal.to_wire(),
                    t.discount.to_wire(),
                    t.tax.to_wire(),
                    t.total.to_wire(),
                    total_key(t.total.value),
                    timestamp(clock.now())
                ],
            )?;
            write_lines(tx, id, &d.lines, d.currency.decimals)?;
            load(tx, clock, id)
        })
    }

    /// Void an invoice. It keeps its number, which is never given out again.
    pub fn void_invoice(&mut self, id: &str) -> Result<Invoice> {
        self.write(|tx, clock| {
            let (status, number) = stored_status(tx, id)?;
            if status == "void" {
                return Err(Error::conflict(None, format!("{number} is already void")));
            }
            if status == "paid" {
                return Err(Error::conflict(None, format!("{number} is paid and cannot be voided")));
            }
            let now = timestamp(clock.now());
            links::end_all(tx, id, &now)?;
            tx.execute(
                "UPDATE invoices SET status = 'void', voided_at = ?2, updated_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            load(tx, clock, id)
        })
    }

    /// Copy an invoice into a new draft with the next number, issued today.
    pub fn duplicate_invoice(&mut self, mode: Mode, id: &str) -> Result<Invoice> {
        self.write(|tx, clock| {
            let src = load(tx, clock, id)?;
            let today = clock.today();
            let due = match src.payment_terms_days {
                Some(_) => None,
                None => {
                    let issue =
                        NaiveDate::from_str(&src.issue_date).map_err(|_| corrupt("date"))?;
                    let due = NaiveDate::from_str(&src.due_date).map_err(|_| corrupt("date"))?;
                    let days = (due - issue).num_days().max(0) as u64;
                    today
                        .checked_add_days(Days::new(days))
                        .map(|d| d.to_string())
                }
            };
            let input = InvoiceInput {
                client_id: src.client_id,
                currency: src.currency,
                issue_date: today.to_string(),
                due_date: due,
                payment_terms_days: src.payment_terms_days,
                number: None,
                lines: src.lines,
                discount: src.discount,
                notes: src.notes,
                terms: src.terms,
            };
            let draft = input.validate()?;
            let s = settings::load(tx, mode)?;
            let pattern = NumberPattern::parse(&s.numbering_pattern)?;
            let number = next_number(tx, &pattern, today)?;
            let new_id = insert(tx, clock, &draft, &number)?;
            load(tx, clock, &new_id)
        })
    }

    /// One invoice with its lines and totals.
    pub fn invoice(&mut self, id: &str) -> Result<Invoice> {
        self.read(|tx, clock| load(tx, clock, id))
    }

    /// One invoice by its number.
    pub fn invoice_by_number(&mut self, number: &str) -> Result<Invoice> {
        self.read(|tx, clock| {
            let id: String = tx
                .query_row("SELECT id FROM invoices WHERE number = ?1", [number], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    what: "invoice",
                    id: number.to_string(),
                })?;
            load(tx, clock, &id)
        })
    }

    /// One page of the invoice list: filtered by status, searched by number or client name,
    /// sorted, with the count of all matching rows.
    pub fn list_invoices(&mut self, query: &InvoiceQuery) -> Result<InvoicePage> {
        if query.limit == 0 || query.limit > MAX_PAGE {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        self.read(|tx, clock| {
            let today = clock.today().to_string();
            let mut clauses: Vec<&str> = Vec::new();
            let mut binds: Vec<(&str, Box<dyn ToSql>)> = vec![(":today", Box::new(today))];
            if let Some(status) = query.status {
                clauses.push(status_filter(status));
            }
            let term = query.search.as_deref().map(str::trim).unwrap_or("");
            if !term.is_empty() {
                // Client names: a LIKE scan of the (small) clients table, then the client index.
                // Numbers: the trigram index from 3 characters on, a LIKE scan below that.
                let number_match = if term.chars().count() >= 3 {
                    binds.push((":fts", Box::new(fts_phrase(term))));
                    "i.seq IN (SELECT rowid FROM invoice_numbers WHERE invoice_numbers MATCH :fts)"
                } else {
                    "i.number LIKE :like ESCAPE '\\'"
                };
                clauses.push(if number_match.starts_with("i.seq") {
                    "(i.client_id IN (SELECT id FROM clients WHERE name LIKE :like ESCAPE '\\')
                      OR i.seq IN (SELECT rowid FROM invoice_numbers WHERE invoice_numbers MATCH :fts))"
                } else {
                    "(i.client_id IN (SELECT id FROM clients WHERE name LIKE :like ESCAPE '\\')
                      OR i.number LIKE :like ESCAPE '\\')"
                });
                binds.push((":like", Box::new(format!("%{}%", escape_like(term)))));
            }
            let filter = if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            };
            let dir = if query.descending { "DESC" } else { "ASC" };
            let order = match query.sort {
                InvoiceSort::DueDate => format!("i.due_date {dir}, i.seq {dir}"),
                InvoiceSort::IssueDate => format!("i.issue_date {dir}, i.seq {dir}"),
                InvoiceSort::Number => format!("i.number {dir}"),
                InvoiceSort::Client => format!("c.name COLLATE NOCASE {dir}, i.due_date {dir}, i.seq {dir}"),
                InvoiceSort::Total => format!("i.total_key {dir}, i.seq {dir}"),
                InvoiceSort::Status => format!("{DERIVED_STATUS} {dir}, i.due_date {dir}, i.seq {dir}"),
            };
            // Filters never name `clients` directly, so the count needs no join.
            let from = format!("FROM invoices i JOIN clients c ON c.id = i.client_id {filter}");
            let page_sql = format!(
                "SELECT i.id, i.number, {DERIVED_STATUS}, i.client_id, c.name, i.currency, i.total,
                     i.issue_date, i.due_date, (SELECT l.verified_at FROM payment_links l WHERE l.invoice_id = i.id ORDER BY l.seq DESC LIMIT 1)
                 {from} ORDER BY {order} LIMIT :limit OFFSET :offset"
            );
            let mut params: Vec<(&str, &dyn ToSql)> =
                binds.iter().map(|(k, v)| (*k, v.as_ref())).collect();
            let count_params = params.clone();
            params.push((":limit", &query.limit));
            params.push((":offset", &query.offset));
            let mut stmt = tx.prepare_cached(&page_sql)?;
            let rows = stmt.query_map(params.as_slice(), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            })?;
            let mut items = Vec::new();
            for row in rows {
                let (id, number, status, client_id, client_name, currency, total, issue, due, verified) =
                    row?;
                items.push(InvoiceSummary {
                    id,
                    number,
                    status: InvoiceStatus::parse("status", &status).map_err(|_| corrupt("status"))?,
                    client_id,
                    client_name,
                    currency,
                    total,
                    issue_date: issue,
                    due_date: due,
                    verified_at: verified,
                });
            }
            // Only the status filter's :today and the search terms bind in the count.
            let count_sql = format!("SELECT count(*) FROM invoices i {filter}");
            let used: Vec<(&str, &dyn ToSql)> = count_params
                .into_iter()
                .filter(|(k, _)| count_sql.contains(k))
                .collect();
            let total: i64 = tx
                .prepare_cached(&count_sql)?
                .query_row(used.as_slice(), |r| r.get(0))?;
            Ok(InvoicePage {
                items,
                total: total.max(0) as u64,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_key_sorts_like_numbers() {
        let mut keys: Vec<_> = ["10", "9.5", "100.000001", "0", "9.49"]
            .iter()
            .map(|s| (total_key(Decimal::from_str(s).unwrap()), *s))
            .collect();
        keys.sort();
        let order: Vec<_> = keys.iter().map(|k| k.1).collect();
        assert_eq!(order, ["0", "9.49", "9.5", "10", "100.000001"]);
    }

    #[test]
    fn fts_phrase_quotes_any_text() {
        assert_eq!(fts_phrase("ac\"me"), "\"ac\"\"me\"");
    }
}
