//! Webhook payloads (CONTRACT 9.5, 9.6): a verified body parsed into a typed event.
//!
//! This module owns the mapping from the API's event names and fields to [`WebhookEvent`]. It
//! reads only what Paydesk acts on; amounts stay decimal strings (never floats), and unknown
//! event names become [`WebhookEvent::Unknown`] so new API events are acknowledged, not retried.
//! Call it only on a body whose signature [`super::verify()`] accepted.

use serde_json::{Map, Value};

/// Why a verified body could not be read as an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not a JSON object (or not UTF-8 JSON at all).
    #[error("the body is not a JSON object: {0}")]
    Json(String),
    /// A field the event needs is absent or of the wrong type.
    #[error("the event has no valid `{0}`")]
    MissingField(&'static str),
}

/// A payment landing (`payment.confirmed`, `payment.partial` and their `.client_id` /
/// `.checkout` variants, which are the same settlement signal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The exact event name received (e.g. `payment.confirmed.checkout`).
    pub name: String,
    pub request_id: String,
    pub tx_hash: Option<String>,
    /// This transaction's amount.
    pub amount: Option<String>,
    /// Cumulative amount paid on the request.
    pub total_amount_paid: Option<String>,
    /// The request's total.
    pub expected_amount: Option<String>,
    /// The wallet that paid (`payerAddress`), when the API tells it.
    pub payer_address: Option<String>,
}

/// One webhook delivery's meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    /// The request is fully paid.
    PaymentConfirmed(Settlement),
    /// A payment landed; the total is still below the expected amount.
    PaymentPartial(Settlement),
    /// Execution failed (recurring, crosschain, offramp).
    PaymentFailed {
        request_id: String,
        sub_status: Option<String>,
    },
    /// Refunded to the payer.
    PaymentRefunded {
        request_id: String,
        refund_amount: Option<String>,
    },
    /// Crypto-to-fiat progress.
    PaymentProcessing {
        request_id: String,
        sub_status: Option<String>,
    },
    /// Payer funnel telemetry (best effort; never a settlement signal).
    UserEvent {
        user_event: String,
        request_ids: Vec<String>,
        secure_payment_token: Option<String>,
    },
    /// A wallet not allowed to pay tried to.
    AccessRejected {
        request_id: Option<String>,
        wallet: Option<String>,
    },
    /// An event Paydesk does not act on.
    Unknown { name: String },
}

impl WebhookEvent {
    /// The event name as the API sends it (`payment.partial.checkout`, ...).
    pub fn name(&self) -> &str {
        match self {
            WebhookEvent::PaymentConfirmed(s) | WebhookEvent::PaymentPartial(s) => &s.name,
            WebhookEvent::PaymentFailed { .. } => "payment.failed",
            WebhookEvent::PaymentRefunded { .. } => "payment.refunded",
            WebhookEvent::PaymentProcessing { .. } => "payment.processing",
            WebhookEvent::UserEvent { .. } => "secure_payment.user_event",
            WebhookEvent::AccessRejected { .. } => "secure_payment.access_rejected",
            WebhookEvent::Unknown { name } => name,
        }
    }

    /// The request the event is about, when it names exactly one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            WebhookEvent::PaymentConfirmed(s) | WebhookEvent::PaymentPartial(s) => {
                Some(&s.request_id)
            }
            WebhookEvent::PaymentFailed { request_id, .. }
            | WebhookEvent::PaymentRefunded { request_id, .. }
            | WebhookEvent::PaymentProcessing { request_id, .. } => Some(request_id),
            WebhookEvent::UserEvent { request_ids, .. } => request_ids.first().map(String::as_str),
            WebhookEvent::AccessRejected { request_id, .. } => request_id.as_deref(),
            WebhookEvent::Unknown { .. } => None,
        }
    }

    /// Whether the event is about money moving on a request (the link must be polled).
    pub fn is_payment(&self) -> bool {
        matches!(
            self,
            WebhookEvent::PaymentConfirmed(_)
                | WebhookEvent::PaymentPartial(_)
                | WebhookEvent::PaymentFailed { .. }
                | WebhookEvent::PaymentRefunded { .. }
                | WebhookEvent::PaymentProcessing { .. }
        )
    }
}

/// A string field, or `None` when absent, null, empty or not a string.
fn text(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `requestId`, or its duplicate alias `requestID`.
fn request_id(o: &Map<String, Value>) -> Option<String> {
    text(o, "requestId").or_else(|| text(o, "requestID"))
}

fn required_request_id(o: &Map<String, Value>) -> Result<String, EventError> {
    request_id(o).ok_or(EventError::MissingField("requestId"))
}

fn settlement(name: &str, o: &Map<String, Value>) -> Result<Settlement, EventError> {
    Ok(Settlement {
        name: name.to_string(),
        request_id: required_request_id(o)?,
        tx_hash: text(o, "txHash"),
        amount: text(o, "amount"),
        total_amount_paid: text(o, "totalAmountPaid"),
        expected_amount: text(o, "expectedAmount"),
        payer_address: text(o, "payerAddress")
            .filter(|a| a.len() <= 128 && a.chars().all(|c| c.is_ascii_alphanumeric())),
    })
}

/// Parse a verified body. Malformed JSON, a non-object or a missing `event` is an error; an
/// unknown event name is not.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, EventError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| EventError::Json(e.to_string()))?;
    let Value::Object(o) = value else {
        return Err(EventError::Json("not an object".into()));
    };
    let name = text(&o, "event").ok_or(EventError::MissingField("event"))?;
    Ok(match name.as_str() {
        "payment.confirmed" | "payment.confirmed.client_id" | "payment.confirmed.checkout" => {
            WebhookEvent::PaymentConfirmed(settlement(&name, &o)?)
        }
        "payment.partial" | "payment.partial.client_id" | "payment.partial.checkout" => {
            WebhookEvent::PaymentPartial(settlement(&name, &o)?)
        }
        "payment.failed" => WebhookEvent::PaymentFailed {
            request_id: required_request_id(&o)?,
            sub_status: text(&o, "subStatus"),
        },
        "payment.refunded" => WebhookEvent::PaymentRefunded {
            request_id: required_request_id(&o)?,
            refund_amount: text(&o, "refundAmount"),
        },
        "payment.processing" => WebhookEvent::PaymentProcessing {
            request_id: required_request_id(&o)?,
            sub_status: text(&o, "subStatus"),
        },
        "secure_payment.user_event" => {
            let mut request_ids: Vec<String> = o
                .get("requestIds")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(id) = request_id(&o) {
                if !request_ids.contains(&id) {
                    request_ids.insert(0, id);
                }
            }
            WebhookEvent::UserEvent {
                user_event: text(&o, "userEvent").ok_or(EventError::MissingField("userEvent"))?,
                request_ids,
                secure_payment_token: text(&o, "securePaymentToken"),
            }
        }
        "secure_payment.access_rejected" => WebhookEvent::AccessRejected {
            request_id: request_id(&o),
            wallet: text(&o, "attemptedPayerWalletAddress"),
        },
        _ => WebhookEvent::Unknown { name },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmed_variants_are_one_settlement_signal() {
        for name in [
            "payment.confirmed",
            "payment.confirmed.client_id",
            "payment.confirmed.checkout",
        ] {
            let body = format!(
                r#"{{"event":"{name}","requestID":"01r","txHash":"0xab","amount":"100.0",
                    "totalAmountPaid":"100.0","expectedAmount":"100.0",
                    "payerAddress":"0x92Fc3406Fc6BB7A76aC63b2E8b9d02b1B9C3e4d5"}}"#
            );
            let WebhookEvent::PaymentConfirmed(s) = parse(body.as_bytes()).unwrap() else {
                panic!("{name} is not a confirmation");
            };
            assert_eq!(s.request_id, "01r");
            assert_eq!(s.tx_hash.as_deref(), Some("0xab"));
            assert_eq!(s.total_amount_paid.as_deref(), Some("100.0"));
            assert_eq!(
                s.payer_address.as_deref(),
                Some("0x92Fc3406Fc6BB7A76aC63b2E8b9d02b1B9C3e4d5")
            );
        }
    }

    #[test]
    fn partial_keeps_amounts_as_strings() {
        let e = parse(
            br#"{"event":"payment.partial.checkout","requestId":"01r","amount":"0.1",
                "totalAmountPaid":"40.10","expectedAmount":"100.0"}"#,
        )
        .unwrap();
        let WebhookEvent::PaymentPartial(s) = e else {
            panic!("not partial")
        };
        assert_eq!(s.amount.as_deref(), Some("0.1"));
        assert_eq!(s.total_amount_paid.as_deref(), Some("40.10"));
    }

    #[test]
    fn user_event_collects_request_ids() {
        let e = parse(
            br#"{"event":"secure_payment.user_event","userEvent":"wallet_connected",
                "securePaymentToken":"spt_1","requestIds":["a","b"]}"#,
        )
        .unwrap();
        assert_eq!(
            e,
            WebhookEvent::UserEvent {
                user_event: "wallet_connected".into(),
                request_ids: vec!["a".into(), "b".into()],
                secure_payment_token: Some("spt_1".into()),
            }
        );
    }

    #[test]
    fn unknown_events_and_bad_bodies() {
        assert_eq!(
            parse(br#"{"event":"compliance.updated"}"#).unwrap(),
            WebhookEvent::Unknown {
                name: "compliance.updated".into()
            }
        );
        assert!(matches!(parse(b"{not json"), Err(EventError::Json(_))));
        assert!(matches!(parse(b"[1]"), Err(EventError::Json(_))));
        assert_eq!(
            parse(br#"{"requestId":"x"}"#),
            Err(EventError::MissingField("event"))
        );
        assert_eq!(
            parse(br#"{"event":"payment.confirmed"}"#),
            Err(EventError::MissingField("requestId"))
        );
    }
}
