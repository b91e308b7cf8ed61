//! The Request API's create routes (CONTRACT.md §2, §3, §8): incoming links (current and
//! legacy bodies), payouts and batch payouts, with destination resolution, the one-network
//! rule and the Tron batch rule.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::amount::parse_amount;
use crate::auth::{authenticate, Accepts, Caller};
use crate::errors::{ApiError, FieldError};
use crate::ids;
use crate::messages::{
    DESTINATION_MISMATCH, INVALID_DESTINATION, PAYOUTS_NOT_ALLOWED, SAME_NETWORK, TRON_BATCH,
};
use crate::networks::{self, parse_destination, Destination, DestinationError};
use crate::server::Shared;
use crate::state::{Creator, Link, LinkKind, LinkOptions, LinkState, RequestItem};
use crate::validation::{self, parse_json, CreateItem};

type Created = (StatusCode, Json<Value>);

fn creator(caller: &Caller, shared: &Shared) -> Creator {
    match caller {
        Caller::ClientId { origin } => Creator {
            client_id: Some(shared.settings.client_id.clone()),
            origin: origin.clone(),
        },
        _ => Creator::default(),
    }
}

/// A fresh pending link that expires after the configured lifetime.
#[allow(clippy::too_many_arguments)]
fn new_link(
    shared: &Shared,
    token: &str,
    kind: LinkKind,
    request_ids: Vec<String>,
    network: &'static networks::Network,
    options: LinkOptions,
    creator: Creator,
    now: chrono::DateTime<chrono::Utc>,
) -> Link {
    Link {
        token: token.to_string(),
        kind,
        request_ids,
        network,
        options,
        creator,
        created_at: now,
        expires_at: now + shared.settings.link_lifetime,
        processing: None,
        forced_expired: false,
        invalidated: false,
        completed_at: None,
        payer_address: None,
    }
}

/// Resolves each item to a destination and an amount.
fn resolve(
    shared: &Shared,
    caller: &Caller,
    items: &[CreateItem],
) -> Result<Vec<(Destination, Decimal)>, ApiError> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = |k: &str| format!("requests.{i}.{k}");
        let destination = if let Some(legacy) = &item.legacy {
            let Some(currency) = networks::currency(&legacy.payment_currency) else {
                errors.push(FieldError::new(
                    field("paymentCurrency"),
                    format!("Unsupported payment currency: {}", legacy.payment_currency),
                ));
                continue;
            };
            if !networks::is_fiat(&legacy.invoice_currency)
                && networks::currency(&legacy.invoice_currency).is_none()
            {
                errors.push(FieldError::new(
                    field("invoiceCurrency"),
                    format!("Unsupported invoice currency: {}", legacy.invoice_currency),
                ));
            }
            if !networks::is_wallet_for(currency.network, &legacy.payee) {
                errors.push(FieldError::new(field("payee"), "Invalid payee address"));
                continue;
            }
            Destination::synthetic(&legacy.payee, currency)
        } else {
            let Some(bound) = shared.settings.destination.clone() else {
                return Err(match caller {
                    Caller::ClientId { .. } => {
                        ApiError::forbidden("Client ID is not bound to a payee destination")
                    }
                    _ => ApiError::bad_request(
                        "No active payment destination found for this platform",
                    ),
                });
            };
            if let Some(sent) = &item.destination_id {
                if parse_destination(sent) == Err(DestinationError::Format) {
                    return Err(ApiError::bad_request(INVALID_DESTINATION));
                }
                if !sent.eq_ignore_ascii_case(&bound.destination_id) {
                    return Err(ApiError::forbidden(DESTINATION_MISMATCH));
                }
            }
            bound
        };
        match parse_amount(&item.amount, destination.currency.decimals) {
            Ok(amount) => out.push((destination, amount)),
            Err(e) => errors.push(FieldError::new(field("amount"), e.message())),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// One network for all items; no multi-item Tron links.
fn check_networks<'a>(
    mut networks: impl Iterator<Item = &'a networks::Network>,
    count: usize,
    same_network: &str,
) -> Result<&'a networks::Network, ApiError> {
    let first = networks.next().ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "requests",
            "Array must contain at least 1 element(s)",
        )])
    })?;
    if networks.any(|n| n != first) {
        return Err(ApiError::bad_request(same_network));
    }
    if first.is_tron() && count > 1 {
        return Err(ApiError::bad_request(TRON_BATCH));
    }
    Ok(first)
}

fn insert_link(
    shared: &Shared,
    kind: LinkKind,
    network: &'static networks::Network,
    options: LinkOptions,
    creator: Creator,
    items: Vec<(Destination, Decimal, Option<String>)>,
) -> Created {
    let now = shared.now();
    let token = ids::ulid_at(now);
    let items: Vec<RequestItem> = items
        .into_iter()
        .map(|(destination, amount, payee)| RequestItem {
            request_id: ids::request_id(),
            token: token.clone(),
            payment_reference: ids::payment_reference(),
            amount,
            currency: destination.currency.clone(),
            payee: payee.unwrap_or_else(|| destination.wallet.clone()),
            destination: (kind == LinkKind::Incoming).then_some(destination),
            payments: Vec::new(),
            last_failure: None,
        })
        .collect();
    let request_ids: Vec<String> = items.iter().map(|r| r.request_id.clone()).collect();
    let link = new_link(
        shared,
        &token,
        kind,
        request_ids.clone(),
        network,
        options,
        creator,
        now,
    );
    {
        let mut store = shared.store();
        store.insert_link(link, items);
        shared.save(&store);
    }
    (
        StatusCode::CREATED,
        Json(
            json!({ "requestIds": request_ids, "securePaymentUrl": shared.payment_url(&token), "token": token, "feePlan": null }),
        ),
    )
}

/// `POST /v2/secure-payments`
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Created, ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::ANY)?;
    let body = validation::create_body(&parse_json(&body)?)?;
    let resolved = resolve(&shared, &caller, &body.items)?;
    let network = check_networks(
        resolved.iter().map(|(d, _)| d.network),
        resolved.len(),
        SAME_NETWORK,
    )?;
    let items = resolved.into_iter().map(|(d, a)| (d, a, None)).collect();
    Ok(insert_link(
        &shared,
        LinkKind::Incoming,
        network,
        body.options,
        creator(&caller, &shared),
        items,
    ))
}

/// `POST /v2/secure-payments/payouts`
pub(crate) async fn create_payout(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Created, ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::ANY)?;
    let body = validation::payout_body(&parse_json(&body)?)?;
    let Some(network) = networks::network(&body.network) else {
        return Err(ApiError::rule(
            "network",
            &format!("Unsupported network: {}", body.network),
        ));
    };
    let currency = match networks::currency(&body.currency) {
        Some(c) if c.network == network => c,
        _ => {
            return Err(ApiError::rule(
                "currency",
                &format!(
                    "Currency {} is not supported on network {}",
                    body.currency, network.id
                ),
            ))
        }
    };
    if !networks::is_wallet_for(network, &body.recipient) {
        return Err(ApiError::validation(vec![FieldError::new(
            "recipient",
            format!("Invalid recipient address for network {}", network.id),
        )]));
    }
    let amount = parse_amount(&body.amount, currency.decimals)
        .map_err(|e| ApiError::validation(vec![FieldError::new("amount", e.message())]))?;
    if !shared.settings.payouts_allowed {
        return Err(ApiError::forbidden(PAYOUTS_NOT_ALLOWED));
    }
    let destination = Destination::synthetic(&body.recipient, currency);
    Ok(insert_link(
        &shared,
        LinkKind::Payout,
        network,
        body.options,
        creator(&caller, &shared),
        vec![(destination, amount, Some(body.recipient))],
    ))
}

/// `POST /v2/secure-payments/batch-payouts`
pub(crate) async fn create_batch_payout(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Created, ApiError> {
    let caller = authenticate(&shared, &headers, Accepts::ANY)?;
    let body = validation::batch_payout_body(&parse_json(&body)?)?;
    if !shared.settings.payouts_allowed {
        return Err(ApiError::forbidden(PAYOUTS_NOT_ALLOWED));
    }
    let unique: HashSet<&String> = body.tokens.iter().collect();
    if unique.len() != body.tokens.len() {
        return Err(ApiError::bad_request("Duplicate tokens are not allowed"));
    }
    let now = shared.now();
    let mut store = shared.store();
    let mut children = Vec::new();
    for token in &body.tokens {
        let Some(link) = store.links.get(token) else {
            return Err(ApiError::bad_request(format!(
                "Secure payment {token} not found"
            )));
        };
        if link.kind != LinkKind::Payout
            || store.link_state(link, now) != LinkState::Pending
            || store.items(link).any(|r| !r.payments.is_empty())
        {
            return Err(ApiError::bad_request(format!(
                "Secure payment {token} is not a pending single payout"
            )));
        }
        children.push(link);
    }
    let network = check_networks(
        children.iter().map(|l| l.network),
        children.len(),
        "All payouts must be on the same network",
    )?;
    let request_ids: Vec<String> = children
        .iter()
        .flat_map(|l| l.request_ids.clone())
        .collect();
    let token = ids::ulid_at(now);
    let creator = creator(&caller, &shared);
    let link = new_link(
        &shared,
        &token,
        LinkKind::BatchPayout,
        request_ids.clone(),
        network,
        body.options,
        creator,
        now,
    );
    for child in &body.tokens {
        if let Some(l) = store.links.get_mut(child) {
            l.invalidated = true;
        }
    }
    for id in &request_ids {
        if let Some(r) = store.requests.get_mut(id) {
            r.token = token.clone();
        }
    }
    store.insert_link(link, Vec::new());
    shared.save(&store);
    drop(store);
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "requestIds": request_ids, "securePaymentUrl": shared.payment_url(&token), "token": token, "feePlan": null }),
        ),
    ))
}
