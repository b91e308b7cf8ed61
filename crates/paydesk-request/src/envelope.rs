//! Reading NestJS-style error bodies (CONTRACT.md §1.4).
//!
//! Owns the lenient parse of an error body into a message, an `error` label and field issues.
//! It accepts every shape the contract shows, and never fails: a body that is no envelope gives
//! an empty [`Envelope`]. Every string is scrubbed of the credential.
//!
//! Shapes handled:
//! - `{statusCode, message: "text", error}`
//! - `{statusCode, message: ["text", ...], error}` (class-validator)
//! - `{statusCode, message: [{code, message, path: [..]}, ...], error}` (zod issues)
//! - `{message: "Validation failed", errors: [{field, message}, ...]}`

use serde_json::Value;

use crate::credentials::Redactor;
use crate::error::ApiIssue;

/// The readable parts of an error body.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Envelope {
    pub(crate) message: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) details: Vec<ApiIssue>,
}

pub(crate) fn parse(body: &[u8], redactor: &Redactor) -> Envelope {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return Envelope::default();
    };
    let mut envelope = Envelope {
        error: object
            .get("error")
            .and_then(Value::as_str)
            .map(|e| redactor.scrub(e)),
        ..Envelope::default()
    };
    match object.get("message") {
        Some(Value::String(text)) => envelope.message = Some(redactor.scrub(text)),
        Some(Value::Array(items)) => {
            let issues: Vec<ApiIssue> = items.iter().filter_map(|i| issue(i, redactor)).collect();
            let joined: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
            if !joined.is_empty() {
                envelope.message = Some(joined.join("; "));
            }
            envelope.details.extend(issues);
        }
        _ => {}
    }
    if let Some(Value::Array(items)) = object.get("errors") {
        envelope
            .details
            .extend(items.iter().filter_map(|i| issue(i, redactor)));
    }
    envelope
}

fn issue(item: &Value, redactor: &Redactor) -> Option<ApiIssue> {
    match item {
        Value::String(text) => Some(ApiIssue {
            field: None,
            message: redactor.scrub(text),
        }),
        Value::Object(object) => {
            let message = object.get("message")?.as_str()?;
            let field = match (object.get("field"), object.get("path")) {
                (Some(Value::String(field)), _) => Some(field.clone()),
                (_, Some(Value::String(path))) => Some(path.clone()),
                (_, Some(Value::Array(parts))) if !parts.is_empty() => Some(
                    parts
                        .iter()
                        .map(|p| match p {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("."),
                ),
                _ => None,
            };
            Some(ApiIssue {
                field: field.map(|f| redactor.scrub(&f)),
                message: redactor.scrub(message),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;

    fn read(body: &str) -> Envelope {
        parse(
            body.as_bytes(),
            &Redactor::new(&Credentials::api_key("rn_k")),
        )
    }

    fn issue(field: Option<&str>, message: &str) -> ApiIssue {
        ApiIssue {
            field: field.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    #[test]
    fn string_message_envelope() {
        let e = read(
            r#"{"statusCode":400,"message":"All requests must be on the same network","error":"Bad Request"}"#,
        );
        assert_eq!(
            e.message.as_deref(),
            Some("All requests must be on the same network")
        );
        assert_eq!(e.error.as_deref(), Some("Bad Request"));
        assert!(e.details.is_empty());
    }

    #[test]
    fn array_of_strings_message_is_joined() {
        let e = read(
            r#"{"statusCode":400,"message":["amount must be a string","reference too long"],"error":"Bad Request"}"#,
        );
        assert_eq!(
            e.message.as_deref(),
            Some("amount must be a string; reference too long")
        );
        assert_eq!(
            e.details,
            vec![
                issue(None, "amount must be a string"),
                issue(None, "reference too long")
            ]
        );
    }

    #[test]
    fn zod_issue_array_keeps_the_path() {
        let e = read(
            r#"{"statusCode":400,"message":[{"code":"custom","message":"firstOnly must be 'true' or 'false' if provided","path":["firstOnly"]},{"code":"x","message":"m","path":["requests",0,"amount"]}],"error":"Bad Request"}"#,
        );
        assert_eq!(
            e.details,
            vec![
                issue(
                    Some("firstOnly"),
                    "firstOnly must be 'true' or 'false' if provided"
                ),
                issue(Some("requests.0.amount"), "m"),
            ]
        );
    }

    #[test]
    fn validation_failed_with_errors_list() {
        let e = read(
            r#"{"message":"Validation failed","errors":[{"field":"wallet","message":"Invalid Ethereum address"}]}"#,
        );
        assert_eq!(e.message.as_deref(), Some("Validation failed"));
        assert_eq!(e.error, None);
        assert_eq!(
            e.details,
            vec![issue(Some("wallet"), "Invalid Ethereum address")]
        );
    }

    #[test]
    fn anything_else_is_an_empty_envelope() {
        for body in [
            "",
            "<html>502</html>",
            "[1,2]",
            "\"text\"",
            r#"{"message":42}"#,
        ] {
            let e = read(body);
            assert_eq!(e.message, None, "{body}");
            assert!(e.details.is_empty(), "{body}");
        }
    }

    #[test]
    fn echoed_credential_is_scrubbed_everywhere() {
        let e = read(
            r#"{"message":["key rn_k bad",{"message":"RN_K","field":"rn_k"}],"error":"rn_k","errors":[{"field":"x","message":"rn_k"}]}"#,
        );
        let all = format!("{e:?}");
        assert!(!all.to_ascii_lowercase().contains("rn_k"), "{all}");
    }
}
