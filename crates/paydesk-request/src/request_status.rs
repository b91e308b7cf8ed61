//! `GET /v2/request/:requestId` (CONTRACT.md §10.2): how much of one request is paid.
//!
//! The secure-payment status (`GET /v2/secure-payments/:token`) says open, processing or
//! completed but not how much a partial payment covered; this endpoint does: `hasBeenPaid`, and
//! for a partially paid request `conversionBreakdown.paidAmount` / `remainingAmount` (human
//! units, as strings; kept as strings here and parsed by the caller with its decimals).

use reqwest::StatusCode;
use serde::Deserialize;

use crate::http::Api;
use crate::validation as rules;
use crate::{Error, RequestClient};

/// What the API says about one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestPayment {
    /// Fully paid.
    pub has_been_paid: bool,
    /// Settlement transaction, when paid.
    pub tx_hash: Option<String>,
    /// Paid so far (partial payments), human units.
    pub paid_amount: Option<String>,
    /// Left to pay (partial payments), human units.
    pub remaining_amount: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    #[serde(default)]
    has_been_paid: Option<bool>,
    #[serde(default)]
    tx_hash: Option<String>,
    #[serde(default)]
    conversion_breakdown: Option<Breakdown>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Breakdown {
    #[serde(default)]
    paid_amount: Option<serde_json::Value>,
    #[serde(default)]
    remaining_amount: Option<serde_json::Value>,
}

/// An amount the API sent as a string or a number, as text (never through `f64`).
fn amount_text(v: Option<serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl RequestClient {
    /// `GET /v2/request/:requestId`, retried once on a network error (it is a read). `None`
    /// when the API does not know the request (404).
    pub async fn request_payment(&self, request_id: &str) -> Result<Option<RequestPayment>, Error> {
        rules::path_segment("requestId", request_id)?;
        let url = self
            .transport
            .url(Api::Request, &["v2", "request", request_id]);
        let answer = self.transport.get_retrying_once(url).await?;
        match answer.status {
            status if status.is_success() => {
                let wire: Wire = self.transport.decode(&answer)?;
                let (paid, remaining) = wire
                    .conversion_breakdown
                    .map(|b| (amount_text(b.paid_amount), amount_text(b.remaining_amount)))
                    .unwrap_or_default();
                Ok(Some(RequestPayment {
                    has_been_paid: wire.has_been_paid.unwrap_or(false),
                    tx_hash: wire.tx_hash.filter(|t| !t.is_empty()),
                    paid_amount: paid,
                    remaining_amount: remaining,
                }))
            }
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.transport.status_error(&answer)),
        }
    }
}
