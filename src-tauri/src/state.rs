//! Managed state: the engine behind a mutex, and the one way commands reach it — on a blocking
//! worker thread, never on the UI or async runtime threads — plus the payment-link sender
//! ([`AppState::send_pass`]) that carries the outbox to the API.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use paydesk_core::outbox::{RequestGateway, SendReport};
use paydesk_core::secrets::{KeychainStore, SecretStore};
use paydesk_core::{app, Mode, Paydesk};
use paydesk_sandbox::TestModeSandbox;

use crate::error::{IpcError, IpcResult};

/// Where the sender sends: built on first use, rebuilt when the mode changes.
#[derive(Default)]
struct SenderSlot {
    /// The mode `gateway` was built for.
    mode: Option<Mode>,
    gateway: Option<RequestGateway>,
    /// The Test-mode sandbox this app started or attached to (kept for the app's lifetime).
    sandbox: Option<TestModeSandbox>,
    /// Port for a sandbox this app starts (`None`: `$PAYDESK_SANDBOX_PORT` or the default).
    sandbox_port: Option<u16>,
}

/// The engine, or why it could not be opened (the UI shows the reason). Cloning shares it.
#[derive(Clone)]
pub struct AppState {
    engine: Arc<Mutex<Result<Paydesk, IpcError>>>,
    /// Held for a whole sender pass, so passes never overlap.
    sender: Arc<tokio::sync::Mutex<SenderSlot>>,
}

impl AppState {
    /// Open the data folder (from `PAYDESK_DATA_DIR` or the platform app-data folder) with the
    /// OS keychain (namespace from `PAYDESK_KEYCHAIN_SERVICE` or the app identifier).
    pub fn open_default() -> AppState {
        let secrets: Arc<dyn SecretStore> = Arc::new(KeychainStore::new(app::keychain_service()));
        let engine = app::resolve_data_dir(None).and_then(|dir| Self::open_dir(dir, secrets));
        if let Err(e) = &engine {
            tracing::error!(error = %e, "cannot open the Paydesk data folder");
        }
        AppState {
            engine: Arc::new(Mutex::new(engine.map_err(IpcError::from))),
            sender: Default::default(),
        }
    }

    fn open_dir(dir: PathBuf, secrets: Arc<dyn SecretStore>) -> paydesk_core::Result<Paydesk> {
        let engine = Paydesk::open(&dir, secrets)?;
        tracing::info!(data_dir = %dir.display(), mode = engine.mode().as_str(), "opened data folder");
        Ok(engine)
    }

    /// State around an engine opened elsewhere (tests).
    pub fn new(engine: Paydesk) -> AppState {
        AppState {
            engine: Arc::new(Mutex::new(Ok(engine))),
            sender: Default::default(),
        }
    }

    /// Start the Test-mode sandbox on `port` (0: a free one) instead of the configured port
    /// (tests).
    pub fn with_sandbox_port(self, port: u16) -> AppState {
        if let Ok(mut slot) = self.sender.try_lock() {
            slot.sandbox_port = Some(port);
        }
        self
    }

    /// Run `f` with the engine on a blocking worker thread.
    pub async fn run<T, F>(&self, f: F) -> IpcResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Paydesk) -> paydesk_core::Result<T> + Send + 'static,
    {
        let engine = Arc::clone(&self.engine);
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = engine
                .lock()
                .map_err(|_| IpcError::internal("the engine lock was poisoned; restart Paydesk"))?;
            match guard.as_mut() {
                Ok(engine) => f(engine).map_err(IpcError::from),
                Err(open_error) => Err(open_error.clone()),
            }
        })
        .await
        .map_err(|e| IpcError::internal(format!("the engine worker failed: {e}")))?
    }

    /// One sender pass: claim every due outbox row of the current mode and send each once, in
    /// Test mode to the data folder's sandbox (started once, off the async workers), in live
    /// mode to the Request API with the keychain's credential. `Err` when nothing could be
    /// sent (no credentials, the sandbox is down); the rows then stay queued.
    pub async fn send_pass(&self) -> IpcResult<SendReport> {
        let mut slot = self.sender.lock().await;
        let (mode, data_dir, mut outbox) = self
            // Not `info()`: that probes the keychain, which this 5-second loop does not need.
            .run(|e| Ok((e.mode(), e.data_dir().to_path_buf(), e.outbox()?)))
            .await?;
        if slot.mode != Some(mode) {
            slot.gateway = None;
            slot.mode = Some(mode);
            if mode != Mode::Test {
                if let Some(old) = slot.sandbox.take() {
                    let _ = tauri::async_runtime::spawn_blocking(move || drop(old)).await;
                }
            }
        }
        let live_gateway;
        let gateway = match mode {
            // Built each pass: credentials may have changed in settings.
            Mode::Live => {
                live_gateway = self.run(|e| e.request_gateway(None)).await?;
                &live_gateway
            }
            Mode::Test => {
                if slot.gateway.is_none() {
                    slot.gateway = Some(self.test_gateway(&mut slot, data_dir).await?);
                }
                slot.gateway.as_ref().expect("gateway just set")
            }
        };
        let report = outbox
            .run_once(gateway, chrono::Utc::now())
            .await
            .map_err(IpcError::from)?;
        if report.sent > 0 || report.retrying > 0 || report.failed > 0 {
            tracing::info!(
                sent = report.sent,
                retrying = report.retrying,
                failed = report.failed,
                "payment-link sender pass"
            );
        }
        Ok(report)
    }

    async fn test_gateway(
        &self,
        slot: &mut SenderSlot,
        data_dir: PathBuf,
    ) -> IpcResult<RequestGateway> {
        if slot.sandbox.is_none() {
            let dir = data_dir.join("sandbox");
            let port = slot.sandbox_port;
            let sandbox = tauri::async_runtime::spawn_blocking(move || match port {
                Some(port) => TestModeSandbox::attach_or_start_on(&dir, port),
                None => TestModeSandbox::attach_or_start(&dir),
            })
            .await
            .map_err(|e| IpcError::internal(format!("the sandbox starter failed: {e}")))?
            .map_err(|e| IpcError::internal(format!("the Test-mode sandbox is down: {e}")))?;
            slot.sandbox = Some(sandbox);
        }
        let sandbox = slot.sandbox.as_ref().expect("sandbox just set");
        let base = sandbox.base_url().clone();
        let config = paydesk_request::ClientConfig::custom(
            base.clone(),
            base,
            paydesk_request::Credentials::api_key(sandbox.api_key()),
        );
        let client = paydesk_request::RequestClient::new(config)
            .map_err(|e| IpcError::internal(e.to_string()))?;
        Ok(RequestGateway::new(client))
    }

    /// Run [`AppState::send_pass`] in the background; failures are logged.
    pub fn kick_sender(&self) {
        let state = self.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = state.send_pass().await {
                tracing::warn!(error = %e.message, "payment-link sender pass did not run");
            }
        });
    }

    /// The background sender: a pass every `period`, forever.
    pub fn spawn_sender_loop(&self, period: std::time::Duration) {
        let state = self.clone();
        tauri::async_runtime::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = state.send_pass().await {
                    tracing::debug!(error = %e.message, "payment-link sender pass did not run");
                }
            }
        });
    }
}
