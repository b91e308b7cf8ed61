//! `paydesk link create|show|reissue|open|void` and `paydesk settings payment`.
//!
//! `link create` validates and queues the link request (the invoice's amounts lock from here),
//! then runs one sender pass ([`crate::outbox`]): in Test mode against the data folder's
//! sandbox, in live mode against the Request API. The result is the live link (URL, token,
//! expiry, and with `--qr` its QR code in the terminal), or, when the API or the network failed
//! in a way worth retrying, the queued request: `queued: <reason>` and exit 0 (`"state":"queued"`
//! in JSON). A refusal for good (the API rejected the request, bad credentials) exits 1 with the
//! API's message. `link show` prints the live link, the queued request or why the API refused it,
//! and the invoice's link history (the phase comes from the engine's `link_overview`, the one
//! the app shows), and exports the QR code as PNG or SVG.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use paydesk_core::{Error, LinkOptions, LinkPhase, OutboxItem, PaymentLink, PaymentSettings};
use serde::Serialize;

use crate::context::Ctx;
use crate::exit::Failure;
use crate::outbox::Sender;
use crate::output::{self, Table};

/// `paydesk link ...`
#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Request a payment link for an invoice and send it (queued when the API is unreachable).
    Create(CreateArgs),
    /// Show an invoice's live link (or its queued request) and its link history.
    Show {
        /// The invoice: its number or id.
        invoice: String,
        /// Print the QR code of the link in the terminal.
        #[arg(long)]
        qr: bool,
        /// Write the QR code of the link as a PNG image to this file.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        /// Write the QR code of the link as an SVG image to this file.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
    },
    /// Replace an expired link with a fresh one; the old one stays in the history.
    Reissue(CreateArgs),
    /// Open the invoice's live link in the default browser, or with --email a mail draft to
    /// the client (number, amount, due date and link) in the default mail program.
    Open {
        /// The invoice: its number or id.
        invoice: String,
        /// Open an email draft instead of the payer page.
        #[arg(long)]
        email: bool,
    },
    /// Void the invoice's live or queued link; its amounts can be edited again.
    Void {
        /// The invoice: its number or id.
        invoice: String,
    },
}

/// `link create` / `link reissue` flags.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The invoice: its number or id.
    invoice: String,
    /// Where the payer page sends the payer after paying (default: payment settings).
    #[arg(long, value_name = "URL")]
    redirect_url: Option<String>,
    /// The text of the payer page's redirect button (default: payment settings).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    redirect_label: Option<String>,
    /// Print the QR code of the link in the terminal.
    #[arg(long)]
    qr: bool,
}

/// `paydesk settings payment` flags (none: show).
#[derive(Debug, Args)]
pub struct PaymentArgs {
    /// Pay to this destination ID (copy it from the Request dashboard).
    #[arg(long, value_name = "ID", conflicts_with_all = ["use_bound_destination", "payee", "payment_currency"])]
    destination_id: Option<String>,
    /// Pay to the destination bound to your client ID.
    #[arg(long, conflicts_with_all = ["payee", "payment_currency"])]
    use_bound_destination: bool,
    /// Legacy: pay to this EVM address (with --payment-currency).
    #[arg(long, value_name = "ADDR", requires = "payment_currency")]
    payee: Option<String>,
    /// Legacy: the crypto currency the payer pays in, e.g. USDC-base (with --payee).
    #[arg(long, value_name = "CURRENCY", requires = "payee")]
    payment_currency: Option<String>,
    /// Default redirect URL after payment ('' clears it).
    #[arg(long, value_name = "URL")]
    redirect_url: Option<String>,
    /// Default redirect button text ('' clears it).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    redirect_label: Option<String>,
}

/// What `link open` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Opened {
    invoice_number: String,
    /// `browser` or `email`.
    target: &'static str,
    /// The URL handed to the OS.
    opened: String,
}

/// What link commands print.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkView {
    invoice_id: String,
    invoice_number: String,
    /// `live`, `expired`, `queued` (waiting to be sent), `failed` or `none`.
    state: LinkPhase,
    /// The live link, or the expired one.
    link: Option<PaymentLink>,
    /// The queued request, with its last error.
    pending: Option<OutboxItem>,
    /// Why the request is still queued or failed.
    message: Option<String>,
    /// Every link the invoice had, oldest first.
    history: Vec<PaymentLink>,
    /// The amounts cannot be edited until the link is voided.
    locked: bool,
    /// Files the QR code was written to.
    exported: Vec<String>,
    #[serde(skip)]
    qr: bool,
}

/// The invoice's link state as the user sees it; `unreachable` explains a request that is
/// queued without an error of its own (the API could not be reached to send it).
fn view(
    app: &mut paydesk_core::Paydesk,
    invoice_id: &str,
    invoice_number: &str,
    unreachable: Option<String>,
) -> Result<LinkView, Failure> {
    let o = app.link_overview(invoice_id)?;
    let untried =
        o.phase == LinkPhase::Queued && o.pending.as_ref().is_some_and(|p| p.last_error.is_none());
    let message = match unreachable {
        Some(why) if untried => Some(why),
        _ => o.message,
    };
    Ok(LinkView {
        invoice_id: invoice_id.to_string(),
        invoice_number: invoice_number.to_string(),
        state: o.phase,
        link: o.current,
        pending: o.pending,
        message,
        history: o.history,
        locked: o.locked,
        exported: Vec::new(),
        qr: false,
    })
}

/// Run a link command.
pub(crate) fn run(command: LinkCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    match command {
        LinkCommand::Create(args) => create(args, false, ctx),
        LinkCommand::Reissue(args) => create(args, true, ctx),
        LinkCommand::Show {
            invoice,
            qr,
            png,
            svg,
        } => {
            let app = ctx.app()?;
            let inv = app.find_invoice(&invoice)?;
            let mut v = view(app, &inv.id, &inv.number, None)?;
            if png.is_some() || svg.is_some() {
                let url = match &v.link {
                    Some(l) => l.secure_payment_url.clone(),
                    None => {
                        return Err(Error::conflict(
                            None,
                            format!("{} has no payment link to export yet", inv.number),
                        )
                        .into())
                    }
                };
                if let Some(path) = png {
                    let bytes = paydesk_core::qr::png(&url)?;
                    write_file(&path, &bytes)?;
                    v.exported.push(path.display().to_string());
                }
                if let Some(path) = svg {
                    let text = paydesk_core::qr::svg(&url)?;
                    write_file(&path, text.as_bytes())?;
                    v.exported.push(path.display().to_string());
                }
            }
            v.qr = qr;
            ctx.emit(&v, write_view)
        }
        LinkCommand::Open { invoice, email } => {
            let app = ctx.app()?;
            let inv = app.find_invoice(&invoice)?;
            let share = app.link_share(&inv.id)?;
            // Just shared: polled often for a while (by the app or `paydesk sync`).
            app.watch_invoice(&inv.id)?;
            let (target, what) = if email {
                (share.mailto, "mail program")
            } else {
                (share.url, "browser")
            };
            open::that_detached(&target).map_err(|e| {
                Failure::Remote(format!(
                    "could not start the default {what} ({e}); open this yourself: {target}"
                ))
            })?;
            let opened = Opened {
                invoice_number: inv.number,
                target: if email { "email" } else { "browser" },
                opened: target,
            };
            ctx.emit(&opened, |out, o| {
                writeln!(out, "Opened in the default {what}: {}", o.opened)
            })
        }
        LinkCommand::Void { invoice } => {
            let app = ctx.app()?;
            let inv = app.find_invoice(&invoice)?;
            app.void_link(&inv.id)?;
            let v = view(app, &inv.id, &inv.number, None)?;
            ctx.emit(&v, write_view)
        }
    }
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

fn create(args: CreateArgs, reissue: bool, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let options = LinkOptions {
        redirect_url: args.redirect_url,
        redirect_label: args.redirect_label,
    };
    let app = ctx.app()?;
    let inv = app.find_invoice(&args.invoice)?;
    // Where to send first: live mode without credentials fails here, before anything is
    // queued. Then the engine validates (nothing is queued on bad input) and queues.
    let sender = Sender::for_app(app)?;
    if reissue {
        app.reissue_link(&inv.id, &options)?;
    } else {
        app.request_link(&inv.id, &options)?;
    }
    let unreachable = sender.run(app)?.err();
    drop(sender);
    let mut v = view(app, &inv.id, &inv.number, unreachable)?;
    if v.state == LinkPhase::Failed {
        // The API refused the request just queued for good.
        return Err(Failure::Remote(
            v.message
                .unwrap_or_else(|| "the API refused the payment link".to_string()),
        ));
    }
    v.qr = args.qr;
    ctx.emit(&v, write_view)
}

fn write_view(out: &mut dyn Write, v: &LinkView) -> io::Result<()> {
    const W: usize = 8;
    match (v.state, &v.link, &v.pending) {
        (LinkPhase::Queued, _, Some(p)) => {
            writeln!(
                out,
                "queued: {}; run `paydesk outbox retry` to send it again",
                v.message.as_deref().unwrap_or("not sent yet")
            )?;
            output::field(out, W, "Invoice", &v.invoice_number)?;
            output::field(out, W, "Outbox", &p.id)?;
            output::field(out, W, "Next try", &p.next_attempt_at)?;
        }
        (LinkPhase::Failed, _, _) => {
            writeln!(
                out,
                "failed: {}; fix the cause, then run `paydesk outbox retry`",
                v.message
                    .as_deref()
                    .unwrap_or("the API refused the payment link")
            )?;
            output::field(out, W, "Invoice", &v.invoice_number)?;
        }
        (state, Some(l), _) => {
            output::field(out, W, "Invoice", &v.invoice_number)?;
            output::field(out, W, "State", state.as_str())?;
            output::field(out, W, "URL", &l.secure_payment_url)?;
            output::field(out, W, "Token", &l.token)?;
            output::field(out, W, "Amount", &format!("{} {}", l.amount, l.currency))?;
            output::field(out, W, "Expires", &l.expires_at)?;
            if v.qr && state == LinkPhase::Live {
                let code = paydesk_core::qr::terminal(&l.secure_payment_url)
                    .map_err(|e| io::Error::other(e.to_string()))?;
                writeln!(out)?;
                writeln!(out, "{code}")?;
            }
        }
        _ => writeln!(out, "{} has no payment link.", v.invoice_number)?,
    }
    for path in &v.exported {
        writeln!(out, "QR code written to {path}")?;
    }
    if v.history.len() > 1 || v.link.is_none() && !v.history.is_empty() {
        writeln!(out)?;
        writeln!(out, "History:")?;
        let mut t = Table::new(&["CREATED", "STATUS", "EXPIRES", "URL"]);
        for l in &v.history {
            t.row(vec![
                l.created_at.clone(),
                l.status.as_str().to_string(),
                l.expires_at.clone(),
                l.secure_payment_url.clone(),
            ]);
        }
        t.write(out)?;
    }
    Ok(())
}

/// Run `paydesk settings payment [flags]`.
pub(crate) fn run_payment_settings(
    args: PaymentArgs,
    ctx: &mut Ctx<'_, '_>,
) -> Result<(), Failure> {
    let app = ctx.app()?;
    let mut s = app.payment_settings()?;
    let changed = args.destination_id.is_some()
        || args.use_bound_destination
        || args.payee.is_some()
        || args.redirect_url.is_some()
        || args.redirect_label.is_some();
    if let Some(id) = args.destination_id {
        s = PaymentSettings {
            destination_id: Some(id),
            use_bound_destination: false,
            payee_address: None,
            payment_currency: None,
            ..s
        };
    } else if args.use_bound_destination {
        s = PaymentSettings {
            destination_id: None,
            use_bound_destination: true,
            payee_address: None,
            payment_currency: None,
            ..s
        };
    } else if let (Some(payee), Some(cur)) = (args.payee, args.payment_currency) {
        s = PaymentSettings {
            destination_id: None,
            use_bound_destination: false,
            payee_address: Some(payee),
            payment_currency: Some(cur),
            ..s
        };
    }
    if let Some(url) = args.redirect_url {
        s.redirect_url = Some(url);
    }
    if let Some(label) = args.redirect_label {
        s.redirect_label = Some(label);
    }
    let s = if changed {
        app.set_payment_settings(&s)?
    } else {
        s
    };
    ctx.emit(&s, |out, s| {
        const W: usize = 16;
        let destination = match (&s.destination_id, &s.payee_address) {
            (Some(id), _) => id.clone(),
            (None, Some(payee)) => format!(
                "{payee} in {}",
                s.payment_currency.as_deref().unwrap_or("?")
            ),
            (None, None) if s.use_bound_destination => "bound to the client ID".into(),
            (None, None) => "not set (Test mode uses the sandbox's)".into(),
        };
        output::field(out, W, "Destination", &destination)?;
        output::field(
            out,
            W,
            "Redirect URL",
            s.redirect_url.as_deref().unwrap_or("-"),
        )?;
        output::field(
            out,
            W,
            "Redirect label",
            s.redirect_label.as_deref().unwrap_or("-"),
        )
    })
}
