//! The facade's webhook settings and what a [`crate::webhook::WebhookService`] needs from the
//! books and the keychain.

use super::Paydesk;
use crate::domain::Mode;
use crate::error::Result;
use crate::secrets::{self, SecretKind};

impl Paydesk {
    /// The webhook settings of this mode.
    pub fn webhook_config(&mut self) -> Result<crate::domain::WebhookConfig> {
        self.store.webhook_config()
    }

    /// Validate and save the webhook settings of this mode.
    pub fn set_webhook_config(
        &mut self,
        input: &crate::domain::WebhookConfig,
    ) -> Result<crate::domain::WebhookConfig> {
        self.store.set_webhook_config(input)
    }

    /// The webhook panel's state while no service runs (`error`: why it could not start).
    /// `can_register`: a client for registration exists (see [`Paydesk::webhook_setup`]).
    pub fn webhook_status_stopped(
        &mut self,
        error: Option<String>,
        can_register: bool,
    ) -> Result<crate::webhook::WebhookStatus> {
        let secret = self
            .secrets
            .get(&SecretKind::WebhookSecret.account(self.mode))?
            .map(|s| secrets::mask(&s));
        Ok(crate::webhook::WebhookStatus::stopped(
            self.store.webhook_config()?,
            secret,
            can_register,
            error,
        ))
    }

    /// What a [`crate::webhook::WebhookService`] needs: the saved settings, this mode's books
    /// and keychain, and a client for the Auth API when webhooks can be registered: in Test
    /// mode with the `sandbox` (its address and client id), in live mode with the client id
    /// saved in the keychain. Without one the user registers the URL by hand.
    pub fn webhook_setup(
        &mut self,
        sandbox: Option<(&url::Url, &str)>,
    ) -> Result<crate::webhook::WebhookSetup> {
        let registrar = match (self.mode, sandbox) {
            (Mode::Test, Some((base, client_id))) => Some(self.request_client(
                Some(base.clone()),
                paydesk_request::Credentials::client_id(client_id, None),
            )?),
            (Mode::Test, None) => None,
            (Mode::Live, _) => match self.secrets.get(&SecretKind::ClientId.account(self.mode))? {
                Some(id) => Some(self.request_client(
                    None,
                    paydesk_request::Credentials::client_id(id.expose(), None),
                )?),
                None => None,
            },
        };
        Ok(crate::webhook::WebhookSetup {
            config: self.store.webhook_config()?,
            mode: self.mode,
            store_path: self.store.path().to_path_buf(),
            clock: self.clock.clone(),
            secrets: self.secrets.clone(),
            registrar,
        })
    }
}
