//! Rules for free text fields: length limits in characters and no control characters.

use crate::error::{Error, Result};

/// Limits for the text fields of the app.
pub mod limits {
    pub const NAME: usize = 200;
    pub const EMAIL: usize = 254;
    pub const ADDRESS: usize = 2_000;
    pub const TAX_ID: usize = 64;
    pub const NOTES: usize = 10_000;
    pub const DESCRIPTION: usize = 2_000;
    pub const NUMBER: usize = 64;
}

/// Check `value` has at most `max` characters and no control characters (newlines and tabs are
/// allowed when `multiline`). Returns the trimmed text.
pub fn check_text(field: &str, value: &str, max: usize, multiline: bool) -> Result<String> {
    // Count lazily so a 10 MB string is rejected without walking all of it.
    if value.chars().nth(max).is_some() && value.trim().chars().nth(max).is_some() {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let bad = value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')));
    if bad {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(value.trim().to_string())
}

/// Like [`check_text`], and the result must not be empty.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String> {
    let text = check_text(field, value, max, false)?;
    if text.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    Ok(text)
}

/// An email address: empty, or `local@domain.tld` with no spaces.
pub fn email(field: &str, value: &str) -> Result<String> {
    let text = check_text(field, value, limits::EMAIL, false)?;
    if text.is_empty() {
        return Ok(text);
    }
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(Error::invalid(field, "must be a valid email address"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_megabyte_text_is_rejected_by_length() {
        let big = "x".repeat(10 * 1024 * 1024);
        let err = check_text("description", &big, limits::DESCRIPTION, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "description: must be at most 2000 characters"
        );
    }

    #[test]
    fn empty_required_text_is_rejected() {
        assert_eq!(
            required_text("name", "   ", limits::NAME)
                .unwrap_err()
                .to_string(),
            "name: is required"
        );
    }

    #[test]
    fn control_characters_are_rejected_outside_multiline() {
        assert!(check_text("name", "a\u{0}b", 10, false).is_err());
        assert!(check_text("notes", "a\nb", 10, true).is_ok());
        assert!(check_text("name", "a\nb", 10, false).is_err());
    }

    #[test]
    fn emails() {
        assert!(email("email", "ana@studio.dev").is_ok());
        assert!(email("email", "").is_ok());
        for bad in ["ana", "ana@", "@x.io", "ana@x", "a b@x.io", "a@@x.io"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }
}
