//! Exit codes and the one error report.
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0 | success (also `--help`, `--version`, and output cut short by a closed pipe) |
//! | 1 | anything else (e.g. stdout could not be written; the Request API refused a link for good: code `api_error`) |
//! | 2 | usage: unknown command or flag, missing argument (clap's own message) |
//! | 3 | invalid input: a value broke a rule; the message names the field; nothing was written |
//! | 4 | not found: no client or invoice with that id, number or name |
//! | 5 | conflict: the action clashes with stored state (a used number, an already void invoice) |
//! | 6 | keychain unavailable: credentials cannot be read or saved |
//! | 7 | storage: the database, the data folder or a file being written failed (a full disk) |
//!
//! An error is printed once: `error: <message>` on one line of stderr, or with `--json`
//! `{"code":"invalid_input","message":"...","field":"lines[0].quantity"}` (field may be null).
//! Usage errors (exit 2) are clap's own text, with or without `--json`.

use std::io::{self, Write};

use paydesk_core::{Error, ErrorCode};
use serde::Serialize;

use crate::Io;

/// Success.
pub const OK: i32 = 0;
/// Anything not covered below.
pub const FAILURE: i32 = 1;
/// Bad command line (clap).
pub const USAGE: i32 = 2;
/// A value broke a rule.
pub const INVALID_INPUT: i32 = 3;
/// The named record does not exist.
pub const NOT_FOUND: i32 = 4;
/// The action clashes with stored state.
pub const CONFLICT: i32 = 5;
/// The OS keychain cannot be used.
pub const KEYCHAIN_UNAVAILABLE: i32 = 6;
/// The database or data folder failed.
pub const STORAGE: i32 = 7;

/// The exit-code table shown at the end of `paydesk --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  ok
  1  anything else (e.g. the Request API refused a payment link for good)
  2  usage (unknown command or flag, missing argument)
  3  invalid input (the message names the field; nothing was written)
  4  not found
  5  conflict (e.g. invoice number already used, invoice already void)
  6  keychain unavailable
  7  storage (database, data folder, or a file being written: a full disk)

Errors are one line on stderr: `error: <message>`; with --json,
{\"code\":\"invalid_input\",\"message\":\"...\",\"field\":\"...\"} on stderr.";

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The engine (or the CLI's own input checks, which use the same type) refused.
    Core(Error),
    /// Writing the result to stdout failed.
    Output(io::Error),
    /// The Request API refused a request for good (its message; never a credential).
    Remote(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Output(e)
    }
}

/// The exit code for an engine error code.
pub fn code_for(code: ErrorCode) -> i32 {
    match code {
        ErrorCode::InvalidInput => INVALID_INPUT,
        ErrorCode::NotFound => NOT_FOUND,
        ErrorCode::Conflict => CONFLICT,
        ErrorCode::KeychainUnavailable => KEYCHAIN_UNAVAILABLE,
        ErrorCode::Storage => STORAGE,
        ErrorCode::Internal => FAILURE,
    }
}

#[derive(Serialize)]
struct JsonError<'a> {
    code: &'a str,
    message: &'a str,
    field: Option<&'a str>,
}

/// Print `failure` once on stderr and return its exit code.
pub(crate) fn report(failure: &Failure, json: bool, io: &mut Io<'_>) -> i32 {
    let (code, exit, message, field) = match failure {
        Failure::Remote(message) => ("api_error", FAILURE, message.clone(), None),
        // A reader that stopped early (`paydesk invoice list | head`) is not an error.
        Failure::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => return OK,
        Failure::Output(e) => (
            ErrorCode::Internal.as_str(),
            FAILURE,
            format!("cannot write the output: {e}"),
            None,
        ),
        Failure::Core(e) => (
            e.code().as_str(),
            code_for(e.code()),
            e.to_string(),
            e.field(),
        ),
    };
    let written = if json {
        let line = JsonError {
            code,
            message: &message,
            field,
        };
        serde_json::to_string(&line)
            .map_err(io::Error::other)
            .and_then(|text| writeln!(io.stderr, "{text}"))
    } else {
        writeln!(io.stderr, "error: {}", one_line(&message))
    };
    // Nowhere left to report a failing stderr; the exit code still tells.
    let _ = written.and_then(|()| io.stderr.flush());
    exit
}

/// The message on one line: some wrapped errors (a failed migration quotes its SQL) span many.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Print clap's own message (help and version on stdout, usage errors on stderr).
pub(crate) fn report_usage(e: &clap::Error, io: &mut Io<'_>) -> i32 {
    let text = e.render().to_string();
    let code = e.exit_code();
    let sink: &mut dyn Write = if e.use_stderr() {
        &mut *io.stderr
    } else {
        &mut *io.stdout
    };
    let _ = sink.write_all(text.as_bytes()).and_then(|()| sink.flush());
    if code == 0 {
        OK
    } else {
        USAGE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_code_has_its_own_exit_code() {
        assert_eq!(code_for(ErrorCode::InvalidInput), 3);
        assert_eq!(code_for(ErrorCode::NotFound), 4);
        assert_eq!(code_for(ErrorCode::Conflict), 5);
        assert_eq!(code_for(ErrorCode::KeychainUnavailable), 6);
        assert_eq!(code_for(ErrorCode::Storage), 7);
        assert_eq!(code_for(ErrorCode::Internal), 1);
    }

    #[test]
    fn multi_line_messages_are_printed_on_one_line() {
        assert_eq!(
            one_line("failed:\n  CREATE TABLE x (\n  a\n);\n"),
            "failed: CREATE TABLE x ( a );"
        );
    }

    #[test]
    fn json_error_has_code_message_and_field() {
        let e = Error::invalid("lines[0].quantity", "must be greater than zero");
        let line = JsonError {
            code: e.code().as_str(),
            message: &e.to_string(),
            field: e.field(),
        };
        assert_eq!(
            serde_json::to_string(&line).unwrap(),
            r#"{"code":"invalid_input","message":"lines[0].quantity: must be greater than zero","field":"lines[0].quantity"}"#
        );
    }
}
