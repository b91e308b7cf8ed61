//! Starting a tunnel program: the [`Launcher`] trait the supervisor talks to, and
//! [`TokioLauncher`], its implementation over `tokio::process` (CLI and tests; the desktop shell
//! implements the trait over tauri-plugin-shell).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::secrets::Secret;

/// A program to run. `env` values are secrets (the ngrok authtoken): `Debug` shows them as
/// `<redacted>` and nothing here logs them.
#[derive(Debug, Clone)]
pub struct CommandSpec {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments (never secrets).
    pub args: Vec<String>,
    /// Extra environment variables, added to the inherited environment.
    pub env: Vec<(String, Secret)>,
}

/// What a running program reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildEvent {
    /// Text from stdout: one line, or several when the launcher cannot split lines.
    Stdout(String),
    /// Text from stderr, as for `Stdout`.
    Stderr(String),
    /// The program ended (`code` is `None` when killed by a signal); sent once, last.
    Exited { code: Option<i32> },
    /// A spawn or I/O error; an `Exited` may still follow.
    Error(String),
}

/// A handle on a running program.
pub trait ChildProcess: Send {
    /// The OS process id, when known.
    fn pid(&self) -> Option<u32>;
    /// Kill the program (best effort; killing one that already ended is not an error).
    fn kill(self: Box<Self>) -> Result<()>;
}

/// Starts programs.
pub trait Launcher: Send + Sync + 'static {
    /// Start the program; lines of stdout/stderr and its exit arrive on the returned receiver.
    #[allow(clippy::type_complexity)]
    fn spawn(
        &self,
        spec: &CommandSpec,
    ) -> Result<(mpsc::UnboundedReceiver<ChildEvent>, Box<dyn ChildProcess>)>;
}

/// [`Launcher`] over `tokio::process`: stdin null, stdout and stderr read line by line (lossy
/// UTF-8), `Exited` sent once after the child is reaped and both pipes closed. The child is
/// killed when its handle is dropped or killed, and must be spawned inside a tokio runtime.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioLauncher;

/// How long to wait for the pipes to close after the child ended (a grandchild may hold them).
const PIPE_GRACE: Duration = Duration::from_secs(1);

impl Launcher for TokioLauncher {
    fn spawn(
        &self,
        spec: &CommandSpec,
    ) -> Result<(mpsc::UnboundedReceiver<ChildEvent>, Box<dyn ChildProcess>)> {
        let mut command = tokio::process::Command::new(&spec.program);
        command
            .args(&spec.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (key, value) in &spec.env {
            command.env(key, value.expose());
        }
        let mut child = command
            .spawn()
            .map_err(|e| Error::io(format!("could not start {}", spec.program.display()), e))?;
        let pid = child.id();
        let (tx, rx) = mpsc::unbounded_channel();
        let stdout = child
            .stdout
            .take()
            .map(|pipe| tokio::spawn(read_lines(pipe, tx.clone(), ChildEvent::Stdout)));
        let stderr = child
            .stderr
            .take()
            .map(|pipe| tokio::spawn(read_lines(pipe, tx.clone(), ChildEvent::Stderr)));
        let (kill_tx, kill_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let status = tokio::select! {
                status = child.wait() => status,
                // Asked to kill, or the handle was dropped: either way the child must go.
                _ = kill_rx => {
                    if let Err(e) = child.start_kill() {
                        tracing::debug!(error = %e, "tunnel child was already gone");
                    }
                    child.wait().await
                }
            };
            for reader in [stdout, stderr].into_iter().flatten() {
                let _ = tokio::time::timeout(PIPE_GRACE, reader).await;
            }
            let code = match status {
                Ok(status) => status.code(),
                Err(e) => {
                    let _ = tx.send(ChildEvent::Error(format!("waiting for the child: {e}")));
                    None
                }
            };
            let _ = tx.send(ChildEvent::Exited { code });
        });
        Ok((rx, Box::new(TokioChild { pid, kill_tx })))
    }
}

async fn read_lines(
    pipe: impl AsyncRead + Unpin,
    tx: mpsc::UnboundedSender<ChildEvent>,
    wrap: fn(String) -> ChildEvent,
) {
    let mut reader = BufReader::new(pipe);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) => return,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                let line = line.trim_end_matches(['\n', '\r']).to_string();
                if tx.send(wrap(line)).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(ChildEvent::Error(format!("reading output: {e}")));
                return;
            }
        }
    }
}

/// The handle of a [`TokioLauncher`] child: killing (or dropping) it tells the reaper task.
struct TokioChild {
    pid: Option<u32>,
    kill_tx: oneshot::Sender<()>,
}

impl ChildProcess for TokioChild {
    fn pid(&self) -> Option<u32> {
        self.pid
    }

    fn kill(self: Box<Self>) -> Result<()> {
        // A closed channel means the child was already reaped: nothing to kill.
        let _ = self.kill_tx.send(());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_spec_debug_redacts_env_values() {
        let spec = CommandSpec {
            program: "ngrok".into(),
            args: vec!["http".into()],
            env: vec![("NGROK_AUTHTOKEN".into(), Secret::new("2abcTOPSECRET"))],
        };
        let shown = format!("{spec:?}");
        assert!(shown.contains("NGROK_AUTHTOKEN"), "{shown}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }

    #[tokio::test]
    async fn tokio_launcher_reports_lines_then_exit() {
        let spec = CommandSpec {
            program: "/bin/sh".into(),
            args: vec![
                "-c".into(),
                "echo out; echo \"err $SECRET_X\" >&2; exit 3".into(),
            ],
            env: vec![("SECRET_X".into(), Secret::new("v"))],
        };
        let (mut rx, child) = TokioLauncher.spawn(&spec).unwrap();
        assert!(child.pid().is_some());
        let mut events = Vec::new();
        while let Some(event) = rx.recv().await {
            events.push(event);
        }
        assert!(
            events.contains(&ChildEvent::Stdout("out".into())),
            "{events:?}"
        );
        assert!(
            events.contains(&ChildEvent::Stderr("err v".into())),
            "{events:?}"
        );
        assert_eq!(events.last(), Some(&ChildEvent::Exited { code: Some(3) }));
    }

    #[tokio::test]
    async fn tokio_launcher_reports_a_missing_program() {
        let spec = CommandSpec {
            program: "/nonexistent/tunnel-binary".into(),
            args: vec![],
            env: vec![],
        };
        let e = TokioLauncher.spawn(&spec).err().unwrap();
        assert!(e.to_string().contains("/nonexistent/tunnel-binary"), "{e}");
    }
}
