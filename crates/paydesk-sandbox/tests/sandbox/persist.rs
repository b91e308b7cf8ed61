//! The state file: links, payments, webhooks and credentials survive a restart on another
//! port; a corrupt or newer file refuses to start and is left untouched; a second sandbox on
//! the same file is refused while the first runs and accepted once it has shut down.

use std::path::{Path, PathBuf};

use paydesk_sandbox::{Sandbox, SandboxError};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::util::{clock, expected_signature, start_with, test_config, Auth, Env, Receiver};

fn state_path(dir: &tempfile::TempDir) -> PathBuf {
    // A directory that does not exist yet: the sandbox creates it.
    dir.path().join("test-mode").join("sandbox.json")
}

async fn start_on(path: &Path) -> Env {
    let path = path.to_path_buf();
    start_with(move |c| c.state_file = Some(path)).await
}

/// Starting on `path` fails; the error, as text.
async fn refused(path: &Path) -> SandboxError {
    let mut config = test_config(clock());
    config.state_file = Some(path.to_path_buf());
    match Sandbox::start(config).await {
        Ok(handle) => panic!("a sandbox started on {}: {handle:?}", path.display()),
        Err(e) => e,
    }
}

async fn page(env: &Env, token: &str) -> String {
    let r = env
        .http
        .get(env.sandbox.payment_url(token))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.expect("html")
}

async fn webhooks(env: &Env) -> Value {
    let a = env
        .call(Method::GET, "/v1/webhook", Auth::ClientId, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body
}

#[tokio::test]
async fn links_payments_webhooks_and_credentials_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(&dir);
    let receiver = Receiver::start().await;

    let first = start_on(&path).await;
    let token = first.create_amount("10").await;
    let part = first
        .post(
            &format!("/__sandbox/payments/{token}/pay-part"),
            json!({ "amount": "4" }),
        )
        .await;
    assert_eq!(part.status, StatusCode::OK, "{}", part.text);
    let (webhook_id, secret) = first.register_webhook(&receiver.url).await;
    let before = first.get_token(&token).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    let page_before = page(&first, &token).await;
    let snapshot_before = first.sandbox.control().payment(&token).expect("link");
    let hooks_before = webhooks(&first).await;
    let (api_key, client_id, session) = (
        first.sandbox.api_key().to_string(),
        first.sandbox.client_id().to_string(),
        first.sandbox.session_token().to_string(),
    );
    let first_url = first.sandbox.base_url();
    first.sandbox.shutdown().await;
    assert!(path.exists(), "the state file was written");

    let second = start_on(&path).await;
    assert_ne!(second.sandbox.base_url(), first_url, "a fresh server");
    assert_eq!(
        (
            second.sandbox.api_key(),
            second.sandbox.client_id(),
            second.sandbox.session_token()
        ),
        (api_key.as_str(), client_id.as_str(), session.as_str()),
        "the same credentials"
    );
    // The first run's API key, presented by hand, is accepted.
    let after = second
        .http
        .get(second.url(&format!("/v2/secure-payments/{token}")))
        .header("x-api-key", &api_key)
        .send()
        .await
        .expect("get");
    assert_eq!(after.status(), StatusCode::OK);
    let after: Value = after.json().await.expect("json");
    assert_eq!(after, before.body, "GET /:token answers the same state");
    assert_eq!(
        page(&second, &token).await,
        page_before,
        "the same payer page"
    );
    let snapshot_after = second.sandbox.control().payment(&token).expect("link");
    assert_eq!(
        snapshot_after.requests, snapshot_before.requests,
        "payments and tx hashes"
    );
    assert_eq!(
        (snapshot_after.created_at, snapshot_after.expires_at),
        (snapshot_before.created_at, snapshot_before.expires_at)
    );
    assert_eq!(webhooks(&second).await, hooks_before);
    assert_eq!(hooks_before[0]["id"], webhook_id.as_str());

    // The webhook is still registered with its secret: paying the rest is signed with it.
    second.sandbox.control().pay(&token).expect("pay the rest");
    let got = receiver.wait_for(1).await;
    assert!(
        got[0].event().starts_with("payment.confirmed"),
        "{}",
        got[0].event()
    );
    assert_eq!(
        got[0].header("x-request-network-signature"),
        expected_signature(&secret, &got[0].body)
    );
    let done = second.get_token(&token).await;
    assert_eq!(done.status, StatusCode::CONFLICT, "{}", done.text);
    second.sandbox.shutdown().await;

    // And the completion itself was saved.
    let third = start_on(&path).await;
    assert_eq!(third.get_token(&token).await.status, StatusCode::CONFLICT);
    third.sandbox.shutdown().await;
}

#[tokio::test]
async fn credentials_fixed_by_the_config_win_over_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(&dir);
    let first = start_on(&path).await;
    let generated = first.sandbox.client_id().to_string();
    first.sandbox.shutdown().await;
    let fixed = {
        let path = path.clone();
        start_with(move |c| {
            c.state_file = Some(path);
            c.api_key = Some("rn_fixed".into());
        })
        .await
    };
    assert_eq!(fixed.sandbox.api_key(), "rn_fixed");
    assert_eq!(fixed.sandbox.client_id(), generated);
    fixed.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_corrupt_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sandbox.json");
    for bytes in [
        &b"{\"version\": 1, \"links\": [tru"[..],
        &b"{\"links\": []}"[..],
        &b"{\"version\": 1, \"credentials\": {}, \"links\": [], \"requests\": [], \"webhooks\": []}"[..],
    ] {
        std::fs::write(&path, bytes).expect("write");
        let e = refused(&path).await;
        assert!(matches!(e, SandboxError::StateCorrupt { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains(&path.display().to_string()) && text.contains("corrupt"),
            "{text}"
        );
        assert_eq!(std::fs::read(&path).expect("read"), bytes, "untouched");
    }
}

#[tokio::test]
async fn a_file_from_a_newer_sandbox_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sandbox.json");
    let bytes = br#"{"version": 2, "somethingNew": true}"#;
    std::fs::write(&path, bytes).expect("write");
    let e = refused(&path).await;
    assert!(
        matches!(
            e,
            SandboxError::StateTooNew {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains("version 2"),
        "{text}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), bytes, "untouched");
}

#[tokio::test]
async fn a_second_sandbox_on_the_same_file_waits_for_the_first_to_stop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = state_path(&dir);
    let first = start_on(&path).await;
    let token = first.create_amount("3").await;

    let e = refused(&path).await;
    assert!(
        matches!(e, SandboxError::StateInUse { pid: Some(p), .. } if p == std::process::id()),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "the sandbox state is in use by another process (pid {})",
            std::process::id()
        )),
        "{text}"
    );
    // The refused start changed nothing: the first keeps serving and saving.
    assert_eq!(first.get_token(&token).await.status, StatusCode::OK);
    first.sandbox.shutdown().await;

    let second = start_on(&path).await;
    assert_eq!(second.get_token(&token).await.status, StatusCode::OK);
    second.sandbox.shutdown().await;
}
