//! Backups on real SQLite files: encrypted backup and restore, refusal of wrong passphrases and
//! changed or cut files (with the books left byte for byte as they were), secrets only on
//! request, the atomic writer on a full disk, daily backups with retention, and the integrity
//! checks on open.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{Days, TimeZone, Utc};
use paydesk_core::backup::BackupOptions;
use paydesk_core::backup::{self, format, restore, KdfParams};
use paydesk_core::clock::FixedClock;
use paydesk_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore};
use paydesk_core::{ClientInput, ErrorCode, InvoiceQuery, Mode, Paydesk};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use common::{books, client, invoice_input, Books};

fn pass() -> Secret {
    Secret::new("correct horse battery")
}

/// Fast KDF: these tests open many backups.
fn quick(include_secrets: bool) -> BackupOptions {
    BackupOptions {
        include_secrets,
        kdf: KdfParams::insecure_for_tests(),
        ..BackupOptions::default()
    }
}

/// Everything the books show: clients, the invoice list, each invoice in full, settings.
fn everything(app: &mut Paydesk) -> serde_json::Value {
    let query = InvoiceQuery {
        limit: 100,
        ..Default::default()
    };
    let page = app.list_invoices(&query).unwrap();
    let invoices: Vec<_> = page
        .items
        .iter()
        .map(|s| serde_json::to_value(app.invoice(&s.id).unwrap()).unwrap())
        .collect();
    serde_json::json!({
        "clients": app.list_clients(None).unwrap(),
        "page": page,
        "invoices": invoices,
        "settings": app.settings().unwrap(),
        "profile": app.profile().unwrap(),
    })
}

fn sha256_file(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Books with a few clients and invoices.
fn filled_books() -> Books {
    let mut b = books();
    for name in ["Acme Studio", "Globex", "Initech"] {
        let c = client(&mut b.app, name);
        for day in ["2026-11-01", "2026-11-10"] {
            b.app.create_invoice(&invoice_input(&c, day)).unwrap();
        }
    }
    b
}

fn integrity_ok(path: &Path) {
    let conn = Connection::open(path).unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(result, "ok");
}

/// The decrypted payload bytes of a backup, whole.
fn decrypted_payload(file: &[u8], passphrase: &Secret) -> Vec<u8> {
    let mut payload = Vec::new();
    format::open_payload(file, passphrase)
        .unwrap()
        .read_to_end(&mut payload)
        .unwrap();
    payload
}

/// A format 2 file for `manifest` (hash and size filled in), `secrets` and the database file.
fn seal_v2(
    manifest: &mut backup::Manifest,
    secrets: &std::collections::BTreeMap<String, Secret>,
    database: &Path,
) -> Vec<u8> {
    let kdf = KdfParams::insecure_for_tests();
    let sealer = format::Sealer::new(manifest, secrets, database, &pass(), kdf, 64 * 1024).unwrap();
    let mut out = Vec::new();
    sealer.write_to(&mut out).unwrap();
    out
}

/// Decrypt the backup `file` and write the database inside to `database`.
fn extract(file: &Path, database: &Path) -> backup::OpenedBackup {
    restore::extract_backup(file, &pass(), database, &mut |_| Ok(()))
        .unwrap()
        .1
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Not a single stray (hidden temp or candidate) file left beside the books.
fn assert_no_stray_files(dir: &std::path::Path) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn restore_brings_back_exactly_the_books_that_were_backed_up() {
    let mut b = filled_books();
    let before = everything(&mut b.app);
    let file = b.dir.path().join("books.paydesk-backup");
    // The real KDF cost, once.
    let info = b.app.create_backup(&file, &pass(), false).unwrap();
    assert_eq!(info.manifest.mode, Mode::Test);
    assert!(!info.manifest.includes_secrets);
    assert_eq!(
        info.manifest.schema_version,
        paydesk_core::store::latest_schema_version()
    );
    assert_eq!(info.file_bytes, std::fs::metadata(&file).unwrap().len());

    // Change and add things after the backup.
    let first = b.app.list_clients(None).unwrap()[0].id.clone();
    b.app
        .update_client(
            &first,
            &ClientInput {
                name: "Renamed".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let later = client(&mut b.app, "Added later");
    let added = b
        .app
        .create_invoice(&invoice_input(&later, "2026-11-20"))
        .unwrap();
    let some = b.app.list_invoices(&InvoiceQuery::default()).unwrap().items[0]
        .id
        .clone();
    b.app.void_invoice(&some).unwrap();
    assert_ne!(everything(&mut b.app), before);

    let restored = b.app.restore_backup(&file, &pass()).unwrap();
    assert_eq!(restored.info.manifest, info.manifest);
    assert_eq!(everything(&mut b.app), before);
    assert!(b.app.invoice(&added.id).is_err());
    integrity_ok(b.app.database_path());
    // The old database was only kept until the new one opened.
    let leftovers: Vec<_> = std::fs::read_dir(b.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("before-restore") || n.starts_with(".restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // ... and then kept in the backups folder, listed, so the restore can be undone.
    let previous = restored.previous.expect("the replaced books were kept");
    assert_eq!(
        previous.parent(),
        Some(b.dir.path().join("backups").as_path())
    );
    let listed = b.app.list_auto_backups().unwrap();
    let kept = listed.iter().find(|a| a.path == previous).expect("listed");
    assert_eq!(kept.kind, paydesk_core::backup::AutoBackupKind::PreRestore);
    assert!(kept.created_at.is_some());

    // A fresh engine on the folder sees the restored books too.
    let reopened = Paydesk::open(b.dir.path(), Arc::new(MemoryStore::new()));
    assert_eq!(everything(&mut reopened.unwrap()), before);
}

#[test]
fn inspect_reads_the_manifest_without_changing_anything() {
    let mut b = filled_books();
    let file = b.dir.path().join("b.bak");
    let made = b
        .app
        .create_backup_with(&file, &pass(), &quick(false))
        .unwrap();
    let db_hash = sha256_file(b.app.database_path());
    let seen = b.app.inspect_backup(&file, &pass()).unwrap();
    assert_eq!(seen, made);
    assert_eq!(sha256_file(b.app.database_path()), db_hash);
}

#[test]
fn a_short_passphrase_is_refused() {
    let mut b = books();
    let err = b
        .app
        .create_backup(&b.dir.path().join("x"), &Secret::new("short"), false)
        .unwrap_err();
    assert_eq!(err.field(), Some("passphrase"));
    assert!(!b.dir.path().join("x").exists());
}

#[test]
fn a_backup_taken_while_another_connection_writes_is_consistent() {
    let mut b = books();
    let c = client(&mut b.app, "Busy client");
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (dir, stop, c) = (b.dir.path().to_path_buf(), stop.clone(), c.clone());
        std::thread::spawn(move || {
            let mut app = Paydesk::open(&dir, Arc::new(MemoryStore::new())).unwrap();
            let mut written = 0u64;
            while !stop.load(Ordering::Relaxed) || written < 30 {
                app.create_invoice(&invoice_input(&c, "2026-11-01"))
                    .unwrap();
                written += 1;
            }
            written
        })
    };
    let mut seen = Vec::new();
    for i in 0..4 {
        std::thread::sleep(std::time::Duration::from_millis(30));
        let file = b.dir.path().join(format!("during-{i}.bak"));
        b.app
            .create_backup_with(&file, &pass(), &quick(false))
            .unwrap();
        let db = b.dir.path().join(format!("during-{i}.sqlite3"));
        extract(&file, &db);
        integrity_ok(&db);
        let conn = Connection::open(&db).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        let invoices = count("SELECT count(*) FROM invoices");
        // Each invoice is written in one transaction with its one line and its search row:
        // a torn copy would show them out of step.
        assert_eq!(count("SELECT count(*) FROM invoice_lines"), invoices);
        assert_eq!(count("SELECT count(*) FROM invoice_numbers"), invoices);
        seen.push(invoices);
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap() as i64;
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(*seen.last().unwrap() <= written);
}

/// Books, a backup of them, and the database's hash, for the refusal tests.
fn books_with_backup() -> (Books, PathBuf, Vec<u8>) {
    let mut b = filled_books();
    let file = b.dir.path().join("books.bak");
    b.app
        .create_backup_with(&file, &pass(), &quick(true))
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    (b, file, bytes)
}

/// Restoring `bytes` fails with an input error and leaves the books as they were.
fn refused_untouched(b: &mut Books, bytes: &[u8], what: &str) -> String {
    let db = b.app.database_path().to_path_buf();
    let (hash, shown) = (sha256_file(&db), everything(&mut b.app));
    let file = b.dir.path().join("changed.bak");
    std::fs::write(&file, bytes).unwrap();
    let err = b.app.restore_backup(&file, &pass()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{what}: {err}");
    assert_eq!(sha256_file(&db), hash, "{what}: the database file changed");
    assert_eq!(everything(&mut b.app), shown, "{what}");
    err.to_string()
}

#[test]
fn a_wrong_passphrase_is_refused() {
    let (mut b, file, _) = books_with_backup();
    let err = b
        .app
        .restore_backup(&file, &Secret::new("wrong horse battery"))
        .unwrap_err();
    assert_eq!(err.field(), Some("passphrase"));
    assert!(err.to_string().contains("passphrase is wrong"), "{err}");
    assert!(b
        .app
        .inspect_backup(&file, &Secret::new("nope nope nope"))
        .is_err());
}

#[test]
fn one_flipped_byte_anywhere_is_refused_and_the_books_stay_untouched() {
    let (mut b, _, bytes) = books_with_backup();
    let len = bytes.len();
    let mut positions: Vec<usize> = (0..format::HEADER_LEN).collect();
    positions.extend([
        format::HEADER_LEN,
        format::HEADER_LEN + 1,
        len / 2,
        len - 17,
    ]);
    positions.extend(len - 16..len); // the tag
    for at in positions {
        let mut changed = bytes.clone();
        changed[at] ^= 0x01;
        refused_untouched(&mut b, &changed, &format!("bit flip at byte {at}"));
    }
    assert_no_stray_files(b.dir.path());
}

#[test]
fn a_cut_file_is_refused() {
    let (mut b, _, bytes) = books_with_backup();
    for keep in [
        0,
        10,
        15,
        format::HEADER_LEN,
        format::HEADER_LEN + 20,
        bytes.len() - 1,
    ] {
        let msg = refused_untouched(&mut b, &bytes[..keep], &format!("cut to {keep} bytes"));
        assert!(
            msg.contains("cut") || msg.contains("not a Paydesk backup"),
            "{keep}: {msg}"
        );
    }
}

#[test]
fn a_backup_from_a_newer_paydesk_is_refused() {
    let (mut b, _, bytes) = books_with_backup();
    let inside = b.dir.path().join("inside.sqlite3");
    let opened = extract(&b.dir.path().join("books.bak"), &inside);
    let latest = paydesk_core::store::latest_schema_version();

    // A newer schema in the manifest.
    let mut m = opened.manifest.clone();
    m.schema_version = latest + 1;
    let sealed = seal_v2(&mut m, &opened.secrets, &inside);
    let msg = refused_untouched(&mut b, &sealed, "newer schema");
    assert!(msg.contains("newer Paydesk"), "{msg}");

    // A newer payload format in the manifest.
    let mut m = opened.manifest.clone();
    m.format_version = format::FORMAT_VERSION + 1;
    let sealed = seal_v2(&mut m, &opened.secrets, &inside);
    let msg = refused_untouched(&mut b, &sealed, "newer manifest format");
    assert!(msg.contains("newer Paydesk"), "{msg}");

    // A newer file format in the header: refused before any key is derived.
    let mut newer = bytes.clone();
    newer[14..16].copy_from_slice(&(format::FORMAT_VERSION + 1).to_le_bytes());
    let msg = refused_untouched(&mut b, &newer, "newer header format");
    assert!(msg.contains("newer Paydesk"), "{msg}");

    // A database inside that is newer than its manifest says.
    Connection::open(&inside)
        .unwrap()
        .pragma_update(None, "user_version", latest + 1)
        .unwrap();
    let mut m = opened.manifest.clone();
    let sealed = seal_v2(&mut m, &opened.secrets, &inside);
    let msg = refused_untouched(&mut b, &sealed, "newer embedded database");
    assert!(msg.contains("newer Paydesk"), "{msg}");
}

/// An engine whose secret store the test keeps, with a known API key and webhook path.
fn books_with_secrets() -> (tempfile::TempDir, Arc<MemoryStore>, Paydesk) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap(),
    ));
    let mut app = Paydesk::open_with_clock(dir.path(), store.clone(), clock).unwrap();
    client(&mut app, "Acme");
    app.set_secret(SecretKind::ApiKey, "rn_test_KNOWN_API_KEY_0123456789")
        .unwrap();
    store
        .set(
            &SecretKind::WebhookPath.account(Mode::Test),
            &Secret::new("KNOWN_WEBHOOK_PATH_abcdef"),
        )
        .unwrap();
    (dir, store, app)
}

#[test]
fn secrets_stay_out_of_a_backup_unless_asked_for() {
    let (dir, _, mut app) = books_with_secrets();
    let file = dir.path().join("plain.bak");
    let info = app
        .create_backup_with(&file, &pass(), &quick(false))
        .unwrap();
    assert!(!info.manifest.includes_secrets && info.secret_names.is_empty());
    let payload = decrypted_payload(&std::fs::read(&file).unwrap(), &pass());
    assert!(
        contains(&payload, b"SQLite format 3"),
        "the scan sees the payload"
    );
    for value in [
        "rn_test_KNOWN_API_KEY_0123456789",
        "KNOWN_WEBHOOK_PATH_abcdef",
    ] {
        assert!(!contains(&payload, value.as_bytes()), "{value} leaked");
    }
}

#[test]
fn secrets_asked_for_are_inside_and_come_back_on_restore() {
    let (dir, store, mut app) = books_with_secrets();
    let file = dir.path().join("with-secrets.bak");
    let info = app
        .create_backup_with(&file, &pass(), &quick(true))
        .unwrap();
    assert!(info.manifest.includes_secrets);
    assert_eq!(info.secret_names, ["request-api-key", "webhook-path"]);
    let bytes = std::fs::read(&file).unwrap();
    assert!(!contains(&bytes, b"KNOWN_API_KEY"), "encrypted on disk");
    let payload = decrypted_payload(&bytes, &pass());
    assert!(contains(&payload, b"rn_test_KNOWN_API_KEY_0123456789"));

    app.delete_secret(SecretKind::ApiKey).unwrap();
    store
        .delete(&SecretKind::WebhookPath.account(Mode::Test))
        .unwrap();
    app.restore_backup(&file, &pass()).unwrap();
    let get = |kind: SecretKind| store.get(&kind.account(Mode::Test)).unwrap();
    assert_eq!(
        get(SecretKind::ApiKey).unwrap().expose(),
        "rn_test_KNOWN_API_KEY_0123456789"
    );
    assert_eq!(
        get(SecretKind::WebhookPath).unwrap().expose(),
        "KNOWN_WEBHOOK_PATH_abcdef"
    );
    assert_eq!(get(SecretKind::ClientId), None);
}

#[test]
fn a_full_disk_leaves_the_target_untouched_and_no_temp_file() {
    let (b, file, bytes) = books_with_backup();
    let err = paydesk_core::fsutil::write_atomically_with(&file, b"a newer backup", |f, data| {
        use std::io::Write;
        f.write_all(&data[..4])?;
        Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
    })
    .unwrap_err();
    assert!(err.to_string().contains("disk is full"), "{err}");
    assert_eq!(err.code(), ErrorCode::Storage);
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    let temps: Vec<_> = std::fs::read_dir(b.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
}

#[test]
fn a_backup_of_the_other_mode_is_refused() {
    let (mut b, file, _) = books_with_backup();
    b.app.set_mode(Mode::Live).unwrap();
    let err = b.app.restore_backup(&file, &pass()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert!(err.to_string().contains("switch to test mode"), "{err}");
}

#[test]
fn daily_backups_are_taken_once_a_day_and_pruned_to_7_daily_and_4_weekly() {
    let mut b = filled_books();
    // Thursday 2026-01-01 to Monday 2026-02-09.
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    for day in 0..40u64 {
        let now = start + Days::new(day);
        let made = b.app.auto_backup_if_due(now).unwrap();
        assert!(made.is_some(), "day {day}");
        let later = now + chrono::Duration::hours(10);
        assert_eq!(b.app.auto_backup_if_due(later).unwrap(), None, "day {day}");
        let kept = b.app.list_auto_backups().unwrap().len();
        assert!(kept <= 11, "day {day}: {kept} kept");
    }
    let names: Vec<String> = b
        .app
        .list_auto_backups()
        .unwrap()
        .into_iter()
        .map(|a| a.file_name)
        .collect();
    let expected: Vec<String> = [
        "2026-02-09", // the last 7 days: Tue 3 .. Mon 9 (also the newest of this week)
        "2026-02-08", // also the newest of the week of Feb 2
        "2026-02-07",
        "2026-02-06",
        "2026-02-05",
        "2026-02-04",
        "2026-02-03",
        "2026-02-01", // newest of the week of Jan 26
        "2026-01-25", // newest of the week of Jan 19
    ]
    .iter()
    .map(|d| format!("paydesk-test-{d}.sqlite3"))
    .collect();
    assert_eq!(names, expected);
    // Each one is a sound, complete copy of the books.
    let newest = b.dir.path().join("backups").join(&expected[0]);
    integrity_ok(&newest);
    let conn = Connection::open(&newest).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM invoices", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 6);
}

/// Overwrite every page but the first with garbage.
fn damage(db: &Path) {
    let mut bytes = std::fs::read(db).unwrap();
    assert!(bytes.len() > 3 * 4096, "the file has pages to damage");
    for (i, byte) in bytes[4096..].iter_mut().enumerate() {
        *byte = (i * 7 + 13) as u8;
    }
    std::fs::write(db, bytes).unwrap();
}

#[test]
fn a_damaged_database_is_refused_with_the_way_back_and_restore_auto_recovers_it() {
    let mut b = filled_books();
    let before = everything(&mut b.app);
    let daily = b.app.auto_backup_if_due(Utc::now()).unwrap().unwrap();
    let db = b.app.database_path().to_path_buf();
    let Books { dir, app } = b;
    drop(app); // the last connection folds the WAL into the file
    damage(&db);

    let err = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.code(), ErrorCode::Storage, "{msg}");
    assert!(msg.contains(&db.display().to_string()), "{msg}");
    assert!(msg.contains("paydesk backup restore-auto"), "{msg}");
    assert!(
        msg.contains(&dir.path().join("backups").display().to_string()),
        "{msg}"
    );

    // The way back works without opening the damaged books.
    let clock = Arc::new(paydesk_core::clock::SystemClock);
    let name = daily.file_name().unwrap();
    restore::restore_auto_backup(dir.path(), Mode::Test, Path::new(name), clock).unwrap();
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).unwrap();
    assert_eq!(everything(&mut app), before);
}

#[test]
fn restore_auto_through_the_facade_replaces_the_books() {
    let mut b = filled_books();
    let before = everything(&mut b.app);
    let daily = b.app.auto_backup_if_due(Utc::now()).unwrap().unwrap();
    client(&mut b.app, "After the backup");
    let restored = b.app.restore_auto_backup(&daily).unwrap();
    assert_eq!(restored.source, daily);
    assert_eq!(everything(&mut b.app), before);
}

#[test]
fn upgrading_an_older_database_first_saves_a_pre_migration_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = paydesk_core::app::database_path(dir.path(), Mode::Test);
    let older = paydesk_core::store::latest_schema_version() - 1;
    {
        let mut conn = Connection::open(&db).unwrap();
        paydesk_core::store::migrate_to_version(&mut conn, older as usize).unwrap();
        conn.execute(
            "INSERT INTO clients VALUES ('c1', 'Old client', '', '', '', '', 't', 't')",
            [],
        )
        .unwrap();
    }
    let mut app = Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).unwrap();
    assert_eq!(app.list_clients(None).unwrap()[0].name, "Old client");

    let snapshots: Vec<_> = app
        .list_auto_backups()
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == backup::AutoBackupKind::PreMigration)
        .collect();
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    assert!(
        snapshots[0]
            .file_name
            .starts_with(&format!("paydesk-test-pre-migration-v{older}-")),
        "{}",
        snapshots[0].file_name
    );
    let conn = Connection::open(&snapshots[0].path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, older);
    let name: String = conn
        .query_row("SELECT name FROM clients", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Old client");

    // Opening the now current database takes no further snapshot.
    drop(app);
    Paydesk::open(dir.path(), Arc::new(MemoryStore::new())).unwrap();
    let count = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .count();
    assert_eq!(count, 1);
}

// Format 2: the database is encrypted in chunks, never held whole in memory.

/// Chunk size of the chunked-format tests: small, so small books make many chunks.
const SMALL_CHUNK: usize = 4096;

/// Books, a backup of them in 4 KiB chunks, and the file's bytes.
fn books_with_chunked_backup() -> (Books, Vec<u8>) {
    let mut b = filled_books();
    let file = b.dir.path().join("chunked.bak");
    let options = BackupOptions {
        chunk_size: SMALL_CHUNK as u32,
        ..quick(true)
    };
    b.app.create_backup_with(&file, &pass(), &options).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    (b, bytes)
}

/// Where chunk `i` starts in a file of [`SMALL_CHUNK`] chunks.
fn chunk_at(i: usize) -> usize {
    format::HEADER_LEN + i * (SMALL_CHUNK + 16)
}

#[test]
fn a_database_of_many_chunks_round_trips() {
    let mut b = filled_books();
    // 400 KiB that do not compress: more than 6 chunks of 64 KiB.
    let blob: Vec<u8> = (0..400 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    {
        let conn = Connection::open(b.app.database_path()).unwrap();
        conn.execute_batch("CREATE TABLE test_blob (b BLOB)")
            .unwrap();
        conn.execute("INSERT INTO test_blob VALUES (?1)", [&blob])
            .unwrap();
    }
    let before = everything(&mut b.app);
    let db_bytes = std::fs::metadata(b.app.database_path()).unwrap().len();
    let file = b.dir.path().join("big.bak");
    let info = b
        .app
        .create_backup_with(&file, &pass(), &quick(false))
        .unwrap();
    assert_eq!(info.manifest.format_version, 2);
    assert!(info.manifest.database_bytes >= db_bytes.min(400 * 1024));
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[14..16], &2u16.to_le_bytes());
    let chunks = (bytes.len() - format::HEADER_LEN).div_ceil(64 * 1024 + 16);
    assert!(chunks > 3, "{chunks} chunks");
    assert!(!contains(&bytes, &blob[..64]), "encrypted on disk");

    client(&mut b.app, "Added later");
    assert_eq!(b.app.inspect_backup(&file, &pass()).unwrap(), info);
    let restored = b.app.restore_backup(&file, &pass()).unwrap();
    assert_eq!(restored.info.manifest, info.manifest);
    assert_eq!(everything(&mut b.app), before);
    let conn = Connection::open(b.app.database_path()).unwrap();
    let back: Vec<u8> = conn
        .query_row("SELECT b FROM test_blob", [], |r| r.get(0))
        .unwrap();
    assert_eq!(back, blob);
}

#[test]
fn a_chunked_backup_cut_at_or_inside_a_chunk_is_refused() {
    let (mut b, bytes) = books_with_chunked_backup();
    let chunks = (bytes.len() - format::HEADER_LEN).div_ceil(SMALL_CHUNK + 16);
    assert!(chunks > 3, "{chunks} chunks");
    for keep in [
        chunk_at(1),
        chunk_at(chunks - 1),
        chunk_at(1) + 100,
        chunk_at(chunks - 2) + SMALL_CHUNK / 2,
        bytes.len() - 1,
    ] {
        let msg = refused_untouched(&mut b, &bytes[..keep], &format!("cut to {keep} bytes"));
        assert!(msg.contains("cut"), "{keep}: {msg}");
    }
}

#[test]
fn a_changed_or_reordered_chunk_is_refused() {
    let (mut b, bytes) = books_with_chunked_backup();
    let chunks = (bytes.len() - format::HEADER_LEN).div_ceil(SMALL_CHUNK + 16);
    assert!(chunks > 3, "{chunks} chunks");
    let flips = [
        ("the salt in the header", 30),
        ("the nonce prefix in the header", 50),
        ("the chunk size in the header", 64),
        ("a middle chunk", chunk_at(chunks / 2) + 10),
        ("a middle chunk's tag", chunk_at(chunks / 2) - 1),
        ("the last chunk", chunk_at(chunks - 1) + 1),
        ("the last tag", bytes.len() - 1),
    ];
    for (what, at) in flips {
        let mut changed = bytes.clone();
        changed[at] ^= 0x01;
        let msg = refused_untouched(&mut b, &changed, what);
        assert!(msg.contains("passphrase is wrong"), "{what}: {msg}");
    }
    let (one, two) = (chunk_at(1)..chunk_at(2), chunk_at(2)..chunk_at(3));
    let mut swapped = bytes.clone();
    swapped[one.clone()].copy_from_slice(&bytes[two.clone()]);
    swapped[two].copy_from_slice(&bytes[one.clone()]);
    refused_untouched(&mut b, &swapped, "swapped chunks");
    let mut repeated = bytes[..chunk_at(2)].to_vec();
    repeated.extend_from_slice(&bytes[one]);
    repeated.extend_from_slice(&bytes[chunk_at(2)..]);
    refused_untouched(&mut b, &repeated, "a repeated chunk");

    let file = b.dir.path().join("chunked.bak");
    let err = b
        .app
        .restore_backup(&file, &Secret::new("wrong horse battery"))
        .unwrap_err();
    assert!(err.to_string().contains("passphrase is wrong"), "{err}");
    assert_no_stray_files(b.dir.path());
}

#[test]
fn a_format_1_backup_still_restores() {
    let (mut b, file, _) = books_with_backup();
    let before = everything(&mut b.app);
    let inside = b.dir.path().join("inside.sqlite3");
    let opened = extract(&file, &inside);
    let mut m = opened.manifest.clone();
    m.format_version = 1;
    let payload =
        format::encode_payload_v1(&mut m, &opened.secrets, &std::fs::read(&inside).unwrap());
    let v1 = format::seal_v1(&payload, &pass(), KdfParams::insecure_for_tests()).unwrap();
    assert_eq!(&v1[14..16], &1u16.to_le_bytes());
    let old = b.dir.path().join("old.bak");
    std::fs::write(&old, &v1).unwrap();

    client(&mut b.app, "Added later");
    let restored = b.app.restore_backup(&old, &pass()).unwrap();
    assert_eq!(restored.info.manifest, m);
    assert!(restored.info.secret_names.is_empty());
    assert_eq!(everything(&mut b.app), before);

    // Its refusals are those of format 1 too.
    let mut changed = v1.clone();
    changed[format::HEADER_LEN_V1 + 3] ^= 0x01;
    refused_untouched(&mut b, &changed, "format 1, changed");
    refused_untouched(&mut b, &v1[..v1.len() - 1], "format 1, cut");
    let err = b
        .app
        .restore_backup(&old, &Secret::new("wrong horse battery"))
        .unwrap_err();
    assert!(err.to_string().contains("passphrase is wrong"), "{err}");
}
