//! Contractors and payouts against the sandbox: a pinned, checksummed address whose change needs
//! confirmation and flags the next payout; draft -> review -> approve (once) -> one payout link
//! -> paid or expired through the same poller as invoice links; cancel rules; batches.

use std::sync::Arc;

use chrono::Duration;
use paydesk_core::payout_sender::PayoutSender;
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::{ContractorInput, Error, PayoutInput, PayoutSettings, PayoutState};

use crate::Env;

pub(crate) const ALICE: &str = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
pub(crate) const ALICE_SUM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const BOB: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
const WALLET: &str = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB";
const TRON: &str = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8";

pub(crate) fn contractor(
    env: &mut Env,
    name: &str,
    network: &str,
    address: &str,
    currency: &str,
) -> String {
    env.app
        .create_contractor(&ContractorInput {
            name: name.into(),
            email: None,
            network: network.into(),
            address: address.into(),
            default_currency: Some(currency.into()),
        })
        .expect("contractor")
        .id
}

pub(crate) fn draft(env: &mut Env, contractor: &str, amount: &str, currency: &str) -> String {
    env.app
        .create_payout(&PayoutInput {
            contractor_id: contractor.into(),
            amount: amount.into(),
            currency: currency.into(),
            reference: Some("Design sprint".into()),
            memo: None,
            invoice_id: None,
        })
        .expect("draft")
        .id
}

pub(crate) fn wallets(env: &mut Env) {
    env.app
        .set_payout_settings(&PayoutSettings {
            evm_wallet: Some(WALLET.into()),
            tron_wallet: Some("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t".into()),
        })
        .expect("wallets");
}

fn sender(env: &Env) -> PayoutSender {
    env.app.payout_sender().expect("sender")
}

async fn send(env: &Env) -> paydesk_core::outbox::SendReport {
    sender(env)
        .run_once(&env.gateway, env.now())
        .await
        .expect("send payouts")
}

async fn poll(env: &Env) -> paydesk_core::status::poller::TickReport {
    env.clock.advance(Duration::minutes(1));
    env.app
        .poller(Arc::new(RateLimiter::new(1_000)))
        .expect("poller")
        .with_jitter(Box::new(|| 0.5))
        .tick(&env.gateway, env.now())
        .await
        .expect("tick")
}

fn field_of(e: Error) -> String {
    match e {
        Error::Invalid { field, .. } => field,
        Error::Conflict { field, .. } => field.unwrap_or_default(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn contractor_addresses_are_checked_pinned_and_their_changes_recorded() {
    let mut env = Env::start().await;
    let id = contractor(&mut env, "Alice", "sepolia", ALICE, "FAU-sepolia");
    let detail = env.app.contractor(&id).expect("detail");
    assert_eq!(detail.contractor.address, ALICE_SUM, "stored checksummed");
    assert_eq!(detail.history.len(), 1);

    let bad = |network: &str, address: &str| ContractorInput {
        name: "X".into(),
        email: None,
        network: network.into(),
        address: address.into(),
        default_currency: None,
    };
    // One character's case flipped: the EIP-55 checksum catches the typo.
    let typo = ALICE_SUM.replacen("aAeb", "aaEb", 1);
    let e = env.app.create_contractor(&bad("base", &typo)).unwrap_err();
    assert_eq!(field_of(e), "address");
    let e = env.app.create_contractor(&bad("tron", ALICE)).unwrap_err();
    assert_eq!(field_of(e), "address", "an EVM address on Tron");
    let e = env.app.create_contractor(&bad("base", TRON)).unwrap_err();
    assert_eq!(field_of(e), "address", "a Tron address on Base");
    let e = env
        .app
        .create_contractor(&bad("tron", "TJRabPrwbZy45sbavfcjinPJC18kjpRTv9"))
        .unwrap_err();
    assert_eq!(field_of(e), "address", "bad base58check");
    assert_eq!(env.app.list_contractors(None).expect("list").len(), 1);

    // A new address needs confirmation; without it nothing changes.
    let mut input = ContractorInput {
        name: "Alice".into(),
        email: Some("alice@example.com".into()),
        network: "sepolia".into(),
        address: BOB.into(),
        default_currency: Some("FAU-sepolia".into()),
    };
    let e = env.app.update_contractor(&id, &input, false).unwrap_err();
    assert!(
        matches!(&e, Error::Conflict { field: Some(f), .. } if f == "address"),
        "{e:?}"
    );
    let same = env.app.contractor(&id).expect("detail");
    assert_eq!(same.contractor.address, ALICE_SUM);
    assert_eq!(same.contractor.email, None);
    let changed = env
        .app
        .update_contractor(&id, &input, true)
        .expect("confirmed");
    assert_eq!(changed.address, BOB);
    assert!(changed.address_changed_at.is_some());
    let history = env.app.contractor(&id).expect("detail").history;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].old_address.as_deref(), Some(ALICE_SUM));
    assert_eq!(history[1].new_address, BOB);
    // Other fields change without confirmation.
    input.name = "Alice Martin".into();
    assert_eq!(
        env.app
            .update_contractor(&id, &input, false)
            .expect("rename")
            .name,
        "Alice Martin"
    );
}

#[tokio::test]
async fn a_payout_is_reviewed_approved_once_sent_once_and_seen_paid_by_the_poller() {
    let mut env = Env::start().await;
    let alice = contractor(&mut env, "Alice", "sepolia", ALICE, "FAU-sepolia");
    let id = draft(&mut env, &alice, "120.5", "FAU-sepolia");

    // Bad drafts: each names its field and stores nothing.
    for (amount, currency, field) in [
        ("0", "FAU-sepolia", "amount"),
        ("-3", "FAU-sepolia", "amount"),
        ("1.0000000000000000001", "FAU-sepolia", "amount"),
        ("10", "USDC-base", "currency"),
    ] {
        let e = env
            .app
            .create_payout(&PayoutInput {
                contractor_id: alice.clone(),
                amount: amount.into(),
                currency: currency.into(),
                reference: None,
                memo: None,
                invoice_id: None,
            })
            .unwrap_err();
        assert_eq!(field_of(e), field, "{amount} {currency}");
    }
    assert_eq!(env.app.list_payouts(None).expect("list").len(), 1);

    // No creator wallet: the review says so and approval is refused.
    let review = env.app.review_payout(&id).expect("review");
    assert_eq!(review.address, ALICE_SUM);
    assert!(!review.address_changed);
    assert_eq!(review.problems.len(), 1, "{:?}", review.problems);
    let e = env.app.approve_payout(&id, ALICE_SUM).unwrap_err();
    assert_eq!(field_of(e), "creatorWalletAddress");
    assert_eq!(
        env.app.payout(&id).expect("payout").state,
        PayoutState::Draft
    );
    wallets(&mut env);
    assert!(env
        .app
        .review_payout(&id)
        .expect("review")
        .problems
        .is_empty());

    // Approving for an address other than the reviewed one is refused.
    let e = env.app.approve_payout(&id, BOB).unwrap_err();
    assert_eq!(field_of(e), "address");
    let approved = env.app.approve_payout(&id, ALICE_SUM).expect("approve");
    assert_eq!(approved.state, PayoutState::Approved);
    assert_eq!(
        approved.approved_by.as_deref(),
        Some(paydesk_core::Paydesk::actor().as_str())
    );
    // A double click: the second approval is refused, and exactly one link is made.
    let e = env.app.approve_payout(&id, ALICE_SUM).unwrap_err();
    assert_eq!(field_of(e), "state");
    let report = send(&env).await;
    assert_eq!(report.sent, 1);
    assert_eq!(send(&env).await.sent, 0);
    let live = env.app.payout(&id).expect("payout");
    assert_eq!(live.state, PayoutState::Live);
    let link = live.link.clone().expect("link");
    let snapshot = env
        .sandbox
        .control()
        .payment(&link.token)
        .expect("sandbox knows it");
    assert_eq!(snapshot.requests.len(), 1, "one recipient per call");
    assert_eq!(snapshot.requests[0].amount, "120.5");
    assert_eq!(snapshot.reference.as_deref(), Some("Design sprint"));
    assert_eq!(env.sandbox.control().payments().len(), 1);

    // Paid on the sandbox; the poller (shared with invoice links) sees it.
    env.sandbox.control().pay(&link.token).expect("pay");
    let tick = poll(&env).await;
    assert_eq!(tick.payout_changes.len(), 1, "{tick:?}");
    assert_eq!(tick.payout_changes[0].state, PayoutState::Paid);
    let paid = env.app.payout(&id).expect("payout");
    assert_eq!(paid.state, PayoutState::Paid);
    assert!(paid.tx_hash.as_deref().is_some_and(|h| h.starts_with("0x")));
    let actions: Vec<&str> = paid.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["drafted", "approved", "link_created", "paid"]);
    assert_eq!(paid.history[1].detail.as_deref(), Some(ALICE_SUM));
    // Paid is final: cancelling is refused.
    assert_eq!(field_of(env.app.cancel_payout(&id).unwrap_err()), "state");
}

#[tokio::test]
async fn a_changed_address_flags_the_next_payout() {
    let mut env = Env::start().await;
    wallets(&mut env);
    let alice = contractor(&mut env, "Alice", "sepolia", ALICE, "FAU-sepolia");
    let first = draft(&mut env, &alice, "10", "FAU-sepolia");
    env.app.approve_payout(&first, ALICE_SUM).expect("approve");
    send(&env).await;
    env.app
        .update_contractor(
            &alice,
            &ContractorInput {
                name: "Alice".into(),
                email: None,
                network: "sepolia".into(),
                address: BOB.into(),
                default_currency: Some("FAU-sepolia".into()),
            },
            true,
        )
        .expect("new address");
    let second = draft(&mut env, &alice, "20", "FAU-sepolia");
    let review = env.app.review_payout(&second).expect("review");
    assert!(review.address_changed);
    assert_eq!(review.address, BOB);
    assert_eq!(review.previous_address.as_deref(), Some(ALICE_SUM));
    let approved = env.app.approve_payout(&second, BOB).expect("approve");
    assert!(approved.address_changed);
    assert!(approved
        .history
        .iter()
        .any(|e| e.action == "address_flagged"
            && e.detail.as_deref() == Some(&format!("changed from {ALICE_SUM}")[..])));
    let summary = env
        .app
        .list_payouts(Some(PayoutState::Approved))
        .expect("list");
    assert_eq!(summary.len(), 1);
    assert!(summary[0].address_changed);
}

#[tokio::test]
async fn cancelling_works_until_the_link_is_opened_and_expiry_is_tracked() {
    let mut env = Env::start().await;
    wallets(&mut env);
    let alice = contractor(&mut env, "Alice", "sepolia", ALICE, "FAU-sepolia");

    // Approved, not yet sent: cancelled, and the sender sends nothing.
    let a = draft(&mut env, &alice, "1", "FAU-sepolia");
    env.app.approve_payout(&a, ALICE_SUM).expect("approve");
    assert_eq!(
        env.app.cancel_payout(&a).expect("cancel").state,
        PayoutState::Cancelled
    );
    assert_eq!(
        field_of(env.app.approve_payout(&a, ALICE_SUM).unwrap_err()),
        "state"
    );
    assert_eq!(send(&env).await.sent, 0);
    assert!(env.sandbox.control().payments().is_empty());

    // Live, never opened: cancelled, its link voided (not polled).
    let b = draft(&mut env, &alice, "2", "FAU-sepolia");
    env.app.approve_payout(&b, ALICE_SUM).expect("approve");
    send(&env).await;
    let cancelled = env.app.cancel_payout(&b).expect("cancel");
    assert_eq!(cancelled.link.expect("link").status, "void");

    // Live and opened for signing: refused.
    let c = draft(&mut env, &alice, "3", "FAU-sepolia");
    env.app.approve_payout(&c, ALICE_SUM).expect("approve");
    send(&env).await;
    let opened = env.app.open_payout_link(&c).expect("open");
    assert!(opened.url.contains(&opened.token));
    assert_eq!(field_of(env.app.cancel_payout(&c).unwrap_err()), "state");
    let history = env.app.payout(&c).expect("payout").history;
    assert_eq!(history.last().map(|e| e.action.as_str()), Some("opened"));

    // It expires unpaid: the poller marks it expired.
    env.sandbox.control().expire(&opened.token).expect("expire");
    let tick = poll(&env).await;
    assert!(tick
        .payout_changes
        .iter()
        .any(|p| p.id == c && p.state == PayoutState::Expired));
    assert_eq!(
        env.app.payout(&c).expect("payout").state,
        PayoutState::Expired
    );
}

#[tokio::test]
async fn live_evm_payouts_on_one_network_combine_into_a_batch_paid_together() {
    let mut env = Env::start().await;
    wallets(&mut env);
    let alice = contractor(&mut env, "Alice", "sepolia", ALICE, "FAU-sepolia");
    let bob = contractor(&mut env, "Bob", "sepolia", BOB, "FAU-sepolia");
    let tron = contractor(&mut env, "Tao", "tron", TRON, "USDT-tron");
    let mut ids = Vec::new();
    for (who, address, amount, currency) in [
        (&alice, ALICE_SUM, "10", "FAU-sepolia"),
        (&bob, BOB, "5.25", "FAU-sepolia"),
        (&tron, TRON, "7", "USDT-tron"),
    ] {
        let id = draft(&mut env, who, amount, currency);
        env.app.approve_payout(&id, address).expect("approve");
        ids.push(id);
    }
    assert_eq!(
        send(&env).await.sent,
        3,
        "the Tron payout is a single link too"
    );

    // Refused: one payout, a Tron payout, a draft.
    let e = env.app.batch_payouts(&ids[..1]).unwrap_err();
    assert_eq!(field_of(e), "ids");
    let e = env
        .app
        .batch_payouts(&[ids[0].clone(), ids[2].clone()])
        .unwrap_err();
    assert_eq!(field_of(e), "ids");
    assert!(e_message(&env.app.batch_payouts(&[ids[0].clone(), ids[2].clone()])).contains("Tron"));

    let batch = env.app.batch_payouts(&ids[..2]).expect("batch");
    assert_eq!(batch.payout_ids.len(), 2);
    assert_eq!(batch.state, PayoutState::Approved);
    assert_eq!(send(&env).await.sent, 1);
    let batch = env.app.store().batch(&batch.id).expect("batch");
    assert_eq!(batch.state, PayoutState::Live);
    let link = batch.link.expect("batch link");
    for id in &ids[..2] {
        let p = env.app.payout(id).expect("child");
        assert_eq!(p.state, PayoutState::Batched);
        assert_eq!(
            p.link.as_ref().map(|l| l.token.as_str()),
            Some(link.token.as_str())
        );
    }
    env.sandbox
        .control()
        .pay(&link.token)
        .expect("pay the batch");
    let tick = poll(&env).await;
    let paid: Vec<_> = tick
        .payout_changes
        .iter()
        .filter(|c| c.state == PayoutState::Paid)
        .collect();
    assert_eq!(paid.len(), 2, "{tick:?}");
    for id in &ids[..2] {
        assert_eq!(env.app.payout(id).expect("child").state, PayoutState::Paid);
    }
    assert_eq!(
        env.app.payout(&ids[2]).expect("tron").state,
        PayoutState::Live
    );
}

fn e_message<T: std::fmt::Debug>(r: &paydesk_core::Result<T>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_windows_approving_at_once_make_exactly_one_link() {
    let mut env = Env::start().await;
    wallets(&mut env);
    let alice = contractor(&mut env, "Alice", "sepolia", ALICE, "FAU-sepolia");
    let id = draft(&mut env, &alice, "42", "FAU-sepolia");
    // Two connections (the app and the CLI, or two clicks) approve at the same moment.
    let dir = env.dir.path().to_path_buf();
    let secrets = env.secrets.clone();
    let clock = env.clock.clone();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (dir, secrets, id) = (dir.clone(), secrets.clone(), id.clone());
                let clock = clock.clone();
                s.spawn(move || {
                    let mut app =
                        paydesk_core::Paydesk::open_with_clock(&dir, secrets, clock).expect("open");
                    app.approve_payout(&id, ALICE_SUM).map(|p| p.state)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(send(&env).await.sent + send(&env).await.sent, 1);
    assert_eq!(env.sandbox.control().payments().len(), 1);
    let approvals = env
        .app
        .payout(&id)
        .expect("payout")
        .history
        .iter()
        .filter(|e| e.action == "approved")
        .count();
    assert_eq!(approvals, 1);
}
