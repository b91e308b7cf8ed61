//! The freelancer's records as the engine sees them: inputs as they arrive (strings, from the UI,
//! the CLI or a file), their validation into typed values, and the views the engine returns.

pub mod address;
pub mod client;
pub mod contractor;
pub mod invoice;
pub mod link;
pub mod numbering;
pub mod payout;
pub mod profile;
pub mod settings;
pub mod share;
pub mod text;
pub mod webhook;

pub use address::{parse_address, Network, WalletAddress};
pub use client::{Client, ClientInput};
pub use contractor::{AddressChange, Contractor, ContractorDetail, ContractorInput};
pub use invoice::{
    DiscountInput, Invoice, InvoiceDraft, InvoiceInput, InvoicePage, InvoiceQuery, InvoiceSort,
    InvoiceStatus, InvoiceSummary, LineItemInput, TotalsInput, PAYMENT_TERMS_DAYS,
};
pub use link::{
    LinkDestination, LinkOptions, LinkOverview, LinkPayload, LinkPhase, LinkStatus, OutboxItem,
    OutboxState, PaymentLink, PaymentSettings,
};
pub use numbering::NumberPattern;
pub use payout::{
    Batch, Payout, PayoutEvent, PayoutInput, PayoutLink, PayoutReview, PayoutSettings, PayoutState,
    PayoutSummary,
};
pub use profile::BusinessProfile;
pub use settings::{Mode, Settings, SettingsInput};
pub use share::{email_draft, openable_url, LinkShare};
pub use webhook::{TunnelKind, WebhookConfig, WebhookRegistration};
