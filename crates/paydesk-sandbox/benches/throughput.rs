//! Sandbox throughput: N concurrent clients each loop `POST /v2/secure-payments` then
//! `GET /v2/secure-payments/:token` over loopback for a few seconds (rate limit lifted), and
//! the run prints requests per second and p50/p99 latency per route. Client and server share
//! the machine (2 cores here), so the numbers are a floor for the server alone.
//!
//! Run: `cargo bench -p paydesk-sandbox --bench throughput`
//! Knobs: `PAYDESK_BENCH_CLIENTS` (default 16), `PAYDESK_BENCH_SECONDS` (default 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use paydesk_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>, elapsed: Duration) {
    samples.sort();
    println!(
        "{name:<28} {:>9.0} req/s   p50 {:>7.3} ms   p99 {:>7.3} ms   ({} requests)",
        samples.len() as f64 / elapsed.as_secs_f64(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.len()
    );
}

struct Samples {
    create: Vec<Duration>,
    get: Vec<Duration>,
    errors: u64,
}

async fn client(http: reqwest::Client, base: String, key: String, until: Instant) -> Samples {
    let mut s = Samples {
        create: Vec::new(),
        get: Vec::new(),
        errors: 0,
    };
    let body = json!({ "requests": [{ "amount": "10.50" }], "reference": "BENCH" });
    while Instant::now() < until {
        let t = Instant::now();
        let created = http
            .post(format!("{base}v2/secure-payments"))
            .header("x-api-key", &key)
            .json(&body)
            .send()
            .await;
        let token = match created {
            Ok(r) if r.status().as_u16() == 201 => r
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| v["token"].as_str().map(str::to_string)),
            _ => None,
        };
        s.create.push(t.elapsed());
        let Some(token) = token else {
            s.errors += 1;
            continue;
        };
        let t = Instant::now();
        match http
            .get(format!("{base}v2/secure-payments/{token}"))
            .header("x-api-key", &key)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
            }
            _ => s.errors += 1,
        }
        s.get.push(t.elapsed());
    }
    s
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test --all-targets` run a short smoke pass.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let clients = if smoke {
        2
    } else {
        env_or("PAYDESK_BENCH_CLIENTS", 16)
    };
    let seconds = if smoke {
        1
    } else {
        env_or("PAYDESK_BENCH_SECONDS", 5)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sandbox = Sandbox::start(SandboxConfig { rate_limit_per_sec: 0, ..SandboxConfig::default() }).await.expect("sandbox");
        let base = sandbox.base_url().to_string();
        let key = Arc::new(sandbox.api_key().to_string());
        let http = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(clients as usize).build().expect("client");
        // Warm up connections and code paths.
        let _ = client(http.clone(), base.clone(), key.to_string(), Instant::now() + Duration::from_millis(300)).await;
        println!("sandbox throughput: {clients} concurrent clients, {seconds} s, create + get over loopback, {} cores", std::thread::available_parallelism().map_or(0, |n| n.get()));
        let started = Instant::now();
        let until = started + Duration::from_secs(seconds);
        let tasks: Vec<_> = (0..clients).map(|_| tokio::spawn(client(http.clone(), base.clone(), key.to_string(), until))).collect();
        let (mut create, mut get, mut errors) = (Vec::new(), Vec::new(), 0);
        for task in tasks {
            if let Ok(s) = task.await {
                create.extend(s.create);
                get.extend(s.get);
                errors += s.errors;
            }
        }
        let elapsed = started.elapsed();
        let mut all = create.clone();
        all.extend(get.iter().copied());
        report("POST /v2/secure-payments", create, elapsed);
        report("GET /v2/secure-payments/:t", get, elapsed);
        report("all requests", all, elapsed);
        println!("errors: {errors}; links stored: {}", sandbox.control().payments().len());
        sandbox.shutdown().await;
    });
}
