//! The CLI and the core library on one data folder see the same books.

use paydesk_core::{InvoiceQuery, InvoiceStatus, SettingsInput};

use crate::util::{invoice, Books};

#[test]
fn cli_and_core_see_the_same_books() {
    let b = Books::new();
    let mut core = b.core();

    let added = b.cli_json("client add --name 'Acme Studio' --email ana@acme.io");
    let client_id = added["id"].as_str().unwrap().to_string();
    b.cli_json("invoice create --client 'Acme Studio' --currency EUR --issue-date 2026-11-21 --terms 30 --line Design;3;150.50;20");

    // What the CLI wrote, the core reads (through its own, already open connection).
    let clients = core.list_clients(None).unwrap();
    assert_eq!(clients.len(), 1);
    assert_eq!(
        (clients[0].id.as_str(), clients[0].email.as_str()),
        (client_id.as_str(), "ana@acme.io")
    );
    let first = core.find_invoice("INV-2026-0001").unwrap();
    assert_eq!(first.totals.total.to_wire(), "541.80");
    assert_eq!(first.due_date, "2026-12-21");

    // What the core writes continues the same number sequence, and the CLI lists it.
    let second = core
        .create_invoice(&invoice(&client_id, "Hosting", "10"))
        .unwrap();
    assert_eq!(second.number, "INV-2026-0002");
    let page = b.cli_json("invoice list --sort number");
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][1]["number"], "INV-2026-0002");
    assert_eq!(page["items"][1]["total"], "10.00");

    // A CLI edit is visible to the core at once.
    b.cli_json("invoice void INV-2026-0002");
    assert_eq!(
        core.find_invoice("INV-2026-0002").unwrap().status,
        InvoiceStatus::Void
    );

    // Settings saved by the core drive the CLI's defaults and numbering.
    core.update_settings(&SettingsInput {
        default_currency: "EUR".into(),
        numbering_pattern: "ACME-{SEQ:2}".into(),
        default_payment_terms_days: Some(7),
    })
    .unwrap();
    let third = b.cli_json(&format!(
        "invoice create --client {client_id} --issue-date 2026-11-21 --line 'Fix;1;5'"
    ));
    assert_eq!(third["number"], "ACME-01");
    assert_eq!(third["currency"], "EUR");
    assert_eq!(third["dueDate"], "2026-11-28");
    let all = core.list_invoices(&InvoiceQuery::default()).unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(core.client(&client_id).unwrap().invoice_count, 3);
}

#[test]
fn cli_json_is_the_core_serialization() {
    let b = Books::new();
    let mut core = b.core();
    let c = core.create_client(&crate::util::client("Globex")).unwrap();
    let inv = core
        .create_invoice(&invoice(&c.id, "Audit", "99.99"))
        .unwrap();

    let shown = b.cli_json(&format!("invoice show {}", inv.number));
    assert_eq!(
        shown,
        serde_json::to_value(core.invoice(&inv.id).unwrap()).unwrap()
    );
    let by_id = b.cli_json(&format!("invoice show {}", inv.id));
    assert_eq!(by_id, shown);
    let listed = b.cli_json("client list");
    assert_eq!(
        listed,
        serde_json::to_value(core.list_clients(None).unwrap()).unwrap()
    );
    let settings = b.cli_json("settings");
    assert_eq!(
        settings,
        serde_json::to_value(core.settings().unwrap()).unwrap()
    );
}
