//! `paydesk settings [show|set|mode|payment|payout]` and `paydesk profile [show|set]`.
//!
//! `set` changes only the flags given. `settings mode live` switches to the live database (and
//! the live credentials); Test mode and live mode never share invoices or secrets.

use std::io::{self, Write};

use clap::{Subcommand, ValueEnum};
use paydesk_core::{BusinessProfile, Error, Mode, Settings, SettingsInput};
use serde::Serialize;

use crate::context::Ctx;
use crate::exit::Failure;
use crate::output;

/// `paydesk settings ...` (no subcommand shows them).
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the settings.
    Show,
    /// Change settings; flags not given keep their values.
    Set {
        /// Currency new invoices use, e.g. USDC-base or EUR.
        #[arg(long, value_name = "CURRENCY")]
        default_currency: Option<String>,
        /// Invoice number pattern, e.g. INV-{YYYY}-{SEQ:4}; tokens {YYYY} {YY} {MM} {SEQ} {SEQ:n}.
        #[arg(long, value_name = "PATTERN")]
        numbering_pattern: Option<String>,
        /// Default payment terms in days (7, 14, 30, 60), or `none`.
        #[arg(long, value_name = "DAYS|none")]
        terms: Option<String>,
    },
    /// Show or change where payment links pay to, and the default redirect after payment.
    Payment(crate::links::PaymentArgs),
    /// Show or change the wallets that create and sign payouts (EVM, Tron).
    Payout(crate::payouts::PayoutSettingsArgs),
    /// Show the mode, or switch between Test mode and live mode (separate books).
    Mode {
        /// The mode to switch to.
        #[arg(value_enum)]
        mode: Option<ModeArg>,
    },
}

/// `test` or `live`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Test,
    Live,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Test => Mode::Test,
            ModeArg::Live => Mode::Live,
        }
    }
}

/// `paydesk profile ...` (no subcommand shows it).
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Show your business profile.
    Show,
    /// Change your business profile; flags not given keep their values.
    Set {
        /// Business name.
        #[arg(long)]
        name: Option<String>,
        /// Business email.
        #[arg(long)]
        email: Option<String>,
        /// Postal address (may span lines).
        #[arg(long, allow_hyphen_values = true)]
        address: Option<String>,
        /// Tax or VAT id.
        #[arg(long)]
        tax_id: Option<String>,
    },
    /// Show, choose (a PNG or JPEG file) or clear the logo printed on invoice PDFs.
    Logo {
        /// The logo file; without it (and without --clear) shows the current one.
        #[arg(conflicts_with = "clear")]
        path: Option<std::path::PathBuf>,
        /// Print no logo.
        #[arg(long)]
        clear: bool,
    },
}

/// What `profile logo` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LogoView {
    logo_path: Option<String>,
}

/// What `settings mode` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModeView {
    mode: Mode,
    database_path: String,
}

/// Run a settings command.
pub(crate) fn run_settings(
    command: Option<SettingsCommand>,
    ctx: &mut Ctx<'_, '_>,
) -> Result<(), Failure> {
    match command.unwrap_or(SettingsCommand::Show) {
        SettingsCommand::Show => {
            let s = ctx.app()?.settings()?;
            ctx.emit(&s, write_settings)
        }
        SettingsCommand::Set {
            default_currency,
            numbering_pattern,
            terms,
        } => {
            let terms = terms.as_deref().map(parse_terms).transpose()?;
            let app = ctx.app()?;
            let current = app.settings()?;
            let input = SettingsInput {
                default_currency: default_currency.unwrap_or(current.default_currency),
                numbering_pattern: numbering_pattern.unwrap_or(current.numbering_pattern),
                default_payment_terms_days: terms.unwrap_or(current.default_payment_terms_days),
            };
            let s = app.update_settings(&input)?;
            ctx.emit(&s, write_settings)
        }
        SettingsCommand::Payment(args) => crate::links::run_payment_settings(args, ctx),
        SettingsCommand::Payout(args) => crate::payouts::run_payout_settings(args, ctx),
        SettingsCommand::Mode { mode } => {
            let app = ctx.app()?;
            if let Some(m) = mode {
                app.set_mode(m.into())?;
            }
            let view = ModeView {
                mode: app.mode(),
                database_path: app.store().path().display().to_string(),
            };
            ctx.emit(&view, |out, v| {
                let name = match v.mode {
                    Mode::Test => "Test mode",
                    Mode::Live => "live mode",
                };
                writeln!(out, "{name} ({})", v.database_path)
            })
        }
    }
}

/// `7|14|30|60` or `none`; the engine checks the number is one it offers.
fn parse_terms(text: &str) -> Result<Option<u32>, Error> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| Error::invalid("terms", "must be 7, 14, 30, 60 or none"))
}

fn write_settings(out: &mut dyn Write, s: &Settings) -> io::Result<()> {
    const W: usize = 18;
    output::field(out, W, "Mode", s.mode.as_str())?;
    output::field(out, W, "Default currency", &s.default_currency)?;
    output::field(out, W, "Numbering pattern", &s.numbering_pattern)?;
    let terms = match s.default_payment_terms_days {
        Some(d) => format!("{d} days"),
        None => "none".to_string(),
    };
    output::field(out, W, "Payment terms", &terms)
}

/// Run a profile command.
pub(crate) fn run_profile(
    command: Option<ProfileCommand>,
    ctx: &mut Ctx<'_, '_>,
) -> Result<(), Failure> {
    match command.unwrap_or(ProfileCommand::Show) {
        ProfileCommand::Show => {
            let p = ctx.app()?.profile()?;
            ctx.emit(&p, write_profile)
        }
        ProfileCommand::Set {
            name,
            email,
            address,
            tax_id,
        } => {
            let app = ctx.app()?;
            let current = app.profile()?;
            let input = BusinessProfile {
                name: name.unwrap_or(current.name),
                email: email.unwrap_or(current.email),
                address: address.unwrap_or(current.address),
                tax_id: tax_id.unwrap_or(current.tax_id),
            };
            let p = app.update_profile(&input)?;
            ctx.emit(&p, write_profile)
        }
        ProfileCommand::Logo { path, clear } => {
            let app = ctx.app()?;
            let logo = match (path, clear) {
                (Some(p), _) => app.set_logo(Some(&p))?,
                (None, true) => app.set_logo(None)?,
                (None, false) => app.logo_path()?,
            };
            let view = LogoView {
                logo_path: logo.map(|p| p.display().to_string()),
            };
            ctx.emit(&view, |out, v| match &v.logo_path {
                Some(p) => writeln!(out, "Logo: {p}"),
                None => writeln!(out, "No logo"),
            })
        }
    }
}

fn write_profile(out: &mut dyn Write, p: &BusinessProfile) -> io::Result<()> {
    const W: usize = 7;
    output::field(out, W, "Name", &p.name)?;
    output::field(out, W, "Email", &p.email)?;
    output::field(out, W, "Tax ID", &p.tax_id)?;
    output::text_block(out, "Address", &p.address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_take_days_or_none() {
        assert_eq!(parse_terms("30").unwrap(), Some(30));
        assert_eq!(parse_terms("none").unwrap(), None);
        assert_eq!(parse_terms("soon").unwrap_err().field(), Some("terms"));
    }
}
