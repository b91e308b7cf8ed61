//! Runs the sandbox standalone until Ctrl-C and prints its base URL, API key and client id.
//!
//! `cargo run -p paydesk-sandbox --example serve -- [PORT]` (0 or nothing picks a free port).

use paydesk_sandbox::{serve_forever, SandboxConfig};

#[tokio::main]
async fn main() {
    let port = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    if let Err(e) = serve_forever(SandboxConfig {
        port,
        ..SandboxConfig::default()
    })
    .await
    {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
