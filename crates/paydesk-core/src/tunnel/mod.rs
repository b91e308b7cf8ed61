//! The tunnel: puts the loopback webhook receiver (`127.0.0.1:<port>`) on the internet.
//!
//! This module owns starting and supervising the tunnel program and nothing else: it does not
//! register webhooks or store settings. Three kinds, chosen by [`TunnelSpec`]:
//!
//! - **cloudflared quick tunnel**:
//!   `cloudflared tunnel --no-autoupdate --url http://127.0.0.1:<port> --metrics 127.0.0.1:<free>`;
//!   the `https://<name>.trycloudflare.com` URL is read from its output, or from its metrics
//!   endpoint (`/quicktunnel`) as a fallback.
//! - **ngrok**: `ngrok http 127.0.0.1:<port> --log stdout --log-format json`, authtoken in the
//!   environment (never in arguments or logs); the URL comes from its JSON log or its local API.
//! - **manual**: the user runs their own proxy and types its URL; no process.
//!
//! [`TunnelManager`] supervises the program: a child that exits, or a URL that does not appear
//! within [`TunnelOptions::url_deadline`], is restarted with doubling backoff. Consumers watch
//! [`TunnelManager::subscribe`] and re-register when `public_url` changes. A missing binary is
//! [`TunnelPhase::Retrying`] with a message saying how to fix it, looked for again at the
//! longest pause ([`TunnelOptions::backoff_max`]), so installing it is enough.
//!
//! Programs are started through the [`Launcher`] trait: [`TokioLauncher`] in the CLI and tests,
//! tauri-plugin-shell in the desktop app.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::secrets::Secret;

pub mod launcher;
mod manager;
pub mod parse;

pub use crate::domain::webhook::parse_public_url;
pub use launcher::{ChildEvent, ChildProcess, CommandSpec, Launcher, TokioLauncher};
pub use manager::TunnelManager;

/// Which tunnel to run.
#[derive(Debug, Clone)]
pub enum TunnelSpec {
    /// A cloudflared quick tunnel; `binary: None` finds `cloudflared` on PATH.
    Cloudflared { binary: Option<PathBuf> },
    /// An ngrok tunnel; `binary: None` finds `ngrok` on PATH. The authtoken, when given, is
    /// passed as `NGROK_AUTHTOKEN` in the environment.
    Ngrok {
        binary: Option<PathBuf>,
        authtoken: Option<Secret>,
    },
    /// A URL the user serves themselves: no process, up at once (when the URL is valid).
    Manual { url: url::Url },
}

/// Timing of the supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelOptions {
    /// How long a started program has to show its public URL before it is killed and retried.
    pub url_deadline: Duration,
    /// The first wait before a restart; it doubles on each failure.
    pub backoff_min: Duration,
    /// The longest wait before a restart.
    pub backoff_max: Duration,
    /// ngrok's local API; `None` uses the address ngrok logs, else `http://127.0.0.1:4040`.
    pub ngrok_api: Option<url::Url>,
}

impl Default for TunnelOptions {
    fn default() -> Self {
        TunnelOptions {
            url_deadline: Duration::from_secs(30),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            ngrok_api: None,
        }
    }
}

/// What the tunnel is doing, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TunnelState {
    /// The phase.
    pub state: TunnelPhase,
    /// The public URL while `Up` (no trailing slash on a bare origin).
    pub public_url: Option<String>,
    /// Which start this is (1-based) since the last stable run; 0 when off or manual.
    pub attempt: u32,
    /// Why the last start failed (`Retrying`, `Failed`); never contains secrets.
    pub error: Option<String>,
    /// When the next start is due (`Retrying`), RFC 3339 UTC.
    pub retry_at: Option<String>,
}

/// The phase of a tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TunnelPhase {
    /// Not running (stopped).
    Off,
    /// The program is starting; no URL yet.
    Starting,
    /// Reachable at `public_url`.
    Up,
    /// The last start failed; another is due at `retry_at`.
    Retrying,
    /// Gave up (an invalid manual URL); needs the user.
    Failed,
}

impl TunnelState {
    /// The state of a stopped tunnel.
    pub fn off() -> Self {
        TunnelState {
            state: TunnelPhase::Off,
            public_url: None,
            attempt: 0,
            error: None,
            retry_at: None,
        }
    }
}
