//! Money: the currency catalogue, parsing decimal strings under per-field rules, and invoice totals.
//!
//! Every amount is a `rust_decimal::Decimal`, carried as a string outside the engine. There is one
//! rounding rule (see [`totals`]): round to the currency's decimals, half away from zero.

pub mod currency;
pub mod parse;
pub mod totals;

pub use currency::{Currency, CurrencyKind};
pub use totals::{compute_totals, Discount, DiscountKind, LineAmounts, LineItem, Totals};
