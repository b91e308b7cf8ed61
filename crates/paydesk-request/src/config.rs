//! Where the client talks to and how long it waits.
//!
//! Owns [`ClientConfig`]: the Request API base URL, the Auth API base URL (webhooks), the
//! credentials, the per-call timeout and the `User-Agent`. The hosts are CONTRACT.md §1.1.

use std::time::Duration;

use url::Url;

use crate::Credentials;

/// Production Request API host.
pub const PRODUCTION_API_BASE: &str = "https://api.request.network";
/// Staging Request API host.
pub const STAGING_API_BASE: &str = "https://api.stage.request.network";
/// Auth API host (webhooks, client IDs). The contract names no staging Auth host, so
/// [`ClientConfig::staging`] uses this one too; pass another through [`ClientConfig::custom`].
pub const AUTH_API_BASE: &str = "https://auth.request.network";
/// Default limit for one call, from sending the request to reading the whole answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Everything [`crate::RequestClient::new`] needs. `Debug` never shows the credential.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Base of the Request API (`/v2/...` paths are appended to it, keeping any path prefix).
    pub api_base: Url,
    /// Base of the Auth API (`/v1/webhook...` paths are appended to it).
    pub auth_base: Url,
    /// The header the client authenticates with.
    pub credentials: Credentials,
    /// Limit for each call, connect to last body byte. Must be above zero.
    pub timeout: Duration,
    /// `User-Agent` header value.
    pub user_agent: String,
}

impl ClientConfig {
    /// Production: `api.request.network` and `auth.request.network`.
    pub fn production(credentials: Credentials) -> Self {
        Self::custom(
            fixed_url(PRODUCTION_API_BASE),
            fixed_url(AUTH_API_BASE),
            credentials,
        )
    }

    /// Staging: `api.stage.request.network`, with the production Auth API (see [`AUTH_API_BASE`]).
    pub fn staging(credentials: Credentials) -> Self {
        Self::custom(
            fixed_url(STAGING_API_BASE),
            fixed_url(AUTH_API_BASE),
            credentials,
        )
    }

    /// Any pair of bases, e.g. a local emulator (pass its base URL twice) or a proxy.
    pub fn custom(api_base: Url, auth_base: Url, credentials: Credentials) -> Self {
        Self {
            api_base,
            auth_base,
            credentials,
            timeout: DEFAULT_TIMEOUT,
            user_agent: default_user_agent(),
        }
    }

    /// Returns the same configuration with another per-call timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

fn default_user_agent() -> String {
    concat!("paydesk-request/", env!("CARGO_PKG_VERSION")).to_owned()
}

fn fixed_url(text: &str) -> Url {
    Url::parse(text).expect("the built-in base URLs are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_and_staging_point_at_the_documented_hosts() {
        let creds = Credentials::api_key("rn_x");
        let prod = ClientConfig::production(creds.clone());
        assert_eq!(prod.api_base.as_str(), "https://api.request.network/");
        assert_eq!(prod.auth_base.as_str(), "https://auth.request.network/");
        assert_eq!(prod.timeout, Duration::from_secs(15));
        let stage = ClientConfig::staging(creds);
        assert_eq!(
            stage.api_base.as_str(),
            "https://api.stage.request.network/"
        );
        assert_eq!(stage.auth_base.as_str(), "https://auth.request.network/");
    }

    #[test]
    fn custom_keeps_both_bases_and_the_default_timeout() {
        let base = Url::parse("http://127.0.0.1:8080/").unwrap();
        let config = ClientConfig::custom(base.clone(), base.clone(), Credentials::api_key("k"))
            .with_timeout(Duration::from_millis(300));
        assert_eq!(config.api_base, base);
        assert_eq!(config.auth_base, base);
        assert_eq!(config.timeout, Duration::from_millis(300));
        assert!(config.user_agent.starts_with("paydesk-request/"));
    }
}
