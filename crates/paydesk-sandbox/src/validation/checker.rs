//! The field checker behind body validation: JSON parsing, zod-style type/length/enum
//! messages, and the collected `{field, message}` errors that become a 400.

use serde_json::{Map, Value};

use crate::amount::parse_amount;
use crate::errors::{ApiError, FieldError};

/// Parses a JSON body; an empty body reads as `{}` (so missing fields report `Required`).
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "Unexpected token in JSON at line {} column {}",
            e.line(),
            e.column()
        ))
    })
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Collects field errors; rule errors (worded by the contract) also become the message.
#[derive(Default)]
pub(crate) struct Checker {
    pub(crate) errors: Vec<FieldError>,
    rule: Option<&'static str>,
}

impl Checker {
    pub(crate) fn err(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub(crate) fn rule(&mut self, field: &str, message: &'static str) {
        self.rule.get_or_insert(message);
        self.err(field, message);
    }

    pub(crate) fn object<'a>(
        &mut self,
        v: &'a Value,
        field: &str,
    ) -> Option<&'a Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.err(
                    field,
                    format!("Expected object, received {}", type_name(other)),
                );
                None
            }
        }
    }

    /// A string field with length bounds; `None` when absent or wrong.
    pub(crate) fn string(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
        min: usize,
        max: Option<usize>,
    ) -> Option<String> {
        match obj.get(key) {
            None => {
                if required {
                    self.err(path, "Required");
                }
                None
            }
            Some(Value::String(s)) => {
                // zod counts JavaScript `String.length`: UTF-16 code units (an emoji is 2).
                let len = s.encode_utf16().count();
                if len < min {
                    self.err(
                        path,
                        format!("String must contain at least {min} character(s)"),
                    );
                    None
                } else if max.is_some_and(|m| len > m) {
                    self.err(
                        path,
                        format!(
                            "String must contain at most {} character(s)",
                            max.unwrap_or_default()
                        ),
                    );
                    None
                } else {
                    Some(s.clone())
                }
            }
            Some(other) => {
                self.err(
                    path,
                    format!("Expected string, received {}", type_name(other)),
                );
                None
            }
        }
    }

    pub(crate) fn amount(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<String> {
        let s = self.string(obj, key, path, true, 0, None)?;
        match parse_amount(&s, 28) {
            Ok(_) => Some(s),
            Err(e) => {
                self.err(path, e.message());
                None
            }
        }
    }

    pub(crate) fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Validation {
                message: self.rule.unwrap_or("Validation failed").to_string(),
                errors: self.errors,
            })
        }
    }
}

/// The `redirectUrl` rule (CONTRACT.md §2.1): http(s) with a host, and none of `<>"'`, backtick
/// or whitespace. Whitespace includes U+FEFF, as JavaScript's `\s` does; control characters
/// are refused too, the same rule as `paydesk_request::validation::validate_redirect_url`.
pub(crate) fn is_safe_redirect(s: &str) -> bool {
    let forbidden = |c: char| {
        c.is_whitespace()
            || c == '\u{feff}'
            || c.is_control()
            || matches!(c, '<' | '>' | '"' | '\'' | '`')
    };
    if s.chars().any(forbidden) {
        return false;
    }
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

pub(crate) fn enum_value(
    c: &mut Checker,
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    options: &[&str],
    nullable: bool,
) {
    match obj.get(key) {
        None => {}
        Some(Value::Null) if nullable => {}
        Some(Value::String(s)) if options.contains(&s.as_str()) => {}
        Some(Value::String(s)) => {
            let expected = options
                .iter()
                .map(|o| format!("'{o}'"))
                .collect::<Vec<_>>()
                .join(" | ");
            c.err(
                path,
                format!("Invalid enum value. Expected {expected}, received '{s}'"),
            );
        }
        Some(other) => c.err(
            path,
            format!("Expected string, received {}", type_name(other)),
        ),
    }
}
