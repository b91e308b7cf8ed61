//! `paydesk secret ...`: values only from stdin, only masked in output, and a clear exit 6 when
//! no keychain is reachable (plain `cargo test` usually has no Secret Service; both outcomes are
//! checked for what they must guarantee).

use serde_json::Value;

use crate::util::Books;

#[test]
fn secret_set_reads_stdin_and_never_echoes_the_value() {
    let b = Books::new();
    let value = format!("rn_test_{}", ulid::Ulid::new());
    let run = b.run_with_stdin("secret set api-key", format!("{value}\n").as_bytes());
    assert!(!run.stdout.contains(&value) && !run.stderr.contains(&value));
    match run.code {
        0 => {
            let masked = format!("••••{}", &value[value.len() - 4..]);
            let status = b.ok("secret status");
            assert_eq!(status["keychainAvailable"], true);
            assert_eq!(status["apiKey"], masked.as_str());
            assert_eq!(status["clientId"], Value::Null);
            let human = b.run("secret status");
            assert!(human.stdout.contains(&masked) && !human.stdout.contains(&value));
            assert_eq!(b.ok("secret delete api-key")["apiKey"], Value::Null);
        }
        6 => {
            assert!(
                run.stderr.starts_with("error: keychain unavailable: "),
                "{}",
                run.stderr
            );
            assert_eq!(run.stderr.lines().count(), 1);
            let status = b.ok("secret status");
            assert_eq!(status["keychainAvailable"], false);
            assert!(status["message"]
                .as_str()
                .unwrap()
                .contains("keychain unavailable"));
            let human = b.run("secret status");
            assert_eq!(human.code, 0);
            assert!(
                human.stdout.starts_with("warning: keychain unavailable"),
                "{}",
                human.stdout
            );
            // Everything else still works on local data.
            b.add_client("Acme");
            b.add_invoice("Acme", "A;1;1");
        }
        other => panic!("secret set exited {other}: {}", run.stderr),
    }
}

#[test]
fn a_secret_given_as_an_argument_is_refused_without_echo() {
    let b = Books::new();
    let value = format!("rn_test_{}", ulid::Ulid::new());
    let run = b.fails(&format!("secret set api-key {value}"), 3);
    assert!(run.stderr.starts_with("error: secret: "), "{}", run.stderr);
    assert!(!run.stdout.contains(&value) && !run.stderr.contains(&value));
}
