//! `paydesk webhook ...` with real processes: the settings and their validation, `webhook test`
//! without a receiver, and `webhook serve` end to end in Test mode: the receiver on a loopback
//! port (a manual "public" URL pointing at it), registered with the data folder's sandbox, a
//! payment on the payer side arriving as a webhook that marks the invoice paid without any
//! poller, a test delivery, and a clean exit on SIGTERM.
//!
//! `serve` keeps the receiver's path secret in the keychain. When no Secret Service is
//! reachable (plain `cargo test`), the end-to-end test starts a private D-Bus session with an
//! unlocked temporary gnome-keyring for its processes (as `scripts/with-keyring.sh` does); when
//! even that is impossible it checks that `serve` fails clearly with exit 6 instead.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use paydesk_sandbox::TestModeSandbox;
use serde_json::Value;
use tempfile::TempDir;

use crate::util::Books;

/// How long any awaited line or condition may take.
const DEADLINE: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

#[test]
fn webhook_config_validates_names_the_field_and_round_trips() {
    let b = Books::new();
    let fresh = b.ok("webhook status");
    assert_eq!(fresh["config"]["enabled"], false);
    assert_eq!(fresh["config"]["tunnel"], "cloudflared");
    assert_eq!(fresh["registration"], Value::Null);
    assert_eq!(fresh["deliveries"], Value::Array(vec![]));

    // A manual tunnel needs an https URL (http only to loopback): exit 3 naming publicUrl.
    let bad = b.fails(
        "webhook config --enable --tunnel manual --public-url http://example.com",
        3,
    );
    assert!(
        bad.stderr.starts_with("error: publicUrl: ") && bad.stderr.contains("https"),
        "{}",
        bad.stderr
    );
    let bad = b.run("--json webhook config --tunnel manual --public-url http://example.com");
    assert_eq!(bad.code, 3);
    assert_eq!(bad.error_json()["field"], "publicUrl");
    let port = b.run("--json webhook config --port 80");
    assert_eq!(port.code, 3, "{}", port.stderr);
    assert_eq!(port.error_json()["field"], "port");
    let binary = b.run("--json webhook config --binary relative/cloudflared");
    assert_eq!(binary.code, 3, "{}", binary.stderr);
    assert_eq!(binary.error_json()["field"], "binaryPath");
    // Nothing was saved by the refused changes.
    assert_eq!(b.ok("webhook status")["config"], fresh["config"]);

    // Valid changes: only the given fields change, and `status` shows them.
    let saved = b.ok(
        "webhook config --enable --tunnel manual --public-url https://hooks.example.com/pd \
         --port 47999",
    );
    assert_eq!(saved["enabled"], true);
    let config = b.ok("webhook status")["config"].clone();
    assert_eq!(config["tunnel"], "manual");
    assert_eq!(config["publicUrl"], "https://hooks.example.com/pd");
    assert_eq!(config["port"], 47999);
    b.ok("webhook config --any-port");
    let config = b.ok("webhook status")["config"].clone();
    assert_eq!(config["port"], Value::Null);
    assert_eq!(config["publicUrl"], "https://hooks.example.com/pd");
    assert_eq!(config["enabled"], true);

    // Switching tunnels drops what the new one does not use.
    b.ok("webhook config --tunnel cloudflared --binary /opt/bin/cloudflared");
    let config = b.ok("webhook status")["config"].clone();
    assert_eq!(config["tunnel"], "cloudflared");
    assert_eq!(config["binaryPath"], "/opt/bin/cloudflared");
    assert_eq!(config["publicUrl"], Value::Null);

    // Turning webhooks off with nothing registered says so.
    let off = b.ok("webhook config --disable");
    assert_eq!(off["enabled"], false);
    assert_eq!(off["registration"], "none to remove");
    let human = b.run("webhook config");
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.contains("Webhooks:    off"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("/opt/bin/cloudflared"),
        "{}",
        human.stdout
    );
    b.fails("webhook config --enable --disable", 2);
    b.fails("webhook config --port 5000 --any-port", 2);
}

#[test]
fn webhook_test_without_an_active_webhook_fails_clearly() {
    let b = Books::new();
    let run = b.fails("webhook test", 1);
    assert_eq!(
        run.stderr.trim(),
        "error: Request has no active webhook for this client id: start `paydesk webhook \
         serve` (it registers one), then try again"
    );
    let json = b.run("--json webhook test");
    assert_eq!(json.code, 1);
    assert_eq!(json.error_json()["code"], "api_error");
}

/// A private D-Bus session bus with an unlocked temporary gnome-keyring on it; both stop when
/// this is dropped (the keyring daemon exits with its bus).
struct Keyring {
    bus: Child,
    address: String,
    _home: TempDir,
}

impl Keyring {
    /// `None` when dbus-daemon or gnome-keyring-daemon cannot be run here.
    fn start() -> Option<Keyring> {
        let home = tempfile::tempdir().ok()?;
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut address = String::new();
        let read = bus
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut address));
        let address = address.trim().to_string();
        if !matches!(read, Some(Ok(n)) if n > 0) || address.is_empty() {
            let _ = bus.kill();
            let _ = bus.wait();
            return None;
        }
        let keyring = Keyring {
            bus,
            address,
            _home: home,
        };
        let data = keyring._home.path().join("data");
        let runtime = keyring._home.path().join("runtime");
        std::fs::create_dir_all(&data).ok()?;
        std::fs::create_dir_all(&runtime).ok()?;
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &keyring.address)
            .env("XDG_DATA_HOME", &data)
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let password = format!("pw-{}", ulid::Ulid::new());
        let _ = daemon
            .stdin
            .take()
            .map(|mut i| i.write_all(password.as_bytes()));
        // The launcher exits once the daemon runs in the background and owns the bus name.
        if !daemon.wait().ok()?.success() {
            return None;
        }
        Some(keyring)
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// Whether `b`'s runs can use a keychain.
fn keychain_works(b: &Books) -> bool {
    b.ok("secret status")["keychainAvailable"] == true
}

/// The lines a child prints on stdout, as they come.
struct Lines {
    rx: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn of(child: &mut Child) -> Lines {
        let out = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    /// Wait for a line (after those already returned) that `matches`; panics at the deadline
    /// or when the child closes stdout first, showing everything it printed.
    fn wait_for(&mut self, what: &str, matches: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + DEADLINE;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if matches(&line) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "no {what} line ({e:?}); serve printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Everything left, until the child closes stdout.
    fn rest(&mut self) -> Vec<String> {
        let until = Instant::now() + DEADLINE;
        while let Ok(line) = self
            .rx
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line);
        }
        self.seen.clone()
    }
}

/// Wait for `child` to exit within the deadline.
fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let until = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("serve did not exit after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn webhook_serve_marks_a_paid_invoice_paid_and_stops_on_sigterm() {
    let mut b = Books::new();
    let mut _keyring = None;
    if !keychain_works(&b) {
        if let Some(k) = Keyring::start() {
            b.set_env("DBUS_SESSION_BUS_ADDRESS", &k.address);
            _keyring = Some(k);
        }
    }
    let port = free_port();
    b.ok(&format!(
        "webhook config --enable --tunnel manual --public-url http://127.0.0.1:{port} \
         --port {port}"
    ));
    if !keychain_works(&b) {
        // No Secret Service and none can be started: serve cannot keep its path secret.
        let run = b.fails("webhook serve --no-poll", 6);
        assert!(
            run.stderr.starts_with("error: keychain unavailable: "),
            "{}",
            run.stderr
        );
        println!("skipped the end-to-end part: no keychain can run here");
        return;
    }

    // This process runs the sandbox (to pay on the payer side); every `paydesk` attaches.
    let sandbox = TestModeSandbox::attach_or_start_on(&b.path().join("sandbox"), 0).unwrap();
    let control = sandbox.handle().expect("owned").control();
    b.add_client("Acme Studio");
    b.ok(
        "invoice create --client 'Acme Studio' --currency FAU-sepolia --issue-date 2026-11-21 \
          --terms 30 --line 'Design;1;120'",
    );

    let mut serve = b
        .command()
        .args(["webhook", "serve", "--no-poll"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start paydesk webhook serve");
    let mut lines = Lines::of(&mut serve);
    let listening = lines.wait_for("listening", |l| l.starts_with("receiver listening on "));
    assert_eq!(listening, format!("receiver listening on 127.0.0.1:{port}"));
    lines.wait_for("tunnel up", |l| {
        l == format!("tunnel up: http://127.0.0.1:{port}")
    });
    let registered = lines.wait_for("registered", |l| l.starts_with("registered with Request: "));
    let endpoint = registered.trim_start_matches("registered with Request: ");
    assert!(
        endpoint.starts_with(&format!("http://127.0.0.1:{port}/hooks/")),
        "{endpoint}"
    );
    let status = b.ok("webhook status");
    assert_eq!(status["registration"]["url"], endpoint);
    assert!(status["secret"].as_str().unwrap().starts_with("••••"));

    // A link, paid on the payer side: the webhook (no poller runs) marks the invoice paid.
    let created = b.ok("link create INV-2026-0001");
    b.ok("outbox send --until-empty --timeout 20");
    let token = created["link"]["token"].as_str().unwrap().to_string();
    assert_eq!(b.ok("status INV-2026-0001")["invoiceStatus"], "issued");
    control.pay(&token).unwrap();
    let delivery = lines.wait_for("payment delivery", |l| {
        l.starts_with("delivery payment.") && l.contains(": applied, verified")
    });
    let until = Instant::now() + DEADLINE;
    loop {
        let s = b.ok("status INV-2026-0001");
        if s["invoiceStatus"] == "paid" {
            assert!(
                s["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["source"] == "webhook"),
                "{s}"
            );
            break;
        }
        assert!(Instant::now() < until, "not paid after {delivery:?}: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // A test event through Request (the sandbox) shows up as a test delivery.
    let test = b.run("webhook test");
    assert_eq!(test.code, 0, "{}", test.stderr);
    assert!(test.stdout.contains("payment.confirmed"), "{}", test.stdout);
    lines.wait_for("test delivery", |l| {
        l.starts_with("delivery payment.confirmed: test, verified")
    });
    let deliveries = b.ok("webhook status")["deliveries"].clone();
    let outcomes: Vec<&str> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["outcome"].as_str())
        .collect();
    assert!(
        outcomes.contains(&"applied") && outcomes.contains(&"test"),
        "{deliveries}"
    );

    // SIGTERM: a clean stop, exit 0, the port closed, the registration kept.
    let killed = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let exit = wait_exit(&mut serve);
    let printed = lines.rest();
    let mut stderr = String::new();
    if let Some(mut e) = serve.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    assert!(exit.success(), "{exit}: {stderr}\n{}", printed.join("\n"));
    assert!(
        printed.last().is_some_and(|l| l.starts_with("stopped; ")),
        "{}",
        printed.join("\n")
    );
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    assert_eq!(
        b.ok("webhook status")["registration"]["url"],
        endpoint,
        "kept for the next run"
    );

    // Turning webhooks off removes Paydesk's registration at Request and its secret.
    let off = b.ok("webhook config --disable");
    let removed = off["registration"].as_str().unwrap();
    assert!(
        removed.starts_with("removed ") && removed.ends_with(" and its signing secret"),
        "{off}"
    );
    let status = b.ok("webhook status");
    assert_eq!(status["registration"], Value::Null);
    assert_eq!(status["secret"], Value::Null);
    assert!(control_webhooks_gone(&b));
}

/// `webhook test` now finds no active webhook at Request.
fn control_webhooks_gone(b: &Books) -> bool {
    let run = b.run("webhook test");
    run.code == 1 && run.stderr.contains("no active webhook")
}
