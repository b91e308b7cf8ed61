//! End-to-end harness for the real Paydesk window.
//!
//! The suite launches the built `paydesk-desktop` binary through `tauri-driver` (a WebDriver
//! intermediary) and the system `WebKitWebDriver`, then drives the UI through its stable
//! `data-testid`s. It needs a display (Xvfb), a D-Bus session and both drivers, so it runs from
//! `scripts/test.sh` inside `dbus-run-session -- xvfb-run`, never from a plain `cargo test`
//! (the crate is not a default workspace member).
//!
//! - [`Environment`] checks the preconditions and fails with a message that says what is missing.
//! - [`TauriDriver`] owns one `tauri-driver` process group (and so every app it launched) and its
//!   own data directory; dropping it ends them all.
//! - [`AppSession`] is one WebDriver session, i.e. one running app window, with helpers that address
//!   elements by test id and wait for conditions with a deadline.
//! - [`memory`] reads the resident memory of the app and its WebKit helper processes.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let env = paydesk_e2e::Environment::check(paydesk_e2e::Profile::Debug)?;
//! let driver = paydesk_e2e::TauriDriver::start(&env).await?;
//! let app = driver.new_session().await?;
//! app.wait_for("screen-invoices").await?;
//! app.close().await?;
//! # Ok(()) }
//! ```

mod driver;
mod environment;
pub mod memory;
mod session;
mod wait;

pub use driver::TauriDriver;
pub use environment::{workspace_root, Environment, Profile};
pub use session::{testid, AppSession, Choice};
pub use wait::{poll_until, DEFAULT_TIMEOUT, POLL_INTERVAL};
