//! Payment links: where they pay to ([`PaymentSettings`]), what the user asks for
//! ([`LinkOptions`]), the request frozen at that moment ([`LinkPayload`]), the stored link
//! ([`PaymentLink`]) and the outbox row that carries the request to the API ([`OutboxItem`]).

use paydesk_request::validation::{self, ValidationError};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::currency::{self, CurrencyKind};

/// Longest destination ID accepted (the API's string fields stop at 255).
const MAX_DESTINATION_LEN: usize = 255;

/// An API validation rule broken, as an engine error with the API's own message.
pub(crate) fn api_rule(e: ValidationError) -> Error {
    Error::invalid(e.field, e.message)
}

/// Where links pay to and the redirect defaults, as the settings screen shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentSettings {
    /// `{wallet}@eip155:{chainId}#{checksum}:{token}`, copied from the Request dashboard.
    pub destination_id: Option<String>,
    /// Send no destination: the client ID (or API key) is bound to one.
    pub use_bound_destination: bool,
    /// Legacy pair: the payee's EVM address ...
    pub payee_address: Option<String>,
    /// ... and the currency it is paid in (a crypto currency id such as `USDC-base`).
    pub payment_currency: Option<String>,
    /// Default button target on the payer page's success screen.
    pub redirect_url: Option<String>,
    /// Default button text (only with a redirect URL).
    pub redirect_label: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_evm_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && is_hex(&s[2..])
}

fn is_tron_address(s: &str) -> bool {
    const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    s.len() == 34 && s.starts_with('T') && s.chars().all(|c| BASE58.contains(c))
}

/// Check the shape of a destination ID (CONTRACT.md §10.4):
/// `{wallet}@eip155:{chainId}#{8 hex checksum}:{token}`. The checksum is not verified (its
/// algorithm is undocumented); the value is otherwise opaque and sent as typed.
pub fn check_destination_id(field: &str, id: &str) -> Result<()> {
    const RULE: &str =
        "must look like 0xWALLET@eip155:CHAIN#CHECKSUM:0xTOKEN; copy it from the Request dashboard";
    let shaped = (|| {
        if id.len() > MAX_DESTINATION_LEN {
            return None;
        }
        let (interop, token) = id.rsplit_once(':')?;
        let (wallet, chain) = interop.split_once('@')?;
        let chain = chain.strip_prefix("eip155:")?;
        let (chain_id, checksum) = chain.split_once('#')?;
        let address = |a: &str| is_evm_address(a) || is_tron_address(a);
        (address(wallet)
            && address(token)
            && !chain_id.is_empty()
            && chain_id.bytes().all(|b| b.is_ascii_digit())
            && checksum.len() == 8
            && is_hex(checksum))
        .then_some(())
    })();
    shaped.ok_or_else(|| Error::invalid(field, RULE))
}

/// Check a redirect pair with the API's rules and messages.
pub fn check_redirect(url: Option<&str>, label: Option<&str>) -> Result<()> {
    validation::validate_redirect(url, label).map_err(api_rule)
}

impl PaymentSettings {
    /// Validate and normalise (blank fields become `None`).
    pub fn validate(&self) -> Result<PaymentSettings> {
        let s = PaymentSettings {
            destination_id: blank_to_none(&self.destination_id),
            use_bound_destination: self.use_bound_destination,
            payee_address: blank_to_none(&self.payee_address),
            payment_currency: blank_to_none(&self.payment_currency),
            redirect_url: blank_to_none(&self.redirect_url),
            redirect_label: blank_to_none(&self.redirect_label),
        };
        if let Some(id) = &s.destination_id {
            check_destination_id("destinationId", id)?;
        }
        match (&s.payee_address, &s.payment_currency) {
            (None, None) => {}
            (Some(_), None) => {
                return Err(Error::invalid(
                    "paymentCurrency",
                    "is required with a payee address",
                ))
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    "payeeAddress",
                    "is required with a payment currency",
                ))
            }
            (Some(payee), Some(cur)) => {
                if s.destination_id.is_some() {
                    return Err(Error::invalid(
                        "payeeAddress",
                        "set either a destination ID or a payee address, not both",
                    ));
                }
                if !is_evm_address(payee) {
                    return Err(Error::invalid(
                        "payeeAddress",
                        "must be an EVM address: 0x followed by 40 hex digits",
                    ));
                }
                let c = currency::lookup("paymentCurrency", cur)?;
                if c.kind != CurrencyKind::Crypto {
                    return Err(Error::invalid(
                        "paymentCurrency",
                        "must be a crypto currency such as USDC-base",
                    ));
                }
            }
        }
        check_redirect(s.redirect_url.as_deref(), s.redirect_label.as_deref())?;
        Ok(s)
    }
}

/// Per-invoice choices when asking for a link; `None` takes the default from settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LinkOptions {
    pub redirect_url: Option<String>,
    pub redirect_label: Option<String>,
}

/// Where one request pays to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum LinkDestination {
    /// No destination sent: the credential is bound to one.
    Bound,
    /// An explicit destination ID (opaque).
    #[serde(rename_all = "camelCase")]
    Id { destination_id: String },
    /// The legacy body: payee address, invoice currency, payment currency.
    #[serde(rename_all = "camelCase")]
    Legacy {
        payee: String,
        invoice_currency: String,
        payment_currency: String,
    },
}

/// The create-link request exactly as it will be sent, frozen when the user asked for it (the
/// outbox row's payload). Amounts are decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkPayload {
    /// Invoice total as a decimal string, in `currency`.
    pub amount: String,
    /// The invoice currency the amount is in.
    pub currency: String,
    pub destination: LinkDestination,
    /// The invoice number.
    pub reference: String,
    /// The client's name, when the API accepts it.
    pub payer_identifier: Option<String>,
    pub redirect_url: Option<String>,
    pub redirect_label: Option<String>,
}

/// The life of a stored link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    /// Payable (until `expiresAt`).
    Live,
    /// Past `expiresAt`, or the API answered 403 for it.
    Expired,
    /// Voided by the user.
    Void,
    /// Replaced by a re-issued link.
    Superseded,
}

impl LinkStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Live => "live",
            LinkStatus::Expired => "expired",
            LinkStatus::Void => "void",
            LinkStatus::Superseded => "superseded",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Result<LinkStatus> {
        match s {
            "live" => Ok(LinkStatus::Live),
            "expired" => Ok(LinkStatus::Expired),
            "void" => Ok(LinkStatus::Void),
            "superseded" => Ok(LinkStatus::Superseded),
            _ => Err(Error::invalid("status", "is not a link status")),
        }
    }
}

/// A secure payment link of an invoice. `status` is `expired` once `expires_at` has passed,
/// even before anything polled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentLink {
    pub invoice_id: String,
    pub token: String,
    pub request_ids: Vec<String>,
    pub secure_payment_url: String,
    pub created_at: String,
    pub expires_at: String,
    pub status: LinkStatus,
    pub redirect_url: Option<String>,
    pub redirect_label: Option<String>,
    pub amount: String,
    pub currency: String,
}

/// Where an outbox row is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Waiting for `next_attempt_at`.
    Queued,
    /// Claimed by a sender; its lease ends at `next_attempt_at`.
    Sending,
    /// Sent and its result stored.
    Done,
    /// Refused for good (bad input, credentials); `last_error` says why. Retry re-queues it.
    Failed,
    /// Cancelled by the user before it was sent (the link was voided).
    Cancelled,
}

impl OutboxState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Result<OutboxState> {
        match s {
            "queued" => Ok(OutboxState::Queued),
            "sending" => Ok(OutboxState::Sending),
            "done" => Ok(OutboxState::Done),
            "failed" => Ok(OutboxState::Failed),
            "cancelled" => Ok(OutboxState::Cancelled),
            _ => Err(Error::invalid("state", "is not an outbox state")),
        }
    }
}

/// One outbox row as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    pub id: String,
    pub kind: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub payload: LinkPayload,
}

/// Where an invoice's payment link stands, as the app and the CLI both show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkPhase {
    /// No link and no request, or the newest link was voided.
    None,
    /// A request waits in the outbox (first send, a retry or a re-issue).
    Queued,
    /// A link the client can pay.
    Live,
    /// The newest link is past its expiry or the API refused it (403): re-issue it.
    Expired,
    /// The API refused the newest request for good (even a re-issue of an expired link); retry
    /// it after fixing the cause.
    Failed,
}

impl LinkPhase {
    /// The name shown to the user.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPhase::None => "none",
            LinkPhase::Queued => "queued",
            LinkPhase::Live => "live",
            LinkPhase::Expired => "expired",
            LinkPhase::Failed => "failed",
        }
    }
}

/// An invoice's payment link at one moment, read in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkOverview {
    pub phase: LinkPhase,
    /// The live link, or the expired newest one while nothing is queued or failed.
    pub current: Option<PaymentLink>,
    /// The queued (or sending) request, with its last error and next attempt.
    pub pending: Option<OutboxItem>,
    /// Why the request is queued ("not sent yet" before its first try) or failed.
    pub message: Option<String>,
    /// Every link the invoice had, oldest first (a live link past its expiry shows expired).
    pub history: Vec<PaymentLink>,
    /// The amounts are locked: a link is stored live (even past its expiry, until the API or
    /// the user ends it) or a request is queued. The rule `update_invoice` enforces.
    pub locked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVM: &str = "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
    const TRON: &str = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8@eip155:728126428#5F89A3B2:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

    #[test]
    fn destination_ids_of_the_contract_pass_the_shape_check() {
        check_destination_id("d", EVM).unwrap();
        check_destination_id("d", TRON).unwrap();
    }

    #[test]
    fn malformed_destination_ids_name_the_field() {
        for bad in [
            "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7",
            "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD123:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "0x6923@eip155:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@cosmos:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
        ] {
            let e = check_destination_id("destinationId", bad).unwrap_err();
            assert_eq!(e.field(), Some("destinationId"), "{bad}");
        }
    }

    #[test]
    fn unsafe_redirect_gets_the_api_message() {
        let e = PaymentSettings {
            redirect_url: Some("javascript:alert(1)".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("redirectUrl: {}", validation::REDIRECT_URL_UNSAFE)
        );
    }

    #[test]
    fn legacy_pair_needs_both_halves_and_a_crypto_currency() {
        let half = PaymentSettings {
            payee_address: Some("0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7".into()),
            ..Default::default()
        };
        assert_eq!(
            half.validate().unwrap_err().field(),
            Some("paymentCurrency")
        );
        let fiat = PaymentSettings {
            payment_currency: Some("EUR".into()),
            ..half
        };
        assert_eq!(
            fiat.validate().unwrap_err().field(),
            Some("paymentCurrency")
        );
    }
}
