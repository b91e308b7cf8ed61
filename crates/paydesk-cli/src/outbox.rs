//! `paydesk outbox list|retry`, and the one sender pass every link command runs.
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

    /// Send every due row once. `Err(reason)` when there is nowhere to send to.
    pub fn run(&self, app: &Paydesk) -> Result<Result<SendReport, String>, Failure> {
        let Some(gateway) = &self.gateway else {
            return Ok(Err(self
                .unreachable
                .clone()
                .unwrap_or_else(|| "no gateway".into())));
        };
        let mut outbox = app.outbox()?;
        let report = self
            .runtime
            .block_on(outbox.run_once(gateway, chrono::Utc::now()))?;
        Ok(Ok(report))
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
            let view = RetryView {
                requeued,
                skipped,
                report,
                unreachable,
                outbox: app.outbox_list(50)?,
            };
            drop(sender);
            let failed = view.report.as_ref().map_or(0, |r| r.failed);
            ctx.emit(&view, |out, v| {
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
                write_items(out, &v.outbox)
            })?;
            if failed > 0 {
                return Err(Failure::Remote(format!(
                    "{failed} link request(s) were refused for good; see `paydesk outbox list`"
                )));
            }
            Ok(())
        }
    }
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
