//! Store benchmark: insert 100,000 invoices with 5 lines each through the engine (one
//! transaction per invoice, as a user action), then time list pages and searches.
//! Prints median and p95 latencies. `PAYDESK_BENCH_INVOICES` overrides the count.
//!
//! Run: `cargo bench -p paydesk-core --bench store`

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Days;
use paydesk_core::secrets::MemoryStore;
use paydesk_core::{
    ClientInput, InvoiceInput, InvoiceQuery, InvoiceSort, InvoiceStatus, LineItemInput, Paydesk,
};

const CLIENTS: usize = 1_000;
const SAMPLES: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn time_query(app: &mut Paydesk, name: &str, mut make: impl FnMut(usize) -> InvoiceQuery) {
    let mut samples = Vec::with_capacity(SAMPLES);
    let mut rows = 0;
    let mut total = 0;
    for i in 0..SAMPLES {
        let q = make(i);
        let start = Instant::now();
        let page = app.list_invoices(&q).expect("query");
        samples.push(start.elapsed());
        rows = page.items.len();
        total = page.total;
    }
    samples.sort();
    println!(
        "{name:<48} median {:>8.3} ms   p95 {:>8.3} ms   (last page: {rows} rows of {total})",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
    );
}

fn main() {
    let count: usize = std::env::var("PAYDESK_BENCH_INVOICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("open");

    let clients: Vec<String> = (0..CLIENTS)
        .map(|i| {
            app.create_client(&ClientInput {
                name: format!("Client {i:04} Studio"),
                email: format!("billing{i}@client.test"),
                ..Default::default()
            })
            .expect("client")
            .id
        })
        .collect();

    // Issue dates run over the 1,000 days up to a month from now, so some issued invoices are
    // overdue and some are not yet due.
    let base = chrono::Local::now().date_naive() - Days::new(970);
    let lines: Vec<LineItemInput> = (0..5)
        .map(|j| LineItemInput {
            description: format!("Line item {j}: design and development work"),
            quantity: format!("{}.5", j + 1),
            unit_price: format!("{}.25", 40 + j * 15),
            tax_rate: "20".into(),
            discount: if j == 2 { "10".into() } else { "0".into() },
        })
        .collect();
    let start = Instant::now();
    for i in 0..count {
        let issue = base + Days::new((i % 1_000) as u64);
        let input = InvoiceInput {
            client_id: clients[(i * 7919) % CLIENTS].clone(),
            currency: if i % 3 == 0 {
                "EUR".into()
            } else {
                "USDC-base".into()
            },
            issue_date: issue.to_string(),
            payment_terms_days: Some([7, 14, 30, 60][i % 4]),
            lines: lines.clone(),
            ..Default::default()
        };
        app.create_invoice(&input).expect("invoice");
    }
    let insert = start.elapsed();
    println!(
        "insert {count} invoices x 5 lines (one transaction each): {:.1} s, {:.0} invoices/s, {:.3} ms each",
        insert.as_secs_f64(),
        count as f64 / insert.as_secs_f64(),
        insert.as_secs_f64() * 1e3 / count as f64
    );
    // Spread statuses as a real book would have them: mostly paid, some issued, drafts, voids.
    app.store()
        .connection()
        .execute_batch(
            "UPDATE invoices SET status = CASE seq % 10
                 WHEN 0 THEN 'draft' WHEN 1 THEN 'void' WHEN 2 THEN 'issued' WHEN 3 THEN 'issued'
                 WHEN 4 THEN 'partially_paid' ELSE 'paid' END;
             ANALYZE;",
        )
        .expect("statuses");
    let size = std::fs::metadata(app.info().database_path)
        .map(|m| m.len())
        .unwrap_or(0);
    println!("database size: {:.1} MiB", size as f64 / (1024.0 * 1024.0));

    let page = |status, search: Option<String>, sort, offset| InvoiceQuery {
        status,
        search,
        sort,
        descending: false,
        limit: 50,
        offset,
    };
    time_query(&mut app, "page: status=issued, sort due date", |i| {
        page(
            Some(InvoiceStatus::Issued),
            None,
            InvoiceSort::DueDate,
            (i % 10) as u32 * 50,
        )
    });
    time_query(&mut app, "page: status=overdue, sort due date", |i| {
        page(
            Some(InvoiceStatus::Overdue),
            None,
            InvoiceSort::DueDate,
            (i % 10) as u32 * 50,
        )
    });
    time_query(&mut app, "page: status=paid, sort due date", |_| {
        page(Some(InvoiceStatus::Paid), None, InvoiceSort::DueDate, 0)
    });
    time_query(&mut app, "page: all, sort due date", |_| {
        page(None, None, InvoiceSort::DueDate, 0)
    });
    time_query(&mut app, "page: all, sort total", |_| {
        page(None, None, InvoiceSort::Total, 0)
    });
    time_query(&mut app, "page: all, sort client", |_| {
        page(None, None, InvoiceSort::Client, 0)
    });
    time_query(&mut app, "search: client name (\"Client 0421\")", |i| {
        page(
            None,
            Some(format!("Client {:04}", (i * 37) % CLIENTS)),
            InvoiceSort::DueDate,
            0,
        )
    });
    time_query(&mut app, "search: client name + status=issued", |i| {
        page(
            Some(InvoiceStatus::Issued),
            Some(format!("Client {:04}", (i * 37) % CLIENTS)),
            InvoiceSort::DueDate,
            0,
        )
    });
    time_query(
        &mut app,
        "search: invoice number (\"INV-2025-0042\")",
        |i| {
            page(
                None,
                Some(format!("INV-2025-{:04}", 10 + i)),
                InvoiceSort::DueDate,
                0,
            )
        },
    );
    time_query(
        &mut app,
        "search: 2 letters (\"St\", LIKE fallback)",
        |_| page(None, Some("St".into()), InvoiceSort::DueDate, 0),
    );
}
