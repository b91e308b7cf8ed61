//! Webhooks end to end for one mode's books: the loopback receiver, the tunnel that puts it on
//! the internet, and the registration of the public URL with Request's Auth API.
//!
//! This module owns their lifecycle and the state the Webhooks panel shows ([`WebhookStatus`]).
//! The desktop app and `paydesk webhook serve` both run a [`WebhookService`]; they differ only
//! in the [`Launcher`] that starts the tunnel program (tauri-plugin-shell or tokio).
//!
//! - With a client id, each new public URL is registered (`POST /v1/webhook`): the old
//!   registration is deleted first, the returned signing secret goes to the keychain and to the
//!   receiver, and the registration (id, URL) is remembered in the settings table.
//! - Without one, the endpoint URL is shown for the user to paste in Request's dashboard, with
//!   the secret they paste back (kept in the keychain).
//! - A payment delivery already schedules its confirming poll in the same transaction; the
//!   receiver's channel ([`WebhookService::take_hints`]) only says "poll now".

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::receiver::{DeliveryRecord, ReceiverHandle, WebhookReceiver};
use crate::clock::{timestamp, Clock};
use crate::domain::webhook::{endpoint_url, parse_public_url};
use crate::domain::{Mode, TunnelKind, WebhookConfig, WebhookRegistration};
use crate::error::{Error, Result};
use crate::secrets::{self, Secret, SecretKind, SecretStore};
use crate::store::Store;
use crate::tunnel::{Launcher, TunnelManager, TunnelOptions, TunnelPhase, TunnelSpec, TunnelState};

/// The event type `send_test` asks Request to deliver.
pub const TEST_EVENT: &str = "payment.confirmed";
/// Waits between failed registrations of the same URL (30 s doubling to 5 min).
const REGISTER_RETRY_MIN: Duration = Duration::from_secs(30);
const REGISTER_RETRY_MAX: Duration = Duration::from_secs(300);

/// The receiver as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverStatus {
    /// `off`, `listening` or `failed`.
    pub state: &'static str,
    /// `127.0.0.1:<port>` while listening.
    pub address: Option<String>,
    pub error: Option<String>,
}

/// The registration with Request as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationStatus {
    /// `off`; `pending` (waiting for the tunnel or registering); `registered`; `manual` (no
    /// client id: the user pastes the URL in Request's dashboard); `failed`.
    pub state: &'static str,
    pub webhook_id: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
}

impl RegistrationStatus {
    fn new(state: &'static str) -> Self {
        RegistrationStatus {
            state,
            webhook_id: None,
            url: None,
            error: None,
        }
    }
}

/// Everything the Webhooks panel (and `paydesk webhook status`) shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStatus {
    pub config: WebhookConfig,
    pub receiver: ReceiverStatus,
    pub tunnel: TunnelState,
    pub registration: RegistrationStatus,
    /// The public URL plus the unguessable path: where Request posts. Shown only in the app.
    pub endpoint_url: Option<String>,
    /// The signing secret, masked; `None` when none is saved.
    pub secret: Option<String>,
    /// A client id is saved, so the URL is registered automatically.
    pub can_register: bool,
    /// This session's deliveries, newest first.
    pub deliveries: Vec<DeliveryRecord>,
}

impl WebhookStatus {
    /// The status while no service runs (webhooks off, or it could not start: `error`).
    pub fn stopped(
        config: WebhookConfig,
        secret: Option<String>,
        can_register: bool,
        error: Option<String>,
    ) -> WebhookStatus {
        WebhookStatus {
            config,
            receiver: ReceiverStatus {
                state: if error.is_some() { "failed" } else { "off" },
                address: None,
                error,
            },
            tunnel: TunnelState::off(),
            registration: RegistrationStatus::new("off"),
            endpoint_url: None,
            secret,
            can_register,
            deliveries: Vec::new(),
        }
    }
}

/// What a service needs, gathered from the facade ([`crate::Paydesk::webhook_setup`]).
pub struct WebhookSetup {
    pub config: WebhookConfig,
    pub mode: Mode,
    pub store_path: PathBuf,
    pub clock: Arc<dyn Clock>,
    pub secrets: Arc<dyn SecretStore>,
    /// A client built on the client id (registration and test events); `None`: manual.
    pub registrar: Option<paydesk_request::RequestClient>,
}

impl std::fmt::Debug for WebhookSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSetup")
            .field("config", &self.config)
            .field("mode", &self.mode)
            .field("registrar", &self.registrar.is_some())
            .finish_non_exhaustive()
    }
}

struct Shared {
    setup: WebhookSetup,
    registration: Mutex<RegistrationStatus>,
    endpoint: Mutex<Option<String>>,
    /// The signing secret, masked (kept here: the status is read on every delivery, the
    /// keychain only when the secret changes).
    masked: Mutex<Option<String>>,
    changed: watch::Sender<u64>,
}

impl Shared {
    fn bump(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn set_registration(&self, value: RegistrationStatus) {
        *self.registration.lock().unwrap_or_else(|e| e.into_inner()) = value;
        self.bump();
    }

    fn secret(&self, kind: SecretKind) -> Result<Option<Secret>> {
        self.setup.secrets.get(&kind.account(self.setup.mode))
    }

    fn set_masked(&self, secret: Option<&Secret>) {
        *self.masked.lock().unwrap_or_else(|e| e.into_inner()) = secret.map(secrets::mask);
        self.bump();
    }
}

/// A running receiver + tunnel + registration. Dropping it stops the tunnel (the child is
/// killed) and the receiver; [`WebhookService::stop`] also waits for them.
pub struct WebhookService {
    shared: Arc<Shared>,
    receiver: Option<ReceiverHandle>,
    tunnel: Option<TunnelManager>,
    hints: Option<mpsc::UnboundedReceiver<String>>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for WebhookService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookService")
            .field("receiver", &self.receiver.as_ref().map(|r| r.addr))
            .finish_non_exhaustive()
    }
}

impl WebhookService {
    /// Start the receiver on 127.0.0.1 (the configured port, else any), then the tunnel, then
    /// keep the registration in step with the tunnel's URL. Must run inside a tokio runtime.
    pub async fn start(
        setup: WebhookSetup,
        launcher: Arc<dyn Launcher>,
        options: TunnelOptions,
    ) -> Result<WebhookService> {
        let path = path_secret(setup.secrets.as_ref(), setup.mode)?;
        let store = Store::open_with_clock(&setup.store_path, setup.clock.clone())?;
        let (polls, hints) = mpsc::unbounded_channel();
        let signing = setup
            .secrets
            .get(&SecretKind::WebhookSecret.account(setup.mode))?;
        let masked = signing.as_ref().map(secrets::mask);
        let receiver = match signing {
            Some(secret) => WebhookReceiver::new(store, secret, &path, polls)?,
            None => WebhookReceiver::unkeyed(store, &path, polls)?,
        };
        let handle = receiver.spawn(setup.config.port.unwrap_or(0)).await?;
        let spec = tunnel_spec(&setup)?;
        let tunnel = TunnelManager::start(spec, handle.addr, launcher, options);
        let shared = Arc::new(Shared {
            setup,
            registration: Mutex::new(RegistrationStatus::new("pending")),
            endpoint: Mutex::new(None),
            masked: Mutex::new(masked),
            changed: watch::Sender::new(0),
        });
        let mut tasks = vec![tokio::spawn(follow_tunnel(
            shared.clone(),
            tunnel.subscribe(),
            handle.receiver().clone(),
        ))];
        let mut deliveries = handle.receiver().subscribe();
        let bumper = shared.clone();
        tasks.push(tokio::spawn(async move {
            while deliveries.changed().await.is_ok() {
                bumper.bump();
            }
        }));
        Ok(WebhookService {
            shared,
            receiver: Some(handle),
            tunnel: Some(tunnel),
            hints: Some(hints),
            tasks,
        })
    }

    /// Link tokens of payment deliveries, for whoever runs the poller (once).
    pub fn take_hints(&mut self) -> Option<mpsc::UnboundedReceiver<String>> {
        self.hints.take()
    }

    /// Changes whenever the status may have changed (tunnel, registration, a delivery).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.shared.changed.subscribe()
    }

    /// The receiver's address.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.receiver.as_ref().map(|r| r.addr)
    }

    /// The loopback URL the tunnel forwards to (`http://127.0.0.1:<port>/hooks/<path>`).
    pub fn local_url(&self) -> Option<String> {
        self.receiver.as_ref().map(ReceiverHandle::url)
    }

    /// The state for the panel.
    pub fn status(&self) -> WebhookStatus {
        let shared = &self.shared;
        let secret = shared
            .masked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        WebhookStatus {
            config: shared.setup.config.clone(),
            receiver: ReceiverStatus {
                state: "listening",
                address: self.local_addr().map(|a| a.to_string()),
                error: None,
            },
            tunnel: self
                .tunnel
                .as_ref()
                .map_or_else(TunnelState::off, TunnelManager::state),
            registration: shared
                .registration
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            endpoint_url: shared
                .endpoint
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            secret,
            can_register: shared.setup.registrar.is_some(),
            deliveries: self
                .receiver
                .as_ref()
                .map(|r| r.receiver().recent())
                .unwrap_or_default(),
        }
    }

    /// Use a signing secret the user just saved (manual registration).
    pub fn reload_secret(&self) -> Result<()> {
        if let (Some(secret), Some(r)) = (
            self.shared.secret(SecretKind::WebhookSecret)?,
            self.receiver.as_ref(),
        ) {
            r.receiver().set_secret(secret.clone())?;
            self.shared.set_masked(Some(&secret));
        }
        Ok(())
    }

    /// Ask Request to deliver a test event to this client id's webhooks.
    pub async fn send_test(&self) -> Result<String> {
        let Some(client) = &self.shared.setup.registrar else {
            return Err(Error::invalid(
                "clientId",
                "sending a test event needs a client id; without one, use the test button in \
                 Request's dashboard",
            ));
        };
        client
            .send_test_webhook(TEST_EVENT)
            .await
            .map_err(|e| Error::invalid("webhook", format!("the test event was refused: {e}")))?;
        Ok(format!(
            "Request was asked to send a test {TEST_EVENT}; it shows up under last deliveries"
        ))
    }

    /// Stop the tunnel (killing its program) and the receiver. With `unregister`, also delete
    /// the registration Paydesk made and its signing secret (webhooks turned off).
    pub async fn stop(mut self, unregister: bool) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
        if let Some(tunnel) = self.tunnel.take() {
            tunnel.stop().await;
        }
        if let Some(receiver) = self.receiver.take() {
            receiver.shutdown().await;
        }
        if unregister {
            if let Err(e) = unregister_all(&self.shared).await {
                tracing::warn!(error = %e, "webhook registration not removed");
            }
        }
    }
}

/// Delete the registration Paydesk made (and its secret) for `setup`'s mode: webhooks off.
pub async fn unregister(setup: WebhookSetup) -> Result<()> {
    let shared = Shared {
        setup,
        registration: Mutex::new(RegistrationStatus::new("off")),
        endpoint: Mutex::new(None),
        masked: Mutex::new(None),
        changed: watch::Sender::new(0),
    };
    unregister_all(&shared).await
}

async fn unregister_all(shared: &Shared) -> Result<()> {
    let mut store = Store::open_with_clock(&shared.setup.store_path, shared.setup.clock.clone())?;
    let Some(old) = store.webhook_registration()? else {
        return Ok(());
    };
    let Some(client) = &shared.setup.registrar else {
        return Ok(());
    };
    delete_remote(client, &old.webhook_id).await?;
    store.set_webhook_registration(None)?;
    shared
        .setup
        .secrets
        .delete(&SecretKind::WebhookSecret.account(shared.setup.mode))?;
    shared.set_masked(None);
    tracing::info!(webhook = %old.webhook_id, "webhook registration removed");
    Ok(())
}

/// Delete a registration; one Request no longer knows is already gone.
async fn delete_remote(client: &paydesk_request::RequestClient, id: &str) -> Result<()> {
    match client.delete_webhook(id).await {
        Ok(()) | Err(paydesk_request::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(Error::invalid(
            "webhook",
            format!("the old registration {id} could not be removed: {e}"),
        )),
    }
}

/// The receiver's path segment for `mode`, made once and kept in the keychain.
fn path_secret(secrets: &dyn SecretStore, mode: Mode) -> Result<String> {
    let account = SecretKind::WebhookPath.account(mode);
    if let Some(existing) = secrets.get(&account)? {
        return Ok(existing.expose().to_string());
    }
    let fresh = super::receiver::new_path_secret();
    secrets.set(&account, &Secret::new(fresh.clone()))?;
    Ok(fresh)
}

fn tunnel_spec(setup: &WebhookSetup) -> Result<TunnelSpec> {
    let binary = setup.config.binary_path.as_ref().map(PathBuf::from);
    Ok(match setup.config.tunnel {
        TunnelKind::Cloudflared => TunnelSpec::Cloudflared { binary },
        TunnelKind::Ngrok => TunnelSpec::Ngrok {
            binary,
            authtoken: setup
                .secrets
                .get(&SecretKind::NgrokAuthtoken.account(setup.mode))?,
        },
        TunnelKind::Manual => {
            let url = setup
                .config
                .public_url
                .as_deref()
                .ok_or_else(|| Error::invalid("publicUrl", "is required for your own proxy"))?;
            TunnelSpec::Manual {
                url: parse_public_url(url)?,
            }
        }
    })
}

/// Keep the endpoint and the registration in step with the tunnel's URL.
async fn follow_tunnel(
    shared: Arc<Shared>,
    mut tunnel: watch::Receiver<TunnelState>,
    receiver: WebhookReceiver,
) {
    let mut retry = REGISTER_RETRY_MIN;
    loop {
        let state = tunnel.borrow_and_update().clone();
        let up = match (&state.state, &state.public_url) {
            (TunnelPhase::Up, Some(url)) => url::Url::parse(url).ok(),
            _ => None,
        };
        let endpoint = up.map(|base| endpoint_url(&base, &receiver.url_path()).to_string());
        *shared.endpoint.lock().unwrap_or_else(|e| e.into_inner()) = endpoint.clone();
        shared.bump();
        let mut wait = None;
        if let Some(endpoint) = endpoint {
            match register(&shared, &receiver, &endpoint).await {
                Ok(status) => {
                    retry = REGISTER_RETRY_MIN;
                    shared.set_registration(status);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "webhook registration failed");
                    let mut failed = RegistrationStatus::new("failed");
                    failed.url = Some(endpoint);
                    failed.error = Some(e.to_string());
                    shared.set_registration(failed);
                    wait = Some(retry);
                    retry = (retry * 2).min(REGISTER_RETRY_MAX);
                }
            }
        } else {
            let mut pending = shared
                .registration
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            pending.state = "pending";
            shared.set_registration(pending);
        }
        let changed = match wait {
            Some(wait) => match tokio::time::timeout(wait, tunnel.changed()).await {
                Ok(changed) => changed,
                Err(_) => {
                    // Retry the same URL: mark the value seen-but-unchanged and loop.
                    tunnel.mark_changed();
                    Ok(())
                }
            },
            None => tunnel.changed().await,
        };
        if changed.is_err() {
            return;
        }
    }
}

/// Make `endpoint` the registered webhook (or, without a client id, say it is manual).
async fn register(
    shared: &Shared,
    receiver: &WebhookReceiver,
    endpoint: &str,
) -> Result<RegistrationStatus> {
    let Some(client) = &shared.setup.registrar else {
        let mut manual = RegistrationStatus::new("manual");
        manual.url = Some(endpoint.to_string());
        return Ok(manual);
    };
    let mut store = Store::open_with_clock(&shared.setup.store_path, shared.setup.clock.clone())?;
    let current = store.webhook_registration()?;
    let secret = shared.secret(SecretKind::WebhookSecret)?;
    if let (Some(reg), Some(secret)) = (&current, secret) {
        if reg.url == endpoint {
            receiver.set_secret(secret.clone())?;
            shared.set_masked(Some(&secret));
            return Ok(registered(reg));
        }
    }
    if let Some(old) = &current {
        delete_remote(client, &old.webhook_id).await?;
        store.set_webhook_registration(None)?;
    }
    let url = url::Url::parse(endpoint)
        .map_err(|e| Error::invalid("publicUrl", format!("is not a valid URL: {e}")))?;
    let created = client
        .create_webhook(&url)
        .await
        .map_err(|e| Error::invalid("webhook", format!("Request refused the webhook: {e}")))?;
    let secret = Secret::new(created.secret.expose());
    // Keychain first: a registration whose secret was lost would be unverifiable.
    shared.setup.secrets.set(
        &SecretKind::WebhookSecret.account(shared.setup.mode),
        &secret,
    )?;
    receiver.set_secret(secret.clone())?;
    shared.set_masked(Some(&secret));
    let reg = WebhookRegistration {
        webhook_id: created.id,
        url: endpoint.to_string(),
        registered_at: timestamp(shared.setup.clock.now()),
    };
    store.set_webhook_registration(Some(&reg))?;
    tracing::info!(webhook = %reg.webhook_id, "webhook registered");
    Ok(registered(&reg))
}

fn registered(reg: &WebhookRegistration) -> RegistrationStatus {
    RegistrationStatus {
        state: "registered",
        webhook_id: Some(reg.webhook_id.clone()),
        url: Some(reg.url.clone()),
        error: None,
    }
}
