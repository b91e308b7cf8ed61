//! The rows of the accountant exports, read in one snapshot: invoices issued, payments received
//! and payouts made in a date range, and one invoice's whole history. Amounts stay the exact
//! decimal strings stored; nothing here touches a secret.

use rusqlite::{params, Row};
use serde::Serialize;

use super::Store;
use crate::error::Result;
use crate::money::currency;

/// One invoice row (issued in the range).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceRow {
    pub number: String,
    pub status: String,
    pub client: String,
    pub client_tax_id: String,
    pub currency: String,
    pub issue_date: String,
    pub due_date: String,
    pub subtotal: String,
    pub discount: String,
    pub tax: String,
    pub total: String,
    pub paid_at: Option<String>,
}

/// One payment received: a paid or partly paid link (paid in the range).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRow {
    pub invoice: String,
    pub client: String,
    pub state: String,
    pub currency: String,
    pub network: Option<String>,
    /// What the link asked for.
    pub amount: String,
    /// What was paid (the whole amount when paid in full and the API gave no figure).
    pub paid: String,
    pub tx_hash: Option<String>,
    pub payer_address: Option<String>,
    pub paid_at: Option<String>,
    pub link_token: String,
}

/// One payout (approved in the range).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutRow {
    pub number: String,
    pub state: String,
    pub contractor: String,
    pub network: String,
    pub address: String,
    pub currency: String,
    pub amount: String,
    pub reference: Option<String>,
    pub invoice: Option<String>,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub tx_hash: Option<String>,
    pub paid_at: Option<String>,
}

fn invoice_row(r: &Row<'_>) -> rusqlite::Result<InvoiceRow> {
    Ok(InvoiceRow {
        number: r.get(0)?,
        status: r.get(1)?,
        client: r.get(2)?,
        client_tax_id: r.get(3)?,
        currency: r.get(4)?,
        issue_date: r.get(5)?,
        due_date: r.get(6)?,
        subtotal: r.get(7)?,
        discount: r.get(8)?,
        tax: r.get(9)?,
        total: r.get(10)?,
        paid_at: r.get(11)?,
    })
}

impl Store {
    /// Invoices issued from `from` to `to` (inclusive `YYYY-MM-DD`), voided ones included (an
    /// accountant needs the gap in the numbering explained), by number order.
    pub fn export_invoices(&mut self, from: &str, to: &str) -> Result<Vec<InvoiceRow>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare(
                "SELECT i.number, i.status, c.name, c.tax_id, i.currency, i.issue_date,
                     i.due_date, i.subtotal, i.discount_total, i.tax_total, i.total, i.paid_at
                 FROM invoices i JOIN clients c ON c.id = i.client_id
                 WHERE i.issue_date BETWEEN ?1 AND ?2 ORDER BY i.seq",
            )?;
            let rows = stmt.query_map(params![from, to], invoice_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Payments received (paid or partly paid links) whose payment was seen from `from` to `to`.
    pub fn export_payments(&mut self, from: &str, to: &str) -> Result<Vec<PaymentRow>> {
        let end = format!("{to}T23:59:59.999999999Z");
        self.read(|tx, _| {
            let mut stmt = tx.prepare(
                "SELECT i.number, c.name, l.pay_state, l.currency, l.amount,
                     coalesce(l.paid_amount, CASE WHEN l.pay_state = 'paid' THEN l.amount END),
                     l.tx_hash, l.payer_address,
                     coalesce(l.paid_at, (SELECT max(e.at) FROM link_events e
                                          WHERE e.token = l.token AND e.applied = 1)),
                     l.token
                 FROM payment_links l JOIN invoices i ON i.id = l.invoice_id
                 JOIN clients c ON c.id = i.client_id
                 WHERE l.pay_state IN ('paid', 'partially_paid')
                 ORDER BY l.seq",
            )?;
            let rows = stmt.query_map([], |r| {
                let currency: String = r.get(3)?;
                Ok(PaymentRow {
                    invoice: r.get(0)?,
                    client: r.get(1)?,
                    state: r.get(2)?,
                    network: currency::lookup("currency", &currency)
                        .ok()
                        .and_then(|c| c.network)
                        .map(String::from),
                    currency,
                    amount: r.get(4)?,
                    paid: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    tx_hash: r.get(6)?,
                    payer_address: r.get(7)?,
                    paid_at: r.get(8)?,
                    link_token: r.get(9)?,
                })
            })?;
            let all = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(all
                .into_iter()
                .filter(|p| {
                    p.paid_at
                        .as_deref()
                        .is_some_and(|at| at >= from && at <= end.as_str())
                })
                .collect())
        })
    }

    /// Payouts approved from `from` to `to`, by number.
    pub fn export_payouts(&mut self, from: &str, to: &str) -> Result<Vec<PayoutRow>> {
        let end = format!("{to}T23:59:59.999999999Z");
        self.read(|tx, _| {
            let mut stmt = tx.prepare(
                "SELECT 'PO-' || printf('%04d', p.seq), p.state, c.name, p.network,
                     coalesce(p.address, c.address), p.currency, p.amount, p.reference,
                     i.number, p.approved_at, p.approved_by, p.tx_hash, p.paid_at
                 FROM payouts p JOIN contractors c ON c.id = p.contractor_id
                 LEFT JOIN invoices i ON i.id = p.invoice_id
                 WHERE p.approved_at BETWEEN ?1 AND ?2 ORDER BY p.seq",
            )?;
            let rows = stmt.query_map(params![from, end], |r| {
                Ok(PayoutRow {
                    number: r.get(0)?,
                    state: r.get(1)?,
                    contractor: r.get(2)?,
                    network: r.get(3)?,
                    address: r.get(4)?,
                    currency: r.get(5)?,
                    amount: r.get(6)?,
                    reference: r.get(7)?,
                    invoice: r.get(8)?,
                    approved_at: r.get(9)?,
                    approved_by: r.get(10)?,
                    tx_hash: r.get(11)?,
                    paid_at: r.get(12)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
