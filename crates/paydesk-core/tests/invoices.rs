//! Invoices in a real SQLite file: numbering, edit, duplicate, void, list, and all-or-nothing.

mod common;

use common::{books, client, invoice_input, line};
use paydesk_core::{Error, InvoiceQuery, InvoiceSort, InvoiceStatus, SettingsInput};

fn numbers(app: &mut paydesk_core::Paydesk) -> Vec<String> {
    let page = app
        .list_invoices(&InvoiceQuery {
            sort: InvoiceSort::Number,
            limit: 500,
            ..Default::default()
        })
        .unwrap();
    page.items.into_iter().map(|i| i.number).collect()
}

#[test]
fn numbers_follow_the_pattern_and_restart_each_year() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    let a = b
        .app
        .create_invoice(&invoice_input(&c, "2026-03-01"))
        .unwrap();
    let bb = b
        .app
        .create_invoice(&invoice_input(&c, "2026-04-01"))
        .unwrap();
    let next_year = b
        .app
        .create_invoice(&invoice_input(&c, "2027-01-05"))
        .unwrap();
    assert_eq!(a.number, "INV-2026-0001");
    assert_eq!(bb.number, "INV-2026-0002");
    assert_eq!(next_year.number, "INV-2027-0001");
}

#[test]
fn void_invoice_keeps_its_number_and_it_is_never_reused() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    let first = b
        .app
        .create_invoice(&invoice_input(&c, "2026-11-01"))
        .unwrap();
    let voided = b.app.void_invoice(&first.id).unwrap();
    assert_eq!(voided.status, InvoiceStatus::Void);
    assert_eq!(voided.number, first.number);
    let second = b
        .app
        .create_invoice(&invoice_input(&c, "2026-11-02"))
        .unwrap();
    assert_ne!(second.number, first.number);
    let err = b.app.void_invoice(&first.id).unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    let err = b
        .app
        .update_invoice(&first.id, &invoice_input(&c, "2026-11-01"))
        .unwrap_err();
    assert!(err.to_string().contains("void"), "{err}");
}

#[test]
fn a_hand_typed_number_is_skipped_by_the_sequence_and_cannot_be_used_twice() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    let mut manual = invoice_input(&c, "2026-11-01");
    manual.number = Some("INV-2026-0001".into());
    b.app.create_invoice(&manual).unwrap();
    let err = b.app.create_invoice(&manual).unwrap_err();
    assert_eq!(err.field(), Some("number"));
    let auto = b
        .app
        .create_invoice(&invoice_input(&c, "2026-11-01"))
        .unwrap();
    assert_eq!(auto.number, "INV-2026-0002");
    assert_eq!(numbers(&mut b.app).len(), 2);
}

#[test]
fn changing_the_pattern_applies_to_new_invoices() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    b.app
        .update_settings(&SettingsInput {
            default_currency: "EUR".into(),
            numbering_pattern: "{YY}{MM}-{SEQ:3}".into(),
            default_payment_terms_days: Some(14),
        })
        .unwrap();
    let inv = b
        .app
        .create_invoice(&invoice_input(&c, "2026-11-21"))
        .unwrap();
    assert_eq!(inv.number, "2611-001");
}

#[test]
fn edit_replaces_lines_and_keeps_the_number() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    let inv = b
        .app
        .create_invoice(&invoice_input(&c, "2026-11-01"))
        .unwrap();
    let mut edit = invoice_input(&c, "2026-11-01");
    edit.lines = vec![line("A", "1", "10"), line("B", "3", "0.5")];
    let saved = b.app.update_invoice(&inv.id, &edit).unwrap();
    assert_eq!(saved.number, inv.number);
    assert_eq!(saved.lines.len(), 2);
    assert_eq!(saved.totals.total.to_wire(), "11.50");
    edit.number = Some("OTHER-1".into());
    let err = b.app.update_invoice(&inv.id, &edit).unwrap_err();
    assert_eq!(err.field(), Some("number"));
}

#[test]
fn duplicate_is_a_new_draft_with_the_next_number_issued_today() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    let mut src = invoice_input(&c, "2026-10-01");
    src.payment_terms_days = None;
    src.due_date = Some("2026-10-15".into());
    src.notes = "Thanks!".into();
    let inv = b.app.create_invoice(&src).unwrap();
    b.app.void_invoice(&inv.id).unwrap();
    let dup = b.app.duplicate_invoice(&inv.id).unwrap();
    assert_eq!(dup.status, InvoiceStatus::Draft);
    assert_eq!(dup.number, "INV-2026-0002");
    assert_eq!(dup.issue_date, "2026-11-21");
    assert_eq!(dup.due_date, "2026-12-05", "same 14-day span as the source");
    assert_eq!(dup.notes, "Thanks!");
    assert_eq!(dup.totals, inv.totals);
}

#[test]
fn bad_input_writes_nothing() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    let mut bad = invoice_input(&c, "2026-11-01");
    bad.lines.push(line("Broken", "0", "1"));
    let err = b.app.create_invoice(&bad).unwrap_err();
    assert_eq!(err.field(), Some("lines[1].quantity"));
    let mut unknown_client = invoice_input("01NOPE", "2026-11-01");
    unknown_client.number = None;
    let err = b.app.create_invoice(&unknown_client).unwrap_err();
    assert_eq!(err.field(), Some("clientId"));
    assert!(numbers(&mut b.app).is_empty());
    // The failed attempts did not consume a number either.
    let ok = b
        .app
        .create_invoice(&invoice_input(&c, "2026-11-01"))
        .unwrap();
    assert_eq!(ok.number, "INV-2026-0001");
}

#[test]
fn list_filters_by_derived_status_and_searches_number_and_client() {
    let mut b = books();
    let acme = client(&mut b.app, "Acme Studio");
    let zen = client(&mut b.app, "Zen Labs");
    // Today is 2026-11-21: an issued invoice due before that is overdue.
    let old = b
        .app
        .create_invoice(&invoice_input(&acme, "2026-09-01"))
        .unwrap();
    let fresh = b
        .app
        .create_invoice(&invoice_input(&zen, "2026-11-20"))
        .unwrap();
    b.app
        .store()
        .connection()
        .execute("UPDATE invoices SET status = 'issued'", [])
        .unwrap();
    let q = |status, search: Option<&str>| InvoiceQuery {
        status,
        search: search.map(str::to_string),
        ..Default::default()
    };
    let overdue = b
        .app
        .list_invoices(&q(Some(InvoiceStatus::Overdue), None))
        .unwrap();
    assert_eq!(overdue.total, 1);
    assert_eq!(overdue.items[0].id, old.id);
    assert_eq!(overdue.items[0].status, InvoiceStatus::Overdue);
    let issued = b
        .app
        .list_invoices(&q(Some(InvoiceStatus::Issued), None))
        .unwrap();
    assert_eq!(
        issued.items.iter().map(|i| &i.id).collect::<Vec<_>>(),
        [&fresh.id]
    );
    let by_client = b.app.list_invoices(&q(None, Some("studio"))).unwrap();
    assert_eq!(by_client.total, 1);
    assert_eq!(by_client.items[0].client_name, "Acme Studio");
    let short = b.app.list_invoices(&q(None, Some("Ze"))).unwrap();
    assert_eq!(short.items[0].id, fresh.id);
    let by_number = b.app.list_invoices(&q(None, Some(&fresh.number))).unwrap();
    assert_eq!(by_number.items[0].id, fresh.id);
    let odd = b.app.list_invoices(&q(None, Some("\"%_ OR 1"))).unwrap();
    assert_eq!(odd.total, 0);
}

#[test]
fn renaming_a_client_updates_search() {
    let mut b = books();
    let c = client(&mut b.app, "Old Name");
    b.app
        .create_invoice(&invoice_input(&c, "2026-11-01"))
        .unwrap();
    b.app
        .update_client(
            &c,
            &paydesk_core::ClientInput {
                name: "Brand New".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let q = |s: &str| InvoiceQuery {
        search: Some(s.into()),
        ..Default::default()
    };
    assert_eq!(b.app.list_invoices(&q("Brand")).unwrap().total, 1);
    assert_eq!(b.app.list_invoices(&q("Old Name")).unwrap().total, 0);
}

#[test]
fn sort_by_total_is_numeric_not_textual() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    for price in ["9.00", "100.00", "20.00"] {
        let mut i = invoice_input(&c, "2026-11-01");
        i.lines = vec![line("x", "1", price)];
        b.app.create_invoice(&i).unwrap();
    }
    let page = b
        .app
        .list_invoices(&InvoiceQuery {
            sort: InvoiceSort::Total,
            descending: true,
            ..Default::default()
        })
        .unwrap();
    let totals: Vec<_> = page.items.iter().map(|i| i.total.as_str()).collect();
    assert_eq!(totals, ["100.00", "20.00", "9.00"]);
}

#[test]
fn test_and_live_mode_use_separate_files() {
    let mut b = books();
    let c = client(&mut b.app, "Acme");
    b.app
        .create_invoice(&invoice_input(&c, "2026-11-01"))
        .unwrap();
    let test_db = b.app.info().database_path;
    b.app.set_mode(paydesk_core::Mode::Live).unwrap();
    assert_ne!(b.app.info().database_path, test_db);
    assert!(b.app.list_clients(None).unwrap().is_empty());
    b.app.set_mode(paydesk_core::Mode::Test).unwrap();
    assert_eq!(b.app.list_clients(None).unwrap().len(), 1);
    // The choice is remembered on disk.
    b.app.set_mode(paydesk_core::Mode::Live).unwrap();
    assert_eq!(
        paydesk_core::app::saved_mode(b.dir.path()).unwrap(),
        paydesk_core::Mode::Live
    );
}
