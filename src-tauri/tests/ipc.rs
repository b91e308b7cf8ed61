//! The shell's commands through Tauri's mock runtime: real IPC serialization, the real
//! capability file (commands are granted by name), a real SQLite file, no window system.

use std::sync::Arc;

use paydesk_core::secrets::MemoryStore;
use paydesk_core::Paydesk;
use paydesk_desktop::state::AppState;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

struct Harness {
    dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("open engine");
    harness_with(dir, AppState::new(engine))
}

/// The app on `dir` with `state` (e.g. one whose books could not be opened).
fn harness_with(dir: tempfile::TempDir, state: AppState) -> Harness {
    let app = mock_builder()
        .plugin(tauri_plugin_opener::init())
        .manage(state.with_sandbox_port(0))
        .invoke_handler(paydesk_desktop::handlers!())
        .build(tauri::generate_context!())
        .expect("build app");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    Harness {
        dir,
        _app: app,
        window,
    }
}

impl Harness {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("json response"))
    }
}

#[test]
fn client_and_invoice_round_trip_through_ipc() {
    let h = harness();
    let client = h
        .invoke(
            "create_client",
            json!({ "input": { "name": "Acme Studio", "email": "ap@acme.test" } }),
        )
        .expect("create client");
    let invoice = h
        .invoke(
            "create_invoice",
            json!({ "input": {
                "clientId": client["id"], "currency": "USDC-base", "issueDate": "2026-11-21",
                "dueDate": null, "paymentTermsDays": 30, "number": null,
                "lines": [{ "description": "Design work", "quantity": "3", "unitPrice": "150.50",
                            "taxRate": "20", "discount": "0" }],
                "discount": { "kind": "percent", "value": "0" }, "notes": "", "terms": "" } }),
        )
        .expect("create invoice");
    assert_eq!(invoice["totals"]["total"], "541.80");
    assert_eq!(invoice["dueDate"], "2026-12-21");
    let page = h
        .invoke(
            "list_invoices",
            json!({ "query": { "status": null, "search": "acme", "sort": "dueDate",
                               "descending": false, "limit": 50, "offset": 0 } }),
        )
        .expect("list");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["number"], invoice["number"]);
}

#[test]
fn bad_input_rejects_with_code_message_and_field() {
    let h = harness();
    let err = h
        .invoke("create_client", json!({ "input": { "name": "  " } }))
        .expect_err("empty name must be rejected");
    assert_eq!(
        err,
        json!({ "code": "invalid_input", "message": "name: is required", "field": "name" })
    );
    let clients = h
        .invoke("list_clients", json!({ "search": null }))
        .expect("list");
    assert_eq!(clients, json!([]), "nothing was written");
}

#[test]
fn secrets_come_back_masked_only() {
    let h = harness();
    let status = h
        .invoke(
            "set_secret",
            json!({ "kind": "apiKey", "value": "rn_test_supersecret_9876" }),
        )
        .expect("set secret");
    assert_eq!(status["apiKey"], "••••9876");
    let text = status.to_string();
    assert!(!text.contains("supersecret"), "{text}");
}

#[test]
fn undeclared_command_is_refused() {
    let h = harness();
    assert!(h
        .invoke("plugin:fs|read_file", json!({ "path": "/etc/passwd" }))
        .is_err());
    // The opener plugin is loaded for the shell's own use; the webview may not call it with a
    // URL of its choosing.
    assert!(h
        .invoke(
            "plugin:opener|open_url",
            json!({ "url": "file:///etc/passwd" })
        )
        .is_err());
}

#[test]
fn open_link_needs_a_live_link_and_a_known_target() {
    let h = harness();
    let invoice = invoice_for_link(&h);
    let id = invoice["id"].as_str().unwrap();
    let bad = h
        .invoke("open_link", json!({ "invoiceId": id, "target": "file" }))
        .unwrap_err();
    assert_eq!(bad["field"], "target");
    let none = h
        .invoke("open_link", json!({ "invoiceId": id, "target": "browser" }))
        .unwrap_err();
    assert_eq!(none["code"], "conflict");
    assert_eq!(none["field"], "link");
}

fn invoice_for_link(h: &Harness) -> Value {
    let client = h
        .invoke(
            "create_client",
            json!({ "input": { "name": "Acme Studio", "email": "ap@acme.test" } }),
        )
        .expect("create client");
    h.invoke(
        "create_invoice",
        json!({ "input": {
            "clientId": client["id"], "currency": "USDC-base", "issueDate": "2026-11-21",
            "dueDate": null, "paymentTermsDays": 30, "number": null,
            "lines": [{ "description": "Design work", "quantity": "2", "unitPrice": "100",
                        "taxRate": "0", "discount": "0" }],
            "discount": { "kind": "percent", "value": "0" }, "notes": "", "terms": "" } }),
    )
    .expect("create invoice")
}

#[test]
fn payment_settings_round_trip_and_reject_unsafe_redirects() {
    let h = harness();
    let saved = h
        .invoke(
            "update_payment_settings",
            json!({ "input": { "redirectUrl": "https://acme.test/thanks",
                               "redirectLabel": "Back to Acme" } }),
        )
        .expect("save payment settings");
    assert_eq!(saved["redirectUrl"], "https://acme.test/thanks");
    let read = h
        .invoke("get_payment_settings", json!({}))
        .expect("read payment settings");
    assert_eq!(read, saved);
    let err = h
        .invoke(
            "update_payment_settings",
            json!({ "input": { "redirectUrl": "javascript:alert(1)" } }),
        )
        .expect_err("unsafe redirect URL");
    assert_eq!(err["code"], "invalid_input");
    assert_eq!(err["field"], "redirectUrl");
    let err = h
        .invoke(
            "update_payment_settings",
            json!({ "input": { "destinationId": "0x1234" } }),
        )
        .expect_err("malformed destination");
    assert_eq!(err["field"], "destinationId");
}

#[test]
fn request_link_reaches_a_live_link_against_the_sandbox() {
    let h = harness();
    let invoice = invoice_for_link(&h);
    let id = invoice["id"].clone();
    let first = h
        .invoke("request_link", json!({ "invoiceId": id }))
        .expect("request link");
    assert!(
        first["state"] == "queued" || first["state"] == "live",
        "{first}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let state = loop {
        let s = h
            .invoke("get_link_state", json!({ "invoiceId": id }))
            .expect("link state");
        if s["state"] == "live" {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no live link in time: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let url = state["link"]["url"].as_str().expect("url");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(state["history"].as_array().map(Vec::len), Some(1));
    let svg = h
        .invoke("link_qr_svg", json!({ "invoiceId": id }))
        .expect("qr");
    assert!(svg.as_str().is_some_and(|s| s.contains("<svg")), "{svg}");
    let text = state.to_string();
    assert!(!text.contains("apiKey"), "{text}");

    // A second request while one is live is refused; voiding frees the invoice.
    let err = h
        .invoke("request_link", json!({ "invoiceId": id }))
        .expect_err("second live link");
    assert_eq!(err["code"], "conflict", "{err}");
    let voided = h
        .invoke("void_link", json!({ "invoiceId": id }))
        .expect("void");
    assert_eq!(voided["state"], "none", "{voided}");
    assert_eq!(voided["history"][0]["status"], "void");
}

/// `POST {sandbox}/__sandbox/payments/{token}/pay`: the payer pays (the sandbox's control API,
/// found through the endpoint file the app's Test-mode sandbox wrote).
fn pay_on_sandbox(h: &Harness, token: &str) {
    sandbox_control(h, token, "pay");
}

/// `POST {sandbox}/__sandbox/payments/{token}/{action}` on the app's Test-mode sandbox.
fn sandbox_control(h: &Harness, token: &str, action: &str) {
    use std::io::{Read, Write};
    let endpoint: Value = serde_json::from_str(
        &std::fs::read_to_string(h.dir.path().join("sandbox").join("endpoint.json"))
            .expect("endpoint file"),
    )
    .expect("endpoint JSON");
    let base = url::Url::parse(endpoint["baseUrl"].as_str().expect("baseUrl")).expect("url");
    let port = base.port().expect("port");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "POST /__sandbox/payments/{token}/{action} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
}

#[test]
fn check_now_sees_the_payment_and_the_dashboard_counts_it() {
    let h = harness();
    let invoice = invoice_for_link(&h);
    let id = invoice["id"].clone();
    h.invoke("request_link", json!({ "invoiceId": id }))
        .expect("request link");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let token = loop {
        let s = h
            .invoke("get_link_state", json!({ "invoiceId": id }))
            .expect("link state");
        if s["state"] == "live" {
            break s["link"]["token"].as_str().expect("token").to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no live link: {s}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let open = h
        .invoke("get_payment_status", json!({ "invoiceId": id }))
        .expect("status");
    assert_eq!(open["payState"], "open");
    assert_eq!(open["invoiceStatus"], "issued");

    pay_on_sandbox(&h, &token);
    let paid = h
        .invoke("check_now", json!({ "invoiceId": id }))
        .expect("check now");
    assert_eq!(paid["invoiceStatus"], "paid", "{paid}");
    assert_eq!(paid["events"][0]["source"], "check");
    assert!(paid["txHash"].as_str().is_some_and(|t| t.starts_with("0x")));
    assert!(paid["verifiedAt"].is_string());
    assert!(paid["nextCheckAt"].is_null());

    let dashboard = h.invoke("get_dashboard", json!({})).expect("dashboard");
    let totals = dashboard["totals"].as_array().expect("totals");
    let row = totals
        .iter()
        .find(|t| t["currency"] == invoice["currency"])
        .expect("a row for the invoice's currency");
    assert_eq!(
        row["paidThisYear"], invoice["totals"]["total"],
        "{dashboard}"
    );
    assert_eq!(row["outstanding"], "0.00");
    let sync = h.invoke("get_sync_status", json!({})).expect("sync status");
    assert_eq!(sync["online"], true);
    assert_eq!(sync["openLinks"], 0);
}

/// Waits (30 s at most) until the invoice's link is live; its token.
fn wait_live(h: &Harness, id: &Value) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let s = h
            .invoke("get_link_state", json!({ "invoiceId": id }))
            .expect("link state");
        if s["state"] == "live" {
            return s["link"]["token"].as_str().expect("token").to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no live link: {s}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn an_expired_link_is_reissued_from_the_app_and_kept_in_the_history() {
    let h = harness();
    let invoice = invoice_for_link(&h);
    let id = invoice["id"].clone();
    h.invoke("request_link", json!({ "invoiceId": id }))
        .expect("request link");
    let old = wait_live(&h, &id);
    // Re-issue is refused while the link is payable.
    let early = h
        .invoke("reissue_link", json!({ "invoiceId": id }))
        .expect_err("re-issue of a live link");
    assert_eq!(early["code"], "conflict", "{early}");

    // The API now answers 403 for it: "check now" shows it expired.
    sandbox_control(&h, &old, "expire");
    let expired = h
        .invoke("check_now", json!({ "invoiceId": id }))
        .expect("check now");
    assert_eq!(expired["invoiceStatus"], "expired", "{expired}");
    let state = h
        .invoke("get_link_state", json!({ "invoiceId": id }))
        .expect("link state");
    assert_eq!(state["state"], "expired", "{state}");
    assert_eq!(state["locked"], false);

    let reissued = h
        .invoke(
            "reissue_link",
            json!({ "invoiceId": id, "redirectUrl": "https://acme.test/thanks", "redirectLabel": "Back to Acme" }),
        )
        .expect("re-issue");
    assert!(
        reissued["state"] == "queued" || reissued["state"] == "live",
        "{reissued}"
    );
    let fresh = wait_live(&h, &id);
    assert_ne!(fresh, old);
    let state = h
        .invoke("get_link_state", json!({ "invoiceId": id }))
        .expect("link state");
    let history = state["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "{state}");
    assert_eq!(history[0]["token"], old.as_str());
    assert_eq!(history[1]["token"], fresh.as_str());
    assert_eq!(history[1]["redirectUrl"], "https://acme.test/thanks");
    let status = h
        .invoke("get_payment_status", json!({ "invoiceId": id }))
        .expect("status");
    assert_eq!(status["invoiceStatus"], "issued", "{status}");
    assert_eq!(status["payState"], "open");
}

#[test]
fn sync_status_says_why_nothing_is_polled_in_live_mode_without_credentials() {
    let h = harness();
    h.invoke("set_mode", json!({ "mode": "live" }))
        .expect("live mode");
    use tauri::Manager;
    let state = h.window.state::<paydesk_desktop::state::AppState>();
    let err = tauri::async_runtime::block_on(state.poll_pass()).expect_err("no credentials");
    assert_eq!(err.field.as_deref(), Some("credentials"), "{err:?}");
    let sync = h.invoke("get_sync_status", json!({})).expect("sync status");
    let why = sync["lastError"].as_str().expect("a reason");
    assert!(why.contains("no API key or client ID"), "{why}");
    assert!(!why.contains("rn_"), "{why}");
}

#[test]
fn webhooks_from_the_panel_register_and_mark_the_invoice_paid_without_polling() {
    let h = harness();
    let off = h.invoke("get_webhook_status", json!({})).expect("status");
    assert_eq!(off["config"]["enabled"], false);
    assert_eq!(off["receiver"]["state"], "off");
    assert_eq!(
        off["canRegister"], true,
        "Test mode registers with the sandbox"
    );

    let bad = h
        .invoke(
            "set_webhook_config",
            json!({ "config": { "enabled": true, "tunnel": "manual",
                                "publicUrl": "http://example.com", "binaryPath": null,
                                "port": null } }),
        )
        .expect_err("plain http to a public host");
    assert_eq!(bad["field"], "publicUrl", "{bad}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    h.invoke(
        "set_webhook_config",
        json!({ "config": { "enabled": true, "tunnel": "manual",
                            "publicUrl": format!("http://127.0.0.1:{port}"),
                            "binaryPath": null, "port": port } }),
    )
    .expect("save");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let on = loop {
        let s = h.invoke("get_webhook_status", json!({})).expect("status");
        if s["registration"]["state"] == "registered" {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "not registered: {s}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(on["receiver"]["state"], "listening");
    assert_eq!(on["tunnel"]["state"], "up");
    let endpoint = on["endpointUrl"].as_str().expect("endpoint");
    assert!(endpoint.starts_with(&format!("http://127.0.0.1:{port}/hooks/")));
    let masked = on["secret"].as_str().expect("masked secret");
    assert!(
        masked.starts_with("••••") && masked.chars().count() == 8,
        "{masked}"
    );

    // No background loop runs in this harness: only the webhook can mark the invoice paid.
    let invoice = invoice_for_link(&h);
    let id = invoice["id"].clone();
    h.invoke("request_link", json!({ "invoiceId": id }))
        .expect("request link");
    let token = wait_live(&h, &id);
    pay_on_sandbox(&h, &token);
    let paid = loop {
        let s = h
            .invoke("get_payment_status", json!({ "invoiceId": id }))
            .expect("status");
        if s["invoiceStatus"] == "paid" {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "not paid: {s}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(paid["events"][0]["source"], "webhook");
    assert!(
        paid["verifiedAt"].is_null(),
        "a poll has not confirmed it yet"
    );
    let status = h.invoke("get_webhook_status", json!({})).expect("status");
    let deliveries = status["deliveries"].as_array().expect("deliveries");
    assert!(deliveries
        .iter()
        .any(|d| d["outcome"] == "applied" && d["verified"] == true));

    let sent = h
        .invoke("send_test_webhook", json!({}))
        .expect("test event");
    assert!(sent["message"].as_str().is_some_and(|m| m.contains("test")));

    // Off: the registration is removed; the panel says so.
    let off = h
        .invoke(
            "set_webhook_config",
            json!({ "config": { "enabled": false, "tunnel": "manual",
                                "publicUrl": format!("http://127.0.0.1:{port}"),
                                "binaryPath": null, "port": port } }),
        )
        .expect("turn off");
    assert_eq!(off["receiver"]["state"], "off");
    assert_eq!(
        off["secret"],
        Value::Null,
        "the registration's secret went with it"
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn a_payout_goes_from_draft_through_a_deliberate_approval_to_paid() {
    let h = harness();
    let networks = h.invoke("list_networks", json!({})).expect("networks");
    assert!(networks
        .as_array()
        .expect("list")
        .iter()
        .any(|n| n["id"] == "tron" && n["evm"] == false));
    let input = |address: &str| {
        json!({ "name": "Alice", "email": null, "network": "sepolia", "address": address,
                "defaultCurrency": "FAU-sepolia" })
    };
    let bad = h
        .invoke(
            "create_contractor",
            json!({ "input": input("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") }),
        )
        .expect_err("checksum typo");
    assert_eq!(bad["field"], "address", "{bad}");
    let alice = h
        .invoke(
            "create_contractor",
            json!({ "input": input("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") }),
        )
        .expect("contractor");
    assert_eq!(
        alice["address"],
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    );
    let id = alice["id"].clone();
    let moved = input("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
    let refused = h
        .invoke(
            "update_contractor",
            json!({ "id": id, "input": moved, "confirmAddressChange": false }),
        )
        .expect_err("needs confirmation");
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("conflict"), Some("address"))
    );
    h.invoke(
        "update_contractor",
        json!({ "id": id, "input": moved, "confirmAddressChange": true }),
    )
    .expect("confirmed");
    let detail = h
        .invoke("get_contractor", json!({ "id": id }))
        .expect("detail");
    assert_eq!(detail["history"].as_array().map(Vec::len), Some(2));

    let draft = h
        .invoke(
            "create_payout",
            json!({ "input": { "contractorId": id, "amount": "12.5", "currency": "FAU-sepolia",
                                "reference": "Sprint 4", "memo": null, "invoiceId": null } }),
        )
        .expect("draft");
    let pid = draft["id"].clone();
    assert_eq!(draft["state"], "draft");
    let review = h
        .invoke("review_payout", json!({ "id": pid }))
        .expect("review");
    assert_eq!(
        review["problems"].as_array().map(Vec::len),
        Some(1),
        "{review}"
    );
    let no_wallet = h
        .invoke(
            "approve_payout",
            json!({ "id": pid, "address": review["address"] }),
        )
        .expect_err("no creator wallet");
    assert_eq!(no_wallet["field"], "creatorWalletAddress");
    h.invoke(
        "update_payout_settings",
        json!({ "input": { "evmWallet": "0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb", "tronWallet": null } }),
    )
    .expect("wallet");
    let wrong = h
        .invoke(
            "approve_payout",
            json!({ "id": pid, "address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" }),
        )
        .expect_err("not the reviewed address");
    assert_eq!(wrong["field"], "address");
    let approved = h
        .invoke(
            "approve_payout",
            json!({ "id": pid, "address": review["address"] }),
        )
        .expect("approve");
    assert_eq!(approved["state"], "approved");
    let twice = h
        .invoke(
            "approve_payout",
            json!({ "id": pid, "address": review["address"] }),
        )
        .expect_err("double click");
    assert_eq!(twice["code"], "conflict");

    // The sender (woken by the approval) creates the link.
    use tauri::Manager;
    let state = h.window.state::<AppState>();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let live = loop {
        let p = h
            .invoke("get_payout", json!({ "id": pid }))
            .expect("payout");
        if p["state"] == "live" {
            break p;
        }
        assert!(std::time::Instant::now() < deadline, "not live: {p}");
        tauri::async_runtime::block_on(state.send_pass()).expect("send pass");
    };
    let token = live["link"]["token"].as_str().expect("token").to_string();
    let svg = h.invoke("payout_qr_svg", json!({ "id": pid })).expect("qr");
    assert!(svg.as_str().is_some_and(|s| s.contains("<svg")));
    let listed = h
        .invoke("list_payouts", json!({ "state": "live" }))
        .expect("list");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    pay_on_sandbox(&h, &token);
    let report = tauri::async_runtime::block_on(state.poll_pass()).expect("poll");
    assert_eq!(report.payout_changes.len(), 1);
    let paid = h
        .invoke("get_payout", json!({ "id": pid }))
        .expect("payout");
    assert_eq!(paid["state"], "paid", "{paid}");
    assert!(paid["txHash"].as_str().is_some_and(|t| t.starts_with("0x")));
    let actions: Vec<&str> = paid["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    // No earlier payout to Alice: the changed address flags nothing yet.
    assert_eq!(actions, ["drafted", "approved", "link_created", "paid"]);
    let cancel = h
        .invoke("cancel_payout", json!({ "id": pid }))
        .expect_err("paid is final");
    assert_eq!(cancel["code"], "conflict");
}

#[test]
fn pdf_exports_and_logo_go_through_the_dialogs_chosen_in_rust() {
    use tauri::Manager;
    let h = harness();
    let picker = Arc::new(paydesk_desktop::files::FixedPicker::default());
    h.window.state::<AppState>().set_file_picker(picker.clone());
    let invoice = invoice_for_link(&h);
    let id = invoice["id"].clone();

    // Cancelled dialog: nothing written, `null` back.
    let none = h
        .invoke(
            "save_invoice_pdf",
            json!({ "invoiceId": id, "paper": "letter" }),
        )
        .expect("cancel");
    assert!(none.is_null());

    let out = h.dir.path().join("out");
    std::fs::create_dir_all(&out).expect("dir");
    picker.saves.lock().unwrap().push(out.join("invoice.pdf"));
    let saved = h
        .invoke(
            "save_invoice_pdf",
            json!({ "invoiceId": id, "paper": "a4" }),
        )
        .expect("pdf");
    let pdf = std::fs::read(out.join("invoice.pdf")).expect("written");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(saved["bytes"], pdf.len() as u64);
    assert_eq!(saved["pages"], 1);

    picker.saves.lock().unwrap().push(out.join("invoices.csv"));
    let year = chrono::Utc::now().format("%Y").to_string();
    let exported = h
        .invoke(
            "export_data",
            json!({ "kind": "invoices", "from": format!("{year}-01-01"), "to": format!("{year}-12-31") }),
        )
        .expect("export");
    assert_eq!(exported["rows"], 1);
    let csv = std::fs::read_to_string(out.join("invoices.csv")).expect("csv");
    assert!(csv.starts_with("number,status,client"), "{csv}");
    assert!(csv.contains(invoice["number"].as_str().expect("number")));
    let bad = h
        .invoke(
            "export_data",
            json!({ "kind": "invoices", "from": "2026-12-31", "to": "2026-01-01" }),
        )
        .expect_err("reversed range");
    assert_eq!(bad["field"], "to");

    picker.saves.lock().unwrap().push(out.join("history.json"));
    h.invoke("export_invoice_history", json!({ "invoiceId": id }))
        .expect("history");
    let history: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("history.json")).expect("json"))
            .expect("valid JSON");
    assert_eq!(history["invoice"]["id"], id);

    // A logo that is not an image is refused; a PNG is kept.
    std::fs::write(out.join("logo.txt"), "not an image").expect("write");
    picker.opens.lock().unwrap().push(out.join("logo.txt"));
    let refused = h
        .invoke("choose_logo", json!({}))
        .expect_err("not PNG/JPEG");
    assert_eq!(refused["field"], "logo");
    let png = out.join("logo.png");
    image::RgbImage::from_pixel(8, 8, image::Rgb([20, 40, 200]))
        .save(&png)
        .expect("png");
    picker.opens.lock().unwrap().push(png.clone());
    let chosen = h.invoke("choose_logo", json!({})).expect("logo");
    assert_eq!(chosen.as_str(), png.to_str());
    assert_eq!(h.invoke("get_logo", json!({})).expect("get"), chosen);
    h.invoke("clear_logo", json!({})).expect("clear");
    assert!(h.invoke("get_logo", json!({})).expect("get").is_null());
}

#[test]
fn a_backup_made_from_the_app_restores_the_books_after_a_safety_copy() {
    use tauri::Manager;
    let h = harness();
    let picker = Arc::new(paydesk_desktop::files::FixedPicker::default());
    h.window.state::<AppState>().set_file_picker(picker.clone());
    let before = invoice_for_link(&h);
    let file = h.dir.path().join("books.pdbackup");

    let short = h
        .invoke(
            "create_backup",
            json!({ "passphrase": "short", "includeSecrets": false }),
        )
        .expect_err("too short");
    assert_eq!(short["field"], "passphrase");
    picker.saves.lock().unwrap().push(file.clone());
    let made = h
        .invoke(
            "create_backup",
            json!({ "passphrase": "correct horse battery", "includeSecrets": false }),
        )
        .expect("backup");
    assert_eq!(made["includesSecrets"], false);
    assert!(std::fs::metadata(&file).expect("written").len() > 0);

    // Books change after the backup; a wrong passphrase changes nothing.
    h.invoke(
        "create_client",
        json!({ "input": { "name": "Added later", "email": "", "address": "", "taxId": "", "notes": "" } }),
    )
    .expect("client");
    picker.opens.lock().unwrap().push(file.clone());
    let wrong = h
        .invoke(
            "restore_backup",
            json!({ "passphrase": "not the passphrase" }),
        )
        .expect_err("wrong passphrase");
    assert_eq!(wrong["field"], "passphrase", "{wrong}");
    let clients = h
        .invoke("list_clients", json!({ "search": null }))
        .expect("clients");
    assert_eq!(clients.as_array().map(Vec::len), Some(2));

    picker.opens.lock().unwrap().push(file.clone());
    let restored = h
        .invoke(
            "restore_backup",
            json!({ "passphrase": "correct horse battery" }),
        )
        .expect("restore");
    // The replaced books are kept in the backups folder and listed, so the restore can be undone.
    let kept = restored["previousKeptAt"].as_str().expect("safety copy");
    assert!(std::path::Path::new(kept).is_file(), "{kept}");
    let listed = h.invoke("list_auto_backups", json!({})).expect("list");
    let listed = listed.as_array().expect("array");
    assert!(
        listed
            .iter()
            .any(|b| b["path"] == kept && b["kind"] == "preRestore" && b["createdAt"] != ""),
        "{listed:?}"
    );
    let clients = h
        .invoke("list_clients", json!({ "search": null }))
        .expect("clients");
    assert_eq!(clients.as_array().map(Vec::len), Some(1), "{clients}");
    let invoice = h
        .invoke("get_invoice", json!({ "id": before["id"] }))
        .expect("the invoice is back");
    assert_eq!(invoice["number"], before["number"]);
}

/// Overwrite every page after the first with a pattern: SQLite's integrity check fails.
fn damage(db: &std::path::Path) {
    let mut bytes = std::fs::read(db).expect("database");
    assert!(bytes.len() > 3 * 4096, "the file has pages to damage");
    for (i, byte) in bytes[4096..].iter_mut().enumerate() {
        *byte = (i * 7 + 13) as u8;
    }
    std::fs::write(db, bytes).expect("damaged");
}

#[test]
fn damaged_books_open_the_recovery_path_and_an_automatic_backup_brings_them_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = paydesk_core::app::database_path(dir.path(), paydesk_core::Mode::Test);
    {
        let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("open");
        for name in ["Acme Studio", "Globex"] {
            app.create_client(&paydesk_core::ClientInput {
                name: name.into(),
                ..Default::default()
            })
            .expect("client");
        }
        app.auto_backup_if_due(chrono::Utc::now())
            .expect("auto backup")
            .expect("first of the day");
        app.create_client(&paydesk_core::ClientInput {
            name: "After the backup".into(),
            ..Default::default()
        })
        .expect("client");
    }
    damage(&db);
    let damaged = std::fs::read(&db).expect("damaged file");

    let h = harness_with(
        dir,
        AppState::open_at(data_dir_of(&db), Arc::new(MemoryStore::new())),
    );
    // The books cannot be opened; the app says why and what can bring them back.
    let err = h.invoke("app_info", json!({})).expect_err("books damaged");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("damaged"),
        "{err}"
    );
    let recovery = h.invoke("get_recovery", json!({})).expect("recovery");
    assert_eq!(recovery["database"], db.display().to_string());
    assert_eq!(recovery["mode"], "test");
    assert!(!recovery["problem"].as_str().unwrap_or_default().is_empty());
    let backups = recovery["backups"].as_array().expect("backups");
    assert_eq!(backups.len(), 1, "{recovery}");
    assert_eq!(backups[0]["kind"], "daily");

    // A file that is not a backup is refused and nothing changes.
    let missing = h
        .invoke(
            "recover_from_auto_backup",
            json!({ "path": "nope.sqlite3" }),
        )
        .expect_err("no such backup");
    assert_eq!(missing["code"], "not_found", "{missing}");
    assert_eq!(std::fs::read(&db).expect("still there"), damaged);

    let restored = h
        .invoke(
            "recover_from_auto_backup",
            json!({ "path": backups[0]["path"] }),
        )
        .expect("recovered");
    assert_ne!(restored["backup"]["createdAt"], "");
    // The damaged file is kept, byte for byte, in the backups folder.
    let kept = restored["previousKeptAt"].as_str().expect("kept");
    assert_eq!(std::fs::read(kept).expect("kept file"), damaged);

    // The books are open again, as of the backup; the recovery is over.
    let clients = h
        .invoke("list_clients", json!({ "search": null }))
        .expect("clients");
    let names: Vec<_> = clients
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&"After the backup".to_string()));
    assert_eq!(
        h.invoke("get_recovery", json!({})).expect("none"),
        Value::Null
    );
    let again = h
        .invoke(
            "recover_from_auto_backup",
            json!({ "path": backups[0]["path"] }),
        )
        .expect_err("open books are restored from Settings");
    assert_eq!(again["code"], "conflict", "{again}");
}

/// The data folder of a database file.
fn data_dir_of(db: &std::path::Path) -> std::path::PathBuf {
    db.parent().expect("data folder").to_path_buf()
}
