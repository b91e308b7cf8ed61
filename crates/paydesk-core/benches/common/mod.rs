//! What the benchmarks share: the books they start from.

use paydesk_core::{ClientInput, InvoiceInput, LineItemInput, LinkOptions, Paydesk};

/// Add the benchmark's one client; its id.
pub fn bench_client(app: &mut Paydesk) -> String {
    app.create_client(&ClientInput {
        name: "Bench client".into(),
        ..Default::default()
    })
    .expect("client")
    .id
}

/// Invoice number `i` (one line of `i + 1.50` FAU-sepolia, issued on `issue_date`) with its
/// payment link queued; the invoice id.
pub fn queue_invoice_link(
    app: &mut Paydesk,
    client_id: &str,
    i: usize,
    issue_date: &str,
) -> String {
    let id = app
        .create_invoice(&InvoiceInput {
            client_id: client_id.to_string(),
            currency: "FAU-sepolia".into(),
            issue_date: issue_date.into(),
            payment_terms_days: Some(30),
            lines: vec![LineItemInput {
                description: "Work".into(),
                quantity: "1".into(),
                unit_price: format!("{}.50", i + 1),
                ..Default::default()
            }],
            ..Default::default()
        })
        .expect("invoice")
        .id;
    app.request_link(&id, &LinkOptions::default())
        .expect("request link");
    id
}
