//! The engine's error type: one enum, a stable `code` per variant, and the input `field` at fault.
//!
//! Messages never contain secrets: keychain errors are described by kind, never by value.

use std::fmt;

/// Every failure the engine reports. `code()` is stable and crosses IPC and the CLI.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input broke a rule; nothing was written.
    #[error("{field}: {rule}")]
    Invalid { field: String, rule: String },
    /// The thing asked for does not exist.
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: String },
    /// The action clashes with stored state (a used number, a void invoice).
    #[error("{}", conflict_message(.field, .message))]
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// The OS keychain could not be reached or refused the operation.
    #[error("keychain unavailable: {0}")]
    KeychainUnavailable(String),
    /// SQLite failed (I/O, corruption, locking, a full disk).
    #[error("{}", storage_message(.0))]
    Storage(#[from] rusqlite::Error),
    /// The database schema could not be brought up to date.
    #[error("{}", migration_message(.0))]
    Migration(#[from] rusqlite_migration::Error),
    /// A file or folder of the app could not be read or written.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// The first line of an error (migration errors quote whole SQL scripts).
fn first_line(e: &impl fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// What the user reads when the disk under the data folder is full (SQLite rolled back, so the
/// books are as they were).
const DISK_FULL_MESSAGE: &str =
    "the disk holding your books is full: nothing was saved (free some space and try again)";

/// The message of a storage error: a full disk in plain words, everything else as SQLite says.
fn storage_message(e: &rusqlite::Error) -> String {
    if is_disk_full(e) {
        DISK_FULL_MESSAGE.to_string()
    } else {
        format!("database error: {e}")
    }
}

/// The message of a failed migration: a full disk in plain words (the migration's transaction
/// rolled back), anything else with the first line of what failed.
fn migration_message(e: &rusqlite_migration::Error) -> String {
    if is_disk_full(e) {
        DISK_FULL_MESSAGE.to_string()
    } else {
        format!("database migration failed: {}", first_line(e))
    }
}

/// Whether anywhere in the error's chain SQLite said SQLITE_FULL, or an I/O error (a boxed
/// conversion or function error) is ENOSPC or an exceeded quota.
fn is_disk_full(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(e);
    while let Some(s) = source {
        let sqlite_full = s
            .downcast_ref::<rusqlite::Error>()
            .is_some_and(|e| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull));
        let io_full = s
            .downcast_ref::<std::io::Error>()
            .is_some_and(crate::fsutil::is_disk_full);
        if sqlite_full || io_full {
            return true;
        }
        source = s.source();
    }
    false
}

fn conflict_message(field: &Option<String>, message: &str) -> String {
    match field {
        Some(f) => format!("{f}: {message}"),
        None => message.to_string(),
    }
}

/// Result alias for engine calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The stable error codes shared with the UI and the CLI's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Conflict,
    KeychainUnavailable,
    Storage,
    Internal,
}

impl ErrorCode {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::Storage => "storage",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// An `Invalid` error for `field` breaking `rule`.
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// A `Conflict` on `field`.
    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        Error::Conflict {
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } => ErrorCode::InvalidInput,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            Error::Storage(_) | Error::Migration(_) | Error::Io { .. } => ErrorCode::Storage,
        }
    }

    /// The input field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            Error::Conflict { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Prefix the field path, e.g. `quantity` inside line 2 becomes `lines[2].quantity`.
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Error::Invalid { field, rule } => Error::Invalid {
                field: format!("{prefix}.{field}"),
                rule,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_error_names_field_and_rule() {
        let e = Error::invalid("lines[0].quantity", "must be greater than zero");
        assert_eq!(
            e.to_string(),
            "lines[0].quantity: must be greater than zero"
        );
        assert_eq!(e.code().as_str(), "invalid_input");
        assert_eq!(e.field(), Some("lines[0].quantity"));
    }

    #[test]
    fn a_full_disk_under_the_books_is_said_plainly_and_stays_a_storage_error() {
        use rusqlite::ffi;
        let full = |message: Option<&str>| {
            Error::from(rusqlite::Error::SqliteFailure(
                ffi::Error::new(ffi::SQLITE_FULL),
                message.map(str::to_string),
            ))
        };
        let enospc = Error::from(rusqlite::Error::ToSqlConversionFailure(Box::new(
            std::io::Error::from_raw_os_error(28),
        )));
        let storage_full = Error::from(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            Box::new(std::io::Error::from(std::io::ErrorKind::StorageFull)),
        ));
        for e in [
            full(Some("database or disk is full")),
            full(None),
            enospc,
            storage_full,
        ] {
            assert_eq!(
                e.to_string(),
                "the disk holding your books is full: nothing was saved \
                 (free some space and try again)",
                "{e:?}"
            );
            assert_eq!(e.code(), ErrorCode::Storage);
        }
    }

    #[test]
    fn a_migration_that_ran_out_of_disk_says_so_and_others_keep_their_first_line() {
        use rusqlite::ffi;
        let failed = |code| {
            Error::from(rusqlite_migration::Error::with_sql(
                rusqlite::Error::SqliteFailure(ffi::Error::new(code), None),
                "CREATE TABLE t (a);\nCREATE INDEX i ON t (a);",
            ))
        };
        let full = failed(ffi::SQLITE_FULL);
        assert!(
            full.to_string()
                .starts_with("the disk holding your books is full"),
            "{full}"
        );
        assert_eq!(full.code(), ErrorCode::Storage);
        let other = failed(ffi::SQLITE_CONSTRAINT).to_string();
        assert!(other.starts_with("database migration failed: "), "{other}");
        assert!(!other.contains('\n'), "{other}");
    }

    #[test]
    fn other_storage_errors_keep_sqlites_words() {
        use rusqlite::ffi;
        let errors = || {
            [
                rusqlite::Error::SqliteFailure(
                    ffi::Error::new(ffi::SQLITE_BUSY),
                    Some("database is locked".into()),
                ),
                rusqlite::Error::SqliteFailure(ffi::Error::new(ffi::SQLITE_IOERR), None),
                rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::from(
                    std::io::ErrorKind::PermissionDenied,
                ))),
                rusqlite::Error::QueryReturnedNoRows,
            ]
        };
        for (sqlite, e) in errors().into_iter().zip(errors().map(Error::from)) {
            assert_eq!(e.to_string(), format!("database error: {sqlite}"));
            assert_eq!(e.code(), ErrorCode::Storage);
        }
        assert_eq!(
            Error::from(errors().into_iter().next().unwrap()).to_string(),
            "database error: database is locked"
        );
    }

    #[test]
    fn within_prefixes_the_field_path() {
        let e = Error::invalid("quantity", "must be greater than zero").within("lines[3]");
        assert_eq!(e.field(), Some("lines[3].quantity"));
    }
}
