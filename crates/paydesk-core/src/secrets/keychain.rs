//! The OS keychain through `keyring` 3: Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows. Entries are namespaced by a service name (the app identifier, or a test
//! namespace) so test and release builds never share secrets.

use keyring::Entry;

use super::{Secret, SecretStore};
use crate::error::{Error, Result};

/// Secrets in the OS keychain under one service name.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    /// A store for `service` (e.g. `app.paydesk.desktop`).
    pub fn new(service: impl Into<String>) -> Self {
        KeychainStore {
            service: service.into(),
        }
    }

    /// The service name entries live under.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, account: &str) -> Result<Entry> {
        #[cfg(target_os = "linux")]
        {
            // Straight to the Secret Service: the kernel keyutils cache that `keyring` would put
            // in front loses keys at reboot and misreports errors in some sessions.
            let cred = keyring::secret_service::SsCredential::new_with_target(
                None,
                &self.service,
                account,
            )
            .map_err(describe)?;
            Ok(Entry::new_with_credential(Box::new(cred)))
        }
        #[cfg(not(target_os = "linux"))]
        {
            Entry::new(&self.service, account).map_err(describe)
        }
    }
}

/// Describe a keyring error without any secret (keyring errors never carry the value, but the
/// wrapped platform errors can be long; keep the kind).
fn describe(e: keyring::Error) -> Error {
    let why = match &e {
        keyring::Error::NoStorageAccess(_) => {
            "the keychain is locked or no Secret Service is running".to_string()
        }
        keyring::Error::PlatformFailure(inner) => format!("the keychain failed: {inner}"),
        keyring::Error::NoEntry => "no such entry".to_string(),
        keyring::Error::TooLong(what, max) => format!("{what} is longer than {max}"),
        keyring::Error::Invalid(what, why) => format!("{what} is invalid: {why}"),
        other => format!("{other}"),
    };
    Error::KeychainUnavailable(why)
}

impl SecretStore for KeychainStore {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        match self.entry(account)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(e)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        self.entry(account)?
            .set_password(secret.expose())
            .map_err(describe)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(e)),
        }
    }

    fn check(&self) -> Result<()> {
        self.get("probe").map(|_| ())
    }
}
