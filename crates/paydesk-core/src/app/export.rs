//! The facade's accountant exports: CSV of invoices, payments or payouts for a date range, and
//! one invoice's history as JSON, written atomically.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Paydesk;
use crate::error::Result;
use crate::export::{DateRange, ExportKind, ExportRows};
use crate::fsutil::write_atomically;
use crate::status::PaymentStatus;
use crate::store::WebhookDelivery;

/// Everything that explains one invoice's status, for the accountant or support.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceHistory {
    pub invoice: crate::domain::Invoice,
    pub links: Vec<crate::domain::PaymentLink>,
    pub status: PaymentStatus,
    pub webhook_deliveries: Vec<WebhookDelivery>,
}

impl Paydesk {
    /// The rows of one export.
    pub fn export_rows(&mut self, kind: ExportKind, range: DateRange) -> Result<ExportRows> {
        let (from, to) = (range.from.to_string(), range.to.to_string());
        let store = self.store();
        Ok(match kind {
            ExportKind::Invoices => ExportRows::Invoices(store.export_invoices(&from, &to)?),
            ExportKind::Payments => ExportRows::Payments(store.export_payments(&from, &to)?),
            ExportKind::Payouts => ExportRows::Payouts(store.export_payouts(&from, &to)?),
        })
    }

    /// Write one export as CSV to `path` (atomically); the path written and the row count.
    pub fn write_export(
        &mut self,
        kind: ExportKind,
        range: DateRange,
        path: &Path,
    ) -> Result<(PathBuf, usize)> {
        let rows = self.export_rows(kind, range)?;
        let mut bytes = Vec::new();
        let count = rows.write_csv(&mut bytes)?;
        Ok((write_atomically(path, &bytes)?, count))
    }

    /// One invoice's whole history: the invoice, every link, every status event and webhook.
    pub fn invoice_history(&mut self, id_or_number: &str) -> Result<InvoiceHistory> {
        let invoice = self.find_invoice(id_or_number)?;
        let id = invoice.id.clone();
        Ok(InvoiceHistory {
            links: self.links_of(&id)?,
            status: self.payment_status(&id)?,
            webhook_deliveries: self.webhook_deliveries(&id)?,
            invoice,
        })
    }
}
