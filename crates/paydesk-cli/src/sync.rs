//! `paydesk sync [--once|--watch]` and `paydesk status INV [--check]`.
//!
//! `sync` runs what the app runs in the background: it sends the outbox (link requests, then
//! approved payouts and batch payouts), then polls every
//! payment link that is due (status/ in the engine decides when), through one rate limiter for
//! the whole process. `--once` (the default) polls until nothing is due now and exits; `--watch`
//! keeps going, printing each invoice that moves forward, until interrupted. `status` shows an
//! invoice's paid status and the event history that explains it; `--check` polls it first.

use std::io::{self, Write};
use std::sync::Arc;

use clap::Args;
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::status::poller::{SyncStatus, TickReport};
use paydesk_core::status::{PaymentStatus, StatusChange};
use paydesk_core::store::PayoutChange;
use serde::Serialize;

use crate::context::Ctx;
use crate::exit::Failure;
use crate::outbox::Sender;
use crate::output::{self, Table};

/// `paydesk sync` flags.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Poll what is due now, then exit (the default).
    #[arg(long, conflicts_with = "watch")]
    once: bool,
    /// Keep polling as links fall due, printing each change, until interrupted.
    #[arg(long)]
    watch: bool,
    /// Poll every open link now, not only those due (slow with many links: the rate limit
    /// still applies).
    #[arg(long)]
    all: bool,
    /// API calls per second for this process (your Request plan's limit; default 5).
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    rate_limit: u32,
}

/// `paydesk status` flags.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The invoice: its number or id.
    invoice: String,
    /// Ask the API now (within the rate limit) before showing the status.
    #[arg(long)]
    check: bool,
}

/// What `sync --once` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncView {
    links_sent: u32,
    /// Payout and batch payout links created (approved payouts sent).
    payouts_sent: u32,
    polled: u32,
    changes: Vec<StatusChange>,
    /// Payouts that were paid or expired.
    payout_changes: Vec<PayoutChange>,
    status: SyncStatus,
}

pub(crate) fn write_payout_change(out: &mut dyn Write, c: &PayoutChange) -> io::Result<()> {
    writeln!(out, "{}: payout {}", c.number, c.state.as_str())
}

pub(crate) fn write_change(out: &mut dyn Write, c: &StatusChange) -> io::Result<()> {
    match &c.amount_paid {
        Some(paid) if c.status.as_str() == "partially_paid" => writeln!(
            out,
            "{} ({}): partially paid, {paid} {}",
            c.number, c.client_name, c.currency
        ),
        _ => writeln!(
            out,
            "{} ({}): {}",
            c.number,
            c.client_name,
            c.status.as_str().replace('_', " ")
        ),
    }
}

/// Run `paydesk sync`.
pub(crate) fn run_sync(args: SyncArgs, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let app = ctx.app()?;
    let sender = Sender::for_app(app)?;
    if args.all {
        app.poll_all_now()?;
    }
    let limiter = Arc::new(RateLimiter::new(args.rate_limit));
    let gateway = sender.gateway(limiter.clone()).map_err(Failure::Remote)?;
    let mut poller = app.poller(limiter)?;
    let mut outbox = app.outbox()?;
    let mut payouts = app.payout_sender()?;
    let mut view = SyncView {
        links_sent: 0,
        payouts_sent: 0,
        polled: 0,
        changes: Vec::new(),
        payout_changes: Vec::new(),
        status: poller.status(chrono::Utc::now())?,
    };
    loop {
        let now = chrono::Utc::now();
        let sent = sender.runtime().block_on(outbox.run_once(&gateway, now))?;
        view.links_sent += sent.sent;
        let sent = sender.runtime().block_on(payouts.run_once(&gateway, now))?;
        view.payouts_sent += sent.sent;
        let report: TickReport = sender.runtime().block_on(poller.tick(&gateway, now))?;
        view.polled += report.polled;
        if args.watch {
            let json = ctx.json;
            let out = &mut *ctx.io.stdout;
            for c in &report.changes {
                if json {
                    serde_json::to_writer(&mut *out, c).map_err(io::Error::from)?;
                    writeln!(out)?;
                } else {
                    write_change(out, c)?;
                }
            }
            for c in &report.payout_changes {
                if json {
                    serde_json::to_writer(&mut *out, c).map_err(io::Error::from)?;
                    writeln!(out)?;
                } else {
                    write_payout_change(out, c)?;
                }
            }
            out.flush()?;
            if report.offline && report.polled > 0 {
                let why = poller.status(now)?.last_error.unwrap_or_default();
                writeln!(ctx.io.stderr, "offline: {why}")?;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
            continue;
        }
        view.changes.extend(report.changes);
        view.payout_changes.extend(report.payout_changes);
        let status = poller.status(chrono::Utc::now())?;
        if report.polled == 0 || status.due_now == 0 || report.offline {
            view.status = status;
            break;
        }
    }
    drop(sender);
    ctx.emit(&view, |out, v| {
        writeln!(
            out,
            "Sent {} link(s); polled {} link(s); {} still watched.",
            v.links_sent, v.polled, v.status.open_links
        )?;
        if !v.status.online {
            writeln!(
                out,
                "Offline: {}",
                v.status
                    .last_error
                    .as_deref()
                    .unwrap_or("the API is unreachable")
            )?;
        } else if let Some(e) = &v.status.last_error {
            writeln!(out, "Last error: {e}")?;
        }
        if v.payouts_sent > 0 {
            writeln!(out, "Sent {} payout link(s).", v.payouts_sent)?;
        }
        for c in &v.changes {
            write_change(out, c)?;
        }
        for c in &v.payout_changes {
            write_payout_change(out, c)?;
        }
        Ok(())
    })
}

/// What `status` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusView {
    #[serde(flatten)]
    status: PaymentStatus,
    /// Why `--check` got no answer.
    check_error: Option<String>,
}

/// Run `paydesk status INV`.
pub(crate) fn run_status(args: StatusArgs, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let app = ctx.app()?;
    let invoice = app.find_invoice(&args.invoice)?;
    let mut check_error = None;
    if args.check {
        let sender = Sender::for_app(app)?;
        let limiter = Arc::new(RateLimiter::default());
        match sender.gateway(limiter.clone()) {
            Ok(gateway) => {
                let mut poller = app.poller(limiter)?;
                let result = sender.runtime().block_on(poller.check_now(
                    &gateway,
                    &invoice.id,
                    chrono::Utc::now(),
                ))?;
                check_error = result.err();
            }
            Err(why) => check_error = Some(why),
        }
    }
    let view = StatusView {
        status: app.payment_status(&invoice.id)?,
        check_error,
    };
    ctx.emit(&view, write_status)
}

fn write_status(out: &mut dyn Write, v: &StatusView) -> io::Result<()> {
    const W: usize = 12;
    let s = &v.status;
    output::field(out, W, "Invoice", &s.invoice_number)?;
    output::field(
        out,
        W,
        "Status",
        &s.invoice_status.as_str().replace('_', " "),
    )?;
    output::field(out, W, "Total", &format!("{} {}", s.total, s.currency))?;
    if let Some(p) = &s.amount_paid {
        output::field(out, W, "Paid", &format!("{p} {}", s.currency))?;
    }
    if let Some(l) = &s.amount_left {
        output::field(out, W, "Left", &format!("{l} {}", s.currency))?;
    }
    if let Some(tx) = &s.tx_hash {
        output::field(out, W, "Transaction", tx)?;
    }
    output::field(
        out,
        W,
        "Verified",
        s.verified_at.as_deref().unwrap_or("never"),
    )?;
    output::field(
        out,
        W,
        "Next check",
        s.next_check_at
            .as_deref()
            .unwrap_or("none (no longer polled)"),
    )?;
    if let Some(e) = v.check_error.as_ref().or(s.last_error.as_ref()) {
        output::field(out, W, "Last error", e)?;
    }
    if s.events.is_empty() {
        return writeln!(out, "\nNo status answers yet.");
    }
    writeln!(out)?;
    let mut t = Table::new(&["WHEN", "SOURCE", "OBSERVED", "APPLIED", "STATE", "DETAIL"]);
    for e in &s.events {
        t.row(vec![
            e.at.clone(),
            e.source.clone(),
            e.observed.clone(),
            if e.applied { "yes" } else { "no (stale)" }.to_string(),
            e.pay_state.clone(),
            e.detail.clone().unwrap_or_default(),
        ]);
    }
    t.write(out)
}
