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
    _dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).expect("open engine");
    let app = mock_builder()
        .manage(AppState::new(engine))
        .invoke_handler(paydesk_desktop::handlers!())
        .build(tauri::generate_context!())
        .expect("build app");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    Harness {
        _dir: dir,
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
}
