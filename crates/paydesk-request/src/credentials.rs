//! Credentials and the redacting secret wrapper.
//!
//! Owns [`ApiSecret`] (a string that never prints), [`Credentials`] (which header the client
//! authenticates with) and the crate-private [`Redactor`] that removes a credential from any text
//! the server sends back before that text can reach an error, a status value or a log line.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A secret string (API key, client ID, webhook signing secret) whose `Debug` and `Display`
/// print `<redacted>`. Read the value with [`ApiSecret::expose`], only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiSecret(String);

impl ApiSecret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: call it only to put the value on the wire or into the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Deserializes from a JSON string (the webhook secret in Auth API answers). There is
/// deliberately no `Serialize`: a secret never goes into a JSON document by accident.
impl<'de> Deserialize<'de> for ApiSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// How the client authenticates (CONTRACT.md §1.2). `Debug` never shows the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// `x-api-key: <key>`: a server-side API key (`rn_...`).
    ApiKey(ApiSecret),
    /// `x-client-id: <id>`, plus `Origin: <origin>` when given: a client ID. A frontend client
    /// ID with allowed domains needs the Origin; a backend client ID (no allowed domains) must be
    /// used without one.
    ClientId {
        /// The client ID (`cli_...`).
        id: ApiSecret,
        /// The `Origin` header to send, e.g. `https://paydesk.example`.
        origin: Option<String>,
    },
}

impl Credentials {
    /// An API key credential.
    pub fn api_key(key: impl Into<String>) -> Self {
        Self::ApiKey(ApiSecret::new(key))
    }

    /// A client ID credential, with the `Origin` to send if the client ID has allowed domains.
    pub fn client_id(id: impl Into<String>, origin: Option<String>) -> Self {
        Self::ClientId {
            id: ApiSecret::new(id),
            origin,
        }
    }

    fn secret(&self) -> &ApiSecret {
        match self {
            Self::ApiKey(key) => key,
            Self::ClientId { id, .. } => id,
        }
    }
}

/// Replaces every occurrence of the configured credential (ASCII case-insensitively) in text
/// that came from the server or from a decoder quoting the server's bytes.
#[derive(Clone, Debug)]
pub(crate) struct Redactor {
    secret: ApiSecret,
}

impl Redactor {
    pub(crate) fn new(credentials: &Credentials) -> Self {
        Self {
            secret: credentials.secret().clone(),
        }
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        scrub(text, self.secret.expose())
    }
}

fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    // ASCII lowercasing keeps every byte offset, so matches in the folded copy are matches in
    // the original at the same positions, and always on char boundaries of the original.
    let folded_text = text.to_ascii_lowercase();
    let folded_secret = secret.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = folded_text[from..].find(&folded_secret) {
        let start = from + found;
        out.push_str(&text[copied..start]);
        out.push_str("<redacted>");
        copied = start + secret.len();
        from = copied;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_prints_redacted_under_debug_and_display() {
        let secret = ApiSecret::new("rn_live_abc123");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{secret:#?}"), "<redacted>");
        assert_eq!(secret.expose(), "rn_live_abc123");
    }

    #[test]
    fn credentials_debug_hides_key_and_client_id_but_shows_origin() {
        let key = format!("{:?}", Credentials::api_key("rn_live_abc123"));
        assert!(!key.contains("abc123"), "{key}");
        let client = format!(
            "{:#?}",
            Credentials::client_id("cli_secret42", Some("https://paydesk.example".into()))
        );
        assert!(!client.contains("cli_secret42"), "{client}");
        assert!(client.contains("https://paydesk.example"), "{client}");
    }

    #[test]
    fn webhook_secret_deserializes_from_a_json_string() {
        let secret: ApiSecret = serde_json::from_str("\"9f86\"").unwrap();
        assert_eq!(secret.expose(), "9f86");
    }

    #[test]
    fn scrub_removes_every_occurrence_whatever_the_ascii_case() {
        let redactor = Redactor::new(&Credentials::api_key("rn_Key"));
        assert_eq!(
            redactor.scrub("bad key rn_Key; RN_KEY again, rn_keyrn_key"),
            "bad key <redacted>; <redacted> again, <redacted><redacted>"
        );
        assert_eq!(redactor.scrub("nothing here"), "nothing here");
    }

    #[test]
    fn scrub_keeps_non_ascii_text_intact() {
        assert_eq!(scrub("clé rn_x ünï", "rn_x"), "clé <redacted> ünï");
        assert_eq!(scrub("İrn_xİ", "RN_X"), "İ<redacted>İ");
    }
}
