//! Payment links from the command line, end to end: the real binary, its Test-mode sandbox on
//! a free loopback port (`PAYDESK_SANDBOX_PORT=0`), state kept in the data folder between
//! processes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use paydesk_sandbox::TestModeSandbox;
use serde_json::Value;

use crate::util::{words, Books, Run};

/// A client and a FAU-sepolia invoice (Test mode pays to the sandbox's bound destination).
fn books_with_invoice(line: &str) -> Books {
    let b = Books::new();
    b.add_client("Acme Studio");
    b.ok(&format!(
        "invoice create --client 'Acme Studio' --currency FAU-sepolia --issue-date 2026-11-21 \
         --terms 30 --line '{line}'"
    ));
    b
}

fn decode_qr(path: &std::path::Path) -> String {
    let img = image::open(path).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("decodes").1
}

/// `GET {base}v2/secure-payments/{token}` with the API key: the status code.
fn get_status(base: &url::Url, api_key: &str, token: &str) -> u16 {
    let port = base.port().expect("a port");
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET /v2/secure-payments/{token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         x-api-key: {api_key}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    raw.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Run `line` with extra environment variables.
fn run_env(b: &Books, line: &str, env: &[(&str, &str)]) -> Run {
    let out = b
        .command()
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

#[test]
fn link_create_show_qr_locks_and_survives_restarts() {
    let b = books_with_invoice("Design;1;250.5");
    let created = b.ok("link create INV-2026-0001");
    assert_eq!(created["state"], "live");
    let link = &created["link"];
    let url = link["securePaymentUrl"].as_str().unwrap().to_string();
    let token = link["token"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with(&format!("/?token={token}")), "{url}");
    assert_eq!(
        (link["amount"].as_str(), link["currency"].as_str()),
        (Some("250.50"), Some("FAU-sepolia"))
    );
    assert!(link["expiresAt"].as_str().is_some());
    // No credential in the output, ever.
    assert!(!created.to_string().contains("rn_sandbox_"), "{created}");

    // The QR code exported as PNG scans back to the exact URL; SVG is written too.
    let png = b.path().join("f.png");
    let svg = b.path().join("f.svg");
    let shown = b.ok(&format!(
        "link show INV-2026-0001 --png {} --svg {}",
        png.display(),
        svg.display()
    ));
    assert_eq!(shown["state"], "live");
    assert_eq!(decode_qr(&png), url);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));

    // Human output: URL, token, expiry and the terminal QR code.
    let human = b.run("link show INV-2026-0001 --qr");
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.contains(&url) && human.stdout.contains(&token));
    assert!(human.stdout.contains('█'), "{}", human.stdout);
    assert!(!human.stdout.contains("rn_sandbox_"), "{}", human.stdout);

    // One live link per invoice; amounts locked; no re-issue while payable.
    let again = b.fails("link create INV-2026-0001", 5);
    assert!(
        again.stderr.contains("already has a payment link"),
        "{}",
        again.stderr
    );
    let edit = b.fails("invoice edit INV-2026-0001 --line 'Design;1;300'", 5);
    assert!(
        edit.stderr.contains("void the link first"),
        "{}",
        edit.stderr
    );
    let reissue = b.fails("link reissue INV-2026-0001", 5);
    assert!(
        reissue.stderr.contains("void it first"),
        "{}",
        reissue.stderr
    );

    // A new process still shows the link; the sandbox, restarted from its state file, still
    // knows the token (on another port: PAYDESK_SANDBOX_PORT=0).
    let later = b.ok("link show INV-2026-0001");
    assert_eq!(later["link"]["token"], token.as_str());
    let sandbox = TestModeSandbox::attach_or_start_on(&b.path().join("sandbox"), 0).unwrap();
    assert!(sandbox.is_owned());
    assert_eq!(
        get_status(sandbox.base_url(), sandbox.api_key(), &token),
        200
    );

    // While this process runs the sandbox, the CLI attaches to it instead of starting one.
    let voided = b.ok("link void INV-2026-0001");
    assert_eq!(voided["state"], "none");
    assert_eq!(voided["history"][0]["status"], "void");
    b.fails("link reissue INV-2026-0001", 5);
    b.ok("invoice edit INV-2026-0001 --line 'Design;1;300'");
    let fresh = b.ok("link create INV-2026-0001");
    let fresh_url = fresh["link"]["securePaymentUrl"].as_str().unwrap();
    assert!(
        fresh_url.starts_with(sandbox.base_url().as_str()),
        "{fresh_url} vs {}",
        sandbox.base_url()
    );
    assert_eq!(fresh["link"]["amount"], "300.00");
    let fresh_token = fresh["link"]["token"].as_str().unwrap();
    assert_eq!(
        get_status(sandbox.base_url(), sandbox.api_key(), fresh_token),
        200
    );
    assert_eq!(fresh["history"].as_array().unwrap().len(), 2);
}

#[test]
fn unsafe_redirect_is_refused_with_the_api_message_and_nothing_is_queued() {
    let b = books_with_invoice("Design;1;10");
    let run = b.fails(
        "link create INV-2026-0001 --redirect-url javascript:alert(1)",
        3,
    );
    assert_eq!(
        run.stderr.trim(),
        format!(
            "error: redirectUrl: {}",
            paydesk_request::validation::REDIRECT_URL_UNSAFE
        )
    );
    assert_eq!(b.ok("outbox list"), Value::Array(vec![]));
    assert_eq!(b.ok("link show INV-2026-0001")["state"], "none");
    // The same rule guards the settings.
    let json = b.run("--json settings payment --redirect-url javascript:alert(1)");
    assert_eq!(json.code, 3);
    assert_eq!(json.error_json()["field"], "redirectUrl");
}

#[test]
fn zero_total_invoice_is_refused_naming_the_field() {
    let b = books_with_invoice("Nothing;1;0");
    let run = b.run("--json link create INV-2026-0001");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.error_json()["field"], "total");
    assert_eq!(b.ok("outbox list"), Value::Array(vec![]));
}

#[test]
fn an_unreachable_api_leaves_the_link_queued_until_outbox_retry() {
    let b = books_with_invoice("Design;1;10");
    // The sandbox's port is taken: nothing can be sent, the request stays queued.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let env = [("PAYDESK_SANDBOX_PORT", port.as_str())];
    let human = run_env(&b, "link create INV-2026-0001", &env);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.starts_with("queued: "), "{}", human.stdout);
    assert!(
        human
            .stdout
            .contains("; run `paydesk outbox retry` to send it again"),
        "{}",
        human.stdout
    );
    let shown = run_env(&b, "--json link show INV-2026-0001", &env);
    let shown: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(shown["state"], "queued");
    let list = b.ok("outbox list");
    assert_eq!(list[0]["state"], "queued");
    // Queued is not "none": a second create is refused, the amounts are locked.
    b.fails("link create INV-2026-0001", 5);
    drop(taken);

    let retried = b.ok("outbox retry");
    assert_eq!(retried["report"]["sent"], 1, "{retried}");
    let live = b.ok("link show INV-2026-0001");
    assert_eq!(live["state"], "live");
    assert_eq!(b.ok("outbox list")[0]["state"], "done");
}

#[test]
fn payment_settings_show_and_change() {
    let b = Books::new();
    let s = b.ok("settings payment");
    assert_eq!(s["useBoundDestination"], false);
    let s = b.ok("settings payment --use-bound-destination --redirect-url https://example.com/thanks --redirect-label 'Back to shop'");
    assert_eq!(s["useBoundDestination"], true);
    assert_eq!(s["redirectUrl"], "https://example.com/thanks");
    assert_eq!(b.ok("settings payment")["redirectLabel"], "Back to shop");
    let bad = b.run("--json settings payment --destination-id nope");
    assert_eq!(bad.code, 3);
    assert_eq!(bad.error_json()["field"], "destinationId");
}

#[test]
fn a_permanent_refusal_exits_1_with_the_api_message_and_the_row_is_failed() {
    let b = books_with_invoice("Design;1;10");
    // A well-shaped destination the sandbox's client id is not bound to: 403 from the API.
    b.ok("settings payment --destination-id \
          0x6923831ACf5c327260D7ac7C9DfF5b1c3cB3C7D7@eip155:8453#ABCD1234:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");
    let run = b.run("--json link create INV-2026-0001");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let e = run.error_json();
    assert_eq!(e["code"], "api_error");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Destination does not match"),
        "{e}"
    );
    let list = b.ok("outbox list");
    assert_eq!(list[0]["state"], "failed");
    // `link show` says so, as the app does: failed, with the API's reason, amounts unlocked.
    let shown = b.ok("link show INV-2026-0001");
    assert_eq!(shown["state"], "failed", "{shown}");
    assert_eq!(shown["locked"], false, "{shown}");
    let reason = shown["message"].as_str().unwrap_or_default();
    assert!(reason.contains("Destination does not match"), "{shown}");
    let text = b.run("link show INV-2026-0001");
    assert!(text.stdout.starts_with("failed: "), "{}", text.stdout);
    // The amounts are free again, and retrying with a working destination sends it.
    b.ok("settings payment --use-bound-destination");
    let retried = b.ok("outbox retry");
    assert_eq!(retried["report"]["sent"], 1, "{retried}");
    assert_eq!(b.ok("link show INV-2026-0001")["state"], "live");
}

#[test]
fn live_mode_without_credentials_queues_nothing() {
    let b = Books::new();
    b.ok("settings mode live");
    b.add_client("Acme Studio");
    b.ok(
        "invoice create --client 'Acme Studio' --currency FAU-sepolia --issue-date 2026-11-21 \
          --line 'Design;1;10'",
    );
    b.ok("settings payment --use-bound-destination");
    let run = b.run("--json link create INV-2026-0001");
    // Without a Secret Service the keychain itself is unavailable (6); with one, nothing is
    // saved for live mode (3, naming `credentials`).
    match run.code {
        3 => assert_eq!(run.error_json()["field"], "credentials"),
        6 => assert_eq!(run.error_json()["code"], "keychain_unavailable"),
        other => panic!("exit {other}: {}", run.stderr),
    }
    assert_eq!(b.ok("outbox list"), Value::Array(vec![]));
    assert!(
        !b.path().join("sandbox").exists(),
        "live mode never starts the sandbox"
    );
}

/// A stand-in for `xdg-open` first on PATH: appends each argument it gets to `log`.
fn fake_opener(dir: &std::path::Path, log: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The lines `log` holds once it has `n` of them (the opener runs detached), within 10 s.
fn opened(log: &std::path::Path, n: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let lines: Vec<String> = std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if lines.len() >= n {
            return lines;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the opener got {lines:?}, wanted {n} line(s)"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn link_open_hands_the_payer_page_and_the_email_draft_to_the_os() {
    let b = Books::new();
    b.ok("client add --name 'Acme Studio' --email billing@acme.test");
    b.ok(
        "invoice create --client 'Acme Studio' --currency FAU-sepolia --issue-date 2026-11-21 \
         --terms 30 --line 'Design;2;100'",
    );
    let log = b.path().join("opened.txt");
    let path = fake_opener(b.path(), &log);
    let env = [("PATH", path.as_str())];

    // No link yet: nothing is opened, the error names the link.
    let none = run_env(&b, "link open INV-2026-0001", &env);
    assert_eq!(none.code, 5, "{}", none.stderr);
    assert!(
        none.stderr.contains("no live payment link"),
        "{}",
        none.stderr
    );

    let created = b.ok("link create INV-2026-0001");
    let url = created["link"]["securePaymentUrl"].as_str().unwrap();
    let browser = run_env(&b, "--json link open INV-2026-0001", &env);
    assert_eq!(browser.code, 0, "{}", browser.stderr);
    assert_eq!(opened(&log, 1), vec![url.to_string()]);

    let email = run_env(&b, "--json link open INV-2026-0001 --email", &env);
    assert_eq!(email.code, 0, "{}", email.stderr);
    let mailto = opened(&log, 2)[1].clone();
    let expected_url = url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>();
    assert!(
        mailto.starts_with("mailto:billing@acme.test?subject=Invoice%20INV-2026-0001&body="),
        "{mailto}"
    );
    assert!(mailto.contains("200.00%20FAU-sepolia"), "{mailto}");
    assert!(mailto.contains("2026-12-21"), "{mailto}");
    assert!(
        mailto.contains(&expected_url.replace('+', "%20")),
        "{mailto}"
    );

    // A voided link is not opened.
    b.ok("link void INV-2026-0001");
    b.fails("link open INV-2026-0001", 5);
    assert_eq!(opened(&log, 2).len(), 2);
}

#[test]
fn sync_and_status_see_a_payment_made_on_the_payer_side() {
    let b = books_with_invoice("Design;1;120");
    // This process runs the sandbox; every `paydesk` run attaches to it.
    let sandbox = TestModeSandbox::attach_or_start_on(&b.path().join("sandbox"), 0).unwrap();
    let control = sandbox.handle().expect("owned").control();
    let created = b.ok("link create INV-2026-0001");
    let token = created["link"]["token"].as_str().unwrap().to_string();

    let fresh = b.ok("status INV-2026-0001");
    assert_eq!(fresh["invoiceStatus"], "issued");
    assert_eq!(fresh["payState"], "open");
    assert!(fresh["events"].as_array().unwrap().is_empty());

    control.pay_part(&token, "50".parse().unwrap()).unwrap();
    let checked = b.ok("status INV-2026-0001 --check");
    assert_eq!(checked["invoiceStatus"], "partially_paid");
    assert_eq!(checked["amountPaid"], "50.00");
    assert_eq!(checked["amountLeft"], "70.00");
    assert_eq!(checked["events"][0]["source"], "check");

    control.pay_part(&token, "70".parse().unwrap()).unwrap();
    let synced = b.ok("sync --once --all");
    assert_eq!(synced["polled"], 1);
    assert_eq!(synced["changes"][0]["status"], "paid");
    assert_eq!(synced["changes"][0]["number"], "INV-2026-0001");
    let human = b.run("status INV-2026-0001");
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.contains("paid"), "{}", human.stdout);
    assert!(
        human.stdout.contains("none (no longer polled)"),
        "{}",
        human.stdout
    );
    // Nothing left to poll.
    let idle = b.ok("sync --once --all");
    assert_eq!(idle["polled"], 0);
    assert_eq!(idle["status"]["openLinks"], 0);
}

#[test]
fn invoice_send_writes_the_pdf_opens_the_draft_and_marks_the_invoice_sent() {
    let b = Books::new();
    b.ok("client add --name 'Acme Studio' --email billing@acme.test");
    b.ok(
        "invoice create --client 'Acme Studio' --currency FAU-sepolia --issue-date 2026-11-21 \
         --terms 30 --line 'Design;2;100'",
    );
    let log = b.path().join("opened.txt");
    let path = fake_opener(b.path(), &log);
    let env = [("PATH", path.as_str())];
    // Nothing to pay yet: refused, nothing opened, not marked sent.
    let none = run_env(&b, "invoice send INV-2026-0001", &env);
    assert_eq!(none.code, 5, "{}", none.stderr);
    assert_eq!(b.ok("invoice show INV-2026-0001")["sentAt"], Value::Null);

    b.ok("link create INV-2026-0001");
    let sent = run_env(&b, "--json invoice send INV-2026-0001", &env);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    let sent: Value = serde_json::from_str(&sent.stdout).expect("json");
    let pdf = std::path::PathBuf::from(sent["pdfPath"].as_str().expect("pdf path"));
    assert!(
        pdf.starts_with(b.path().join("documents")),
        "{}",
        pdf.display()
    );
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    let mailto = opened(&log, 1)[0].clone();
    assert_eq!(Some(mailto.as_str()), sent["mailto"].as_str());
    assert!(mailto.starts_with("mailto:billing@acme.test?subject=Invoice%20INV-2026-0001"));
    assert_eq!(
        b.ok("invoice show INV-2026-0001")["sentAt"],
        sent["sentAt"],
        "marked sent"
    );
}
