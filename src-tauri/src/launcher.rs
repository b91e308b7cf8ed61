//! The tunnel program, started from Rust through tauri-plugin-shell: [`ShellLauncher`]
//! implements the engine's [`Launcher`] so the desktop app and the CLI share one supervisor
//! (`paydesk_core::tunnel`). The webview is granted no shell permission: only this code spawns.

use paydesk_core::tunnel::{ChildEvent, ChildProcess, CommandSpec, Launcher};
use tauri_plugin_shell::process::{CommandChild, CommandEvent};
use tauri_plugin_shell::ShellExt;
use tokio::sync::mpsc;

/// Starts programs with the app's shell plugin.
pub struct ShellLauncher<R: tauri::Runtime> {
    app: tauri::AppHandle<R>,
}

impl<R: tauri::Runtime> ShellLauncher<R> {
    pub fn new(app: tauri::AppHandle<R>) -> Self {
        ShellLauncher { app }
    }
}

struct ShellChild(CommandChild);

impl ChildProcess for ShellChild {
    fn pid(&self) -> Option<u32> {
        Some(self.0.pid())
    }

    fn kill(self: Box<Self>) -> paydesk_core::Result<()> {
        self.0.kill().map_err(|e| {
            paydesk_core::Error::io("cannot stop the tunnel", std::io::Error::other(e))
        })
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl<R: tauri::Runtime> Launcher for ShellLauncher<R> {
    fn spawn(
        &self,
        spec: &CommandSpec,
    ) -> paydesk_core::Result<(mpsc::UnboundedReceiver<ChildEvent>, Box<dyn ChildProcess>)> {
        let command = self
            .app
            .shell()
            .command(&spec.program)
            .args(&spec.args)
            .envs(
                spec.env
                    .iter()
                    .map(|(k, v)| (k.clone(), v.expose().to_string())),
            );
        let (mut events, child) = command.spawn().map_err(|e| {
            paydesk_core::Error::io(
                format!("cannot start {}", spec.program.display()),
                std::io::Error::other(e),
            )
        })?;
        let (tx, rx) = mpsc::unbounded_channel();
        tauri::async_runtime::spawn(async move {
            while let Some(event) = events.recv().await {
                let event = match event {
                    CommandEvent::Stdout(bytes) => ChildEvent::Stdout(text(&bytes)),
                    CommandEvent::Stderr(bytes) => ChildEvent::Stderr(text(&bytes)),
                    CommandEvent::Error(e) => ChildEvent::Error(e),
                    CommandEvent::Terminated(p) => ChildEvent::Exited { code: p.code },
                    _ => continue,
                };
                let last = matches!(event, ChildEvent::Exited { .. });
                if tx.send(event).is_err() || last {
                    break;
                }
            }
        });
        Ok((rx, Box::new(ShellChild(child))))
    }
}
