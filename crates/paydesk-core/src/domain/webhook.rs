//! Webhook settings as the freelancer chooses them (on/off, which tunnel, a binary path, their
//! own public URL, the local port) and the registration Paydesk made with Request. Validation
//! names the field and the rule. Never a secret: the signing secret, the ngrok authtoken and the
//! URL's path segment live in the keychain.

use std::path::Path;

use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::error::{Error, Result};

/// How the local receiver is reached from the internet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TunnelKind {
    /// A cloudflared quick tunnel (no account; a new `trycloudflare.com` URL each start).
    #[default]
    Cloudflared,
    /// ngrok (an authtoken in the keychain).
    Ngrok,
    /// The freelancer's own proxy at a public URL that forwards to the local port.
    Manual,
}

impl TunnelKind {
    /// The name used on the command line and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            TunnelKind::Cloudflared => "cloudflared",
            TunnelKind::Ngrok => "ngrok",
            TunnelKind::Manual => "manual",
        }
    }
}

/// The webhook settings of one mode's books.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConfig {
    /// Webhooks on; polling runs either way.
    pub enabled: bool,
    pub tunnel: TunnelKind,
    /// The cloudflared or ngrok binary; `None`: found on PATH.
    pub binary_path: Option<String>,
    /// Manual only: the public https URL that forwards to the local receiver.
    pub public_url: Option<String>,
    /// The receiver's port on 127.0.0.1; `None`: any free port.
    pub port: Option<u16>,
}

impl WebhookConfig {
    /// Trim, check every field, and drop what the chosen tunnel does not use.
    pub fn validate(&self) -> Result<WebhookConfig> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let binary_path = match self.tunnel {
            TunnelKind::Manual => None,
            _ => blank(&self.binary_path),
        };
        if let Some(path) = &binary_path {
            if !Path::new(path).is_absolute() {
                return Err(Error::invalid(
                    "binaryPath",
                    "must be an absolute path to the program (or empty to find it on PATH)",
                ));
            }
        }
        let public_url = match self.tunnel {
            TunnelKind::Manual => match blank(&self.public_url) {
                Some(u) => Some(parse_public_url(&u)?.to_string()),
                None if self.enabled => {
                    return Err(Error::invalid(
                        "publicUrl",
                        "is required when you run your own proxy",
                    ))
                }
                None => None,
            },
            _ => None,
        };
        if let Some(port) = self.port {
            if port < 1024 {
                return Err(Error::invalid(
                    "port",
                    "must be between 1024 and 65535, or empty for any free port",
                ));
            }
        }
        Ok(WebhookConfig {
            enabled: self.enabled,
            tunnel: self.tunnel,
            binary_path,
            public_url,
            port: self.port,
        })
    }
}

/// A public URL typed by the user: https with a host and no user name or password (plain http
/// only to a loopback host, for local tests), no query or fragment.
pub fn parse_public_url(input: &str) -> Result<Url> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Error::invalid("publicUrl", "is required"));
    }
    let url = Url::parse(input)
        .map_err(|e| Error::invalid("publicUrl", format!("must be a full URL ({e})")))?;
    check_public_url(&url)?;
    Ok(url)
}

/// The rules of [`parse_public_url`] for an already parsed URL.
pub fn check_public_url(url: &Url) -> Result<()> {
    const FIELD: &str = "publicUrl";
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(Error::invalid(FIELD, "must have a host name")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::invalid(
                FIELD,
                "must use https (http is only allowed for localhost)",
            ))
        }
        _ => return Err(Error::invalid(FIELD, "must start with https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            FIELD,
            "must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(FIELD, "must not have a query or fragment"));
    }
    Ok(())
}

/// The endpoint Request posts to: the public base URL joined with the receiver's path
/// (`/hooks/<path secret>`), keeping any path prefix of the base (a proxy may mount it there).
pub fn endpoint_url(public_base: &Url, receiver_path: &str) -> Url {
    let mut url = public_base.clone();
    let base = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{base}{receiver_path}"));
    url
}

/// What Paydesk registered with Request's Auth API (ids and URLs are not secrets, but the URL
/// carries the path segment, so it is shown only in the app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRegistration {
    pub webhook_id: String,
    pub url: String,
    pub registered_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<WebhookConfig>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn manual_needs_an_https_url_without_credentials() {
        let mut c = WebhookConfig {
            enabled: true,
            tunnel: TunnelKind::Manual,
            ..Default::default()
        };
        assert_eq!(field_of(c.validate()), "publicUrl");
        for bad in [
            "http://example.com/x",
            "https://user:pw@example.com",
            "ftp://example.com",
            "example.com",
            "https://example.com/?a=1",
            "mailto:me@example.com",
            "   ",
        ] {
            c.public_url = Some(bad.into());
            assert_eq!(field_of(c.validate()), "publicUrl", "{bad}");
        }
        c.public_url = Some("  https://hooks.example.com/paydesk/ ".into());
        let ok = c.validate().expect("valid");
        assert_eq!(
            ok.public_url.as_deref(),
            Some("https://hooks.example.com/paydesk/")
        );
        c.public_url = Some("http://127.0.0.1:9000".into());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn ports_and_binary_paths_are_checked() {
        let mut c = WebhookConfig {
            port: Some(80),
            ..Default::default()
        };
        assert_eq!(field_of(c.validate()), "port");
        c.port = Some(8787);
        c.binary_path = Some("cloudflared".into());
        assert_eq!(field_of(c.validate()), "binaryPath");
        c.binary_path = Some("/usr/local/bin/cloudflared".into());
        assert!(c.validate().is_ok());
        c.binary_path = Some("   ".into());
        assert_eq!(c.validate().expect("valid").binary_path, None);
    }

    #[test]
    fn the_endpoint_keeps_a_proxy_prefix() {
        let base = Url::parse("https://a.trycloudflare.com").expect("url");
        assert_eq!(
            endpoint_url(&base, "/hooks/abc").as_str(),
            "https://a.trycloudflare.com/hooks/abc"
        );
        let base = Url::parse("https://example.com/paydesk/").expect("url");
        assert_eq!(
            endpoint_url(&base, "/hooks/abc").as_str(),
            "https://example.com/paydesk/hooks/abc"
        );
    }
}
