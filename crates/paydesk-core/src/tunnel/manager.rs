//! The supervisor: starts the tunnel program, finds its public URL, restarts it with backoff
//! when it dies or never shows a URL, and publishes every change on a watch channel.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::launcher::{ChildEvent, ChildProcess, CommandSpec, Launcher};
use super::parse::{self, NgrokLog};
use super::{TunnelOptions, TunnelPhase, TunnelSpec, TunnelState};
use crate::secrets::Secret;

/// A tunnel up for longer than this counts as healthy: the next failure starts from the
/// shortest backoff again.
const STABLE_AFTER: Duration = Duration::from_secs(60);
/// How often the local APIs (cloudflared metrics, ngrok) are asked for the URL.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How long one poll may take.
const POLL_TIMEOUT: Duration = Duration::from_secs(2);
/// How long to wait for a killed child to report its exit.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// Output lines kept for error messages, and how many of them a message quotes.
const TAIL_KEEP: usize = 20;
const TAIL_QUOTE: usize = 3;
/// Longest quoted output line, in characters.
const LINE_MAX: usize = 240;
const NGROK_API_DEFAULT: &str = "http://127.0.0.1:4040";

type ChildSlot = Arc<Mutex<Option<Box<dyn ChildProcess>>>>;

/// Runs and supervises one tunnel. Dropping it kills the child (best effort); call
/// [`TunnelManager::stop`] to also wait for the supervisor to finish.
pub struct TunnelManager {
    state: Arc<watch::Sender<TunnelState>>,
    stop: watch::Sender<bool>,
    child: ChildSlot,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TunnelManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TunnelManager")
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

impl TunnelManager {
    /// Start the tunnel to the receiver at `local`. Spawns a tokio task, so it must be called
    /// inside a runtime. A manual URL is `Up` (or `Failed`, if invalid) before this returns.
    pub fn start(
        spec: TunnelSpec,
        local: SocketAddr,
        launcher: Arc<dyn Launcher>,
        options: TunnelOptions,
    ) -> TunnelManager {
        let state = Arc::new(watch::Sender::new(TunnelState::off()));
        let (stop, stop_rx) = watch::channel(false);
        let child: ChildSlot = Arc::new(Mutex::new(None));
        let program = match spec {
            TunnelSpec::Manual { url } => {
                let next = match crate::domain::webhook::check_public_url(&url) {
                    Ok(()) => {
                        tracing::info!(url = %url, "tunnel: using the manual public URL");
                        TunnelState {
                            state: TunnelPhase::Up,
                            public_url: Some(parse::display_url(&url)),
                            ..TunnelState::off()
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "tunnel: the manual public URL is invalid");
                        failed(0, e.to_string())
                    }
                };
                state.send_replace(next);
                None
            }
            TunnelSpec::Cloudflared { binary } => Some(Program::Cloudflared { binary }),
            TunnelSpec::Ngrok { binary, authtoken } => Some(Program::Ngrok { binary, authtoken }),
        };
        let task = program.map(|program| {
            state.send_replace(starting(1));
            let supervisor = Supervisor {
                program,
                local,
                launcher,
                options,
                state: state.clone(),
                stop: stop_rx,
                child: child.clone(),
            };
            tokio::spawn(supervisor.run())
        });
        TunnelManager {
            state,
            stop,
            child,
            task,
        }
    }

    /// The current state.
    pub fn state(&self) -> TunnelState {
        self.state.borrow().clone()
    }

    /// Every state change, starting from the current one.
    pub fn subscribe(&self) -> watch::Receiver<TunnelState> {
        self.state.subscribe()
    }

    /// Kill the child, wait for the supervisor to finish; the state ends `Off`.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "tunnel: the supervisor task failed");
            }
        }
        kill_slot(&self.child);
        self.state.send_replace(TunnelState::off());
        tracing::info!("tunnel: stopped");
    }
}

impl Drop for TunnelManager {
    fn drop(&mut self) {
        // The supervisor notices the flag at its next await; killing here too means nothing
        // outlives the app even when the runtime is already shutting down.
        self.stop.send_replace(true);
        kill_slot(&self.child);
    }
}

fn kill_slot(slot: &ChildSlot) {
    let taken = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(child) = taken {
        let pid = child.pid();
        if let Err(e) = child.kill() {
            tracing::warn!(?pid, error = %e, "tunnel: could not kill the child");
        } else {
            tracing::debug!(?pid, "tunnel: killed the child");
        }
    }
}

fn starting(attempt: u32) -> TunnelState {
    TunnelState {
        state: TunnelPhase::Starting,
        attempt,
        ..TunnelState::off()
    }
}

/// Down after `attempt`; the next start in `delay`.
fn retrying(attempt: u32, error: String, delay: Duration) -> TunnelState {
    let retry_at =
        chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero());
    TunnelState {
        state: TunnelPhase::Retrying,
        public_url: None,
        attempt,
        error: Some(error),
        retry_at: Some(crate::clock::timestamp(retry_at)),
    }
}

fn failed(attempt: u32, error: String) -> TunnelState {
    TunnelState {
        state: TunnelPhase::Failed,
        attempt,
        error: Some(error),
        ..TunnelState::off()
    }
}

/// A tunnel that runs a program.
enum Program {
    Cloudflared {
        binary: Option<PathBuf>,
    },
    Ngrok {
        binary: Option<PathBuf>,
        authtoken: Option<Secret>,
    },
}

impl Program {
    fn name(&self) -> &'static str {
        match self {
            Program::Cloudflared { .. } => "cloudflared",
            Program::Ngrok { .. } => "ngrok",
        }
    }

    fn binary(&self) -> Option<&Path> {
        match self {
            Program::Cloudflared { binary } | Program::Ngrok { binary, .. } => binary.as_deref(),
        }
    }

    fn authtoken(&self) -> Option<&Secret> {
        match self {
            Program::Ngrok { authtoken, .. } => authtoken.as_ref(),
            Program::Cloudflared { .. } => None,
        }
    }
}

/// Where the executable is, or a message telling the user how to fix it.
fn resolve_binary(name: &str, configured: Option<&Path>) -> Result<PathBuf, String> {
    let Some(path) = configured else {
        return which::which(name).map_err(|_| {
            format!("{name} was not found on PATH; install it or set its path in Webhooks settings")
        });
    };
    if !path.exists() {
        return Err(format!(
            "{name} was not found at {}; fix its path in Webhooks settings (or clear it to use the one on PATH)",
            path.display()
        ));
    }
    if !is_executable_file(path) {
        return Err(format!(
            "{} is not an executable file; fix the {name} path in Webhooks settings",
            path.display()
        ));
    }
    Ok(path.to_path_buf())
}

#[cfg(unix)]
fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(path: &Path) -> bool {
    path.is_file()
}

/// Waits before restarts: doubles from `min` to `max`, back to `min` after a healthy run.
#[derive(Debug, Clone)]
struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    fn new(min: Duration, max: Duration) -> Self {
        let max = max.max(min);
        Backoff {
            min,
            max,
            next: min,
        }
    }

    fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = delay.saturating_mul(2).min(self.max);
        delay
    }

    fn reset(&mut self) {
        self.next = self.min;
    }
}

/// How one run of the program ended.
enum Outcome {
    /// `stop()` or drop: the child is gone.
    Stopped,
    /// Cannot work without the user (missing binary): no restart.
    Fatal(String),
    /// Died or never showed a URL; `up_for` is how long it was up, if it got there.
    Ended {
        error: String,
        up_for: Option<Duration>,
    },
}

struct Supervisor {
    program: Program,
    local: SocketAddr,
    launcher: Arc<dyn Launcher>,
    options: TunnelOptions,
    state: Arc<watch::Sender<TunnelState>>,
    stop: watch::Receiver<bool>,
    child: ChildSlot,
}

impl Supervisor {
    async fn run(mut self) {
        let mut backoff = Backoff::new(self.options.backoff_min, self.options.backoff_max);
        let mut attempt = 0;
        loop {
            if *self.stop.borrow() {
                break;
            }
            attempt += 1;
            self.publish(starting(attempt));
            match self.run_once(attempt).await {
                Outcome::Stopped => break,
                Outcome::Fatal(error) => {
                    // The user may install the program or fix its path meanwhile: look again
                    // at the longest pause, without counting it as a crash.
                    let delay = self.options.backoff_max;
                    tracing::error!(tunnel = self.program.name(), %error, "tunnel: cannot start");
                    self.publish(retrying(attempt, error, delay));
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stopped(&mut self.stop) => break,
                    }
                }
                Outcome::Ended { error, up_for } => {
                    let healthy = up_for.is_some_and(|d| d > STABLE_AFTER);
                    if healthy {
                        backoff.reset();
                    }
                    let delay = backoff.next_delay();
                    tracing::warn!(
                        tunnel = self.program.name(),
                        attempt,
                        %error,
                        delay_ms = delay.as_millis() as u64,
                        "tunnel: down, restarting after a pause"
                    );
                    self.publish(retrying(attempt, error, delay));
                    if healthy {
                        // Counting starts again: the next start is attempt 1.
                        attempt = 0;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stopped(&mut self.stop) => break,
                    }
                }
            }
        }
        kill_slot(&self.child);
        self.publish(TunnelState::off());
    }

    fn publish(&self, next: TunnelState) {
        tracing::debug!(state = ?next.state, attempt = next.attempt, "tunnel: state");
        self.state.send_replace(next);
    }

    fn command(&self, program: PathBuf) -> (CommandSpec, Option<u16>) {
        match &self.program {
            Program::Cloudflared { .. } => {
                let mut args = vec![
                    "tunnel".to_string(),
                    "--no-autoupdate".to_string(),
                    "--url".to_string(),
                    format!("http://{}", self.local),
                ];
                let metrics_port = free_loopback_port();
                if let Some(port) = metrics_port {
                    args.push("--metrics".into());
                    args.push(format!("127.0.0.1:{port}"));
                }
                let env = Vec::new();
                (CommandSpec { program, args, env }, metrics_port)
            }
            Program::Ngrok { authtoken, .. } => {
                let args = ["http", &self.local.to_string(), "--log", "stdout"]
                    .into_iter()
                    .chain(["--log-format", "json"])
                    .map(str::to_string)
                    .collect();
                let env = authtoken
                    .iter()
                    .map(|t| ("NGROK_AUTHTOKEN".to_string(), t.clone()))
                    .collect();
                (CommandSpec { program, args, env }, None)
            }
        }
    }

    async fn run_once(&mut self, attempt: u32) -> Outcome {
        let name = self.program.name();
        let program = match resolve_binary(name, self.program.binary()) {
            Ok(path) => path,
            Err(message) => return Outcome::Fatal(message),
        };
        let (spec, metrics_port) = self.command(program);
        tracing::info!(
            tunnel = name,
            program = %spec.program.display(),
            args = ?spec.args,
            attempt,
            "tunnel: starting"
        );
        let (mut events, child) = match self.launcher.spawn(&spec) {
            Ok(started) => started,
            Err(e) => {
                return Outcome::Ended {
                    error: format!("could not start {name}: {e}"),
                    up_for: None,
                }
            }
        };
        tracing::debug!(tunnel = name, pid = ?child.pid(), "tunnel: started");
        *self.child.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);

        let mut tail = Tail::new(self.program.authtoken().cloned());
        let (api_tx, api_rx) = watch::channel(self.initial_api(metrics_port));
        let (url_tx, mut url_rx) = mpsc::unbounded_channel();
        let poller = AbortOnDrop(tokio::spawn(poll_api(api_rx, self.local.port(), url_tx)));

        let deadline = tokio::time::sleep(self.options.url_deadline);
        tokio::pin!(deadline);
        let url = loop {
            tokio::select! {
                _ = stopped(&mut self.stop) => {
                    self.kill_and_reap(&mut events).await;
                    return Outcome::Stopped;
                }
                event = events.recv() => match event {
                    Some(ChildEvent::Stdout(text) | ChildEvent::Stderr(text)) => {
                        if let Some(url) = self.observe(&text, &mut tail, &api_tx) {
                            break url;
                        }
                    }
                    Some(ChildEvent::Error(e)) => tail.push(&e),
                    Some(ChildEvent::Exited { code }) => {
                        return self.ended(exit_message(name, code, false), &tail, None)
                    }
                    None => return self.ended(exit_message(name, None, true), &tail, None),
                },
                Some(url) = url_rx.recv() => break url,
                _ = &mut deadline => {
                    self.kill_and_reap(&mut events).await;
                    let secs = self.options.url_deadline.as_secs_f64();
                    let error = format!("{name} started but no public URL appeared within {secs} s");
                    return self.ended(error, &tail, None);
                }
            }
        };
        drop(poller);

        tracing::info!(tunnel = name, url = %url, attempt, "tunnel: up");
        self.publish(TunnelState {
            state: TunnelPhase::Up,
            public_url: Some(url),
            attempt,
            error: None,
            retry_at: None,
        });
        let up_since = Instant::now();
        loop {
            tokio::select! {
                _ = stopped(&mut self.stop) => {
                    self.kill_and_reap(&mut events).await;
                    return Outcome::Stopped;
                }
                event = events.recv() => match event {
                    Some(ChildEvent::Stdout(text) | ChildEvent::Stderr(text)) => {
                        self.observe(&text, &mut tail, &api_tx);
                    }
                    Some(ChildEvent::Error(e)) => tail.push(&e),
                    Some(ChildEvent::Exited { code }) => {
                        let error = exit_message(name, code, false);
                        return self.ended(error, &tail, Some(up_since.elapsed()));
                    }
                    None => {
                        let error = exit_message(name, None, true);
                        return self.ended(error, &tail, Some(up_since.elapsed()));
                    }
                },
            }
        }
    }

    /// Where to poll for the URL before the program says anything.
    fn initial_api(&self, metrics_port: Option<u16>) -> Option<url::Url> {
        match &self.program {
            Program::Cloudflared { .. } => metrics_port.and_then(|port| {
                url::Url::parse(&format!("http://127.0.0.1:{port}/quicktunnel")).ok()
            }),
            Program::Ngrok { .. } => {
                let base = self
                    .options
                    .ngrok_api
                    .clone()
                    .or_else(|| url::Url::parse(NGROK_API_DEFAULT).ok());
                base.and_then(|b| ngrok_tunnels_url(&b))
            }
        }
    }

    /// Read output text (maybe several lines); returns the public URL if it announces one.
    fn observe(
        &self,
        text: &str,
        tail: &mut Tail,
        api: &watch::Sender<Option<url::Url>>,
    ) -> Option<String> {
        let mut found = None;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match &self.program {
                Program::Cloudflared { .. } => {
                    tracing::trace!(line, "cloudflared");
                    if let Some(url) = parse::cloudflared_url(line) {
                        found.get_or_insert(url);
                    }
                    tail.push(line);
                }
                Program::Ngrok { .. } => match parse::ngrok_log(line) {
                    Some(NgrokLog::Started(url)) => {
                        found.get_or_insert(url);
                    }
                    // The log tells where this ngrok's API is (4040 may belong to another).
                    Some(NgrokLog::WebService(addr)) if self.options.ngrok_api.is_none() => {
                        let base = url::Url::parse(&format!("http://{addr}")).ok();
                        if let Some(url) = base.as_ref().and_then(ngrok_tunnels_url) {
                            api.send_replace(Some(url));
                        }
                    }
                    Some(NgrokLog::Problem(message)) => tail.push(&message),
                    None if !line.starts_with('{') => tail.push(line),
                    Some(NgrokLog::WebService(_)) | None => {}
                },
            }
        }
        found
    }

    fn ended(&self, error: String, tail: &Tail, up_for: Option<Duration>) -> Outcome {
        self.child.lock().unwrap_or_else(|p| p.into_inner()).take();
        Outcome::Ended {
            error: tail.explain(error),
            up_for,
        }
    }

    async fn kill_and_reap(&self, events: &mut mpsc::UnboundedReceiver<ChildEvent>) {
        kill_slot(&self.child);
        let reaped = tokio::time::timeout(EXIT_GRACE, async {
            while let Some(event) = events.recv().await {
                if matches!(event, ChildEvent::Exited { .. }) {
                    break;
                }
            }
        })
        .await;
        if reaped.is_err() {
            tracing::warn!(
                tunnel = self.program.name(),
                "tunnel: the killed child did not report its exit"
            );
        }
    }
}

/// Resolves when `stop` is set, or when its sender is gone (the manager was dropped).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

fn ngrok_tunnels_url(base: &url::Url) -> Option<url::Url> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.join("api/tunnels").ok()
}

/// Polls a local API (cloudflared `/quicktunnel`, ngrok `/api/tunnels`; told apart by path)
/// every [`POLL_EVERY`] until it shows the URL, which is sent on `found`.
async fn poll_api(
    mut api: watch::Receiver<Option<url::Url>>,
    local_port: u16,
    found: mpsc::UnboundedSender<String>,
) {
    let client = match reqwest::Client::builder()
        .no_proxy()
        .timeout(POLL_TIMEOUT)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(error = %e, "tunnel: cannot poll the local API");
            return;
        }
    };
    loop {
        tokio::time::sleep(POLL_EVERY).await;
        let Some(endpoint) = api.borrow_and_update().clone() else {
            if api.changed().await.is_err() {
                return;
            }
            continue;
        };
        let body = match client.get(endpoint.clone()).send().await {
            Ok(response) if response.status().is_success() => response.text().await.ok(),
            Ok(_) | Err(_) => None,
        };
        let url = body.and_then(|body| {
            if endpoint.path().ends_with("/quicktunnel") {
                parse::cloudflared_metrics_url(&body)
            } else {
                parse::ngrok_api_url(&body, local_port)
            }
        });
        if let Some(url) = url {
            tracing::debug!(endpoint = %endpoint, "tunnel: the local API shows the URL");
            let _ = found.send(url);
            return;
        }
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn free_loopback_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .ok()
}

fn exit_message(name: &str, code: Option<i32>, lost: bool) -> String {
    match (code, lost) {
        (_, true) => format!("{name} stopped reporting (its output closed)"),
        (Some(code), _) => format!("{name} exited with code {code}"),
        (None, _) => format!("{name} was killed by a signal"),
    }
}

/// The last output lines, for error messages; the secret (authtoken) is blanked out.
struct Tail {
    lines: VecDeque<String>,
    secret: Option<Secret>,
}

impl Tail {
    fn new(secret: Option<Secret>) -> Self {
        Tail {
            lines: VecDeque::new(),
            secret: secret.filter(|s| !s.expose().is_empty()),
        }
    }

    fn push(&mut self, line: &str) {
        let mut line = line.trim().to_string();
        if let Some(secret) = &self.secret {
            line = line.replace(secret.expose(), "<redacted>");
        }
        if line.chars().count() > LINE_MAX {
            line = line.chars().take(LINE_MAX).chain("…".chars()).collect();
        }
        if line.is_empty() {
            return;
        }
        if self.lines.len() == TAIL_KEEP {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// `error`, followed by the last lines that look like problems (else the last lines).
    fn explain(&self, error: String) -> String {
        let problems: Vec<&String> = self
            .lines
            .iter()
            .filter(|l| looks_like_problem(l))
            .collect();
        let source: Vec<&String> = if problems.is_empty() {
            self.lines.iter().collect()
        } else {
            problems
        };
        let quoted: Vec<&str> = source
            .iter()
            .rev()
            .take(TAIL_QUOTE)
            .rev()
            .map(|s| s.as_str())
            .collect();
        if quoted.is_empty() {
            error
        } else {
            format!("{error}; last output: {}", quoted.join(" | "))
        }
    }
}

fn looks_like_problem(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    [" err ", " wrn ", " ftl ", "error", "failed", "fatal"]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
        let delays: Vec<u64> = (0..5).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 5, 5]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_secs(1));
    }

    #[test]
    fn tail_quotes_problem_lines_and_hides_the_secret() {
        let mut tail = Tail::new(Some(Secret::new("tok123")));
        tail.push("2024-05-01T10:00:00Z INF Version 2024.4.1");
        tail.push("2024-05-01T10:00:00Z ERR failed to connect with token tok123");
        tail.push("2024-05-01T10:00:00Z INF bye");
        let msg = tail.explain("cloudflared exited with code 1".into());
        assert_eq!(
            msg,
            "cloudflared exited with code 1; last output: 2024-05-01T10:00:00Z ERR failed to connect with token <redacted>"
        );
        let quiet = Tail::new(None);
        assert_eq!(quiet.explain("x".into()), "x");
    }

    #[test]
    fn missing_binaries_get_messages_that_say_how_to_fix() {
        let e = resolve_binary("paydesk-no-such-tunnel-binary", None).unwrap_err();
        assert!(
            e.contains("paydesk-no-such-tunnel-binary was not found on PATH"),
            "{e}"
        );
        assert!(e.contains("Webhooks settings"), "{e}");
        let e =
            resolve_binary("cloudflared", Some(Path::new("/nonexistent/cloudflared"))).unwrap_err();
        assert!(e.contains("/nonexistent/cloudflared"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = resolve_binary("cloudflared", Some(dir.path())).unwrap_err();
        assert!(e.contains("not an executable file"), "{e}");
    }

    #[test]
    fn ngrok_api_base_gets_the_tunnels_path() {
        let base = url::Url::parse("http://127.0.0.1:4040").unwrap();
        assert_eq!(
            ngrok_tunnels_url(&base).unwrap().as_str(),
            "http://127.0.0.1:4040/api/tunnels"
        );
        let base = url::Url::parse("http://127.0.0.1:9/prefix").unwrap();
        assert_eq!(
            ngrok_tunnels_url(&base).unwrap().as_str(),
            "http://127.0.0.1:9/prefix/api/tunnels"
        );
    }
}
