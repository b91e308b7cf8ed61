//! Starting and stopping: generated or given credentials, the info the CLI prints, and a
//! shutdown that closes the port.

use paydesk_sandbox::{Sandbox, SandboxConfig};

use crate::util::{start, start_with};

#[tokio::test]
async fn info_names_the_base_url_and_credentials() {
    let env = start_with(|c| {
        c.api_key = Some("rn_fixed".into());
        c.client_id = Some("cli_fixed".into());
    })
    .await;
    let info = env.sandbox.info();
    assert_eq!(
        (info.api_key.as_str(), info.client_id.as_str()),
        ("rn_fixed", "cli_fixed")
    );
    let text = info.to_string();
    assert!(
        text.contains(env.sandbox.base_url().as_str())
            && text.contains("rn_fixed")
            && text.contains("cli_fixed")
    );
    let served: serde_json::Value = env
        .http
        .get(env.url("/__sandbox/info"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(served["clientId"], "cli_fixed");
    let generated = start().await;
    assert!(
        generated.sandbox.api_key().starts_with("rn_sandbox_")
            && generated.sandbox.client_id().starts_with("cli_sandbox_")
    );
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let url = sandbox.base_url().join("__sandbox/info").expect("url");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    assert!(http.get(url.clone()).send().await.is_ok());
    sandbox.shutdown().await;
    assert!(
        http.get(url).send().await.is_err(),
        "nothing listens any more"
    );
}

#[tokio::test]
async fn a_taken_port_is_a_bind_error() {
    let first = start().await;
    let port = first.sandbox.base_url().port().expect("port");
    let second = Sandbox::start(SandboxConfig {
        port,
        ..SandboxConfig::default()
    })
    .await;
    assert!(matches!(
        second,
        Err(paydesk_sandbox::SandboxError::Bind { .. })
    ));
    let bad = Sandbox::start(SandboxConfig {
        destination_id: Some("nope".into()),
        ..SandboxConfig::default()
    })
    .await;
    assert!(matches!(bad, Err(paydesk_sandbox::SandboxError::Config(_))));
}
