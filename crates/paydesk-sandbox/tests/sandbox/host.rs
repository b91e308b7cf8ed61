//! The Test-mode host: the first call starts a sandbox on the data folder's state and writes
//! `endpoint.json`; a second call on the same folder, while the first runs, attaches to it (same
//! base URL and credentials, not owned); once the owner is gone the next call starts it again
//! from the state file with the same credentials.

use paydesk_sandbox::{Endpoint, TestModeSandbox};

#[test]
fn second_call_attaches_to_the_running_sandbox_and_a_restart_keeps_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox_dir = dir.path().join("sandbox");

    let first = TestModeSandbox::attach_or_start_on(&sandbox_dir, 0).unwrap();
    assert!(first.is_owned());
    assert_eq!(first.base_url().host_str(), Some("127.0.0.1"));
    assert!(first.api_key().starts_with("rn_sandbox_"));
    assert!(sandbox_dir.join("state.json").exists());
    let endpoint: Endpoint =
        serde_json::from_slice(&std::fs::read(sandbox_dir.join("endpoint.json")).unwrap()).unwrap();
    assert_eq!(endpoint.base_url, first.base_url().as_str());
    assert_eq!(endpoint.api_key, first.api_key());
    assert_eq!(endpoint.client_id, first.client_id());
    assert_eq!(endpoint.pid, std::process::id());

    let second = TestModeSandbox::attach_or_start_on(&sandbox_dir, 0).unwrap();
    assert!(!second.is_owned());
    assert_eq!(second.base_url(), first.base_url());
    assert_eq!(second.api_key(), first.api_key());
    assert_eq!(second.client_id(), first.client_id());
    assert_eq!(second.pid(), first.pid());

    let (api_key, client_id) = (first.api_key().to_string(), first.client_id().to_string());
    drop(second);
    drop(first);
    assert!(
        !sandbox_dir.join("endpoint.json").exists(),
        "the owner removes its endpoint"
    );
    let again = TestModeSandbox::attach_or_start_on(&sandbox_dir, 0).unwrap();
    assert!(again.is_owned());
    assert_eq!(again.api_key(), api_key);
    assert_eq!(again.client_id(), client_id);
}

#[test]
fn a_stale_endpoint_of_a_dead_sandbox_is_not_attached_to() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox_dir = dir.path().join("sandbox");
    std::fs::create_dir_all(&sandbox_dir).unwrap();
    // A leftover endpoint.json (the process died) does not matter: the state is free, so the
    // call starts a sandbox of its own and rewrites the endpoint.
    std::fs::write(
        sandbox_dir.join("endpoint.json"),
        r#"{"baseUrl":"http://127.0.0.1:1/","apiKey":"x","clientId":"y","pid":1}"#,
    )
    .unwrap();
    let s = TestModeSandbox::attach_or_start_on(&sandbox_dir, 0).unwrap();
    assert!(s.is_owned());
    let endpoint: Endpoint =
        serde_json::from_slice(&std::fs::read(sandbox_dir.join("endpoint.json")).unwrap()).unwrap();
    assert_eq!(endpoint.base_url, s.base_url().as_str());
}
