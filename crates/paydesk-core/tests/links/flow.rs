//! The main job: from an invoice to a stored link, its QR code and a payment.

use chrono::{DateTime, Duration};
use paydesk_core::{
    ErrorCode, InvoiceStatus, LinkOptions, LinkStatus, OutboxState, PaymentSettings,
};
use paydesk_sandbox::LinkState;

use crate::Env;

fn decode_qr(png: &[u8]) -> String {
    let img = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("decodes").1
}

#[tokio::test]
async fn invoice_becomes_a_live_link_whose_qr_scans_back_and_can_be_paid() {
    let mut env = Env::start().await;
    let id = env.invoice("250.5");
    let queued = env.app.request_link(&id, &LinkOptions::default()).unwrap();
    assert_eq!(queued.state, OutboxState::Queued);
    assert_eq!(
        env.app.link_overview(&id).unwrap().pending,
        Some(queued.clone())
    );
    assert_eq!(queued.payload.amount, "250.50");
    assert_eq!(env.app.invoice(&id).unwrap().status, InvoiceStatus::Draft);

    let report = env.send().await;
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (1, 0, 0),
        "{report:?}"
    );

    let links = env.app.links_of(&id).unwrap();
    assert_eq!(links.len(), 1);
    let link = &links[0];
    assert_eq!(link.status, LinkStatus::Live);
    assert_eq!(link.request_ids.len(), 1);
    assert!(link.request_ids[0].starts_with("01") && link.request_ids[0].len() == 66);
    assert_eq!(
        link.secure_payment_url,
        env.sandbox.payment_url(&link.token).as_str()
    );
    let created = DateTime::parse_from_rfc3339(&link.created_at).unwrap();
    let expires = DateTime::parse_from_rfc3339(&link.expires_at).unwrap();
    assert_eq!(expires - created, Duration::days(7));
    assert_eq!(
        (link.amount.as_str(), link.currency.as_str()),
        ("250.50", "FAU-sepolia")
    );
    assert_eq!(env.app.invoice(&id).unwrap().status, InvoiceStatus::Issued);
    assert_eq!(env.app.outbox_list(10).unwrap()[0].state, OutboxState::Done);
    assert_eq!(env.app.link_overview(&id).unwrap().pending, None);

    let png = paydesk_core::qr::png(&link.secure_payment_url).unwrap();
    assert_eq!(decode_qr(&png), link.secure_payment_url);

    let server = env
        .sandbox
        .control()
        .payment(&link.token)
        .expect("the sandbox has it");
    assert_eq!(server.requests[0].request_id, link.request_ids[0]);
    let paid = env.sandbox.control().pay(&link.token).unwrap();
    assert_eq!(paid.state, LinkState::Completed);
}

#[tokio::test]
async fn a_link_locks_the_amounts_until_it_is_voided() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let mut input = paydesk_core::InvoiceInput {
        client_id: env.client_id.clone(),
        currency: "FAU-sepolia".into(),
        issue_date: "2026-11-21".into(),
        payment_terms_days: Some(30),
        lines: vec![paydesk_core::LineItemInput {
            description: "More work".into(),
            quantity: "2".into(),
            unit_price: "100".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let queued_lock = env.app.update_invoice(&id, &input).unwrap_err();
    assert_eq!(queued_lock.code(), ErrorCode::Conflict);
    assert!(
        queued_lock.to_string().contains("void the link first"),
        "{queued_lock}"
    );

    env.send().await;
    let live_lock = env.app.update_invoice(&id, &input).unwrap_err();
    assert!(
        live_lock.to_string().contains("void the link first"),
        "{live_lock}"
    );

    let history = env.app.void_link(&id).unwrap();
    assert_eq!(history[0].status, LinkStatus::Void);
    input.lines[0].quantity = "3".into();
    let edited = env.app.update_invoice(&id, &input).unwrap();
    assert_eq!(edited.totals.total.to_wire(), "300.00");
    let again = env.app.request_link(&id, &LinkOptions::default()).unwrap();
    assert_eq!(again.payload.amount, "300.00");
}

#[tokio::test]
async fn a_second_link_for_the_same_invoice_is_refused() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let queued = env
        .app
        .request_link(&id, &LinkOptions::default())
        .unwrap_err();
    assert!(queued.to_string().contains("already queued"), "{queued}");
    env.send().await;
    let live = env
        .app
        .request_link(&id, &LinkOptions::default())
        .unwrap_err();
    assert!(
        live.to_string().contains("already has a payment link"),
        "{live}"
    );
    assert_eq!(env.app.outbox_list(10).unwrap().len(), 1);
}

#[tokio::test]
async fn voiding_a_queued_link_cancels_it_and_nothing_is_sent() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.app.void_link(&id).unwrap();
    let report = env.send().await;
    assert_eq!(report.sent, 0);
    assert_eq!(
        env.app.outbox_list(10).unwrap()[0].state,
        OutboxState::Cancelled
    );
    assert!(env.sandbox.control().payments().is_empty());
    assert!(env.app.links_of(&id).unwrap().is_empty());
}

#[tokio::test]
async fn an_expired_link_is_reissued_and_kept_in_the_history() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.send().await;
    let not_yet = env
        .app
        .reissue_link(&id, &LinkOptions::default())
        .unwrap_err();
    assert!(not_yet.to_string().contains("still payable"), "{not_yet}");

    env.clock.advance(Duration::days(8));
    assert_eq!(
        env.app.links_of(&id).unwrap()[0].status,
        LinkStatus::Expired
    );
    env.app.reissue_link(&id, &LinkOptions::default()).unwrap();
    assert_eq!(env.send().await.sent, 1);
    let links = env.app.links_of(&id).unwrap();
    let states: Vec<_> = links.iter().map(|l| l.status).collect();
    assert_eq!(states, [LinkStatus::Superseded, LinkStatus::Live]);
    assert_ne!(links[0].token, links[1].token);
}

#[tokio::test]
async fn a_link_the_api_answered_403_for_can_be_reissued() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.send().await;
    let token = env.app.links_of(&id).unwrap()[0].token.clone();
    env.app.mark_link_expired(&token).unwrap();
    env.app.reissue_link(&id, &LinkOptions::default()).unwrap();
    env.send().await;
    let states: Vec<_> = env
        .app
        .links_of(&id)
        .unwrap()
        .iter()
        .map(|l| l.status)
        .collect();
    assert_eq!(states, [LinkStatus::Superseded, LinkStatus::Live]);
}

#[tokio::test]
async fn redirect_defaults_and_overrides_reach_the_request() {
    let mut env = Env::start().await;
    env.app
        .set_payment_settings(&PaymentSettings {
            redirect_url: Some("https://studio.example/thanks".into()),
            redirect_label: Some("Back to the studio".into()),
            ..Default::default()
        })
        .unwrap();
    let a = env.invoice("100");
    let b = env.invoice("100");
    let by_default = env.app.request_link(&a, &LinkOptions::default()).unwrap();
    assert_eq!(
        by_default.payload.redirect_url.as_deref(),
        Some("https://studio.example/thanks")
    );
    assert_eq!(
        by_default.payload.redirect_label.as_deref(),
        Some("Back to the studio")
    );
    let own = env
        .app
        .request_link(
            &b,
            &LinkOptions {
                redirect_url: Some("https://acme.example/paid".into()),
                redirect_label: None,
            },
        )
        .unwrap();
    assert_eq!(own.payload.redirect_label, None);
    assert_eq!(env.send().await.sent, 2);
    let link = &env.app.links_of(&a).unwrap()[0];
    assert_eq!(
        link.redirect_url.as_deref(),
        Some("https://studio.example/thanks")
    );
}

#[tokio::test]
async fn a_fiat_invoice_pays_through_the_legacy_pair() {
    let mut env = Env::start().await;
    let id = env.invoice_in("EUR", "120");
    let refused = env
        .app
        .request_link(&id, &LinkOptions::default())
        .unwrap_err();
    assert_eq!(refused.field(), Some("currency"), "{refused}");
    env.app
        .set_payment_settings(&PaymentSettings {
            payee_address: Some("0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7".into()),
            payment_currency: Some("FAU-sepolia".into()),
            ..Default::default()
        })
        .unwrap();
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let report = env.send().await;
    assert_eq!(report.sent, 1, "{report:?}");
    let link = &env.app.links_of(&id).unwrap()[0];
    assert_eq!(
        (link.amount.as_str(), link.currency.as_str()),
        ("120.00", "EUR")
    );
}

#[tokio::test]
async fn a_destination_id_is_sent_as_typed() {
    let mut env = Env::start().await;
    let destination = env.sandbox.destination_id().unwrap().to_string();
    env.app
        .set_payment_settings(&PaymentSettings {
            destination_id: Some(format!("  {destination} ")),
            ..Default::default()
        })
        .unwrap();
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    assert_eq!(env.send().await.sent, 1);
}

#[tokio::test]
async fn voiding_the_invoice_voids_its_link_and_cancels_a_queued_one() {
    let mut env = Env::start().await;
    let live = env.invoice("100");
    env.app
        .request_link(&live, &LinkOptions::default())
        .unwrap();
    env.send().await;
    let queued = env.invoice("100");
    env.app
        .request_link(&queued, &LinkOptions::default())
        .unwrap();
    env.app.void_invoice(&live).unwrap();
    env.app.void_invoice(&queued).unwrap();
    assert_eq!(env.app.links_of(&live).unwrap()[0].status, LinkStatus::Void);
    assert_eq!(env.app.link_overview(&queued).unwrap().pending, None);
    assert_eq!(env.send().await.sent, 0);
    let e = env
        .app
        .request_link(&live, &LinkOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
}

#[tokio::test]
async fn the_schema_itself_refuses_a_second_live_link_or_pending_intent() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let conn = env.app.store().connection();
    let second_intent = conn.execute(
        "INSERT INTO outbox (id, kind, invoice_id, payload, state, next_attempt_at, created_at,
             updated_at) VALUES ('x', 'create_link', ?1, '{}', 'sending', 'a', 'a', 'a')",
        [&id],
    );
    assert!(second_intent.is_err(), "{second_intent:?}");
    env.send().await;
    let conn = env.app.store().connection();
    let second_live = conn.execute(
        "INSERT INTO payment_links (invoice_id, token, request_ids, secure_payment_url,
             created_at, expires_at, status, amount, currency)
         VALUES (?1, 'other', '[]', 'u', 'a', 'b', 'live', '1', 'FAU-sepolia')",
        [&id],
    );
    assert!(second_live.is_err(), "{second_live:?}");
}
