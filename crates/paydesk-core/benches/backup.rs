//! Backup benchmark: books of 100,000 invoices (5 lines each), then the time to write an
//! encrypted backup, its size, the time to restore it, a daily automatic backup, and what the
//! integrity check adds to opening the books. The Argon2id key derivation (64 MiB, t=3) is
//! timed on its own; it is part of both backup and restore. `PAYDESK_BENCH_INVOICES` overrides
//! the count. On Linux, the peak resident memory of backup, inspect and restore is printed too
//! (`VmHWM` of `/proc/self/status`, reset before each step through `/proc/self/clear_refs`); it
//! includes Argon2id's 64 MiB and SQLite's caches, and no longer grows with the database.
//!
//! Run: `cargo bench -p paydesk-core --bench backup`

use std::sync::Arc;
use std::time::Instant;

use paydesk_core::backup::KdfParams;
use paydesk_core::secrets::{MemoryStore, Secret};
use paydesk_core::{ClientInput, InvoiceInput, LineItemInput, Paydesk};

/// Invoices made through the engine; the rest are SQL copies of them (fast, same shape).
const THROUGH_ENGINE: usize = 1_000;

fn secs(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Start a new peak-memory measurement (Linux: reset `VmHWM` to the current resident size).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A field of `/proc/self/status` in MiB.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib as f64 / 1024.0)
}

/// "peak resident X MiB (Y MiB before)" for the step since [`reset_peak`].
fn peak(measured: bool, before: Option<f64>) -> String {
    match (measured, status_mib("VmHWM:"), before) {
        (true, Some(peak), Some(before)) => {
            format!("; peak resident {peak:.0} MiB ({before:.0} MiB before)")
        }
        _ => String::new(),
    }
}

fn main() {
    let count: usize = std::env::var("PAYDESK_BENCH_INVOICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("open");

    let start = Instant::now();
    let client = app
        .create_client(&ClientInput {
            name: "Bench client".into(),
            ..Default::default()
        })
        .expect("client")
        .id;
    let lines: Vec<LineItemInput> = (0..5)
        .map(|j| LineItemInput {
            description: format!("Line item {j}: design and development work"),
            quantity: format!("{}.5", j + 1),
            unit_price: format!("{}.25", 40 + j * 15),
            tax_rate: "20".into(),
            discount: "0".into(),
        })
        .collect();
    for i in 0..THROUGH_ENGINE.min(count) {
        app.create_invoice(&InvoiceInput {
            client_id: client.clone(),
            currency: "EUR".into(),
            issue_date: format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
            payment_terms_days: Some(30),
            lines: lines.clone(),
            ..Default::default()
        })
        .expect("invoice");
    }
    let copies = count.saturating_sub(THROUGH_ENGINE);
    app.store()
        .connection()
        .execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies})
             INSERT INTO invoices (id, number, client_id, status, currency, issue_date, due_date,
                 payment_terms_days, discount_kind, discount_value, notes, terms, subtotal,
                 discount_total, tax_total, total, total_key, created_at, updated_at)
             SELECT printf('bench-%07d', n.i), printf('BENCH-%07d', n.i), t.client_id, t.status,
                 t.currency, t.issue_date, t.due_date, t.payment_terms_days, t.discount_kind,
                 t.discount_value, t.notes, t.terms, t.subtotal, t.discount_total, t.tax_total,
                 t.total, t.total_key, t.created_at, t.updated_at
             FROM n, invoices t WHERE t.seq = 1 + (n.i % {THROUGH_ENGINE});
             INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price,
                 tax_rate, discount)
             SELECT i.id, l.position, l.description, l.quantity, l.unit_price, l.tax_rate,
                 l.discount
             FROM invoices i, invoice_lines l
             WHERE i.id LIKE 'bench-%'
               AND l.invoice_id = (SELECT id FROM invoices WHERE seq = 1);
             COMMIT;"
        ))
        .expect("copies");
    let db_size = std::fs::metadata(app.database_path()).map_or(0, |m| m.len());
    println!(
        "books: {count} invoices x 5 lines, made in {:.1} s; database {:.1} MiB",
        secs(start),
        mib(db_size)
    );

    let pass = Secret::new("correct horse battery staple");
    let start = Instant::now();
    KdfParams::default()
        .derive(&pass, &[7u8; 16])
        .expect("derive");
    let kdf = secs(start);
    println!("Argon2id key derivation (m=64 MiB, t=3, p=1): {:.3} s", kdf);

    let file = dir.path().join("books.paydesk-backup");
    let (measured, before) = (reset_peak(), status_mib("VmRSS:"));
    let start = Instant::now();
    let info = app.create_backup(&file, &pass, false).expect("backup");
    let backup = secs(start);
    println!(
        "encrypted backup: {:.2} s ({:.2} s without the KDF); file {:.1} MiB{}",
        backup,
        backup - kdf,
        mib(info.file_bytes),
        peak(measured, before)
    );

    let (measured, before) = (reset_peak(), status_mib("VmRSS:"));
    let start = Instant::now();
    app.inspect_backup(&file, &pass).expect("inspect");
    println!(
        "inspect (decrypt + verify): {:.2} s{}",
        secs(start),
        peak(measured, before)
    );

    let (measured, before) = (reset_peak(), status_mib("VmRSS:"));
    let start = Instant::now();
    app.restore_backup(&file, &pass).expect("restore");
    let restore = secs(start);
    println!(
        "restore (decrypt, integrity_check, swap, reopen): {:.2} s ({:.2} s without the KDF){}",
        restore,
        restore - kdf,
        peak(measured, before)
    );

    let start = Instant::now();
    let daily = app
        .auto_backup_if_due(chrono::Utc::now())
        .expect("auto backup")
        .expect("first of the day");
    println!(
        "daily automatic backup (plain snapshot): {:.2} s, {:.1} MiB",
        secs(start),
        mib(std::fs::metadata(daily).map_or(0, |m| m.len()))
    );

    drop(app);
    let start = Instant::now();
    let conn = rusqlite::Connection::open(paydesk_core::app::database_path(
        dir.path(),
        paydesk_core::Mode::Test,
    ))
    .expect("open");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    println!(
        "PRAGMA integrity_check (what a first open in a process adds): {:.3} s ({ok})",
        secs(start)
    );
    let start = Instant::now();
    let ok: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .expect("quick_check");
    println!(
        "PRAGMA quick_check (for comparison): {:.3} s ({ok})",
        secs(start)
    );
    drop(conn);
    let start = Instant::now();
    let app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("reopen");
    println!(
        "open the books again, file unchanged since its check in this process: {:.3} s",
        secs(start)
    );
    let start = Instant::now();
    drop(app.outbox().expect("outbox connection"));
    println!(
        "a worker's connection to the same file (no second check): {:.3} s",
        secs(start)
    );
}
