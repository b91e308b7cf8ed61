//! Fault knobs for tests: added latency, a share of 5xx answers (before or after the handler
//! ran), and webhook drops, duplicates and out-of-order delivery. The HTTP half lives here as
//! a middleware; the webhook half is read by `webhooks::delivery`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::errors::ApiError;
use crate::server::Shared;

/// Injected misbehaviour. Shares are probabilities in `0.0..=1.0`; all zero by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Milliseconds added before every Request API / Auth API answer.
    pub latency_ms: u64,
    /// Share of API calls answered 500/502/503 before the handler runs (nothing happens).
    pub server_error_share: f64,
    /// Share of API calls whose handler runs (the effect happens) but whose answer is replaced
    /// by a 502: the "created, but the response was lost" case.
    pub lost_response_share: f64,
    /// Share of webhook deliveries silently never sent.
    pub webhook_drop_share: f64,
    /// Share of successful webhook deliveries sent a second time, same delivery id.
    pub webhook_duplicate_share: f64,
    /// Hold webhook deliveries for a short window and send them newest first.
    pub webhook_out_of_order: bool,
}

impl Faults {
    /// Clamps every share into `0.0..=1.0` (NaN becomes 0).
    pub(crate) fn clamped(mut self) -> Self {
        for share in [
            &mut self.server_error_share,
            &mut self.lost_response_share,
            &mut self.webhook_drop_share,
            &mut self.webhook_duplicate_share,
        ] {
            *share = if share.is_nan() {
                0.0
            } else {
                share.clamp(0.0, 1.0)
            };
        }
        self
    }
}

/// Draws `true` with probability `share`.
pub(crate) fn roll(share: f64) -> bool {
    share > 0.0 && (share >= 1.0 || rand::rng().random_bool(share))
}

fn server_error() -> Response {
    let status = match rand::rng().random_range(0..3) {
        0 => StatusCode::INTERNAL_SERVER_ERROR,
        1 => StatusCode::BAD_GATEWAY,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        "Internal server error".to_string()
    } else {
        crate::errors::reason(status).to_string()
    };
    ApiError::new(status, message).into_response()
}

/// Applies latency and 5xx faults to the Request API and Auth API routes.
pub(crate) async fn middleware(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let faults = shared.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if roll(faults.server_error_share) {
        return server_error();
    }
    let response = next.run(request).await;
    if roll(faults.lost_response_share) {
        return ApiError::new(StatusCode::BAD_GATEWAY, "Bad Gateway").into_response();
    }
    response
}
