//! [`InvoiceDocument`]: what an invoice shows, gathered from the books at one moment.

use rust_decimal::Decimal;
use serde::Serialize;

use super::logo::Logo;
use crate::domain::{BusinessProfile, Client, Invoice, InvoiceStatus, PaymentLink};
use crate::error::{Error, Result};
use crate::money::currency;

/// Who sends or receives the invoice. Empty strings mean "not set".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub name: String,
    pub email: String,
    pub address: String,
    pub tax_id: String,
}

/// One printed line item; `amount` is the line total after its own discount, before tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// Percent.
    pub tax_rate: Decimal,
    /// Percent.
    pub discount: Decimal,
    pub amount: Decimal,
}

/// The printed totals, exact at the currency's decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTotals {
    pub subtotal: Decimal,
    pub discount: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

/// The invoice's live payment link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentLink {
    pub url: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Everything an invoice document shows. Built fresh for every PDF, so it always carries the
/// current live link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceDocument {
    pub business: Party,
    /// The business logo (not serialized: it can be large).
    #[serde(skip)]
    pub logo: Option<Logo>,
    pub client: Party,
    pub number: String,
    pub status: InvoiceStatus,
    /// `YYYY-MM-DD`.
    pub issue_date: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// The currency's code, e.g. `EUR` or `USDC-base`.
    pub currency: String,
    /// Decimals amounts are printed with.
    pub decimals: u32,
    pub lines: Vec<DocumentLine>,
    pub totals: DocumentTotals,
    pub notes: String,
    pub terms: String,
    pub link: Option<DocumentLink>,
}

impl InvoiceDocument {
    /// Gather a document from the stored invoice, its client, the business profile, an
    /// optional logo and the invoice's live link.
    pub fn new(
        invoice: &Invoice,
        client: &Client,
        profile: &BusinessProfile,
        logo: Option<Logo>,
        link: Option<&PaymentLink>,
    ) -> Result<InvoiceDocument> {
        let currency = currency::lookup("currency", &invoice.currency)?;
        if invoice.lines.len() != invoice.totals.lines.len() {
            return Err(Error::invalid(
                "lines",
                format!(
                    "invoice {} has {} lines but {} line totals",
                    invoice.number,
                    invoice.lines.len(),
                    invoice.totals.lines.len()
                ),
            ));
        }
        let lines = invoice
            .lines
            .iter()
            .zip(&invoice.totals.lines)
            .enumerate()
            .map(|(i, (line, amounts))| {
                let valid = line
                    .validate_amounts(currency)
                    .map_err(|e| e.within(&format!("lines[{i}]")))?;
                Ok(DocumentLine {
                    description: line.description.clone(),
                    quantity: valid.quantity,
                    unit_price: valid.unit_price,
                    tax_rate: valid.tax_rate,
                    discount: valid.discount,
                    amount: amounts.net.value,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(InvoiceDocument {
            business: Party {
                name: profile.name.clone(),
                email: profile.email.clone(),
                address: profile.address.clone(),
                tax_id: profile.tax_id.clone(),
            },
            logo,
            client: Party {
                name: client.name.clone(),
                email: client.email.clone(),
                address: client.address.clone(),
                tax_id: client.tax_id.clone(),
            },
            number: invoice.number.clone(),
            status: invoice.status,
            issue_date: invoice.issue_date.clone(),
            due_date: invoice.due_date.clone(),
            currency: currency.id.to_string(),
            decimals: currency.decimals,
            lines,
            totals: DocumentTotals {
                subtotal: invoice.totals.subtotal.value,
                discount: invoice.totals.discount.value,
                tax: invoice.totals.tax.value,
                total: invoice.totals.total.value,
            },
            notes: invoice.notes.clone(),
            terms: invoice.terms.clone(),
            link: link.map(|l| DocumentLink {
                url: l.secure_payment_url.clone(),
                expires_at: l.expires_at.clone(),
            }),
        })
    }
}
