//! Crash test: 200 links under a 30% 5xx rate, with the sender "killed" (its engine and outbox
//! dropped, the data folder reopened) at random points: after claiming rows, and after the API
//! created links whose answers were never stored. At the end every invoice has exactly one live
//! link.

use std::collections::HashMap;

use chrono::Duration;
use paydesk_core::outbox::{Backoff, Delivery, LinkGateway};
use paydesk_core::{LinkOptions, LinkStatus, OutboxState, Paydesk};
use paydesk_sandbox::Faults;

use crate::{Env, DEADLINE};

/// xorshift64*: a fixed-seed random sequence, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[tokio::test]
async fn every_invoice_has_exactly_one_live_link_after_random_crashes() {
    let mut env = Env::start_with(|c| {
        c.faults = Faults {
            server_error_share: 0.3,
            ..Default::default()
        }
    })
    .await;
    let ids: Vec<_> = (0..200)
        .map(|i| env.invoice(&format!("{}.25", i + 1)))
        .collect();
    for id in &ids {
        env.app.request_link(id, &LinkOptions::default()).unwrap();
    }
    let dir = env.dir.path().to_path_buf();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut crashes_after_claim, mut crashes_after_send) = (0, 0);
    let deadline = std::time::Instant::now() + DEADLINE * 4;
    loop {
        // Restart: a fresh engine and sender on the same data folder.
        let mut app =
            Paydesk::open_with_clock(&dir, env.secrets.clone(), env.clock.clone()).unwrap();
        let pending = pending(&mut app);
        if pending == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{pending} links still pending"
        );
        let seed = rng.next();
        let mut outbox = app.outbox().unwrap().with_backoff(
            Backoff::default(),
            Box::new(move || (seed % 1000) as f64 / 1000.0),
        );
        outbox.batch = 40;
        let now = env.now();
        match rng.next() % 4 {
            0 => {
                // Killed right after marking rows `sending`.
                outbox.claim_due(now).unwrap();
                crashes_after_claim += 1;
            }
            1 => {
                // Killed after the API created some links, before any answer was stored.
                let claims = outbox.claim_due(now).unwrap();
                let cut = (rng.next() as usize) % (claims.len() + 1);
                for claim in &claims[..cut] {
                    let _ = env.gateway.create_link(&claim.payload).await;
                }
                crashes_after_send += 1;
            }
            _ => {
                outbox.run_once(&env.gateway, now).await.unwrap();
            }
        }
        drop(outbox);
        drop(app);
        // Past the claim lease (2 min) and any backoff these few attempts reach.
        env.clock.advance(Duration::minutes(20));
    }
    assert!(crashes_after_claim > 0 && crashes_after_send > 0);

    let mut app = Paydesk::open_with_clock(&dir, env.secrets.clone(), env.clock.clone()).unwrap();
    for id in &ids {
        let links = app.links_of(id).unwrap();
        let live = links
            .iter()
            .filter(|l| l.status == LinkStatus::Live)
            .count();
        assert_eq!((links.len(), live), (1, 1), "invoice {id}: {links:?}");
        assert!(env.sandbox.control().payment(&links[0].token).is_some());
    }
    let mut done: HashMap<String, usize> = HashMap::new();
    for row in app.outbox_list(1000).unwrap() {
        assert_eq!(row.state, OutboxState::Done, "{row:?}");
        *done.entry(row.invoice_id).or_default() += 1;
    }
    assert!(done.values().all(|&n| n == 1) && done.len() == 200);
    // The server holds orphans (created, never stored, never shown), which simply expire.
    assert!(env.sandbox.control().payments().len() >= 200);
}

fn pending(app: &mut Paydesk) -> usize {
    app.outbox_list(1000)
        .unwrap()
        .iter()
        .filter(|r| matches!(r.state, OutboxState::Queued | OutboxState::Sending))
        .count()
}

#[tokio::test]
async fn an_answer_for_a_stale_claim_is_never_stored() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let mut slow = env.outbox();
    let first = slow.claim_due(env.now()).unwrap().remove(0);
    // The first sender stalls past its lease; a second one takes the row over.
    env.clock.advance(Duration::minutes(3));
    let mut other = env.outbox();
    let second = other.claim_due(env.now()).unwrap().remove(0);
    assert_eq!((first.attempt, second.attempt), (1, 2));
    let late = slow.deliver(&env.gateway, &first, env.now()).await.unwrap();
    assert_eq!(late, Delivery::Discarded);
    assert!(env.app.links_of(&id).unwrap().is_empty());
    let fresh = other
        .deliver(&env.gateway, &second, env.now())
        .await
        .unwrap();
    assert_eq!(fresh, Delivery::Sent);
    assert_eq!(env.app.links_of(&id).unwrap().len(), 1);
}

#[tokio::test]
async fn a_link_voided_while_it_is_being_sent_is_discarded() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    let mut outbox = env.outbox();
    let claim = outbox.claim_due(env.now()).unwrap().remove(0);
    env.app.void_link(&id).unwrap();
    let outcome = outbox
        .deliver(&env.gateway, &claim, env.now())
        .await
        .unwrap();
    assert_eq!(outcome, Delivery::Discarded);
    assert!(env.app.links_of(&id).unwrap().is_empty());
    assert_eq!(
        env.app.outbox_list(5).unwrap()[0].state,
        OutboxState::Cancelled
    );
}

#[tokio::test]
async fn a_row_left_sending_by_a_crash_waits_for_its_lease_then_is_sent_once() {
    let mut env = Env::start().await;
    let id = env.invoice("10");
    env.app.request_link(&id, &LinkOptions::default()).unwrap();
    env.outbox().claim_due(env.now()).unwrap(); // and the process dies
    let now = env.now();
    assert!(
        env.outbox().claim_due(now).unwrap().is_empty(),
        "still leased"
    );
    env.clock.advance(Duration::minutes(2));
    assert_eq!(env.send().await.sent, 1);
    assert_eq!(env.app.outbox_list(5).unwrap()[0].attempts, 2);
}
