//! The Test-mode sandbox host: one sandbox per data folder, shared by every Paydesk process.
//!
//! [`TestModeSandbox::attach_or_start`] takes `<data_dir>/sandbox` and either
//!
//! - **starts** a sandbox there: state in `state.json` (links survive restarts), listening on a
//!   fixed loopback port ([`DEFAULT_PORT`], or `$PAYDESK_SANDBOX_PORT`; 0 picks a free one, for
//!   tests) so the `securePaymentUrl`s stored by earlier runs stay valid, and its address and
//!   test credentials written to `endpoint.json` (`{baseUrl, apiKey, clientId, pid}`); or
//! - **attaches** to the sandbox another process runs on the same state (the desktop app, a
//!   `paydesk sandbox --state-file`, another CLI command): when the state is locked, it reads
//!   `endpoint.json` and checks that sandbox answers `GET {base}/__sandbox/info` with the same
//!   base URL, then uses the credentials that answer names.
//!
//! A started sandbox runs on a Tokio runtime the value owns, so synchronous callers (the CLI)
//! need none; it stops, removes `endpoint.json` and releases the state file when the value is
//! dropped. Do not create or
//! drop one on a Tokio worker thread (use `spawn_blocking`). The files hold sandbox-only test
//! credentials, never real secrets.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::SandboxConfig;
use crate::errors::SandboxError;
use crate::server::{Sandbox, SandboxHandle};

/// The loopback port of the Test-mode sandbox unless `$PAYDESK_SANDBOX_PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 47615;
/// Environment variable overriding [`DEFAULT_PORT`] (0 picks a free port).
pub const PORT_ENV: &str = "PAYDESK_SANDBOX_PORT";

/// What `endpoint.json` holds: where the running Test-mode sandbox is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The API and Auth API base URL.
    pub base_url: String,
    /// The accepted `x-api-key` (a sandbox-only test credential).
    pub api_key: String,
    /// The accepted `x-client-id`.
    pub client_id: String,
    /// The process that runs it.
    pub pid: u32,
}

/// A Test-mode sandbox this process started (and owns) or attached to.
pub struct TestModeSandbox {
    endpoint: Endpoint,
    base_url: Url,
    // Field order matters: the handle is dropped (server stopped) before its runtime.
    handle: Option<SandboxHandle>,
    /// The sandbox folder, when owned (its `endpoint.json` is removed on drop).
    dir: Option<PathBuf>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for TestModeSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestModeSandbox")
            .field("base_url", &self.endpoint.base_url)
            .field("pid", &self.endpoint.pid)
            .field("owned", &self.is_owned())
            .finish_non_exhaustive()
    }
}

/// The port from `$PAYDESK_SANDBOX_PORT`, else [`DEFAULT_PORT`].
pub fn configured_port() -> Result<u16, SandboxError> {
    match std::env::var(PORT_ENV) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| {
            SandboxError::Config(format!("{PORT_ENV}={v:?} is not a port number (0-65535)"))
        }),
        _ => Ok(DEFAULT_PORT),
    }
}

impl TestModeSandbox {
    /// Start the sandbox of `dir` (`<data_dir>/sandbox`), or attach to the one another process
    /// runs on it. See the module docs.
    pub fn attach_or_start(dir: &Path) -> Result<TestModeSandbox, SandboxError> {
        Self::attach_or_start_on(dir, configured_port()?)
    }

    /// [`TestModeSandbox::attach_or_start`] on `port` instead of the configured one (used only
    /// when this call starts the sandbox; 0 picks a free port).
    pub fn attach_or_start_on(dir: &Path, port: u16) -> Result<TestModeSandbox, SandboxError> {
        std::fs::create_dir_all(dir).map_err(|e| SandboxError::StateIo {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(SandboxError::Runtime)?;
        let config = SandboxConfig {
            port,
            state_file: Some(dir.join("state.json")),
            ..Default::default()
        };
        match runtime.block_on(Sandbox::start(config)) {
            Ok(handle) => {
                let endpoint = Endpoint {
                    base_url: handle.base_url().to_string(),
                    api_key: handle.api_key().to_string(),
                    client_id: handle.client_id().to_string(),
                    pid: std::process::id(),
                };
                write_endpoint(&endpoint_path(dir), &endpoint)?;
                Ok(TestModeSandbox {
                    base_url: handle.base_url(),
                    endpoint,
                    handle: Some(handle),
                    dir: Some(dir.to_path_buf()),
                    runtime: Some(runtime),
                })
            }
            Err(SandboxError::StateInUse { path, pid }) => {
                drop(runtime);
                attach(dir).map_err(|why| {
                    SandboxError::Config(format!(
                        "{}; and it cannot be reached: {why}",
                        SandboxError::StateInUse { path, pid }
                    ))
                })
            }
            Err(e) => Err(e),
        }
    }

    /// `http://127.0.0.1:<port>/`: the API and Auth API base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The accepted `x-api-key` (sandbox-only).
    pub fn api_key(&self) -> &str {
        &self.endpoint.api_key
    }

    /// The accepted `x-client-id`.
    pub fn client_id(&self) -> &str {
        &self.endpoint.client_id
    }

    /// The process that runs the sandbox (this one when owned).
    pub fn pid(&self) -> u32 {
        self.endpoint.pid
    }

    /// Whether this value started the sandbox (it stops when dropped) rather than attached.
    pub fn is_owned(&self) -> bool {
        self.handle.is_some()
    }

    /// The running sandbox, when this value owns it.
    pub fn handle(&self) -> Option<&SandboxHandle> {
        self.handle.as_ref()
    }
}

impl Drop for TestModeSandbox {
    fn drop(&mut self) {
        if let (Some(handle), Some(runtime)) = (self.handle.take(), self.runtime.take()) {
            // Still holding the state lock: no other process has written its endpoint yet.
            if let Some(dir) = &self.dir {
                let _ = std::fs::remove_file(endpoint_path(dir));
            }
            runtime.block_on(handle.shutdown());
        }
    }
}

fn endpoint_path(dir: &Path) -> PathBuf {
    dir.join("endpoint.json")
}

fn write_endpoint(path: &Path, endpoint: &Endpoint) -> Result<(), SandboxError> {
    let io = |source| SandboxError::StateIo {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_vec_pretty(endpoint).map_err(|e| io(std::io::Error::other(e)))?;
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Read `endpoint.json` and confirm the sandbox there answers as itself.
fn attach(dir: &Path) -> Result<TestModeSandbox, String> {
    let path = endpoint_path(dir);
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let endpoint: Endpoint =
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let base_url = Url::parse(&endpoint.base_url).map_err(|e| format!("baseUrl: {e}"))?;
    let info = get_info(&base_url)?;
    if info.get("baseUrl").and_then(|v| v.as_str()) != Some(base_url.as_str()) {
        return Err(format!(
            "{base_url} is not the sandbox of {}",
            dir.display()
        ));
    }
    let field = |k: &str| {
        info.get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("{base_url}__sandbox/info has no {k}"))
    };
    Ok(TestModeSandbox {
        endpoint: Endpoint {
            api_key: field("apiKey")?,
            client_id: field("clientId")?,
            ..endpoint
        },
        base_url,
        handle: None,
        dir: None,
        runtime: None,
    })
}

/// `GET {base}/__sandbox/info` over plain HTTP/1.1 on loopback, with a short timeout.
fn get_info(base: &Url) -> Result<serde_json::Value, String> {
    let host = base.host_str().unwrap_or_default();
    if host != "127.0.0.1" {
        return Err(format!("{base} is not a loopback address"));
    }
    let port = base.port_or_known_default().unwrap_or(80);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let timeout = Duration::from_secs(3);
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{addr}: {e}"))?;
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    write!(
        stream,
        "GET /__sandbox/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("{addr}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("{addr}: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{addr}: not an HTTP answer"))?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "{addr}: answered {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    serde_json::from_str(&body).map_err(|e| format!("{addr}: not sandbox info: {e}"))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}
