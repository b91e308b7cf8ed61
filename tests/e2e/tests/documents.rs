//! Documents, exports and backups through the real window: the PDF and history buttons of an
//! invoice, "Send invoice", the logo, the CSV export, an encrypted backup and its restore.
//!
//! The app's save and open dialogs answer from the driver's files folder
//! (`PAYDESK_E2E_FILES_DIR`): WebDriver cannot drive a native GTK dialog. Everything after the
//! dialog is the app's own code, and every file is checked on disk.

mod common;

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use common::{open_new_invoice, shoot, start_driver, wait_file, wait_for_row, wait_opened, CLIENT};
use paydesk_e2e::{testid, workspace_root, AppSession};

const PASSPHRASE: &str = "correct horse battery";
const LATER_CLIENT: &str = "Added After The Backup";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdf_send_export_backup_and_restore_through_the_window() -> Result<()> {
    let driver = start_driver().await?;
    let files = driver.files_dir();
    std::fs::copy(
        workspace_root().join("icons/128x128.png"),
        files.join("logo.png"),
    )
    .context("copying a logo into the files folder")?;
    let app = driver.new_session().await?;
    let outcome = async {
        app.wait_for("screen-invoices").await?;
        choose_logo(&app).await?;
        let number = open_new_invoice(&app).await?;

        // PDF without a link: the number, the client and the total, as real text.
        app.click("invoice-pdf").await?;
        let pdf = files.join(format!("{number}.pdf"));
        let text = pdf_text(&app, &pdf).await?;
        for expected in [number.as_str(), CLIENT, "451.50"] {
            anyhow::ensure!(
                text.contains(expected),
                "{expected:?} not in the PDF:\n{text}"
            );
        }
        anyhow::ensure!(!text.contains("Scan to pay"), "no link yet, no QR:\n{text}");

        // With a live link, the same button writes the document again with the QR and the link.
        app.click("link-create").await?;
        let url = app
            .wait_text("link-url", "a sandbox payment URL", |t| {
                t.starts_with("http://127.0.0.1:")
            })
            .await?;
        std::fs::remove_file(&pdf)?;
        app.click("invoice-pdf").await?;
        let text = pdf_text(&app, &pdf).await?;
        anyhow::ensure!(text.contains("Scan to pay"), "no QR caption:\n{text}");
        let token = url.split("token=").nth(1).context("a token in the link")?;
        anyhow::ensure!(text.contains(token), "the link is not in the PDF:\n{text}");
        render_first_page(&pdf, &common::screenshot("invoice-pdf"))?;

        // Send: the PDF into the data folder, a mail draft through the OS opener, marked sent.
        app.click("link-send").await?;
        let opened = wait_opened(&driver, 1).await?;
        anyhow::ensure!(
            opened[0].starts_with("mailto:billing@acme.example?subject=Invoice%20")
                && opened[0].contains(&number),
            "mail draft {}",
            opened[0]
        );
        app.wait_for("invoice-sent-at").await?;
        let sent = driver
            .data_dir()
            .join("documents")
            .join("test")
            .join(format!("{number}.pdf"));
        wait_file(&app, &sent)
            .await
            .context("the sent PDF in the data folder")?;

        // The invoice's history as JSON.
        app.click("invoice-export-history").await?;
        let history = wait_file(&app, &files.join(format!("{number}-history.json"))).await?;
        let history: serde_json::Value = serde_json::from_slice(&history)?;
        anyhow::ensure!(
            history.to_string().contains(&number),
            "history of another invoice: {history}"
        );

        // Settings > Data: a CSV of this year's invoices.
        app.click("nav-settings").await?;
        app.wait_for("settings-data").await?;
        app.press("export-run").await?;
        let csv = wait_csv(&app, &files, "paydesk-invoices-").await?;
        anyhow::ensure!(
            csv.contains(&number) && csv.contains(CLIENT) && csv.contains("451.50"),
            "invoice CSV:\n{csv}"
        );

        // An encrypted backup, then a change, then the restore brings the books back.
        app.fill("backup-passphrase", PASSPHRASE).await?;
        app.fill("backup-passphrase-confirm", PASSPHRASE).await?;
        app.press("backup-create").await?;
        let backup = wait_backup(&app, &files).await?;
        anyhow::ensure!(
            !backup
                .windows(PASSPHRASE.len())
                .any(|w| w == PASSPHRASE.as_bytes())
                && !backup.windows(number.len()).any(|w| w == number.as_bytes()),
            "the backup is not encrypted"
        );
        shoot(&app, "settings-data").await?;

        app.click("nav-clients").await?;
        app.click("client-new").await?;
        app.fill("client-name", LATER_CLIENT).await?;
        app.click("client-save").await?;
        wait_for_row(&app, "client-row", None, LATER_CLIENT).await?;

        app.click("nav-settings").await?;
        restore(&app, "wrong horse battery").await?;
        let refused = app
            .wait_text("error-restore.passphrase", "a passphrase error", |t| {
                !t.is_empty()
            })
            .await?;
        println!("wrong passphrase -> {refused:?}");
        restore(&app, PASSPHRASE).await?;
        // A restore that worked empties the passphrase field (a refused one keeps it).
        paydesk_e2e::poll_until("the restore to finish", app.timeout, || async {
            let field = app.find_css(&testid("restore-passphrase")).await?;
            let value = match field {
                Some(field) => field.prop("value").await?.unwrap_or_default(),
                None => return Ok(None),
            };
            let error = app.find_css(&testid("error-restore.passphrase")).await?;
            anyhow::ensure!(error.is_none(), "the right passphrase was refused");
            Ok(value.is_empty().then_some(()))
        })
        .await?;

        app.click("nav-clients").await?;
        wait_for_row(&app, "client-row", None, CLIENT).await?;
        let rows = app.find_all_css(&testid("client-row")).await?;
        anyhow::ensure!(rows.len() == 1, "{} clients after the restore", rows.len());
        Ok(())
    }
    .await;
    app.finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())
}

/// Settings > Business profile > Choose logo; the open dialog picks `logo.png`.
async fn choose_logo(app: &AppSession) -> Result<()> {
    app.click("nav-settings").await?;
    app.press("logo-choose").await?;
    app.wait_text("logo-path", "the chosen logo", |t| t.ends_with("logo.png"))
        .await?;
    Ok(())
}

/// Restore from file with `passphrase`, confirmed (the open dialog picks the newest backup).
async fn restore(app: &AppSession, passphrase: &str) -> Result<()> {
    app.wait_for("settings-data").await?;
    app.fill("restore-passphrase", passphrase).await?;
    app.press("restore-run").await?;
    app.click("restore-confirm").await
}

/// The text of the PDF at `path` once it is written (pdftotext, from poppler-utils).
async fn pdf_text(app: &AppSession, path: &Path) -> Result<String> {
    let bytes = wait_file(app, path).await?;
    anyhow::ensure!(
        bytes.starts_with(b"%PDF-"),
        "{} is not a PDF",
        path.display()
    );
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .context("running pdftotext (poppler-utils)")?;
    anyhow::ensure!(out.status.success(), "pdftotext failed: {out:?}");
    Ok(String::from_utf8(out.stdout)?)
}

/// The PDF's first page as the README's PNG (pdftoppm, 70 dpi).
fn render_first_page(pdf: &Path, png: &Path) -> Result<()> {
    let stem = png.with_extension("");
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-singlefile"])
        .arg(pdf)
        .arg(&stem)
        .output()
        .context("running pdftoppm (poppler-utils)")?;
    anyhow::ensure!(out.status.success(), "pdftoppm failed: {out:?}");
    Ok(())
}

/// The CSV export whose name starts with `prefix`, once written.
async fn wait_csv(app: &AppSession, dir: &Path, prefix: &str) -> Result<String> {
    let path = wait_named(app, dir, |name| {
        name.starts_with(prefix) && name.ends_with(".csv")
    })
    .await?;
    Ok(String::from_utf8(wait_file(app, &path).await?)?)
}

/// The encrypted backup, once written.
async fn wait_backup(app: &AppSession, dir: &Path) -> Result<Vec<u8>> {
    let path = wait_named(app, dir, |name| name.ends_with(".pdbackup")).await?;
    wait_file(app, &path).await
}

/// The first file in `dir` whose name passes `wanted` (temp files start with a dot).
async fn wait_named(
    app: &AppSession,
    dir: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<std::path::PathBuf> {
    let wanted = &wanted;
    paydesk_e2e::poll_until(
        &format!("a matching file in {}", dir.display()),
        app.timeout,
        || async move {
            Ok(std::fs::read_dir(dir)?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .find(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| !n.starts_with('.') && wanted(n))
                }))
        },
    )
    .await
}
