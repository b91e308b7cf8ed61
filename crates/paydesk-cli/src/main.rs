//! The `paydesk` binary: wire the real process into [`paydesk_cli::run`] and exit with its code.

use std::io::IsTerminal;
use std::sync::Arc;

use paydesk_core::secrets::KeychainStore;

fn main() {
    let stdin = std::io::stdin();
    let stdin_is_terminal = stdin.is_terminal();
    let (mut stdin, mut stdout, mut stderr) = (stdin.lock(), std::io::stdout(), std::io::stderr());
    let mut io = paydesk_cli::Io {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdin_is_terminal,
        secrets: Arc::new(KeychainStore::new(paydesk_core::app::keychain_service())),
    };
    std::process::exit(paydesk_cli::run(std::env::args_os(), &mut io));
}
