//! # paydesk-tests
//!
//! Cross-crate tests that need more than one crate at a time. The library is empty on purpose;
//! the tests live in one integration-test binary, `tests/tests.rs`, which pulls in topic modules:
//!
//! - `shared_books`: the `paydesk` CLI (run in-process) and `paydesk-core` on one data folder
//!   see the same clients, invoices and number sequence;
//! - `modes`: Test mode and live mode keep separate database files;
//! - `secrets`: credentials set through the CLI are masked in every output and never stored in
//!   SQLite; a missing keychain only affects `secret` commands;
//! - `concurrency`: writers in separate connections get unique, gap-free invoice numbers;
//! - `request_sandbox`: `paydesk-request`'s client against `paydesk-sandbox` over loopback HTTP,
//!   for every route and every error (shapes, statuses, messages, signed webhooks, redaction).
//!
//! The CLI as a separate process is covered in `crates/paydesk-cli/tests/cli.rs`; the real app
//! window in `tests/e2e`.
