//! The API's input rules, as pure functions usable before any request.
//!
//! Owns the checks the client runs before sending (and that the app runs on form input), each
//! returning the API's message for the rule. Sources (CONTRACT.md §2.1, §3, §8; OAS schemas):
//!
//! | Rule | Message | Source |
//! |---|---|---|
//! | `redirectUrl` is an http(s) URL with a host and no `<>"'`, backtick, whitespace or control character | `redirectUrl must be a safe http(s) URL with no script/HTML payload` | `[C]` |
//! | `redirectLabel` only together with `redirectUrl` | `redirectLabel cannot be provided without redirectUrl` | `[C]` |
//! | `redirectLabel`, `reference`, `payerIdentifier`, `recipientIdentifier`: 1 to 255 | `String must contain at least 1 character(s)` / `... at most 255 character(s)` | rule `[C]`; text `[I]` zod default |
//! | `redirectLabel` has none of `<>&"'` and backtick (pattern ``^[^<>&"'`]*$``) | `Invalid` | rule `[C]`; text `[I]` zod default |
//! | `requests` has 1+ items, batch `tokens` 2+ | `Array must contain at least N element(s)` | rule `[C]`; text `[I]` zod default |
//! | `network`, `currency`, `destinationId`, each batch token: not empty | `String must contain at least 1 character(s)` | rule `[C]`; text `[I]` zod default |
//! | amounts are plain decimal strings (`10`, `10.50`) above zero | `amount must be a decimal string` / `amount must be greater than 0` | rule `[C]`; text `[I]` |
//! | a token or webhook id sent in a URL path is not `.` or `..` (URL building drops those, so the call would reach another route) | `must not be "." or ".."` | local only |
//!
//! Lengths count UTF-16 code units, as JavaScript's `String.length` (and so zod) does: `é` is 1,
//! an emoji is 2.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use url::Url;

use crate::Error;

/// `redirectUrl` failed the safety rule (`[C]`, exact API text).
pub const REDIRECT_URL_UNSAFE: &str =
    "redirectUrl must be a safe http(s) URL with no script/HTML payload";
/// `redirectLabel` sent without `redirectUrl` (`[C]`, exact API text).
pub const REDIRECT_LABEL_WITHOUT_URL: &str = "redirectLabel cannot be provided without redirectUrl";
/// `redirectLabel` contains one of `<>&"'` or backtick (`[I]`: zod's default regex message).
pub const INVALID_PATTERN: &str = "Invalid";
/// An amount that is no plain decimal string (`[I]`).
pub const AMOUNT_NOT_DECIMAL: &str = "amount must be a decimal string";
/// An amount of zero or less (`[I]`, after SP-REF's "Must be greater than 0").
pub const AMOUNT_NOT_POSITIVE: &str = "amount must be greater than 0";
/// A token or webhook id of `.` or `..` (local only: no request is made for it).
pub const NOT_A_PATH_SEGMENT: &str = r#"must not be "." or "..""#;
/// Longest `reference`, `payerIdentifier`, `recipientIdentifier`, `redirectLabel`.
pub const MAX_TEXT_LEN: usize = 255;

/// A rule the input breaks, with the field's JSON path and the API's message for that rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// JSON path of the field, e.g. `redirectLabel` or `requests[1].amount`.
    pub field: String,
    /// The API's message for the rule.
    pub message: String,
}

impl ValidationError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Validation {
            field: e.field,
            message: e.message,
        }
    }
}

/// Checks a `redirectUrl`: http or https (any case), a host, and none of `<`, `>`, `"`, `'`,
/// backtick, whitespace (Unicode, as JavaScript's `\s`) or control characters anywhere.
pub fn validate_redirect_url(url: &str) -> Result<(), ValidationError> {
    let forbidden = |c: char| {
        c.is_whitespace()
            || c == '\u{feff}'
            || c.is_control()
            || matches!(c, '<' | '>' | '"' | '\'' | '`')
    };
    let safe = !url.chars().any(forbidden)
        && Url::parse(url)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .unwrap_or(false);
    if safe {
        Ok(())
    } else {
        Err(ValidationError::new("redirectUrl", REDIRECT_URL_UNSAFE))
    }
}

/// Checks a `redirectLabel`: 1 to 255 characters, none of `<>&"'` or backtick, and only sent
/// together with a `redirectUrl` (`has_url`).
pub fn validate_redirect_label(label: &str, has_url: bool) -> Result<(), ValidationError> {
    text_field("redirectLabel", label)?;
    if label.contains(['<', '>', '&', '"', '\'', '`']) {
        return Err(ValidationError::new("redirectLabel", INVALID_PATTERN));
    }
    if !has_url {
        return Err(ValidationError::new(
            "redirectLabel",
            REDIRECT_LABEL_WITHOUT_URL,
        ));
    }
    Ok(())
}

/// Checks the optional redirect pair as the API does: the URL's rule, then the label's.
pub fn validate_redirect(url: Option<&str>, label: Option<&str>) -> Result<(), ValidationError> {
    if let Some(url) = url {
        validate_redirect_url(url)?;
    }
    if let Some(label) = label {
        validate_redirect_label(label, url.is_some())?;
    }
    Ok(())
}

/// Reads a human-readable amount (`10`, `10.50`, `0.000001`: digits with at most one `.` between
/// digits, no sign, exponent, spaces or separators) that is above zero.
pub fn validate_amount(amount: &str) -> Result<Decimal, ValidationError> {
    parse_amount("amount", amount)
}

/// Checks a merchant `reference`: 1 to 255 characters.
pub fn validate_reference(reference: &str) -> Result<(), ValidationError> {
    text_field("reference", reference)
}

/// Checks a `payerIdentifier`: 1 to 255 characters.
pub fn validate_payer_identifier(payer: &str) -> Result<(), ValidationError> {
    text_field("payerIdentifier", payer)
}

/// Checks a `recipientIdentifier`: 1 to 255 characters.
pub fn validate_recipient_identifier(recipient: &str) -> Result<(), ValidationError> {
    text_field("recipientIdentifier", recipient)
}

/// Length in UTF-16 code units, the unit of JavaScript's `String.length`.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

pub(crate) fn text_field(field: &str, value: &str) -> Result<(), ValidationError> {
    non_empty(field, value)?;
    if utf16_len(value) > MAX_TEXT_LEN {
        return Err(ValidationError::new(
            field,
            format!("String must contain at most {MAX_TEXT_LEN} character(s)"),
        ));
    }
    Ok(())
}

pub(crate) fn optional_text_field(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    value.map_or(Ok(()), |v| text_field(field, v))
}

pub(crate) fn non_empty(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::new(
            field,
            "String must contain at least 1 character(s)",
        ));
    }
    Ok(())
}

/// A value sent as one URL path segment (a token, a webhook id): not empty, and not `.` or
/// `..`, which URL building drops, so the call would reach another route.
pub(crate) fn path_segment(field: &str, value: &str) -> Result<(), ValidationError> {
    non_empty(field, value)?;
    if matches!(value, "." | "..") {
        return Err(ValidationError::new(field, NOT_A_PATH_SEGMENT));
    }
    Ok(())
}

pub(crate) fn min_items(field: &str, len: usize, min: usize) -> Result<(), ValidationError> {
    if len < min {
        return Err(ValidationError::new(
            field,
            format!("Array must contain at least {min} element(s)"),
        ));
    }
    Ok(())
}

pub(crate) fn positive_amount(field: &str, amount: &Decimal) -> Result<(), ValidationError> {
    if amount.is_sign_negative() || amount.is_zero() {
        return Err(ValidationError::new(field, AMOUNT_NOT_POSITIVE));
    }
    Ok(())
}

fn parse_amount(field: &str, text: &str) -> Result<Decimal, ValidationError> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !fraction.is_none_or(digits) {
        return Err(ValidationError::new(field, AMOUNT_NOT_DECIMAL));
    }
    let amount =
        Decimal::from_str(text).map_err(|_| ValidationError::new(field, AMOUNT_NOT_DECIMAL))?;
    positive_amount(field, &amount)?;
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_url_rule() {
        let cases: &[(&str, bool)] = &[
            ("https://shop.example/orders/42/thank-you", true),
            ("http://localhost:3000/back?x=1&y=2#done", true),
            ("HTTPS://SHOP.EXAMPLE/", true),
            ("https://exämple.com/päth", true),
            ("https://shop.example/%3Cscript%3E", true),
            ("javascript:alert(1)", false),
            ("JAVASCRIPT:alert(1)", false),
            ("JavaScript://shop.example/%0Aalert(1)", false),
            ("data:text/html,hi", false),
            ("DATA:text/html;base64,PHNjcmlwdD4=", false),
            ("ftp://shop.example/", false),
            ("mailto:a@b.example", false),
            (" http://x.example", false),
            ("http://x.example ", false),
            ("http://x.example/a b", false),
            ("http://x.example/\ta", false),
            ("http://x.example/\na", false),
            ("http://x.example/\r", false),
            ("http://x.example/\u{a0}", false),
            ("http://x.example/\u{2028}", false),
            ("http://x.example/\u{feff}", false),
            ("http://x.example/\u{0}", false),
            ("http://x.example/<script>", false),
            ("http://x.example/>", false),
            ("http://x.example/?q=\"", false),
            ("http://x.example/?q='", false),
            ("http://x.example/`", false),
            ("//x.example/path", false),
            ("/relative/path", false),
            ("http://", false),
            ("https:///nohost", true), // WHATWG: special scheme, host "nohost"
            ("", false),
        ];
        for (url, ok) in cases {
            let result = validate_redirect_url(url);
            assert_eq!(result.is_ok(), *ok, "{url:?}: {result:?}");
            if let Err(e) = result {
                assert_eq!(e.field, "redirectUrl");
                assert_eq!(e.message, REDIRECT_URL_UNSAFE);
            }
        }
    }

    #[test]
    fn redirect_label_rule() {
        let long = "a".repeat(255);
        let too_long = "a".repeat(256);
        let accents = "é".repeat(255); // 255 UTF-16 units, 510 bytes
        let emoji_ok = "😀".repeat(127); // 254 units
        let emoji_long = "😀".repeat(128); // 256 units
        let cases: Vec<(&str, bool, Result<(), &str>)> = vec![
            ("Back to your order", true, Ok(())),
            ("  spaces and\ttabs are fine ", true, Ok(())),
            ("Zurück zum Shop — ✓", true, Ok(())),
            (&long, true, Ok(())),
            (&accents, true, Ok(())),
            (&emoji_ok, true, Ok(())),
            ("", true, Err("String must contain at least 1 character(s)")),
            (
                &too_long,
                true,
                Err("String must contain at most 255 character(s)"),
            ),
            (
                &emoji_long,
                true,
                Err("String must contain at most 255 character(s)"),
            ),
            ("<b>Back</b>", true, Err(INVALID_PATTERN)),
            ("a > b", true, Err(INVALID_PATTERN)),
            ("Tom & Jerry", true, Err(INVALID_PATTERN)),
            ("say \"hi\"", true, Err(INVALID_PATTERN)),
            ("it's", true, Err(INVALID_PATTERN)),
            ("`cmd`", true, Err(INVALID_PATTERN)),
            ("Back", false, Err(REDIRECT_LABEL_WITHOUT_URL)),
            // A label that breaks its own rule reports that rule first.
            ("it's", false, Err(INVALID_PATTERN)),
        ];
        for (label, has_url, expected) in cases {
            let result = validate_redirect_label(label, has_url);
            let got = result.as_ref().map(|_| ()).map_err(|e| e.message.as_str());
            assert_eq!(got, expected, "{label:?} has_url={has_url}");
            if let Err(e) = result {
                assert_eq!(e.field, "redirectLabel");
            }
        }
    }

    #[test]
    fn redirect_pair_checks_url_then_label() {
        assert!(validate_redirect(None, None).is_ok());
        assert!(validate_redirect(Some("https://a.example"), Some("Back")).is_ok());
        assert!(validate_redirect(Some("https://a.example"), None).is_ok());
        assert_eq!(
            validate_redirect(None, Some("Back")).unwrap_err().message,
            REDIRECT_LABEL_WITHOUT_URL
        );
        assert_eq!(
            validate_redirect(Some("javascript:x"), Some("<")).unwrap_err(),
            ValidationError::new("redirectUrl", REDIRECT_URL_UNSAFE)
        );
    }

    #[test]
    fn amount_rule() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("10", Ok("10")),
            ("10.50", Ok("10.50")),
            ("0.000001", Ok("0.000001")),
            ("007.5", Ok("7.5")),
            ("1000000000", Ok("1000000000")),
            ("0", Err(AMOUNT_NOT_POSITIVE)),
            ("0.00", Err(AMOUNT_NOT_POSITIVE)),
            ("-1", Err(AMOUNT_NOT_DECIMAL)),
            ("+1", Err(AMOUNT_NOT_DECIMAL)),
            ("", Err(AMOUNT_NOT_DECIMAL)),
            (" 10", Err(AMOUNT_NOT_DECIMAL)),
            ("10 ", Err(AMOUNT_NOT_DECIMAL)),
            (".5", Err(AMOUNT_NOT_DECIMAL)),
            ("5.", Err(AMOUNT_NOT_DECIMAL)),
            ("1.2.3", Err(AMOUNT_NOT_DECIMAL)),
            ("1e5", Err(AMOUNT_NOT_DECIMAL)),
            ("1,000", Err(AMOUNT_NOT_DECIMAL)),
            ("1_000", Err(AMOUNT_NOT_DECIMAL)),
            ("NaN", Err(AMOUNT_NOT_DECIMAL)),
            ("١٠", Err(AMOUNT_NOT_DECIMAL)), // Arabic-Indic digits
            ("99999999999999999999999999999999", Err(AMOUNT_NOT_DECIMAL)),
        ];
        for (text, expected) in cases {
            let got = validate_amount(text);
            match expected {
                Ok(value) => assert_eq!(got.unwrap().to_string(), *value, "{text:?}"),
                Err(message) => {
                    let e = got.unwrap_err();
                    assert_eq!((e.field.as_str(), e.message.as_str()), ("amount", *message));
                }
            }
        }
        assert!(positive_amount("amount", &Decimal::new(-5, 1)).is_err());
        assert!(positive_amount("amount", &Decimal::new(1, 28)).is_ok());
    }

    #[test]
    fn reference_and_identifiers_rule() {
        let max = "r".repeat(255);
        let over = "r".repeat(256);
        let unicode_max = "ü".repeat(255);
        let astral_over = format!("{}😀", "r".repeat(254)); // 256 units
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("INV-2026-042", None),
            (&max, None),
            (&unicode_max, None),
            ("<anything> & 'goes' `here`", None),
            ("", Some("String must contain at least 1 character(s)")),
            (&over, Some("String must contain at most 255 character(s)")),
            (
                &astral_over,
                Some("String must contain at most 255 character(s)"),
            ),
        ];
        type Check = fn(&str) -> Result<(), ValidationError>;
        let checks: [(&str, Check); 3] = [
            ("reference", validate_reference),
            ("payerIdentifier", validate_payer_identifier),
            ("recipientIdentifier", validate_recipient_identifier),
        ];
        for (field, check) in checks {
            for (value, expected) in &cases {
                let got = check(value).err();
                assert_eq!(
                    got.as_ref().map(|e| e.message.as_str()),
                    *expected,
                    "{field} {value:?}"
                );
                if let Some(e) = got {
                    assert_eq!(e.field, field);
                }
            }
        }
    }

    #[test]
    fn utf16_length_counts_like_javascript() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(utf16_len(""), 0);
    }

    #[test]
    fn path_segments_refuse_empty_and_dot_segments() {
        for ok in ["01KJRA0M9QG8MA4X887908T8A4", "a/b", "...", ".x", "%2e%2e"] {
            assert!(path_segment("token", ok).is_ok(), "{ok:?}");
        }
        assert_eq!(
            path_segment("token", "").unwrap_err().message,
            "String must contain at least 1 character(s)"
        );
        for dots in [".", ".."] {
            assert_eq!(
                path_segment("token", dots).unwrap_err(),
                ValidationError::new("token", NOT_A_PATH_SEGMENT)
            );
        }
    }

    #[test]
    fn validation_error_becomes_the_crate_error() {
        let e: Error = ValidationError::new("reference", "m").into();
        assert_eq!(e.code(), "validation");
        assert_eq!(e.to_string(), "reference: m");
    }
}
