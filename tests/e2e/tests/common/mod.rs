//! What the real-window suites share: starting a driver, the client-and-invoice steps, waiting
//! for rows, opened URLs and files, and the README's screenshots.
// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use fantoccini::elements::Element;
use fantoccini::Locator;
use paydesk_e2e::{
    poll_until, testid, workspace_root, AppSession, Choice, Environment, Profile, TauriDriver,
};

pub const CLIENT: &str = "Acme Studio";

/// The URLs the app handed to the OS opener, once there are `n` (within 10 s).
pub async fn wait_opened(driver: &TauriDriver, n: usize) -> Result<Vec<String>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let opened = driver.opened();
        if opened.len() >= n {
            return Ok(opened);
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the app opened {opened:?}, expected {n} URL(s)"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

pub async fn start_driver() -> Result<TauriDriver> {
    let env = Environment::check(Profile::of_this_build())?;
    println!("driving {}", env.app.display());
    TauriDriver::start(&env).await
}

/// Creates "Acme Studio" and a 451.50 USDC invoice for it, and leaves its editor open; returns
/// the invoice number.
pub async fn open_new_invoice(app: &AppSession) -> Result<String> {
    app.click("nav-clients").await?;
    app.click("client-new").await?;
    app.wait_for("screen-client-editor").await?;
    app.fill("client-name", CLIENT).await?;
    app.fill("client-email", "billing@acme.example").await?;
    app.click("client-save").await?;
    wait_for_row(app, "client-row", None, CLIENT).await?;

    app.click("nav-invoices").await?;
    app.click("invoice-new").await?;
    app.wait_for("screen-invoice-editor").await?;
    app.select("invoice-client", Choice::TextContains(CLIENT))
        .await?;
    app.select("invoice-currency", Choice::Value("USDC-base"))
        .await?;
    app.select("invoice-termsDays", Choice::Value("30")).await?;
    app.fill("line-description-0", "Design work").await?;
    app.fill("line-quantity-0", "3").await?;
    app.fill("line-unitPrice-0", "150.50").await?;
    app.click("invoice-save").await?;
    let number = app
        .wait_text("invoice-heading-number", "an invoice number", |t| {
            !t.is_empty()
        })
        .await?;
    println!("saved invoice {number}");
    Ok(number)
}

/// Waits for a row with test id `row` that mentions `client` and, for invoices, whose
/// `invoice-number` cell is exactly `number`.
pub async fn wait_for_row(
    app: &AppSession,
    row: &str,
    number: Option<&str>,
    client: &str,
) -> Result<()> {
    let what = format!("a {row} for {client} {}", number.unwrap_or_default());
    let seen = Mutex::new(Vec::<String>::new());
    let found = poll_until(&what, app.timeout, || async {
        let mut texts = Vec::new();
        let mut found = false;
        for element in app.find_all_css(&testid(row)).await? {
            let text = text_content(&element).await?;
            texts.push(text.clone());
            found |= match number {
                Some(number) => {
                    let number_cell = element
                        .find(Locator::Css(&testid("invoice-number")))
                        .await?;
                    let client_cell = element
                        .find(Locator::Css(&testid("invoice-client")))
                        .await?;
                    text_content(&number_cell).await?.trim() == number
                        && text_content(&client_cell).await?.contains(client)
                }
                None => text.contains(client),
            };
        }
        *seen.lock().expect("not poisoned") = texts;
        Ok(found.then_some(()))
    })
    .await;
    let seen = seen.into_inner().expect("not poisoned");
    found.with_context(|| format!("looking for {what}; rows seen: {seen:?}"))
}

/// The element's `textContent`. WebDriver's "element text" applies a visibility heuristic that
/// drops table cells styled `max-width: 0` (the ellipsis trick the invoice list uses for the
/// client column) although they are plainly visible, so rows are matched on their content.
pub async fn text_content(element: &Element) -> Result<String> {
    Ok(element.prop("textContent").await?.unwrap_or_default())
}

/// Saves the README's screenshot of `screen`, after dismissing any toast so it hides nothing.
pub async fn shoot(app: &AppSession, screen: &str) -> Result<()> {
    for toast in app.find_all_css(&testid("toast")).await? {
        if let Ok(close) = toast.find(Locator::Css("button")).await {
            // A toast may time out between the lookup and the click: that is fine.
            let _ = close.click().await;
        }
    }
    app.wait_gone("toast").await?;
    app.screenshot(&screenshot(screen)).await
}

/// Where the README's screenshot of `screen` goes.
pub fn screenshot(screen: &str) -> PathBuf {
    workspace_root()
        .join("docs/screenshots")
        .join(format!("{screen}.png"))
}

/// Waits until `path` exists and is not empty (within the session's timeout); its bytes.
pub async fn wait_file(app: &AppSession, path: &Path) -> Result<Vec<u8>> {
    let what = format!("the file {}", path.display());
    poll_until(&what, app.timeout, || async {
        Ok(std::fs::read(path).ok().filter(|bytes| !bytes.is_empty()))
    })
    .await
}
