//! Managed state: the engine behind a mutex, and the one way commands reach it — on a blocking
//! worker thread, never on the UI or async runtime threads — plus the payment-link sender
//! ([`AppState::send_pass`]) that carries the outbox to the API.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use paydesk_core::backup::recovery::{diagnose, Damage};
use paydesk_core::outbox::{Outbox, RequestGateway, SendReport};
use paydesk_core::secrets::{KeychainStore, SecretStore};
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::status::poller::{Poller, SyncStatus, TickReport};
use paydesk_core::status::StatusChange;
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
    /// The status poller of the current mode (its own database connection).
    poller: Option<Poller>,
    /// The outbox sender of the current mode (its own database connection).
    outbox: Option<Outbox>,
    /// The payout sender of the current mode (its own database connection).
    payouts: Option<paydesk_core::payout_sender::PayoutSender>,
    /// When the live-mode gateway was built (rebuilt after a minute: credentials may change).
    built_at: Option<std::time::Instant>,
}

/// The engine, or why it could not be opened (the UI shows the reason). Cloning shares it.
#[derive(Clone)]
pub struct AppState {
    engine: Arc<Mutex<Result<Paydesk, IpcError>>>,
    /// Held for a whole sender or poller pass, so passes never overlap.
    sender: Arc<tokio::sync::Mutex<SenderSlot>>,
    /// Every API call of the app waits for a slot here (5/s, the API's default tier).
    limiter: Arc<RateLimiter>,
    /// The poller's last state, readable without waiting for a pass.
    sync: Arc<Mutex<Option<SyncStatus>>>,
    /// The webhook receiver, tunnel and registration ([`crate::webhooks`]).
    webhooks: Arc<crate::webhooks::WebhookHub>,
    /// The save and open dialogs ([`crate::files`]); tests put fixed answers here.
    files: Arc<Mutex<Option<Arc<dyn crate::files::FilePicker>>>>,
    /// Told about every payout a sender pass moved (the shell emits `payout-changed`).
    payout_listener: Arc<Mutex<Option<PayoutListener>>>,
    /// The data folder and keychain the engine was opened on (`None` in tests that hand an
    /// engine in): what a recovery restores into and opens again.
    home: Option<Home>,
}

/// Where the books live, kept to open them again after a recovery.
#[derive(Clone)]
struct Home {
    data_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
}

/// Called with the payouts a pass moved.
pub type PayoutListener = Arc<dyn Fn(&[paydesk_core::store::PayoutChange]) + Send + Sync>;

impl AppState {
    /// Open the data folder (from `PAYDESK_DATA_DIR` or the platform app-data folder) with the
    /// OS keychain (namespace from `PAYDESK_KEYCHAIN_SERVICE` or the app identifier).
    pub fn open_default() -> AppState {
        let secrets: Arc<dyn SecretStore> = Arc::new(KeychainStore::new(app::keychain_service()));
        match app::resolve_data_dir(None) {
            Ok(dir) => Self::open_at(dir, secrets),
            Err(e) => {
                tracing::error!(error = %e, "cannot find the Paydesk data folder");
                Self::with_engine(Err(e.into()), None)
            }
        }
    }

    /// Open the books in `dir`; when they cannot be opened the state holds why (the UI shows
    /// it, or the recovery screen when the file is damaged).
    pub fn open_at(dir: PathBuf, secrets: Arc<dyn SecretStore>) -> AppState {
        let engine = Self::open_dir(dir.clone(), secrets.clone());
        if let Err(e) = &engine {
            tracing::error!(error = %e, "cannot open the Paydesk data folder");
        }
        let home = Home {
            data_dir: dir,
            secrets,
        };
        Self::with_engine(engine.map_err(IpcError::from), Some(home))
    }

    fn with_engine(engine: Result<Paydesk, IpcError>, home: Option<Home>) -> AppState {
        AppState {
            engine: Arc::new(Mutex::new(engine)),
            sender: Default::default(),
            limiter: Default::default(),
            sync: Default::default(),
            webhooks: Default::default(),
            files: Default::default(),
            payout_listener: Default::default(),
            home,
        }
    }

    fn open_dir(dir: PathBuf, secrets: Arc<dyn SecretStore>) -> paydesk_core::Result<Paydesk> {
        let engine = Paydesk::open(&dir, secrets)?;
        tracing::info!(data_dir = %dir.display(), mode = engine.mode().as_str(), "opened data folder");
        Ok(engine)
    }

    /// State around an engine opened elsewhere (tests).
    pub fn new(engine: Paydesk) -> AppState {
        Self::with_engine(Ok(engine), None)
    }

    /// Start the Test-mode sandbox on `port` (0: a free one) instead of the configured port
    /// (tests).
    pub fn with_sandbox_port(self, port: u16) -> AppState {
        if let Ok(mut slot) = self.sender.try_lock() {
            slot.sandbox_port = Some(port);
        }
        self
    }

    /// Tell `listener` about every payout a sender pass moves (whichever pass sent it: the
    /// background loop's or one woken by an approval).
    pub fn set_payout_listener(&self, listener: PayoutListener) {
        *self
            .payout_listener
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(listener);
    }

    /// Show dialogs with `picker` (the OS dialogs in the app, fixed answers in tests).
    pub fn set_file_picker(&self, picker: Arc<dyn crate::files::FilePicker>) {
        *self.files.lock().unwrap_or_else(|e| e.into_inner()) = Some(picker);
    }

    /// Ask where to save (`None`: cancelled), off the async workers.
    pub async fn pick_save(
        &self,
        title: &'static str,
        default_name: String,
        filter: crate::files::Filter,
    ) -> IpcResult<Option<PathBuf>> {
        let picker = self.picker()?;
        tauri::async_runtime::spawn_blocking(move || picker.save(title, &default_name, filter))
            .await
            .map_err(|e| IpcError::internal(format!("the file dialog failed: {e}")))
    }

    /// Ask which file to open (`None`: cancelled), off the async workers.
    pub async fn pick_open(
        &self,
        title: &'static str,
        filter: crate::files::Filter,
    ) -> IpcResult<Option<PathBuf>> {
        let picker = self.picker()?;
        tauri::async_runtime::spawn_blocking(move || picker.open(title, filter))
            .await
            .map_err(|e| IpcError::internal(format!("the file dialog failed: {e}")))
    }

    fn picker(&self) -> IpcResult<Arc<dyn crate::files::FilePicker>> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| IpcError::internal("no file dialog is available"))
    }

    /// Run `f` while no other connection of the app is open on the books: sender and poller
    /// passes wait, their connections and the webhook receiver are closed first and reopened
    /// after (a restore replaces the database file).
    pub async fn with_books_closed<T, F>(&self, f: F) -> IpcResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Paydesk) -> paydesk_core::Result<T> + Send + 'static,
    {
        let mut slot = self.sender.lock().await;
        slot.poller = None;
        slot.outbox = None;
        slot.payouts = None;
        self.stop_webhooks().await;
        let out = self.run(f).await;
        drop(slot);
        if let Err(e) = self.restart_webhooks().await {
            tracing::warn!(error = %e.message, "webhooks did not restart after the restore");
        }
        out
    }

    /// When the books could not be opened because their file is damaged: what was found and
    /// the automatic backups that could replace them. `None` when the books are open (or failed
    /// for another reason, which the open error tells).
    pub async fn damage(&self) -> IpcResult<Option<Damage>> {
        let Some(home) = self.home.clone() else {
            return Ok(None);
        };
        if self.engine_is_open() {
            return Ok(None);
        }
        tauri::async_runtime::spawn_blocking(move || diagnose(&home.data_dir))
            .await
            .map_err(|e| IpcError::internal(format!("the recovery worker failed: {e}")))?
            .map_err(IpcError::from)
    }

    /// Restore damaged books with `restore` (given the data folder, its mode and the keychain),
    /// then open them. Refused while the books are open: restores of open books go through
    /// [`AppState::with_books_closed`].
    pub async fn recover<T, F>(&self, restore: F) -> IpcResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&std::path::Path, Mode, &dyn SecretStore) -> paydesk_core::Result<T>
            + Send
            + 'static,
    {
        let home = self.home.clone().ok_or_else(|| {
            IpcError::internal("this app was not opened on a data folder; nothing to recover")
        })?;
        let engine = Arc::clone(&self.engine);
        let out = tauri::async_runtime::spawn_blocking(move || {
            let mut guard = engine
                .lock()
                .map_err(|_| IpcError::internal("the engine lock was poisoned; restart Paydesk"))?;
            if guard.is_ok() {
                return Err(IpcError::from(paydesk_core::Error::conflict(
                    None,
                    "the books are open; restore from Settings > Data instead",
                )));
            }
            let mode = app::saved_mode(&home.data_dir)?;
            let out = restore(&home.data_dir, mode, home.secrets.as_ref())?;
            *guard = Ok(Self::open_dir(home.data_dir.clone(), home.secrets.clone())?);
            Ok(out)
        })
        .await
        .map_err(|e| IpcError::internal(format!("the recovery worker failed: {e}")))??;
        if let Err(e) = self.restart_webhooks().await {
            tracing::warn!(error = %e.message, "webhooks did not start after the recovery");
        }
        Ok(out)
    }

    fn engine_is_open(&self) -> bool {
        self.engine.lock().map(|g| g.is_ok()).unwrap_or(false)
    }

    /// Take today's automatic backup when it is due (the background loop calls this).
    pub async fn auto_backup(&self) {
        match self.run(|e| e.auto_backup_if_due(chrono::Utc::now())).await {
            Ok(Some(path)) => tracing::info!(path = %path.display(), "automatic backup written"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e.message, "automatic backup failed"),
        }
    }

    /// The webhook service's holder.
    pub fn webhooks(&self) -> &crate::webhooks::WebhookHub {
        &self.webhooks
    }

    /// In Test mode, the sandbox's address and client id (starting the sandbox if needed);
    /// `None` in live mode.
    pub(crate) async fn sandbox_api(&self) -> IpcResult<Option<(url::Url, String)>> {
        if self.run(|e| Ok(e.mode())).await? == Mode::Live {
            return Ok(None);
        }
        let mut slot = self.sender.lock().await;
        self.gateway(&mut slot).await?;
        Ok(slot
            .sandbox
            .as_ref()
            .map(|s| (s.base_url().clone(), s.client_id().to_string())))
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
        let gateway = self.gateway(&mut slot).await?;
        if slot.outbox.is_none() {
            slot.outbox = Some(self.run(|e| e.outbox()).await?);
        }
        let outbox = slot.outbox.as_mut().expect("outbox just set");
        let now = chrono::Utc::now();
        let mut report = outbox
            .run_once(&gateway, now)
            .await
            .map_err(IpcError::from)?;
        if slot.payouts.is_none() {
            slot.payouts = Some(self.run(|e| e.payout_sender()).await?);
        }
        let payouts = slot.payouts.as_mut().expect("payout sender just set");
        let sent = payouts
            .run_once(&gateway, now)
            .await
            .map_err(IpcError::from)?;
        report.sent += sent.sent;
        report.retrying += sent.retrying;
        report.failed += sent.failed;
        report.discarded += sent.discarded;
        report.errors.extend(sent.errors);
        if !sent.payouts.is_empty() {
            let listener = self
                .payout_listener
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(tell) = listener {
                tell(&sent.payouts);
            }
        }
        report.payouts.extend(sent.payouts);
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

    /// The gateway of the current mode, paced by the app's limiter: Test mode's sandbox (started
    /// once), or the Request API with the keychain's credential (re-read every minute). A mode
    /// change drops the old gateway, poller and sandbox.
    async fn gateway(&self, slot: &mut SenderSlot) -> IpcResult<RequestGateway> {
        let (mode, data_dir) = self
            // Not `info()`: that probes the keychain, which this loop does not need.
            .run(|e| Ok((e.mode(), e.data_dir().to_path_buf())))
            .await?;
        if slot.mode != Some(mode) {
            slot.gateway = None;
            slot.poller = None;
            slot.outbox = None;
            slot.payouts = None;
            slot.mode = Some(mode);
            if mode != Mode::Test {
                if let Some(old) = slot.sandbox.take() {
                    let _ = tauri::async_runtime::spawn_blocking(move || drop(old)).await;
                }
            }
        }
        let stale = slot
            .built_at
            .is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(60));
        if slot.gateway.is_none() || (mode == Mode::Live && stale) {
            let gateway = match mode {
                Mode::Live => self.run(|e| e.request_gateway(None)).await?,
                Mode::Test => self.test_gateway(slot, data_dir).await?,
            };
            slot.gateway = Some(gateway.with_limiter(self.limiter.clone()));
            slot.built_at = Some(std::time::Instant::now());
        }
        Ok(slot.gateway.clone().expect("gateway just set"))
    }

    async fn poller<'s>(&self, slot: &'s mut SenderSlot) -> IpcResult<&'s mut Poller> {
        if slot.poller.is_none() {
            let limiter = self.limiter.clone();
            let mut poller = self.run(move |e| e.poller(limiter)).await?;
            // A tick does about a second of work, so "check now" never waits long.
            poller.batch = self.limiter.rate();
            slot.poller = Some(poller);
        }
        Ok(slot.poller.as_mut().expect("poller just set"))
    }

    /// One scheduler tick: poll the links that are due (within the rate limit).
    pub async fn poll_pass(&self) -> IpcResult<TickReport> {
        let mut slot = self.sender.lock().await;
        let now = chrono::Utc::now();
        let gateway = match self.gateway(&mut slot).await {
            Ok(gateway) => gateway,
            Err(e) => {
                // Nothing can be polled (live mode without credentials, the sandbox down): the
                // sync status says why, so the UI can show it.
                let poller = self.poller(&mut slot).await?;
                let mut status = poller.status(now).map_err(IpcError::from)?;
                status.last_error = Some(e.message.clone());
                *self.sync.lock().unwrap_or_else(|e| e.into_inner()) = Some(status);
                return Err(e);
            }
        };
        let poller = self.poller(&mut slot).await?;
        let report = poller.tick(&gateway, now).await.map_err(IpcError::from)?;
        let status = poller.status(now).map_err(IpcError::from)?;
        *self.sync.lock().unwrap_or_else(|e| e.into_inner()) = Some(status);
        Ok(report)
    }

    /// "Check now" for one invoice: an immediate poll (within the rate limit).
    pub async fn check_now(
        &self,
        invoice_id: String,
    ) -> IpcResult<Result<Option<StatusChange>, String>> {
        let mut slot = self.sender.lock().await;
        let gateway = self.gateway(&mut slot).await?;
        let poller = self.poller(&mut slot).await?;
        poller
            .check_now(&gateway, &invoice_id, chrono::Utc::now())
            .await
            .map_err(IpcError::from)
    }

    /// The poller's last known state (before the first tick: counts only, online).
    pub async fn sync_status(&self) -> IpcResult<SyncStatus> {
        if let Some(s) = self.sync.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(s);
        }
        let limiter = self.limiter.clone();
        self.run(move |e| e.poller(limiter)?.status(chrono::Utc::now()))
            .await
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

    /// The background work: every `period`, a sender pass then a scheduler tick; `on_tick`
    /// gets each tick's report (the shell emits events and notifications from it).
    pub fn spawn_background_loop(
        &self,
        period: std::time::Duration,
        on_tick: impl Fn(&TickReport, Option<SyncStatus>) + Send + 'static,
    ) {
        let state = self.clone();
        tauri::async_runtime::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let wake = state.webhooks.wake.clone();
            // The daily automatic backup: looked at on start and then every hour.
            let mut last_backup_check: Option<std::time::Instant> = None;
            loop {
                if last_backup_check
                    .is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(3600))
                {
                    last_backup_check = Some(std::time::Instant::now());
                    state.auto_backup().await;
                }
                // A payment webhook wakes the loop at once for its confirming poll.
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = wake.notified() => {}
                }
                if let Err(e) = state.send_pass().await {
                    tracing::debug!(error = %e.message, "payment-link sender pass did not run");
                }
                match state.poll_pass().await {
                    Ok(report) => {
                        let sync = state.sync.lock().unwrap_or_else(|e| e.into_inner()).clone();
                        on_tick(&report, sync);
                    }
                    Err(e) => tracing::debug!(error = %e.message, "status poll did not run"),
                }
            }
        });
    }
}
