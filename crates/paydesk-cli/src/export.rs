//! `paydesk export invoices|payments|payouts --from D --to D -o FILE` (CSV for the accountant)
//! and `paydesk export history INV -o FILE` (one invoice's whole history as JSON). Files are
//! written atomically; amounts are the books' exact decimal strings; no secret is ever in them.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use paydesk_core::export::{DateRange, ExportKind};
use paydesk_core::Error;
use serde::Serialize;

use crate::context::Ctx;
use crate::exit::Failure;

/// `paydesk export ...`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Invoices issued in a date range, as CSV.
    Invoices(RangeArgs),
    /// Payments received in a date range (amount paid, tx hash, network, payer), as CSV.
    Payments(RangeArgs),
    /// Payouts approved in a date range, as CSV.
    Payouts(RangeArgs),
    /// One invoice's whole history (links, status events, webhooks), as JSON.
    History {
        /// The invoice: its number or id.
        invoice: String,
        /// The file to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// The range and the file of a CSV export.
#[derive(Debug, clap::Args)]
pub struct RangeArgs {
    /// First day, `YYYY-MM-DD` (inclusive).
    #[arg(long, value_name = "DATE")]
    from: String,
    /// Last day, `YYYY-MM-DD` (inclusive).
    #[arg(long, value_name = "DATE")]
    to: String,
    /// The CSV file to write.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Written {
    path: String,
    rows: Option<usize>,
}

/// Run an export command.
pub(crate) fn run(command: ExportCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let app = ctx.app()?;
    let written = match command {
        ExportCommand::Invoices(a) => csv(app, ExportKind::Invoices, a)?,
        ExportCommand::Payments(a) => csv(app, ExportKind::Payments, a)?,
        ExportCommand::Payouts(a) => csv(app, ExportKind::Payouts, a)?,
        ExportCommand::History { invoice, output } => {
            let history = app.invoice_history(&invoice)?;
            let bytes = serde_json::to_vec_pretty(&history)
                .map_err(|e| Error::invalid("history", format!("cannot be written: {e}")))?;
            let path = paydesk_core::fsutil::write_atomically(&output, &bytes)?;
            Written {
                path: path.display().to_string(),
                rows: None,
            }
        }
    };
    ctx.emit(&written, |out: &mut dyn Write, w| match w.rows {
        Some(n) => writeln!(out, "Wrote {n} rows to {}", w.path),
        None => writeln!(out, "Wrote {}", w.path),
    })
}

fn csv(
    app: &mut paydesk_core::Paydesk,
    kind: ExportKind,
    a: RangeArgs,
) -> Result<Written, Failure> {
    let range = DateRange::parse(&a.from, &a.to)?;
    let (path, rows) = app.write_export(kind, range, &a.output)?;
    Ok(Written {
        path: path.display().to_string(),
        rows: Some(rows),
    })
}
