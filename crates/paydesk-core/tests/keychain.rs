//! A real round trip through the OS keychain (Secret Service on Linux).
//!
//! Ignored by plain `cargo test`: it needs an unlocked keychain. scripts/test.sh runs it inside
//! `dbus-run-session` with gnome-keyring unlocked:
//! `cargo test -p paydesk-core --test keychain -- --ignored`.

use std::sync::Arc;

use paydesk_core::secrets::{KeychainStore, Secret, SecretKind, SecretStore};
use paydesk_core::{Mode, Paydesk};

fn namespace() -> String {
    format!("paydesk-keychain-test-{}", ulid::Ulid::new())
}

#[test]
#[ignore = "needs an unlocked Secret Service: run by scripts/test.sh under dbus-run-session"]
fn secret_survives_a_new_store_and_is_deleted() {
    let service = namespace();
    let store = KeychainStore::new(&service);
    store.check().expect("keychain reachable");
    let account = SecretKind::ApiKey.account(Mode::Test);
    assert_eq!(store.get(&account).unwrap(), None);
    store
        .set(&account, &Secret::new("rn_test_keychain_roundtrip_4321"))
        .unwrap();
    // A second store object (as after an app restart) reads it back from the keychain.
    let again = KeychainStore::new(&service);
    assert_eq!(
        again.get(&account).unwrap().map(|s| s.expose().to_string()),
        Some("rn_test_keychain_roundtrip_4321".to_string())
    );
    // Another namespace never sees it.
    assert_eq!(KeychainStore::new(namespace()).get(&account).unwrap(), None);
    again.delete(&account).unwrap();
    assert_eq!(store.get(&account).unwrap(), None);
}

#[test]
#[ignore = "needs an unlocked Secret Service: run by scripts/test.sh under dbus-run-session"]
fn app_masks_keychain_secrets_and_keeps_them_out_of_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(KeychainStore::new(namespace()));
    let app = Paydesk::open(dir.path(), store.clone()).unwrap();
    let status = app
        .set_secret(SecretKind::ClientId, "cli_nz1bj41szV2fvjm9pbxdIhro3ld4x4")
        .unwrap();
    assert!(status.keychain_available);
    assert_eq!(status.client_id.as_deref(), Some("••••d4x4"));
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("cli_nz1bj41szV2fvjm9pbxdIhro3ld4x4"));
    }
    app.delete_secret(SecretKind::ClientId).unwrap();
    assert_eq!(app.secret_status().client_id, None);
}
