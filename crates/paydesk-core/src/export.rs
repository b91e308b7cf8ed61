//! Exports for the accountant: invoices, payments received and payouts made in a date range as
//! CSV (one header row, amounts as the exact decimal strings of the books, timestamps in
//! RFC 3339 UTC), and one invoice's event history as JSON. Nothing in them is a secret: rows are
//! built from the books only, never from the keychain.

use std::io::Write;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{InvoiceRow, PaymentRow, PayoutRow};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    Invoices,
    Payments,
    Payouts,
}

impl ExportKind {
    /// Parse `invoices`, `payments` or `payouts`; errors name `field`.
    pub fn parse(field: &str, s: &str) -> Result<ExportKind> {
        match s {
            "invoices" => Ok(ExportKind::Invoices),
            "payments" => Ok(ExportKind::Payments),
            "payouts" => Ok(ExportKind::Payouts),
            _ => Err(Error::invalid(
                field,
                "must be invoices, payments or payouts",
            )),
        }
    }
}

/// An inclusive range of days, `from` not after `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// Parse two `YYYY-MM-DD` days (errors on `from` / `to`).
    pub fn parse(from: &str, to: &str) -> Result<DateRange> {
        let day = |field: &str, s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| Error::invalid(field, "must be a date like 2026-01-31"))
        };
        let range = DateRange {
            from: day("from", from)?,
            to: day("to", to)?,
        };
        if range.from > range.to {
            return Err(Error::invalid("to", "must not be before from"));
        }
        Ok(range)
    }
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("cannot write the export", io),
        other => Error::invalid("export", format!("cannot write a row: {other:?}")),
    }
}

/// Write `rows` as CSV with a header row (the fields' camelCase names).
pub fn write_csv<T: Serialize, W: Write>(rows: &[T], out: W) -> Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    for row in rows {
        w.serialize(row).map_err(csv_error)?;
    }
    w.flush()
        .map_err(|e| Error::io("cannot write the export", e))?;
    Ok(rows.len())
}

/// The header of an export with no rows (so an empty export still says what it holds).
pub fn header(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Invoices => {
            "number,status,client,clientTaxId,currency,issueDate,dueDate,subtotal,discount,tax,total,paidAt"
        }
        ExportKind::Payments => {
            "invoice,client,state,currency,network,amount,paid,txHash,payerAddress,paidAt,linkToken"
        }
        ExportKind::Payouts => {
            "number,state,contractor,network,address,currency,amount,reference,invoice,approvedAt,approvedBy,txHash,paidAt"
        }
    }
}

/// The rows of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportRows {
    Invoices(Vec<InvoiceRow>),
    Payments(Vec<PaymentRow>),
    Payouts(Vec<PayoutRow>),
}

impl ExportRows {
    /// Write as CSV (the header alone when empty); the number of rows.
    pub fn write_csv<W: Write>(&self, mut out: W) -> Result<usize> {
        let (kind, empty) = match self {
            ExportRows::Invoices(r) => (ExportKind::Invoices, r.is_empty()),
            ExportRows::Payments(r) => (ExportKind::Payments, r.is_empty()),
            ExportRows::Payouts(r) => (ExportKind::Payouts, r.is_empty()),
        };
        if empty {
            writeln!(out, "{}", header(kind))
                .map_err(|e| Error::io("cannot write the export", e))?;
            return Ok(0);
        }
        match self {
            ExportRows::Invoices(r) => write_csv(r, out),
            ExportRows::Payments(r) => write_csv(r, out),
            ExportRows::Payouts(r) => write_csv(r, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_kinds_name_their_field() {
        assert!(DateRange::parse("2026-01-01", "2026-12-31").is_ok());
        for (from, to, field) in [
            ("2026-13-01", "2026-12-31", "from"),
            ("2026-01-01", "soon", "to"),
            ("2026-02-01", "2026-01-31", "to"),
        ] {
            match DateRange::parse(from, to) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{from} {to}: {other:?}"),
            }
        }
        assert!(ExportKind::parse("kind", "receipts").is_err());
    }

    #[test]
    fn an_empty_export_still_has_its_header_and_headers_match_the_rows() {
        let mut out = Vec::new();
        assert_eq!(ExportRows::Payouts(vec![]).write_csv(&mut out).unwrap(), 0);
        assert_eq!(
            String::from_utf8(out).unwrap().trim(),
            header(ExportKind::Payouts)
        );
        let row = InvoiceRow {
            number: "INV-1".into(),
            status: "paid".into(),
            client: "Acme, Inc.".into(),
            client_tax_id: String::new(),
            currency: "USDC-base".into(),
            issue_date: "2026-11-01".into(),
            due_date: "2026-12-01".into(),
            subtotal: "100.000000".into(),
            discount: "0.000000".into(),
            tax: "20.000000".into(),
            total: "120.000000".into(),
            paid_at: None,
        };
        let mut out = Vec::new();
        ExportRows::Invoices(vec![row]).write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(header(ExportKind::Invoices)));
        assert_eq!(
            lines.next(),
            Some("INV-1,paid,\"Acme, Inc.\",,USDC-base,2026-11-01,2026-12-01,100.000000,0.000000,20.000000,120.000000,")
        );
    }
}
