//! Paid status against the sandbox: the poller reads what the payer did, moves invoices
//! forward only, logs every answer, and copes with every failure of the API and the network.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::status::poller::Poller;
use paydesk_core::status::{Observation, PayState, Source};
use paydesk_core::{InvoiceStatus, LinkOptions};
use paydesk_sandbox::Faults;
use rust_decimal::Decimal;

use crate::{gateway, Env};

/// An invoice at `price` with a live link; its token.
async fn live(env: &mut Env, price: &str) -> (String, String) {
    let id = env.invoice(price);
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    assert_eq!(env.send().await.sent, 1);
    let token = env.app.links_of(&id).unwrap()[0].token.clone();
    (id, token)
}

fn poller(env: &Env) -> Poller {
    env.app
        .poller(Arc::new(RateLimiter::new(1_000)))
        .unwrap()
        .with_jitter(Box::new(|| 0.5))
}

/// Move the engine's clock past the next poll and tick once.
async fn tick(env: &Env, p: &mut Poller) -> paydesk_core::status::poller::TickReport {
    env.clock.advance(Duration::minutes(1));
    p.tick(&env.gateway, env.now()).await.unwrap()
}

#[tokio::test]
async fn paid_in_full_is_seen_logged_and_never_polled_again() {
    let mut env = Env::start().await;
    let (id, token) = live(&mut env, "100").await;
    let mut p = poller(&env);
    let open = tick(&env, &mut p).await;
    assert_eq!((open.polled, open.answered), (1, 1));
    assert!(open.changes.is_empty());
    let status = env.app.payment_status(&id).unwrap();
    assert_eq!(status.pay_state, PayState::Open);
    assert!(status.verified_at.is_some());
    assert!(status.next_check_at.is_some());

    let paid = env.sandbox.control().pay(&token).unwrap();
    let report = tick(&env, &mut p).await;
    assert_eq!(report.changes.len(), 1);
    assert_eq!(report.changes[0].status, InvoiceStatus::Paid);
    let status = env.app.payment_status(&id).unwrap();
    assert_eq!(status.invoice_status, InvoiceStatus::Paid);
    assert_eq!(status.pay_state, PayState::Paid);
    assert_eq!(status.tx_hash, paid.requests[0].tx_hash);
    assert_eq!(status.next_check_at, None);
    assert_eq!(status.events[0].observed, "paid");
    assert!(status.events[0].applied);
    assert_eq!(status.events[0].source, "poll");
    assert_eq!(status.events.len(), 2);

    // Paid links are never polled again, however much time passes.
    env.clock.advance(Duration::days(30));
    let idle = p.tick(&env.gateway, env.now()).await.unwrap();
    assert_eq!(idle.polled, 0);

    // A late, stale "open" answer is logged as not applied and changes nothing.
    let now = env.now();
    let stale = env
        .app
        .store()
        .apply_observation(
            &token,
            Source::Poll,
            &Observation::Open {
                paid: None,
                left: None,
            },
            now,
            0.5,
        )
        .unwrap();
    assert_eq!(stale, None);
    let status = env.app.payment_status(&id).unwrap();
    assert_eq!(status.invoice_status, InvoiceStatus::Paid);
    assert!(!status.events[0].applied);
}

#[tokio::test]
async fn partial_payments_show_paid_and_left_then_paid() {
    let mut env = Env::start().await;
    let (id, token) = live(&mut env, "100").await;
    let mut p = poller(&env);
    env.sandbox
        .control()
        .pay_part(&token, Decimal::new(40, 0))
        .unwrap();
    let report = tick(&env, &mut p).await;
    assert_eq!(report.changes[0].status, InvoiceStatus::PartiallyPaid);
    let status = env.app.payment_status(&id).unwrap();
    assert_eq!(status.invoice_status, InvoiceStatus::PartiallyPaid);
    assert_eq!(status.amount_paid.as_deref(), Some("40.00"));
    assert_eq!(status.amount_left.as_deref(), Some("60.00"));
    assert_eq!(
        status.events[0].detail.as_deref(),
        Some("paid 40.00 FAU-sepolia, 60.00 FAU-sepolia left")
    );

    env.sandbox
        .control()
        .pay_part(&token, Decimal::new(60, 0))
        .unwrap();
    let report = tick(&env, &mut p).await;
    assert_eq!(report.changes[0].status, InvoiceStatus::Paid);
    assert_eq!(
        env.app.invoice(&id).unwrap().status,
        InvoiceStatus::Paid,
        "fully paid after two parts"
    );
}

#[tokio::test]
async fn processing_then_paid_and_expiry_then_reissue() {
    let mut env = Env::start().await;
    let (a, token_a) = live(&mut env, "10").await;
    let (b, token_b) = live(&mut env, "20").await;
    let mut p = poller(&env);
    env.sandbox.control().processing(&token_a).unwrap();
    env.sandbox.control().expire(&token_b).unwrap();
    tick(&env, &mut p).await;
    assert_eq!(
        env.app.payment_status(&a).unwrap().pay_state,
        PayState::Processing
    );
    let expired = env.app.payment_status(&b).unwrap();
    assert_eq!(expired.invoice_status, InvoiceStatus::Expired);
    assert_eq!(expired.pay_state, PayState::Expired);
    assert_eq!(
        expired.next_check_at, None,
        "expired and confirmed: no more polls"
    );

    env.sandbox.control().pay(&token_a).unwrap();
    tick(&env, &mut p).await;
    assert_eq!(env.app.invoice(&a).unwrap().status, InvoiceStatus::Paid);

    // A late "completed" for the expired link (paid just before expiry, seen late): the money
    // counts, the invoice is paid.
    let now = env.now();
    let late = env
        .app
        .store()
        .apply_observation(
            &token_b,
            Source::Webhook,
            &Observation::Paid { tx_hash: None },
            now,
            0.5,
        )
        .unwrap();
    assert_eq!(late.map(|c| c.status), Some(InvoiceStatus::Paid));
    // Back to the re-issue path with a fresh expired invoice.
    let (b, token_b) = live(&mut env, "30").await;
    env.sandbox.control().expire(&token_b).unwrap();
    tick(&env, &mut p).await;
    assert_eq!(env.app.invoice(&b).unwrap().status, InvoiceStatus::Expired);

    // Re-issue the expired one: a fresh link, polled again, the invoice issued again.
    env.app.reissue_link(&b, &LinkOptions::default()).unwrap();
    assert_eq!(env.send().await.sent, 1);
    assert_eq!(env.app.invoice(&b).unwrap().status, InvoiceStatus::Issued);
    let fresh = env.app.payment_status(&b).unwrap();
    assert_eq!(fresh.pay_state, PayState::Open);
    assert!(fresh.next_check_at.is_some());
    let report = tick(&env, &mut p).await;
    assert_eq!(report.polled, 1, "only the re-issued link is still polled");
}

#[tokio::test]
async fn unknown_tokens_change_nothing_and_closed_app_catches_up() {
    let mut env = Env::start().await;
    let (a, token_a) = live(&mut env, "10").await;
    // The app is closed: the payer pays meanwhile. A fresh poller (a restart) catches up.
    env.sandbox.control().pay(&token_a).unwrap();
    env.clock.advance(Duration::hours(5));
    let mut restarted = poller(&env);
    let report = restarted.tick(&env.gateway, env.now()).await.unwrap();
    assert_eq!(report.changes.len(), 1);
    assert_eq!(env.app.invoice(&a).unwrap().status, InvoiceStatus::Paid);

    // A token the API does not know (the sandbox forgot everything): logged, nothing changes.
    let (b, _) = live(&mut env, "20").await;
    env.sandbox.control().reset();
    tick(&env, &mut restarted).await;
    let status = env.app.payment_status(&b).unwrap();
    assert_eq!(status.invoice_status, InvoiceStatus::Issued);
    assert_eq!(status.events[0].observed, "unknown");
    assert!(!status.events[0].applied);
}

#[tokio::test]
async fn api_failures_leave_status_alone_and_offline_catches_up_later() {
    let mut env = Env::start().await;
    let (id, token) = live(&mut env, "10").await;
    env.sandbox.control().pay(&token).unwrap();

    // 401: the credentials are wrong. Status unchanged, the reason kept.
    let mut p = poller(&env);
    let bad = gateway(&env.sandbox, "rn_wrong_key", StdDuration::from_secs(5));
    env.clock.advance(Duration::minutes(1));
    let r = p.tick(&bad, env.now()).await.unwrap();
    assert_eq!(r.failed, 1);
    assert_eq!(env.app.invoice(&id).unwrap().status, InvoiceStatus::Issued);
    let sync = p.status(env.now()).unwrap();
    assert!(sync.last_error.unwrap().contains("API key"));
    assert!(env.app.payment_status(&id).unwrap().last_error.is_some());

    // 5xx: tried again 30 s later.
    env.sandbox.control().set_faults(Faults {
        server_error_share: 1.0,
        ..Default::default()
    });
    env.clock.advance(Duration::minutes(10));
    let r = p.tick(&env.gateway, env.now()).await.unwrap();
    assert_eq!((r.failed, r.offline), (1, false));
    assert_eq!(env.app.invoice(&id).unwrap().status, InvoiceStatus::Issued);

    // Timeouts: offline, probes back off, nothing is lost.
    env.sandbox.control().set_faults(Faults {
        latency_ms: 800,
        ..Default::default()
    });
    let slow = gateway(
        &env.sandbox,
        env.sandbox.api_key(),
        StdDuration::from_millis(200),
    );
    env.clock.advance(Duration::minutes(1));
    let r = p.tick(&slow, env.now()).await.unwrap();
    assert!(r.offline);
    assert!(!p.status(env.now()).unwrap().online);
    let held = p.tick(&slow, env.now()).await.unwrap();
    assert_eq!(held.polled, 0, "no probe before the backoff ends");

    // The network returns: caught up on the next probe.
    env.sandbox.control().set_faults(Faults::default());
    env.clock.advance(Duration::seconds(6));
    let r = p.tick(&env.gateway, env.now()).await.unwrap();
    assert!(!r.offline);
    assert_eq!(r.changes.len(), 1);
    assert_eq!(env.app.invoice(&id).unwrap().status, InvoiceStatus::Paid);
}

#[tokio::test]
async fn rate_limited_polls_stay_under_the_limit_and_all_get_answered() {
    let mut env = Env::start_with(|c| c.rate_limit_per_sec = 5).await;
    let mut tokens = Vec::new();
    for i in 0..12 {
        // The outbox is paced by the same limiter in the app; here links are sent one by one
        // slowly enough for the sandbox's 5/s.
        let (id, token) = live(&mut env, &format!("{}", i + 1)).await;
        tokens.push((id, token));
        tokio::time::sleep(StdDuration::from_millis(210)).await;
    }
    for (_, token) in &tokens {
        env.sandbox.control().pay(token).unwrap();
    }
    let limiter = Arc::new(RateLimiter::new(5));
    let gw = env.gateway.clone().with_limiter(limiter.clone());
    let mut p = env.app.poller(limiter.clone()).unwrap();
    env.clock.advance(Duration::minutes(1));
    let r = p.tick(&gw, env.now()).await.unwrap();
    assert_eq!((r.polled, r.answered, r.failed), (12, 12, 0), "{r:?}");
    for (id, _) in &tokens {
        assert_eq!(env.app.invoice(id).unwrap().status, InvoiceStatus::Paid);
    }
}

#[tokio::test]
async fn a_429_pauses_every_poll_for_its_retry_after_and_nothing_is_lost() {
    let mut env = Env::start().await;
    let mut tokens = Vec::new();
    for i in 0..6 {
        let (id, token) = live(&mut env, &format!("{}", i + 1)).await;
        env.sandbox.control().pay(&token).unwrap();
        tokens.push(id);
    }
    // The server allows 2 calls/s but the app believes 50/s: the server answers 429.
    env.sandbox.control().set_rate_limit(2);
    let limiter = Arc::new(RateLimiter::new(50));
    let gw = env.gateway.clone().with_limiter(limiter.clone());
    let mut p = env.app.poller(limiter.clone()).unwrap();
    env.clock.advance(Duration::minutes(1));
    let first = p.tick(&gw, env.now()).await.unwrap();
    assert!(
        first.failed > 0,
        "the server should have refused some: {first:?}"
    );
    assert!(first.answered >= 2, "{first:?}");
    // Refused polls stay due; later ticks (after the pause) answer them all.
    let deadline = std::time::Instant::now() + crate::DEADLINE;
    while tokens
        .iter()
        .any(|id| env.app.invoice(id).unwrap().status != InvoiceStatus::Paid)
    {
        assert!(std::time::Instant::now() < deadline, "not all answered");
        p.tick(&gw, env.now()).await.unwrap();
    }
    assert!(env
        .app
        .payment_status(&tokens[0])
        .unwrap()
        .last_error
        .is_none());
}
