//! The sandbox's state on disk ([`crate::SandboxConfig::state_file`]), so Test mode survives
//! restarts and the desktop app and the `paydesk` CLI can share one sandbox.
//!
//! # What is kept
//!
//! One JSON document, rewritten whole after every state-changing request (link creation,
//! payouts and batch payouts, control actions such as pay / pay part / fail / processing /
//! expire, reset, webhook register / toggle / delete):
//!
//! ```json
//! {
//!   "version": 1,
//!   "note": "Paydesk sandbox state: sandbox-only test credentials, never real secrets.",
//!   "credentials": { "apiKey": "rn_sandbox_...", "clientId": "cli_sandbox_...", "sessionToken": "..." },
//!   "links": [{ "token": "01J...", "kind": "incoming", "requestIds": ["01ab..."], "network": "sepolia",
//!               "options": { "reference": null, ... }, "creator": { "clientId": null, "origin": null },
//!               "createdAt": "...", "expiresAt": "...", "processing": null, "forcedExpired": false,
//!               "invalidated": false, "completedAt": null, "payerAddress": null }],
//!   "requests": [{ "requestId": "01ab...", "token": "01J...", "paymentReference": "0x...", "amount": "10.5",
//!                  "currency": { "id": "FAU-sepolia", "symbol": "FAU", "network": "sepolia", ... },
//!                  "payee": "0x...", "destination": { ... } , "payments": [{ "amount": "4", "txHash": "0x...", "at": "..." }],
//!                  "lastFailure": null }],
//!   "webhooks": [{ "id": "01J...", "url": "http://127.0.0.1:9000/hook", "secret": "...", "isActive": true,
//!                  "createdAt": "...", "clientId": "cli_sandbox_..." }]
//! }
//! ```
//!
//! The credentials (API key, client id, session token) and webhook secrets in the file are
//! **sandbox-only test credentials**: the sandbox generates them and accepts nothing else. They
//! are never real Request Network secrets and the file must never be given real ones. A
//! credential fixed by the config wins over the file's (and is written back).
//!
//! Not kept: the webhook delivery log and deliveries in flight (queued retries are lost on
//! restart), faults, the rate limit, and the clock offset of `clock/advance` (time is the
//! configured clock's again after a restart).
//!
//! # Safety of the file
//!
//! - Writes are atomic: `<file>.tmp` is written (mode 0600 on Unix), fsynced, then renamed over
//!   `<file>` (and the directory fsynced on Unix), so a crash leaves the old or the new state,
//!   never half of one. Writes happen under the store lock, in the order of the changes. A
//!   write that fails once running (disk full, say) is logged and the request still succeeds:
//!   the in-memory state stays authoritative and the next change writes everything again. The
//!   first write happens at start, so generated credentials are kept even if nothing changes.
//! - A file that does not parse, or misses what a link needs, is a [`SandboxError::StateCorrupt`];
//!   one from a newer format is [`SandboxError::StateTooNew`]. Either way the sandbox does not
//!   start and the file is left untouched.
//! - One process at a time: the sandbox holds an OS advisory lock (`File::try_lock`, released by
//!   the OS if the process dies, so it never goes stale) on `<file>.lock`, which also holds the
//!   owner's pid. A second sandbox on the same file fails to start with
//!   [`SandboxError::StateInUse`]. The lock file is left in place after shutdown; it is harmless.
//!   The lock is released by [`crate::SandboxHandle::shutdown`] (or dropping the handle); no
//!   write happens after that.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::errors::SandboxError;
use crate::networks::{self, Currency, Destination, Network};
use crate::state::{
    Creator, Link, LinkKind, LinkOptions, PaymentRecord, Processing, RequestItem, Store, Webhook,
};

/// The format version this sandbox writes and the newest it reads.
pub(crate) const FORMAT_VERSION: u64 = 1;

const NOTE: &str = "Paydesk sandbox state: sandbox-only test credentials, never real secrets.";

/// The three credentials the sandbox accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Credentials {
    pub api_key: String,
    pub client_id: String,
    pub session_token: String,
}

/// What a state file held.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub credentials: Credentials,
    pub store: Store,
}

/// Owns the state file while the sandbox runs: the lock, and every write.
#[derive(Debug)]
pub(crate) struct Persister {
    path: PathBuf,
    tmp: PathBuf,
    credentials: Credentials,
    /// `None` once released: nothing is written any more.
    lock: Mutex<Option<File>>,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn io_error(path: &Path, source: std::io::Error) -> SandboxError {
    SandboxError::StateIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Takes the advisory lock on `<path>.lock` and records our pid in it.
pub(crate) fn lock(path: &Path) -> Result<File, SandboxError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    let lock_path = with_suffix(path, ".lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| io_error(&lock_path, e))?;
    match file.try_lock() {
        Ok(()) => {
            let record = file
                .set_len(0)
                .and_then(|()| file.write_all(std::process::id().to_string().as_bytes()))
                .and_then(|()| file.flush());
            record.map_err(|e| io_error(&lock_path, e))?;
            Ok(file)
        }
        Err(fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let pid = file
                .read_to_string(&mut text)
                .ok()
                .and_then(|_| text.trim().parse::<u32>().ok());
            Err(SandboxError::StateInUse {
                path: path.to_path_buf(),
                pid,
            })
        }
        Err(fs::TryLockError::Error(e)) => Err(io_error(&lock_path, e)),
    }
}

/// Reads the state file; `Ok(None)` when it does not exist yet.
pub(crate) fn load(path: &Path) -> Result<Option<Loaded>, SandboxError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    let corrupt = |problem: String| SandboxError::StateCorrupt {
        path: path.to_path_buf(),
        problem,
    };
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not JSON ({e})")))?;
    let version = match value.get("version") {
        Some(v) => v
            .as_u64()
            .ok_or_else(|| corrupt(format!("`version` is {v}, not a positive integer")))?,
        None => return Err(corrupt("no `version` field".into())),
    };
    if version > FORMAT_VERSION {
        return Err(SandboxError::StateTooNew {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let file: FileV1 = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    let credentials = file.credentials.clone();
    let store = file.into_store().map_err(corrupt)?;
    Ok(Some(Loaded { credentials, store }))
}

impl Persister {
    pub(crate) fn new(path: PathBuf, lock: File, credentials: Credentials) -> Self {
        Self {
            tmp: with_suffix(&path, ".tmp"),
            path,
            credentials,
            lock: Mutex::new(Some(lock)),
        }
    }

    /// Writes `store` atomically.
    pub(crate) fn write(&self, store: &Store) -> Result<(), SandboxError> {
        let guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            return Ok(());
        }
        let bytes = serde_json::to_vec_pretty(&FileV1::from_store(store, &self.credentials))
            .map_err(|e| io_error(&self.path, std::io::Error::other(e)))?;
        write_atomically(&self.path, &self.tmp, &bytes)
    }

    /// Writes `store`, logging a failure (the in-memory state stays authoritative).
    pub(crate) fn save(&self, store: &Store) {
        if let Err(e) = self.write(store) {
            tracing::error!("cannot save the sandbox state: {e}");
        }
    }

    /// Releases the lock; later saves do nothing.
    pub(crate) fn release(&self) {
        let taken = self.lock.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(file) = taken {
            let _ = file.unlock();
        }
    }
}

fn write_atomically(path: &Path, tmp: &Path, bytes: &[u8]) -> Result<(), SandboxError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        // Test credentials only, but still nobody else's business.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(tmp).map_err(|e| io_error(tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(tmp, e))?;
    drop(file);
    fs::rename(tmp, path).map_err(|e| io_error(path, e))?;
    #[cfg(unix)]
    {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

// ---- format version 1 ----

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileV1 {
    version: u64,
    #[serde(default)]
    note: String,
    credentials: Credentials,
    links: Vec<LinkV1>,
    requests: Vec<RequestV1>,
    webhooks: Vec<WebhookV1>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum KindV1 {
    Incoming,
    Payout,
    BatchPayout,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OptionsV1 {
    reference: Option<String>,
    payer_identifier: Option<String>,
    recipient_identifier: Option<String>,
    redirect_url: Option<String>,
    redirect_label: Option<String>,
    access_policy: Option<Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatorV1 {
    client_id: Option<String>,
    origin: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProcessingV1 {
    safe_tx_hash: String,
    deadline_unix: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkV1 {
    token: String,
    kind: KindV1,
    request_ids: Vec<String>,
    network: String,
    options: OptionsV1,
    creator: CreatorV1,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    processing: Option<ProcessingV1>,
    forced_expired: bool,
    invalidated: bool,
    completed_at: Option<DateTime<Utc>>,
    payer_address: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CurrencyV1 {
    id: String,
    symbol: String,
    network: String,
    address: String,
    decimals: u32,
    native: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DestinationV1 {
    destination_id: String,
    wallet: String,
    network: String,
    currency: CurrencyV1,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentV1 {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    tx_hash: String,
    at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestV1 {
    request_id: String,
    token: String,
    payment_reference: String,
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: CurrencyV1,
    payee: String,
    destination: Option<DestinationV1>,
    payments: Vec<PaymentV1>,
    last_failure: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookV1 {
    id: String,
    url: String,
    secret: String,
    is_active: bool,
    created_at: DateTime<Utc>,
    client_id: Option<String>,
}

fn network(id: &str, what: &str) -> Result<&'static Network, String> {
    networks::network(id).ok_or_else(|| format!("{what}: unknown network {id:?}"))
}

impl CurrencyV1 {
    fn from(c: &Currency) -> Self {
        Self {
            id: c.id.clone(),
            symbol: c.symbol.clone(),
            network: c.network.id.to_string(),
            address: c.address.clone(),
            decimals: c.decimals,
            native: c.native,
        }
    }

    fn into_currency(self, what: &str) -> Result<Currency, String> {
        Ok(Currency {
            network: network(&self.network, what)?,
            id: self.id,
            symbol: self.symbol,
            address: self.address,
            decimals: self.decimals,
            native: self.native,
        })
    }
}

impl FileV1 {
    fn from_store(store: &Store, credentials: &Credentials) -> Self {
        let mut links: Vec<&Link> = store.links.values().collect();
        links.sort_by(|a, b| (a.created_at, &a.token).cmp(&(b.created_at, &b.token)));
        let mut requests: Vec<&RequestItem> = store.requests.values().collect();
        requests.sort_by(|a, b| (&a.token, &a.request_id).cmp(&(&b.token, &b.request_id)));
        FileV1 {
            version: FORMAT_VERSION,
            note: NOTE.into(),
            credentials: credentials.clone(),
            links: links
                .into_iter()
                .map(|l| LinkV1 {
                    token: l.token.clone(),
                    kind: match l.kind {
                        LinkKind::Incoming => KindV1::Incoming,
                        LinkKind::Payout => KindV1::Payout,
                        LinkKind::BatchPayout => KindV1::BatchPayout,
                    },
                    request_ids: l.request_ids.clone(),
                    network: l.network.id.to_string(),
                    options: OptionsV1 {
                        reference: l.options.reference.clone(),
                        payer_identifier: l.options.payer_identifier.clone(),
                        recipient_identifier: l.options.recipient_identifier.clone(),
                        redirect_url: l.options.redirect_url.clone(),
                        redirect_label: l.options.redirect_label.clone(),
                        access_policy: l.options.access_policy.clone(),
                    },
                    creator: CreatorV1 {
                        client_id: l.creator.client_id.clone(),
                        origin: l.creator.origin.clone(),
                    },
                    created_at: l.created_at,
                    expires_at: l.expires_at,
                    processing: l.processing.as_ref().map(|p| ProcessingV1 {
                        safe_tx_hash: p.safe_tx_hash.clone(),
                        deadline_unix: p.deadline_unix,
                    }),
                    forced_expired: l.forced_expired,
                    invalidated: l.invalidated,
                    completed_at: l.completed_at,
                    payer_address: l.payer_address.clone(),
                })
                .collect(),
            requests: requests
                .into_iter()
                .map(|r| RequestV1 {
                    request_id: r.request_id.clone(),
                    token: r.token.clone(),
                    payment_reference: r.payment_reference.clone(),
                    amount: r.amount,
                    currency: CurrencyV1::from(&r.currency),
                    payee: r.payee.clone(),
                    destination: r.destination.as_ref().map(|d| DestinationV1 {
                        destination_id: d.destination_id.clone(),
                        wallet: d.wallet.clone(),
                        network: d.network.id.to_string(),
                        currency: CurrencyV1::from(&d.currency),
                    }),
                    payments: r
                        .payments
                        .iter()
                        .map(|p| PaymentV1 {
                            amount: p.amount,
                            tx_hash: p.tx_hash.clone(),
                            at: p.at,
                        })
                        .collect(),
                    last_failure: r.last_failure.clone(),
                })
                .collect(),
            webhooks: store
                .webhooks
                .iter()
                .map(|w| WebhookV1 {
                    id: w.id.clone(),
                    url: w.url.clone(),
                    secret: w.secret.clone(),
                    is_active: w.is_active,
                    created_at: w.created_at,
                    client_id: w.client_id.clone(),
                })
                .collect(),
        }
    }

    /// Rebuilds the store, checking that links and requests point at each other.
    fn into_store(self) -> Result<Store, String> {
        let mut requests = HashMap::new();
        for r in self.requests {
            let what = format!("request {}", r.request_id);
            let destination = match r.destination {
                Some(d) => Some(Destination {
                    network: network(&d.network, &what)?,
                    destination_id: d.destination_id,
                    wallet: d.wallet,
                    currency: d.currency.into_currency(&what)?,
                }),
                None => None,
            };
            let item = RequestItem {
                currency: r.currency.into_currency(&what)?,
                destination,
                request_id: r.request_id,
                token: r.token,
                payment_reference: r.payment_reference,
                amount: r.amount,
                payee: r.payee,
                payments: r
                    .payments
                    .into_iter()
                    .map(|p| PaymentRecord {
                        amount: p.amount,
                        tx_hash: p.tx_hash,
                        at: p.at,
                    })
                    .collect(),
                last_failure: r.last_failure,
            };
            if requests.insert(item.request_id.clone(), item).is_some() {
                return Err(format!("{what} appears twice"));
            }
        }
        let mut links = HashMap::new();
        for l in self.links {
            let what = format!("link {}", l.token);
            if let Some(missing) = l.request_ids.iter().find(|id| !requests.contains_key(*id)) {
                return Err(format!(
                    "{what} names request {missing}, which is not in the file"
                ));
            }
            let link = Link {
                network: network(&l.network, &what)?,
                token: l.token,
                kind: match l.kind {
                    KindV1::Incoming => LinkKind::Incoming,
                    KindV1::Payout => LinkKind::Payout,
                    KindV1::BatchPayout => LinkKind::BatchPayout,
                },
                request_ids: l.request_ids,
                options: LinkOptions {
                    reference: l.options.reference,
                    payer_identifier: l.options.payer_identifier,
                    recipient_identifier: l.options.recipient_identifier,
                    redirect_url: l.options.redirect_url,
                    redirect_label: l.options.redirect_label,
                    access_policy: l.options.access_policy,
                },
                creator: Creator {
                    client_id: l.creator.client_id,
                    origin: l.creator.origin,
                },
                created_at: l.created_at,
                expires_at: l.expires_at,
                processing: l.processing.map(|p| Processing {
                    safe_tx_hash: p.safe_tx_hash,
                    deadline_unix: p.deadline_unix,
                }),
                forced_expired: l.forced_expired,
                invalidated: l.invalidated,
                completed_at: l.completed_at,
                payer_address: l.payer_address,
            };
            if links.insert(link.token.clone(), link).is_some() {
                return Err(format!("{what} appears twice"));
            }
        }
        if let Some(orphan) = requests.values().find(|r| !links.contains_key(&r.token)) {
            return Err(format!(
                "request {} belongs to link {}, which is not in the file",
                orphan.request_id, orphan.token
            ));
        }
        let webhooks = self
            .webhooks
            .into_iter()
            .map(|w| Webhook {
                id: w.id,
                url: w.url,
                secret: w.secret,
                is_active: w.is_active,
                created_at: w.created_at,
                client_id: w.client_id,
            })
            .collect();
        Ok(Store {
            links,
            requests,
            webhooks,
        })
    }
}
