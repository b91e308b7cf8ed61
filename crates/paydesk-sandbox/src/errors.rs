//! Error values: [`SandboxError`] for starting the sandbox, and the HTTP error bodies the API
//! answers with (NestJS `{statusCode, message, error}`, body validation with `errors[]`, the
//! zod issue list of the Auth API, 429 with `Retry-After`, and the 409/423 bodies of `GET /:token`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The loopback port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The configuration is inconsistent (e.g. an unparseable destination id).
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// The Tokio runtime for a blocking run could not be built.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The webhook HTTP client could not be built.
    #[error("cannot build the webhook HTTP client: {0}")]
    Http(String),
    /// The state file (or its `.lock` / `.tmp` companion) could not be read or written.
    #[error("sandbox state file {}: {source}", path.display())]
    StateIo {
        /// The file concerned.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The state file is not a sandbox state this sandbox can read. It was left untouched.
    #[error("sandbox state file {} is corrupt ({problem}); it was left untouched: move it away or fix it", path.display())]
    StateCorrupt {
        /// The state file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The state file was written by a newer sandbox. It was left untouched.
    #[error("sandbox state file {} has format version {found}, newer than this sandbox reads ({supported}); it was left untouched: use a newer Paydesk", path.display())]
    StateTooNew {
        /// The state file.
        path: std::path::PathBuf,
        /// The file's `version`.
        found: u64,
        /// The newest version this sandbox reads.
        supported: u64,
    },
    /// Another sandbox (another process, or another handle in this one) holds the state file.
    #[error("the sandbox state is in use by another process ({}): {}", pid.map_or_else(|| "pid unknown".to_string(), |p| format!("pid {p}")), path.display())]
    StateInUse {
        /// The state file.
        path: std::path::PathBuf,
        /// The holder's pid, when its lock file could be read.
        pid: Option<u32>,
    },
}

/// One field-level validation failure: `{field, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An error answer of the emulated API.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiError {
    /// `{statusCode, message, error}` (NestJS `HttpException`).
    Http { status: StatusCode, message: String },
    /// 400 body validation: `{statusCode, message, error, errors: [{field, message}]}`. The
    /// message is `Validation failed` unless the contract names a specific text.
    Validation {
        message: String,
        errors: Vec<FieldError>,
    },
    /// 400 zod issues, as the Auth API answers: `{statusCode, message: [issue...], error}`.
    Zod { issues: Vec<Value> },
    /// 429 with a `Retry-After` header.
    RateLimited { retry_after_secs: u64 },
    /// A status with a body given verbatim (the 409 and 423 bodies of `GET /:token`).
    Body { status: StatusCode, body: Value },
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::Http {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized")
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// `Validation failed` with these field errors.
    pub(crate) fn validation(errors: Vec<FieldError>) -> Self {
        ApiError::Validation {
            message: "Validation failed".into(),
            errors,
        }
    }

    /// A rule the contract words exactly: the text is the message and the field's error.
    pub(crate) fn rule(field: &str, message: &str) -> Self {
        ApiError::Validation {
            message: message.to_string(),
            errors: vec![FieldError::new(field, message)],
        }
    }
}

/// The reason phrase NestJS puts in `error`.
pub(crate) fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Http { status, message } => (
                status,
                Json(json!({ "statusCode": status.as_u16(), "message": message, "error": reason(status) })),
            )
                .into_response(),
            ApiError::Validation { message, errors } => (
                StatusCode::BAD_REQUEST,
                Json(json!({ "statusCode": 400, "message": message, "error": "Bad Request", "errors": errors })),
            )
                .into_response(),
            ApiError::Zod { issues } => (
                StatusCode::BAD_REQUEST,
                Json(json!({ "statusCode": 400, "message": issues, "error": "Bad Request" })),
            )
                .into_response(),
            ApiError::RateLimited { retry_after_secs } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({ "statusCode": 429, "message": "Too Many Requests" })),
                )
                    .into_response();
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                response
            }
            ApiError::Body { status, body } => (status, Json(body)).into_response(),
        }
    }
}
