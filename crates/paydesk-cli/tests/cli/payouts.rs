//! Contractors and payouts from the command line, end to end: the real binary, its Test-mode
//! sandbox on a free loopback port, state kept in the data folder between processes.

use std::process::Stdio;

use paydesk_sandbox::TestModeSandbox;
use serde_json::Value;

use crate::util::{words, Books, Run};

const ALICE: &str = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
const ALICE_SUM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const BOB: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
const WALLET: &str = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB";

/// Run `line` with `--json` and extra environment variables.
fn run_env(b: &Books, line: &str, env: &[(&str, &str)]) -> Run {
    let out = b
        .command()
        .arg("--json")
        .args(words(line))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run paydesk");
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Run `line` with `--json`, expect exit `code`; the JSON error.
fn fails_json(b: &Books, line: &str, code: i32) -> Value {
    let run = b.run(&format!("--json {line}"));
    assert_eq!(
        run.code, code,
        "{line}\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    run.error_json()
}

/// Books with Alice on Sepolia (FAU-sepolia by default).
fn books_with_alice() -> Books {
    let b = Books::new();
    b.ok(&format!(
        "contractor add --name Alice --email alice@example.com --network sepolia \
         --address {ALICE} --currency FAU-sepolia"
    ));
    b
}

#[test]
fn contractor_add_stores_a_checksummed_address_and_refuses_a_typo() {
    let b = books_with_alice();
    let list = b.ok("contractor list");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["address"], ALICE_SUM, "stored checksummed");
    assert_eq!(list[0]["network"], "sepolia");
    assert_eq!(list[0]["defaultCurrency"], "FAU-sepolia");

    // One character's case flipped: the EIP-55 checksum catches it; nothing is added.
    let typo = ALICE_SUM.replacen("aAeb", "aaEb", 1);
    let e = fails_json(
        &b,
        &format!("contractor add --name Typo --network base --address {typo}"),
        3,
    );
    assert_eq!(e["field"], "address", "{e}");
    let e = fails_json(
        &b,
        &format!("contractor add --name X --network solana --address {ALICE}"),
        3,
    );
    assert_eq!(e["field"], "network", "{e}");
    assert_eq!(b.ok("contractor list").as_array().unwrap().len(), 1);
    assert_eq!(
        b.ok("contractor list --search nobody"),
        Value::Array(vec![])
    );

    // By name, ignoring case; human output shows the full address.
    let shown = b.ok("contractor show alice");
    assert_eq!(shown["contractor"]["name"], "Alice");
    let human = b.run("contractor show Alice");
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.contains(ALICE_SUM), "{}", human.stdout);
    b.fails("contractor show nobody", 4);
}

#[test]
fn an_address_change_needs_confirmation_and_is_recorded() {
    let b = books_with_alice();
    let run = b.run(&format!("--json contractor edit Alice --address {BOB}"));
    assert_eq!(run.code, 5, "{}", run.stderr);
    let e = run.error_json();
    assert_eq!(e["field"], "address");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("--confirm-address-change"),
        "{e}"
    );
    let same = b.ok("contractor show Alice");
    assert_eq!(same["contractor"]["address"], ALICE_SUM);
    assert_eq!(same["history"].as_array().unwrap().len(), 1);
    // A new network is an address change too.
    b.fails(
        &format!("contractor edit Alice --network base --address {BOB} --currency USDC-base"),
        5,
    );

    // Other fields change without confirmation.
    let renamed = b.ok("contractor edit Alice --email ''");
    assert_eq!(renamed["email"], Value::Null);

    let changed = b.ok(&format!(
        "contractor edit Alice --address {BOB} --confirm-address-change"
    ));
    assert_eq!(changed["address"], BOB);
    assert!(changed["addressChangedAt"].is_string());
    let detail = b.ok("contractor show Alice");
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["oldAddress"], ALICE_SUM);
    assert_eq!(history[1]["newAddress"], BOB);
}

#[test]
fn bad_drafts_and_approvals_name_their_field() {
    let b = books_with_alice();
    let e = fails_json(
        &b,
        "payout draft --contractor Alice --amount 1.0000000000000000001",
        3,
    );
    assert_eq!(e["field"], "amount", "{e}");
    let e = fails_json(&b, "payout draft --contractor Alice --amount -3", 3);
    assert_eq!(e["field"], "amount", "{e}");
    let e = fails_json(
        &b,
        "payout draft --contractor Alice --amount 10 --currency USDC-base",
        3,
    );
    assert_eq!(e["field"], "currency", "{e}");
    // No default currency and none given: the error names the currency.
    b.ok(&format!(
        "contractor add --name Bob --network sepolia --address {BOB}"
    ));
    let e = fails_json(&b, "payout draft --contractor Bob --amount 10", 3);
    assert_eq!(e["field"], "currency", "{e}");
    assert_eq!(b.ok("payout list"), Value::Array(vec![]));

    let draft = b.ok("payout draft --contractor Alice --amount 120.5 --reference 'Sprint 1'");
    assert_eq!(draft["number"], "PO-0001");
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["currency"], "FAU-sepolia");

    // No creator wallet: the review says so and approval is refused.
    let review = b.ok("payout review PO-0001");
    assert_eq!(review["address"], ALICE_SUM);
    assert_eq!(review["problems"].as_array().unwrap().len(), 1);
    let e = fails_json(
        &b,
        &format!("payout approve PO-0001 --address {ALICE_SUM}"),
        3,
    );
    assert_eq!(e["field"], "creatorWalletAddress", "{e}");
    // Without a terminal the full address is required.
    b.ok(&format!("settings payout --evm-wallet {WALLET}"));
    let e = fails_json(&b, "payout approve PO-0001", 3);
    assert_eq!(e["field"], "address", "{e}");
    assert_eq!(b.ok("payout show PO-0001")["state"], "draft");
    let e = fails_json(&b, "payout list --state nope", 3);
    assert_eq!(e["field"], "state", "{e}");
}

#[test]
fn a_payout_is_reviewed_approved_once_sent_and_seen_paid_by_sync() {
    let b = books_with_alice();
    // This process runs the sandbox; every `paydesk` run attaches to it.
    let sandbox = TestModeSandbox::attach_or_start_on(&b.path().join("sandbox"), 0).unwrap();
    let control = sandbox.handle().expect("owned").control();

    let settings = b.ok(&format!(
        "settings payout --evm-wallet {}",
        WALLET.to_lowercase()
    ));
    assert_eq!(settings["evmWallet"], WALLET);
    assert_eq!(b.ok("settings payout")["evmWallet"], WALLET);
    b.ok("payout draft --contractor alice --amount 120.5 --reference 'Design sprint'");

    let review = b.run("payout review PO-0001");
    assert_eq!(review.code, 0, "{}", review.stderr);
    assert!(review.stdout.contains(ALICE_SUM), "{}", review.stdout);
    assert!(
        review.stdout.contains("Sepolia (testnet)"),
        "{}",
        review.stdout
    );
    assert!(review.stdout.contains(WALLET), "{}", review.stdout);
    assert!(!review.stdout.contains("ADDRESS CHANGED"));

    // Another address than the reviewed one: refused, nothing approved.
    let e = fails_json(&b, &format!("payout approve PO-0001 --address {BOB}"), 5);
    assert_eq!(e["field"], "address", "{e}");
    assert_eq!(b.ok("payout show PO-0001")["state"], "draft");

    let live = b.ok(&format!("payout approve PO-0001 --address {ALICE_SUM}"));
    assert_eq!(live["state"], "live", "{live}");
    let url = live["link"]["url"].as_str().unwrap();
    let token = live["link"]["token"].as_str().unwrap().to_string();
    assert!(url.starts_with(sandbox.base_url().as_str()), "{url}");
    assert_eq!(live["queuedReason"], Value::Null);
    assert!(!live.to_string().contains("rn_sandbox_"), "{live}");
    // A second approval is refused; exactly one link exists.
    let e = fails_json(
        &b,
        &format!("payout approve PO-0001 --address {ALICE_SUM}"),
        5,
    );
    assert_eq!(e["field"], "state", "{e}");
    assert_eq!(control.payments().len(), 1);
    let snapshot = control.payment(&token).expect("the sandbox knows it");
    assert_eq!(snapshot.requests[0].amount, "120.5");

    let qr = b.run("payout qr PO-0001");
    assert_eq!(qr.code, 0, "{}", qr.stderr);
    assert!(qr.stdout.contains(url) && qr.stdout.contains('█'));

    // Paid on the payer side: sync sees it.
    control.pay(&token).expect("pay");
    let synced = b.ok("sync --once");
    assert_eq!(synced["payoutChanges"][0]["number"], "PO-0001", "{synced}");
    assert_eq!(synced["payoutChanges"][0]["state"], "paid");
    let paid = b.ok("payout show PO-0001");
    assert_eq!(paid["state"], "paid");
    assert!(paid["txHash"].as_str().is_some_and(|h| h.starts_with("0x")));
    let actions: Vec<&str> = paid["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["drafted", "approved", "link_created", "paid"]);
    assert_eq!(
        b.ok("payout list --state paid").as_array().unwrap().len(),
        1
    );
    b.fails("payout cancel PO-0001", 5);

    // The next payout after an address change is flagged loudly in the review.
    b.ok(&format!(
        "contractor edit Alice --address {BOB} --confirm-address-change"
    ));
    b.ok("payout draft --contractor Alice --amount 5");
    let review = b.run("payout review PO-0002");
    assert!(
        review.stdout.contains(&format!(
            "ADDRESS CHANGED since the last payout (was {ALICE_SUM})"
        )),
        "{}",
        review.stdout
    );
    assert_eq!(b.ok("payout review PO-0002")["previousAddress"], ALICE_SUM);
}

#[test]
fn approve_queues_when_the_sandbox_is_down_and_cancel_rules_hold() {
    let b = books_with_alice();
    b.ok(&format!("settings payout --evm-wallet {WALLET}"));
    for amount in ["1", "2", "3"] {
        b.ok(&format!(
            "payout draft --contractor Alice --amount {amount}"
        ));
    }
    // The sandbox's port is taken: approved, queued with the reason.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let env = [("PAYDESK_SANDBOX_PORT", port.as_str())];
    let run = run_env(
        &b,
        &format!("payout approve PO-0001 --address {ALICE_SUM}"),
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let queued: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(queued["state"], "approved");
    assert!(queued["queuedReason"].is_string(), "{queued}");
    drop(taken);
    // Approved, not yet sent: cancelled; `outbox send` then sends nothing for it.
    assert_eq!(b.ok("payout cancel PO-0001")["state"], "cancelled");
    let sent = b.ok("outbox send");
    assert_eq!(sent["payouts"]["sent"], 0, "{sent}");

    // Live, never opened: cancelled, its link voided.
    b.ok(&format!("payout approve PO-0002 --address {ALICE_SUM}"));
    let cancelled = b.ok("payout cancel PO-0002");
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(cancelled["link"]["status"], "void");

    // Live and opened for signing: refused.
    let live = b.ok(&format!("payout approve PO-0003 --address {ALICE_SUM}"));
    let opened = b.ok("payout open PO-0003 --print");
    assert_eq!(opened["opened"], live["link"]["url"]);
    assert_eq!(opened["launched"], false);
    let e = fails_json(&b, "payout cancel PO-0003", 5);
    assert_eq!(e["field"], "state", "{e}");
    assert_eq!(b.ok("payout show PO-0003")["state"], "live");
}

#[test]
fn outbox_send_sends_a_payout_approved_while_the_sandbox_was_down() {
    let b = books_with_alice();
    b.ok(&format!("settings payout --evm-wallet {WALLET}"));
    b.ok("payout draft --contractor Alice --amount 7");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let env = [("PAYDESK_SANDBOX_PORT", port.as_str())];
    let run = run_env(
        &b,
        &format!("payout approve PO-0001 --address {ALICE_SUM}"),
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    drop(taken);
    let sent = b.ok("outbox send");
    assert_eq!(sent["payouts"]["sent"], 1, "{sent}");
    let live = b.ok("payout show PO-0001");
    assert_eq!(live["state"], "live");
    assert!(live["link"]["url"].is_string());
}

#[test]
fn two_live_sepolia_payouts_combine_into_a_batch() {
    let b = books_with_alice();
    b.ok(&format!(
        "contractor add --name Bob --network sepolia --address {BOB} --currency FAU-sepolia"
    ));
    b.ok(&format!("settings payout --evm-wallet {WALLET}"));
    b.ok("payout draft --contractor Alice --amount 10");
    b.ok("payout draft --contractor Bob --amount 5.25");
    b.ok(&format!("payout approve PO-0001 --address {ALICE_SUM}"));
    b.ok(&format!("payout approve PO-0002 --address {BOB}"));
    // Only one payout: a usage error before anything is asked.
    b.fails("payout batch PO-0001", 2);

    let batch = b.ok("payout batch PO-0001 PO-0002");
    assert_eq!(batch["state"], "live", "{batch}");
    assert!(batch["link"]["url"].is_string(), "{batch}");
    let children = batch["payouts"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    for c in children {
        assert_eq!(c["state"], "batched", "{batch}");
    }
    for number in ["PO-0001", "PO-0002"] {
        let p = b.ok(&format!("payout show {number}"));
        assert_eq!(p["state"], "batched");
        assert_eq!(p["batchId"], batch["id"]);
    }
    let listed = b.ok("payout list --state batched");
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

/// Run `paydesk --json --data-dir DIR <args>` in this process with a terminal stdin holding
/// `typed`: (exit code, stdout, stderr).
fn run_on_terminal(dir: &std::path::Path, args: &str, typed: &str) -> (i32, String, String) {
    let mut stdin = typed.as_bytes();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut io = paydesk_cli::Io {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdin_is_terminal: true,
        secrets: std::sync::Arc::new(paydesk_core::secrets::MemoryStore::new()),
    };
    let mut argv: Vec<String> = vec![
        "paydesk".into(),
        "--json".into(),
        "--data-dir".into(),
        dir.display().to_string(),
    ];
    argv.extend(words(args));
    let code = paydesk_cli::run(argv, &mut io);
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

#[test]
fn on_a_terminal_approve_asks_for_the_end_of_the_address() {
    let b = books_with_alice();
    b.ok(&format!("settings payout --evm-wallet {WALLET}"));
    b.ok("payout draft --contractor Alice --amount 9");
    // The sandbox runs in this process; the in-process CLI attaches to it.
    let _sandbox = TestModeSandbox::attach_or_start_on(&b.path().join("sandbox"), 0).unwrap();

    // A mismatch aborts: nothing approved.
    let (code, _, stderr) = run_on_terminal(b.path(), "payout approve PO-0001", "BEAEEE\n");
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("type its last 6 characters"), "{stderr}");
    assert!(stderr.contains(ALICE_SUM), "the review is shown: {stderr}");
    // The prompt, then (after the typed line, echoed by a real terminal) the JSON error.
    let e: Value = serde_json::from_str(&stderr[stderr.find('{').unwrap()..]).unwrap();
    assert_eq!(e["field"], "address", "{e}");
    assert_eq!(b.ok("payout show PO-0001")["state"], "draft");

    // The last 6 characters (case does not matter on EVM networks): approved and sent.
    let tail = &ALICE_SUM[ALICE_SUM.len() - 6..];
    let (code, stdout, stderr) = run_on_terminal(
        b.path(),
        "payout approve PO-0001",
        &format!("{}\n", tail.to_lowercase()),
    );
    assert_eq!(code, 0, "{stderr}");
    let live: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(live["state"], "live", "{live}");
    assert_eq!(live["address"], ALICE_SUM);
}
