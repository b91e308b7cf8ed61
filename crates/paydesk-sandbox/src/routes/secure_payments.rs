//! The Request API's read routes (CONTRACT.md §4, §5, §10.2): `GET /:token` with its
//! 200/403/404/409/423 answers, the session-only lookup by request id, and
//! `GET /v2/request/:id`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;

use crate::auth::{authenticate, Accepts};
use crate::errors::{ApiError, FieldError};
use crate::server::Shared;
use crate::state::LinkState;
use crate::views;
/// Query parameters of `GET /:token` that the sandbox checks.
fn check_token_query(query: &HashMap<String, String>) -> Result<(), ApiError> {
    let chain = query.get("chain");
    let token = query.get("token");
    let mut errors = Vec::new();
    if chain.is_some() != token.is_some() {
        errors.push(FieldError::new(
            "chain",
            "chain and token must be provided together",
        ));
    }
    if let Some(c) = chain.filter(|c| {
        !["BASE", "OPTIMISM", "ARBITRUM", "ETHEREUM", "POLYGON", "BNB"].contains(&c.as_str())
    }) {
        errors.push(FieldError::new("chain", format!("Invalid enum value. Expected 'BASE' | 'OPTIMISM' | 'ARBITRUM' | 'ETHEREUM' | 'POLYGON' | 'BNB', received '{c}'")));
    }
    if let Some(t) = token.filter(|t| !["USDC", "USDT", "EURC", "USDT0"].contains(&t.as_str())) {
        errors.push(FieldError::new(
            "token",
            format!(
                "Invalid enum value. Expected 'USDC' | 'USDT' | 'EURC' | 'USDT0', received '{t}'"
            ),
        ));
    }
    if let Some(s) = query
        .get("isSafe")
        .filter(|s| !["true", "false"].contains(&s.as_str()))
    {
        errors.push(FieldError::new(
            "isSafe",
            format!("Invalid enum value. Expected 'true' | 'false', received '{s}'"),
        ));
    }
    if query.get("isSafe").is_some_and(|s| s == "true") && query.contains_key("eoaWallet") {
        errors.push(FieldError::new(
            "isSafe",
            "isSafe and eoaWallet are mutually exclusive",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// `GET /v2/secure-payments/:token`
pub(crate) async fn get_by_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&shared, &headers, Accepts::PAGE)?;
    check_token_query(&query)?;
    let now = shared.now();
    let store = shared.store();
    let link = store
        .links
        .get(&token)
        .ok_or_else(|| ApiError::not_found("Secure payment not found"))?;
    match store.link_state(link, now) {
        LinkState::Pending => Ok(Json(views::payable(
            &store,
            link,
            shared.settings.amount_units,
        ))),
        LinkState::Processing => Err(ApiError::Body {
            status: StatusCode::LOCKED,
            body: views::in_progress(&store, link),
        }),
        LinkState::Completed => Err(ApiError::Body {
            status: StatusCode::CONFLICT,
            body: views::completed(&store, link),
        }),
        LinkState::Expired => Err(ApiError::forbidden("Secure payment token expired")),
        LinkState::Invalidated => Err(ApiError::forbidden(
            "Secure payment has an invalid status: invalidated",
        )),
    }
}

/// `GET /v2/secure-payments?requestId=` (session only)
pub(crate) async fn find_by_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&shared, &headers, Accepts::SESSION)?;
    let Some(request_id) = query.get("requestId").filter(|r| !r.is_empty()) else {
        return Err(ApiError::validation(vec![FieldError::new(
            "requestId",
            "Required",
        )]));
    };
    let now = shared.now();
    let store = shared.store();
    let link = store
        .link_for_request(request_id)
        .ok_or_else(|| ApiError::not_found("No secure payment found for this request ID"))?;
    let state = store.link_state(link, now);
    Ok(Json(views::lookup(
        &store,
        link,
        state,
        &shared.payment_url(&link.token),
        &shared.settings.client_id,
    )))
}

/// `GET /v2/request/:requestId`
pub(crate) async fn get_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(request_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&shared, &headers, Accepts::PAGE)?;
    let store = shared.store();
    let item = store
        .requests
        .get(&request_id)
        .ok_or_else(|| ApiError::not_found("Request not found"))?;
    Ok(Json(views::request(item, store.links.get(&item.token))))
}
