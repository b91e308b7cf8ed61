//! `paydesk settings ...`, `paydesk profile ...`, and the command line as a whole.

use serde_json::{json, Value};

use crate::util::Books;

#[test]
fn profile_and_settings_change_only_what_is_given() {
    let b = Books::new();
    b.ok("profile set --name 'Ana Designs' --email ana@designs.io");
    let p = b.ok("profile set --tax-id FR999");
    assert_eq!(p["name"], "Ana Designs");
    assert_eq!(p["taxId"], "FR999");
    assert_eq!(b.ok("profile"), p);

    let s = b.ok("settings set --default-currency EUR --terms none");
    assert_eq!(s["defaultCurrency"], "EUR");
    assert_eq!(s["defaultPaymentTermsDays"], Value::Null);
    assert_eq!(s["numberingPattern"], "INV-{YYYY}-{SEQ:4}");
    b.fails("settings set --default-currency DOGE", 3);
    b.fails("settings set --terms soon", 3);
    b.fails("profile set --email not-an-email", 3);
    assert_eq!(b.ok("settings show"), s);
}

#[test]
fn mode_switch_shows_other_books() {
    let b = Books::new();
    b.add_client("Acme");
    assert_eq!(b.ok("settings mode")["mode"], "test");
    assert_eq!(b.ok("settings mode live")["mode"], "live");
    assert_eq!(b.ok("client list"), json!([]));
    b.ok("settings mode test");
    assert_eq!(b.ok("client list").as_array().unwrap().len(), 1);
    b.fails("settings mode staging", 2);
}

#[test]
fn help_documents_the_exit_codes() {
    let b = Books::new();
    let run = b.run("--help");
    assert_eq!(run.code, 0);
    for text in [
        "Exit codes",
        "3  invalid input",
        "4  not found",
        "5  conflict",
        "6  keychain unavailable",
        "7  storage",
    ] {
        assert!(
            run.stdout.contains(text),
            "{text} missing from:\n{}",
            run.stdout
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let b = Books::new();
    b.fails("invoice frobnicate", 2);
    b.fails("invoice create --line 'A;1;1'", 2);
    b.fails(
        "invoice create --client Acme --line 'A;1;1' --from-json x.json",
        2,
    );
    b.fails(
        "invoice create --client Acme --line 'A;1;1' --due-date 2026-12-01 --terms 30",
        2,
    );
}

#[test]
fn an_unusable_data_folder_is_a_storage_error() {
    let b = Books::new();
    let file = b.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let run = b.fails(
        &format!("--json --data-dir '{}' client list", file.display()),
        7,
    );
    assert_eq!(run.error_json()["code"], "storage");
}

#[test]
fn profile_logo_takes_a_png_refuses_other_files_and_clears() {
    let b = Books::new();
    assert_eq!(b.ok("profile logo")["logoPath"], Value::Null);
    let png = b.path().join("logo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n not really decoded here").unwrap();
    let set = b.ok(&format!("profile logo '{}'", png.display()));
    assert_eq!(set["logoPath"], png.display().to_string());
    assert_eq!(b.ok("profile logo"), set);

    let txt = b.path().join("logo.txt");
    std::fs::write(&txt, "hello").unwrap();
    let bad = b.fails(&format!("profile logo '{}'", txt.display()), 3);
    assert!(bad.stderr.contains("logo"), "{}", bad.stderr);
    assert_eq!(b.ok("profile logo"), set);

    assert_eq!(b.ok("profile logo --clear")["logoPath"], Value::Null);
}
