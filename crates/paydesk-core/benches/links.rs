//! Outbox benchmark: payment links created per second through the outbox against the
//! in-process sandbox over loopback (request_link for every invoice, then `run_once` until the
//! queue is empty). `PAYDESK_BENCH_LINKS` overrides the count (default 1,000).
//!
//! Run: `cargo bench -p paydesk-core --bench links`

mod common;

use std::sync::Arc;
use std::time::Instant;

use paydesk_core::outbox::RequestGateway;
use paydesk_core::secrets::MemoryStore;
use paydesk_core::Paydesk;
use paydesk_request::{ClientConfig, Credentials, RequestClient};
use paydesk_sandbox::{Sandbox, SandboxConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let count: usize = std::env::var("PAYDESK_BENCH_LINKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let sandbox = Sandbox::start(SandboxConfig {
        rate_limit_per_sec: 0,
        ..Default::default()
    })
    .await
    .expect("sandbox");
    let base = sandbox.base_url();
    let client = RequestClient::new(ClientConfig::custom(
        base.clone(),
        base,
        Credentials::api_key(sandbox.api_key()),
    ))
    .expect("client");
    let gateway = RequestGateway::new(client);

    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("open");
    let client_id = common::bench_client(&mut app);
    let queued = Instant::now();
    for i in 0..count {
        common::queue_invoice_link(&mut app, &client_id, i, "2026-11-21");
    }
    let queue_secs = queued.elapsed().as_secs_f64();

    let mut outbox = app.outbox().expect("outbox");
    outbox.batch = 200;
    let start = Instant::now();
    let mut sent = 0;
    while sent < count {
        let report = outbox
            .run_once(&gateway, chrono::Utc::now())
            .await
            .expect("run");
        assert_eq!(report.failed + report.retrying, 0, "{report:?}");
        sent += report.sent as usize;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "queued {count} links (invoice + request_link) in {queue_secs:.2} s; \
         sent {count} through the outbox in {secs:.2} s = {:.0} links/s",
        count as f64 / secs
    );
    sandbox.shutdown().await;
}
