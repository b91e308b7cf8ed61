//! An in-memory secret store for tests and for "keychain unavailable" simulations.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Secret, SecretStore};
use crate::error::{Error, Result};

/// Secrets held in process memory; `unavailable` makes every call fail like a missing keychain.
#[derive(Debug, Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, Secret>>,
    unavailable: bool,
}

impl MemoryStore {
    /// A working, empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that behaves like an unreachable keychain.
    pub fn unavailable() -> Self {
        MemoryStore {
            values: Mutex::default(),
            unavailable: true,
        }
    }

    fn guard(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Secret>>> {
        if self.unavailable {
            return Err(Error::KeychainUnavailable(
                "no keychain is reachable (simulated)".into(),
            ));
        }
        self.values
            .lock()
            .map_err(|_| Error::KeychainUnavailable("secret store lock poisoned".into()))
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Secret>> {
        Ok(self.guard()?.get(account).cloned())
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        self.guard()?.insert(account.to_string(), secret.clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.guard()?.remove(account);
        Ok(())
    }
    fn check(&self) -> Result<()> {
        self.guard().map(|_| ())
    }
}
