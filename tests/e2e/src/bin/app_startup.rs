//! App startup benchmark: how fast the invoice list appears, and what the running app costs.
//!
//! Each run starts a fresh tauri-driver with an empty data directory, then measures the time from
//! the WebDriver new-session request (which launches `paydesk-desktop`) until
//! `[data-testid="screen-invoices"]` is in the DOM. Once the list has rendered it reads RSS and
//! PSS (`/proc/<pid>/smaps_rollup`) of the app and every process below it (WebKitWebProcess,
//! WebKitNetworkProcess, sandbox helpers).
//!
//! Needs a display and the drivers, like the e2e suite:
//! `dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" cargo run -p paydesk-e2e --bin app_startup --release`
//! (scripts/bench.sh does this). Usage: `app_startup [--runs N]`; `PAYDESK_APP` picks the binary,
//! by default the one of this build's profile in the cargo target directory.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use paydesk_e2e::memory::{self, ProcessMemory};
use paydesk_e2e::{testid, AppSession, Environment, Profile, TauriDriver, DEFAULT_TIMEOUT};

const DEFAULT_RUNS: usize = 5;
/// Finer than the test suite's poll: this interval bounds the timing error.
const BENCH_POLL: Duration = Duration::from_millis(5);

struct Run {
    window_open: Duration,
    list_present: Duration,
    processes: Vec<ProcessMemory>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("app_startup: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let runs = parse_runs()?;
    let env = Environment::check(Profile::of_this_build())?;
    println!("app: {}", env.app.display());
    println!("runs: {runs} (fresh data directory each)\n");

    let mut results = Vec::with_capacity(runs);
    for i in 1..=runs {
        let run = measure_once(&env)
            .await
            .with_context(|| format!("run {i}"))?;
        let (rss, pss) = totals(&run.processes);
        println!(
            "run {i}: window open {:>6.0} ms, invoice list in DOM {:>6.0} ms, RSS {:>6.1} MiB, PSS {:>6.1} MiB",
            ms(run.window_open),
            ms(run.list_present),
            mib(rss),
            mib(pss)
        );
        results.push(run);
    }

    let starts: Vec<f64> = results.iter().map(|r| ms(r.list_present)).collect();
    let opens: Vec<f64> = results.iter().map(|r| ms(r.window_open)).collect();
    println!("\nstartup (new-session request -> screen-invoices in DOM)");
    println!(
        "  median {:>7.0} ms   max {:>7.0} ms",
        median(&starts),
        max(&starts)
    );
    println!(
        "  (window open only: median {:.0} ms, max {:.0} ms)",
        median(&opens),
        max(&opens)
    );

    println!("\nresident memory after the invoice list rendered (median over runs)");
    println!(
        "  {:<24} {:>5} {:>11} {:>11}",
        "process", "count", "RSS MiB", "PSS MiB"
    );
    let mut by_name: BTreeMap<String, Vec<(u64, u64, usize)>> = BTreeMap::new();
    for run in &results {
        let mut this_run: BTreeMap<&str, (u64, u64, usize)> = BTreeMap::new();
        for p in &run.processes {
            let entry = this_run.entry(p.name.as_str()).or_default();
            entry.0 += p.rss_kib;
            entry.1 += p.pss_kib;
            entry.2 += 1;
        }
        for (name, sums) in this_run {
            by_name.entry(name.to_string()).or_default().push(sums);
        }
    }
    for (name, samples) in &by_name {
        let rss: Vec<f64> = samples.iter().map(|s| s.0 as f64).collect();
        let pss: Vec<f64> = samples.iter().map(|s| s.1 as f64).collect();
        let count = samples.iter().map(|s| s.2).max().unwrap_or(0);
        println!(
            "  {:<24} {:>5} {:>11.1} {:>11.1}",
            name,
            count,
            median(&rss) / 1024.0,
            median(&pss) / 1024.0
        );
    }
    let rss: Vec<f64> = results
        .iter()
        .map(|r| totals(&r.processes).0 as f64)
        .collect();
    let pss: Vec<f64> = results
        .iter()
        .map(|r| totals(&r.processes).1 as f64)
        .collect();
    println!(
        "  {:<24} {:>5} {:>11.1} {:>11.1}",
        "total (median)",
        "",
        median(&rss) / 1024.0,
        median(&pss) / 1024.0
    );
    println!(
        "  {:<24} {:>5} {:>11.1} {:>11.1}",
        "total (max)",
        "",
        max(&rss) / 1024.0,
        max(&pss) / 1024.0
    );
    Ok(())
}

async fn measure_once(env: &Environment) -> Result<Run> {
    let driver = TauriDriver::start(env).await?;
    let started = Instant::now();
    let app = driver.new_session().await?;
    let window_open = started.elapsed();
    let outcome = async {
        wait_present(&app, &testid("screen-invoices")).await?;
        let list_present = started.elapsed();
        // The list has answered (empty books) before memory is read.
        wait_present(&app, &testid("invoices-empty")).await?;
        let Some(pid) = driver.app_pid() else {
            bail!(
                "no paydesk-desktop process below tauri-driver (pid {})",
                driver.pid()
            );
        };
        let processes = memory::app_and_helpers(pid)?;
        Ok(Run {
            window_open,
            list_present,
            processes,
        })
    }
    .await;
    let run = app.finish(outcome).await;
    if run.is_err() {
        driver.print_log();
    }
    run
}

async fn wait_present(app: &AppSession, css: &str) -> Result<()> {
    let deadline = Instant::now() + DEFAULT_TIMEOUT;
    loop {
        if app.find_css(css).await?.is_some() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("`{css}` did not appear within {DEFAULT_TIMEOUT:?}");
        }
        tokio::time::sleep(BENCH_POLL).await;
    }
}

fn parse_runs() -> Result<usize> {
    let mut args = std::env::args().skip(1);
    let mut runs = DEFAULT_RUNS;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" | "-n" => {
                let value = args.next().context("--runs needs a number")?;
                runs = value.parse().with_context(|| format!("--runs {value:?}"))?;
                if runs == 0 {
                    bail!("--runs must be at least 1");
                }
            }
            "--help" | "-h" => {
                println!("usage: app_startup [--runs N]   (PAYDESK_APP=<binary> to pick the app)");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (usage: app_startup [--runs N])"),
        }
    }
    Ok(runs)
}

fn totals(processes: &[ProcessMemory]) -> (u64, u64) {
    processes
        .iter()
        .fold((0, 0), |(rss, pss), p| (rss + p.rss_kib, pss + p.pss_kib))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}
