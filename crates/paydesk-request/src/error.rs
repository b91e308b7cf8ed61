//! The one error type of the crate.
//!
//! Owns [`Error`] (with a stable [`Error::code`] for the layers above) and [`ApiIssue`] (one
//! field-level complaint from an error envelope). Every string in an `Error` that came from the
//! server has had the credential scrubbed out of it, so `Display` and `Debug` are safe to log.

use std::fmt;
use std::time::Duration;

/// What went wrong with a call. `Display` and `Debug` never contain a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Rejected locally before anything was sent; `message` is the API's own text for the rule.
    #[error("{field}: {message}")]
    Validation {
        /// The JSON path of the offending field, e.g. `redirectUrl` or `requests[0].amount`.
        field: String,
        /// The message the API gives for the same rule.
        message: String,
    },
    /// 401: credential missing, invalid or expired.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// The server's message (scrubbed).
        message: String,
    },
    /// 403: credential valid but not allowed here (revoked, restricted, wrong Origin, platform
    /// not allowed, destination mismatch...).
    #[error("forbidden: {message}")]
    Forbidden {
        /// The server's message (scrubbed).
        message: String,
    },
    /// 404 from an endpoint whose 404 is not a status of its own (e.g. an unknown webhook).
    #[error("not found: {message}")]
    NotFound {
        /// The server's message (scrubbed).
        message: String,
    },
    /// 429: slow down; `retry_after` is the server's `Retry-After` (seconds or HTTP-date).
    #[error("rate limited{}", RetryHint(retry_after))]
    RateLimited {
        /// How long the server asked to wait, when it said so.
        retry_after: Option<Duration>,
    },
    /// Any other non-success answer, read from the NestJS-style error envelope. A 5xx to a POST
    /// may come from a proxy after the server acted (a "lost response"): the request may have
    /// taken effect.
    #[error("API error {status}: {message}{}", Issues(details))]
    Api {
        /// HTTP status code.
        status: u16,
        /// The envelope's `message` (an array of messages is joined with `; `), or the status
        /// reason when the body is no envelope.
        message: String,
        /// The envelope's `error` (e.g. `Bad Request`), when present.
        error: Option<String>,
        /// Field-level issues from `errors[]` or from an array `message`.
        details: Vec<ApiIssue>,
    },
    /// No complete answer within the configured timeout. For a POST the request may have taken
    /// effect.
    #[error("no answer within {after:?}")]
    Timeout {
        /// The configured timeout.
        after: Duration,
    },
    /// Connection refused, reset or closed early, DNS failure, TLS failure. For a POST the
    /// request may have taken effect.
    #[error("network error: {message}")]
    Network {
        /// What the HTTP stack reported (no URL, no headers).
        message: String,
    },
    /// The server answered, but not with what the contract says; for a POST that answered 2xx
    /// the request has taken effect.
    #[error("malformed response from {endpoint}: {problem}")]
    Malformed {
        /// Method and path, e.g. `POST /v2/secure-payments`.
        endpoint: String,
        /// What was wrong, with its JSON path, e.g. `requestStatuses[0].requestId: missing`.
        problem: String,
    },
    /// The configuration cannot be used (bad base URL, header-unsafe credential, zero timeout).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong (never the credential itself).
        message: String,
    },
}

impl Error {
    /// A stable machine-readable code for the layers above (IPC `{code, message}`, CLI).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation",
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::RateLimited { .. } => "rate_limited",
            Self::Api { .. } => "api",
            Self::Timeout { .. } => "timeout",
            Self::Network { .. } => "network",
            Self::Malformed { .. } => "malformed",
            Self::Config { .. } => "config",
        }
    }
}

/// One field-level complaint from an error envelope: `errors[]` items (`{field, message}`) or
/// the items of an array `message` (strings, or zod issues `{message, path}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiIssue {
    /// The field it is about (`path` joined with `.`), when the server said.
    pub field: Option<String>,
    /// The complaint.
    pub message: String,
}

struct RetryHint<'a>(&'a Option<Duration>);

impl fmt::Display for RetryHint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(delay) => write!(f, "; retry after {}s", delay.as_secs()),
            None => Ok(()),
        }
    }
}

/// Lists field issues after the message, unless the message already is their joined text.
struct Issues<'a>(&'a [ApiIssue]);

impl fmt::Display for Issues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_field: Vec<_> = self.0.iter().filter(|i| i.field.is_some()).collect();
        if with_field.is_empty() {
            return Ok(());
        }
        f.write_str(" (")?;
        for (n, issue) in with_field.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            write!(
                f,
                "{}: {}",
                issue.field.as_deref().unwrap_or(""),
                issue.message
            )?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let cases = [
            (
                Error::Validation {
                    field: "f".into(),
                    message: "m".into(),
                },
                "validation",
            ),
            (Error::RateLimited { retry_after: None }, "rate_limited"),
            (
                Error::Timeout {
                    after: Duration::from_secs(1),
                },
                "timeout",
            ),
            (
                Error::Malformed {
                    endpoint: "GET /".into(),
                    problem: "p".into(),
                },
                "malformed",
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code);
        }
    }

    #[test]
    fn display_names_the_field_issues_and_the_retry_delay() {
        let api = Error::Api {
            status: 400,
            message: "Validation failed".into(),
            error: None,
            details: vec![ApiIssue {
                field: Some("wallet".into()),
                message: "Invalid Ethereum address".into(),
            }],
        };
        assert_eq!(
            api.to_string(),
            "API error 400: Validation failed (wallet: Invalid Ethereum address)"
        );
        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(limited.to_string(), "rate limited; retry after 30s");
    }
}
