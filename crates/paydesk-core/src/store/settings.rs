//! Settings (key/value, never secrets) and the business profile.

use rusqlite::{params, OptionalExtension, Transaction};

use super::Store;
use crate::domain::numbering::DEFAULT_PATTERN;
use crate::domain::{BusinessProfile, Mode, Settings, SettingsInput};
use crate::error::Result;

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

impl Store {
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
