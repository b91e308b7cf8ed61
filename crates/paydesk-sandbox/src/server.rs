//! Starting and stopping the server: the shared state every handler sees, binding to
//! 127.0.0.1, the graceful shutdown, the [`SandboxHandle`] and the standalone entry points.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use crate::clock::ShiftedClock;
use crate::config::{AmountUnits, SandboxConfig};
use crate::control::SandboxControl;
use crate::errors::SandboxError;
use crate::faults::Faults;
use crate::networks::{parse_destination, Destination};
use crate::persist::{self, Credentials, Persister};
use crate::rate_limit::RateLimiter;
use crate::state::Store;
use crate::webhooks::delivery::{DeliverySettings, Dispatcher};
use crate::{auth, ids, routes};

/// Settings fixed at start.
pub(crate) struct Settings {
    pub api_key: String,
    pub client_id: String,
    pub session_token: String,
    pub allowed_domains: Vec<String>,
    pub destination: Option<Destination>,
    pub payouts_allowed: bool,
    pub link_lifetime: chrono::Duration,
    pub amount_units: AmountUnits,
    pub base_url: Url,
    pub rate_limit_per_sec: u32,
}

/// What every handler shares.
pub(crate) struct Shared {
    pub settings: Settings,
    pub clock: ShiftedClock,
    pub store: Mutex<Store>,
    pub faults: Arc<Mutex<Faults>>,
    pub limiter: RateLimiter,
    pub dispatcher: Dispatcher,
    /// The state file's keeper, when [`SandboxConfig::state_file`] is set.
    pub persister: Option<Persister>,
}

impl Shared {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the state file after a change (a no-op without one). Call it with the store
    /// guard still held, so writes happen in the order of the changes.
    pub(crate) fn save(&self, store: &Store) {
        if let Some(p) = &self.persister {
            p.save(store);
        }
    }

    /// Lets go of the state file: its lock is released and nothing is written any more.
    pub(crate) fn release_state(&self) {
        if let Some(p) = &self.persister {
            p.release();
        }
    }

    pub(crate) fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(|e| e.into_inner()) = faults.clamped();
    }

    /// The endpoints an event goes to: every active webhook (the sandbox is one platform, so
    /// client-id and platform-level webhooks alike hear about every link).
    pub(crate) fn webhook_targets(
        &self,
        only: impl Fn(&crate::state::Webhook) -> bool,
    ) -> Vec<crate::webhooks::delivery::Target> {
        self.store()
            .webhooks
            .iter()
            .filter(|w| w.is_active && only(w))
            .map(|w| crate::webhooks::delivery::Target {
                webhook_id: w.id.clone(),
                url: w.url.clone(),
                secret: w.secret.clone(),
            })
            .collect()
    }

    /// `{base}/?token=<token>`: the payer page of a link.
    pub(crate) fn payment_url(&self, token: &str) -> String {
        let mut url = self.settings.base_url.clone();
        url.query_pairs_mut().append_pair("token", token);
        url.to_string()
    }
}

/// The entry point: [`Sandbox::start`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Binds 127.0.0.1 and serves the emulator in the background of the current Tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
        let destination = match &config.destination_id {
            Some(id) => Some(
                parse_destination(id)
                    .map_err(|e| SandboxError::Config(format!("destination id {id:?}: {e:?}")))?,
            ),
            None => None,
        };
        // The state file first: locked, then loaded, before anything is bound.
        let persisted = match &config.state_file {
            Some(path) => {
                let lock = persist::lock(path)?;
                Some((path.clone(), lock, persist::load(path)?))
            }
            None => None,
        };
        let saved = persisted
            .as_ref()
            .and_then(|(_, _, loaded)| loaded.as_ref())
            .map(|l| l.credentials.clone());
        let credentials = Credentials {
            api_key: config
                .api_key
                .clone()
                .or_else(|| saved.as_ref().map(|c| c.api_key.clone()))
                .unwrap_or_else(ids::api_key),
            client_id: config
                .client_id
                .clone()
                .or_else(|| saved.as_ref().map(|c| c.client_id.clone()))
                .unwrap_or_else(ids::client_id),
            session_token: config
                .session_token
                .clone()
                .or_else(|| saved.as_ref().map(|c| c.session_token.clone()))
                .unwrap_or_else(ids::session_token),
        };
        let (store, persister) = match persisted {
            Some((path, lock, loaded)) => {
                let store = loaded.map(|l| l.store).unwrap_or_default();
                let persister = Persister::new(path, lock, credentials.clone());
                // Written at once, so generated credentials are the same after a restart.
                persister.write(&store)?;
                (store, Some(persister))
            }
            None => (Store::default(), None),
        };
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(|source| SandboxError::Bind {
                port: config.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind {
                port: config.port,
                source,
            })?
            .port();
        let base_url = Url::parse(&format!("http://127.0.0.1:{port}/"))
            .map_err(|e| SandboxError::Config(e.to_string()))?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SandboxError::Http(e.to_string()))?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let faults = Arc::new(Mutex::new(config.faults.clone().clamped()));
        let dispatcher = Dispatcher::start(
            client,
            DeliverySettings {
                retry_delays: config.webhook_retry_delays.clone(),
                timeout: config.webhook_timeout,
                allow_remote: config.allow_remote_webhooks,
                reorder_window: config.webhook_reorder_window,
            },
            faults.clone(),
            shutdown_rx.clone(),
        );
        let shared = Arc::new(Shared {
            settings: Settings {
                api_key: credentials.api_key,
                client_id: credentials.client_id,
                session_token: credentials.session_token,
                allowed_domains: config
                    .allowed_domains
                    .iter()
                    .map(|d| auth::normalize_origin(d))
                    .collect(),
                destination,
                payouts_allowed: config.payouts_allowed,
                link_lifetime: config.link_lifetime,
                amount_units: config.amount_units,
                base_url: base_url.clone(),
                rate_limit_per_sec: config.rate_limit_per_sec,
            },
            clock: ShiftedClock::new(config.clock.clone()),
            store: Mutex::new(store),
            faults,
            limiter: RateLimiter::new(config.rate_limit_per_sec),
            dispatcher,
            persister,
        });
        let app =
            routes::router(shared.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let mut stop = shutdown_rx;
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        });
        let join = tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::error!("sandbox server stopped: {e}");
            }
        });
        tracing::info!(%base_url, "sandbox listening");
        Ok(SandboxHandle {
            shared,
            shutdown: shutdown_tx,
            join: Some(join),
        })
    }
}

/// A running sandbox. Dropping it stops the server; [`SandboxHandle::shutdown`] also waits.
pub struct SandboxHandle {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    join: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("base_url", &self.base_url().as_str())
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>/`: the API base URL and the Auth API base URL alike.
    pub fn base_url(&self) -> Url {
        self.shared.settings.base_url.clone()
    }

    /// The accepted `x-api-key`.
    pub fn api_key(&self) -> &str {
        &self.shared.settings.api_key
    }

    /// The accepted `x-client-id`.
    pub fn client_id(&self) -> &str {
        &self.shared.settings.client_id
    }

    /// The accepted session token for session-only routes (`GET /v2/secure-payments?requestId=`).
    pub fn session_token(&self) -> &str {
        &self.shared.settings.session_token
    }

    /// The payee destination id the client id is bound to, if any.
    pub fn destination_id(&self) -> Option<&str> {
        self.shared
            .settings
            .destination
            .as_ref()
            .map(|d| d.destination_id.as_str())
    }

    /// The payer page of a token: `{base}/?token=<token>`.
    pub fn payment_url(&self, token: &str) -> Url {
        Url::parse(&self.shared.payment_url(token)).unwrap_or_else(|_| self.base_url())
    }

    /// The in-process control API (pay, fail, expire, clock, faults, deliveries...).
    pub fn control(&self) -> SandboxControl {
        SandboxControl::new(self.shared.clone())
    }

    /// Stops accepting connections, lets in-flight requests finish (5 s at most), stops
    /// webhook delivery and releases the state file (another sandbox may then use it).
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(join) = self.join.take() {
            let abort = join.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), join)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        self.shared.release_state();
    }
}

impl Drop for SandboxHandle {
    /// Stops the server without waiting, and releases the state file at once (requests still
    /// finishing are no longer saved).
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.shared.release_state();
    }
}

/// Where a running sandbox listens and which credentials it accepts: what
/// `paydesk sandbox --port N` prints (`Display` gives the human lines, `Serialize` the JSON).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxInfo {
    /// The API and Auth API base URL.
    pub base_url: String,
    /// The accepted `x-api-key`.
    pub api_key: String,
    /// The accepted `x-client-id`.
    pub client_id: String,
    /// The payee destination the client id is bound to.
    pub destination_id: Option<String>,
}

impl std::fmt::Display for SandboxInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Base URL:    {}", self.base_url)?;
        writeln!(f, "API key:     {}", self.api_key)?;
        write!(f, "Client ID:   {}", self.client_id)?;
        if let Some(d) = &self.destination_id {
            write!(f, "\nDestination: {d}")?;
        }
        Ok(())
    }
}

impl SandboxHandle {
    /// Base URL and credentials, for printing.
    pub fn info(&self) -> SandboxInfo {
        SandboxInfo {
            base_url: self.base_url().to_string(),
            api_key: self.api_key().to_string(),
            client_id: self.client_id().to_string(),
            destination_id: self.destination_id().map(str::to_string),
        }
    }
}

/// Starts a sandbox, hands its [`SandboxInfo`] to `on_ready`, and serves until Ctrl-C.
pub async fn serve_until_ctrl_c(
    config: SandboxConfig,
    on_ready: impl FnOnce(&SandboxInfo),
) -> Result<(), SandboxError> {
    let handle = Sandbox::start(config).await?;
    on_ready(&handle.info());
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!("cannot listen for Ctrl-C: {e}");
        std::future::pending::<()>().await;
    }
    handle.shutdown().await;
    Ok(())
}

/// Runs a sandbox until Ctrl-C after printing its base URL, API key and client id on stdout:
/// the body of `paydesk sandbox --port N`.
pub async fn serve_forever(config: SandboxConfig) -> Result<(), SandboxError> {
    serve_until_ctrl_c(config, |info| {
        println!("Request Network sandbox (Ctrl-C to stop)\n{info}")
    })
    .await
}

/// [`serve_until_ctrl_c`] on its own multi-threaded Tokio runtime, for synchronous callers
/// (the CLI prints `info` itself, as a table or as JSON).
pub fn serve_forever_blocking(
    config: SandboxConfig,
    on_ready: impl FnOnce(&SandboxInfo),
) -> Result<(), SandboxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(SandboxError::Runtime)?;
    runtime.block_on(serve_until_ctrl_c(config, on_ready))
}
