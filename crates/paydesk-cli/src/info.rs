//! `paydesk info` (version, mode, data folder, keychain) and `paydesk currencies`.

use std::io::{self, Write};

use paydesk_core::money::{Currency, CurrencyKind};
use paydesk_core::AppInfo;

use crate::context::Ctx;
use crate::exit::Failure;
use crate::output::{self, Table};

/// Run `paydesk info`.
pub(crate) fn run_info(ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let info = ctx.app()?.info();
    ctx.emit(&info, write_info)
}

/// Run `paydesk currencies`.
pub(crate) fn run_currencies(ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let currencies = paydesk_core::money::currency::CURRENCIES;
    ctx.emit(&currencies, |out, list| write_currencies(out, list))
}

fn write_info(out: &mut dyn Write, i: &AppInfo) -> io::Result<()> {
    const W: usize = 9;
    output::field(out, W, "Version", i.version)?;
    output::field(out, W, "Mode", i.mode.as_str())?;
    output::field(out, W, "Data", &i.data_dir)?;
    output::field(out, W, "Database", &i.database_path)?;
    let keychain = if i.keychain.available {
        "available".to_string()
    } else {
        // The message already says "keychain unavailable: <why>".
        i.keychain
            .message
            .clone()
            .unwrap_or_else(|| "unavailable".to_string())
    };
    output::field(out, W, "Keychain", &keychain)
}

fn write_currencies(out: &mut dyn Write, list: &[Currency]) -> io::Result<()> {
    let mut t = Table::new(&["ID", "Name", "Decimals", "Kind"]).align_right(2);
    for c in list {
        let kind = match c.kind {
            CurrencyKind::Crypto => "crypto",
            CurrencyKind::Fiat => "fiat (display only)",
        };
        t.row(vec![
            c.id.to_string(),
            c.label.to_string(),
            c.decimals.to_string(),
            kind.to_string(),
        ]);
    }
    t.write(out)
}
