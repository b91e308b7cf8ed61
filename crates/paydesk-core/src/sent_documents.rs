//! The copies of sent invoices kept in the data folder (`documents/<mode>/<number>.pdf`), and
//! keeping them true: when the invoice gets a new payment link (a re-issue) or its link is
//! voided, a kept copy is printed again with the current link, or with none.
//!
//! What a document shows is read here from the store ([`read_document`]), so the facade and the
//! outbox (on its own connection) print the same thing.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::document::{self, InvoiceDocument, Logo, Paper};
use crate::domain::{Invoice, LinkStatus, Mode, PaymentLink};
use crate::error::{Error, Result};
use crate::store::Store;

/// The folder of one mode's sent documents.
#[derive(Debug, Clone)]
pub struct SentDocuments {
    dir: PathBuf,
}

impl SentDocuments {
    /// The sent documents of `mode` in `data_dir`.
    pub fn new(data_dir: &Path, mode: Mode) -> SentDocuments {
        SentDocuments {
            dir: data_dir.join("documents").join(mode.as_str()),
        }
    }

    /// Where the kept copy of invoice `number` goes (unsafe characters become `_`).
    pub fn path_for(&self, number: &str) -> PathBuf {
        let name: String = number
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.pdf"))
    }

    /// Print the invoice on `paper` and keep the copy (creating the folder); its absolute path.
    pub fn keep(
        &self,
        store: &mut Store,
        invoice: &Invoice,
        paper: Paper,
        now: DateTime<Utc>,
    ) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io(format!("cannot create {}", self.dir.display()), e))?;
        self.write(store, invoice, paper, now)
    }

    /// Print the kept copy of `invoice_id` again (on the paper invoices were last sent on), if
    /// there is one; its path when it was.
    pub fn refresh(
        &self,
        store: &mut Store,
        invoice_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PathBuf>> {
        let invoice = store.invoice(invoice_id)?;
        if invoice.sent_at.is_none() || !self.path_for(&invoice.number).is_file() {
            return Ok(None);
        }
        let paper = store.sent_paper()?;
        let path = self.write(store, &invoice, paper, now)?;
        tracing::info!(
            invoice = %invoice.number,
            path = %path.display(),
            "printed the sent invoice again with its current payment link"
        );
        Ok(Some(path))
    }

    fn write(
        &self,
        store: &mut Store,
        invoice: &Invoice,
        paper: Paper,
        now: DateTime<Utc>,
    ) -> Result<PathBuf> {
        let pdf = document::render_pdf(&read_document(store, invoice, now)?, paper)?;
        document::write_atomically(&self.path_for(&invoice.number), &pdf.bytes)
    }
}

/// Everything the invoice's document shows, read now: profile, logo, client, lines, totals and
/// the current live link (an expired, voided or queued link is not printed).
pub fn read_document(
    store: &mut Store,
    invoice: &Invoice,
    now: DateTime<Utc>,
) -> Result<InvoiceDocument> {
    let client = store.client(&invoice.client_id)?;
    let profile = store.profile()?;
    let logo = store
        .logo_path()?
        .map(|p| Logo::read(Path::new(&p)))
        .transpose()?;
    let link = payable_link(store, &invoice.id, now)?;
    InvoiceDocument::new(invoice, &client, &profile, logo, link.as_ref())
}

/// The invoice's live link that has not expired at `now`, if any.
pub fn payable_link(
    store: &mut Store,
    invoice_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<PaymentLink>> {
    Ok(store
        .links_of(invoice_id)?
        .into_iter()
        .rev()
        .find(|l| l.status == LinkStatus::Live)
        .filter(|l| DateTime::parse_from_rfc3339(&l.expires_at).map_or(true, |t| t > now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_keeps_its_own_copies_under_a_safe_name() {
        let dir = Path::new("/data");
        let test = SentDocuments::new(dir, Mode::Test);
        let live = SentDocuments::new(dir, Mode::Live);
        assert_eq!(
            test.path_for("INV/2026 01"),
            Path::new("/data/documents/test/INV_2026_01.pdf")
        );
        assert_ne!(test.path_for("INV-1"), live.path_for("INV-1"));
    }
}
