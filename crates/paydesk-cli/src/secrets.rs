//! `paydesk secret set|status|delete`: Request Network credentials in the OS keychain.
//!
//! A value is never taken from an argument (it would land in shell history and `ps`): `set`
//! reads one line from stdin, or prompts without echo when stdin is a terminal. Output only ever
//! shows the masked form (`••••1234`). Credentials belong to the current mode.

use std::ffi::OsString;
use std::io::{self, BufRead, Read, Write};

use clap::{Subcommand, ValueEnum};
use paydesk_core::secrets::SecretKind;
use paydesk_core::{Error, SecretStatus};

use crate::context::Ctx;
use crate::exit::Failure;
use crate::output;

/// Longest line `secret set` reads (the engine allows 512 characters).
const MAX_SECRET_LINE: u64 = 4096;

/// `paydesk secret ...`
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Save a credential, read from stdin (one line) or typed at a hidden prompt.
    Set {
        /// Which credential.
        #[arg(value_enum)]
        kind: KindArg,
        /// Catches a value typed as an argument, to refuse it without echoing it.
        #[arg(hide = true, allow_hyphen_values = true, num_args = 0.., trailing_var_arg = true)]
        stray: Vec<OsString>,
    },
    /// Show which credentials are saved (masked) and whether the keychain is reachable.
    Status,
    /// Remove a credential from the keychain.
    Delete {
        /// Which credential.
        #[arg(value_enum)]
        kind: KindArg,
    },
}

/// Which secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// The Request Network API key.
    ApiKey,
    /// The Request Network client id.
    ClientId,
    /// The webhook signing secret (from Request's dashboard, when not registered by Paydesk).
    WebhookSecret,
    /// The ngrok authtoken (for the ngrok tunnel).
    NgrokAuthtoken,
}

impl From<KindArg> for SecretKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::ApiKey => SecretKind::ApiKey,
            KindArg::ClientId => SecretKind::ClientId,
            KindArg::WebhookSecret => SecretKind::WebhookSecret,
            KindArg::NgrokAuthtoken => SecretKind::NgrokAuthtoken,
        }
    }
}

/// Run a secret command.
pub(crate) fn run(command: SecretCommand, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    match command {
        SecretCommand::Status => {
            let status = ctx.app()?.secret_status();
            ctx.emit(&status, write_status)
        }
        SecretCommand::Set { kind, stray } => {
            if !stray.is_empty() {
                // Arguments stay in shell history and process lists: refuse, and do not echo.
                return Err(Error::invalid(
                    "secret",
                    "is read from stdin or a hidden prompt, never from an argument",
                )
                .into());
            }
            let kind = SecretKind::from(kind);
            // Fail before asking for a value that could not be kept.
            ctx.io.secrets.check()?;
            let value = read_secret(kind, ctx)?;
            let status = ctx.app()?.set_secret(kind, &value)?;
            ctx.emit(&status, |out, s| {
                writeln!(out, "Saved the {} in the keychain.", label(kind))?;
                write_status(out, s)
            })
        }
        SecretCommand::Delete { kind } => {
            let kind = SecretKind::from(kind);
            let status = ctx.app()?.delete_secret(kind)?;
            ctx.emit(&status, |out, s| {
                writeln!(out, "Removed the {} from the keychain.", label(kind))?;
                write_status(out, s)
            })
        }
    }
}

fn label(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::ApiKey => "API key",
        SecretKind::ClientId => "client id",
        SecretKind::WebhookSecret => "webhook signing secret",
        SecretKind::NgrokAuthtoken => "ngrok authtoken",
        SecretKind::WebhookPath => "webhook path",
    }
}

/// The value: a hidden prompt on a terminal, else the first line of stdin.
fn read_secret(kind: SecretKind, ctx: &mut Ctx<'_, '_>) -> Result<String, Error> {
    if ctx.io.stdin_is_terminal {
        let prompt = format!("{} (input hidden): ", label(kind));
        return rpassword::prompt_password(prompt)
            .map_err(|e| Error::invalid("secret", format!("cannot read from the terminal: {e}")));
    }
    let mut line = Vec::new();
    ctx.io
        .stdin
        .take(MAX_SECRET_LINE)
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::invalid("secret", format!("cannot read stdin: {e}")))?;
    // The engine trims and checks the value; here only the line ending goes.
    let text =
        String::from_utf8(line).map_err(|_| Error::invalid("secret", "must be UTF-8 text"))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

fn write_status(out: &mut dyn Write, s: &SecretStatus) -> io::Result<()> {
    const W: usize = 16;
    if !s.keychain_available {
        let why = s.message.as_deref().unwrap_or("keychain unavailable");
        return writeln!(out, "warning: {why}");
    }
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "not set".to_string());
    output::field(out, W, "Keychain", "available")?;
    output::field(out, W, "API key", &shown(&s.api_key))?;
    output::field(out, W, "Client id", &shown(&s.client_id))?;
    output::field(out, W, "Webhook secret", &shown(&s.webhook_secret))?;
    output::field(out, W, "ngrok authtoken", &shown(&s.ngrok_authtoken))
}
