//! Invoice totals: the one rounding rule, applied the same way for the editor preview and saved
//! invoices.
//!
//! Rule (all rounding is to the currency's decimals, half away from zero):
//! 1. per line: `amount = round(quantity × unit_price)`,
//!    `discount = round(amount × line_discount% / 100)`, `net = amount − discount`;
//! 2. `subtotal = Σ net`;
//! 3. invoice discount: percent → `round(subtotal × p / 100)`; amount → the value (≤ subtotal);
//! 4. the invoice discount is spread over the lines in proportion to `net` (largest remainder,
//!    so the shares add up to it exactly), and `tax = round((net − share) × tax_rate% / 100)`;
//! 5. `tax = Σ line tax`, `total = subtotal − discount + tax`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

/// One validated line item.
#[derive(Debug, Clone, PartialEq)]
pub struct LineItem {
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// Percent, 0..=100.
    pub tax_rate: Decimal,
    /// Percent, 0..=100.
    pub discount: Decimal,
}

/// How the invoice-level discount is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiscountKind {
    Percent,
    Amount,
}

impl DiscountKind {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DiscountKind::Percent => "percent",
            DiscountKind::Amount => "amount",
        }
    }
}

/// A validated invoice-level discount.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Discount {
    pub kind: DiscountKind,
    pub value: Decimal,
}

impl Discount {
    /// No discount.
    pub const NONE: Discount = Discount {
        kind: DiscountKind::Percent,
        value: Decimal::ZERO,
    };
}

/// An exact amount that serializes as a string with the currency's precision
/// (trailing zeros trimmed down to at most two decimals: `541.80`, `0.123456`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub value: Decimal,
    pub decimals: u32,
}

impl Amount {
    /// The display and wire form.
    pub fn to_wire(self) -> String {
        format_amount(self.value, self.decimals)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

/// Format `value` at `decimals`, trimming trailing zeros but keeping `min(2, decimals)`.
pub fn format_amount(value: Decimal, decimals: u32) -> String {
    let mut v = round(value, decimals);
    v.rescale(decimals);
    let keep = decimals.min(2);
    let mut text = v.to_string();
    if let Some(dot) = text.find('.') {
        let min_len = dot + 1 + keep as usize;
        while text.len() > min_len && text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    text
}

/// The amounts of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineAmounts {
    pub amount: Amount,
    pub discount: Amount,
    pub net: Amount,
    pub tax: Amount,
}

/// Totals of an invoice, exact at the currency's decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub subtotal: Amount,
    pub discount: Amount,
    pub tax: Amount,
    pub total: Amount,
    pub lines: Vec<LineAmounts>,
}

/// Round to `decimals`, half away from zero: the one rounding rule.
pub fn round(value: Decimal, decimals: u32) -> Decimal {
    value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
}

fn too_large(field: String) -> Error {
    Error::invalid(field, "is too large to compute exactly")
}

/// Compute the totals of `lines` with `discount` in a currency of `decimals`.
pub fn compute_totals(lines: &[LineItem], discount: Discount, decimals: u32) -> Result<Totals> {
    let amount = |v: Decimal| Amount { value: v, decimals };
    let hundred = Decimal::ONE_HUNDRED;
    let mut nets = Vec::with_capacity(lines.len());
    let mut parts = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let gross = line
            .quantity
            .checked_mul(line.unit_price)
            .ok_or_else(|| too_large(format!("lines[{i}].unitPrice")))?;
        let line_amount = round(gross, decimals);
        let line_discount = round(line_amount * line.discount / hundred, decimals);
        let net = line_amount - line_discount;
        nets.push(net);
        parts.push((line_amount, line_discount));
    }
    let subtotal = nets
        .iter()
        .try_fold(Decimal::ZERO, |acc, n| acc.checked_add(*n))
        .ok_or_else(|| too_large("lines".into()))?;
    let invoice_discount = match discount.kind {
        DiscountKind::Percent => round(subtotal * discount.value / hundred, decimals),
        DiscountKind::Amount => {
            if round(discount.value, decimals) != discount.value {
                return Err(Error::invalid(
                    "discount.value",
                    format!("must have at most {decimals} decimal places"),
                ));
            }
            if discount.value > subtotal {
                return Err(Error::invalid(
                    "discount.value",
                    "must not exceed the subtotal",
                ));
            }
            discount.value
        }
    };
    let shares = allocate(invoice_discount, &nets, decimals);
    let mut tax_total = Decimal::ZERO;
    let mut line_amounts = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let taxable = nets[i] - shares[i];
        let tax = round(taxable * line.tax_rate / hundred, decimals);
        tax_total += tax;
        line_amounts.push(LineAmounts {
            amount: amount(parts[i].0),
            discount: amount(parts[i].1),
            net: amount(nets[i]),
            tax: amount(tax),
        });
    }
    Ok(Totals {
        subtotal: amount(subtotal),
        discount: amount(invoice_discount),
        tax: amount(tax_total),
        total: amount(subtotal - invoice_discount + tax_total),
        lines: line_amounts,
    })
}

/// Split `total` over `weights` in proportion, each share a multiple of the currency unit,
/// never above its weight, adding up to `total` exactly (largest remainder, ties to the first).
fn allocate(total: Decimal, weights: &[Decimal], decimals: u32) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().copied().sum();
    if total.is_zero() || sum.is_zero() {
        return vec![Decimal::ZERO; weights.len()];
    }
    let unit = Decimal::new(1, decimals);
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        // w / sum <= 1, so this never overflows.
        let exact = total * (*w / sum);
        let floor = exact.round_dp_with_strategy(decimals, RoundingStrategy::ToZero);
        shares.push(floor.min(*w));
        remainders.push((exact - floor, i));
    }
    let mut left = total - shares.iter().copied().sum::<Decimal>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // Each floor lost less than one unit, so one pass hands out what is left; a second pass
    // only matters if decimal precision ran out on an extreme input.
    while left > Decimal::ZERO {
        let before = left;
        for &(_, i) in &remainders {
            if left <= Decimal::ZERO {
                break;
            }
            if shares[i] + unit <= weights[i] {
                shares[i] += unit;
                left -= unit;
            }
        }
        if left == before {
            break;
        }
    }
    // Rounding of the ratio could in theory over-allocate by a unit: take it back.
    for &(_, i) in remainders.iter().rev() {
        if left >= Decimal::ZERO {
            break;
        }
        if shares[i] >= unit {
            shares[i] -= unit;
            left += unit;
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn line(q: &str, p: &str, tax: &str, disc: &str) -> LineItem {
        LineItem {
            description: "work".into(),
            quantity: d(q),
            unit_price: d(p),
            tax_rate: d(tax),
            discount: d(disc),
        }
    }

    #[test]
    fn design_work_example() {
        let t = compute_totals(&[line("3", "150.50", "20", "0")], Discount::NONE, 6).unwrap();
        assert_eq!(t.subtotal.to_wire(), "451.50");
        assert_eq!(t.tax.to_wire(), "90.30");
        assert_eq!(t.total.to_wire(), "541.80");
    }

    #[test]
    fn half_rounds_away_from_zero() {
        // 0.125 at 2 decimals -> 0.13 (banker's rounding would give 0.12).
        let t = compute_totals(&[line("1", "0.125", "0", "0")], Discount::NONE, 2);
        // unit price validation is the caller's job; totals still round the product.
        assert_eq!(t.unwrap().subtotal.value, d("0.13"));
    }

    #[test]
    fn invoice_discount_spreads_exactly_over_lines() {
        let lines = [
            line("1", "10.00", "20", "0"),
            line("1", "10.00", "0", "0"),
            line("1", "10.00", "10", "0"),
        ];
        let disc = Discount {
            kind: DiscountKind::Amount,
            value: d("10.00"),
        };
        let t = compute_totals(&lines, disc, 2).unwrap();
        // shares 3.34 / 3.33 / 3.33 -> taxable 6.66, 6.67, 6.67
        assert_eq!(t.tax.value, d("1.33") + d("0.67"));
        assert_eq!(t.total.value, d("30") - d("10") + t.tax.value);
    }

    #[test]
    fn amount_discount_above_subtotal_is_rejected() {
        let disc = Discount {
            kind: DiscountKind::Amount,
            value: d("50"),
        };
        let err = compute_totals(&[line("1", "10", "0", "0")], disc, 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "discount.value: must not exceed the subtotal"
        );
    }

    #[test]
    fn format_keeps_two_decimals_and_trims_the_rest() {
        assert_eq!(format_amount(d("541.8"), 6), "541.80");
        assert_eq!(format_amount(d("0.123456"), 6), "0.123456");
        assert_eq!(format_amount(d("12"), 2), "12.00");
        assert_eq!(format_amount(d("7"), 0), "7");
    }
}
