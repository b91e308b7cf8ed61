//! Webhooks in the desktop app: one [`WebhookService`] (receiver, tunnel, registration) for the
//! current mode, started at launch when the settings say so, restarted when they, the mode or
//! the ngrok authtoken change, and stopped (its tunnel program killed) when the app exits. Its
//! status goes to the webview as `webhook-status` events; payment deliveries wake the
//! background loop so the confirming poll runs at once.

use std::sync::{Arc, Mutex};

use paydesk_core::secrets::SecretKind;
use paydesk_core::tunnel::{Launcher, TokioLauncher, TunnelOptions};
use paydesk_core::webhook::{service, WebhookService, WebhookStatus};
use paydesk_core::{Mode, WebhookConfig};
use tokio::sync::Notify;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Called with every new status (the shell emits `webhook-status`).
pub type Emitter = Arc<dyn Fn(&WebhookStatus) + Send + Sync>;

#[derive(Default)]
struct Running {
    service: Option<WebhookService>,
    /// Why the service could not start (shown as the receiver's error).
    error: Option<String>,
    watcher: Option<tauri::async_runtime::JoinHandle<()>>,
}

/// The app's webhook service and what it reports to.
#[derive(Default)]
pub struct WebhookHub {
    running: tokio::sync::Mutex<Running>,
    launcher: Mutex<Option<Arc<dyn Launcher>>>,
    emitter: Mutex<Option<Emitter>>,
    /// Notified when a payment delivery asks for a poll.
    pub(crate) wake: Arc<Notify>,
}

impl WebhookHub {
    /// Start tunnel programs with `launcher` (the shell plugin in the app; tokio by default).
    pub fn set_launcher(&self, launcher: Arc<dyn Launcher>) {
        *self.launcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(launcher);
    }

    /// Send every status change to `emitter`.
    pub fn set_emitter(&self, emitter: Emitter) {
        *self.emitter.lock().unwrap_or_else(|e| e.into_inner()) = Some(emitter);
    }

    fn launcher(&self) -> Arc<dyn Launcher> {
        self.launcher
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| Arc::new(TokioLauncher))
    }

    fn emit(&self, status: &WebhookStatus) {
        let emitter = self
            .emitter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(emit) = emitter {
            emit(status);
        }
    }
}

impl Running {
    async fn stop(&mut self, unregister: bool) {
        if let Some(watcher) = self.watcher.take() {
            watcher.abort();
        }
        if let Some(service) = self.service.take() {
            service.stop(unregister).await;
        }
        self.error = None;
    }
}

impl AppState {
    /// The Webhooks panel's state.
    pub async fn webhook_status(&self) -> IpcResult<WebhookStatus> {
        let running = self.webhooks().running.lock().await;
        self.status_of(&running).await
    }

    async fn status_of(&self, running: &Running) -> IpcResult<WebhookStatus> {
        if let Some(service) = &running.service {
            return Ok(service.status());
        }
        let error = running.error.clone();
        self.run(move |e| {
            let can_register = e.mode() == Mode::Test || e.secret_status().client_id.is_some();
            e.webhook_status_stopped(error, can_register)
        })
        .await
    }

    /// Stop what runs, then start the service again if webhooks are on (at launch, and after a
    /// change of settings, mode or ngrok authtoken). A start failure is kept for the panel.
    pub async fn restart_webhooks(&self) -> IpcResult<WebhookStatus> {
        let hub = self.webhooks();
        let mut running = hub.running.lock().await;
        running.stop(false).await;
        let config = self.run(|e| e.webhook_config()).await?;
        if config.enabled {
            if let Err(e) = self.start_service(&mut running).await {
                tracing::warn!(error = %e.message, "webhooks did not start");
                running.error = Some(e.message);
            }
        }
        let status = self.status_of(&running).await?;
        hub.emit(&status);
        Ok(status)
    }

    async fn start_service(&self, running: &mut Running) -> IpcResult<()> {
        let sandbox = self.sandbox_api().await?;
        let setup = self
            .run(move |e| {
                let sandbox = sandbox.as_ref().map(|(url, id)| (url, id.as_str()));
                e.webhook_setup(sandbox)
            })
            .await?;
        let hub = self.webhooks();
        let mut service = WebhookService::start(setup, hub.launcher(), TunnelOptions::default())
            .await
            .map_err(IpcError::from)?;
        let mut changes = service.subscribe();
        let mut hints = service.take_hints();
        let state = self.clone();
        running.watcher = Some(tauri::async_runtime::spawn(async move {
            loop {
                tokio::select! {
                    changed = changes.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        if let Ok(status) = state.webhook_status().await {
                            state.webhooks().emit(&status);
                        }
                    }
                    Some(_token) = async {
                        match hints.as_mut() {
                            Some(h) => h.recv().await,
                            None => std::future::pending().await,
                        }
                    } => state.webhooks().wake.notify_one(),
                }
            }
        }));
        running.service = Some(service);
        Ok(())
    }

    /// Save the webhook settings and apply them. Turning webhooks off also removes the
    /// registration Paydesk made with Request (and its secret).
    pub async fn set_webhook_config(&self, config: WebhookConfig) -> IpcResult<WebhookStatus> {
        let (before, after) = self
            .run(move |e| {
                let before = e.webhook_config()?;
                Ok((before, e.set_webhook_config(&config)?))
            })
            .await?;
        if before.enabled && !after.enabled {
            self.turn_off().await?;
        }
        self.restart_webhooks().await
    }

    async fn turn_off(&self) -> IpcResult<()> {
        let hub = self.webhooks();
        let mut running = hub.running.lock().await;
        if running.service.is_some() {
            running.stop(true).await;
            return Ok(());
        }
        let sandbox = self.sandbox_api().await.ok().flatten();
        let setup = self
            .run(move |e| {
                let sandbox = sandbox.as_ref().map(|(url, id)| (url, id.as_str()));
                e.webhook_setup(sandbox)
            })
            .await?;
        service::unregister(setup).await.map_err(IpcError::from)
    }

    /// Ask Request to send a test event to this client id's webhooks.
    pub async fn send_test_webhook(&self) -> IpcResult<String> {
        let running = self.webhooks().running.lock().await;
        let Some(service) = &running.service else {
            return Err(IpcError::from(paydesk_core::Error::invalid(
                "enabled",
                "turn webhooks on first",
            )));
        };
        service.send_test().await.map_err(IpcError::from)
    }

    /// A secret changed: the signing secret is used at once; a new ngrok authtoken restarts
    /// the tunnel.
    pub async fn webhook_secret_changed(&self, kind: SecretKind) -> IpcResult<()> {
        match kind {
            SecretKind::WebhookSecret => {
                let running = self.webhooks().running.lock().await;
                if let Some(service) = &running.service {
                    service.reload_secret().map_err(IpcError::from)?;
                }
            }
            SecretKind::NgrokAuthtoken | SecretKind::ClientId => {
                self.restart_webhooks().await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Stop the tunnel (its program is killed) and the receiver: the app is exiting.
    pub async fn stop_webhooks(&self) {
        self.webhooks().running.lock().await.stop(false).await;
    }
}
