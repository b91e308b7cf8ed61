//! Secrets without a keychain: masking, and a keychain that is not reachable.

mod common;

use std::sync::Arc;

use paydesk_core::secrets::{MemoryStore, SecretKind};
use paydesk_core::{ClientInput, ErrorCode, Paydesk};

#[test]
fn unreachable_keychain_is_reported_and_local_data_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::unavailable())).unwrap();
    let info = app.info();
    assert!(!info.keychain.available);
    assert!(info
        .keychain
        .message
        .unwrap()
        .contains("local data still works"));
    let err = app
        .set_secret(SecretKind::ApiKey, "rn_live_abcdefgh")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert!(!err.to_string().contains("abcdefgh"));
    let status = app.secret_status();
    assert!(!status.keychain_available && status.api_key.is_none());
    app.create_client(&ClientInput {
        name: "Still works".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(app.list_clients(None).unwrap().len(), 1);
}

#[test]
fn secrets_are_per_mode_and_masked() {
    let mut b = common::books();
    b.app
        .set_secret(SecretKind::ApiKey, "rn_test_0000aaaa1111")
        .unwrap();
    assert_eq!(b.app.secret_status().api_key.as_deref(), Some("••••1111"));
    b.app.set_mode(paydesk_core::Mode::Live).unwrap();
    assert_eq!(b.app.secret_status().api_key, None);
}
