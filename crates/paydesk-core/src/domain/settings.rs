//! App settings that are not secret: mode, default currency, numbering pattern, payment terms.

use serde::{Deserialize, Serialize};

use super::invoice::check_terms_days;
use super::numbering::NumberPattern;
use crate::error::{Error, Result};
use crate::money::currency;

/// Test mode (sandbox, its own database) or live mode (production API, its own database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    /// `test` or `live`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    /// Parse `test` or `live`.
    pub fn parse(field: &str, s: &str) -> Result<Mode> {
        match s {
            "test" => Ok(Mode::Test),
            "live" => Ok(Mode::Live),
            _ => Err(Error::invalid(field, "must be \"test\" or \"live\"")),
        }
    }
}

/// The settings as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub mode: Mode,
    pub default_currency: String,
    pub numbering_pattern: String,
    pub default_payment_terms_days: Option<u32>,
}

/// Settings as typed by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInput {
    pub default_currency: String,
    pub numbering_pattern: String,
    pub default_payment_terms_days: Option<u32>,
}

impl SettingsInput {
    /// Validate every field.
    pub fn validate(&self) -> Result<SettingsInput> {
        let currency = currency::lookup("defaultCurrency", self.default_currency.trim())?;
        let pattern = NumberPattern::parse(&self.numbering_pattern)?;
        if let Some(days) = self.default_payment_terms_days {
            check_terms_days("defaultPaymentTermsDays", days)?;
        }
        Ok(SettingsInput {
            default_currency: currency.id.to_string(),
            numbering_pattern: pattern.as_str().to_string(),
            default_payment_terms_days: self.default_payment_terms_days,
        })
    }
}
