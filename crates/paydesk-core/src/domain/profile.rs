//! The freelancer's own business profile, printed on invoices.

use serde::{Deserialize, Serialize};

use super::text::{check_text, email, limits};
use crate::error::Result;

/// The business profile (one per database). Empty strings mean "not set".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BusinessProfile {
    pub name: String,
    pub email: String,
    pub address: String,
    pub tax_id: String,
}

impl BusinessProfile {
    /// Validate and trim every field.
    pub fn validate(&self) -> Result<BusinessProfile> {
        Ok(BusinessProfile {
            name: check_text("name", &self.name, limits::NAME, false)?,
            email: email("email", &self.email)?,
            address: check_text("address", &self.address, limits::ADDRESS, true)?,
            tax_id: check_text("taxId", &self.tax_id, limits::TAX_ID, false)?,
        })
    }
}
