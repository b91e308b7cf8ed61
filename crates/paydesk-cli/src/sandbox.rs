//! `paydesk sandbox`: runs the local Request Network emulator in the foreground, printing its base
//! URL and the credentials it accepts, until Ctrl-C.

use paydesk_core::Error;
use paydesk_sandbox::{SandboxConfig, SandboxError};

use crate::cli::SandboxArgs;
use crate::context::Ctx;
use crate::exit::Failure;

/// Run `paydesk sandbox`.
pub(crate) fn run(args: SandboxArgs, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
    let config = SandboxConfig {
        port: args.port,
        rate_limit_per_sec: args.rate_limit,
        state_file: args.state_file,
        ..Default::default()
    };
    let mut printed = Ok(());
    let served = paydesk_sandbox::serve_forever_blocking(config, |info| {
        printed = ctx.emit(info, |out, i| {
            writeln!(out, "{i}")?;
            writeln!(out, "Serving on 127.0.0.1 until Ctrl-C.")?;
            out.flush()
        });
    });
    printed?;
    served.map_err(|e| match e {
        SandboxError::Bind { port, source } => Failure::Core(Error::invalid(
            "port",
            format!("cannot listen on 127.0.0.1:{port}: {source}"),
        )),
        other => Failure::Core(Error::io(
            "cannot start the sandbox",
            std::io::Error::other(other.to_string()),
        )),
    })
}
