//! A `tauri-driver` process with its own ports, data directory and keychain namespace.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::environment::Environment;
use crate::session::AppSession;
use crate::wait::{poll_until, DEFAULT_TIMEOUT, POLL_INTERVAL};

/// The executable name of the app, as it shows in `/proc`.
const APP_PROCESS: &str = "paydesk-desktop";

/// How long tauri-driver and WebKitWebDriver may take to listen.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// How long the processes get to exit on SIGTERM before they are killed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running `tauri-driver` (and the `WebKitWebDriver` it spawned).
///
/// It runs in its own process group, so every app window it launched belongs to the group too;
/// dropping the value terminates the whole group, then removes the temporary home.
/// Every app started through it gets `PAYDESK_DATA_DIR=<home>/data`, its own
/// `PAYDESK_KEYCHAIN_SERVICE`, and private XDG directories, so runs never share data. Its save
/// and open dialogs answer from `<home>/files` (`PAYDESK_E2E_FILES_DIR`): WebDriver cannot drive a
/// native GTK dialog.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    port: u16,
    app: PathBuf,
    keychain_service: String,
    log_path: PathBuf,
    // Declared last: removed only after `drop` has ended the processes using it.
    home: TempDir,
}

impl TauriDriver {
    /// Starts `tauri-driver` on two free loopback ports and waits until it answers.
    pub async fn start(env: &Environment) -> Result<Self> {
        let home = tempfile::Builder::new()
            .prefix("paydesk-e2e-")
            .tempdir()
            .context("creating a temporary directory")?;
        for dir in [
            "data",
            "files",
            "xdg-data",
            "xdg-config",
            "xdg-cache",
            "bin",
        ] {
            std::fs::create_dir_all(home.path().join(dir))?;
        }
        let path = fake_opener(home.path())?;
        let port = free_port()?;
        let native_port = loop {
            let candidate = free_port()?;
            if candidate != port {
                break candidate;
            }
        };
        let keychain_service = format!(
            "paydesk-e2e-{}",
            ulid::Ulid::new().to_string().to_lowercase()
        );
        let log_path = home.path().join("tauri-driver.log");
        let log = File::create(&log_path).context("creating the driver log")?;

        let child = Command::new(&env.tauri_driver)
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .env("PAYDESK_DATA_DIR", home.path().join("data"))
            .env("PAYDESK_KEYCHAIN_SERVICE", &keychain_service)
            .env("PAYDESK_E2E_FILES_DIR", home.path().join("files"))
            // The Test-mode sandbox on a free loopback port: runs never collide on the default one.
            .env("PAYDESK_SANDBOX_PORT", "0")
            .env("XDG_DATA_HOME", home.path().join("xdg-data"))
            .env("XDG_CONFIG_HOME", home.path().join("xdg-config"))
            .env("XDG_CACHE_HOME", home.path().join("xdg-cache"))
            .env("PATH", path)
            .env("RUST_BACKTRACE", "1")
            // No accessibility bus: GTK would otherwise start at-spi daemons on the session bus.
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", env.tauri_driver.display()))?;

        let mut driver = TauriDriver {
            child,
            port,
            app: env.app.clone(),
            keychain_service,
            log_path,
            home,
        };
        driver.wait_until_ready().await?;
        Ok(driver)
    }

    /// What the app handed to the OS opener (`xdg-open`), one URL per call, oldest first.
    pub fn opened(&self) -> Vec<String> {
        std::fs::read_to_string(self.home.path().join(OPENED))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Opens a WebDriver session, which launches a new app window; waits until it is open.
    pub async fn new_session(&self) -> Result<AppSession> {
        match AppSession::connect(self.port, &self.app).await {
            Ok(session) => Ok(session),
            Err(err) => {
                self.print_log();
                Err(err)
            }
        }
    }

    /// Waits until no app process launched through this driver is left (after a session ended),
    /// so the next session is a genuinely new process.
    pub async fn wait_until_app_exited(&self) -> Result<()> {
        let driver = self.pid();
        poll_until("the app process to exit", DEFAULT_TIMEOUT, || async move {
            let left = crate::memory::find_descendant(driver, APP_PROCESS);
            Ok(left.is_none().then_some(()))
        })
        .await
    }

    /// The process id of the app window the driver launched, if one is running.
    pub fn app_pid(&self) -> Option<u32> {
        crate::memory::find_descendant(self.pid(), APP_PROCESS)
    }

    /// The process id of `tauri-driver` (the leader of its process group).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The data directory every app launched through this driver uses.
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// The folder the app's save dialogs write to and its open dialogs pick the newest file from.
    pub fn files_dir(&self) -> PathBuf {
        self.home.path().join("files")
    }

    /// The keychain service name the app gets (`paydesk-e2e-<random>`).
    pub fn keychain_service(&self) -> &str {
        &self.keychain_service
    }

    /// Prints what tauri-driver, WebKitWebDriver and the app wrote to stdout/stderr.
    pub fn print_log(&self) {
        match std::fs::read_to_string(&self.log_path) {
            Ok(log) if log.trim().is_empty() => eprintln!("paydesk-e2e: the driver log is empty"),
            Ok(log) => eprintln!(
                "paydesk-e2e: driver + app log ({}):\n{log}\n--- end of driver log ---",
                self.log_path.display()
            ),
            Err(err) => eprintln!("paydesk-e2e: cannot read the driver log: {err}"),
        }
    }

    /// The log file of tauri-driver, WebKitWebDriver and the app.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Polls until tauri-driver forwards a request to WebKitWebDriver and gets an HTTP answer.
    async fn wait_until_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.print_log();
                bail!("tauri-driver exited before it was ready ({status})");
            }
            if answers_http(self.port).await {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.print_log();
                bail!(
                    "tauri-driver did not answer on 127.0.0.1:{} within {STARTUP_TIMEOUT:?}",
                    self.port
                );
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let group = -(self.child.id() as libc::pid_t);
        // SIGTERM first: tauri-driver then stops WebKitWebDriver itself; the app gets a chance to
        // close its database cleanly.
        // SAFETY: kill(2) with a negative pid signals our own child's process group.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        // Whatever is left in the group (an app that ignored SIGTERM) goes now.
        // SAFETY: as above.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Whether `GET /status` through tauri-driver gets any HTTP response within a second.
/// tauri-driver only answers once it can reach the native driver; before that it drops the
/// connection.
async fn answers_http(port: u16) -> bool {
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        let request =
            format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        std::io::Result::Ok(head.starts_with(b"HTTP/1."))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(1), attempt).await,
        Ok(Ok(true))
    )
}

/// The file the fake `xdg-open` appends to.
const OPENED: &str = "opened.txt";

/// Puts an `xdg-open` that records its argument (instead of starting a browser or a mail
/// program) first on the app's PATH; returns that PATH.
fn fake_opener(home: &std::path::Path) -> Result<std::ffi::OsString> {
    use std::os::unix::fs::PermissionsExt;
    let script = home.join("bin").join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            home.join(OPENED).display()
        ),
    )?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    let mut dirs = vec![home.join("bin")];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Ok(std::env::join_paths(dirs)?)
}
