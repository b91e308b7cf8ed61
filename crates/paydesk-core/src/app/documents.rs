//! Invoice documents on the facade: the business logo setting, the document of an invoice,
//! its PDF, and saving that PDF atomically.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Paydesk;
use crate::document::{self, InvoiceDocument, Logo, Paper};
use crate::error::{Error, Result};
use crate::sent_documents::{self, SentDocuments};

/// An invoice sent: the mail draft to open and the PDF to attach to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentInvoice {
    pub mailto: String,
    pub pdf_path: String,
    pub sent_at: String,
}

/// A PDF saved to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedPdf {
    /// The absolute path written.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its page count.
    pub pages: usize,
}

impl Paydesk {
    /// Choose the business logo (a PNG or JPEG file, checked by its magic bytes) or, with
    /// `None`, remove it. Stores the absolute path; returns it.
    pub fn set_logo(&mut self, path: Option<&Path>) -> Result<Option<PathBuf>> {
        let Some(path) = path else {
            self.store.set_logo_path(None)?;
            return Ok(None);
        };
        let abs = std::path::absolute(path).map_err(|e| {
            Error::invalid("logo", format!("cannot resolve {} ({e})", path.display()))
        })?;
        if !abs.is_file() {
            return Err(Error::invalid(
                "logo",
                format!("{} does not exist or is not a file", abs.display()),
            ));
        }
        Logo::read(&abs)?;
        let text = abs.to_str().ok_or_else(|| {
            Error::invalid("logo", format!("{} is not a UTF-8 path", abs.display()))
        })?;
        self.store.set_logo_path(Some(text))?;
        Ok(Some(abs))
    }

    /// The business logo's path, if one was chosen (the file may have gone since).
    pub fn logo_path(&mut self) -> Result<Option<PathBuf>> {
        Ok(self.store.logo_path()?.map(PathBuf::from))
    }

    /// Everything the invoice's document shows, read now: profile, logo, client, lines,
    /// totals and the current live link (an expired, voided or queued link is not printed).
    pub fn invoice_document(&mut self, id_or_number: &str) -> Result<InvoiceDocument> {
        let invoice = self.find_invoice(id_or_number)?;
        sent_documents::read_document(&mut self.store, &invoice, self.clock.now())
    }

    /// The invoice's PDF on `paper`.
    pub fn invoice_pdf(&mut self, id_or_number: &str, paper: Paper) -> Result<Vec<u8>> {
        document::invoice_pdf(&self.invoice_document(id_or_number)?, paper)
    }

    /// Save the invoice's PDF to `path` atomically (a temp file in the same folder, synced,
    /// renamed over the target; on failure nothing is left behind). Returns the absolute path.
    pub fn write_invoice_pdf(
        &mut self,
        id_or_number: &str,
        paper: Paper,
        path: &Path,
    ) -> Result<PathBuf> {
        self.save_invoice_pdf(id_or_number, paper, path)
            .map(|s| PathBuf::from(s.path))
    }

    /// [`Paydesk::write_invoice_pdf`], also telling the size and page count.
    pub fn save_invoice_pdf(
        &mut self,
        id_or_number: &str,
        paper: Paper,
        path: &Path,
    ) -> Result<SavedPdf> {
        let pdf = document::render_pdf(&self.invoice_document(id_or_number)?, paper)?;
        let written = document::write_atomically(path, &pdf.bytes)?;
        Ok(SavedPdf {
            path: written.display().to_string(),
            bytes: pdf.bytes.len() as u64,
            pages: pdf.pages,
        })
    }

    /// This mode's kept copies of sent invoices.
    pub fn sent_documents(&self) -> SentDocuments {
        SentDocuments::new(&self.data_dir, self.mode)
    }

    /// "Send": write the invoice's PDF to the data folder's `documents/<mode>/` (printed again
    /// when its link is re-issued or voided), build the mail draft
    /// (subject, amount, due date, the payment link) and record the invoice as sent. Opening
    /// the draft and showing the PDF to attach are the caller's (the OS opener). Needs a live
    /// link (`conflict` on `link`).
    pub fn send_invoice(&mut self, id_or_number: &str, paper: Paper) -> Result<SentInvoice> {
        let invoice = self.find_invoice(id_or_number)?;
        let share = self.link_share(&invoice.id)?;
        let kept =
            self.sent_documents()
                .keep(&mut self.store, &invoice, paper, self.clock.now())?;
        let sent = self.store.mark_sent(&invoice.id, paper)?;
        Ok(SentInvoice {
            mailto: share.mailto,
            pdf_path: kept.display().to_string(),
            sent_at: sent.sent_at.unwrap_or_default(),
        })
    }
}
