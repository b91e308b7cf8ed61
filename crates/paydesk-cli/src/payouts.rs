//! `paydesk contractor add|list|show|edit`, `paydesk payout draft|list|show|review|approve|
//! cancel|open|batch|qr` and `paydesk settings payout`: paying contractors through payout links
//! the freelancer signs with their own wallet.
//!
//! A contractor's payout address is pinned: `contractor edit` refuses a new address or network
//! (exit 5, conflict on `address`) unless `--confirm-address-change` is given, and the next
//! payout to that contractor is flagged. A contractor is named by its id or its exact name
//! (case-insensitive when the exact spelling matches none); a payout by its number (`PO-0001`)
//! or id.
//!
//! `payout approve` is the deliberate second step: it prints the review (full address, network,
//! amount, a loud line when the address changed), then on a terminal asks for the last 6
//! characters of the address; without a terminal the full address must be given with
//! `--address` (the engine refuses any other). Then, like `link create`, it runs one sender pass:
//! the result is the live payout link (URL) or the approved payout still queued with the reason.
//! `outbox send|retry` and `sync` send approved payouts and batches too.

use std::io::{self, Write};

use clap::{Args, Subcommand};
use paydesk_core::outbox::SendReport;
use paydesk_core::{
    Batch, Contractor, ContractorDetail, ContractorInput, Error, Paydesk, Payout, PayoutInput,
    PayoutReview, PayoutSettings, PayoutState, PayoutSummary,
};
use serde::Serialize;

use crate::context::Ctx;
use crate::exit::Failure;
use crate::outbox::Sender;
use crate::output::{self, Table};

/// How many trailing characters of the address `payout approve` asks for on a terminal.
const CONFIRM_CHARS: usize = 6;

/// `paydesk contractor ...`
#[derive(Debug, Subcommand)]
pub enum ContractorCommand {
    /// Add a contractor with the address payouts go to.
    Add {
        /// The contractor's name (required).
        #[arg(long)]
        name: String,
        /// Email address.
        #[arg(long)]
        email: Option<String>,
        /// The payout network: mainnet, arbitrum-one, optimism, base, matic, bsc, tron or sepolia.
        #[arg(long, value_name = "NETWORK")]
        network: String,
        /// The wallet address on that network (EVM addresses are stored checksummed).
        #[arg(long, value_name = "ADDR")]
        address: String,
        /// Default payout currency: a token on the network, e.g. USDC-base.
        #[arg(long, value_name = "CURRENCY")]
        currency: Option<String>,
    },
    /// List contractors, optionally only those whose name or email contains a text.
    List {
        /// Only contractors whose name or email contains this text.
        #[arg(long, allow_hyphen_values = true)]
        search: Option<String>,
    },
    /// Show one contractor and its address history.
    Show {
        /// The contractor's id or exact name.
        contractor: String,
    },
    /// Change a contractor; fields not given keep their values. A new address or network needs
    /// --confirm-address-change.
    Edit {
        /// The contractor's id or exact name.
        contractor: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new email address ('' clears it).
        #[arg(long)]
        email: Option<String>,
        /// A new payout network (needs --confirm-address-change).
        #[arg(long, value_name = "NETWORK")]
        network: Option<String>,
        /// A new wallet address (needs --confirm-address-change).
        #[arg(long, value_name = "ADDR")]
        address: Option<String>,
        /// A new default payout currency ('' clears it).
        #[arg(long, value_name = "CURRENCY")]
        currency: Option<String>,
        /// Confirm a new address or network (checked with the contractor through another
        /// channel); the change is recorded and the next payout is flagged.
        #[arg(long)]
        confirm_address_change: bool,
    },
}

/// `paydesk payout ...`
#[derive(Debug, Subcommand)]
pub enum PayoutCommand {
    /// Draft a payout to a contractor (nothing is sent until it is approved).
    Draft {
        /// The contractor's id or exact name.
        #[arg(long)]
        contractor: String,
        /// The amount, e.g. 250.50 (at most the token's decimals).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// The token paid, on the contractor's network [default: the contractor's currency].
        #[arg(long, value_name = "CURRENCY")]
        currency: Option<String>,
        /// A reference the contractor sees, e.g. their invoice number.
        #[arg(long, allow_hyphen_values = true)]
        reference: Option<String>,
        /// A private memo.
        #[arg(long, allow_hyphen_values = true)]
        memo: Option<String>,
        /// The invoice this payout settles: its number or id.
        #[arg(long, value_name = "INVOICE")]
        invoice: Option<String>,
    },
    /// List payouts, newest first.
    List {
        /// Only payouts in this state: draft, approved, live, paid, expired, cancelled, failed
        /// or batched.
        #[arg(long)]
        state: Option<String>,
    },
    /// Show a payout, its link and its history.
    Show {
        /// The payout: its number (PO-0001) or id.
        payout: String,
    },
    /// Show what to check before approving: recipient, full address, network, amount.
    Review {
        /// The payout: its number (PO-0001) or id.
        payout: String,
    },
    /// Approve a draft (after its review) and send its payout link request at once.
    Approve {
        /// The payout: its number (PO-0001) or id.
        payout: String,
        /// The full address the review shows (required when stdin is not a terminal; on a
        /// terminal you type its last 6 characters instead).
        #[arg(long, value_name = "FULL_ADDRESS")]
        address: Option<String>,
    },
    /// Cancel a draft, an approved payout, or a live one whose link was never opened.
    Cancel {
        /// The payout: its number (PO-0001) or id.
        payout: String,
    },
    /// Open the payout's live link in the default browser to sign it (recorded as opened: it
    /// can no longer be cancelled).
    Open {
        /// The payout: its number (PO-0001) or id.
        payout: String,
        /// Only print the URL (still recorded as opened); do not start the browser.
        #[arg(long)]
        print: bool,
    },
    /// Combine two or more live, never-opened EVM payouts on one network into one batch link.
    Batch {
        /// The payouts: numbers (PO-0001) or ids.
        #[arg(required = true, num_args = 2..)]
        payouts: Vec<String>,
    },
    /// Print the QR code of the payout's live link in the terminal.
    Qr {
        /// The payout: its number (PO-0001) or id.
        payout: String,
    },
}

/// `paydesk settings payout` flags (none: show).
#[derive(Debug, Args)]
pub struct PayoutSettingsArgs {
    /// The wallet that creates and signs payouts on EVM networks ('' clears it).
    #[arg(long, value_name = "ADDR")]
    evm_wallet: Option<String>,
    /// The wallet that creates and signs payouts on Tron ('' clears it).
    #[arg(long, value_name = "ADDR")]
    tron_wallet: Option<String>,
}

/// Run a contractor command.
pub(crate) fn run_contractor(
    command: ContractorCommand,
    ctx: &mut Ctx<'_, '_>,
) -> Result<(), Failure> {
    match command {
        ContractorCommand::Add {
            name,
            email,
            network,
            address,
            currency,
        } => {
            let input = ContractorInput {
                name,
                email,
                network,
                address,
                default_currency: currency,
            };
            let c = ctx.app()?.create_contractor(&input)?;
            ctx.emit(&c, |out, c| {
                writeln!(
                    out,
                    "Added contractor {} ({}), paid on {} to {}",
                    c.name,
                    c.id,
                    c.network.label(),
                    c.address
                )
            })
        }
        ContractorCommand::List { search } => {
            let list = ctx.app()?.list_contractors(search.as_deref())?;
            ctx.emit(&list, write_contractors)
        }
        ContractorCommand::Show { contractor } => {
            let detail = resolve_contractor(ctx.app()?, &contractor)?;
            ctx.emit(&detail, write_contractor)
        }
        ContractorCommand::Edit {
            contractor,
            name,
            email,
            network,
            address,
            currency,
            confirm_address_change,
        } => {
            let app = ctx.app()?;
            let current = resolve_contractor(app, &contractor)?.contractor;
            let input = ContractorInput {
                name: name.unwrap_or(current.name),
                email: email.or(current.email),
                network: network.unwrap_or_else(|| current.network.as_str().to_string()),
                address: address.unwrap_or(current.address),
                default_currency: currency.or(current.default_currency),
            };
            let updated = app
                .update_contractor(&current.id, &input, confirm_address_change)
                .map_err(|e| match e {
                    Error::Conflict {
                        field: Some(field),
                        message,
                    } if field == "address" && !confirm_address_change => Error::Conflict {
                        field: Some(field),
                        message: format!(
                            "{message}; nothing was saved. Check the new address with the \
                             contractor, then re-run with --confirm-address-change"
                        ),
                    },
                    other => other,
                })?;
            ctx.emit(&updated, |out, c| {
                writeln!(out, "Updated contractor {} ({})", c.name, c.id)
            })
        }
    }
}

/// Find a contractor by id, else by exact name (then by name ignoring case).
pub(crate) fn resolve_contractor(
    app: &mut Paydesk,
    id_or_name: &str,
) -> Result<ContractorDetail, Error> {
    match app.contractor(id_or_name) {
        Err(Error::NotFound { .. }) => {}
        other => return other,
    }
    let wanted = id_or_name.trim();
    let candidates = app.list_contractors(Some(wanted))?;
    let exact: Vec<&Contractor> = candidates.iter().filter(|c| c.name == wanted).collect();
    let matches = if exact.is_empty() {
        let lower = wanted.to_lowercase();
        candidates
            .iter()
            .filter(|c| c.name.to_lowercase() == lower)
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => app.contractor(&one.id),
        [] => Err(Error::NotFound {
            what: "contractor",
            id: short(id_or_name),
        }),
        many => Err(Error::invalid(
            "contractor",
            format!(
                "{} contractors are named \"{}\"; give the contractor id instead",
                many.len(),
                short(wanted)
            ),
        )),
    }
}

/// The start of a user-typed reference, for messages.
fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        s.chars().take(60).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

/// `0x5aAeb6…1BeAed`: enough to recognise an address in a table (never to confirm one).
fn short_address(a: &str) -> String {
    let n = a.chars().count();
    if n <= 16 {
        return a.to_string();
    }
    let head: String = a.chars().take(8).collect();
    let tail: String = a.chars().skip(n - 6).collect();
    format!("{head}…{tail}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn write_contractors(out: &mut dyn Write, list: &Vec<Contractor>) -> io::Result<()> {
    if list.is_empty() {
        return writeln!(out, "No contractors.");
    }
    let mut t =
        Table::new(&["ID", "Name", "Network", "Address", "Currency", "Payouts"]).align_right(5);
    for c in list {
        t.row(vec![
            c.id.clone(),
            c.name.clone(),
            c.network.as_str().to_string(),
            short_address(&c.address),
            c.default_currency.clone().unwrap_or_default(),
            c.payout_count.to_string(),
        ]);
    }
    t.write(out)?;
    writeln!(out, "{} contractor{}", list.len(), plural(list.len()))
}

fn write_contractor(out: &mut dyn Write, d: &ContractorDetail) -> io::Result<()> {
    const W: usize = 16;
    let c = &d.contractor;
    output::field(out, W, "Name", &c.name)?;
    output::field(out, W, "ID", &c.id)?;
    output::field(out, W, "Email", c.email.as_deref().unwrap_or(""))?;
    output::field(
        out,
        W,
        "Network",
        &format!("{} [{}]", c.network.label(), c.network.as_str()),
    )?;
    output::field(out, W, "Address", &c.address)?;
    output::field(
        out,
        W,
        "Currency",
        c.default_currency.as_deref().unwrap_or(""),
    )?;
    output::field(out, W, "Payouts", &c.payout_count.to_string())?;
    output::field(
        out,
        W,
        "Address changed",
        c.address_changed_at.as_deref().unwrap_or("never"),
    )?;
    output::field(out, W, "Added", &c.created_at)?;
    writeln!(out)?;
    writeln!(out, "Address history:")?;
    for h in &d.history {
        match &h.old_address {
            Some(old) => writeln!(
                out,
                "  {}  {}  {old} -> {}",
                h.at,
                h.network.as_str(),
                h.new_address
            )?,
            None => writeln!(out, "  {}  {}  {}", h.at, h.network.as_str(), h.new_address)?,
        }
    }
    Ok(())
}

/// Run `paydesk settings payout [flags]`.
pub(crate) fn run_payout_settings(
    args: PayoutSettingsArgs,
    ctx: &mut Ctx<'_, '_>,
) -> Result<(), Failure> {
    let app = ctx.app()?;
    let current = app.payout_settings()?;
    let s = if args.evm_wallet.is_some() || args.tron_wallet.is_some() {
        app.set_payout_settings(&PayoutSettings {
            evm_wallet: args.evm_wallet.or(current.evm_wallet),
            tron_wallet: args.tron_wallet.or(current.tron_wallet),
        })?
    } else {
        current
    };
    ctx.emit(&s, |out, s| {
        const W: usize = 11;
        let unset = "not set (payouts on these networks cannot be approved)";
        output::field(
            out,
            W,
            "EVM wallet",
            s.evm_wallet.as_deref().unwrap_or(unset),
        )?;
        output::field(
            out,
            W,
            "Tron wallet",
            s.tron_wallet.as_deref().unwrap_or(unset),
        )
    })
}

/// What `payout approve` prints: the payout after the send pass.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Sent {
    #[serde(flatten)]
    payout: Payout,
    /// Why it is still waiting to be sent (state `approved`).
    queued_reason: Option<String>,
}

/// What `payout open` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Opened {
    payout_number: String,
    /// The URL handed to the OS (or only printed, with --print).
    opened: String,
    /// Whether the default browser was started.
    launched: bool,
}

/// One payout of a batch.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchChild {
    id: String,
    number: String,
    state: PayoutState,
    contractor_name: String,
    amount: String,
    currency: String,
}

/// What `payout batch` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchView {
    #[serde(flatten)]
    batch: Batch,
    payouts: Vec<BatchChild>,
    /// Why the batch link is still waiting to be sent.
    queued_reason: Option<String>,
}

/// What `payout qr` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QrView {
    payout_number: String,
    url: String,
    #[serde(skip)]
    code: String,
}

/// Run a payout command.
pub(crate) fn run_payout(command: PayoutCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    match command {
        PayoutCommand::Draft {
            contractor,
            amount,
            currency,
            reference,
            memo,
            invoice,
        } => {
            let app = ctx.app()?;
            let c = resolve_contractor(app, &contractor)?.contractor;
            let currency = match currency.or(c.default_currency.clone()) {
                Some(cur) => cur,
                None => {
                    return Err(Error::invalid(
                        "currency",
                        format!(
                            "{} has no default currency; give --currency (a token on {})",
                            c.name,
                            c.network.label()
                        ),
                    )
                    .into())
                }
            };
            let invoice_id = match invoice {
                Some(inv) => Some(app.find_invoice(&inv)?.id),
                None => None,
            };
            let p = app.create_payout(&PayoutInput {
                contractor_id: c.id,
                amount,
                currency,
                reference,
                memo,
                invoice_id,
            })?;
            ctx.emit(&p, |out, p| {
                writeln!(
                    out,
                    "Drafted {}: {} {} to {}. Next: `paydesk payout review {}`, then approve it.",
                    p.number, p.amount, p.currency, p.contractor_name, p.number
                )
            })
        }
        PayoutCommand::List { state } => {
            let state = state
                .as_deref()
                .map(|s| PayoutState::parse("state", s.trim()))
                .transpose()?;
            let list = ctx.app()?.list_payouts(state)?;
            ctx.emit(&list, write_payouts)
        }
        PayoutCommand::Show { payout } => {
            let p = ctx.app()?.payout(&payout)?;
            ctx.emit(&p, write_payout)
        }
        PayoutCommand::Review { payout } => {
            let r = ctx.app()?.review_payout(&payout)?;
            ctx.emit(&r, write_review)
        }
        PayoutCommand::Approve { payout, address } => approve(&payout, address, ctx),
        PayoutCommand::Cancel { payout } => {
            let p = ctx.app()?.cancel_payout(&payout)?;
            ctx.emit(&p, |out, p| writeln!(out, "Cancelled {}.", p.number))
        }
        PayoutCommand::Open { payout, print } => {
            let app = ctx.app()?;
            let number = app.payout(&payout)?.number;
            let link = app.open_payout_link(&payout)?;
            if !print {
                open::that_detached(&link.url).map_err(|e| {
                    Failure::Remote(format!(
                        "could not start the default browser ({e}); open this yourself: {}",
                        link.url
                    ))
                })?;
            }
            let opened = Opened {
                payout_number: number,
                opened: link.url,
                launched: !print,
            };
            ctx.emit(&opened, |out, o| {
                if o.launched {
                    writeln!(out, "Opened in the default browser: {}", o.opened)
                } else {
                    writeln!(out, "{}", o.opened)
                }
            })
        }
        PayoutCommand::Batch { payouts } => batch(&payouts, ctx),
        PayoutCommand::Qr { payout } => {
            let p = ctx.app()?.payout(&payout)?;
            let url = match &p.link {
                Some(l) if l.status == "live" => l.url.clone(),
                _ => {
                    return Err(Error::conflict(
                        Some("link"),
                        format!("{} has no live payout link", p.number),
                    )
                    .into())
                }
            };
            let code = paydesk_core::qr::terminal(&url)?;
            let view = QrView {
                payout_number: p.number,
                url,
                code,
            };
            ctx.emit(&view, |out, v| {
                writeln!(out, "{}", v.url)?;
                writeln!(out)?;
                writeln!(out, "{}", v.code)
            })
        }
    }
}

/// Why `id` is still waiting after a send pass: nowhere to send to, the API's retryable
/// error, or the engine's own message.
fn queued_reason(
    sent: &Result<SendReport, String>,
    id: &str,
    message: Option<&str>,
) -> Option<String> {
    match sent {
        Err(why) => Some(why.clone()),
        Ok(report) => report
            .errors
            .iter()
            .find(|(row, _)| row == id)
            .map(|(_, m)| m.clone())
            .or(message.map(str::to_string))
            .or(Some("not sent yet".into())),
    }
}

/// `payout approve PO [--address FULL]`.
fn approve(payout: &str, address: Option<String>, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let review = ctx.app()?.review_payout(payout)?;
    if review.payout.state != PayoutState::Draft {
        return Err(Error::conflict(
            Some("state"),
            format!(
                "{} is {}: only a draft can be approved",
                review.payout.number,
                review.payout.state.as_str()
            ),
        )
        .into());
    }
    if !ctx.json {
        write_review(&mut *ctx.io.stdout, &review)?;
        writeln!(ctx.io.stdout)?;
        ctx.io.stdout.flush()?;
    }
    let confirmed = match address {
        Some(full) => full,
        None if ctx.io.stdin_is_terminal => {
            if ctx.json {
                // stdout is for the JSON result: the person typing sees the review on stderr.
                write_review(&mut *ctx.io.stderr, &review)?;
                writeln!(ctx.io.stderr)?;
            }
            let tail: String = {
                let n = review.address.chars().count();
                review
                    .address
                    .chars()
                    .skip(n.saturating_sub(CONFIRM_CHARS))
                    .collect()
            };
            write!(
                ctx.io.stderr,
                "Check the address above with {}. To approve {} {} to it, type its last {CONFIRM_CHARS} characters: ",
                review.contractor_name, review.amount, review.currency
            )?;
            ctx.io.stderr.flush()?;
            let mut line = String::new();
            ctx.io
                .stdin
                .read_line(&mut line)
                .map_err(|e| Error::io("cannot read the confirmation", e))?;
            if !line.ends_with('\n') {
                // End of input: keep the next message off the prompt's line.
                writeln!(ctx.io.stderr)?;
            }
            let typed = line.trim();
            let matches =
                typed == tail || (review.network.is_evm() && typed.eq_ignore_ascii_case(&tail));
            if !matches {
                return Err(Error::conflict(
                    Some("address"),
                    format!(
                        "\"{}\" does not match the end of the address; nothing was approved",
                        short(typed)
                    ),
                )
                .into());
            }
            review.address.clone()
        }
        None => {
            return Err(Error::invalid(
                "address",
                "stdin is not a terminal: give the full address the review shows with --address",
            )
            .into())
        }
    };
    let app = ctx.app()?;
    // Where to send first: live mode without credentials fails here, before approving.
    let sender = Sender::for_app(app)?;
    let approved = app.approve_payout(payout, &confirmed)?;
    let sent = sender.run_payouts(app)?;
    let after = app.payout(&approved.id)?;
    drop(sender);
    if after.state == PayoutState::Failed {
        return Err(Failure::Remote(
            after
                .message
                .unwrap_or_else(|| "the API refused the payout link".to_string()),
        ));
    }
    let queued_reason = (after.state == PayoutState::Approved)
        .then(|| queued_reason(&sent, &after.id, after.message.as_deref()))
        .flatten();
    let view = Sent {
        payout: after,
        queued_reason,
    };
    ctx.emit(&view, |out, v| {
        let p = &v.payout;
        match (&p.link, &v.queued_reason) {
            (Some(l), _) if p.state == PayoutState::Live => {
                writeln!(out, "Approved {}: live.", p.number)?;
                output::field(out, 8, "URL", &l.url)?;
                output::field(out, 8, "Expires", &l.expires_at)?;
                writeln!(
                    out,
                    "Sign it with your wallet: `paydesk payout open {}`",
                    p.number
                )
            }
            (_, Some(why)) => writeln!(
                out,
                "Approved {}: queued: {why}; run `paydesk outbox send` or `paydesk sync` to send it",
                p.number
            ),
            _ => writeln!(out, "Approved {}: {}.", p.number, p.state.as_str()),
        }
    })
}

/// `payout batch PO PO [PO...]`.
fn batch(payouts: &[String], ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let app = ctx.app()?;
    let sender = Sender::for_app(app)?;
    let requested = app.batch_payouts(payouts)?;
    let sent = sender.run_payouts(app)?;
    let batch = app.store().batch(&requested.id)?;
    drop(sender);
    if batch.state == PayoutState::Failed {
        return Err(Failure::Remote(
            "the API refused the batch payout link; see `paydesk payout list`".into(),
        ));
    }
    let mut children = Vec::new();
    for id in &batch.payout_ids {
        let p = app.payout(id)?;
        children.push(BatchChild {
            id: p.id,
            number: p.number,
            state: p.state,
            contractor_name: p.contractor_name,
            amount: p.amount,
            currency: p.currency,
        });
    }
    let queued_reason = (batch.link.is_none())
        .then(|| queued_reason(&sent, &batch.id, None))
        .flatten();
    let view = BatchView {
        batch,
        payouts: children,
        queued_reason,
    };
    ctx.emit(&view, |out, v| {
        const W: usize = 8;
        output::field(out, W, "Batch", &v.batch.id)?;
        output::field(out, W, "State", v.batch.state.as_str())?;
        output::field(out, W, "Network", v.batch.network.label())?;
        match (&v.batch.link, &v.queued_reason) {
            (Some(l), _) => {
                output::field(out, W, "URL", &l.url)?;
                output::field(out, W, "Expires", &l.expires_at)?;
            }
            (None, Some(why)) => writeln!(
                out,
                "queued: {why}; run `paydesk outbox send` or `paydesk sync` to send it"
            )?,
            (None, None) => {}
        }
        writeln!(out)?;
        let mut t =
            Table::new(&["NUMBER", "STATE", "CONTRACTOR", "AMOUNT", "CURRENCY"]).align_right(3);
        for c in &v.payouts {
            t.row(vec![
                c.number.clone(),
                c.state.as_str().to_string(),
                c.contractor_name.clone(),
                c.amount.clone(),
                c.currency.clone(),
            ]);
        }
        t.write(out)
    })
}

fn write_payouts(out: &mut dyn Write, list: &Vec<PayoutSummary>) -> io::Result<()> {
    if list.is_empty() {
        return writeln!(out, "No payouts.");
    }
    let mut t = Table::new(&[
        "NUMBER",
        "STATE",
        "CONTRACTOR",
        "NETWORK",
        "AMOUNT",
        "CURRENCY",
        "CREATED",
    ])
    .align_right(4);
    for p in list {
        let state = if p.address_changed {
            format!("{} (address changed)", p.state.as_str())
        } else {
            p.state.as_str().to_string()
        };
        t.row(vec![
            p.number.clone(),
            state,
            p.contractor_name.clone(),
            p.network.as_str().to_string(),
            p.amount.clone(),
            p.currency.clone(),
            p.created_at.clone(),
        ]);
    }
    t.write(out)?;
    writeln!(out, "{} payout{}", list.len(), plural(list.len()))
}

fn write_payout(out: &mut dyn Write, p: &Payout) -> io::Result<()> {
    const W: usize = 11;
    output::field(out, W, "Payout", &p.number)?;
    output::field(out, W, "ID", &p.id)?;
    output::field(out, W, "State", p.state.as_str())?;
    output::field(out, W, "Recipient", &p.contractor_name)?;
    output::field(
        out,
        W,
        "Network",
        &format!("{} [{}]", p.network.label(), p.network.as_str()),
    )?;
    output::field(out, W, "Address", &p.address)?;
    if p.address_changed {
        writeln!(
            out,
            "!!! ADDRESS CHANGED since the last payout to this contractor"
        )?;
    }
    output::field(out, W, "Amount", &format!("{} {}", p.amount, p.currency))?;
    output::field(out, W, "Reference", p.reference.as_deref().unwrap_or(""))?;
    output::field(out, W, "Invoice", p.invoice_number.as_deref().unwrap_or(""))?;
    if let Some(at) = &p.approved_at {
        output::field(
            out,
            W,
            "Approved",
            &format!("{at} by {}", p.approved_by.as_deref().unwrap_or("?")),
        )?;
    }
    if let Some(l) = &p.link {
        output::field(out, W, "URL", &l.url)?;
        output::field(
            out,
            W,
            "Link",
            &format!("{} until {}", l.status, l.expires_at),
        )?;
    }
    if let Some(b) = &p.batch_id {
        output::field(out, W, "Batch", b)?;
    }
    if let Some(tx) = &p.tx_hash {
        output::field(out, W, "Transaction", tx)?;
    }
    if let Some(at) = &p.paid_at {
        output::field(out, W, "Paid", at)?;
    }
    if let Some(m) = &p.message {
        output::field(out, W, "Message", m)?;
    }
    output::text_block(out, "Memo", p.memo.as_deref().unwrap_or(""))?;
    writeln!(out)?;
    writeln!(out, "History:")?;
    for e in &p.history {
        let mut line = format!("  {}  {}", e.at, e.action);
        if let Some(actor) = &e.actor {
            line.push_str(&format!(" by {actor}"));
        }
        if let Some(detail) = &e.detail {
            line.push_str(&format!(": {detail}"));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn write_review(out: &mut dyn Write, r: &PayoutReview) -> io::Result<()> {
    const W: usize = 15;
    output::field(
        out,
        W,
        "Payout",
        &format!("{} ({})", r.payout.number, r.payout.state.as_str()),
    )?;
    output::field(out, W, "Recipient", &r.contractor_name)?;
    output::field(out, W, "Address", &r.address)?;
    output::field(
        out,
        W,
        "Network",
        &format!("{} [{}]", r.network_label, r.network.as_str()),
    )?;
    output::field(out, W, "Currency", &r.currency)?;
    output::field(out, W, "Amount", &format!("{} {}", r.amount, r.currency))?;
    output::field(
        out,
        W,
        "Reference",
        r.payout.reference.as_deref().unwrap_or(""),
    )?;
    if r.address_changed {
        writeln!(
            out,
            "!!! ADDRESS CHANGED since the last payout (was {}): confirm the new address with {} \
             through another channel before approving",
            r.previous_address.as_deref().unwrap_or("another address"),
            r.contractor_name
        )?;
    }
    output::field(
        out,
        W,
        "Creator wallet",
        r.creator_wallet
            .as_deref()
            .unwrap_or("not set (`paydesk settings payout`)"),
    )?;
    if r.problems.is_empty() {
        writeln!(out, "Ready to approve.")
    } else {
        writeln!(out, "Problems:")?;
        for p in &r.problems {
            writeln!(out, "  - {p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_addresses_keep_both_ends() {
        assert_eq!(
            short_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            "0x5aAeb6…1BeAed"
        );
        assert_eq!(short_address("T123"), "T123");
    }

    #[test]
    fn queued_reason_prefers_the_row_error() {
        let report = SendReport {
            errors: vec![("p1".into(), "429".into())],
            ..SendReport::default()
        };
        assert_eq!(
            queued_reason(&Ok(report), "p1", Some("waiting")).as_deref(),
            Some("429")
        );
        assert_eq!(
            queued_reason(&Err("down".into()), "p1", None).as_deref(),
            Some("down")
        );
    }
}
