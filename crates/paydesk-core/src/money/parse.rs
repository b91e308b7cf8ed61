//! Parsing decimal strings from users and files under explicit rules, each failure naming the field.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// The rules one decimal input must satisfy.
#[derive(Debug, Clone, Copy)]
pub struct DecimalRule {
    /// Most digits after the point.
    pub max_decimals: u32,
    /// Smallest allowed value, and whether it is itself allowed.
    pub min: Decimal,
    pub min_inclusive: bool,
    /// Largest allowed value (inclusive).
    pub max: Decimal,
}

/// Parse `input` as a plain decimal (`123`, `-4.50`; no exponent, no separators) and check `rule`.
pub fn parse_decimal(field: &str, input: &str, rule: DecimalRule) -> Result<Decimal> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    let plain = s
        .strip_prefix('-')
        .unwrap_or(s)
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.');
    if !plain || s.len() > 40 || s.matches('.').count() > 1 || s == "." || s == "-" {
        return Err(Error::invalid(
            field,
            "must be a decimal number like 12 or 12.50",
        ));
    }
    let value = Decimal::from_str(s)
        .map_err(|_| Error::invalid(field, "must be a decimal number like 12 or 12.50"))?;
    let decimals = s.split_once('.').map_or(0, |(_, frac)| frac.len()) as u32;
    if decimals > rule.max_decimals {
        return Err(Error::invalid(
            field,
            format!("must have at most {} decimal places", rule.max_decimals),
        ));
    }
    let below = if rule.min_inclusive {
        value < rule.min
    } else {
        value <= rule.min
    };
    if below {
        let rule_text = if rule.min.is_zero() && !rule.min_inclusive {
            "must be greater than zero".to_string()
        } else if rule.min.is_zero() {
            "must not be negative".to_string()
        } else {
            format!("must be at least {}", rule.min)
        };
        return Err(Error::invalid(field, rule_text));
    }
    if value > rule.max {
        return Err(Error::invalid(
            field,
            format!("must be at most {}", rule.max),
        ));
    }
    Ok(value.normalize())
}

/// A percentage 0..=100 with at most 4 decimals.
pub fn parse_percent(field: &str, input: &str) -> Result<Decimal> {
    parse_decimal(
        field,
        input,
        DecimalRule {
            max_decimals: 4,
            min: Decimal::ZERO,
            min_inclusive: true,
            max: Decimal::ONE_HUNDRED,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(decimals: u32) -> DecimalRule {
        DecimalRule {
            max_decimals: decimals,
            min: Decimal::ZERO,
            min_inclusive: true,
            max: Decimal::from(1_000_000_000u64),
        }
    }

    #[test]
    fn too_many_decimals_names_the_limit() {
        let err = parse_decimal("unitPrice", "1.234", money(2)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unitPrice: must have at most 2 decimal places"
        );
    }

    #[test]
    fn exponent_and_separators_are_rejected() {
        for bad in [
            "1e5", "1,000", "12.5.1", "abc", " ", ".", "-", "0x10", "NaN",
        ] {
            assert!(parse_decimal("x", bad, money(2)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn negative_is_rejected_and_zero_allowed_when_inclusive() {
        assert_eq!(
            parse_decimal("x", "-1", money(2)).unwrap_err().to_string(),
            "x: must not be negative"
        );
        assert_eq!(parse_decimal("x", "0", money(2)).unwrap(), Decimal::ZERO);
    }

    #[test]
    fn trailing_zeros_are_normalized() {
        assert_eq!(
            parse_decimal("x", "12.50", money(2)).unwrap().to_string(),
            "12.5"
        );
    }

    #[test]
    fn percent_above_100_is_rejected() {
        assert_eq!(
            parse_percent("taxRate", "100.5").unwrap_err().to_string(),
            "taxRate: must be at most 100"
        );
    }
}
