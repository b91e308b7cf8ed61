//! The Auth API webhook routes (CONTRACT.md §9.1): register (`POST /v1/webhook`, the secret
//! shown once), list, toggle (`PUT /v1/webhook/:id`), delete, and test sends to every active
//! endpoint of the caller (`POST /v1/webhook/test`, with `x-request-network-test: true`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::{authenticate, Accepts, Caller};
use crate::clock::iso_millis;
use crate::errors::ApiError;
use crate::ids;
use crate::server::Shared;
use crate::state::Webhook;
use crate::validation::{parse_json, type_name};
use crate::webhooks::events::{test_payload, BASE_EVENT_TYPES, EVENT_TYPES};

fn summary(w: &Webhook) -> Value {
    json!({ "id": w.id, "url": w.url, "isActive": w.is_active, "createdAt": iso_millis(w.created_at) })
}

fn zod(code: &str, path: &str, message: String) -> ApiError {
    ApiError::Zod {
        issues: vec![json!({ "code": code, "path": [path], "message": message })],
    }
}

/// A string field of the body, with zod's messages when missing or mistyped.
fn body_string(body: &Value, key: &str, required: bool) -> Result<Option<String>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) if !required => Ok(None),
        None => Err(zod("invalid_type", key, "Required".into())),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(zod(
            "invalid_type",
            key,
            format!("Expected string, received {}", type_name(other)),
        )),
    }
}

/// Which client id a call acts for: the header's, or (session) the body's `clientId`.
fn owner(shared: &Shared, caller: &Caller, body: &Value) -> Result<Option<String>, ApiError> {
    match caller {
        Caller::ClientId { .. } => Ok(Some(shared.settings.client_id.clone())),
        _ => match body_string(body, "clientId", false)? {
            Some(id) if id == shared.settings.client_id => Ok(Some(id)),
            Some(_) => Err(ApiError::not_found("Client ID not found")),
            None => Ok(None),
        },
    }
}

/// Webhook URLs: a valid http(s) URL; plain http only for localhost (as in production).
fn check_url(url: &str) -> Result<(), ApiError> {
    let parsed = url::Url::parse(url).map_err(|_| ApiError::Zod {
        issues: vec![json!({ "validation": "url", "code": "invalid_string", "message": "Invalid url", "path": ["url"] })],
    })?;
    let local = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(()),
        "http" if local => Ok(()),
        _ => Err(ApiError::bad_request(
            "Webhook URL must use HTTPS (http is accepted for localhost only)",
        )),
    }
}

/// `POST /v1/webhook`
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::AUTH_API)?;
    let body = parse_json(&body)?;
    let url = body_string(&body, "url", true)?.unwrap_or_default();
    check_url(&url)?;
    let client_id = owner(&shared, &caller, &body)?;
    let now = shared.now();
    let mut store = shared.store();
    if store
        .webhooks
        .iter()
        .any(|w| w.url == url && w.client_id == client_id)
    {
        return Err(ApiError::bad_request("Webhook already exists"));
    }
    let webhook = Webhook {
        id: ids::ulid_at(now),
        url,
        secret: ids::webhook_secret(),
        is_active: true,
        created_at: now,
        client_id,
    };
    let answer = json!({ "id": webhook.id, "secret": webhook.secret });
    store.webhooks.push(webhook);
    shared.save(&store);
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Whether the caller may see and change `w`.
fn visible(shared: &Shared, caller: &Caller, w: &Webhook) -> bool {
    match caller {
        Caller::ClientId { .. } => {
            w.client_id.is_none()
                || w.client_id.as_deref() == Some(shared.settings.client_id.as_str())
        }
        _ => true,
    }
}

/// `GET /v1/webhook`
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::AUTH_API)?;
    let store = shared.store();
    Ok(Json(Value::Array(
        store
            .webhooks
            .iter()
            .filter(|w| visible(&shared, &caller, w))
            .map(summary)
            .collect(),
    )))
}

/// `PUT /v1/webhook/:webhookId`: flips `isActive`, or sets it when the body says `{"isActive": bool}`.
pub(crate) async fn toggle(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::AUTH_API)?;
    let wanted = parse_json(&body)
        .ok()
        .and_then(|b| b.get("isActive").and_then(Value::as_bool));
    let mut store = shared.store();
    let webhook = store
        .webhooks
        .iter_mut()
        .find(|w| w.id == id && visible(&shared, &caller, w))
        .ok_or_else(|| ApiError::not_found("Webhook not found"))?;
    webhook.is_active = wanted.unwrap_or(!webhook.is_active);
    let answer = summary(webhook);
    shared.save(&store);
    Ok(Json(answer))
}

/// `DELETE /v1/webhook/:webhookId`
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::AUTH_API)?;
    let mut store = shared.store();
    let index = store
        .webhooks
        .iter()
        .position(|w| w.id == id && visible(&shared, &caller, w))
        .ok_or_else(|| ApiError::not_found("Webhook not found"))?;
    let removed = store.webhooks.remove(index);
    shared.save(&store);
    Ok(Json(summary(&removed)))
}

/// `POST /v1/webhook/test`: answers `{sent, failed}` once every first attempt is done.
pub(crate) async fn test(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::AUTH_API)?;
    let body = parse_json(&body)?;
    let event = body_string(&body, "eventType", true)?.unwrap_or_default();
    if !EVENT_TYPES.contains(&event.as_str()) {
        let expected = BASE_EVENT_TYPES
            .iter()
            .map(|e| format!("'{e}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        return Err(ApiError::Zod {
            issues: vec![json!({
                "code": "invalid_enum_value",
                "options": BASE_EVENT_TYPES,
                "path": ["eventType"],
                "message": format!("Invalid enum value. Expected {expected}, received '{event}'"),
            })],
        });
    }
    let scope = owner(&shared, &caller, &body)?;
    let targets = shared.webhook_targets(|w| w.client_id == scope);
    if targets.is_empty() {
        return Err(ApiError::not_found("No active webhooks found"));
    }
    let now = shared.now();
    let payload = test_payload(&event, scope.as_deref(), now);
    let receivers = shared
        .dispatcher
        .emit(&targets, &event, payload.to_bytes(), true, now);
    let (mut sent, mut failed) = (0u32, 0u32);
    for rx in receivers {
        match rx.await {
            Ok(true) => sent += 1,
            _ => failed += 1,
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({ "sent": sent, "failed": failed })),
    ))
}
