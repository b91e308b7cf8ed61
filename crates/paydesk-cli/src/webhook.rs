//! `paydesk webhook config|status|serve|test`: Request Network webhooks from a terminal.
//!
//! This module owns the CLI side of webhooks: editing the saved [`WebhookConfig`] (field by
//! field, validated by the engine), showing what is saved (config, registration, the masked
//! signing secret, the last deliveries in the database), running the engine's
//! [`WebhookService`] in the foreground (`serve`: receiver + tunnel + registration, plus the
//! outbox and status poller unless `--no-poll`), and asking Request for a test delivery.
//!
//! In Test mode everything talks to the data folder's sandbox (`<data_dir>/sandbox`, attached
//! or started like the link commands do), which registers webhooks automatically; in live mode
//! registration needs the client id saved in the keychain, else the endpoint URL is printed for
//! the user to paste in Request's dashboard (and the secret goes in with
//! `paydesk secret set webhook-secret`).
//!
//! `serve --json` prints one JSON object per line: a status snapshot (the engine's
//! `WebhookStatus`, camelCase) each time it changes, and each invoice status change found by the
//! poller (the same objects as `sync --watch --json`). The endpoint URL carries the receiver's
//! unguessable path: only `serve` prints it, since registering it is the point.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::store::WebhookDelivery;
use paydesk_core::tunnel::{TokioLauncher, TunnelOptions, TunnelPhase, TunnelState};
use paydesk_core::webhook::service::{unregister, RegistrationStatus, TEST_EVENT};
use paydesk_core::webhook::{DeliveryRecord, WebhookService, WebhookSetup, WebhookStatus};
use paydesk_core::{Error, Mode, Paydesk, TunnelKind, WebhookConfig, WebhookRegistration};
use paydesk_sandbox::TestModeSandbox;
use serde::Serialize;

use crate::context::Ctx;
use crate::exit::Failure;
use crate::outbox::Sender;
use crate::output::{self, Table};

/// Deliveries `webhook status` lists.
const STATUS_DELIVERIES: u32 = 20;
/// How often `serve` polls (the outbox and due links), and looks for a pasted signing secret.
const TICK: Duration = Duration::from_secs(1);

/// `paydesk webhook ...`
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Show or change the webhook settings (only the flags given change).
    Config(ConfigArgs),
    /// Show the settings, the registration with Request, the signing secret (masked) and the
    /// last deliveries received.
    Status,
    /// Run the webhook receiver, its tunnel and the registration with Request in the
    /// foreground (and, unless --no-poll, send the outbox and poll payment status), until
    /// Ctrl-C or SIGTERM. The registration is kept for the next run.
    Serve(ServeArgs),
    /// Ask Request (in Test mode the sandbox) to send a test event to your registered webhooks.
    Test,
}

/// `paydesk webhook config` flags.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Turn webhooks on (the app then runs the receiver; polling runs either way).
    #[arg(long, conflicts_with = "disable")]
    enable: bool,
    /// Turn webhooks off, and remove Paydesk's registration at Request and its signing secret.
    #[arg(long)]
    disable: bool,
    /// How Request reaches the receiver: a cloudflared quick tunnel, ngrok, or your own proxy
    /// (manual, with --public-url).
    #[arg(long, value_enum, value_name = "KIND")]
    tunnel: Option<TunnelArg>,
    /// The cloudflared or ngrok program (an absolute path; '' to find it on PATH again).
    #[arg(long, value_name = "PATH")]
    binary: Option<String>,
    /// Manual tunnel: the public https URL that forwards to the receiver's port ('' clears it).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// The receiver's port on 127.0.0.1 (1024 to 65535).
    #[arg(long, value_name = "N", conflicts_with = "any_port")]
    port: Option<u16>,
    /// Let the receiver take any free port (the default).
    #[arg(long)]
    any_port: bool,
}

/// The tunnel kinds on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TunnelArg {
    /// A cloudflared quick tunnel (no account; a new URL on each start).
    Cloudflared,
    /// ngrok (save its authtoken with `paydesk secret set ngrok-authtoken`).
    Ngrok,
    /// Your own proxy at --public-url, forwarding to --port.
    Manual,
}

impl From<TunnelArg> for TunnelKind {
    fn from(t: TunnelArg) -> Self {
        match t {
            TunnelArg::Cloudflared => TunnelKind::Cloudflared,
            TunnelArg::Ngrok => TunnelKind::Ngrok,
            TunnelArg::Manual => TunnelKind::Manual,
        }
    }
}

/// `paydesk webhook serve` flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Only receive webhooks: do not send the outbox or poll payment status.
    #[arg(long)]
    no_poll: bool,
    /// API calls per second for the poller (your Request plan's limit; default 5).
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    rate_limit: u32,
}

/// Run a webhook command.
pub(crate) fn run(command: WebhookCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    match command {
        WebhookCommand::Config(args) => run_config(args, ctx),
        WebhookCommand::Status => run_status(ctx),
        WebhookCommand::Serve(args) => run_serve(args, ctx),
        WebhookCommand::Test => run_test(ctx),
    }
}

/// A runtime for the engine's async calls (time, net and I/O enabled).
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the async runtime", e).into())
}

/// In Test mode, the data folder's sandbox (`Err`: why it cannot run); `Ok(None)` in live mode.
fn test_sandbox(app: &Paydesk) -> Result<Option<TestModeSandbox>, String> {
    match app.mode() {
        Mode::Live => Ok(None),
        Mode::Test => {
            let dir = PathBuf::from(app.info().data_dir).join("sandbox");
            TestModeSandbox::attach_or_start(&dir)
                .map(Some)
                .map_err(|e| format!("the Test-mode sandbox is down: {e}"))
        }
    }
}

/// The engine's setup, registering through `sandbox` in Test mode.
fn setup(app: &mut Paydesk, sandbox: Option<&TestModeSandbox>) -> Result<WebhookSetup, Failure> {
    Ok(app.webhook_setup(sandbox.map(|s| (s.base_url(), s.client_id())))?)
}

// ----- config -------------------------------------------------------------------------------

/// What `webhook config` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigView {
    #[serde(flatten)]
    config: WebhookConfig,
    /// With --disable: what happened to Paydesk's registration at Request.
    #[serde(skip_serializing_if = "Option::is_none")]
    registration: Option<String>,
}

fn run_config(args: ConfigArgs, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let app = ctx.app()?;
    let mut config = app.webhook_config()?;
    if args.enable {
        config.enabled = true;
    }
    if args.disable {
        config.enabled = false;
    }
    if let Some(t) = args.tunnel {
        config.tunnel = t.into();
    }
    if let Some(b) = args.binary {
        config.binary_path = Some(b);
    }
    if let Some(u) = args.public_url {
        config.public_url = Some(u);
    }
    if let Some(p) = args.port {
        config.port = Some(p);
    }
    if args.any_port {
        config.port = None;
    }
    let saved = app.set_webhook_config(&config)?;
    let mut failure = None;
    let registration = if args.disable {
        match remove_registration(app) {
            Ok(message) => Some(message),
            Err(why) => {
                failure = Some(why.clone());
                Some(format!("not removed: {why}"))
            }
        }
    } else {
        None
    };
    let view = ConfigView {
        config: saved,
        registration,
    };
    ctx.emit(&view, |out, v| {
        write_config(out, &v.config)?;
        if let Some(r) = &v.registration {
            output::field(out, 12, "Registration", r)?;
        }
        Ok(())
    })?;
    match failure {
        Some(why) => Err(Failure::Remote(format!(
            "webhooks are off, but Paydesk's registration at Request could not be removed: \
             {why}; run `paydesk webhook config --disable` again"
        ))),
        None => Ok(()),
    }
}

/// Delete Paydesk's registration at Request and its secret: what happened, or why it failed.
fn remove_registration(app: &mut Paydesk) -> Result<String, String> {
    let Some(existing) = app
        .store()
        .webhook_registration()
        .map_err(|e| e.to_string())?
    else {
        return Ok("none to remove".into());
    };
    let sandbox = test_sandbox(app)?;
    let setup = setup(app, sandbox.as_ref()).map_err(|e| match e {
        Failure::Core(e) => e.to_string(),
        Failure::Remote(m) => m,
        Failure::Output(e) => e.to_string(),
    })?;
    if setup.registrar.is_none() {
        return Ok(format!(
            "kept: {} is registered, but no client id is saved to remove it with; delete it in \
             Request's dashboard",
            existing.webhook_id
        ));
    }
    let rt = runtime().map_err(|_| "cannot start the async runtime".to_string())?;
    let result = rt.block_on(unregister(setup));
    drop(rt);
    drop(sandbox);
    result
        .map(|()| format!("removed {} and its signing secret", existing.webhook_id))
        .map_err(|e| e.to_string())
}

fn write_config(out: &mut dyn Write, c: &WebhookConfig) -> io::Result<()> {
    const W: usize = 12;
    output::field(out, W, "Webhooks", if c.enabled { "on" } else { "off" })?;
    output::field(out, W, "Tunnel", c.tunnel.as_str())?;
    if c.tunnel != TunnelKind::Manual {
        output::field(
            out,
            W,
            "Binary",
            c.binary_path.as_deref().unwrap_or("found on PATH"),
        )?;
    } else {
        output::field(out, W, "Public URL", c.public_url.as_deref().unwrap_or(""))?;
    }
    let port = c
        .port
        .map_or_else(|| "any free port".to_string(), |p| p.to_string());
    output::field(out, W, "Port", &port)
}

// ----- status -------------------------------------------------------------------------------

/// What `webhook status` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusView {
    config: WebhookConfig,
    /// The webhook Paydesk registered with Request, if any.
    registration: Option<WebhookRegistration>,
    /// The signing secret, masked; `None` when none is saved.
    secret: Option<String>,
    /// Why the secret could not be read (the keychain is unavailable).
    secret_error: Option<String>,
    /// URLs are registered automatically (Test mode, or a client id is saved).
    can_register: bool,
    /// The newest deliveries in the database, newest first.
    deliveries: Vec<WebhookDelivery>,
}

fn run_status(ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let app = ctx.app()?;
    let can_register = match app.mode() {
        Mode::Test => true,
        Mode::Live => app.secret_status().client_id.is_some(),
    };
    let config = app.webhook_config()?;
    // The settings and the deliveries are still worth showing without a keychain.
    let (secret, secret_error) = match app.webhook_status_stopped(None, can_register) {
        Ok(stopped) => (stopped.secret, None),
        Err(e @ Error::KeychainUnavailable(_)) => (None, Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let view = StatusView {
        config,
        registration: app.store().webhook_registration()?,
        secret,
        secret_error,
        can_register,
        deliveries: app.store().recent_webhook_deliveries(STATUS_DELIVERIES)?,
    };
    ctx.emit(&view, write_status)
}

fn write_status(out: &mut dyn Write, v: &StatusView) -> io::Result<()> {
    const W: usize = 12;
    write_config(out, &v.config)?;
    match &v.registration {
        Some(r) => {
            output::field(out, W, "Registered", &r.webhook_id)?;
            output::field(out, W, "URL", &r.url)?;
            output::field(out, W, "Since", &r.registered_at)?;
        }
        None if v.can_register => output::field(
            out,
            W,
            "Registered",
            "no (`paydesk webhook serve` registers the URL)",
        )?,
        None => output::field(
            out,
            W,
            "Registered",
            "no client id: paste the URL `paydesk webhook serve` prints in Request's dashboard",
        )?,
    }
    let secret = v.secret.as_deref().or(v.secret_error.as_deref());
    output::field(out, W, "Secret", secret.unwrap_or("not set"))?;
    writeln!(out)?;
    if v.deliveries.is_empty() {
        return writeln!(out, "No deliveries received yet.");
    }
    let mut t = Table::new(&["RECEIVED", "EVENT", "OUTCOME", "DETAIL"]);
    for d in &v.deliveries {
        t.row(vec![
            d.received_at.clone(),
            d.event.clone(),
            d.outcome.clone(),
            d.detail.clone().unwrap_or_default(),
        ]);
    }
    t.write(out)
}

// ----- test ---------------------------------------------------------------------------------

/// What `webhook test` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TestView {
    event: &'static str,
    message: String,
}

fn run_test(ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let app = ctx.app()?;
    let sandbox = test_sandbox(app).map_err(Failure::Remote)?;
    let setup = setup(app, sandbox.as_ref())?;
    let Some(client) = setup.registrar else {
        return Err(Error::invalid(
            "clientId",
            "sending a test event needs a client id (`paydesk secret set client-id`); without \
             one, use the test button in Request's dashboard",
        )
        .into());
    };
    let rt = runtime()?;
    let sent = rt.block_on(client.send_test_webhook(TEST_EVENT));
    drop(client);
    drop(rt);
    drop(sandbox);
    match sent {
        Ok(()) => {
            let view = TestView {
                event: TEST_EVENT,
                message: format!(
                    "Request was asked to send a test {TEST_EVENT} to your active webhooks; a \
                     running `paydesk webhook serve` prints it as it arrives"
                ),
            };
            ctx.emit(&view, |out, v| writeln!(out, "{}", v.message))
        }
        Err(paydesk_request::Error::NotFound { .. }) => Err(Failure::Remote(
            "Request has no active webhook for this client id: start `paydesk webhook serve` \
             (it registers one), then try again"
                .into(),
        )),
        Err(e) => Err(Failure::Remote(format!("the test event was refused: {e}"))),
    }
}

// ----- serve --------------------------------------------------------------------------------

fn run_serve(args: ServeArgs, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let json = ctx.json;
    let app = ctx.app()?;
    // The sender attaches the sandbox in Test mode; without polling, attach it here.
    let sender = if args.no_poll {
        None
    } else {
        Some(Sender::for_app(app)?)
    };
    let mut notes = Vec::new();
    let mut own_sandbox = None;
    if sender.as_ref().and_then(Sender::sandbox).is_none() {
        match test_sandbox(app) {
            Ok(s) => own_sandbox = s,
            Err(why) => notes.push(format!(
                "warning: {why}; webhooks cannot be registered automatically"
            )),
        }
    }
    let sandbox = sender
        .as_ref()
        .and_then(Sender::sandbox)
        .or(own_sandbox.as_ref());
    let setup = setup(app, sandbox)?;
    if !setup.config.enabled {
        notes.push(
            "note: webhooks are off in the settings; serving anyway (`paydesk webhook config \
             --enable` turns them on for the app)"
                .to_string(),
        );
    }
    let polling = match &sender {
        None => None,
        Some(sender) => {
            let limiter = Arc::new(RateLimiter::new(args.rate_limit));
            match sender.gateway(limiter.clone()) {
                Ok(gateway) => Some(Polling {
                    gateway,
                    poller: app.poller(limiter)?,
                    outbox: app.outbox()?,
                }),
                Err(why) => {
                    notes.push(format!("warning: not polling: {why}"));
                    None
                }
            }
        }
    };
    let rt = runtime()?;
    let out = &mut *ctx.io.stdout;
    let err = &mut *ctx.io.stderr;
    for note in &notes {
        writeln!(err, "{note}")?;
    }
    let result = rt.block_on(serve(setup, polling, json, out, err));
    // Runtimes are dropped outside any async context, the sandbox last.
    drop(rt);
    drop(sender);
    drop(own_sandbox);
    result
}

/// The outbox and status poller `serve` runs next to the receiver.
struct Polling {
    gateway: paydesk_core::outbox::RequestGateway,
    poller: paydesk_core::status::poller::Poller,
    outbox: paydesk_core::outbox::Outbox,
}

impl Polling {
    /// One pass: send what is due, poll what is due; print invoices that changed.
    async fn pass(
        &mut self,
        json: bool,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        let now = chrono::Utc::now();
        if let Err(e) = self.outbox.run_once(&self.gateway, now).await {
            writeln!(err, "outbox: {e}")?;
        }
        match self.poller.tick(&self.gateway, now).await {
            Ok(report) => {
                for c in &report.changes {
                    if json {
                        serde_json::to_writer(&mut *out, c).map_err(io::Error::from)?;
                        writeln!(out)?;
                    } else {
                        crate::sync::write_change(out, c)?;
                    }
                }
                if report.offline && report.polled > 0 {
                    let why = self
                        .poller
                        .status(now)
                        .ok()
                        .and_then(|s| s.last_error)
                        .unwrap_or_default();
                    writeln!(err, "offline: {why}")?;
                }
            }
            Err(e) => writeln!(err, "poller: {e}")?,
        }
        out.flush()
    }
}

/// Run the service until Ctrl-C or SIGTERM; then stop it, keeping the registration.
async fn serve(
    setup: WebhookSetup,
    mut polling: Option<Polling>,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    let mut service =
        WebhookService::start(setup, Arc::new(TokioLauncher), TunnelOptions::default()).await?;
    let mut changes = service.subscribe();
    let mut hints = service.take_hints();
    let mut printer = Printer::default();
    if !json {
        if let Some(addr) = service.local_addr() {
            writeln!(out, "receiver listening on {addr}")?;
        }
    }
    let first = service.status();
    let mut secret_loaded = first.secret.is_some();
    printer.print(&first, json, out)?;
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stop = Box::pin(shutdown_signal());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            changed = changes.changed() => {
                if changed.is_err() {
                    break;
                }
                printer.print(&service.status(), json, out)?;
            }
            Some(_token) = next_hint(&mut hints) => {
                // The delivery already made the link's confirming poll due: poll now.
                if let Some(p) = polling.as_mut() {
                    p.pass(json, out, err).await?;
                }
            }
            _ = ticks.tick() => {
                if let Some(p) = polling.as_mut() {
                    p.pass(json, out, err).await?;
                }
                if !secret_loaded && printer.registration_state == "manual" {
                    // The user may have pasted the secret with `paydesk secret set`.
                    if service.status().secret.is_some() {
                        service.reload_secret()?;
                        secret_loaded = true;
                        if !json {
                            writeln!(out, "signing secret loaded: deliveries are verified now")?;
                        }
                    }
                }
            }
        }
        out.flush()?;
    }
    service.stop(false).await;
    if !json {
        writeln!(
            out,
            "stopped; the registration is kept for the next `paydesk webhook serve`"
        )?;
    }
    out.flush()?;
    Ok(())
}

/// The next hint; pending forever once the channel is gone (or was never there).
async fn next_hint(
    hints: &mut Option<tokio::sync::mpsc::UnboundedReceiver<String>>,
) -> Option<String> {
    match hints {
        Some(rx) => match rx.recv().await {
            Some(token) => Some(token),
            None => {
                *hints = None;
                std::future::pending().await
            }
        },
        None => std::future::pending().await,
    }
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Prints what changed between status snapshots.
#[derive(Default)]
struct Printer {
    last: Option<WebhookStatus>,
    tunnel: Option<TunnelState>,
    registration: Option<RegistrationStatus>,
    registration_state: &'static str,
    seen: HashSet<String>,
}

fn delivery_key(d: &DeliveryRecord) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        d.at,
        d.delivery_id.as_deref().unwrap_or(""),
        d.event.as_deref().unwrap_or(""),
        d.retry_count.as_deref().unwrap_or(""),
        d.outcome
    )
}

impl Printer {
    fn print(&mut self, s: &WebhookStatus, json: bool, out: &mut dyn Write) -> io::Result<()> {
        self.registration_state = s.registration.state;
        if json {
            if self.last.as_ref() != Some(s) {
                serde_json::to_writer(&mut *out, s).map_err(io::Error::from)?;
                writeln!(out)?;
                self.last = Some(s.clone());
            }
            return Ok(());
        }
        if self.tunnel.as_ref() != Some(&s.tunnel) {
            write_tunnel(out, &s.tunnel, s.config.tunnel)?;
            self.tunnel = Some(s.tunnel.clone());
        }
        if self.registration.as_ref() != Some(&s.registration) {
            write_registration(out, &s.registration)?;
            self.registration = Some(s.registration.clone());
        }
        // Deliveries come newest first: print the new ones oldest first.
        for d in s.deliveries.iter().rev() {
            if self.seen.insert(delivery_key(d)) {
                write_delivery(out, d)?;
            }
        }
        Ok(())
    }
}

fn write_tunnel(out: &mut dyn Write, t: &TunnelState, kind: TunnelKind) -> io::Result<()> {
    let error = t.error.as_deref().unwrap_or("unknown error");
    match t.state {
        TunnelPhase::Off => Ok(()),
        TunnelPhase::Starting => writeln!(out, "tunnel starting ({})", kind.as_str()),
        TunnelPhase::Up => writeln!(out, "tunnel up: {}", t.public_url.as_deref().unwrap_or("?")),
        TunnelPhase::Retrying => match &t.retry_at {
            Some(at) => writeln!(
                out,
                "tunnel retrying (attempt {}): {error} (next try {at})",
                t.attempt
            ),
            None => writeln!(out, "tunnel retrying (attempt {}): {error}", t.attempt),
        },
        TunnelPhase::Failed => writeln!(out, "tunnel failed: {error}"),
    }
}

fn write_registration(out: &mut dyn Write, r: &RegistrationStatus) -> io::Result<()> {
    let url = r.url.as_deref().unwrap_or("?");
    match r.state {
        "registered" => writeln!(out, "registered with Request: {url}"),
        "manual" => writeln!(
            out,
            "paste this URL in Request's dashboard: {url}, then `paydesk secret set \
             webhook-secret`"
        ),
        "failed" => writeln!(
            out,
            "registration failed: {} (retrying)",
            r.error.as_deref().unwrap_or("unknown error")
        ),
        _ => Ok(()),
    }
}

fn write_delivery(out: &mut dyn Write, d: &DeliveryRecord) -> io::Result<()> {
    let event = d.event.as_deref().unwrap_or("(unreadable)");
    let verified = if d.verified {
        "verified"
    } else {
        "not verified"
    };
    match &d.detail {
        Some(detail) => writeln!(out, "delivery {event}: {}, {verified}: {detail}", d.outcome),
        None => writeln!(out, "delivery {event}: {}, {verified}", d.outcome),
    }
}
