//! Where an invoice's link stands ([`paydesk_core::LinkOverview`]), the one reading the app and
//! the CLI show: every phase, the message that goes with it and the amount lock, which must
//! agree with what `update_invoice` enforces.

use chrono::Duration;
use paydesk_core::{ErrorCode, LinkOptions, LinkPhase, LinkStatus};

use crate::Env;

/// Whether the engine lets the invoice's amounts change (the lock as enforced).
fn amounts_editable(env: &mut Env, id: &str) -> bool {
    let invoice = env.app.invoice(id).unwrap();
    let input = paydesk_core::InvoiceInput {
        client_id: invoice.client_id.clone(),
        currency: invoice.currency.clone(),
        issue_date: invoice.issue_date.clone(),
        payment_terms_days: Some(30),
        lines: vec![paydesk_core::LineItemInput {
            description: "Design".into(),
            quantity: "1".into(),
            unit_price: "99".into(),
            tax_rate: "0".into(),
            discount: "0".into(),
        }],
        ..Default::default()
    };
    match env.app.update_invoice(id, &input) {
        Ok(_) => true,
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
            false
        }
    }
}

#[tokio::test]
async fn every_phase_of_a_link_is_read_with_its_lock() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    let none = env.app.link_overview(&id).unwrap();
    assert_eq!((none.phase, none.locked), (LinkPhase::None, false));
    assert!(none.current.is_none() && none.history.is_empty() && none.message.is_none());

    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let queued = env.app.link_overview(&id).unwrap();
    assert_eq!((queued.phase, queued.locked), (LinkPhase::Queued, true));
    assert_eq!(queued.message.as_deref(), Some("not sent yet"));
    assert!(queued.pending.is_some());

    env.send().await;
    let live = env.app.link_overview(&id).unwrap();
    assert_eq!((live.phase, live.locked), (LinkPhase::Live, true));
    let token = live.current.as_ref().expect("the live link").token.clone();
    assert!(live.pending.is_none());

    // Past its expiry the link shows expired, but it stays stored live (it may have been paid
    // just before): the amounts stay locked, as `update_invoice` enforces, until it is ended.
    env.clock.advance(Duration::days(8));
    let expired = env.app.link_overview(&id).unwrap();
    assert_eq!(expired.phase, LinkPhase::Expired);
    assert_eq!(
        expired.current.as_ref().map(|l| l.status),
        Some(LinkStatus::Expired)
    );
    assert_eq!(expired.history[0].token, token);
    assert!(expired.locked);
    assert!(!amounts_editable(&mut env, &id));

    // A re-issue is queued (not "expired"), then live; the old link is in the history.
    env.app.reissue_link(&id, &LinkOptions::default()).unwrap();
    assert_eq!(env.app.link_overview(&id).unwrap().phase, LinkPhase::Queued);
    env.send().await;
    let reissued = env.app.link_overview(&id).unwrap();
    assert_eq!(reissued.phase, LinkPhase::Live);
    assert_ne!(reissued.current.unwrap().token, token);
    assert_eq!(reissued.history.len(), 2);

    // Voided: no link, nothing locked, and the engine agrees.
    env.app.void_link(&id).unwrap();
    let voided = env.app.link_overview(&id).unwrap();
    assert_eq!((voided.phase, voided.locked), (LinkPhase::None, false));
    assert!(amounts_editable(&mut env, &id));
}

#[tokio::test]
async fn a_request_refused_for_good_reads_failed_with_the_api_message_until_retried() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let report = env.send_with_wrong_key().await;
    assert_eq!(report.failed, 1, "{report:?}");

    let failed = env.app.link_overview(&id).unwrap();
    assert_eq!((failed.phase, failed.locked), (LinkPhase::Failed, false));
    let message = failed.message.expect("the API's message");
    assert!(message.contains("unauthorized"), "{message}");
    assert!(amounts_editable(&mut env, &id));

    let row = env.app.outbox_list(1).unwrap().remove(0);
    env.app.outbox_retry(&row.id).unwrap();
    assert_eq!(env.app.link_overview(&id).unwrap().phase, LinkPhase::Queued);
    env.send().await;
    assert_eq!(env.app.link_overview(&id).unwrap().phase, LinkPhase::Live);
}

#[tokio::test]
async fn only_the_newest_link_counts_and_a_refused_reissue_reads_failed() {
    let mut env = Env::start().await;
    let id = env.invoice("100");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.send().await;
    let first = env.app.link_overview(&id).unwrap().current.unwrap().token;

    // The API answered 403 for it: stored expired, so nothing is locked any more.
    env.app.mark_link_expired(&first).unwrap();
    let expired = env.app.link_overview(&id).unwrap();
    assert_eq!((expired.phase, expired.locked), (LinkPhase::Expired, false));
    assert!(amounts_editable(&mut env, &id));

    // A re-issue the API refuses for good reads failed, not the old expired link.
    env.app.reissue_link(&id, &LinkOptions::default()).unwrap();
    assert_eq!(env.send_with_wrong_key().await.failed, 1);
    let refused = env.app.link_overview(&id).unwrap();
    assert_eq!(refused.phase, LinkPhase::Failed, "{refused:?}");
    assert!(refused.current.is_none());

    // A new link, then voided: the old expired link says nothing any more.
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.send().await;
    assert_eq!(env.app.link_overview(&id).unwrap().phase, LinkPhase::Live);
    env.app.void_link(&id).unwrap();
    let voided = env.app.link_overview(&id).unwrap();
    assert_eq!((voided.phase, voided.current), (LinkPhase::None, None));
    assert_eq!(
        voided.history.first().map(|l| l.token.as_str()),
        Some(first.as_str())
    );
}

#[tokio::test]
async fn an_unknown_invoice_is_not_found() {
    let mut env = Env::start().await;
    let e = env.app.link_overview("no-such-invoice").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
}
