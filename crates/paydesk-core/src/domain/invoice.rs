//! Invoices: the input as typed, its validation into an [`InvoiceDraft`], and the stored views.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::numbering::check_manual_number;
use super::text::{check_text, limits, required_text};
use crate::error::{Error, Result};
use crate::money::currency::{self, Currency};
use crate::money::parse::{parse_decimal, parse_percent, DecimalRule};
use crate::money::totals::{compute_totals, Discount, DiscountKind, LineItem, Totals};

/// The payment terms the app offers, in days.
pub const PAYMENT_TERMS_DAYS: [u32; 4] = [7, 14, 30, 60];
/// Most line items on one invoice.
pub const MAX_LINES: usize = 1_000;
/// Largest quantity on a line.
pub const MAX_QUANTITY: u64 = 1_000_000;
/// Largest unit price.
pub const MAX_UNIT_PRICE: u64 = 1_000_000_000;

/// Check `days` is one of [`PAYMENT_TERMS_DAYS`].
pub fn check_terms_days(field: &str, days: u32) -> Result<u32> {
    if PAYMENT_TERMS_DAYS.contains(&days) {
        Ok(days)
    } else {
        Err(Error::invalid(field, "must be one of 7, 14, 30 or 60 days"))
    }
}

/// Parse a `YYYY-MM-DD` date.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    let shaped = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if shaped => Ok(d),
        _ => Err(Error::invalid(
            field,
            "must be a real date in the form YYYY-MM-DD",
        )),
    }
}

/// One line item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LineItemInput {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_rate: String,
    pub discount: String,
}

fn or_zero(s: &str) -> &str {
    if s.trim().is_empty() {
        "0"
    } else {
        s
    }
}

impl LineItemInput {
    /// Validate against `currency`; field names are relative (`quantity`, ...).
    pub fn validate(&self, currency: &Currency) -> Result<LineItem> {
        let mut line = self.validate_amounts(currency)?;
        line.description = required_text("description", &self.description, limits::DESCRIPTION)?;
        Ok(line)
    }

    /// Validate the numbers only (a description may still be blank while the user types);
    /// the description keeps its length and character rules.
    pub fn validate_amounts(&self, currency: &Currency) -> Result<LineItem> {
        Ok(LineItem {
            description: check_text("description", &self.description, limits::DESCRIPTION, false)?,
            quantity: parse_decimal(
                "quantity",
                &self.quantity,
                DecimalRule {
                    max_decimals: 4,
                    min: Decimal::ZERO,
                    min_inclusive: false,
                    max: Decimal::from(MAX_QUANTITY),
                },
            )?,
            unit_price: parse_decimal(
                "unitPrice",
                &self.unit_price,
                DecimalRule {
                    max_decimals: currency.decimals,
                    min: Decimal::ZERO,
                    min_inclusive: true,
                    max: Decimal::from(MAX_UNIT_PRICE),
                },
            )?,
            tax_rate: parse_percent("taxRate", or_zero(&self.tax_rate))?,
            discount: parse_percent("discount", or_zero(&self.discount))?,
        })
    }
}

/// The invoice-level discount as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountInput {
    pub kind: DiscountKind,
    pub value: String,
}

impl Default for DiscountInput {
    fn default() -> Self {
        DiscountInput {
            kind: DiscountKind::Percent,
            value: "0".into(),
        }
    }
}

impl DiscountInput {
    /// Validate against `currency`.
    pub fn validate(&self, currency: &Currency) -> Result<Discount> {
        let value = or_zero(&self.value);
        let value = match self.kind {
            DiscountKind::Percent => parse_percent("discount.value", value)?,
            DiscountKind::Amount => parse_decimal(
                "discount.value",
                value,
                DecimalRule {
                    max_decimals: currency.decimals,
                    min: Decimal::ZERO,
                    min_inclusive: true,
                    max: Decimal::from(MAX_UNIT_PRICE) * Decimal::from(MAX_QUANTITY),
                },
            )?,
        };
        Ok(Discount {
            kind: self.kind,
            value,
        })
    }
}

/// What the editor sends to preview totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalsInput {
    pub currency: String,
    pub lines: Vec<LineItemInput>,
    #[serde(default)]
    pub discount: DiscountInput,
}

fn validate_lines(
    lines: &[LineItemInput],
    currency: &Currency,
    check: fn(&LineItemInput, &Currency) -> Result<LineItem>,
) -> Result<Vec<LineItem>> {
    if lines.is_empty() {
        return Err(Error::invalid(
            "lines",
            "at least one line item is required",
        ));
    }
    if lines.len() > MAX_LINES {
        return Err(Error::invalid(
            "lines",
            format!("must have at most {MAX_LINES} line items"),
        ));
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| check(l, currency).map_err(|e| e.within(&format!("lines[{i}]"))))
        .collect()
}

impl TotalsInput {
    /// Validate and compute the totals with the one rounding rule. Blank descriptions are
    /// allowed here: the editor previews totals while a line is still being typed.
    pub fn compute(&self) -> Result<Totals> {
        let currency = currency::lookup("currency", self.currency.trim())?;
        let lines = validate_lines(&self.lines, currency, LineItemInput::validate_amounts)?;
        let discount = self.discount.validate(currency)?;
        compute_totals(&lines, discount, currency.decimals)
    }
}

/// An invoice as typed by the user (create and edit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InvoiceInput {
    pub client_id: String,
    pub currency: String,
    pub issue_date: String,
    pub due_date: Option<String>,
    pub payment_terms_days: Option<u32>,
    pub number: Option<String>,
    pub lines: Vec<LineItemInput>,
    pub discount: DiscountInput,
    pub notes: String,
    pub terms: String,
}

/// A validated invoice, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceDraft {
    pub client_id: String,
    pub currency: &'static Currency,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub payment_terms_days: Option<u32>,
    pub number: Option<String>,
    pub lines: Vec<LineItem>,
    pub discount: Discount,
    pub notes: String,
    pub terms: String,
    pub totals: Totals,
}

impl InvoiceInput {
    /// Validate every field (the client's existence is checked by the store).
    pub fn validate(&self) -> Result<InvoiceDraft> {
        let client_id = self.client_id.trim();
        if client_id.is_empty() {
            return Err(Error::invalid("clientId", "is required"));
        }
        let currency = currency::lookup("currency", self.currency.trim())?;
        let issue_date = parse_date("issueDate", &self.issue_date)?;
        let due_text = self
            .due_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let (due_date, terms) = match (due_text, self.payment_terms_days) {
            (None, None) => {
                return Err(Error::invalid(
                    "dueDate",
                    "is required: give a due date or payment terms",
                ))
            }
            (Some(due), None) => (parse_date("dueDate", due)?, None),
            (due, Some(days)) => {
                let days = check_terms_days("paymentTermsDays", days)?;
                let computed = issue_date
                    .checked_add_days(Days::new(days.into()))
                    .ok_or_else(|| Error::invalid("issueDate", "is out of range"))?;
                if let Some(due) = due {
                    if parse_date("dueDate", due)? != computed {
                        return Err(Error::invalid(
                            "dueDate",
                            "does not match the payment terms; give one or the other",
                        ));
                    }
                }
                (computed, Some(days))
            }
        };
        if due_date < issue_date {
            return Err(Error::invalid(
                "dueDate",
                "must not be before the issue date",
            ));
        }
        let number = match self.number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(check_manual_number(n)?),
        };
        let lines = validate_lines(&self.lines, currency, LineItemInput::validate)?;
        let discount = self.discount.validate(currency)?;
        let totals = compute_totals(&lines, discount, currency.decimals)?;
        Ok(InvoiceDraft {
            client_id: client_id.to_string(),
            currency,
            issue_date,
            due_date,
            payment_terms_days: terms,
            number,
            lines,
            discount,
            notes: check_text("notes", &self.notes, limits::NOTES, true)?,
            terms: check_text("terms", &self.terms, limits::NOTES, true)?,
            totals,
        })
    }
}

/// What a user sees as an invoice's status. `overdue` is derived from the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    Overdue,
    Expired,
    Void,
}

impl InvoiceStatus {
    /// Every status, in workflow order.
    pub const ALL: [InvoiceStatus; 7] = [
        InvoiceStatus::Draft,
        InvoiceStatus::Issued,
        InvoiceStatus::PartiallyPaid,
        InvoiceStatus::Paid,
        InvoiceStatus::Overdue,
        InvoiceStatus::Expired,
        InvoiceStatus::Void,
    ];

    /// The snake_case name used in storage, IPC and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::PartiallyPaid => "partially_paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Expired => "expired",
            InvoiceStatus::Void => "void",
        }
    }

    /// Parse a status name; `field` names the input.
    pub fn parse(field: &str, s: &str) -> Result<InvoiceStatus> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    field,
                    "must be one of draft, issued, partially_paid, paid, overdue, expired, void",
                )
            })
    }
}

/// A stored invoice with its lines and totals.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    pub id: String,
    pub number: String,
    pub status: InvoiceStatus,
    pub client_id: String,
    pub client_name: String,
    pub currency: String,
    pub issue_date: String,
    pub due_date: String,
    pub payment_terms_days: Option<u32>,
    pub lines: Vec<LineItemInput>,
    pub discount: DiscountInput,
    pub notes: String,
    pub terms: String,
    pub totals: Totals,
    pub created_at: String,
    pub updated_at: String,
    pub voided_at: Option<String>,
    /// The last successful status poll of the invoice's current link.
    pub verified_at: Option<String>,
    /// When it was last sent to the client (a mail draft with its PDF).
    pub sent_at: Option<String>,
}

/// One row of the invoice list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceSummary {
    pub id: String,
    pub number: String,
    pub status: InvoiceStatus,
    pub client_id: String,
    pub client_name: String,
    pub currency: String,
    pub total: String,
    pub issue_date: String,
    pub due_date: String,
    /// The last successful status poll of the invoice's current link.
    pub verified_at: Option<String>,
}

/// Columns the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InvoiceSort {
    #[default]
    DueDate,
    IssueDate,
    Number,
    Client,
    Total,
    Status,
}

/// A page request for the invoice list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InvoiceQuery {
    pub status: Option<InvoiceStatus>,
    pub search: Option<String>,
    pub sort: InvoiceSort,
    pub descending: bool,
    pub limit: u32,
    pub offset: u32,
}

impl Default for InvoiceQuery {
    fn default() -> Self {
        InvoiceQuery {
            status: None,
            search: None,
            sort: InvoiceSort::DueDate,
            descending: false,
            limit: 50,
            offset: 0,
        }
    }
}

/// One page of the invoice list and how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePage {
    pub items: Vec<InvoiceSummary>,
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> InvoiceInput {
        InvoiceInput {
            client_id: "c1".into(),
            currency: "EUR".into(),
            issue_date: "2026-11-21".into(),
            payment_terms_days: Some(30),
            lines: vec![LineItemInput {
                description: "Design".into(),
                quantity: "3".into(),
                unit_price: "150.50".into(),
                tax_rate: "20".into(),
                discount: "".into(),
            }],
            ..Default::default()
        }
    }

    fn field_of(i: InvoiceInput) -> String {
        i.validate().unwrap_err().field().unwrap().to_string()
    }

    #[test]
    fn terms_set_the_due_date() {
        let d = input().validate().unwrap();
        assert_eq!(d.due_date.to_string(), "2026-12-21");
        assert_eq!(d.totals.total.to_wire(), "541.80");
    }

    #[test]
    fn bad_inputs_name_their_field() {
        let mut i = input();
        i.lines[0].quantity = "0".into();
        assert_eq!(field_of(i), "lines[0].quantity");
        let mut i = input();
        i.lines[0].quantity = "-2".into();
        assert_eq!(field_of(i), "lines[0].quantity");
        let mut i = input();
        i.lines[0].unit_price = "1.005".into();
        assert_eq!(field_of(i), "lines[0].unitPrice");
        let mut i = input();
        i.currency = "XYZ".into();
        assert_eq!(field_of(i), "currency");
        let mut i = input();
        i.issue_date = "2026-02-30".into();
        assert_eq!(field_of(i), "issueDate");
        let mut i = input();
        i.payment_terms_days = None;
        i.due_date = Some("21/12/2026".into());
        assert_eq!(field_of(i), "dueDate");
        let mut i = input();
        i.payment_terms_days = Some(45);
        assert_eq!(field_of(i), "paymentTermsDays");
        let mut i = input();
        i.lines.clear();
        assert_eq!(field_of(i), "lines");
    }

    #[test]
    fn due_date_before_issue_date_is_rejected() {
        let mut i = input();
        i.payment_terms_days = None;
        i.due_date = Some("2026-11-01".into());
        assert_eq!(
            i.validate().unwrap_err().to_string(),
            "dueDate: must not be before the issue date"
        );
    }

    #[test]
    fn preview_totals_allow_a_blank_description_but_saving_does_not() {
        let mut i = input();
        i.lines[0].description = "  ".into();
        let preview = TotalsInput {
            currency: i.currency.clone(),
            lines: i.lines.clone(),
            discount: DiscountInput::default(),
        };
        assert_eq!(preview.compute().unwrap().total.to_wire(), "541.80");
        assert_eq!(field_of(i), "lines[0].description");
    }

    #[test]
    fn status_names_round_trip() {
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse("status", s.as_str()).unwrap(), s);
        }
    }
}
