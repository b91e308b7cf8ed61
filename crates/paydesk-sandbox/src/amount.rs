//! Amounts on the wire: human-readable decimal strings in, `rust_decimal` inside, and the two
//! output forms the contract shows (`"100.0"` in webhooks, base units in `GET /:token`).

use std::str::FromStr;

use rust_decimal::Decimal;

/// Why an amount string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountError {
    /// Not a plain decimal number (`"10"`, `"10.50"`).
    NotDecimal,
    /// Zero or negative.
    NotPositive,
    /// More fraction digits than the currency has.
    TooPrecise(u32),
}

impl AmountError {
    pub(crate) fn message(self) -> String {
        match self {
            // The same words as `paydesk_request::validation` (the contract gives none).
            AmountError::NotDecimal => "amount must be a decimal string".into(),
            AmountError::NotPositive => "amount must be greater than 0".into(),
            AmountError::TooPrecise(d) => {
                format!("Amount cannot have more than {d} decimal places")
            }
        }
    }
}

/// Parses a human-readable positive decimal with at most `decimals` fraction digits.
pub(crate) fn parse_amount(s: &str, decimals: u32) -> Result<Decimal, AmountError> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let sign_stripped = int.strip_prefix('-').unwrap_or(int);
    if sign_stripped.is_empty()
        || !digits(sign_stripped)
        || !digits(frac)
        || (s.contains('.') && frac.is_empty())
    {
        return Err(AmountError::NotDecimal);
    }
    let value = Decimal::from_str(s).map_err(|_| AmountError::NotDecimal)?;
    if value <= Decimal::ZERO {
        return Err(AmountError::NotPositive);
    }
    if value.normalize().scale() > decimals {
        return Err(AmountError::TooPrecise(decimals));
    }
    Ok(value)
}

/// `100` -> `"100.0"`, `10.50` -> `"10.5"`: the style of the webhook examples.
pub(crate) fn human(value: Decimal) -> String {
    let n = value.normalize();
    if n.scale() == 0 {
        format!("{n}.0")
    } else {
        n.to_string()
    }
}

/// The amount in the token's smallest unit, as an integer string.
pub(crate) fn base_units(value: Decimal, decimals: u32) -> String {
    let n = value.normalize();
    let mut out = n.mantissa().to_string();
    out.extend(std::iter::repeat_n(
        '0',
        decimals.saturating_sub(n.scale()) as usize,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_amount("10.50", 6).map(human), Ok("10.5".into()));
        assert_eq!(parse_amount("100", 6).map(human), Ok("100.0".into()));
        assert_eq!(parse_amount("0", 6), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("-3", 6), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("1e3", 6), Err(AmountError::NotDecimal));
        assert_eq!(parse_amount("1.", 6), Err(AmountError::NotDecimal));
        assert_eq!(parse_amount(" 1", 6), Err(AmountError::NotDecimal));
        assert_eq!(
            parse_amount("0.0000001", 6),
            Err(AmountError::TooPrecise(6))
        );
        assert_eq!(parse_amount("1.500000000", 6).map(human), Ok("1.5".into()));
    }

    #[test]
    fn base_units_scale_up() {
        let ten = Decimal::from(10);
        assert_eq!(base_units(ten, 18), "10000000000000000000");
        assert_eq!(base_units(Decimal::new(1050, 2), 6), "10500000");
    }
}
