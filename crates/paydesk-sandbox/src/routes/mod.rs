//! The one router: Request API (`/v2/...`) and Auth API (`/v1/...`) behind the fault and
//! rate-limit layers, the control API (`/__sandbox/...`), the payer page (`/`), and NestJS's
//! `Cannot GET /path` 404 for everything else.

pub(crate) mod control;
pub(crate) mod create;
pub(crate) mod secure_payments;
pub(crate) mod webhooks;

use std::sync::Arc;

use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};
use axum::Router;

use crate::errors::ApiError;
use crate::server::Shared;
use crate::{faults, payer_page, rate_limit};

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("Cannot {method} {}", uri.path()))
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route(
            "/v2/secure-payments",
            post(create::create).get(secure_payments::find_by_request),
        )
        .route("/v2/secure-payments/payouts", post(create::create_payout))
        .route(
            "/v2/secure-payments/batch-payouts",
            post(create::create_batch_payout),
        )
        .route(
            "/v2/secure-payments/{token}",
            get(secure_payments::get_by_token),
        )
        .route(
            "/v2/request/{request_id}",
            get(secure_payments::get_request),
        )
        .route("/v1/webhook", post(webhooks::create).get(webhooks::list))
        .route("/v1/webhook/test", post(webhooks::test))
        .route(
            "/v1/webhook/{webhook_id}",
            put(webhooks::toggle).delete(webhooks::delete),
        )
        .layer(from_fn_with_state(shared.clone(), rate_limit::middleware))
        .layer(from_fn_with_state(shared.clone(), faults::middleware));
    let control = Router::new()
        .route("/__sandbox/info", get(control::info))
        .route("/__sandbox/payments", get(control::payments))
        .route("/__sandbox/payments/{token}", get(control::payment))
        .route("/__sandbox/payments/{token}/pay", post(control::pay))
        .route(
            "/__sandbox/payments/{token}/pay-part",
            post(control::pay_part),
        )
        .route("/__sandbox/payments/{token}/fail", post(control::fail))
        .route(
            "/__sandbox/payments/{token}/processing",
            post(control::processing),
        )
        .route("/__sandbox/payments/{token}/expire", post(control::expire))
        .route(
            "/__sandbox/requests/{request_id}/pay",
            post(control::pay_request),
        )
        .route(
            "/__sandbox/requests/{request_id}/pay-part",
            post(control::pay_request_part),
        )
        .route(
            "/__sandbox/requests/{request_id}/fail",
            post(control::fail_request),
        )
        .route("/__sandbox/clock", get(control::clock))
        .route("/__sandbox/clock/advance", post(control::advance_clock))
        .route(
            "/__sandbox/faults",
            get(control::get_faults).put(control::set_faults),
        )
        .route(
            "/__sandbox/rate-limit",
            get(control::get_rate_limit).put(control::set_rate_limit),
        )
        .route("/__sandbox/deliveries", get(control::deliveries))
        .route("/__sandbox/reset", post(control::reset));
    Router::new()
        .merge(api)
        .merge(control)
        .route("/", get(payer_page::page))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(shared)
}
