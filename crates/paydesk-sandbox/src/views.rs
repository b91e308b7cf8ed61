//! The JSON bodies that describe a link: `GET /v2/secure-payments/:token` (200 single and
//! batch, 409 completed, 423 in progress), `GET /v2/secure-payments?requestId=` and
//! `GET /v2/request/:requestId`, shaped after the OpenAPI schemas and examples.

use serde_json::{json, Value};

use crate::amount::{base_units, human};
use crate::clock::iso_millis;
use crate::config::AmountUnits;
use crate::networks::Destination;
use crate::state::{Link, LinkKind, LinkState, RequestItem, Store};

fn destination_json(d: &Destination) -> Value {
    json!({
        "destinationId": d.destination_id,
        "payeeAddress": d.payee_address(),
        "tokenAddress": d.currency.address,
        "walletAddress": d.wallet,
        "network": d.network.id,
    })
}

/// The 200 body of `GET /v2/secure-payments/:token` for a payable link.
pub(crate) fn payable(store: &Store, link: &Link, units: AmountUnits) -> Value {
    let items: Vec<&RequestItem> = store.items(link).collect();
    let mut body = json!({
        "status": "pending",
        "requestIds": link.request_ids,
        "network": link.network.id,
        "reference": link.options.reference,
        "redirectUrl": link.options.redirect_url,
        "redirectLabel": link.options.redirect_label,
        "orchestratorId": null,
        "branding": null,
        "feePlan": null,
    });
    let extra = match items.as_slice() {
        [item] => {
            let amount = match units {
                AmountUnits::AsDocumented => base_units(item.amount, item.currency.decimals),
                AmountUnits::Human => item.amount.normalize().to_string(),
            };
            json!({
                "paymentType": "single",
                "payee": item.payee,
                "amount": amount,
                "paymentCurrency": item.currency.id,
                "isNativeCurrency": item.currency.native,
                "destination": item.destination.as_ref().map(destination_json),
            })
        }
        _ => json!({
            "paymentType": "batch",
            "payees": items.iter().map(|i| i.payee.as_str()).collect::<Vec<_>>(),
            "amounts": items.iter().map(|i| i.amount.normalize().to_string()).collect::<Vec<_>>(),
            "paymentCurrencies": items.iter().map(|i| i.currency.id.as_str()).collect::<Vec<_>>(),
            "isNativeCurrency": items.iter().map(|i| i.currency.native).collect::<Vec<_>>(),
            "destinations": items.iter().map(|i| i.destination.as_ref().map(destination_json)).collect::<Vec<_>>(),
        }),
    };
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

/// The 409 body: the link is completed, with a transaction hash per request.
pub(crate) fn completed(store: &Store, link: &Link) -> Value {
    json!({
        "message": crate::messages::COMPLETED,
        "status": "completed",
        "branding": null,
        "requestStatuses": store.items(link).map(|r| json!({
            "requestId": r.request_id,
            "hasBeenPaid": r.has_been_paid(),
            "txHash": r.tx_hash(),
        })).collect::<Vec<_>>(),
    })
}

/// The 423 body: a multisig payment is in flight.
pub(crate) fn in_progress(store: &Store, link: &Link) -> Value {
    let (safe_tx_hash, deadline) = link.processing.as_ref().map_or((None, None), |p| {
        (Some(p.safe_tx_hash.clone()), Some(p.deadline_unix))
    });
    json!({
        "message": crate::messages::IN_PROGRESS,
        "status": "pending",
        "branding": null,
        "requestStatuses": store.items(link).map(|r| json!({
            "requestId": r.request_id,
            "hasBeenPaid": r.has_been_paid(),
            "safeTxHash": safe_tx_hash,
            "chainId": link.network.chain_id,
            "safePaymentDeadline": deadline,
        })).collect::<Vec<_>>(),
    })
}

/// The 200 body of `GET /v2/secure-payments?requestId=`.
pub(crate) fn lookup(
    store: &Store,
    link: &Link,
    state: LinkState,
    url: &str,
    client_id: &str,
) -> Value {
    let first = store.items(link).next();
    let block_reason = match state {
        LinkState::Pending => None,
        LinkState::Processing => Some("request_processing"),
        LinkState::Completed => Some("already_paid"),
        LinkState::Expired => Some("secure_payment_expired"),
        LinkState::Invalidated => Some("secure_payment_not_pending"),
    };
    let block_reason = match (link.kind, block_reason) {
        (LinkKind::Payout, r) => r,
        (LinkKind::Incoming, None) => Some("not_outgoing"),
        (LinkKind::BatchPayout, None) => Some("not_single_payment"),
        (_, r) => r,
    };
    json!({
        "token": link.token,
        "securePaymentUrl": url,
        "status": state.api_status(),
        "paymentType": if link.request_ids.len() == 1 { "single" } else { "batch" },
        "createdAt": iso_millis(link.created_at),
        "expiresAt": iso_millis(link.expires_at),
        "redirectUrl": link.options.redirect_url,
        "redirectLabel": link.options.redirect_label,
        "completedAt": link.completed_at.map(iso_millis),
        "payerAddress": if state == LinkState::Completed { link.payer_address.clone() } else { None },
        "payerKytResults": [],
        "payeeKytResults": [],
        "destination": first.and_then(|r| r.destination.as_ref()).map(destination_json),
        "claimedDestination": null,
        "orchestratorId": null,
        "feePlan": null,
        "network": link.network.id,
        "currency": first.map(|r| r.currency.id.clone()),
        "executionKind": if link.network.is_tron() { "tron_batch" } else { "evm_same_chain" },
        "identityMode": if link.creator.client_id.is_some() { "client_id" } else { "manual_dashboard" },
        "clientId": link.creator.client_id.as_ref().map(|_| client_id),
        "branding": { "whitelabelEnabled": false, "source": if link.creator.client_id.is_some() { "client_id" } else { "request_network" } },
        "childExecutable": block_reason.is_none(),
        "blockReason": block_reason,
    })
}

/// The 200 body of `GET /v2/request/:requestId`.
pub(crate) fn request(item: &RequestItem, link: Option<&Link>) -> Value {
    let paid = item.has_been_paid();
    let status = if paid {
        "paid"
    } else if !item.payments.is_empty() {
        "partially_paid"
    } else {
        "pending"
    };
    let mut body = json!({
        "hasBeenPaid": paid,
        "requestId": item.request_id,
        "paymentReference": item.payment_reference,
        "isListening": !paid,
        "txHash": item.tx_hash(),
        "status": status,
        "payments": item.payments.iter().map(|p| json!({
            "amount": human(p.amount),
            "txHash": p.tx_hash,
            "timestamp": iso_millis(p.at),
            "currency": item.currency.id,
        })).collect::<Vec<_>>(),
        "customerInfo": null,
        "reference": link.and_then(|l| l.options.reference.clone()),
    });
    if !paid && !item.payments.is_empty() {
        if let Some(b) = body.as_object_mut() {
            b.insert(
                "conversionBreakdown".into(),
                json!({
                    "paidAmount": human(item.paid()),
                    "remainingAmount": human(item.remaining()),
                    "payments": [],
                }),
            );
        }
    }
    body
}
