//! The control API under `/__sandbox/` (JSON, or form posts from the payer page, which are
//! answered with a redirect back to the page): payment actions per token and per request id,
//! the clock, fault knobs, the rate limit, the delivery log and reset. Not rate limited.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::clock::iso_millis;
use crate::control::{parse_part_amount, ControlError, PaymentSnapshot, SandboxControl};
use crate::errors::ApiError;
use crate::faults::Faults;
use crate::server::Shared;
use crate::validation::parse_json;

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The body as a JSON object; form fields become strings.
fn body_object(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    if is_form(headers) {
        let map: Map<String, Value> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        Ok(Value::Object(map))
    } else {
        parse_json(body)
    }
}

fn control_error(e: &ControlError) -> ApiError {
    let status = match e {
        ControlError::UnknownToken(_) | ControlError::UnknownRequest(_) => StatusCode::NOT_FOUND,
        ControlError::NotAllowed { .. } => StatusCode::CONFLICT,
        ControlError::InvalidAmount(_) => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, e.to_string())
}

fn page_url(token: &str, error: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("token", token);
    if let Some(e) = error {
        q.append_pair("error", e);
    }
    format!("/?{}", q.finish())
}

/// Which payment action a route performs.
#[derive(Debug, Clone, Copy)]
enum Act {
    Pay,
    PayPart,
    Fail,
    Processing,
    Expire,
}

fn run(
    control: &SandboxControl,
    act: Act,
    token: Option<&str>,
    request_id: Option<&str>,
    body: &Value,
) -> Result<PaymentSnapshot, ControlError> {
    let amount = || {
        let raw = match body.get("amount") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        parse_part_amount(&raw)
    };
    match (act, token, request_id) {
        (Act::Pay, Some(t), _) => control.pay(t),
        (Act::PayPart, Some(t), _) => control.pay_part(t, amount()?),
        (Act::Fail, Some(t), _) => control.fail(t),
        (Act::Processing, Some(t), _) => control.processing(t),
        (Act::Expire, Some(t), _) => control.expire(t),
        (Act::Pay, None, Some(r)) => control.pay_request(r),
        (Act::PayPart, None, Some(r)) => control.pay_request_part(r, amount()?),
        (Act::Fail, None, Some(r)) => control.fail_request(r),
        (_, _, r) => Err(ControlError::UnknownRequest(
            r.unwrap_or_default().to_string(),
        )),
    }
}

fn respond(
    shared: Arc<Shared>,
    headers: &HeaderMap,
    body: &[u8],
    act: Act,
    token: Option<&str>,
    request_id: Option<&str>,
) -> Response {
    let control = SandboxControl::new(shared);
    let form = is_form(headers);
    let body = match body_object(headers, body) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let result = run(&control, act, token, request_id, &body);
    match (form, result) {
        (false, Ok(snapshot)) => Json(snapshot).into_response(),
        (false, Err(e)) => control_error(&e).into_response(),
        (true, Ok(snapshot)) => Redirect::to(&page_url(&snapshot.token, None)).into_response(),
        (true, Err(e)) => {
            Redirect::to(&page_url(token.unwrap_or_default(), Some(&e.to_string()))).into_response()
        }
    }
}

macro_rules! token_action {
    ($name:ident, $act:expr) => {
        pub(crate) async fn $name(
            State(shared): State<Arc<Shared>>,
            Path(token): Path<String>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            respond(shared, &headers, &body, $act, Some(&token), None)
        }
    };
}

macro_rules! request_action {
    ($name:ident, $act:expr) => {
        pub(crate) async fn $name(
            State(shared): State<Arc<Shared>>,
            Path(request_id): Path<String>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            respond(shared, &headers, &body, $act, None, Some(&request_id))
        }
    };
}

token_action!(pay, Act::Pay);
token_action!(pay_part, Act::PayPart);
token_action!(fail, Act::Fail);
token_action!(processing, Act::Processing);
token_action!(expire, Act::Expire);
request_action!(pay_request, Act::Pay);
request_action!(pay_request_part, Act::PayPart);
request_action!(fail_request, Act::Fail);

/// `GET /__sandbox/payments`: every link, oldest first.
pub(crate) async fn payments(State(shared): State<Arc<Shared>>) -> Json<Vec<PaymentSnapshot>> {
    Json(SandboxControl::new(shared).payments())
}

/// `GET /__sandbox/payments/:token`
pub(crate) async fn payment(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Response {
    match SandboxControl::new(shared).payment(&token) {
        Some(snapshot) => Json(snapshot).into_response(),
        None => control_error(&ControlError::UnknownToken(token)).into_response(),
    }
}

/// `GET /__sandbox/info`: where things are and which credentials work.
pub(crate) async fn info(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let s = &shared.settings;
    Json(json!({
        "baseUrl": s.base_url.as_str(),
        "apiKey": s.api_key,
        "clientId": s.client_id,
        "sessionToken": s.session_token,
        "destinationId": s.destination.as_ref().map(|d| d.destination_id.as_str()),
        "rateLimitPerSec": shared.limiter.limit(),
        "now": iso_millis(shared.now()),
    }))
}

/// `GET /__sandbox/clock`
pub(crate) async fn clock(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "now": iso_millis(shared.now()) }))
}

/// `POST /__sandbox/clock/advance` with `{"seconds": n}`
pub(crate) async fn advance_clock(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match body_object(&headers, &body) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let seconds = match body.get("seconds") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let Some(seconds) = seconds else {
        return ApiError::bad_request("seconds must be a non-negative integer").into_response();
    };
    SandboxControl::new(shared.clone()).advance_clock(Duration::from_secs(seconds));
    Json(json!({ "now": iso_millis(shared.now()) })).into_response()
}

/// `GET /__sandbox/faults`
pub(crate) async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<Faults> {
    Json(shared.faults())
}

/// `PUT /__sandbox/faults` with any subset of the knobs (the rest fall back to none).
pub(crate) async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            shared.set_faults(faults);
            Json(shared.faults()).into_response()
        }
        Err(e) => ApiError::bad_request(format!("invalid faults: {e}")).into_response(),
    }
}

/// `GET /__sandbox/rate-limit`
pub(crate) async fn get_rate_limit(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "perSecond": shared.limiter.limit() }))
}

/// `PUT /__sandbox/rate-limit` with `{"perSecond": n}` (0 lifts the limit)
pub(crate) async fn set_rate_limit(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let per_second = parse_json(&body)
        .ok()
        .and_then(|b| b.get("perSecond").and_then(Value::as_u64))
        .and_then(|n| u32::try_from(n).ok());
    match per_second {
        Some(n) => {
            shared.limiter.set_limit(n);
            Json(json!({ "perSecond": n })).into_response()
        }
        None => ApiError::bad_request("perSecond must be a non-negative integer").into_response(),
    }
}

/// `GET /__sandbox/deliveries`
pub(crate) async fn deliveries(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.dispatcher.log.snapshot()).into_response()
}

/// `POST /__sandbox/reset`
pub(crate) async fn reset(State(shared): State<Arc<Shared>>) -> StatusCode {
    SandboxControl::new(shared).reset();
    StatusCode::NO_CONTENT
}
