//! Who is calling (CONTRACT.md §1.2): `x-api-key`, `x-client-id` (+ `Origin` for a frontend
//! client id), a session (`Authorization: Bearer` or the `session_token` cookie), and which of
//! them each route accepts. Failures answer 401 (missing or invalid) or 403 (not allowed).

use axum::http::HeaderMap;

use crate::errors::ApiError;
use crate::server::Shared;

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    ApiKey,
    ClientId { origin: Option<String> },
    Session,
}

/// The credentials a route accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accepts {
    pub api_key: bool,
    pub client_id: bool,
    pub session: bool,
}

impl Accepts {
    /// Create routes: API key, client id or session.
    pub(crate) const ANY: Accepts = Accepts {
        api_key: true,
        client_id: true,
        session: true,
    };
    /// Payer-page routes: client id, and API key as the docs' curl examples use.
    pub(crate) const PAGE: Accepts = Accepts {
        api_key: true,
        client_id: true,
        session: false,
    };
    /// Dashboard routes: session only.
    pub(crate) const SESSION: Accepts = Accepts {
        api_key: false,
        client_id: false,
        session: true,
    };
    /// The Auth API: client id or session.
    pub(crate) const AUTH_API: Accepts = Accepts {
        api_key: false,
        client_id: true,
        session: true,
    };
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn session(headers: &HeaderMap) -> Option<&str> {
    if let Some(bearer) = header(headers, "authorization").and_then(|v| v.strip_prefix("Bearer ")) {
        return Some(bearer.trim());
    }
    header(headers, "cookie")?
        .split(';')
        .find_map(|pair| pair.trim().strip_prefix("session_token="))
}

/// `https://Example.com/` -> `https://example.com`.
pub(crate) fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Authenticates a call against what the route accepts.
pub(crate) fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    accepts: Accepts,
) -> Result<Caller, ApiError> {
    let settings = &shared.settings;
    if header(headers, "x-orchestrator-key").is_some() {
        // The sandbox has no orchestrators: every orchestrator key is unknown.
        return Err(ApiError::unauthorized());
    }
    let client_id = header(headers, "x-client-id");
    if let Some(key) = header(headers, "x-api-key") {
        if accepts.api_key {
            return if key == settings.api_key {
                Ok(Caller::ApiKey)
            } else {
                Err(ApiError::unauthorized())
            };
        }
        // A route without API-key auth (the Auth API) still reads a client id sent alongside.
        if client_id.is_none() {
            return Err(ApiError::unauthorized());
        }
    }
    if let Some(id) = client_id {
        if !accepts.client_id || id != settings.client_id {
            return Err(ApiError::unauthorized());
        }
        let origin = header(headers, "origin").map(str::to_string);
        if !settings.allowed_domains.is_empty() {
            let Some(o) = origin.as_deref() else {
                return Err(ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "Origin header is required",
                ));
            };
            if !settings.allowed_domains.contains(&normalize_origin(o)) {
                return Err(ApiError::forbidden("Origin not allowed for this client ID"));
            }
        }
        return Ok(Caller::ClientId { origin });
    }
    match session(headers) {
        Some(token) if accepts.session && token == settings.session_token => Ok(Caller::Session),
        _ => Err(ApiError::unauthorized()),
    }
}
