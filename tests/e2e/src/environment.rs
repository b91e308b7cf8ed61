//! Preconditions of a real-window run: a display, both WebDriver servers, and the built app.

use std::env;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Which cargo profile's `paydesk-desktop` binary to drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `target/debug/paydesk-desktop` (what `scripts/test.sh` builds).
    Debug,
    /// `target/release/paydesk-desktop` (what `scripts/bench.sh` builds).
    Release,
}

impl Profile {
    /// The profile this crate itself was compiled with.
    pub fn of_this_build() -> Self {
        if cfg!(debug_assertions) {
            Profile::Debug
        } else {
            Profile::Release
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }

    fn build_flag(self) -> &'static str {
        match self {
            Profile::Debug => "",
            Profile::Release => " --release",
        }
    }
}

/// Everything a run needs, checked up front so a missing piece fails with one clear message.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Absolute path of the `tauri-driver` executable.
    pub tauri_driver: PathBuf,
    /// Absolute path of the app binary the sessions launch.
    pub app: PathBuf,
}

impl Environment {
    /// Checks `DISPLAY`, `tauri-driver`, `WebKitWebDriver` and the app binary.
    ///
    /// The app binary is `$PAYDESK_APP` when set, otherwise `paydesk-desktop` in the cargo target
    /// directory for `profile`. Nothing here is skipped silently: a missing piece is an error.
    pub fn check(profile: Profile) -> Result<Self> {
        let mut problems = Vec::new();

        if env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
            problems.push(
                "DISPLAY is not set: run under Xvfb, e.g. `dbus-run-session -- xvfb-run -a -s \"-screen 0 1280x800x24\" cargo test -p paydesk-e2e` (scripts/test.sh does this)".to_string(),
            );
        }
        if env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            eprintln!("paydesk-e2e: warning: no D-Bus session bus; run inside `dbus-run-session` so the app's keychain works");
        }

        let tauri_driver = find_on_path("tauri-driver");
        if tauri_driver.is_none() {
            problems.push(
                "`tauri-driver` is not on PATH: `cargo install tauri-driver --locked --version '^2'` (scripts/setup.sh does this)".to_string(),
            );
        }
        if find_on_path("WebKitWebDriver").is_none() {
            problems.push(
                "`WebKitWebDriver` is not on PATH: `apt-get install webkit2gtk-driver` (scripts/setup.sh does this)".to_string(),
            );
        }

        let app = match env::var_os("PAYDESK_APP") {
            Some(path) => PathBuf::from(path),
            None => target_dir().join(profile.dir()).join("paydesk-desktop"),
        };
        if !app.is_file() {
            problems.push(format!(
                "the app binary {} does not exist: build it first with `cargo build -p paydesk-desktop{}` (or point PAYDESK_APP at it)",
                app.display(),
                profile.build_flag()
            ));
        }

        if !problems.is_empty() {
            bail!(
                "the real-window suite cannot run here:\n  - {}",
                problems.join("\n  - ")
            );
        }
        let app = app
            .canonicalize()
            .with_context(|| format!("resolving {}", app.display()))?;
        Ok(Environment {
            tauri_driver: tauri_driver.expect("checked above"),
            app,
        })
    }
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// The cargo target directory: `$CARGO_TARGET_DIR` when set, else `<workspace>/target`.
fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
