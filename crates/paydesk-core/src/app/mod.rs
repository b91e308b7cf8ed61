//! [`Paydesk`]: the engine as the desktop shell and the CLI use it. It owns the data folder, the
//! current mode (which database file is open) and the secret store, and exposes each user action
//! as one method (one transaction).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::clock::{Clock, SystemClock};
use crate::domain::{
    email_draft, openable_url, BusinessProfile, Client, ClientInput, Invoice, InvoiceInput,
    InvoicePage, InvoiceQuery, LinkOptions, LinkOverview, LinkShare, Mode, OutboxItem, PaymentLink,
    PaymentSettings, Settings, SettingsInput, TotalsInput,
};
use crate::error::{Error, Result};
use crate::money::currency::{Currency, CURRENCIES};
use crate::money::totals::Totals;
use crate::outbox::{Outbox, RequestGateway};
use crate::secrets::{self, SecretKind, SecretStore};
use crate::status::limiter::RateLimiter;
use crate::status::poller::Poller;
use crate::status::{Dashboard, PaymentStatus};
use crate::store::Store;

mod backup;
mod documents;
mod export;
mod payouts;
mod webhooks;

pub use documents::{SavedPdf, SentInvoice};
pub use export::InvoiceHistory;

/// The app identifier: the default data folder name and keychain namespace.
pub const APP_IDENTIFIER: &str = "app.paydesk.desktop";
/// Environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "PAYDESK_DATA_DIR";
/// Environment variable that overrides the keychain namespace (tests use their own).
pub const KEYCHAIN_SERVICE_ENV: &str = "PAYDESK_KEYCHAIN_SERVICE";

/// The data folder: `explicit`, else `$PAYDESK_DATA_DIR`, else the platform app-data folder.
pub fn resolve_data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| {
            Error::io(
                "cannot find the platform data folder; set PAYDESK_DATA_DIR",
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )
        })
}

/// The keychain namespace: `$PAYDESK_KEYCHAIN_SERVICE`, else the app identifier.
pub fn keychain_service() -> String {
    std::env::var(KEYCHAIN_SERVICE_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| APP_IDENTIFIER.to_string())
}

/// The database file for `mode` inside `data_dir`.
pub fn database_path(data_dir: &Path, mode: Mode) -> PathBuf {
    data_dir.join(format!("paydesk-{}.sqlite3", mode.as_str()))
}

fn mode_file(data_dir: &Path) -> PathBuf {
    data_dir.join("mode")
}

/// The mode saved in `data_dir` (Test mode when none was chosen yet).
pub fn saved_mode(data_dir: &Path) -> Result<Mode> {
    match std::fs::read_to_string(mode_file(data_dir)) {
        Ok(s) => Mode::parse("mode", s.trim()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Mode::Test),
        Err(e) => Err(Error::io("cannot read the mode file", e)),
    }
}

fn save_mode(data_dir: &Path, mode: Mode) -> Result<()> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| Error::io(format!("cannot create {}", data_dir.display()), e))?;
    let tmp = data_dir.join("mode.tmp");
    std::fs::write(&tmp, mode.as_str()).map_err(|e| Error::io("cannot write the mode file", e))?;
    std::fs::rename(&tmp, mode_file(data_dir))
        .map_err(|e| Error::io("cannot write the mode file", e))
}

/// Whether the keychain works, and why not when it does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeychainState {
    pub available: bool,
    pub message: Option<String>,
}

/// What the app shows about itself.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: &'static str,
    pub mode: Mode,
    pub data_dir: String,
    pub database_path: String,
    pub keychain: KeychainState,
}

/// The stored credentials, masked. Never holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretStatus {
    pub keychain_available: bool,
    pub message: Option<String>,
    pub api_key: Option<String>,
    pub client_id: Option<String>,
    pub webhook_secret: Option<String>,
    pub ngrok_authtoken: Option<String>,
}

/// Refuse the secrets only Paydesk itself writes (the webhook path).
fn settable(kind: SecretKind) -> Result<()> {
    if SecretKind::ALL.contains(&kind) {
        Ok(())
    } else {
        Err(Error::invalid(
            "kind",
            "must be apiKey, clientId, webhookSecret or ngrokAuthtoken",
        ))
    }
}

/// The engine for one data folder.
pub struct Paydesk {
    data_dir: PathBuf,
    mode: Mode,
    store: Store,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Paydesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paydesk")
            .field("data_dir", &self.data_dir)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Paydesk {
    /// Open the data folder in its saved mode.
    pub fn open(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Result<Paydesk> {
        Self::open_with_clock(data_dir, secrets, Arc::new(SystemClock))
    }

    /// [`Paydesk::open`] with an injected clock.
    pub fn open_with_clock(
        data_dir: &Path,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Paydesk> {
        let mode = saved_mode(data_dir)?;
        let store = Store::open_with_clock(&database_path(data_dir, mode), clock.clone())?;
        Ok(Paydesk {
            data_dir: data_dir.to_path_buf(),
            mode,
            store,
            secrets,
            clock,
        })
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The data folder this engine works in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The open database file.
    pub fn database_path(&self) -> &Path {
        self.store.path()
    }

    /// The underlying store (for benchmarks and tests).
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Switch between Test and live mode: opens the other database and remembers the choice.
    pub fn set_mode(&mut self, mode: Mode) -> Result<AppInfo> {
        if mode != self.mode {
            let store =
                Store::open_with_clock(&database_path(&self.data_dir, mode), self.clock.clone())?;
            save_mode(&self.data_dir, mode)?;
            self.store = store;
            self.mode = mode;
        }
        Ok(self.info())
    }

    /// Version, mode, paths and keychain state.
    pub fn info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION"),
            mode: self.mode,
            data_dir: self.data_dir.display().to_string(),
            database_path: self.store.path().display().to_string(),
            keychain: self.keychain_state(),
        }
    }

    fn keychain_state(&self) -> KeychainState {
        match self.secrets.check() {
            Ok(()) => KeychainState {
                available: true,
                message: None,
            },
            Err(e) => KeychainState {
                available: false,
                message: Some(format!(
                    "{e}. Credentials cannot be saved; your local data still works."
                )),
            },
        }
    }

    /// The currencies invoices can use.
    pub fn currencies(&self) -> &'static [Currency] {
        CURRENCIES
    }

    /// Settings of the current mode's database.
    pub fn settings(&mut self) -> Result<Settings> {
        self.store.settings(self.mode)
    }

    /// Validate and save settings.
    pub fn update_settings(&mut self, input: &SettingsInput) -> Result<Settings> {
        self.store.update_settings(self.mode, input)
    }

    /// The business profile.
    pub fn profile(&mut self) -> Result<BusinessProfile> {
        self.store.profile()
    }

    /// Validate and save the business profile.
    pub fn update_profile(&mut self, input: &BusinessProfile) -> Result<BusinessProfile> {
        self.store.update_profile(input)
    }

    /// Clients matching `search`, by name.
    pub fn list_clients(&mut self, search: Option<&str>) -> Result<Vec<Client>> {
        self.store.list_clients(search)
    }

    /// One client.
    pub fn client(&mut self, id: &str) -> Result<Client> {
        self.store.client(id)
    }

    /// Add a client.
    pub fn create_client(&mut self, input: &ClientInput) -> Result<Client> {
        self.store.create_client(input)
    }

    /// Change a client.
    pub fn update_client(&mut self, id: &str, input: &ClientInput) -> Result<Client> {
        self.store.update_client(id, input)
    }

    /// A page of invoices.
    pub fn list_invoices(&mut self, query: &InvoiceQuery) -> Result<InvoicePage> {
        self.store.list_invoices(query)
    }

    /// One invoice by id.
    pub fn invoice(&mut self, id: &str) -> Result<Invoice> {
        self.store.invoice(id)
    }

    /// One invoice by id or by number (the CLI accepts either).
    pub fn find_invoice(&mut self, id_or_number: &str) -> Result<Invoice> {
        match self.store.invoice_by_number(id_or_number) {
            Err(Error::NotFound { .. }) => self.store.invoice(id_or_number),
            other => other,
        }
    }

    /// Create an invoice.
    pub fn create_invoice(&mut self, input: &InvoiceInput) -> Result<Invoice> {
        self.store.create_invoice(self.mode, input)
    }

    /// Edit an invoice.
    pub fn update_invoice(&mut self, id: &str, input: &InvoiceInput) -> Result<Invoice> {
        self.store.update_invoice(id, input)
    }

    /// Void an invoice.
    pub fn void_invoice(&mut self, id: &str) -> Result<Invoice> {
        self.store.void_invoice(id)
    }

    /// Duplicate an invoice into a new draft.
    pub fn duplicate_invoice(&mut self, id: &str) -> Result<Invoice> {
        self.store.duplicate_invoice(self.mode, id)
    }

    /// Totals for the editor preview (no database work).
    pub fn compute_totals(&self, input: &TotalsInput) -> Result<Totals> {
        input.compute()
    }

    /// The credentials of the current mode, masked.
    pub fn secret_status(&self) -> SecretStatus {
        let state = self.keychain_state();
        let unavailable = |message| SecretStatus {
            keychain_available: false,
            message,
            api_key: None,
            client_id: None,
            webhook_secret: None,
            ngrok_authtoken: None,
        };
        if !state.available {
            return unavailable(state.message);
        }
        let masked = |kind: SecretKind| -> Result<Option<String>> {
            Ok(self
                .secrets
                .get(&kind.account(self.mode))?
                .map(|s| secrets::mask(&s)))
        };
        let read = || -> Result<SecretStatus> {
            Ok(SecretStatus {
                keychain_available: true,
                message: None,
                api_key: masked(SecretKind::ApiKey)?,
                client_id: masked(SecretKind::ClientId)?,
                webhook_secret: masked(SecretKind::WebhookSecret)?,
                ngrok_authtoken: masked(SecretKind::NgrokAuthtoken)?,
            })
        };
        read().unwrap_or_else(|e| unavailable(Some(e.to_string())))
    }

    /// Save a credential of the current mode in the keychain.
    pub fn set_secret(&self, kind: SecretKind, value: &str) -> Result<SecretStatus> {
        settable(kind)?;
        let secret = secrets::validate(value)?;
        self.secrets.set(&kind.account(self.mode), &secret)?;
        Ok(self.secret_status())
    }

    /// Remove a credential of the current mode from the keychain.
    pub fn delete_secret(&self, kind: SecretKind) -> Result<SecretStatus> {
        settable(kind)?;
        self.secrets.delete(&kind.account(self.mode))?;
        Ok(self.secret_status())
    }

    /// Where payment links pay to, and the redirect defaults.
    pub fn payment_settings(&mut self) -> Result<PaymentSettings> {
        self.store.payment_settings()
    }

    /// Validate (destination ID shape, legacy pair, redirect rules with the API's messages) and
    /// save the payment settings.
    pub fn set_payment_settings(&mut self, input: &PaymentSettings) -> Result<PaymentSettings> {
        self.store.set_payment_settings(input)
    }

    /// Validate and queue a payment link for an invoice; its amounts are locked from here on.
    pub fn request_link(&mut self, invoice_id: &str, options: &LinkOptions) -> Result<OutboxItem> {
        self.store.request_link(self.mode, invoice_id, options)
    }

    /// Queue a fresh link for an invoice whose link expired; the old one becomes superseded.
    pub fn reissue_link(&mut self, invoice_id: &str, options: &LinkOptions) -> Result<OutboxItem> {
        self.store.reissue_link(self.mode, invoice_id, options)
    }

    /// Void the invoice's live or queued link (its amounts unlock); returns the link history.
    pub fn void_link(&mut self, invoice_id: &str) -> Result<Vec<PaymentLink>> {
        let voided = self.store.void_link(invoice_id)?;
        // The kept copy of a sent invoice must not offer a dead link. The void stands if the
        // copy cannot be printed again (a logo gone, a full disk): that is logged.
        if let Err(e) = self
            .sent_documents()
            .refresh(&mut self.store, invoice_id, self.clock.now())
        {
            tracing::warn!(error = %e, "could not print the sent invoice again after the void");
        }
        Ok(voided)
    }

    /// Where the invoice's payment link stands: phase, link, queued request, history, lock.
    pub fn link_overview(&mut self, invoice_id: &str) -> Result<LinkOverview> {
        self.store.link_overview(invoice_id)
    }

    /// Record that the API answered 403 (expired or not payable) for a link; it can then be
    /// re-issued. (The status poller of the paid-status issue calls this.)
    pub fn mark_link_expired(&mut self, token: &str) -> Result<()> {
        self.store.mark_link_expired(token)
    }

    /// The invoice's live link, ready to open in a browser or to mail to the client. A queued,
    /// expired or voided link cannot be shared (`Conflict` naming `link`).
    pub fn link_share(&mut self, invoice_id: &str) -> Result<LinkShare> {
        let invoice = self.store.invoice(invoice_id)?;
        let link = self.payable_link(invoice_id)?.ok_or_else(|| {
            Error::conflict(
                Some("link"),
                format!(
                    "invoice {} has no live payment link; create or re-issue one first",
                    invoice.number
                ),
            )
        })?;
        let url = openable_url("link", &link.secure_payment_url, self.mode)?;
        let to = self.store.client(&invoice.client_id)?.email;
        Ok(LinkShare {
            url: url.to_string(),
            mailto: email_draft(&invoice, &to, &link),
        })
    }

    /// The invoice's live link that has not expired yet (what a client can pay), if any.
    pub(crate) fn payable_link(&mut self, invoice_id: &str) -> Result<Option<PaymentLink>> {
        crate::sent_documents::payable_link(&mut self.store, invoice_id, self.clock.now())
    }

    /// Every link an invoice had, oldest first.
    pub fn links_of(&mut self, invoice_id: &str) -> Result<Vec<PaymentLink>> {
        self.store.links_of(invoice_id)
    }

    /// The outbox, newest first.
    pub fn outbox_list(&mut self, limit: u32) -> Result<Vec<OutboxItem>> {
        self.store.outbox_list(limit)
    }

    /// When the next queued link request falls due; `None` when the outbox has nothing to send.
    pub fn outbox_next_due(&mut self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        self.store.outbox_next_due()
    }

    /// Send an outbox row again now (a failed create-link is rebuilt from current settings).
    pub fn outbox_retry(&mut self, id: &str) -> Result<OutboxItem> {
        self.store.outbox_retry(self.mode, id)
    }

    /// A sender for this mode's outbox, on its own connection (run it off the UI thread).
    pub fn outbox(&self) -> Result<Outbox> {
        Ok(Outbox::from_store(Store::open_with_clock(
            self.store.path(),
            self.clock.clone(),
        )?)
        .with_documents(self.sent_documents()))
    }

    /// A status poller for this mode's links, on its own connection, whose calls share
    /// `limiter` (run it off the UI thread).
    pub fn poller(&self, limiter: Arc<RateLimiter>) -> Result<Poller> {
        Ok(Poller::new(
            Store::open_with_clock(self.store.path(), self.clock.clone())?,
            limiter,
        ))
    }

    /// A webhook receiver for this mode's books, on its own connection: deliveries signed with
    /// `secret` and posted to `/hooks/{path_secret}` are recorded once and applied, and each
    /// payment event's link token is sent on `polls` for an immediate confirming poll.
    pub fn webhook_receiver(
        &self,
        secret: crate::secrets::Secret,
        path_secret: &str,
        polls: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> Result<crate::webhook::WebhookReceiver> {
        crate::webhook::WebhookReceiver::new(
            Store::open_with_clock(self.store.path(), self.clock.clone())?,
            secret,
            path_secret,
            polls,
        )
    }

    /// The newest webhook deliveries about an invoice (payer activity such as "wallet
    /// connected", and payment hints), newest first.
    pub fn webhook_deliveries(
        &mut self,
        invoice_id: &str,
    ) -> Result<Vec<crate::store::WebhookDelivery>> {
        self.store.webhook_deliveries(invoice_id, 50)
    }

    /// Make every link that is still polled due now ("check everything").
    pub fn poll_all_now(&mut self) -> Result<u32> {
        let now = self.clock.now();
        self.store.make_all_due(now)
    }

    /// The invoice's paid status and the history that explains it.
    pub fn payment_status(&mut self, invoice_id: &str) -> Result<PaymentStatus> {
        self.store.payment_status(invoice_id)
    }

    /// Mark the invoice's live link as being looked at: polled every 10 s for ten minutes.
    pub fn watch_invoice(&mut self, invoice_id: &str) -> Result<()> {
        let until = self.clock.now() + chrono::Duration::minutes(10);
        self.store.watch_link(invoice_id, until).map(|_| ())
    }

    /// Outstanding, overdue and paid totals per currency, and what needs attention.
    pub fn dashboard(&mut self) -> Result<Dashboard> {
        let now = self.clock.now();
        self.store.dashboard(now)
    }

    /// A gateway to the Request API at `api_base` (production in live mode when `None`) with
    /// this mode's credential from the keychain: the API key, else the client ID.
    pub fn request_gateway(&self, api_base: Option<url::Url>) -> Result<RequestGateway> {
        let get = |kind: SecretKind| self.secrets.get(&kind.account(self.mode));
        let credentials = match (get(SecretKind::ApiKey)?, get(SecretKind::ClientId)?) {
            (Some(key), _) => paydesk_request::Credentials::api_key(key.expose()),
            (None, Some(id)) => paydesk_request::Credentials::client_id(id.expose(), None),
            (None, None) => {
                return Err(Error::invalid(
                    "credentials",
                    format!(
                        "no API key or client ID is saved for {} mode; add one in settings",
                        self.mode.as_str()
                    ),
                ))
            }
        };
        let client = self.request_client(api_base, credentials)?;
        Ok(RequestGateway::new(client))
    }

    fn request_client(
        &self,
        api_base: Option<url::Url>,
        credentials: paydesk_request::Credentials,
    ) -> Result<paydesk_request::RequestClient> {
        let config = match (api_base, self.mode) {
            (Some(base), _) => {
                paydesk_request::ClientConfig::custom(base.clone(), base, credentials)
            }
            (None, Mode::Live) => paydesk_request::ClientConfig::production(credentials),
            (None, Mode::Test) => {
                return Err(Error::invalid(
                    "apiBase",
                    "Test mode needs the sandbox's address",
                ))
            }
        };
        paydesk_request::RequestClient::new(config)
            .map_err(|e| Error::invalid("credentials", e.to_string()))
    }
}
