//! Clients: who the freelancer bills.

use serde::{Deserialize, Serialize};

use super::text::{check_text, email, limits, required_text};
use crate::error::Result;

/// A client as typed by the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientInput {
    pub name: String,
    pub email: String,
    pub address: String,
    pub tax_id: String,
    pub notes: String,
}

impl ClientInput {
    /// Validate and normalize (trim) every field.
    pub fn validate(&self) -> Result<ClientInput> {
        Ok(ClientInput {
            name: required_text("name", &self.name, limits::NAME)?,
            email: email("email", &self.email)?,
            address: check_text("address", &self.address, limits::ADDRESS, true)?,
            tax_id: check_text("taxId", &self.tax_id, limits::TAX_ID, false)?,
            notes: check_text("notes", &self.notes, limits::NOTES, true)?,
        })
    }
}

/// A stored client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub id: String,
    pub name: String,
    pub email: String,
    pub address: String,
    pub tax_id: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
    pub invoice_count: i64,
}
