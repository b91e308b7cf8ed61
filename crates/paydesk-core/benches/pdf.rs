//! Invoice PDF benchmark: render a 5-line and a 500-line invoice (with a payment link, so the
//! QR code is drawn) and print median and p95 generation time, size and page count.
//!
//! Run: `cargo bench -p paydesk-core --bench pdf`

use std::sync::Arc;
use std::time::{Duration, Instant};

use paydesk_core::document::{self, DocumentLink, Paper};
use paydesk_core::secrets::MemoryStore;
use paydesk_core::{BusinessProfile, ClientInput, InvoiceInput, LineItemInput, Paydesk};

const SAMPLES: usize = 30;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn invoice(app: &mut Paydesk, client_id: &str, lines: usize) -> String {
    let lines = (0..lines)
        .map(|i| LineItemInput {
            description: format!("Consulting, week {i}: workshops, reviews and written follow-up"),
            quantity: "7.5".into(),
            unit_price: "120.00".into(),
            tax_rate: "19".into(),
            discount: if i % 3 == 0 { "5".into() } else { "0".into() },
        })
        .collect();
    app.create_invoice(&InvoiceInput {
        client_id: client_id.into(),
        currency: "EUR".into(),
        issue_date: "2026-11-21".into(),
        payment_terms_days: Some(30),
        lines,
        notes: "Thank you for your business.".into(),
        terms: "Payment due within 30 days.".into(),
        ..Default::default()
    })
    .expect("invoice")
    .id
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("books");
    app.update_profile(&BusinessProfile {
        name: "Studio Nord".into(),
        email: "billing@studionord.example".into(),
        address: "Kastanienallee 12\n10435 Berlin".into(),
        tax_id: "DE123456789".into(),
    })
    .expect("profile");
    let client_id = app
        .create_client(&ClientInput {
            name: "Acme Studio".into(),
            ..Default::default()
        })
        .expect("client")
        .id;
    for lines in [5, 500] {
        let id = invoice(&mut app, &client_id, lines);
        let mut doc = app.invoice_document(&id).expect("document");
        doc.link = Some(DocumentLink {
            url: "https://pay.request.network/?token=01KJRA0M9QG8MA4X887908T8A4".into(),
            expires_at: "2026-11-28T12:00:00Z".into(),
        });
        let mut samples = Vec::with_capacity(SAMPLES);
        let mut last = None;
        for _ in 0..SAMPLES {
            let start = Instant::now();
            let pdf = document::render_pdf(&doc, Paper::A4).expect("pdf");
            samples.push(start.elapsed());
            last = Some(pdf);
        }
        samples.sort();
        let pdf = last.expect("a sample");
        println!(
            "{lines:>3}-line invoice PDF   median {:>8.2} ms   p95 {:>8.2} ms   {:>7} bytes   {} pages",
            percentile(&samples, 0.5).as_secs_f64() * 1e3,
            percentile(&samples, 0.95).as_secs_f64() * 1e3,
            pdf.bytes.len(),
            pdf.pages
        );
    }
}
