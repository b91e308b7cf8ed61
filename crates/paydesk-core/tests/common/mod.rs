//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use paydesk_core::clock::FixedClock;
use paydesk_core::secrets::MemoryStore;
use paydesk_core::{ClientInput, InvoiceInput, LineItemInput, Paydesk};

/// A Paydesk on a fresh data folder, with the clock at 2026-11-21 12:00 UTC.
pub struct Books {
    pub dir: tempfile::TempDir,
    pub app: Paydesk,
}

pub fn books() -> Books {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap(),
    ));
    let app = Paydesk::open_with_clock(dir.path(), Arc::new(MemoryStore::new()), clock)
        .expect("open books");
    Books { dir, app }
}

pub fn client(app: &mut Paydesk, name: &str) -> String {
    app.create_client(&ClientInput {
        name: name.into(),
        ..Default::default()
    })
    .expect("client")
    .id
}

pub fn line(desc: &str, qty: &str, price: &str) -> LineItemInput {
    LineItemInput {
        description: desc.into(),
        quantity: qty.into(),
        unit_price: price.into(),
        tax_rate: "0".into(),
        discount: "0".into(),
    }
}

pub fn invoice_input(client_id: &str, issue: &str) -> InvoiceInput {
    InvoiceInput {
        client_id: client_id.into(),
        currency: "EUR".into(),
        issue_date: issue.into(),
        payment_terms_days: Some(30),
        lines: vec![line("Design", "2", "100.00")],
        ..Default::default()
    }
}
