//! Webhooks: payloads ([`events`]), insertion-ordered compact JSON ([`json`]) and signed
//! delivery with retries and faults ([`delivery`]) recorded in a log ([`log`]).

pub(crate) mod delivery;
pub(crate) mod events;
pub(crate) mod json;
pub(crate) mod log;
