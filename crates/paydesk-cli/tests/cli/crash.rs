//! Crash test of the link outbox with real processes: 200 invoices get a queued payment link,
//! then `paydesk outbox send --until-empty` runs as a child process and is SIGKILLed at random
//! moments, again and again, while the sandbox answers 30% of calls with a 5xx (half of them
//! after it created the link: the "created, answer lost" case). A last run finishes the job once
//! the faults are over: with them it could meet a row whose exponential backoff (2 s doubling per
//! attempt) runs past any fixed timeout, which is the backoff working, not a crash bug.
//!
//! Afterwards every invoice has exactly one live link, its token is known to the sandbox with
//! the invoice's number as `reference` and its total as amount, and the outbox is empty. Links
//! the sandbox created whose answer never got stored (lost answers, kills between sending and
//! storing) are orphans no payer can reach: counted and printed, never shown.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use paydesk_core::secrets::MemoryStore;
use paydesk_core::{
    ClientInput, InvoiceInput, LineItemInput, LinkOptions, LinkStatus, OutboxState, Paydesk,
};
use paydesk_sandbox::{Faults, TestModeSandbox};
use rand::Rng;

use crate::util::Books;

const INVOICES: usize = 200;
const KILLS: usize = 12;

fn sender(b: &Books) -> Command {
    let mut cmd = b.command();
    cmd.args([
        "outbox",
        "send",
        "--until-empty",
        "--lease",
        "1",
        "--timeout",
        "120",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    cmd
}

fn pending(app: &mut Paydesk) -> usize {
    app.outbox_list(1_000)
        .expect("outbox")
        .iter()
        .filter(|i| matches!(i.state, OutboxState::Queued | OutboxState::Sending))
        .count()
}

#[test]
fn killing_the_sender_at_random_points_leaves_exactly_one_live_link_per_invoice() {
    let b = Books::new();
    // The sandbox runs in this process; every `paydesk` child attaches to it.
    let sandbox = TestModeSandbox::attach_or_start_on(&b.path().join("sandbox"), 0).unwrap();
    let control = sandbox
        .handle()
        .expect("this process owns the sandbox")
        .control();

    let mut app = Paydesk::open(b.path(), Arc::new(MemoryStore::new())).unwrap();
    let client = app
        .create_client(&ClientInput {
            name: "Acme Studio".into(),
            ..Default::default()
        })
        .unwrap();
    let mut invoices = Vec::new();
    for i in 0..INVOICES {
        let invoice = app
            .create_invoice(&InvoiceInput {
                client_id: client.id.clone(),
                currency: "FAU-sepolia".into(),
                issue_date: "2026-11-21".into(),
                payment_terms_days: Some(30),
                lines: vec![LineItemInput {
                    description: "Design".into(),
                    quantity: "1".into(),
                    unit_price: format!("{}.25", 100 + i),
                    tax_rate: "0".into(),
                    discount: "0".into(),
                }],
                ..Default::default()
            })
            .unwrap();
        app.request_link(&invoice.id, &LinkOptions::default())
            .unwrap();
        invoices.push(invoice);
    }
    // This test is about crashes, not pacing: the sandbox's 5 calls/s limit is lifted.
    control.set_rate_limit(0);
    control.set_faults(Faults {
        server_error_share: 0.15,
        lost_response_share: 0.15,
        latency_ms: 3,
        ..Default::default()
    });

    let mut rng = rand::rng();
    let mut kills = 0;
    for _ in 0..KILLS {
        if pending(&mut app) == 0 {
            break;
        }
        let mut child = sender(&b).spawn().expect("start paydesk outbox send");
        std::thread::sleep(Duration::from_millis(rng.random_range(30..400)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    let stored_before_last_run = INVOICES - pending(&mut app);

    // The last run is left alone with the faults over; it waits out the leases of the killed
    // senders and the backoffs already scheduled (a few seconds: the kills took about as long).
    control.set_faults(Faults::default());
    let started = Instant::now();
    let mut last = sender(&b);
    last.stderr(Stdio::piped());
    let out = last
        .spawn()
        .expect("start the last sender")
        .wait_with_output()
        .unwrap();
    assert!(
        out.status.success(),
        "the last sender run exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "{kills} kills; {stored_before_last_run} links stored before the last run, which took {:?}",
        started.elapsed()
    );
    assert!(kills > 0, "no sender was killed mid-run");

    // Every request is done: none queued, sending or failed.
    let outbox = app.outbox_list(1_000).unwrap();
    assert_eq!(outbox.len(), INVOICES);
    let retried = outbox.iter().filter(|i| i.attempts > 1).count();
    for item in &outbox {
        assert_eq!(item.state, OutboxState::Done, "{item:?}");
    }
    assert!(retried > 0, "the 5xx faults never made a request retry");

    // Exactly one live link per invoice, and the sandbox knows it for that invoice.
    let payments = control.payments();
    let mut per_reference: HashMap<String, usize> = HashMap::new();
    for p in &payments {
        *per_reference
            .entry(p.reference.clone().unwrap_or_default())
            .or_default() += 1;
    }
    for invoice in &invoices {
        let links = app.links_of(&invoice.id).unwrap();
        assert_eq!(links.len(), 1, "{}: {links:?}", invoice.number);
        let link = &links[0];
        assert_eq!(link.status, LinkStatus::Live);
        let remote = control
            .payment(&link.token)
            .unwrap_or_else(|| panic!("{}: token unknown to the sandbox", invoice.number));
        assert_eq!(remote.reference.as_deref(), Some(invoice.number.as_str()));
        assert_eq!(remote.requests[0].amount, invoice.totals.total.to_wire());
        assert_eq!(remote.secure_payment_url, link.secure_payment_url);
        assert!(per_reference.get(&invoice.number).copied().unwrap_or(0) >= 1);
    }
    println!(
        "{} links created in the sandbox for {INVOICES} invoices: {} orphans no payer can reach; \
         {retried} requests needed more than one try",
        payments.len(),
        payments.len() - INVOICES
    );
}
