//! Cross-crate tests, one binary: the CLI (in-process, with an in-memory keychain) and the core
//! library working on the same data folders.

mod util;

mod concurrency;
mod modes;
mod secrets;
mod shared_books;
