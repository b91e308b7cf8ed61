//! Webhook registration on the Auth API (CONTRACT.md §9.1).
//!
//! Owns `POST /v1/webhook` (create: id + signing secret, shown once), `GET /v1/webhook` (list),
//! `PUT /v1/webhook/:id` (toggle), `DELETE /v1/webhook/:id` and `POST /v1/webhook/test`. The
//! contract sends these with `x-client-id`; the client sends whatever credential it was given.
//!
//! Open points handled:
//! - The list's shape is not in the contract: a bare array and an object wrapping the array in
//!   `webhooks` or `data` are all read; `isActive` is also read as `active`.
//! - "Toggle" may flip the state with no body or set the state from a body. So
//!   [`RequestClient::set_webhook_active`] reads the current state first, sends nothing when it
//!   already matches, and otherwise sends `PUT` with `{"isActive": <wanted>}`, which is right
//!   under either reading.
//! - The test endpoint's answer is not documented: any 2xx body is accepted.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::http::Api;
use crate::validation as rules;
use crate::{ApiSecret, Error, RequestClient};

/// The 201 answer of `POST /v1/webhook`. Store `secret` in the keychain: it is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedWebhook {
    /// Webhook id (a ULID).
    pub id: String,
    /// Signing secret for `x-request-network-signature` (64 hex characters).
    pub secret: ApiSecret,
}

/// One registered webhook.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Webhook id.
    pub id: String,
    /// Target URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Whether deliveries are sent to it.
    #[serde(default, alias = "active")]
    pub is_active: Option<bool>,
    /// Creation time, as sent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Signing secret, when the list includes it.
    #[serde(default)]
    pub secret: Option<ApiSecret>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WebhookList {
    Bare(Vec<Webhook>),
    Wrapped {
        #[serde(alias = "data")]
        webhooks: Vec<Webhook>,
    },
}

#[derive(Serialize)]
struct NewWebhook<'a> {
    url: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActiveState {
    is_active: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TestEvent<'a> {
    event_type: &'a str,
}

impl RequestClient {
    /// `POST /v1/webhook`: registers `url` for the events of this client ID. Not retried: on
    /// `Timeout`, `Network`, `Malformed` or a 5xx `Api` error the webhook may exist (look with
    /// `list_webhooks`).
    pub async fn create_webhook(&self, url: &Url) -> Result<CreatedWebhook, Error> {
        let target = self.transport.url(Api::Auth, &["v1", "webhook"]);
        let body = NewWebhook { url: url.as_str() };
        let answer = self
            .transport
            .send(Method::POST, target, Some(&body))
            .await?;
        let created: CreatedWebhook = self.expect_success(&answer)?;
        if created.id.is_empty() || created.secret.expose().is_empty() {
            return Err(self
                .transport
                .malformed(&answer, "id or secret: empty string"));
        }
        Ok(created)
    }

    /// `GET /v1/webhook`: the webhooks of this client ID. Retried once on a network error.
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, Error> {
        let target = self.transport.url(Api::Auth, &["v1", "webhook"]);
        let answer = self.transport.get_retrying_once(target).await?;
        Ok(match self.expect_success(&answer)? {
            WebhookList::Bare(list) | WebhookList::Wrapped { webhooks: list } => list,
        })
    }

    /// Makes the webhook active or inactive, whichever reading of "toggle" the server has (see
    /// the module docs). An id not in the list is `NotFound`.
    pub async fn set_webhook_active(&self, id: &str, active: bool) -> Result<(), Error> {
        rules::path_segment("webhookId", id)?;
        let current = self
            .list_webhooks()
            .await?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or_else(|| Error::NotFound {
                message: "Webhook not found".to_owned(),
            })?;
        if current.is_active == Some(active) {
            return Ok(());
        }
        let target = self.transport.url(Api::Auth, &["v1", "webhook", id]);
        let body = ActiveState { is_active: active };
        let answer = self
            .transport
            .send(Method::PUT, target, Some(&body))
            .await?;
        self.expect_any_success(&answer)
    }

    /// `DELETE /v1/webhook/:id`. An unknown id is `NotFound`.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        rules::path_segment("webhookId", id)?;
        let target = self.transport.url(Api::Auth, &["v1", "webhook", id]);
        let answer = self
            .transport
            .send(Method::DELETE, target, None::<&()>)
            .await?;
        self.expect_any_success(&answer)
    }

    /// `POST /v1/webhook/test`: asks the server to deliver a test `event_type` (e.g.
    /// `payment.confirmed`) to every active webhook of this client ID, marked
    /// `x-request-network-test: true`. No active webhook is `NotFound`.
    pub async fn send_test_webhook(&self, event_type: &str) -> Result<(), Error> {
        let target = self.transport.url(Api::Auth, &["v1", "webhook", "test"]);
        let body = TestEvent { event_type };
        let answer = self
            .transport
            .send(Method::POST, target, Some(&body))
            .await?;
        self.expect_any_success(&answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(body: serde_json::Value) -> Vec<Webhook> {
        match serde_json::from_value(body).unwrap() {
            WebhookList::Bare(list) | WebhookList::Wrapped { webhooks: list } => list,
        }
    }

    #[test]
    fn every_list_shape_reads_the_same() {
        let item = json!({"id": "01J", "url": "https://a.example/hook", "isActive": true,
                          "createdAt": "2025-02-17T10:50:19.497Z", "secret": "9f86"});
        for body in [
            json!([item.clone()]),
            json!({"webhooks": [item.clone()]}),
            json!({"data": [item.clone()], "total": 1}),
        ] {
            let list = read(body);
            assert_eq!(list.len(), 1);
            assert_eq!(list[0].is_active, Some(true));
            assert_eq!(list[0].secret.as_ref().unwrap().expose(), "9f86");
        }
        let list = read(json!([{"id": "01K", "active": false}]));
        assert_eq!(list[0].is_active, Some(false));
    }

    #[test]
    fn debug_of_a_webhook_hides_its_secret() {
        let list = read(json!([{"id": "01J", "secret": "supersecret"}]));
        assert!(!format!("{list:?}").contains("supersecret"));
        let created: CreatedWebhook =
            serde_json::from_value(json!({"id": "01J", "secret": "supersecret"})).unwrap();
        assert!(!format!("{created:?}").contains("supersecret"));
    }
}
