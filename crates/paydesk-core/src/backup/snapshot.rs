//! Consistent copies of a live database, and the integrity checks.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

use super::{storage_error, BACKUPS_DIR};

/// Copy the database behind `source` to a new file `dest` (replaced if it exists), with SQLite's
/// online backup API. Other connections may write meanwhile: the copy is taken in one step, so
/// it is the last state committed when the step began. The copy is a single self-contained file
/// (rollback journal, no WAL), fsynced.
pub fn snapshot_to(source: &Connection, dest: &Path) -> Result<()> {
    match std::fs::remove_file(dest) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(format!("cannot replace {}", dest.display()), e)),
    }
    let result = (|| {
        let mut out = Connection::open(dest)?;
        {
            let backup = Backup::new(source, &mut out)?;
            // -1: every page in one step, under one read transaction of the source.
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    _ => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        }
        // The copy carries the source's WAL flag; a backup file should be one plain file.
        out.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        out.close().map_err(|(_, e)| e)?;
        std::fs::File::open(dest)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(format!("cannot write {}", dest.display()), e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    result
}

/// `PRAGMA user_version`: the schema version of a Paydesk database.
pub fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Run `PRAGMA integrity_check` (every page, every index entry); `Err` lists what it found.
pub fn check(conn: &Connection) -> Result<(), String> {
    let rows: Vec<String> = (|| -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect()
    })()
    .map_err(|e| e.to_string())?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(rows.join("; "))
    }
}

/// The automatic-backup folder of the data folder that holds `database`.
pub fn backups_dir_of(database: &Path) -> PathBuf {
    database
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(BACKUPS_DIR)
}

/// The error for a damaged database: names the file and how to get the books back.
pub fn damaged_database(database: &Path, detail: &str) -> Error {
    let dir = backups_dir_of(database);
    storage_error(format!(
        "{} is damaged ({detail}). Restore the latest automatic backup in {} with \
         `paydesk backup restore-auto <file>` (see `paydesk backup list`), or an encrypted backup \
         with `paydesk backup restore <file>`",
        database.display(),
        dir.display()
    ))
}

/// Whether SQLite's error says the file is not a (sound) database.
pub fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// What `Store::open` runs on an existing database before migrating it: `PRAGMA integrity_check`
/// (a damaged file is refused with the recovery path), then, when the schema is older than
/// `latest`, a snapshot `backups/<name>-pre-migration-v<old>-<timestamp>.sqlite3`. New empty
/// files and files from a newer version are left alone (the migration refuses the latter).
pub fn check_on_open(conn: &Connection, path: &Path, latest: i64) -> Result<()> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| open_error(path, e))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| open_error(path, e))?;
    if version == 0 && tables == 0 {
        return Ok(());
    }
    // The check reads every page and every index (see `cargo bench --bench backup` for 100,000
    // invoices): once per process for a file that has not changed since, not again for each
    // worker's own connection.
    let stamp = file_stamp(path);
    let known = stamp
        .as_ref()
        .is_some_and(|s| checked_files().lock().expect("lock").contains(s));
    if !known {
        check(conn).map_err(|detail| damaged_database(path, &detail))?;
        if let Some(stamp) = stamp {
            checked_files().lock().expect("lock").insert(stamp);
        }
    }
    if version > 0 && version < latest {
        pre_migration_snapshot(conn, path, version)?;
    }
    Ok(())
}

/// A file's identity for the "already checked" cache: path, size and modification time.
type FileStamp = (PathBuf, u64, std::time::SystemTime);

fn file_stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((path.to_path_buf(), meta.len(), meta.modified().ok()?))
}

fn checked_files() -> &'static std::sync::Mutex<std::collections::HashSet<FileStamp>> {
    static CHECKED: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<FileStamp>>> =
        std::sync::OnceLock::new();
    CHECKED.get_or_init(Default::default)
}

fn pre_migration_snapshot(conn: &Connection, path: &Path, version: i64) -> Result<PathBuf> {
    let dir = backups_dir_of(path);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "paydesk".into());
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let dest = dir.join(format!("{stem}-pre-migration-v{version}-{stamp}.sqlite3"));
    if dest.exists() {
        // Another opener of this same file made it a moment ago.
        return Ok(dest);
    }
    let tmp = crate::fsutil::temp_path_for(&dest)?;
    snapshot_to(conn, &tmp)?;
    std::fs::rename(&tmp, &dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("cannot write {}", dest.display()), e)
    })?;
    tracing::info!(snapshot = %dest.display(), "saved the database before upgrading its schema");
    Ok(dest)
}

/// Open a database file read-only, for checking a candidate before it replaces the books.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection> {
    Ok(Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// An error from opening `path`: corruption becomes [`damaged_database`], the rest stays as is.
pub fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    if is_corruption(&e) {
        damaged_database(path, &e.to_string())
    } else {
        Error::Storage(e)
    }
}
