//! Settings (key/value, never secrets) and the business profile.

use rusqlite::{params, OptionalExtension, Transaction};

use super::Store;
use crate::domain::numbering::DEFAULT_PATTERN;
use crate::domain::{
    BusinessProfile, Mode, Settings, SettingsInput, WebhookConfig, WebhookRegistration,
};
use crate::error::{Error, Result};

const DEFAULT_CURRENCY: &str = "USDC-base";
const DEFAULT_TERMS_DAYS: u32 = 30;

fn get(tx: &Transaction<'_>, key: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn put(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Read the settings inside an open transaction (the mode is filled in by the caller).
pub(super) fn load(tx: &Transaction<'_>, mode: Mode) -> Result<Settings> {
    let terms = match get(tx, "default_payment_terms_days")? {
        None => Some(DEFAULT_TERMS_DAYS),
        Some(v) if v.is_empty() => None,
        Some(v) => v.parse().ok(),
    };
    Ok(Settings {
        mode,
        default_currency: get(tx, "default_currency")?.unwrap_or_else(|| DEFAULT_CURRENCY.into()),
        numbering_pattern: get(tx, "numbering_pattern")?.unwrap_or_else(|| DEFAULT_PATTERN.into()),
        default_payment_terms_days: terms,
    })
}

/// A JSON value kept under `key` (`None` when absent; a corrupt one is an error naming it).
pub(super) fn get_json<T: serde::de::DeserializeOwned>(
    tx: &Transaction<'_>,
    key: &str,
) -> Result<Option<T>> {
    get(tx, key)?
        .map(|v| {
            serde_json::from_str(&v).map_err(|e| {
                Error::invalid(
                    key,
                    format!("the stored value is not valid ({e}); save it again"),
                )
            })
        })
        .transpose()
}

pub(super) fn put_json<T: serde::Serialize>(
    tx: &Transaction<'_>,
    key: &str,
    value: &T,
) -> Result<()> {
    let text = serde_json::to_string(value)
        .map_err(|e| Error::invalid(key, format!("cannot be saved ({e})")))?;
    put(tx, key, &text)
}

impl Store {
    /// The webhook settings (off, cloudflared, any port until saved).
    pub fn webhook_config(&mut self) -> Result<WebhookConfig> {
        self.read(|tx, _| Ok(get_json(tx, "webhook_config")?.unwrap_or_default()))
    }

    /// Validate and save the webhook settings.
    pub fn set_webhook_config(&mut self, input: &WebhookConfig) -> Result<WebhookConfig> {
        let valid = input.validate()?;
        self.write(|tx, _| put_json(tx, "webhook_config", &valid))?;
        Ok(valid)
    }

    /// The webhook Paydesk registered with Request, if any.
    pub fn webhook_registration(&mut self) -> Result<Option<WebhookRegistration>> {
        self.read(|tx, _| get_json(tx, "webhook_registration"))
    }

    /// Remember (or, with `None`, forget) the registered webhook.
    pub fn set_webhook_registration(&mut self, value: Option<&WebhookRegistration>) -> Result<()> {
        self.write(|tx, _| match value {
            Some(r) => put_json(tx, "webhook_registration", r),
            None => {
                tx.execute(
                    "DELETE FROM settings WHERE key = 'webhook_registration'",
                    [],
                )?;
                Ok(())
            }
        })
    }

    /// The settings of this database.
    pub fn settings(&mut self, mode: Mode) -> Result<Settings> {
        self.read(|tx, _| load(tx, mode))
    }

    /// Validate and save the settings.
    pub fn update_settings(&mut self, mode: Mode, input: &SettingsInput) -> Result<Settings> {
        let valid = input.validate()?;
        self.write(|tx, _| {
            put(tx, "default_currency", &valid.default_currency)?;
            put(tx, "numbering_pattern", &valid.numbering_pattern)?;
            let terms = valid
                .default_payment_terms_days
                .map(|d| d.to_string())
                .unwrap_or_default();
            put(tx, "default_payment_terms_days", &terms)?;
            load(tx, mode)
        })
    }

    /// The business profile (empty fields when never set).
    pub fn profile(&mut self) -> Result<BusinessProfile> {
        self.read(|tx, _| {
            Ok(tx
                .query_row(
                    "SELECT name, email, address, tax_id FROM business_profile WHERE id = 1",
                    [],
                    |r| {
                        Ok(BusinessProfile {
                            name: r.get(0)?,
                            email: r.get(1)?,
                            address: r.get(2)?,
                            tax_id: r.get(3)?,
                        })
                    },
                )
                .optional()?
                .unwrap_or_default())
        })
    }

    /// Validate and save the business profile.
    pub fn update_profile(&mut self, input: &BusinessProfile) -> Result<BusinessProfile> {
        let p = input.validate()?;
        self.write(|tx, _| {
            tx.execute(
                "INSERT INTO business_profile (id, name, email, address, tax_id)
                 VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
                     address = excluded.address, tax_id = excluded.tax_id",
                params![p.name, p.email, p.address, p.tax_id],
            )?;
            Ok(p.clone())
        })
    }
}
