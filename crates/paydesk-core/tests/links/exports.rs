//! Accountant exports against real books: invoices, payments (tx hash, network) and payouts in a
//! date range as CSV that parses back to the exact decimal strings, the per-invoice history as
//! JSON, and no secret anywhere.

use std::sync::Arc;

use chrono::Duration;
use paydesk_core::export::{DateRange, ExportKind};
use paydesk_core::secrets::SecretKind;
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::{ContractorInput, LinkOptions, PayoutInput, PayoutSettings};

use crate::Env;

const SECRET: &str = "rn_live_0123456789abcdefSECRET";

fn rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .collect::<Result<Vec<_>, _>>()
        .expect("the export parses as CSV")
}

fn export(env: &mut Env, kind: ExportKind, from: &str, to: &str) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("out.csv");
    let range = DateRange::parse(from, to).expect("range");
    let (written, _) = env.app.write_export(kind, range, &path).expect("export");
    std::fs::read_to_string(written).expect("read")
}

#[tokio::test]
async fn invoices_payments_and_payouts_export_exactly_and_without_secrets() {
    let mut env = Env::start().await;
    env.app
        .set_secret(SecretKind::ApiKey, SECRET)
        .expect("a secret to leak");
    let paid = env.invoice("100.5");
    let open = env.invoice("7");
    for id in [&paid, &open] {
        env.app
            .request_link(id, &LinkOptions::default())
            .expect("link");
    }
    assert_eq!(env.send().await.sent, 2);
    let token = env.app.links_of(&paid).expect("links")[0].token.clone();
    env.sandbox.control().pay(&token).expect("pay");
    env.clock.advance(Duration::minutes(1));
    env.app
        .poller(Arc::new(RateLimiter::new(1_000)))
        .expect("poller")
        .tick(&env.gateway, env.now())
        .await
        .expect("tick");

    // A paid payout too.
    env.app
        .set_payout_settings(&PayoutSettings {
            evm_wallet: Some("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB".into()),
            tron_wallet: None,
        })
        .expect("wallet");
    let ada = env
        .app
        .create_contractor(&ContractorInput {
            name: "Ada".into(),
            email: None,
            network: "sepolia".into(),
            address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into(),
            default_currency: None,
        })
        .expect("contractor");
    let payout = env
        .app
        .create_payout(&PayoutInput {
            contractor_id: ada.id,
            amount: "0.000000000000000001".into(),
            currency: "FAU-sepolia".into(),
            reference: Some("tiny, with a comma".into()),
            memo: None,
            invoice_id: Some(paid.clone()),
        })
        .expect("payout");
    env.app
        .approve_payout(&payout.id, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        .expect("approve");

    let invoices = export(&mut env, ExportKind::Invoices, "2026-11-01", "2026-11-30");
    let table = rows(&invoices);
    assert_eq!(table.len(), 2);
    let totals: Vec<&str> = table.iter().map(|r| &r[10]).collect();
    assert_eq!(
        totals,
        ["100.50", "7.00"],
        "the stored totals, to the letter"
    );
    assert_eq!(&table[0][1], "paid");
    // Outside the range: nothing but the header.
    let none = export(&mut env, ExportKind::Invoices, "2025-01-01", "2025-12-31");
    assert!(rows(&none).is_empty());
    assert!(none.starts_with("number,status,client"));

    let payments = export(&mut env, ExportKind::Payments, "2026-11-21", "2026-11-21");
    let table = rows(&payments);
    assert_eq!(table.len(), 1, "{payments}");
    assert_eq!(&table[0][4], "sepolia");
    assert_eq!(&table[0][6], &table[0][5], "paid in full");
    assert!(table[0][7].starts_with("0x"), "tx hash");

    let payouts = export(&mut env, ExportKind::Payouts, "2026-11-21", "2026-11-21");
    let table = rows(&payouts);
    assert_eq!(table.len(), 1);
    assert_eq!(&table[0][6], "0.000000000000000001", "exact, never a float");
    assert_eq!(&table[0][7], "tiny, with a comma");

    let history = env.app.invoice_history(&paid).expect("history");
    let json = serde_json::to_string(&history).expect("json");
    assert!(json.contains("\"source\":\"poll\""));
    for text in [&invoices, &payments, &payouts, &json] {
        assert!(!text.contains(SECRET), "a secret leaked into an export");
    }
}
