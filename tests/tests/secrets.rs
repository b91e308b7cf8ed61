//! Credentials set through the CLI are masked in every output, never reach SQLite, and belong
//! to one mode; without a keychain only `secret set` fails.

use paydesk_core::secrets::{MemoryStore, SecretKind, SecretStore};
use paydesk_core::Mode;

use crate::util::Books;

const API_KEY: &str = "rn_test_Sup3rSecretApiKey_8c1f4e";
const CLIENT_ID: &str = "rn_client_An0therSecret_77aa";

/// What the user may see of `secret`: the last four characters.
fn masked(secret: &str) -> String {
    format!("••••{}", &secret[secret.len() - 4..])
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn secrets_set_through_the_cli_are_masked_everywhere_and_never_in_sqlite() {
    let b = Books::new();
    // Held open so the WAL keeps every write made below (the last connection to close would
    // checkpoint it into the main file and delete it).
    let _open = b.core();
    b.cli_json("client add --name Acme");
    b.cli_json("invoice create --client Acme --issue-date 2026-11-21 --line A;1;1");

    for (kind, value) in [("api-key", API_KEY), ("client-id", CLIENT_ID)] {
        for flag in ["", "--json"] {
            let line = format!("{flag} secret set {kind}");
            let run = b.cli_with_stdin(&line, format!("{value}\r\n").as_bytes());
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(!run.stdout.contains(value) && !run.stderr.contains(value));
        }
    }
    // The values really are in the keychain, exactly as typed (line ending dropped).
    let stored = b
        .secrets
        .get(&SecretKind::ApiKey.account(Mode::Test))
        .unwrap()
        .unwrap();
    assert_eq!(stored.expose(), API_KEY);

    let mut printed = String::new();
    let commands = [
        "secret status",
        "info",
        "settings",
        "settings mode",
        "profile",
        "client list",
        "invoice list",
        "invoice show INV-2026-0001",
    ];
    for command in commands {
        for flag in ["", "--json"] {
            let run = b.cli(&format!("{flag} {command}"));
            assert_eq!(run.code, 0, "{command}: {}", run.stderr);
            printed.push_str(&run.stdout);
            printed.push_str(&run.stderr);
        }
    }
    assert!(!printed.contains(API_KEY) && !printed.contains(CLIENT_ID));
    let status = b.cli_json("secret status");
    assert_eq!(status["apiKey"], masked(API_KEY));
    assert_eq!(status["clientId"], masked(CLIENT_ID));

    // Not in any file of the data folder: database, WAL, shared memory, mode file.
    let mut wal_bytes = 0;
    for entry in std::fs::read_dir(b.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if path.to_string_lossy().ends_with("-wal") {
            wal_bytes += bytes.len();
        }
        for secret in [API_KEY, CLIENT_ID] {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{secret} found in {}",
                path.display()
            );
        }
    }
    assert!(wal_bytes > 0, "expected the WAL to hold the recent writes");
}

#[test]
fn credentials_belong_to_one_mode() {
    let b = Books::new();
    let run = b.cli_with_stdin("secret set api-key", format!("{API_KEY}\n").as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    b.cli_json("settings mode live");
    assert_eq!(
        b.cli_json("secret status")["apiKey"],
        serde_json::Value::Null
    );
    b.cli_json("settings mode test");
    assert!(b.cli_json("secret status")["apiKey"].is_string());
    let deleted = b.cli_json("secret delete api-key");
    assert_eq!(deleted["apiKey"], serde_json::Value::Null);
}

#[test]
fn without_a_keychain_only_saving_a_secret_fails() {
    let b = Books::with_keychain(MemoryStore::unavailable());
    let run = b.cli_with_stdin("secret set api-key", format!("{API_KEY}\n").as_bytes());
    assert_eq!(run.code, 6);
    assert_eq!(
        run.stderr,
        "error: keychain unavailable: no keychain is reachable (simulated)\n"
    );
    assert!(run.stdout.is_empty());
    let run = b.cli_with_stdin("--json secret set client-id", CLIENT_ID.as_bytes());
    assert_eq!(run.code, 6);
    let err: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(err["code"], "keychain_unavailable");
    assert!(!run.stderr.contains(CLIENT_ID));

    let status = b.cli_json("secret status");
    assert_eq!(status["keychainAvailable"], false);
    assert!(status["message"]
        .as_str()
        .unwrap()
        .contains("local data still works"));
    let human = b.cli("secret status");
    assert_eq!(human.code, 0);
    assert!(
        human.stdout.starts_with("warning: keychain unavailable"),
        "{}",
        human.stdout
    );
    assert_eq!(b.cli_json("info")["keychain"]["available"], false);

    // Local data is untouched by the missing keychain.
    b.cli_json("client add --name Acme");
    let inv = b.cli_json("invoice create --client Acme --line A;1;1");
    assert_eq!(inv["status"], "draft");
}

#[test]
fn an_empty_secret_is_invalid_input() {
    let b = Books::new();
    let run = b.cli_with_stdin("secret set api-key", b"\n");
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (3, "error: secret: is required\n")
    );
    let run = b.cli_with_stdin("secret set api-key", b"two words\n");
    assert_eq!(run.code, 3);
    assert!(!run.stderr.contains("two words"));
}
