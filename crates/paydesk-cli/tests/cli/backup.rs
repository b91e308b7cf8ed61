//! `paydesk backup ...`: an encrypted backup made and restored with the passphrase on stdin.

use crate::util::Books;

const PASSPHRASE: &[u8] = b"correct horse battery\n";

#[test]
fn backup_create_then_restore_brings_the_books_back() {
    let b = Books::new();
    b.add_client("Acme");
    b.add_invoice("Acme", "Design;2;100");
    let before = b.snapshot();
    let file = b.path().join("books.paydesk-backup");
    let file = file.to_str().unwrap();

    let made = b.run_with_stdin(&format!("--json backup create -o {file}"), PASSPHRASE);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let made: serde_json::Value = serde_json::from_str(&made.stdout).unwrap();
    assert_eq!(made["manifest"]["mode"], "test");
    assert_eq!(made["manifest"]["includesSecrets"], false);
    assert!(!made.to_string().contains("correct horse"));

    let seen = b.run_with_stdin(&format!("backup inspect {file}"), PASSPHRASE);
    assert_eq!(seen.code, 0, "{}", seen.stderr);
    assert!(seen.stdout.contains("not included"), "{}", seen.stdout);

    b.add_client("Added after the backup");
    assert_ne!(b.snapshot(), before);

    // Without a terminal, restoring needs --yes; nothing changes without it.
    let refused = b.run_with_stdin(&format!("backup restore {file}"), PASSPHRASE);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);

    let wrong = b.run_with_stdin(
        &format!("backup restore {file} --yes"),
        b"wrong horse battery\n",
    );
    assert_eq!(wrong.code, 3, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("passphrase is wrong"),
        "{}",
        wrong.stderr
    );

    let restored = b.run_with_stdin(&format!("backup restore {file} --yes"), PASSPHRASE);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert!(
        restored.stdout.contains("Restored the test books"),
        "{}",
        restored.stdout
    );
    assert_eq!(b.snapshot(), before);
}

#[test]
fn a_short_passphrase_is_refused_and_nothing_is_written() {
    let b = Books::new();
    let file = b.path().join("x.bak");
    let run = b.run_with_stdin(
        &format!("backup create -o {}", file.to_str().unwrap()),
        b"short\n",
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: passphrase: "),
        "{}",
        run.stderr
    );
    assert!(!file.exists());
}

#[test]
fn backup_list_shows_no_automatic_backups_in_new_books() {
    let b = Books::new();
    assert_eq!(b.ok("backup list"), serde_json::json!([]));
    let human = b.run("backup list");
    assert_eq!(human.code, 0);
    assert!(
        human.stdout.contains("No automatic backups"),
        "{}",
        human.stdout
    );
}

#[test]
fn damaged_books_name_the_way_back_and_restore_auto_takes_it() {
    let b = Books::new();
    b.add_client("Acme");
    b.add_invoice("Acme", "Design;2;100");
    let before = b.snapshot();
    let auto = b.ok("backup auto");
    assert_eq!(auto["created"], true);
    assert_eq!(b.ok("backup auto")["created"], false);

    let db = b.path().join("paydesk-test.sqlite3");
    let mut bytes = std::fs::read(&db).unwrap();
    for (i, byte) in bytes[4096..].iter_mut().enumerate() {
        *byte = (i * 7 + 13) as u8;
    }
    std::fs::write(&db, bytes).unwrap();

    let broken = b.fails("client list", 7);
    assert!(
        broken.stderr.contains("paydesk backup restore-auto"),
        "{}",
        broken.stderr
    );
    let list = b.ok("backup list");
    let name = list[0]["fileName"].as_str().unwrap().to_string();
    assert!(name.starts_with("paydesk-test-"), "{name}");
    let human = b.run("backup list");
    assert!(human.stdout.contains(&name), "{}", human.stdout);

    let restored = b.run(&format!("backup restore-auto {name} --yes"));
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(b.snapshot(), before);
}
