//! Webhook benchmark: Paydesk's receiver against a reference Node.js/Express handler written the
//! way Request Network's docs show it (`bench/node-webhook/server.js`).
//!
//! Both servers get the same byte-identical signed deliveries (compact JSON, one ULID delivery id
//! each, CONTRACT 9.2-9.3) from the same load generator: one reqwest client (HTTP/1.1
//! keep-alive) with C concurrent workers, after a warm-up. Every answer must be 200; latency is
//! send to full response. A wrongly signed delivery must get 401 from both.
//!
//! Paydesk's path includes a committed SQLite transaction per delivery (the dedupe log); the Node
//! reference only verifies and parses.
//!
//! Env: `PAYDESK_BENCH_DELIVERIES` (default 20,000), `PAYDESK_BENCH_CONCURRENCY` (default 16).
//! Needs `node` and `npm ci --prefix bench/node-webhook` for the Node half; without them only
//! Paydesk's numbers are reported.
//!
//! Run: `cargo bench -p paydesk-core --bench webhook`

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use paydesk_core::secrets::Secret;
use paydesk_core::store::Store;
use paydesk_core::webhook::{sign, WebhookReceiver};

const SECRET: &str = "3f9a1c0b7e5d4a2f8c6b1e0d9a7f5c3b2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b";
const WRONG_SECRET: &str = "not-the-webhook-secret";
const PATH_SECRET: &str = "bench-p4th-s3cret-0123456789abcdef";
const WARMUP: usize = 500;
const SHOWN_FAILURES: usize = 10;

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a count")),
        Err(_) => default,
    }
}

/// One signed delivery, as the API would send it.
struct Delivery {
    id: String,
    body: &'static [u8],
    signature: String,
}

/// A `payment.confirmed` body like the docs' example, compact, distinct for `i`.
fn body(i: usize) -> String {
    let n = i as u128 + 1;
    let request = format!(
        "01{:064x}",
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
    );
    let reference = format!("0x{:016x}", (n as u64).wrapping_mul(0x2c33_6694_1274_c34c));
    let tx = format!(
        "0x{:064x}",
        n.wrapping_mul(0xabcd_ef12_3456_7890_abcd_ef12_3456_7891)
    );
    let amount = format!("{}.{:02}", 10 + i % 990, i % 100);
    serde_json::json!({
        "event": "payment.confirmed",
        "requestId": request,
        "requestID": request,
        "paymentReference": reference,
        "explorer": format!("https://scan.request.network/request/{request}"),
        "amount": amount,
        "totalAmountPaid": amount,
        "expectedAmount": amount,
        "timestamp": "2026-11-21T12:00:00Z",
        "txHash": tx,
        "network": "sepolia",
        "currency": "FAU-sepolia",
        "paymentCurrency": "FAU-sepolia",
        "isCryptoToFiat": false,
        "subStatus": "",
        "paymentProcessor": "request-network",
        "fees": [{"type": "network", "amount": "0.02", "currency": "ETH"}],
    })
    .to_string()
}

/// `count` deliveries starting at number `from`, leaked so requests can borrow them for free.
fn deliveries(from: usize, count: usize) -> &'static [Delivery] {
    let list: Vec<Delivery> = (from..from + count)
        .map(|i| {
            let body: &'static [u8] = body(i).into_bytes().leak();
            Delivery {
                id: ulid::Ulid::new().to_string(),
                signature: sign(SECRET.as_bytes(), body),
                body,
            }
        })
        .collect();
    list.leak()
}

fn http_client(concurrency: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .http1_only()
        .no_proxy()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    d: &Delivery,
    signature: &str,
) -> Result<u16, String> {
    let resp = http
        .post(url)
        .header("content-type", "application/json")
        .header("x-request-network-signature", signature)
        .header("x-request-network-delivery", &d.id)
        .header("x-request-network-retry-count", "0")
        .body(d.body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    resp.bytes().await.map_err(|e| e.to_string())?;
    Ok(status)
}

/// One server's run: latencies of the good answers, failures, wall time.
struct Run {
    latencies: Vec<Duration>,
    failures: Vec<String>,
    failed: usize,
    wall: Duration,
}

/// Send every delivery once with `concurrency` workers sharing one keep-alive client.
async fn drive(
    http: &reqwest::Client,
    url: &str,
    list: &'static [Delivery],
    concurrency: usize,
) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let http = http.clone();
            let url = url.to_string();
            let next = next.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(list.len() / concurrency + 1);
                let mut failures = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(d) = list.get(i) else { break };
                    let sent = Instant::now();
                    let answer = post(&http, &url, d, &d.signature).await;
                    let took = sent.elapsed();
                    match answer {
                        Ok(200) => latencies.push(took),
                        Ok(status) => failures.push(format!("delivery {} -> HTTP {status}", d.id)),
                        Err(e) => failures.push(format!("delivery {} -> {e}", d.id)),
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut run = Run {
        latencies: Vec::with_capacity(list.len()),
        failures: Vec::new(),
        failed: 0,
        wall: Duration::ZERO,
    };
    for worker in workers {
        let (latencies, failures) = worker.await.expect("load worker");
        run.latencies.extend(latencies);
        run.failed += failures.len();
        run.failures
            .extend(failures.into_iter().take(SHOWN_FAILURES));
    }
    run.wall = start.elapsed();
    run.latencies.sort_unstable();
    run.failures.truncate(SHOWN_FAILURES);
    run
}

/// The statuses of a delivery signed with the wrong key and of one with a truncated signature
/// (both must be 401).
async fn wrong_signatures(
    http: &reqwest::Client,
    url: &str,
    d: &Delivery,
) -> [Result<u16, String>; 2] {
    let wrong = sign(WRONG_SECRET.as_bytes(), d.body);
    let short = &d.signature[..16];
    [
        post(http, url, d, &wrong).await,
        post(http, url, d, short).await,
    ]
}

struct Measured {
    server: &'static str,
    run: Run,
    warmup_failed: usize,
    rejects: [Result<u16, String>; 2],
}

/// Warm up, check the 401s, then the measured run.
fn bench_server(
    load: &tokio::runtime::Runtime,
    server: &'static str,
    url: &str,
    warmup: &'static [Delivery],
    measured: &'static [Delivery],
    concurrency: usize,
) -> Measured {
    load.block_on(async {
        let http = http_client(concurrency);
        let warm = drive(&http, url, warmup, concurrency).await;
        for f in &warm.failures {
            eprintln!("{server} warm-up failure: {f}");
        }
        let rejects = wrong_signatures(&http, url, &measured[0]).await;
        let run = drive(&http, url, measured, concurrency).await;
        Measured {
            server,
            run,
            warmup_failed: warm.failed,
            rejects,
        }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    Some(sorted[idx])
}

fn ms(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".into(), |d| format!("{:.3}", d.as_secs_f64() * 1e3))
}

fn throughput(run: &Run) -> f64 {
    run.latencies.len() as f64 / run.wall.as_secs_f64()
}

/// Paydesk's receiver on `db`, in its own 2-worker runtime.
fn start_paydesk(
    db: &Path,
) -> (
    tokio::runtime::Runtime,
    paydesk_core::webhook::ReceiverHandle,
) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("paydesk-receiver")
        .enable_all()
        .build()
        .expect("receiver runtime");
    let store = Store::open(db).expect("store");
    // Nobody polls here: sends on a closed channel are ignored by the receiver.
    let (polls, _) = tokio::sync::mpsc::unbounded_channel();
    let receiver =
        WebhookReceiver::new(store, Secret::new(SECRET), PATH_SECRET, polls).expect("receiver");
    let handle = rt.block_on(receiver.spawn(0)).expect("listen");
    (rt, handle)
}

/// The Node child; killed (and reaped) when dropped, panics included.
struct NodeServer {
    child: Child,
    port: u16,
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/node-webhook");
    dir.canonicalize().unwrap_or(dir)
}

const NODE_HOW: &str =
    "install Node.js (>= 18) and run `npm ci --prefix bench/node-webhook` in the workspace root";

/// Start `node server.js`, or say why not (and how to fix it).
fn start_node() -> Result<NodeServer, String> {
    let dir = node_dir();
    let version = match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => return Err(format!("`node` not found on PATH: {NODE_HOW}")),
    };
    if !dir.join("node_modules/express/package.json").is_file() {
        return Err(format!(
            "express is not installed in {}: {NODE_HOW}",
            dir.display()
        ));
    }
    let mut child = Command::new("node")
        .arg("server.js")
        .current_dir(&dir)
        .env("WEBHOOK_SECRET", SECRET)
        .env("PORT", "0")
        .env("NODE_ENV", "production")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start node: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    // Owned from here on, so the child is killed on every path out.
    let mut server = NodeServer { child, port: 0 };
    // Read `listening <port>` on a helper thread (a hung node cannot hang the bench), then keep
    // draining stdout until node exits.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || drain(BufReader::new(stdout), tx));
    let line = match rx.recv_timeout(Duration::from_secs(15)) {
        Ok(line) => line,
        Err(_) => return Err("node did not print `listening <port>` within 15 s".into()),
    };
    server.port = line
        .trim()
        .strip_prefix("listening ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("node said {:?}, not `listening <port>`", line.trim()))?;
    println!(
        "node {version}, express from {}, pid {}",
        dir.display(),
        server.child.id()
    );
    Ok(server)
}

fn drain(mut out: BufReader<ChildStdout>, first: std::sync::mpsc::Sender<String>) {
    let mut line = String::new();
    if out.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let _ = first.send(line);
    let mut line = String::new();
    while out.read_line(&mut line).unwrap_or(0) > 0 {
        print!("node: {line}");
        line.clear();
    }
}

fn report_rejects(m: &Measured) -> bool {
    let ok = m.rejects.iter().all(|r| matches!(r, Ok(401)));
    println!(
        "  {:<8} wrong key -> {}, truncated signature -> {}  {}",
        m.server,
        show(&m.rejects[0]),
        show(&m.rejects[1]),
        if ok { "ok" } else { "WRONG (expected 401)" }
    );
    ok
}

fn show(r: &Result<u16, String>) -> String {
    match r {
        Ok(s) => s.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

fn row(m: &Measured, n: usize) {
    let l = &m.run.latencies;
    println!(
        "{:<8} {:>10} {:>9.2} {:>14.0} {:>9} {:>9} {:>9} {:>8}",
        m.server,
        n,
        m.run.wall.as_secs_f64(),
        throughput(&m.run),
        ms(percentile(l, 0.50)),
        ms(percentile(l, 0.99)),
        ms(l.last().copied()),
        m.run.failed,
    );
}

fn main() {
    let n = env_usize("PAYDESK_BENCH_DELIVERIES", 20_000).max(1);
    let concurrency = env_usize("PAYDESK_BENCH_CONCURRENCY", 16).max(1);
    let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
    println!(
        "webhook bench: {n} deliveries (+{WARMUP} warm-up) per server, {concurrency} concurrent \
         keep-alive HTTP/1.1 workers, {cores} cores available"
    );

    let started = Instant::now();
    let warmup = deliveries(0, WARMUP);
    let measured = deliveries(WARMUP, n);
    let sizes: Vec<usize> = measured.iter().map(|d| d.body.len()).collect();
    println!(
        "built {} signed deliveries in {:.2} s (bodies {}-{} bytes, compact JSON)",
        WARMUP + n,
        started.elapsed().as_secs_f64(),
        sizes.iter().min().unwrap_or(&0),
        sizes.iter().max().unwrap_or(&0),
    );

    // The load generator has its own runtime, separate from Paydesk's.
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-load")
        .enable_all()
        .build()
        .expect("load runtime");

    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("paydesk.sqlite3");
    let (rt, hooks) = start_paydesk(&db);
    let url = hooks.url();
    let paydesk = bench_server(&load, "paydesk", &url, warmup, measured, concurrency);
    rt.block_on(hooks.shutdown());
    drop(rt);
    let stored: i64 = Store::open(&db)
        .expect("reopen store")
        .connection()
        .query_row("SELECT count(*) FROM webhook_deliveries", [], |r| r.get(0))
        .expect("count deliveries");

    let node = match start_node() {
        Ok(server) => {
            let url = format!("http://127.0.0.1:{}/webhook", server.port);
            let m = bench_server(&load, "node", &url, warmup, measured, concurrency);
            drop(server);
            Some(m)
        }
        Err(why) => {
            println!("!! Node reference skipped: {why}");
            None
        }
    };

    println!();
    println!("wrong signatures (must be 401):");
    let mut rejects_ok = report_rejects(&paydesk);
    if let Some(m) = &node {
        rejects_ok &= report_rejects(m);
    }
    let expected = (WARMUP + n) as i64;
    let stored_ok = stored == expected;
    println!(
        "  paydesk  dedupe log holds {stored} deliveries (expected {expected}: warm-up + measured, \
         none of the wrongly signed)  {}",
        if stored_ok { "ok" } else { "WRONG" }
    );

    println!();
    println!(
        "{:<8} {:>10} {:>9} {:>14} {:>9} {:>9} {:>9} {:>8}",
        "server", "deliveries", "seconds", "verified/s", "p50 ms", "p99 ms", "max ms", "failed"
    );
    row(&paydesk, n);
    if let Some(m) = &node {
        row(m, n);
        let p99 = |m: &Measured| percentile(&m.run.latencies, 0.99).map(|d| d.as_secs_f64());
        let p99_ratio = match (p99(&paydesk), p99(m)) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
            _ => "-".into(),
        };
        println!(
            "paydesk/node: throughput {:.2}x, p99 latency {p99_ratio}",
            throughput(&paydesk.run) / throughput(&m.run),
        );
    } else {
        println!("node     (not run: {NODE_HOW})");
    }
    println!();
    println!(
        "note: Paydesk's path includes a committed SQLite insert per delivery (the dedupe log: \
         one transaction, WAL, synchronous=NORMAL) behind one store connection; the Node \
         reference only verifies the HMAC and parses the JSON. Client and servers share the \
         same {cores} cores."
    );

    let mut failed = false;
    for m in std::iter::once(&paydesk).chain(node.as_ref()) {
        if m.run.failed > 0 || m.warmup_failed > 0 {
            failed = true;
            println!(
                "!!! {}: {} of {n} measured deliveries and {} of {WARMUP} warm-up deliveries \
                 were NOT answered 200 !!!",
                m.server, m.run.failed, m.warmup_failed
            );
            for f in &m.run.failures {
                println!("!!!   {f}");
            }
        }
    }
    if !rejects_ok || !stored_ok {
        failed = true;
    }
    if failed {
        println!("!!! THIS RUN HAD FAILURES: the numbers above are not valid !!!");
        std::process::exit(1);
    }
    println!("all {n} measured deliveries answered 200 by every server that ran");
}
