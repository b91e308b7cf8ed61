//! Invoice number patterns such as `INV-{YYYY}-{SEQ:4}`.
//!
//! Tokens: `{YYYY}`, `{YY}`, `{MM}` (from the issue date) and exactly one `{SEQ}` or `{SEQ:n}`
//! (the sequence, zero-padded to `n` digits, 1..=9). Other characters are literal and limited to
//! letters, digits and `- _ / . #`. A pattern's *scope* is the pattern with the date tokens filled
//! in: each scope has its own counter, so `INV-{YYYY}-{SEQ:4}` restarts every year.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// The default pattern for a new database.
pub const DEFAULT_PATTERN: &str = "INV-{YYYY}-{SEQ:4}";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Year4,
    Year2,
    Month,
    Seq(usize),
}

/// A parsed, valid numbering pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPattern {
    text: String,
    parts: Vec<Part>,
}

fn is_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '#')
}

impl NumberPattern {
    /// Parse `text`; errors name the field `numberingPattern`.
    pub fn parse(text: &str) -> Result<NumberPattern> {
        const FIELD: &str = "numberingPattern";
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid(FIELD, "is required"));
        }
        if text.len() > 40 {
            return Err(Error::invalid(FIELD, "must be at most 40 characters"));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        let mut seqs = 0;
        while let Some(c) = rest.chars().next() {
            if c == '{' {
                let end = rest
                    .find('}')
                    .ok_or_else(|| Error::invalid(FIELD, "has a '{' without a closing '}'"))?;
                let token = &rest[1..end];
                let part = match token {
                    "YYYY" => Part::Year4,
                    "YY" => Part::Year2,
                    "MM" => Part::Month,
                    "SEQ" => Part::Seq(1),
                    _ => match token.strip_prefix("SEQ:").and_then(|n| n.parse::<usize>().ok()) {
                        Some(n @ 1..=9) => Part::Seq(n),
                        _ => {
                            return Err(Error::invalid(
                                FIELD,
                                format!("unknown token {{{token}}}; use {{YYYY}}, {{YY}}, {{MM}}, {{SEQ}} or {{SEQ:n}} with n from 1 to 9"),
                            ))
                        }
                    },
                };
                if matches!(part, Part::Seq(_)) {
                    seqs += 1;
                }
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(part);
                rest = &rest[end + 1..];
            } else if is_literal_char(c) {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            } else {
                return Err(Error::invalid(
                    FIELD,
                    format!("may only contain letters, digits, - _ / . # and tokens; found {c:?}"),
                ));
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        if seqs != 1 {
            return Err(Error::invalid(
                FIELD,
                "must contain exactly one {SEQ} or {SEQ:n} token",
            ));
        }
        Ok(NumberPattern {
            text: text.to_string(),
            parts,
        })
    }

    /// The pattern as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The counter scope for an invoice issued on `date`.
    pub fn scope(&self, date: NaiveDate) -> String {
        self.render_with(date, |_| "{SEQ}".to_string())
    }

    /// The number for sequence value `seq` on `date`.
    pub fn render(&self, date: NaiveDate, seq: u64) -> String {
        self.render_with(date, |width| format!("{seq:0width$}"))
    }

    fn render_with(&self, date: NaiveDate, seq: impl Fn(usize) -> String) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Year4 => out.push_str(&format!("{:04}", date.year())),
                Part::Year2 => out.push_str(&format!("{:02}", date.year().rem_euclid(100))),
                Part::Month => out.push_str(&format!("{:02}", date.month())),
                Part::Seq(width) => out.push_str(&seq(*width)),
            }
        }
        out
    }
}

/// Check a number typed by the user: 1..=64 of letters, digits and `- _ / . #`.
pub fn check_manual_number(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid("number", "is required"));
    }
    if v.chars().count() > super::text::limits::NUMBER {
        return Err(Error::invalid("number", "must be at most 64 characters"));
    }
    if !v.chars().all(is_literal_char) {
        return Err(Error::invalid(
            "number",
            "may only contain letters, digits and - _ / . #",
        ));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn default_pattern_renders_year_and_padded_sequence() {
        let p = NumberPattern::parse(DEFAULT_PATTERN).unwrap();
        assert_eq!(p.render(day(2026, 11, 21), 7), "INV-2026-0007");
        assert_eq!(p.render(day(2026, 11, 21), 12345), "INV-2026-12345");
        assert_eq!(p.scope(day(2026, 1, 1)), "INV-2026-{SEQ}");
    }

    #[test]
    fn month_and_short_year() {
        let p = NumberPattern::parse("{YY}{MM}-{SEQ:3}").unwrap();
        assert_eq!(p.render(day(2027, 3, 9), 5), "2703-005");
    }

    #[test]
    fn pattern_needs_exactly_one_sequence() {
        for bad in [
            "INV-{YYYY}",
            "{SEQ}-{SEQ}",
            "INV {SEQ}",
            "{SEQ:0}",
            "{SEQ:10}",
            "{FOO}{SEQ}",
            "{SEQ",
            "",
        ] {
            let err = NumberPattern::parse(bad).unwrap_err();
            assert_eq!(err.field(), Some("numberingPattern"), "{bad}");
        }
    }

    #[test]
    fn manual_numbers_are_checked() {
        assert_eq!(check_manual_number(" A-1 ").unwrap(), "A-1");
        assert!(check_manual_number("A 1").is_err());
        assert!(check_manual_number("").is_err());
    }
}
