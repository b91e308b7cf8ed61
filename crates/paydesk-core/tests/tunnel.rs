//! The tunnel supervisor against fake `cloudflared` and `ngrok` scripts (tests/fixtures): the
//! URL is found, a crash restarts with the new URL, a silent program is killed and retried, a
//! missing binary is retried at the longest pause with a message saying how to fix it, and stopping or dropping kills the child.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paydesk_core::secrets::Secret;
use paydesk_core::tunnel::{
    parse_public_url, ChildEvent, ChildProcess, CommandSpec, Launcher, TokioLauncher,
    TunnelManager, TunnelOptions, TunnelPhase, TunnelSpec, TunnelState,
};
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;

/// How long any expected state may take to appear.
const WAIT: Duration = Duration::from_secs(10);

fn local() -> SocketAddr {
    "127.0.0.1:38471".parse().unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn options() -> TunnelOptions {
    TunnelOptions {
        url_deadline: Duration::from_secs(10),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        ngrok_api: None,
    }
}

/// [`TokioLauncher`] plus environment for the fake scripts (set per child, not per test process),
/// remembering every spec it was asked to run.
struct FakeEnvLauncher {
    env: Vec<(String, Secret)>,
    specs: Mutex<Vec<CommandSpec>>,
}

impl FakeEnvLauncher {
    fn new(env: &[(&str, &str)]) -> Arc<Self> {
        Arc::new(FakeEnvLauncher {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), Secret::new(*v)))
                .collect(),
            specs: Mutex::new(Vec::new()),
        })
    }
}

impl Launcher for FakeEnvLauncher {
    fn spawn(
        &self,
        spec: &CommandSpec,
    ) -> paydesk_core::Result<(mpsc::UnboundedReceiver<ChildEvent>, Box<dyn ChildProcess>)> {
        self.specs.lock().unwrap().push(spec.clone());
        let mut spec = spec.clone();
        spec.env.extend(self.env.iter().cloned());
        TokioLauncher.spawn(&spec)
    }
}

/// A fake cloudflared in `mode`, with its state directory.
fn cloudflared(mode: &str) -> (tempfile::TempDir, Arc<FakeEnvLauncher>, TunnelSpec) {
    let dir = tempfile::tempdir().unwrap();
    let launcher = FakeEnvLauncher::new(&[
        ("FAKE_CLOUDFLARED_STATE", dir.path().to_str().unwrap()),
        ("FAKE_CLOUDFLARED_MODE", mode),
    ]);
    let spec = TunnelSpec::Cloudflared {
        binary: Some(fixture("fake-cloudflared")),
    };
    (dir, launcher, spec)
}

async fn wait_for(
    rx: &mut watch::Receiver<TunnelState>,
    what: &str,
    mut ok: impl FnMut(&TunnelState) -> bool,
) -> TunnelState {
    let result = timeout(WAIT, rx.wait_for(|s| ok(s)))
        .await
        .map(|r| r.map(|state| state.clone()));
    match result {
        Ok(Ok(state)) => state,
        Ok(Err(_)) => panic!("the state channel closed while waiting for {what}"),
        Err(_) => panic!(
            "timed out waiting for {what}; last state: {:?}",
            *rx.borrow()
        ),
    }
}

async fn wait_up(rx: &mut watch::Receiver<TunnelState>) -> TunnelState {
    wait_for(rx, "Up", |s| s.state == TunnelPhase::Up).await
}

/// Wait (with a deadline) for a file the fake script writes.
async fn read_when_written(path: &Path) -> String {
    let read = async {
        loop {
            if let Ok(text) = std::fs::read_to_string(path) {
                if !text.is_empty() {
                    return text;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    timeout(WAIT, read)
        .await
        .unwrap_or_else(|_| panic!("{} was never written", path.display()))
}

fn pid_in(dir: &Path) -> u32 {
    std::fs::read_to_string(dir.join("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

async fn assert_process_ends(pid: u32) {
    let gone = async {
        while alive(pid) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    timeout(WAIT, gone)
        .await
        .unwrap_or_else(|_| panic!("process {pid} is still running"));
}

#[tokio::test]
async fn cloudflared_url_from_its_output_makes_the_tunnel_up() {
    let (dir, launcher, spec) = cloudflared("ok");
    let manager = TunnelManager::start(spec, local(), launcher.clone(), options());
    let mut rx = manager.subscribe();
    let up = wait_up(&mut rx).await;
    assert_eq!(
        up.public_url.as_deref(),
        Some("https://fake-tunnel-1.trycloudflare.com")
    );
    assert_eq!((up.attempt, &up.error, &up.retry_at), (1, &None, &None));
    assert_eq!(manager.state(), up);

    let args: Vec<String> = std::fs::read_to_string(dir.path().join("args"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(args[..2], ["tunnel", "--no-autoupdate"]);
    let url_at = args.iter().position(|a| a == "--url").expect("--url");
    assert_eq!(args[url_at + 1], "http://127.0.0.1:38471");
    let metrics_at = args
        .iter()
        .position(|a| a == "--metrics")
        .expect("--metrics");
    assert!(args[metrics_at + 1].starts_with("127.0.0.1:"), "{args:?}");
    assert!(launcher.specs.lock().unwrap()[0].env.is_empty());
    manager.stop().await;
}

#[tokio::test]
async fn a_crash_restarts_and_the_new_url_is_published() {
    let (dir, launcher, spec) = cloudflared("crash-after-url");
    let opts = TunnelOptions {
        // Long enough that the Retrying state is surely observed.
        backoff_min: Duration::from_millis(300),
        ..options()
    };
    let manager = TunnelManager::start(spec, local(), launcher, opts);
    let mut rx = manager.subscribe();
    let first = wait_up(&mut rx).await;
    assert_eq!(
        first.public_url.as_deref(),
        Some("https://fake-tunnel-1.trycloudflare.com")
    );
    let retrying = wait_for(&mut rx, "Retrying", |s| s.state == TunnelPhase::Retrying).await;
    assert_eq!(retrying.attempt, 1);
    assert_eq!(retrying.public_url, None);
    let error = retrying.error.unwrap();
    assert!(error.contains("cloudflared exited with code 1"), "{error}");
    assert!(error.contains("fake crash"), "{error}");
    let retry_at = retrying.retry_at.expect("retry_at");
    chrono::DateTime::parse_from_rfc3339(&retry_at).expect("retry_at is RFC 3339");

    let second = wait_up(&mut rx).await;
    assert_eq!(
        second.public_url.as_deref(),
        Some("https://fake-tunnel-2.trycloudflare.com")
    );
    assert_eq!(second.attempt, 2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("count"))
            .unwrap()
            .trim(),
        "2"
    );
    manager.stop().await;
}

#[tokio::test]
async fn no_url_before_the_deadline_kills_the_child_and_retries() {
    let (dir, launcher, spec) = cloudflared("never-url");
    let opts = TunnelOptions {
        url_deadline: Duration::from_millis(500),
        backoff_min: Duration::from_secs(5),
        ..options()
    };
    let manager = TunnelManager::start(spec, local(), launcher, opts);
    let mut rx = manager.subscribe();
    let pid: u32 = read_when_written(&dir.path().join("pid"))
        .await
        .trim()
        .parse()
        .unwrap();
    let retrying = wait_for(&mut rx, "Retrying", |s| s.state == TunnelPhase::Retrying).await;
    let error = retrying.error.unwrap();
    assert!(
        error.contains("cloudflared started but no public URL appeared within 0.5 s"),
        "{error}"
    );
    assert_eq!(retrying.attempt, 1);
    assert_process_ends(pid).await;
    manager.stop().await;
}

#[tokio::test]
async fn an_immediate_exit_is_retried_with_its_error_line() {
    let (dir, launcher, spec) = cloudflared("exit-at-once");
    let opts = TunnelOptions {
        backoff_min: Duration::from_secs(5),
        ..options()
    };
    let manager = TunnelManager::start(spec, local(), launcher, opts);
    let mut rx = manager.subscribe();
    let retrying = wait_for(&mut rx, "Retrying", |s| s.state == TunnelPhase::Retrying).await;
    let error = retrying.error.unwrap();
    assert!(
        error.starts_with("cloudflared exited with code 2; last output: "),
        "{error}"
    );
    assert!(error.contains("failed to request quick Tunnel"), "{error}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("count"))
            .unwrap()
            .trim(),
        "1"
    );
    manager.stop().await;
}

#[tokio::test]
async fn a_missing_binary_says_how_to_fix_it_and_starts_once_installed() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let missing = dir.path().join("cloudflared");
    let launcher = FakeEnvLauncher::new(&[
        ("FAKE_CLOUDFLARED_STATE", state.path().to_str().unwrap()),
        ("FAKE_CLOUDFLARED_MODE", "ok"),
    ]);
    let spec = TunnelSpec::Cloudflared {
        binary: Some(missing.clone()),
    };
    let manager = TunnelManager::start(spec, local(), launcher.clone(), options());
    let mut rx = manager.subscribe();
    let down = wait_for(&mut rx, "Retrying", |s| s.state == TunnelPhase::Retrying).await;
    let error = down.error.unwrap();
    assert!(
        error.contains(&format!(
            "cloudflared was not found at {}",
            missing.display()
        )),
        "{error}"
    );
    assert!(error.contains("Webhooks settings"), "{error}");
    assert!(down.retry_at.is_some());
    assert!(
        launcher.specs.lock().unwrap().is_empty(),
        "nothing was spawned"
    );
    // The user installs it: the next look finds it and the tunnel comes up.
    std::fs::copy(fixture("fake-cloudflared"), &missing).unwrap();
    let up = wait_up(&mut rx).await;
    assert!(up.public_url.unwrap().ends_with(".trycloudflare.com"));
    assert_eq!(launcher.specs.lock().unwrap().len(), 1);
    manager.stop().await;

    // A file that is not executable: same message style, for ngrok.
    let plain = dir.path().join("ngrok");
    std::fs::write(&plain, "not a program").unwrap();
    let spec = TunnelSpec::Ngrok {
        binary: Some(plain),
        authtoken: None,
    };
    let launcher = FakeEnvLauncher::new(&[]);
    let manager = TunnelManager::start(spec, local(), launcher.clone(), options());
    let mut rx = manager.subscribe();
    let down = wait_for(&mut rx, "Retrying", |s| s.state == TunnelPhase::Retrying).await;
    let error = down.error.unwrap();
    assert!(error.contains("is not an executable file"), "{error}");
    assert!(error.contains("ngrok"), "{error}");
    assert!(
        launcher.specs.lock().unwrap().is_empty(),
        "nothing was spawned"
    );
    manager.stop().await;
}

#[tokio::test]
async fn stop_kills_the_child_and_turns_off() {
    let (dir, launcher, spec) = cloudflared("ok");
    let manager = TunnelManager::start(spec, local(), launcher, options());
    let mut rx = manager.subscribe();
    wait_up(&mut rx).await;
    let pid = pid_in(dir.path());
    assert!(alive(pid));
    manager.stop().await;
    assert_eq!(*rx.borrow(), TunnelState::off());
    assert_process_ends(pid).await;
}

#[tokio::test]
async fn dropping_the_manager_kills_the_child() {
    let (dir, launcher, spec) = cloudflared("ok");
    let manager = TunnelManager::start(spec, local(), launcher, options());
    let mut rx = manager.subscribe();
    wait_up(&mut rx).await;
    let pid = pid_in(dir.path());
    drop(manager);
    assert_process_ends(pid).await;
}

#[tokio::test]
async fn cloudflared_url_from_the_metrics_endpoint_when_output_has_none() {
    let (dir, launcher, spec) = cloudflared("never-url");
    let manager = TunnelManager::start(spec, local(), launcher, options());
    let mut rx = manager.subscribe();
    let args = read_when_written(&dir.path().join("args")).await;
    let lines: Vec<&str> = args.lines().collect();
    let at = lines
        .iter()
        .position(|a| *a == "--metrics")
        .expect("--metrics");
    let listener = tokio::net::TcpListener::bind(lines[at + 1]).await.unwrap();
    let app = axum::Router::new().route(
        "/quicktunnel",
        axum::routing::get(|| async { r#"{"hostname":"from-metrics.trycloudflare.com"}"# }),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let up = wait_up(&mut rx).await;
    assert_eq!(
        up.public_url.as_deref(),
        Some("https://from-metrics.trycloudflare.com")
    );
    manager.stop().await;
    server.abort();
}

#[tokio::test]
async fn ngrok_url_from_its_api_with_the_authtoken_only_in_the_environment() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api: url::Url = format!("http://{}", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    let body = r#"{"tunnels":[
        {"name":"other","public_url":"https://other.ngrok-free.app","proto":"https","config":{"addr":"http://localhost:9999"}},
        {"name":"command_line","public_url":"https://fake-api.ngrok-free.app","proto":"https","config":{"addr":"http://127.0.0.1:38471"}}
    ],"uri":"/api/tunnels"}"#;
    let app = axum::Router::new().route(
        "/api/tunnels",
        axum::routing::get(move || async move { body }),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let launcher = FakeEnvLauncher::new(&[
        ("FAKE_NGROK_STATE", dir.path().to_str().unwrap()),
        ("FAKE_NGROK_MODE", "api"),
    ]);
    let spec = TunnelSpec::Ngrok {
        binary: Some(fixture("fake-ngrok")),
        authtoken: Some(Secret::new("2fakeAuthToken_abc")),
    };
    let opts = TunnelOptions {
        ngrok_api: Some(api),
        ..options()
    };
    let manager = TunnelManager::start(spec, local(), launcher.clone(), opts);
    let mut rx = manager.subscribe();
    let up = wait_up(&mut rx).await;
    assert_eq!(
        up.public_url.as_deref(),
        Some("https://fake-api.ngrok-free.app")
    );

    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(
        args,
        [
            "http",
            "127.0.0.1:38471",
            "--log",
            "stdout",
            "--log-format",
            "json"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("authtoken")).unwrap(),
        "2fakeAuthToken_abc"
    );
    let spec = launcher.specs.lock().unwrap()[0].clone();
    assert!(!format!("{spec:?}").contains("2fakeAuthToken_abc"));
    manager.stop().await;
    server.abort();
}

#[tokio::test]
async fn ngrok_url_from_its_json_log() {
    let dir = tempfile::tempdir().unwrap();
    let launcher = FakeEnvLauncher::new(&[
        ("FAKE_NGROK_STATE", dir.path().to_str().unwrap()),
        ("FAKE_NGROK_MODE", "log"),
    ]);
    let spec = TunnelSpec::Ngrok {
        binary: Some(fixture("fake-ngrok")),
        authtoken: None,
    };
    // Nothing listens on the API: the log line alone must do.
    let opts = TunnelOptions {
        ngrok_api: Some("http://127.0.0.1:9".parse().unwrap()),
        ..options()
    };
    let manager = TunnelManager::start(spec, local(), launcher, opts);
    let mut rx = manager.subscribe();
    let up = wait_up(&mut rx).await;
    assert_eq!(
        up.public_url.as_deref(),
        Some("https://fake-log.ngrok-free.app")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("authtoken")).unwrap(),
        ""
    );
    manager.stop().await;
}

/// A launcher like tauri-plugin-shell's: one event may carry several lines.
struct ScriptedLauncher {
    killed: Arc<Mutex<bool>>,
    senders: Mutex<Vec<mpsc::UnboundedSender<ChildEvent>>>,
}

struct ScriptedChild(Arc<Mutex<bool>>);

impl ChildProcess for ScriptedChild {
    fn pid(&self) -> Option<u32> {
        None
    }
    fn kill(self: Box<Self>) -> paydesk_core::Result<()> {
        *self.0.lock().unwrap() = true;
        Ok(())
    }
}

impl Launcher for ScriptedLauncher {
    fn spawn(
        &self,
        _: &CommandSpec,
    ) -> paydesk_core::Result<(mpsc::UnboundedReceiver<ChildEvent>, Box<dyn ChildProcess>)> {
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(ChildEvent::Stderr(
            "2024-05-01T10:00:00Z INF +-----------------------------+\n\
             2024-05-01T10:00:00Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |\n\
             2024-05-01T10:00:00Z INF |  https://multi-line.trycloudflare.com   |\n"
                .into(),
        ))
        .unwrap();
        // Kept open: the "process" runs until killed.
        self.senders.lock().unwrap().push(tx);
        Ok((rx, Box::new(ScriptedChild(self.killed.clone()))))
    }
}

#[tokio::test]
async fn events_carrying_several_lines_are_split_and_stop_kills_through_the_trait() {
    let killed = Arc::new(Mutex::new(false));
    let launcher = Arc::new(ScriptedLauncher {
        killed: killed.clone(),
        senders: Mutex::new(Vec::new()),
    });
    // Any executable stands in for the binary: the scripted launcher never runs it.
    let spec = TunnelSpec::Cloudflared {
        binary: Some(fixture("fake-cloudflared")),
    };
    let manager = TunnelManager::start(spec, local(), launcher, options());
    let mut rx = manager.subscribe();
    let up = wait_up(&mut rx).await;
    assert_eq!(
        up.public_url.as_deref(),
        Some("https://multi-line.trycloudflare.com")
    );
    assert!(!*killed.lock().unwrap());
    manager.stop().await;
    assert!(*killed.lock().unwrap(), "stop() killed the child");
}

#[tokio::test]
async fn a_manual_url_is_up_at_once() {
    let launcher = FakeEnvLauncher::new(&[]);
    let url = parse_public_url("https://hooks.example.com/").unwrap();
    let manager = TunnelManager::start(
        TunnelSpec::Manual { url },
        local(),
        launcher.clone(),
        options(),
    );
    let state = manager.state();
    assert_eq!(state.state, TunnelPhase::Up);
    assert_eq!(
        state.public_url.as_deref(),
        Some("https://hooks.example.com")
    );
    assert!(launcher.specs.lock().unwrap().is_empty());
    let json = serde_json::to_value(&state).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"state": "up", "publicUrl": "https://hooks.example.com", "attempt": 0, "error": null, "retryAt": null})
    );
    manager.stop().await;
}

#[tokio::test]
async fn an_invalid_manual_url_fails_naming_public_url() {
    let url: url::Url = "http://hooks.example.com".parse().unwrap();
    let manager = TunnelManager::start(
        TunnelSpec::Manual { url },
        local(),
        FakeEnvLauncher::new(&[]),
        options(),
    );
    let state = manager.state();
    assert_eq!(state.state, TunnelPhase::Failed);
    assert!(state
        .error
        .unwrap()
        .starts_with("publicUrl: must use https"));
    manager.stop().await;
}

#[test]
fn public_url_validation_names_the_field() {
    for bad in [
        "not a url",
        "http://hooks.example.com",
        "https://me:pw@hooks.example.com",
        "file:///etc/passwd",
    ] {
        let e = parse_public_url(bad).unwrap_err();
        assert_eq!(e.field(), Some("publicUrl"), "{bad}");
        assert_eq!(e.code().as_str(), "invalid_input", "{bad}");
    }
    assert!(parse_public_url("http://127.0.0.1:8080/hook").is_ok());
    assert!(parse_public_url("https://abc.ngrok-free.app").is_ok());
}
