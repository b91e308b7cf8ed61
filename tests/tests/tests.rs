//! Cross-crate tests, one binary: the CLI (in-process, with an in-memory keychain) and the core
//! library working on the same data folders; the Request API client against the sandbox over
//! loopback HTTP.

mod util;

mod concurrency;
mod modes;
mod request_sandbox;
mod secrets;
mod shared_books;
