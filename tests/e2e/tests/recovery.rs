//! Damaged books in the real window: the app starts on a database whose pages were overwritten,
//! shows the recovery screen instead of the app, and an automatic backup brings the books back.

mod common;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use common::{shoot, start_driver, wait_for_row};
use paydesk_core::secrets::MemoryStore;
use paydesk_core::{ClientInput, Mode, Paydesk};
use paydesk_e2e::{poll_until, testid};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_books_are_restored_from_the_recovery_screen() -> Result<()> {
    let driver = start_driver().await?;
    let database = damaged_books(&driver.data_dir())?;
    let app = driver.new_session().await?;
    let outcome = async {
        app.wait_for("screen-recovery").await?;
        let shown = app
            .wait_text("recovery-database", "the damaged file", |t| !t.is_empty())
            .await?;
        anyhow::ensure!(
            shown.contains(&database.display().to_string()),
            "recovery names {shown:?}, the books are {}",
            database.display()
        );
        let rows = app.find_all_css(&testid("recovery-backup-row")).await?;
        anyhow::ensure!(rows.len() == 1, "{} automatic backups listed", rows.len());
        shoot(&app, "recovery").await?;

        app.click("recovery-backup-restore").await?;
        app.click("recovery-confirm").await?;
        app.wait_for("screen-dashboard").await?;

        // The books as of the backup: two clients, not the one added after it.
        app.click("nav-clients").await?;
        wait_for_row(&app, "client-row", None, "Globex").await?;
        let rows = app.find_all_css(&testid("client-row")).await?;
        anyhow::ensure!(rows.len() == 2, "{} clients after the recovery", rows.len());

        // The damaged file was kept in the backups folder.
        let backups = driver.data_dir().join("backups");
        poll_until("the damaged file in backups/", app.timeout, || async {
            Ok(std::fs::read_dir(&backups)?
                .filter_map(|e| e.ok())
                .find(|e| e.file_name().to_string_lossy().contains("pre-restore")))
        })
        .await?;
        Ok(())
    }
    .await;
    app.finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())
}

/// Books in `data_dir` with two clients in today's automatic backup and a third added after
/// it, then every page after the first overwritten; the database file.
fn damaged_books(data_dir: &Path) -> Result<std::path::PathBuf> {
    let client = |name: &str| ClientInput {
        name: name.into(),
        ..Default::default()
    };
    {
        let mut books = Paydesk::open(data_dir, Arc::new(MemoryStore::new()))?;
        books.create_client(&client("Acme Studio"))?;
        books.create_client(&client("Globex"))?;
        books
            .auto_backup_if_due(chrono::Utc::now())?
            .context("today's automatic backup")?;
        books.create_client(&client("Added After The Backup"))?;
    }
    let database = paydesk_core::app::database_path(data_dir, Mode::Test);
    let mut bytes = std::fs::read(&database)?;
    anyhow::ensure!(bytes.len() > 3 * 4096, "the file has pages to damage");
    for (i, byte) in bytes[4096..].iter_mut().enumerate() {
        *byte = (i * 7 + 13) as u8;
    }
    std::fs::write(&database, bytes)?;
    Ok(database)
}
