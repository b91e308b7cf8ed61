//! Invoice documents: everything printed on an invoice ([`InvoiceDocument`]) and its PDF.
//!
//! - [`model`]: the document gathered from the stored invoice, the business profile, the
//!   client, the optional logo and the invoice's live payment link (if any). Amounts stay exact
//!   `rust_decimal`s and are printed with [`crate::money::totals::format_amount`] at the
//!   currency's decimals; `f32` is used only for positions on the page.
//! - [`layout`]: lays the document out on A4 or Letter pages: header (logo, business name,
//!   "INVOICE" and the number), from/to blocks, dates, the line-items table (descriptions wrap,
//!   the table header repeats on every page), totals, notes and terms, the payment-link block
//!   (QR code drawn as vector squares, "Scan to pay", the URL, its expiry) and "Page n of m".
//! - [`render`](self::render): draws the laid-out pages with `krilla`: real text in embedded,
//!   subset Noto Sans (see `assets/fonts/LICENSE`), so the PDF can be searched and copied.
//! - [`write`]: writes a file atomically (temp file in the same folder, `sync_all`, rename).
//!
//! ```no_run
//! # fn demo(app: &mut paydesk_core::Paydesk) -> paydesk_core::Result<()> {
//! use paydesk_core::document::Paper;
//! let path = app.write_invoice_pdf("INV-2026-0001", Paper::A4, "invoice.pdf".as_ref())?;
//! println!("saved {}", path.display());
//! # Ok(()) }
//! ```

mod fonts;
pub mod layout;
pub mod logo;
pub mod model;
mod qr_draw;
mod render;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use crate::fsutil::{write_atomically, write_atomically_with};
pub use logo::{Logo, LogoKind};
pub use model::{DocumentLine, DocumentLink, DocumentTotals, InvoiceDocument, Party};

/// A paper size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// ISO A4, 595 × 842 pt.
    #[default]
    A4,
    /// US Letter, 612 × 792 pt.
    Letter,
}

impl Paper {
    /// The name used in settings, IPC and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }

    /// Parse `a4` or `letter` (any case); `field` names the input.
    pub fn parse(field: &str, s: &str) -> Result<Paper> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            _ => Err(Error::invalid(field, "must be a4 or letter")),
        }
    }

    /// Width and height in PDF points (1/72 inch).
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.0, 842.0),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// A rendered PDF and how many pages it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// The PDF of `doc` on `paper`: text is real text in embedded, subset fonts.
pub fn invoice_pdf(doc: &InvoiceDocument, paper: Paper) -> Result<Vec<u8>> {
    render_pdf(doc, paper).map(|pdf| pdf.bytes)
}

/// [`invoice_pdf`], also telling how many pages it has.
pub fn render_pdf(doc: &InvoiceDocument, paper: Paper) -> Result<Pdf> {
    let pages = layout::lay_out(doc, paper)?;
    let count = pages.len();
    let bytes = render::render(doc, paper, &pages)?;
    Ok(Pdf {
        bytes,
        pages: count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_names_round_trip_and_bad_ones_name_the_field() {
        for p in [Paper::A4, Paper::Letter] {
            assert_eq!(Paper::parse("paper", p.as_str()).unwrap(), p);
        }
        assert_eq!(Paper::parse("paper", " Letter ").unwrap(), Paper::Letter);
        let e = Paper::parse("paper", "legal").unwrap_err();
        assert_eq!(e.to_string(), "paper: must be a4 or letter");
        assert_eq!(serde_json::to_string(&Paper::A4).unwrap(), "\"a4\"");
    }
}
