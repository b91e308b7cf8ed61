//! The wire: one place that sends a request and turns the answer into bytes or an [`Error`].
//!
//! Owns URL building under a base (keeping its path prefix), the auth headers (marked sensitive,
//! never logged), the per-call timeout, the response size cap, the one-retry rule for safe GETs,
//! the generic status-to-error mapping and strict JSON decoding into `Malformed` errors that name
//! the JSON path. Redirects are not followed: a redirect would carry `x-api-key` to another host.

use std::time::{Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::credentials::Redactor;
use crate::envelope;
use crate::retry_after::parse_retry_after;
use crate::{ClientConfig, Credentials, Error};

/// Answers larger than this are refused (the largest documented answer is a few kilobytes).
const MAX_BODY_BYTES: usize = 1 << 20;

/// Which API a path lives on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Api {
    /// The Request API (`/v2/...`).
    Request,
    /// The Auth API (`/v1/webhook...`).
    Auth,
}

/// An answer that arrived whole: status, headers and body.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    /// `METHOD /path`, for error messages.
    pub(crate) endpoint: String,
}

#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    api_base: Url,
    auth_base: Url,
    timeout: std::time::Duration,
    redactor: Redactor,
}

impl Transport {
    pub(crate) fn new(config: ClientConfig) -> Result<Self, Error> {
        if config.timeout.is_zero() {
            return Err(config_error("the timeout must be above zero"));
        }
        check_base("api_base", &config.api_base)?;
        check_base("auth_base", &config.auth_base)?;
        let http = reqwest::Client::builder()
            .default_headers(default_headers(&config.credentials)?)
            .user_agent(&config.user_agent)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| config_error(&format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            api_base: config.api_base,
            auth_base: config.auth_base,
            timeout: config.timeout,
            redactor: Redactor::new(&config.credentials),
        })
    }

    pub(crate) fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The URL of `segments` under the chosen base; each segment is percent-encoded.
    pub(crate) fn url(&self, api: Api, segments: &[&str]) -> Url {
        let mut url = match api {
            Api::Request => self.api_base.clone(),
            Api::Auth => self.auth_base.clone(),
        };
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .expect("bases are checked to be hierarchical in Transport::new")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// Sends once. Used for every POST, PUT and DELETE: never retried here.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
    ) -> Result<Answer, Error> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| config_error(&format!("cannot encode the request body: {e}")))?;
        self.attempt(method, url, body).await
    }

    /// Sends a GET, once more on a network error (the request may never have left).
    pub(crate) async fn get_retrying_once(&self, url: Url) -> Result<Answer, Error> {
        match self.attempt(Method::GET, url.clone(), None).await {
            Err(Error::Network { message }) => {
                tracing::debug!(%message, path = url.path(), "GET failed on the network; retrying once");
                self.attempt(Method::GET, url, None).await
            }
            other => other,
        }
    }

    async fn attempt(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, Error> {
        let endpoint = format!("{method} {}", url.path());
        let started = Instant::now();
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let result = async {
            let mut response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_BODY_BYTES {
                    return Ok(Err(status));
                }
            }
            Ok::<_, reqwest::Error>(Ok((status, headers, body)))
        }
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(Ok((status, headers, body))) => {
                tracing::debug!(%endpoint, status = status.as_u16(), elapsed_ms, "answer");
                Ok(Answer {
                    status,
                    headers,
                    body,
                    endpoint,
                })
            }
            Ok(Err(status)) => Err(Error::Malformed {
                problem: format!(
                    "the {} answer is larger than {MAX_BODY_BYTES} bytes",
                    status.as_u16()
                ),
                endpoint,
            }),
            Err(e) => {
                let error = self.transport_error(e);
                tracing::debug!(%endpoint, elapsed_ms, code = error.code(), "no answer: {error}");
                Err(error)
            }
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> Error {
        let e = e.without_url();
        if e.is_timeout() {
            return Error::Timeout {
                after: self.timeout,
            };
        }
        if e.is_builder() {
            return config_error(&self.redactor.scrub(&chain(&e)));
        }
        Error::Network {
            message: self.redactor.scrub(&chain(&e)),
        }
    }

    /// Decodes a success body strictly; a mismatch is `Malformed` with the JSON path.
    pub(crate) fn decode<T: DeserializeOwned>(&self, answer: &Answer) -> Result<T, Error> {
        if answer.body.is_empty() {
            return Err(self.malformed(answer, "empty body, expected JSON"));
        }
        let mut json = serde_json::Deserializer::from_slice(&answer.body);
        let value = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let problem = if inner.is_syntax() || inner.is_eof() {
                format!("body is not JSON ({inner})")
            } else if path == "." {
                inner.to_string()
            } else {
                format!("{path}: {inner}")
            };
            self.malformed(answer, &problem)
        })?;
        json.end()
            .map_err(|e| self.malformed(answer, &format!("body is not JSON ({e})")))?;
        Ok(value)
    }

    pub(crate) fn malformed(&self, answer: &Answer, problem: &str) -> Error {
        Error::Malformed {
            endpoint: answer.endpoint.clone(),
            problem: self.redactor.scrub(problem),
        }
    }

    /// The error for a non-success answer, by status (CONTRACT.md §1.2, §1.4).
    pub(crate) fn status_error(&self, answer: &Answer) -> Error {
        let envelope = envelope::parse(&answer.body, &self.redactor);
        let reason = answer.status.canonical_reason().unwrap_or("Unknown status");
        let message = envelope.message.unwrap_or_else(|| reason.to_owned());
        match answer.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { message },
            StatusCode::FORBIDDEN => Error::Forbidden { message },
            StatusCode::NOT_FOUND => Error::NotFound { message },
            StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
                retry_after: answer
                    .headers
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now())),
            },
            status => Error::Api {
                status: status.as_u16(),
                message,
                error: envelope.error,
                details: envelope.details,
            },
        }
    }
}

fn default_headers(credentials: &Credentials) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let secret_header = |name: &'static str, value: &str| {
        if value.is_empty() {
            return Err(config_error(&format!("the credential for {name} is empty")));
        }
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            config_error(&format!(
                "the credential for {name} contains characters not allowed in an HTTP header"
            ))
        })?;
        value.set_sensitive(true);
        Ok::<_, Error>((HeaderName::from_static(name), value))
    };
    match credentials {
        Credentials::ApiKey(key) => {
            let (name, value) = secret_header("x-api-key", key.expose())?;
            headers.insert(name, value);
        }
        Credentials::ClientId { id, origin } => {
            let (name, value) = secret_header("x-client-id", id.expose())?;
            headers.insert(name, value);
            if let Some(origin) = origin {
                let value = HeaderValue::from_str(origin).map_err(|_| {
                    config_error("the Origin contains characters not allowed in an HTTP header")
                })?;
                headers.insert(reqwest::header::ORIGIN, value);
            }
        }
    }
    Ok(headers)
}

fn check_base(name: &str, base: &Url) -> Result<(), Error> {
    if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() || !base.has_host() {
        return Err(config_error(&format!(
            "{name} must be an http(s) URL with a host"
        )));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(config_error(&format!(
            "{name} must not carry a user name or password"
        )));
    }
    Ok(())
}

fn config_error(message: &str) -> Error {
    Error::Config {
        message: message.to_owned(),
    }
}

/// The error and its sources (the URL has been removed from the reqwest error by the caller).
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(base: &str) -> Transport {
        let base = Url::parse(base).unwrap();
        Transport::new(ClientConfig::custom(
            base.clone(),
            base,
            Credentials::api_key("rn_k"),
        ))
        .unwrap()
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_segments() {
        let t = transport("http://127.0.0.1:9/prefix/?q=1#f");
        assert_eq!(
            t.url(Api::Request, &["v2", "secure-payments", "a/b?c#d"])
                .as_str(),
            "http://127.0.0.1:9/prefix/v2/secure-payments/a%2Fb%3Fc%23d"
        );
        let t = transport("https://api.request.network");
        assert_eq!(
            t.url(Api::Auth, &["v1", "webhook"]).as_str(),
            "https://api.request.network/v1/webhook"
        );
    }

    #[test]
    fn unusable_configuration_is_refused_without_echoing_the_secret() {
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        let cases = [
            ClientConfig::custom(
                base.clone(),
                base.clone(),
                Credentials::api_key("rn_bad\nkey"),
            ),
            ClientConfig::custom(
                base.clone(),
                base.clone(),
                Credentials::client_id("cli_x", Some("https://a\n".into())),
            ),
            ClientConfig::custom(
                Url::parse("mailto:x@y.z").unwrap(),
                base.clone(),
                Credentials::api_key("k"),
            ),
            ClientConfig::custom(
                base.clone(),
                Url::parse("http://user:pw@127.0.0.1/").unwrap(),
                Credentials::api_key("k"),
            ),
            ClientConfig::custom(base.clone(), base.clone(), Credentials::api_key("")),
            ClientConfig::custom(base.clone(), base, Credentials::api_key("k"))
                .with_timeout(std::time::Duration::ZERO),
        ];
        for config in cases {
            let error = Transport::new(config).unwrap_err();
            assert_eq!(error.code(), "config");
            assert!(!format!("{error:?}").contains("rn_bad"), "{error:?}");
        }
    }
}
