//! The exact texts the contract gives (CONTRACT.md §2.1, §5), for the sandbox's answers and for
//! tests and clients that match on them.

/// 400 when `redirectUrl` is not a safe http(s) URL.
pub const UNSAFE_REDIRECT: &str =
    "redirectUrl must be a safe http(s) URL with no script/HTML payload";
/// 400 when `redirectLabel` is sent without `redirectUrl`.
pub const LABEL_WITHOUT_URL: &str = "redirectLabel cannot be provided without redirectUrl";
/// 400 for a multi-item Tron link.
pub const TRON_BATCH: &str = "Batch payments are not supported for TRON networks. Please submit individual payment requests.";
/// 403 when `destinationId` differs from the resolved destination.
pub const DESTINATION_MISMATCH: &str =
    "Destination does not match the configured payment destination.";
/// 400 when items resolve to more than one network.
pub const SAME_NETWORK: &str = "All requests must be on the same network";
/// 400 for a malformed `destinationId`.
pub const INVALID_DESTINATION: &str = "Invalid destination ID format";
/// 409 body message of `GET /:token` once completed.
pub const COMPLETED: &str = "Secure payment has already been completed";
/// 423 body message of `GET /:token` while a multisig payment is in flight.
pub const IN_PROGRESS: &str = "Secure payment is in progress";
/// 403 of payout routes when the platform may not create payouts.
pub const PAYOUTS_NOT_ALLOWED: &str = "Platform is not allowed to create payouts";
/// The payer page's redirect button text when `redirectLabel` was not given.
pub const DEFAULT_REDIRECT_LABEL: &str = "Go Back and Close";
/// The payer page's copy for an expired link.
pub const EXPIRED_PAGE: &str =
    "You are coming too late. Please contact the recipient to send you a new payment link.";
