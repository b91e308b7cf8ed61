//! The error every command rejects with: `{code, message, field}`, built from the engine's typed
//! error so the UI can branch on `code` and show `message` next to `field`.

use paydesk_core::{Error, ErrorCode};
use serde::Serialize;

/// An error as the webview receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl IpcError {
    /// An error that is nobody's input's fault (a crashed worker, a lost lock).
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError {
            code: ErrorCode::Internal,
            message: message.into(),
            field: None,
        }
    }
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        IpcError {
            code: e.code(),
            field: e.field().map(str::to_string),
            message: e.to_string(),
        }
    }
}

/// What every command returns.
pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_serializes_to_code_message_field() {
        let e: IpcError = Error::invalid("lines[0].quantity", "must be greater than zero").into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "invalid_input",
                "message": "lines[0].quantity: must be greater than zero",
                "field": "lines[0].quantity"
            })
        );
    }

    #[test]
    fn not_found_has_null_field() {
        let e: IpcError = Error::NotFound {
            what: "invoice",
            id: "x".into(),
        }
        .into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "not_found");
        assert!(json["field"].is_null());
    }
}
