//! The commands the webview may call (each one granted by name in capabilities/main.json).
//! They are thin: parse arguments, hand the work to the engine off the UI thread, map errors.

pub mod backup;
pub mod clients;
pub mod documents;
pub mod invoices;
pub mod links;
pub mod payouts;
pub mod recovery;
pub mod secrets;
pub mod settings;
pub mod status;
pub mod webhooks;
