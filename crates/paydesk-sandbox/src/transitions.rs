//! The payment state machine: what paying in full, paying part, failing, holding as
//! processing and expiring do to a link and its requests, which states allow each, and the
//! payment events each produces for the webhooks.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::control::ControlError;
use crate::ids;
use crate::state::{LinkState, PaymentRecord, Processing, RequestItem, Store};
use crate::webhooks::events::{PaymentEvent, PaymentEventKind};

/// The payer wallet shown for Tron payments (EVM payers get a random address).
const SANDBOX_TRON_PAYER: &str = "TKb9mFPjUgCbrQpenCm4Z3T7ELNrLWurfm";

/// One thing a payer, the chain or a test can do to a link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Action {
    PayFull,
    PayPart(Decimal),
    Fail,
    Processing,
    Expire,
}

impl Action {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Action::PayFull => "pay",
            Action::PayPart(_) => "pay part",
            Action::Fail => "fail",
            Action::Processing => "hold as processing",
            Action::Expire => "expire",
        }
    }
}

/// Applies `action` to the link `token` (to its request `only`, if given) at `now`.
pub(crate) fn apply(
    store: &mut Store,
    token: &str,
    only: Option<&str>,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Vec<PaymentEvent>, ControlError> {
    let link = store
        .links
        .get(token)
        .ok_or_else(|| ControlError::UnknownToken(token.to_string()))?;
    let state = store.link_state(link, now);
    let allowed = match action {
        Action::Expire => matches!(
            state,
            LinkState::Pending | LinkState::Processing | LinkState::Expired
        ),
        Action::Processing => state == LinkState::Pending,
        _ => matches!(state, LinkState::Pending | LinkState::Processing),
    };
    if !allowed {
        return Err(ControlError::NotAllowed {
            token: token.to_string(),
            state,
            action: action.name(),
        });
    }
    if let Action::PayPart(amount) = action {
        if amount <= Decimal::ZERO {
            return Err(ControlError::InvalidAmount(amount.to_string()));
        }
    }
    let creator = link.creator.clone();
    let network = link.network;
    let request_ids = link.request_ids.clone();
    let targets: Vec<String> = link
        .request_ids
        .iter()
        .filter(|id| only.is_none_or(|o| o == id.as_str()))
        .filter(|id| store.requests.get(*id).is_some_and(|r| !r.has_been_paid()))
        .cloned()
        .collect();
    let link = store
        .links
        .get_mut(token)
        .ok_or_else(|| ControlError::UnknownToken(token.to_string()))?;
    let mut events = Vec::new();
    match action {
        Action::Expire => {
            link.forced_expired = true;
            link.processing = None;
        }
        Action::Processing => {
            link.processing = Some(Processing {
                safe_tx_hash: ids::tx_hash(),
                deadline_unix: (now + chrono::Duration::hours(1)).timestamp(),
            });
        }
        Action::Fail => {
            link.processing = None;
            for id in &targets {
                if let Some(item) = store.requests.get_mut(id) {
                    item.last_failure = Some("failed".into());
                    events.push(PaymentEvent::from_item(
                        PaymentEventKind::Failed,
                        item,
                        Decimal::ZERO,
                        None,
                        &creator,
                        now,
                    ));
                }
            }
        }
        Action::PayFull | Action::PayPart(_) => {
            let payer = link
                .payer_address
                .get_or_insert_with(|| {
                    if network.is_tron() {
                        SANDBOX_TRON_PAYER.into()
                    } else {
                        ids::evm_address()
                    }
                })
                .clone();
            let chosen: Vec<&String> = match action {
                Action::PayPart(_) => targets.iter().take(1).collect(),
                _ => targets.iter().collect(),
            };
            for id in chosen {
                let Some(item) = store.requests.get_mut(id) else {
                    continue;
                };
                let amount = match action {
                    Action::PayPart(a) => a,
                    _ => item.remaining(),
                };
                item.payments.push(PaymentRecord {
                    amount,
                    tx_hash: ids::tx_hash(),
                    at: now,
                });
                item.last_failure = None;
                let kind = if item.has_been_paid() {
                    PaymentEventKind::Confirmed
                } else {
                    PaymentEventKind::Partial
                };
                events.push(PaymentEvent::from_item(
                    kind,
                    item,
                    amount,
                    Some(&payer),
                    &creator,
                    now,
                ));
            }
            let all_paid = request_ids.iter().all(|id| {
                store
                    .requests
                    .get(id)
                    .is_some_and(RequestItem::has_been_paid)
            });
            if all_paid {
                link.completed_at = Some(now);
                link.processing = None;
            }
        }
    }
    Ok(events)
}
