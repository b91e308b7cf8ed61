//! The client handle.
//!
//! Owns [`RequestClient`]: built once from a [`ClientConfig`], cheap to clone, shared by every
//! call. The calls themselves live with their types: `secure_payments.rs`, `payouts.rs`,
//! `status.rs`, `webhooks.rs`.

use std::sync::Arc;

use crate::http::{Answer, Transport};
use crate::{ClientConfig, Error};

/// Typed client for the Request API (secure payments, payouts, status) and the Auth API
/// (webhooks). Every call has the configured timeout; no POST, PUT or DELETE is retried.
#[derive(Clone, Debug)]
pub struct RequestClient {
    pub(crate) transport: Arc<Transport>,
}

impl RequestClient {
    /// Checks the configuration (http(s) bases, header-safe credential, timeout above zero) and
    /// builds the HTTP client (rustls, redirects not followed).
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        Ok(Self {
            transport: Arc::new(Transport::new(config)?),
        })
    }

    /// Decodes a 2xx body, or turns any other answer into its [`Error`].
    pub(crate) fn expect_success<T: serde::de::DeserializeOwned>(
        &self,
        answer: &Answer,
    ) -> Result<T, Error> {
        if answer.status.is_success() {
            self.transport.decode(answer)
        } else {
            Err(self.transport.status_error(answer))
        }
    }

    /// Accepts any 2xx whatever its body, or turns any other answer into its [`Error`].
    pub(crate) fn expect_any_success(&self, answer: &Answer) -> Result<(), Error> {
        if answer.status.is_success() {
            Ok(())
        } else {
            Err(self.transport.status_error(answer))
        }
    }
}
