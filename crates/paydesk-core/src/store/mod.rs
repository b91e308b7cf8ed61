//! The SQLite store: one file per mode, WAL, foreign keys, busy timeout, versioned migrations.
//!
//! Each public method of [`Store`] is one user action and runs in one transaction: it either
//! writes everything or nothing. Callers keep the store off the UI thread (it blocks on I/O).

mod clients;
mod contractors;
mod documents;
mod exports;
mod invoices;
mod link_overview;
mod links;
mod migrations;
mod outbox;
mod payout_batches;
mod payout_queue;
mod payout_status;
mod payouts;
mod settings;
mod status;
mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};

pub use exports::{InvoiceRow, PaymentRow, PayoutRow};
pub use links::LINK_LIFETIME_DAYS;
pub use outbox::{Claim, CreatedLink};
pub use payout_batches::BatchClaim;
pub use payout_queue::PayoutClaim;
pub use payout_status::PayoutChange;
pub use status::{DueLink, LinkOwner};
pub use webhooks::{DeliveryKind, DeliveryOutcome, WebhookDelivery};

/// An open database with its clock.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// How long opening waits for another process that is creating or migrating the same file.
const OPEN_DEADLINE: Duration = Duration::from_secs(10);

/// Whether SQLite said another connection holds the lock.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Run `f` again while `retry` says the failure came from another opener, until the deadline.
fn retry_while<T, E>(
    mut f: impl FnMut() -> Result<T, E>,
    retry: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let deadline = Instant::now() + OPEN_DEADLINE;
    let mut pause = Duration::from_millis(5);
    loop {
        match f() {
            Err(e) if retry(&e) && Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

/// Bring the schema up to date, safely when several processes open a new database at once.
///
/// `rusqlite_migration` reads the schema version before it opens its transaction, so two first
/// opens can both see version 0 and the slower one's `CREATE TABLE` fails, or find the file
/// locked. Taking the write lock up front (IMMEDIATE) and trying again until the deadline makes
/// the slower one read the version after the faster one's commit and find nothing left to do.
fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    let migrations = migrations::migrations();
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    let result = retry_while(
        || migrations.to_latest(conn),
        |e| matches!(e, rusqlite_migration::Error::RusqliteError { .. }),
    );
    conn.set_transaction_behavior(TransactionBehavior::Deferred);
    result
}

/// The schema version (`PRAGMA user_version`) this build migrates databases to.
pub fn latest_schema_version() -> i64 {
    static LATEST: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *LATEST.get_or_init(|| {
        let conn = Connection::open_in_memory().expect("an in-memory database opens");
        i64::from(
            migrations::migrations()
                .pending_migrations(&conn)
                .expect("a new database has version 0"),
        )
    })
}

/// Bring the database on `conn` to schema `version` only (tests that need an older database).
#[doc(hidden)]
pub fn migrate_to_version(conn: &mut Connection, version: usize) -> Result<()> {
    Ok(migrations::migrations().to_version(conn, version)?)
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    /// A database written by a newer Paydesk is refused, not touched.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with_clock(path, Arc::new(SystemClock))
    }

    /// [`Store::open`] with an injected clock.
    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // Switching a new file to WAL needs a moment of exclusive access: wait for other openers.
        retry_while(|| conn.pragma_update(None, "journal_mode", "WAL"), is_busy)
            .map_err(|e| crate::backup::snapshot::open_error(path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A damaged file is refused with the way back; an older schema is copied first.
        crate::backup::snapshot::check_on_open(&conn, path, latest_schema_version())?;
        match migrate(&mut conn) {
            Err(rusqlite_migration::Error::MigrationDefinition(
                rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
            )) => {
                return Err(Error::conflict(
                    None,
                    format!(
                        "{} was written by a newer version of Paydesk; update Paydesk to open it",
                        path.display()
                    ),
                ))
            }
            other => other?,
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            clock,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The clock this store uses for "now" and "today".
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// A shared handle to this store's clock (for components that time things beside it).
    pub fn shared_clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Run `f` in one write transaction (taken immediately, so two writers never deadlock).
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>, &dyn Clock) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, self.clock.as_ref())?;
        tx.commit()?;
        Ok(out)
    }

    /// Run `f` in one read transaction (a consistent snapshot).
    fn read<T>(&mut self, f: impl FnOnce(&Transaction<'_>, &dyn Clock) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx, self.clock.as_ref())?;
        tx.finish()?;
        Ok(out)
    }

    /// Direct access for benchmarks and tests that prepare large data sets.
    #[doc(hidden)]
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_in_wal_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let fk: i64 = store
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
    }

    #[test]
    fn first_opens_of_a_new_database_at_once_all_migrate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race.sqlite3");
        let start = std::sync::Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(|_| ())
                })
            })
            .collect();
        for o in openers {
            o.join().unwrap().expect("a concurrent first open fails");
        }
    }

    #[test]
    fn database_from_a_newer_version_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        assert!(
            err.to_string().contains("newer version of Paydesk"),
            "{err}"
        );
        let c = Connection::open(&path).unwrap();
        let v: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }
}
