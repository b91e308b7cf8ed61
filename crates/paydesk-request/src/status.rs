//! `GET /v2/secure-payments/:token` mapped to one outcome (CONTRACT.md §5, §11).
//!
//! Owns [`SecurePaymentStatus`] and the types of its variants. The HTTP status decides the
//! outcome: 200 open, 423 processing, 409 completed, 403 not payable, 404 unknown; 401, 429 and
//! anything else are errors. A 409/423 body adds per-request detail; when it is absent the
//! outcome stands without detail, when it is present it must match the contract.
//!
//! A 403 is ambiguous in the contract: "token expired or not payable" (§5) and "credentials
//! valid but not allowed" (§1.2) share it. A 403 whose message speaks of credentials (Origin,
//! client ID, API key, orchestrator, domain, revoked) is [`Error::Forbidden`]; any other 403 is
//! [`SecurePaymentStatus::NotPayable`].

use reqwest::StatusCode;
use serde::{Deserialize, Deserializer};

use crate::envelope;
use crate::http::Api;
use crate::validation as rules;
use crate::{Error, FeePlan, RequestClient};

/// What the API says about a link now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurePaymentStatus {
    /// 200: pending and payable (possibly partially paid).
    Open(Box<SecurePaymentDetails>),
    /// 423: a Safe multisig payment is in flight; keep polling.
    Processing {
        /// Per request: `safe_tx_hash`, `chain_id`, `safe_payment_deadline` when given.
        requests: Vec<RequestStatus>,
    },
    /// 409: completed.
    Completed {
        /// Per request: `tx_hash` and `has_been_paid` when given.
        requests: Vec<RequestStatus>,
    },
    /// 403: expired or otherwise not payable (the API does not tell which).
    NotPayable {
        /// The server's message, or `Forbidden` (scrubbed).
        message: String,
    },
    /// 404: no such token.
    Unknown,
}

/// The 200 body: display data of an open link. Only `paymentType` and `status` are required
/// (the fields every documented variant shares); everything else is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurePaymentDetails {
    /// `single`, `batch` or `multicall`.
    pub payment_type: PaymentType,
    /// The link status; `pending` while open (`partially_settled` for a multicall parent).
    pub status: String,
    /// Request IDs of the link.
    pub request_ids: Vec<String>,
    /// Network id, e.g. `base`.
    pub network: Option<String>,
    /// Merchant reference.
    pub reference: Option<String>,
    /// Success-screen button URL.
    pub redirect_url: Option<String>,
    /// Success-screen button label.
    pub redirect_label: Option<String>,
    /// One line per payee: the single fields, or the batch arrays zipped by index.
    pub lines: Vec<PaymentLine>,
    /// The fee plan, when the server sends one.
    pub fee_plan: Option<FeePlan>,
    /// Expiry (multicall parents only).
    pub expires_at: Option<String>,
}

/// `paymentType` of an open link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentType {
    /// One payee.
    Single,
    /// Several payees, one network (legacy incoming batch or batch payout).
    Batch,
    /// A multicall payout parent.
    Multicall,
    /// A type this client does not know yet.
    Other(String),
}

/// One payee of an open link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    /// Payee wallet.
    pub payee: Option<String>,
    /// Amount exactly as sent. Its unit is open in the contract (§5: base units in one example,
    /// human units in another): rely on the amount you created the link with.
    pub amount_raw: Option<String>,
    /// Payment currency id, e.g. `USDC-base`.
    pub payment_currency: Option<String>,
    /// Whether the currency is the chain's native one.
    pub is_native_currency: Option<bool>,
    /// Resolved destination.
    pub destination: Option<Destination>,
}

/// A resolved payee destination. All fields optional: a masked destination hides some.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// `{interopAddress}:{tokenAddress}`; absent when masked.
    #[serde(default)]
    pub destination_id: Option<String>,
    /// Interop payee address.
    #[serde(default)]
    pub payee_address: Option<String>,
    /// Token contract.
    #[serde(default)]
    pub token_address: Option<String>,
    /// Payee wallet.
    #[serde(default)]
    pub wallet_address: Option<String>,
    /// Network id.
    #[serde(default)]
    pub network: Option<String>,
    /// Whether the server masked it.
    #[serde(default)]
    pub is_masked: Option<bool>,
}

/// One entry of `requestStatuses[]` in a 409 or 423 body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestStatus {
    /// The request.
    pub request_id: String,
    /// Whether it is fully paid.
    #[serde(default)]
    pub has_been_paid: Option<bool>,
    /// Settlement transaction (409).
    #[serde(default)]
    pub tx_hash: Option<String>,
    /// Safe transaction in flight (423).
    #[serde(default)]
    pub safe_tx_hash: Option<String>,
    /// Chain of the Safe transaction (423).
    #[serde(default)]
    pub chain_id: Option<u64>,
    /// Unix seconds until which the Safe payment may complete (423).
    #[serde(default)]
    pub safe_payment_deadline: Option<i64>,
}

impl RequestClient {
    /// `GET /v2/secure-payments/:token`, retried once on a network error (it is a read).
    pub async fn secure_payment_status(&self, token: &str) -> Result<SecurePaymentStatus, Error> {
        rules::path_segment("token", token)?;
        let url = self
            .transport
            .url(Api::Request, &["v2", "secure-payments", token]);
        let answer = self.transport.get_retrying_once(url).await?;
        match answer.status {
            status if status.is_success() => {
                let wire: OpenWire = self.transport.decode(&answer)?;
                Ok(SecurePaymentStatus::Open(Box::new(wire.into())))
            }
            StatusCode::LOCKED => Ok(SecurePaymentStatus::Processing {
                requests: self.request_statuses(&answer)?,
            }),
            StatusCode::CONFLICT => Ok(SecurePaymentStatus::Completed {
                requests: self.request_statuses(&answer)?,
            }),
            StatusCode::FORBIDDEN => {
                let envelope = envelope::parse(&answer.body, self.transport.redactor());
                let message = envelope.message.unwrap_or_else(|| "Forbidden".to_owned());
                if speaks_of_credentials(&message) {
                    Err(Error::Forbidden { message })
                } else {
                    Ok(SecurePaymentStatus::NotPayable { message })
                }
            }
            StatusCode::NOT_FOUND => Ok(SecurePaymentStatus::Unknown),
            _ => Err(self.transport.status_error(&answer)),
        }
    }

    fn request_statuses(&self, answer: &crate::http::Answer) -> Result<Vec<RequestStatus>, Error> {
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        let wire: StatusesWire = self.transport.decode(answer)?;
        Ok(wire.request_statuses)
    }
}

fn speaks_of_credentials(message: &str) -> bool {
    const WORDS: [&str; 11] = [
        "origin",
        "client id",
        "client-id",
        "clientid",
        "api key",
        "api-key",
        "apikey",
        "orchestrator",
        "domain",
        "revoked",
        "forbidden resource",
    ];
    let message = message.to_lowercase();
    WORDS.iter().any(|w| message.contains(w))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusesWire {
    #[serde(default)]
    request_statuses: Vec<RequestStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenWire {
    payment_type: PaymentType,
    status: String,
    #[serde(default)]
    request_ids: Vec<String>,
    #[serde(default)]
    network: Option<String>,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(default)]
    redirect_label: Option<String>,
    #[serde(default)]
    fee_plan: Option<FeePlan>,
    #[serde(default)]
    expires_at: Option<String>,
    // Single shape.
    #[serde(default)]
    payee: Option<String>,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    payment_currency: Option<String>,
    #[serde(default)]
    destination: Option<Destination>,
    /// A bool on a single link, an array of bools on a batch.
    #[serde(default)]
    is_native_currency: Option<OneOrMany>,
    // Batch shape.
    #[serde(default)]
    payees: Vec<String>,
    #[serde(default)]
    amounts: Vec<String>,
    #[serde(default)]
    payment_currencies: Vec<String>,
    #[serde(default)]
    destinations: Vec<Option<Destination>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(bool),
    Many(Vec<bool>),
}

impl From<OpenWire> for SecurePaymentDetails {
    fn from(wire: OpenWire) -> Self {
        let natives = match &wire.is_native_currency {
            Some(OneOrMany::Many(list)) => list.clone(),
            _ => Vec::new(),
        };
        let batch_len = [
            wire.payees.len(),
            wire.amounts.len(),
            wire.payment_currencies.len(),
            wire.destinations.len(),
            natives.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        let lines = if batch_len > 0 {
            (0..batch_len)
                .map(|n| PaymentLine {
                    payee: wire.payees.get(n).cloned(),
                    amount_raw: wire.amounts.get(n).cloned(),
                    payment_currency: wire.payment_currencies.get(n).cloned(),
                    is_native_currency: natives.get(n).copied(),
                    destination: wire.destinations.get(n).cloned().flatten(),
                })
                .collect()
        } else {
            let line = PaymentLine {
                payee: wire.payee,
                amount_raw: wire.amount,
                payment_currency: wire.payment_currency,
                is_native_currency: match wire.is_native_currency {
                    Some(OneOrMany::One(native)) => Some(native),
                    _ => None,
                },
                destination: wire.destination,
            };
            let empty = line.payee.is_none()
                && line.amount_raw.is_none()
                && line.payment_currency.is_none()
                && line.destination.is_none();
            if empty {
                Vec::new()
            } else {
                vec![line]
            }
        };
        Self {
            payment_type: wire.payment_type,
            status: wire.status,
            request_ids: wire.request_ids,
            network: wire.network,
            reference: wire.reference,
            redirect_url: wire.redirect_url,
            redirect_label: wire.redirect_label,
            lines,
            fee_plan: wire.fee_plan,
            expires_at: wire.expires_at,
        }
    }
}

impl<'de> Deserialize<'de> for PaymentType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "single" => Self::Single,
            "batch" => Self::Batch,
            "multicall" => Self::Multicall,
            _ => Self::Other(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn details(body: serde_json::Value) -> SecurePaymentDetails {
        serde_json::from_value::<OpenWire>(body).unwrap().into()
    }

    #[test]
    fn single_body_becomes_one_line() {
        let d = details(json!({
            "paymentType": "single", "status": "pending",
            "requestIds": ["01e2"], "payee": "0x69", "network": "base",
            "amount": "10000000000000000000", "paymentCurrency": "USDC-base",
            "isNativeCurrency": false,
            "destination": {"destinationId": "0x69@eip155:8453#ABCD1234:0x83", "payeeAddress": "0x69@eip155:8453#ABCD1234",
                            "tokenAddress": "0x83", "walletAddress": "0x69", "network": "base"},
            "reference": "ORDER-2024-001", "redirectUrl": null, "redirectLabel": null,
            "orchestratorId": null, "branding": null, "feePlan": null,
            "paymentOptions": {"BASE": {"USDC": {"balance": "150.00"}}}
        }));
        assert_eq!(d.payment_type, PaymentType::Single);
        assert_eq!(d.lines.len(), 1);
        assert_eq!(
            d.lines[0].amount_raw.as_deref(),
            Some("10000000000000000000")
        );
        assert_eq!(d.lines[0].is_native_currency, Some(false));
        assert_eq!(
            d.lines[0]
                .destination
                .as_ref()
                .unwrap()
                .wallet_address
                .as_deref(),
            Some("0x69")
        );
        assert_eq!(d.reference.as_deref(), Some("ORDER-2024-001"));
    }

    #[test]
    fn batch_arrays_are_zipped_by_index() {
        let d = details(json!({
            "paymentType": "batch", "status": "pending",
            "payees": ["0xb0", "0x69"], "network": "sepolia", "amounts": ["50", "10"],
            "paymentCurrencies": ["FAU-sepolia", "FAU-sepolia"], "isNativeCurrency": [false, false],
            "destinations": [{"walletAddress": "0xb0"}, null], "reference": null
        }));
        assert_eq!(d.payment_type, PaymentType::Batch);
        assert_eq!(d.lines.len(), 2);
        assert_eq!(d.lines[1].payee.as_deref(), Some("0x69"));
        assert_eq!(d.lines[1].amount_raw.as_deref(), Some("10"));
        assert_eq!(d.lines[1].destination, None);
        assert_eq!(d.lines[0].is_native_currency, Some(false));
        assert_eq!(d.reference, None);
    }

    #[test]
    fn minimal_and_unknown_types_are_accepted() {
        let d = details(json!({"paymentType": "streaming", "status": "pending", "branding": null}));
        assert_eq!(d.payment_type, PaymentType::Other("streaming".into()));
        assert!(d.lines.is_empty());
        assert!(serde_json::from_value::<OpenWire>(json!({"status": "pending"})).is_err());
    }

    #[test]
    fn credential_403s_are_told_apart_from_not_payable_ones() {
        for message in [
            "Origin header is required",
            "Client ID revoked",
            "Invalid origin for this client id",
            "Forbidden resource",
            "Domain not allowed",
        ] {
            assert!(speaks_of_credentials(message), "{message}");
        }
        for message in [
            "Secure payment token expired or invalid status",
            "Secure payment has expired",
            "Forbidden",
            "Secure payment is not payable",
        ] {
            assert!(!speaks_of_credentials(message), "{message}");
        }
    }
}
