//! `paydesk invoice create|list|show|edit|void|duplicate|pdf`.
//!
//! An invoice is named by its number (`INV-2026-0001`) or its id. Create, edit and duplicate
//! print the saved invoice; `show` prints it with per-line amounts and totals; `list` prints one
//! page and how many invoices match in all; `pdf` saves its document (with the live payment
//! link's QR code) and prints the path.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use paydesk_core::document::Paper;
use paydesk_core::money::{currency, DiscountKind};
use paydesk_core::{Invoice, InvoicePage, InvoiceQuery, InvoiceSort, InvoiceStatus};

use crate::context::Ctx;
use crate::exit::Failure;
use crate::invoice_form::{self, CreateArgs, EditArgs};
use crate::output::{self, Table};

/// `paydesk invoice ...`
#[derive(Debug, Subcommand)]
pub enum InvoiceCommand {
    /// Create a draft invoice with the next number.
    Create(CreateArgs),
    /// List invoices: filter, search, sort, page.
    List(ListArgs),
    /// Show an invoice with its lines and totals.
    Show {
        /// The invoice: its number or id.
        invoice: String,
    },
    /// Change an invoice; flags not given keep their values, --line replaces all lines.
    Edit(EditArgs),
    /// Void an invoice; it keeps its number, which is never given out again.
    Void {
        /// The invoice: its number or id.
        invoice: String,
    },
    /// Copy an invoice into a new draft issued today, with the next number.
    Duplicate {
        /// The invoice: its number or id.
        invoice: String,
    },
    /// Save an invoice as a PDF (with its live payment link's QR code); prints the path.
    Pdf(PdfArgs),
    /// Send the invoice: its PDF into the data folder's documents/, a mail draft (subject,
    /// amount, due date, payment link) in your mail program, and the invoice marked sent.
    /// Attach the PDF it prints to the draft.
    Send(SendArgs),
}

/// `invoice send` arguments.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The invoice: its number or id.
    invoice: String,
    /// Paper size of the PDF.
    #[arg(long, value_enum, default_value_t = PaperSize::A4)]
    paper: PaperSize,
    /// Only print the mail draft link; do not start the mail program.
    #[arg(long)]
    print: bool,
}

/// `invoice pdf` arguments.
#[derive(Debug, Args)]
pub struct PdfArgs {
    /// The invoice: its number or id.
    invoice: String,
    /// The PDF file to write (replaced atomically if it exists).
    #[arg(short, long)]
    output: PathBuf,
    /// Paper size.
    #[arg(long, value_enum, default_value_t = PaperSize::A4)]
    paper: PaperSize,
}

/// Paper sizes `invoice pdf --paper` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperSize {
    A4,
    Letter,
}

impl From<PaperSize> for Paper {
    fn from(p: PaperSize) -> Self {
        match p {
            PaperSize::A4 => Paper::A4,
            PaperSize::Letter => Paper::Letter,
        }
    }
}

/// `invoice list` flags.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only invoices with this status: draft, issued, partially_paid, paid, overdue, expired,
    /// void.
    #[arg(long)]
    status: Option<String>,
    /// Only invoices whose number or client name contains this text.
    #[arg(long, allow_hyphen_values = true)]
    search: Option<String>,
    /// Sort by this column.
    #[arg(long, value_enum, default_value_t = SortKey::DueDate)]
    sort: SortKey,
    /// Sort in descending order.
    #[arg(long)]
    desc: bool,
    /// Rows per page (1 to 500).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Rows to skip.
    #[arg(long, default_value_t = 0)]
    offset: u32,
}

/// Columns `invoice list --sort` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    DueDate,
    IssueDate,
    Number,
    Client,
    Total,
    Status,
}

impl From<SortKey> for InvoiceSort {
    fn from(k: SortKey) -> Self {
        match k {
            SortKey::DueDate => InvoiceSort::DueDate,
            SortKey::IssueDate => InvoiceSort::IssueDate,
            SortKey::Number => InvoiceSort::Number,
            SortKey::Client => InvoiceSort::Client,
            SortKey::Total => InvoiceSort::Total,
            SortKey::Status => InvoiceSort::Status,
        }
    }
}

/// Run an invoice command.
pub(crate) fn run(command: InvoiceCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    match command {
        InvoiceCommand::Create(args) => {
            let input = invoice_form::create_input(args, ctx)?;
            let inv = ctx.app()?.create_invoice(&input)?;
            ctx.emit(&inv, |out, inv| saved(out, "Created", inv))
        }
        InvoiceCommand::List(args) => {
            let status = args
                .status
                .map(|s| InvoiceStatus::parse("status", &s.trim().replace('-', "_")))
                .transpose()?;
            let query = InvoiceQuery {
                status,
                search: args.search,
                sort: args.sort.into(),
                descending: args.desc,
                limit: args.limit,
                offset: args.offset,
            };
            let page = ctx.app()?.list_invoices(&query)?;
            ctx.emit(&page, write_page)
        }
        InvoiceCommand::Show { invoice } => {
            let inv = ctx.app()?.find_invoice(&invoice)?;
            ctx.emit(&inv, write_invoice)
        }
        InvoiceCommand::Edit(args) => {
            let (current, input) = invoice_form::edit_input(args, ctx)?;
            let inv = ctx.app()?.update_invoice(&current.id, &input)?;
            ctx.emit(&inv, |out, inv| saved(out, "Updated", inv))
        }
        InvoiceCommand::Void { invoice } => {
            let app = ctx.app()?;
            let current = app.find_invoice(&invoice)?;
            let inv = app.void_invoice(&current.id)?;
            ctx.emit(&inv, |out, inv| {
                writeln!(
                    out,
                    "Voided invoice {}; its number is kept and never reused.",
                    inv.number
                )
            })
        }
        InvoiceCommand::Duplicate { invoice } => {
            let app = ctx.app()?;
            let source = app.find_invoice(&invoice)?;
            let inv = app.duplicate_invoice(&source.id)?;
            let from = source.number;
            ctx.emit(&inv, |out, inv| {
                saved(out, "Created", inv)?;
                writeln!(out, "(a copy of {from})")
            })
        }
        InvoiceCommand::Pdf(args) => {
            let saved =
                ctx.app()?
                    .save_invoice_pdf(&args.invoice, args.paper.into(), &args.output)?;
            ctx.emit(&saved, |out, s| writeln!(out, "{}", s.path))
        }
        InvoiceCommand::Send(args) => {
            let sent = ctx.app()?.send_invoice(&args.invoice, args.paper.into())?;
            if !args.print {
                open::that_detached(&sent.mailto).map_err(|e| {
                    Failure::Remote(format!(
                        "could not start the mail program ({e}); the invoice is marked sent, \
                         its PDF is {} and the draft is {}",
                        sent.pdf_path, sent.mailto
                    ))
                })?;
            }
            ctx.emit(&sent, |out, s| {
                writeln!(out, "Mail draft: {}", s.mailto)?;
                writeln!(out, "Attach: {}", s.pdf_path)?;
                writeln!(out, "Marked sent at {}", s.sent_at)
            })
        }
    }
}

fn saved(out: &mut dyn Write, verb: &str, inv: &Invoice) -> io::Result<()> {
    writeln!(
        out,
        "{verb} invoice {} ({}) for {}: total {} {}, due {}",
        inv.number,
        inv.status.as_str(),
        inv.client_name,
        inv.totals.total.to_wire(),
        inv.currency,
        inv.due_date
    )
}

fn write_page(out: &mut dyn Write, page: &InvoicePage) -> io::Result<()> {
    if !page.items.is_empty() {
        let mut t = Table::new(&[
            "Number", "Status", "Client", "Issued", "Due", "Total", "Currency",
        ])
        .align_right(5);
        for i in &page.items {
            t.row(vec![
                i.number.clone(),
                i.status.as_str().to_string(),
                i.client_name.clone(),
                i.issue_date.clone(),
                i.due_date.clone(),
                i.total.clone(),
                i.currency.clone(),
            ]);
        }
        t.write(out)?;
    }
    writeln!(out, "{} of {} invoices", page.items.len(), page.total)
}

fn write_invoice(out: &mut dyn Write, inv: &Invoice) -> io::Result<()> {
    const W: usize = 9;
    writeln!(out, "Invoice {} ({})", inv.number, inv.status.as_str())?;
    output::field(
        out,
        W,
        "Client",
        &format!("{} ({})", inv.client_name, inv.client_id),
    )?;
    output::field(out, W, "Currency", &inv.currency)?;
    output::field(out, W, "Issued", &inv.issue_date)?;
    let due = match inv.payment_terms_days {
        Some(days) => format!("{} (net {days} days)", inv.due_date),
        None => inv.due_date.clone(),
    };
    output::field(out, W, "Due", &due)?;
    if let Some(at) = &inv.voided_at {
        output::field(out, W, "Voided", at)?;
    }
    output::field(out, W, "ID", &inv.id)?;
    writeln!(out)?;

    let mut t = Table::new(&[
        "#",
        "Description",
        "Qty",
        "Unit price",
        "Tax %",
        "Disc %",
        "Amount",
        "Tax",
    ]);
    for col in [0, 2, 3, 4, 5, 6, 7] {
        t = t.align_right(col);
    }
    let decimals = currency::lookup("currency", &inv.currency).map_or(2, |c| c.decimals);
    for (i, (line, amounts)) in inv.lines.iter().zip(&inv.totals.lines).enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            line.description.clone(),
            line.quantity.clone(),
            money(&line.unit_price, decimals),
            percent(&line.tax_rate),
            percent(&line.discount),
            amounts.net.to_wire(),
            amounts.tax.to_wire(),
        ]);
    }
    t.write(out)?;
    writeln!(out)?;

    let discount_label = match inv.discount.kind {
        DiscountKind::Percent if inv.totals.discount.value.is_zero() => "Discount".to_string(),
        DiscountKind::Percent => format!("Discount ({}%)", inv.discount.value),
        DiscountKind::Amount => "Discount".to_string(),
    };
    let totals = [
        ("Subtotal".to_string(), inv.totals.subtotal.to_wire()),
        (
            discount_label,
            format!("-{}", inv.totals.discount.to_wire()),
        ),
        ("Tax".to_string(), inv.totals.tax.to_wire()),
        (
            format!("Total ({})", inv.currency),
            inv.totals.total.to_wire(),
        ),
    ];
    let label_w = totals
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let value_w = totals
        .iter()
        .map(|(_, v)| v.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in &totals {
        writeln!(out, "{:<label_w$}  {:>value_w$}", label, value)?;
    }
    output::text_block(out, "Notes", &inv.notes)?;
    output::text_block(out, "Terms", &inv.terms)
}

/// A stored percentage for display: `-` when none.
fn percent(p: &str) -> String {
    match p.trim() {
        "" | "0" => "-".to_string(),
        p => p.to_string(),
    }
}

/// A stored (normalized) amount shown like the totals: at least `min(2, decimals)` decimals.
fn money(value: &str, decimals: u32) -> String {
    let keep = decimals.min(2) as usize;
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() >= keep {
        return value.to_string();
    }
    if keep == 0 {
        return int.to_string();
    }
    format!("{int}.{frac:0<keep$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_show_at_least_the_cents() {
        assert_eq!(money("150.5", 2), "150.50");
        assert_eq!(money("7", 6), "7.00");
        assert_eq!(money("0.123456", 6), "0.123456");
        assert_eq!(money("7", 0), "7");
    }
}
