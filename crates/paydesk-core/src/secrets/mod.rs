//! Secrets (Request API key, client id; later webhook secret and tunnel token) live only in the
//! OS keychain behind the [`SecretStore`] trait. Everything else sees a [`Secret`], which prints
//! `<redacted>`, or its [`mask`].

mod keychain;
mod memory;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use keychain::KeychainStore;
pub use memory::MemoryStore;

use crate::domain::Mode;
use crate::error::{Error, Result};

/// A secret value. `Debug` and `Display` never show it; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself: only for sending it where it belongs (an HTTP header, the keychain).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SecretKind {
    /// Request Network API key (`x-api-key`).
    ApiKey,
    /// Request Network client id (`x-client-id`).
    ClientId,
    /// The webhook signing secret (`x-request-network-signature`): returned by registration, or
    /// pasted from Request's dashboard.
    WebhookSecret,
    /// The ngrok authtoken, passed to the ngrok tunnel through its environment.
    NgrokAuthtoken,
    /// The unguessable path segment of the local webhook URL. The app makes it; never typed.
    WebhookPath,
}

impl SecretKind {
    /// Every kind a person can set, for status listings.
    pub const ALL: [SecretKind; 4] = [
        SecretKind::ApiKey,
        SecretKind::ClientId,
        SecretKind::WebhookSecret,
        SecretKind::NgrokAuthtoken,
    ];

    /// The keychain account suffix and CLI name.
    pub fn slug(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "request-api-key",
            SecretKind::ClientId => "request-client-id",
            SecretKind::WebhookSecret => "webhook-secret",
            SecretKind::NgrokAuthtoken => "ngrok-authtoken",
            SecretKind::WebhookPath => "webhook-path",
        }
    }

    /// Parse a CLI name (`api-key`, `client-id`, `webhook-secret`, `ngrok-authtoken`, or the
    /// slug). The webhook path is made by the app and cannot be set.
    pub fn parse(s: &str) -> Result<SecretKind> {
        match s {
            "api-key" | "apiKey" | "request-api-key" => Ok(SecretKind::ApiKey),
            "client-id" | "clientId" | "request-client-id" => Ok(SecretKind::ClientId),
            "webhook-secret" | "webhookSecret" => Ok(SecretKind::WebhookSecret),
            "ngrok-authtoken" | "ngrokAuthtoken" => Ok(SecretKind::NgrokAuthtoken),
            _ => Err(Error::invalid(
                "kind",
                "must be api-key, client-id, webhook-secret or ngrok-authtoken",
            )),
        }
    }

    /// The keychain account for this secret in `mode` (test and live never share a secret).
    pub fn account(self, mode: Mode) -> String {
        format!("{}/{}", mode.as_str(), self.slug())
    }
}

/// Where secrets are kept. Implementations must never log or echo a value.
pub trait SecretStore: Send + Sync {
    /// Read a secret; `Ok(None)` when it was never set.
    fn get(&self, account: &str) -> Result<Option<Secret>>;
    /// Write (or replace) a secret.
    fn set(&self, account: &str, secret: &Secret) -> Result<()>;
    /// Remove a secret; removing a missing one is not an error.
    fn delete(&self, account: &str) -> Result<()>;
    /// Whether the store can be used right now; `Err` says why not.
    fn check(&self) -> Result<()>;
}

/// `••••` and the last four characters (only `••••` when the secret is short).
pub fn mask(secret: &Secret) -> String {
    let chars: Vec<char> = secret.expose().chars().collect();
    if chars.len() < 8 {
        return "••••".to_string();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("••••{tail}")
}

/// Check a secret typed by the user: 1..=512 printable characters, no spaces.
pub fn validate(value: &str) -> Result<Secret> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid("secret", "is required"));
    }
    if v.chars().count() > 512 {
        return Err(Error::invalid("secret", "must be at most 512 characters"));
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "secret",
            "must not contain spaces or control characters",
        ));
    }
    Ok(Secret::new(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new("rn_live_abcdef123456");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            key: Secret,
        }
        let shown = format!("{:?}", Holder { key: s });
        assert!(!shown.contains("abcdef"), "{shown}");
    }

    #[test]
    fn mask_shows_only_the_last_four() {
        assert_eq!(mask(&Secret::new("rn_live_abcdef1234")), "••••1234");
        assert_eq!(mask(&Secret::new("short")), "••••");
    }

    #[test]
    fn accounts_are_separate_per_mode() {
        assert_ne!(
            SecretKind::ApiKey.account(Mode::Test),
            SecretKind::ApiKey.account(Mode::Live)
        );
    }

    #[test]
    fn validation_rejects_spaces_and_empty() {
        assert!(validate("  ").is_err());
        assert!(validate("a b").is_err());
        assert_eq!(validate(" rn_x \n").unwrap().expose(), "rn_x");
    }
}
