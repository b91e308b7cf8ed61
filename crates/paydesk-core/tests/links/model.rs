//! Model-based test of paid status: random histories of payer actions (pay, pay a part, a Safe
//! payment in flight, a failed attempt, expiry), API faults (5xx, lost answers), offline periods
//! (a gateway to a closed port) and time passing, with the poller ticking in between.
//!
//! After every tick: no invoice is shown paid unless the sandbox says its link is completed, and
//! no partial amount is above what the sandbox has received. At the end (faults off, online,
//! every open link checked): every link's state equals the sandbox's truth.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use paydesk_core::status::limiter::RateLimiter;
use paydesk_core::status::PayState;
use paydesk_core::{InvoiceStatus, LinkOptions};
use paydesk_sandbox::{Faults, LinkState};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use crate::{gateway, Env};

const HISTORIES: u64 = 12;
const STEPS: usize = 40;
const LINKS: usize = 4;

fn check_never_ahead(env: &mut Env, links: &[(String, String)], history: u64, step: usize) {
    let control = env.sandbox.control();
    for (id, token) in links {
        let truth = control.payment(token).expect("sandbox knows the link");
        let shown = env.app.payment_status(id).unwrap();
        if shown.invoice_status == InvoiceStatus::Paid || shown.pay_state == PayState::Paid {
            assert_eq!(
                truth.state,
                LinkState::Completed,
                "history {history} step {step}: {id} shown paid while the sandbox says {:?}",
                truth.state
            );
        }
        if let Some(paid) = &shown.amount_paid {
            let shown: Decimal = paid.parse().unwrap();
            let received: Decimal = truth.requests[0].paid.parse().unwrap();
            assert!(
                shown <= received,
                "history {history} step {step}: shown {shown} paid, sandbox received {received}"
            );
        }
    }
}

#[tokio::test]
async fn random_histories_end_at_the_sandbox_truth_and_never_run_ahead_of_it() {
    for history in 0..HISTORIES {
        let mut rng = StdRng::seed_from_u64(0x5eed_0000 + history);
        let mut env = Env::start().await;
        let mut links = Vec::new();
        for i in 0..LINKS {
            let id = env.invoice(&format!("{}0", i + 1));
            env.app.request_link(&id, &LinkOptions::default()).unwrap();
            assert_eq!(env.send().await.sent, 1);
            let token = env.app.links_of(&id).unwrap()[0].token.clone();
            links.push((id, token));
        }
        let limiter = Arc::new(RateLimiter::new(1_000));
        let mut poller = env
            .app
            .poller(limiter)
            .unwrap()
            .with_jitter(Box::new(|| 0.5));
        let online = gateway(
            &env.sandbox,
            env.sandbox.api_key(),
            StdDuration::from_secs(2),
        );
        // A gateway to a port nothing listens on: the network is down.
        let down = {
            let base = url::Url::parse("http://127.0.0.1:9/").unwrap();
            let config = paydesk_request::ClientConfig::custom(
                base.clone(),
                base,
                paydesk_request::Credentials::api_key("rn_test_offline"),
            )
            .with_timeout(StdDuration::from_secs(2));
            paydesk_core::outbox::RequestGateway::new(
                paydesk_request::RequestClient::new(config).unwrap(),
            )
        };
        let mut is_offline = false;
        let control = env.sandbox.control();
        for step in 0..STEPS {
            let (_, token) = &links[rng.random_range(0..LINKS)];
            match rng.random_range(0..10) {
                0 | 1 => {
                    let _ = control.pay(token);
                }
                2 | 3 => {
                    let part = Decimal::new(rng.random_range(1..8), 0);
                    let _ = control.pay_part(token, part);
                }
                4 => {
                    let _ = control.processing(token);
                }
                5 => {
                    let _ = control.fail(token);
                }
                6 if rng.random_bool(0.3) => {
                    let _ = control.expire(token);
                }
                7 => control.set_faults(Faults {
                    server_error_share: rng.random_range(0.0..0.6),
                    lost_response_share: rng.random_range(0.0..0.3),
                    ..Default::default()
                }),
                8 => is_offline = !is_offline,
                _ => control.set_faults(Faults::default()),
            }
            env.clock
                .advance(Duration::seconds(rng.random_range(5..1_800)));
            let gw = if is_offline { &down } else { &online };
            poller.tick(gw, env.now()).await.unwrap();
            check_never_ahead(&mut env, &links, history, step);
        }

        // Back online, no faults: check every link and compare with the truth.
        control.set_faults(Faults::default());
        for (id, _) in &links {
            poller.check_now(&online, id, env.now()).await.unwrap().ok();
        }
        for (id, token) in &links {
            let truth = control.payment(token).unwrap();
            let shown = env.app.payment_status(id).unwrap();
            let expected = match truth.state {
                LinkState::Completed => PayState::Paid,
                LinkState::Expired | LinkState::Invalidated => PayState::Expired,
                LinkState::Processing => PayState::Processing,
                LinkState::Pending => {
                    let received: Decimal = truth.requests[0].paid.parse().unwrap();
                    if received > Decimal::ZERO {
                        PayState::PartiallyPaid
                    } else {
                        PayState::Open
                    }
                }
            };
            // An expired link that had been paid in part before expiring shows expired; one the
            // poller saw expire while processing shows expired too: both match the truth.
            assert_eq!(
                shown.pay_state, expected,
                "history {history}: {id} ended {:?}, sandbox {:?} ({} paid)",
                shown.pay_state, truth.state, truth.requests[0].paid
            );
            if expected == PayState::PartiallyPaid {
                let received: Decimal = truth.requests[0].paid.parse().unwrap();
                let shown_paid: Decimal = shown.amount_paid.unwrap().parse().unwrap();
                assert_eq!(shown_paid, received, "history {history}: {id}");
            }
        }
    }
}
