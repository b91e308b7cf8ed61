//! `paydesk outbox list|send|retry`, and the one sender pass every link command runs.
//! `send` and `retry` also send approved payouts and requested batch payouts once (their own
//! queue in the engine) and report them under `payouts`.
//!
//! A sender pass claims every due row of the current mode's outbox and sends each once:
//! in Test mode to the data folder's sandbox ([`TestModeSandbox::attach_or_start`] on
//! `<data_dir>/sandbox`, with the sandbox's own test API key), in live mode to the production
//! Request API with the credential saved in the keychain. When the sandbox cannot be started or
//! reached, nothing is sent and the rows stay queued with that reason. Nothing here prints a
//! credential: the gateway holds it, messages come from the engine and the API client.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Subcommand;
use paydesk_core::outbox::{RequestGateway, SendReport};
use paydesk_core::{Error, Mode, OutboxItem, OutboxState, Paydesk};
use paydesk_sandbox::TestModeSandbox;
use serde::Serialize;

use crate::context::Ctx;
use crate::exit::Failure;
use crate::output::Table;

/// `paydesk outbox ...`
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List the outbox (link requests waiting, sent, failed), newest first.
    List {
        /// Rows to show (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Send every link request that is due, once; with --until-empty keep going (waiting for
    /// each retry time) until nothing is left to send. Exits 1 when the API refuses one for good.
    Send {
        /// Keep sending until the outbox has nothing queued (retries wait for their backoff).
        #[arg(long)]
        until_empty: bool,
        /// With --until-empty: give up after this many seconds (default: no limit).
        #[arg(long, value_name = "SECS", requires = "until_empty")]
        timeout: Option<u64>,
        /// How long a request this sender claimed stays reserved for it (1 to 3600 seconds;
        /// default 120). After that, a request whose sender died is sent again.
        #[arg(long, value_name = "SECS", default_value_t = 120,
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        lease: u64,
    },
    /// Send again now: make the queued or failed row ID due (every queued and failed row when
    /// none is named; a failed one is rebuilt from current settings), then send everything due
    /// once. Exits 1 when the API refuses one for good.
    Retry {
        /// The outbox row id.
        id: Option<String>,
    },
}

/// Where one sender pass sends to.
pub(crate) struct Sender {
    gateway: Option<RequestGateway>,
    /// Why nothing can be sent now (the Test-mode sandbox did not start or answer).
    unreachable: Option<String>,
    runtime: tokio::runtime::Runtime,
    // Last: the sandbox this process started stops after every request is done.
    _sandbox: Option<TestModeSandbox>,
}

impl Sender {
    /// The sender of the engine's mode. Live mode without credentials is an error naming
    /// `credentials`; a Test-mode sandbox that cannot run only leaves rows queued.
    pub fn for_app(app: &Paydesk) -> Result<Sender, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the async runtime", e))?;
        let mut sender = Sender {
            gateway: None,
            unreachable: None,
            runtime,
            _sandbox: None,
        };
        match app.mode() {
            Mode::Live => sender.gateway = Some(app.request_gateway(None)?),
            Mode::Test => {
                let dir = PathBuf::from(app.info().data_dir).join("sandbox");
                match TestModeSandbox::attach_or_start(&dir) {
                    Ok(sandbox) => {
                        let base = sandbox.base_url().clone();
                        let config = paydesk_request::ClientConfig::custom(
                            base.clone(),
                            base,
                            paydesk_request::Credentials::api_key(sandbox.api_key()),
                        );
                        match paydesk_request::RequestClient::new(config) {
                            Ok(client) => sender.gateway = Some(RequestGateway::new(client)),
                            Err(e) => sender.unreachable = Some(e.to_string()),
                        }
                        sender._sandbox = Some(sandbox);
                    }
                    Err(e) => {
                        sender.unreachable = Some(format!("the Test-mode sandbox is down: {e}"))
                    }
                }
            }
        }
        Ok(sender)
    }

    /// The gateway (`Err(reason)` when there is nowhere to send to), paced by `limiter`.
    pub fn gateway(
        &self,
        limiter: std::sync::Arc<paydesk_core::status::limiter::RateLimiter>,
    ) -> Result<RequestGateway, String> {
        match &self.gateway {
            Some(g) => Ok(g.clone().with_limiter(limiter)),
            None => Err(self
                .unreachable
                .clone()
                .unwrap_or_else(|| "no gateway".into())),
        }
    }

    /// The Test-mode sandbox the sender sends to (`None` in live mode or when it is down).
    pub fn sandbox(&self) -> Option<&TestModeSandbox> {
        self._sandbox.as_ref()
    }

    /// The runtime the sender's calls run on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    /// Send every due row once. `Err(reason)` when there is nowhere to send to.
    pub fn run(&self, app: &Paydesk) -> Result<Result<SendReport, String>, Failure> {
        self.run_with_lease(app, None)
    }

    /// Send every approved payout and requested batch that is due, once (the payouts' own
    /// queue, see [`paydesk_core::payout_sender`]). `Err(reason)` when there is nowhere to send to.
    pub fn run_payouts(&self, app: &Paydesk) -> Result<Result<SendReport, String>, Failure> {
        let Some(gateway) = &self.gateway else {
            return Ok(Err(self
                .unreachable
                .clone()
                .unwrap_or_else(|| "no gateway".into())));
        };
        let mut sender = app.payout_sender()?;
        let report = self
            .runtime
            .block_on(sender.run_once(gateway, chrono::Utc::now()))?;
        Ok(Ok(report))
    }

    /// [`Sender::run`] holding each claim for `lease` (the engine's default when `None`).
    fn run_with_lease(
        &self,
        app: &Paydesk,
        lease: Option<chrono::Duration>,
    ) -> Result<Result<SendReport, String>, Failure> {
        let Some(gateway) = &self.gateway else {
            return Ok(Err(self
                .unreachable
                .clone()
                .unwrap_or_else(|| "no gateway".into())));
        };
        let mut outbox = app.outbox()?;
        if let Some(lease) = lease {
            outbox.lease = lease;
        }
        let report = self
            .runtime
            .block_on(outbox.run_once(gateway, chrono::Utc::now()))?;
        Ok(Ok(report))
    }

    /// Send passes until nothing is queued or sending, sleeping until the next row is due;
    /// stops at `deadline`. The reports of every pass, added up.
    fn run_until_empty(
        &self,
        app: &mut Paydesk,
        lease: chrono::Duration,
        deadline: Option<std::time::Instant>,
    ) -> Result<Result<SendReport, String>, Failure> {
        let mut total = SendReport::default();
        loop {
            let report = match self.run_with_lease(app, Some(lease))? {
                Ok(r) => r,
                Err(why) => return Ok(Err(why)),
            };
            total.sent += report.sent;
            total.retrying += report.retrying;
            total.failed += report.failed;
            total.discarded += report.discarded;
            total.errors.extend(report.errors);
            let Some(next) = app.outbox_next_due()? else {
                return Ok(Ok(total));
            };
            let wait = (next - chrono::Utc::now())
                .to_std()
                .unwrap_or_default()
                .max(std::time::Duration::from_millis(10));
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left < wait {
                    return Ok(Err(format!(
                        "gave up after the timeout with requests still queued (next try {})",
                        paydesk_core::clock::timestamp(next)
                    )));
                }
            }
            std::thread::sleep(wait);
        }
    }
}

/// What `outbox retry` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RetryView {
    /// Rows made due now.
    requeued: Vec<String>,
    /// `(id, why)` of failed rows that could not be re-queued.
    skipped: Vec<(String, String)>,
    /// What the send pass did; `None` when nothing could be sent.
    report: Option<SendReport>,
    /// What the payout pass did (approved payouts and requested batches); `None` when nothing
    /// could be sent.
    payouts: Option<SendReport>,
    /// Why nothing was sent.
    unreachable: Option<String>,
    outbox: Vec<OutboxItem>,
}

/// Run an outbox command.
pub(crate) fn run(command: OutboxCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    match command {
        OutboxCommand::List { limit } => {
            let items = ctx.app()?.outbox_list(limit)?;
            ctx.emit(&items, |out, items| write_items(out, items))
        }
        OutboxCommand::Send {
            until_empty,
            timeout,
            lease,
        } => {
            let app = ctx.app()?;
            let sender = Sender::for_app(app)?;
            let lease = chrono::Duration::seconds(lease as i64);
            let result = if until_empty {
                let deadline =
                    timeout.map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
                sender.run_until_empty(app, lease, deadline)?
            } else {
                sender.run_with_lease(app, Some(lease))?
            };
            let (report, unreachable) = match result {
                Ok(r) => (Some(r), None),
                Err(why) => (None, Some(why)),
            };
            let payouts = sender.run_payouts(app)?.ok();
            drop(sender);
            if until_empty {
                if let Some(why) = unreachable {
                    return Err(Failure::Remote(why));
                }
            }
            let view = RetryView {
                requeued: Vec::new(),
                skipped: Vec::new(),
                report,
                payouts,
                unreachable,
                outbox: app.outbox_list(50)?,
            };
            finish(ctx, &view)
        }
        OutboxCommand::Retry { id } => {
            let app = ctx.app()?;
            let sender = Sender::for_app(app)?;
            let mut requeued = Vec::new();
            let mut skipped = Vec::new();
            match id {
                Some(id) => requeued.push(app.outbox_retry(&id)?.id),
                None => {
                    let rows = app
                        .outbox_list(500)?
                        .into_iter()
                        .filter(|i| matches!(i.state, OutboxState::Failed | OutboxState::Queued));
                    for row in rows {
                        match app.outbox_retry(&row.id) {
                            Ok(item) => requeued.push(item.id),
                            // A failed request whose invoice has since got another link, or
                            // whose invoice no longer qualifies: left as it is.
                            Err(e @ (Error::Conflict { .. } | Error::Invalid { .. })) => {
                                skipped.push((row.id, e.to_string()))
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
            }
            let (report, unreachable) = match sender.run(app)? {
                Ok(r) => (Some(r), None),
                Err(why) => (None, Some(why)),
            };
            let payouts = sender.run_payouts(app)?.ok();
            let view = RetryView {
                requeued,
                skipped,
                report,
                payouts,
                unreachable,
                outbox: app.outbox_list(50)?,
            };
            drop(sender);
            finish(ctx, &view)
        }
    }
}

/// Print what a send pass did; exit 1 when the API refused a request for good.
fn finish(ctx: &mut Ctx<'_, '_>, view: &RetryView) -> Result<(), Failure> {
    ctx.emit(view, |out, v| {
        match (&v.report, &v.unreachable) {
            (Some(r), _) => writeln!(
                out,
                "Sent {}, retrying later {}, failed {}.",
                r.sent, r.retrying, r.failed
            )?,
            (None, Some(why)) => writeln!(out, "Nothing sent: {why}")?,
            (None, None) => {}
        }
        if let Some(r) = &v.report {
            for (id, message) in &r.errors {
                writeln!(out, "  {id}: {message}")?;
            }
        }
        for (id, why) in &v.skipped {
            writeln!(out, "  {id} not retried: {why}")?;
        }
        if let Some(p) = v
            .payouts
            .as_ref()
            .filter(|p| p.sent + p.retrying + p.failed + p.discarded > 0 || !p.errors.is_empty())
        {
            writeln!(
                out,
                "Payouts: sent {}, retrying later {}, failed {}.",
                p.sent, p.retrying, p.failed
            )?;
            for (id, message) in &p.errors {
                writeln!(out, "  {id}: {message}")?;
            }
        }
        write_items(out, &v.outbox)
    })?;
    let failed = view.report.as_ref().map_or(0, |r| r.failed);
    if failed > 0 {
        return Err(Failure::Remote(format!(
            "{failed} link request(s) were refused for good; see `paydesk outbox list`"
        )));
    }
    let failed = view.payouts.as_ref().map_or(0, |r| r.failed);
    if failed > 0 {
        return Err(Failure::Remote(format!(
            "{failed} payout link request(s) were refused for good; see `paydesk payout list --state failed`"
        )));
    }
    Ok(())
}

fn write_items(out: &mut dyn Write, items: &[OutboxItem]) -> io::Result<()> {
    if items.is_empty() {
        return writeln!(out, "The outbox is empty.");
    }
    let mut t = Table::new(&["ID", "INVOICE", "STATE", "TRIES", "NEXT TRY", "LAST ERROR"]);
    for i in items {
        t.row(vec![
            i.id.clone(),
            i.invoice_number.clone(),
            i.state.as_str().to_string(),
            i.attempts.to_string(),
            i.next_attempt_at.clone(),
            i.last_error.clone().unwrap_or_default(),
        ]);
    }
    t.write(out)
}
