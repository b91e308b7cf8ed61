//! The real Paydesk window, driven through WebDriver under Xvfb (see scripts/test.sh).
//!
//! Each test starts its own tauri-driver with a fresh data directory and keychain namespace.
//! A missing display or driver fails the test with a message; it never passes silently.

use anyhow::{Context, Result};
use paydesk_e2e::{testid, AppSession, Choice};

mod common;

use common::{open_new_invoice, shoot, start_driver, wait_for_row, wait_opened, CLIENT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_client_and_invoice_through_the_window() -> Result<()> {
    let driver = start_driver().await?;

    let app = driver.new_session().await?;
    let outcome = create_client_and_invoice(&app).await;
    let number = app
        .finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())?;

    // The same data directory in a new app process: the invoice must still be there.
    driver.wait_until_app_exited().await?;
    let app = driver.new_session().await?;
    let outcome = see_invoice_in_list(&app, &number).await;
    app.finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_without_a_name_shows_a_field_error() -> Result<()> {
    let driver = start_driver().await?;
    let app = driver.new_session().await?;
    let outcome = async {
        app.wait_for("screen-invoices").await?;
        app.click("nav-clients").await?;
        app.click("client-new").await?;
        app.wait_for("screen-client-editor").await?;
        app.fill("client-email", "someone@example.com").await?;
        app.click("client-save").await?;
        let message = app
            .wait_text("error-name", "an error message", |t| !t.is_empty())
            .await?;
        println!("empty name -> error-name: {message:?}");
        // Nothing was saved: the client list is still empty.
        app.wait_for("screen-client-editor").await?;
        app.click("nav-clients").await?;
        app.wait_for("clients-empty").await?;
        Ok(())
    }
    .await;
    app.finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_a_payment_link_through_the_window() -> Result<()> {
    let driver = start_driver().await?;
    let app = driver.new_session().await?;
    let outcome = async {
        app.wait_for("screen-invoices").await?;
        let number = open_new_invoice(&app).await?;

        // Test mode: the link is sent to the in-process sandbox in the background.
        app.click("link-create").await?;
        let url = app
            .wait_text("link-url", "a sandbox payment URL", |t| {
                t.starts_with("http://127.0.0.1:")
            })
            .await?;
        println!("payment link: {url}");
        app.wait_for("link-qr").await?;
        app.wait_for("link-copy").await?;
        app.wait_for("link-email").await?;
        // A live link locks the invoice.
        app.wait_for("invoice-locked-notice").await?;
        shoot(&app, "payment-link").await?;

        // Open in browser and Email draft go through the OS opener (a recording fake here).
        app.click("link-open").await?;
        wait_opened(&driver, 1).await?;
        app.click("link-email").await?;
        let opened = wait_opened(&driver, 2).await?;
        anyhow::ensure!(opened[0] == url, "opened {opened:?}, link {url}");
        anyhow::ensure!(
            opened[1].starts_with("mailto:billing@acme.example?subject=Invoice%20")
                && opened[1].contains(&number)
                && opened[1].contains("451.50%20USDC-base"),
            "email draft {}",
            opened[1]
        );

        // The payer pays on the sandbox; "Check now" sees it, the dashboard counts it.
        let token = url
            .split("token=")
            .nth(1)
            .context("a token in the link")?
            .to_string();
        pay_on_sandbox(&driver.data_dir(), &token).await?;
        app.click("status-check-now").await?;
        app.wait_text("status-pay-state", "the paid state", |t| t.contains("Paid"))
            .await?;
        app.wait_for("status-tx").await?;
        shoot(&app, "payment-status").await?;
        app.click("nav-dashboard").await?;
        app.wait_for("screen-dashboard").await?;
        app.wait_text("dashboard-paidThisYear", "451.50 paid this year", |t| {
            t.contains("451.5")
        })
        .await?;
        shoot(&app, "dashboard").await?;
        Ok(())
    }
    .await;
    app.finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_panel_registers_and_a_payment_arrives_by_webhook() -> Result<()> {
    let driver = start_driver().await?;
    let app = driver.new_session().await?;
    let outcome = async {
        // Webhooks on, through "my own URL": the receiver's own loopback address (the public
        // tunnel cannot run here; the tunnel manager has its own tests with fake programs).
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        app.wait_for("screen-invoices").await?;
        app.click("nav-webhooks").await?;
        app.wait_for("screen-webhooks").await?;
        app.click("webhooks-enabled").await?;
        app.select("webhooks-tunnel", Choice::Value("manual")).await?;
        app.fill("webhooks-public-url", &format!("http://127.0.0.1:{port}"))
            .await?;
        app.fill("webhooks-port", &port.to_string()).await?;
        app.click("webhooks-save").await?;
        app.wait_text(
            "webhooks-registration-state",
            "registered with the sandbox",
            |t| t.contains("Registered"),
        )
        .await?;
        let endpoint = app
            .wait_text("webhooks-endpoint", "the endpoint URL", |t| {
                t.contains("/hooks/")
            })
            .await?;
        anyhow::ensure!(
            endpoint.starts_with(&format!("http://127.0.0.1:{port}/hooks/")),
            "endpoint {endpoint}"
        );

        // An invoice with a live link, paid on the sandbox: the signed webhook is applied.
        open_new_invoice(&app).await?;
        app.click("link-create").await?;
        let url = app
            .wait_text("link-url", "a sandbox payment URL", |t| {
                t.starts_with("http://127.0.0.1:")
            })
            .await?;
        let token = url
            .split("token=")
            .nth(1)
            .context("a token in the link")?
            .to_string();
        pay_on_sandbox(&driver.data_dir(), &token).await?;
        app.wait_text("status-pay-state", "the paid state", |t| t.contains("Paid"))
            .await?;

        app.click("nav-webhooks").await?;
        app.wait_for("screen-webhooks").await?;
        app.wait_for_css(&format!(
            "{}[data-outcome='applied']",
            testid("webhook-delivery")
        ))
        .await?;
        app.click("webhooks-test").await?;
        app.wait_for_css(&format!("{}[data-outcome='test']", testid("webhook-delivery")))
            .await?;
        // The shot shows the status and the deliveries table.
        // (Scroll the content pane, not the document: the sidebar must stay in place.)
        app.client()
            .execute(
                r#"const s = document.querySelector('[data-testid="webhooks-status"]');
                   let p = s.parentElement;
                   while (p && getComputedStyle(p).overflowY !== 'auto') p = p.parentElement;
                   p.scrollTop += s.getBoundingClientRect().top - p.getBoundingClientRect().top - 16;"#,
                vec![],
            )
            .await?;
        shoot(&app, "webhooks").await?;
        Ok(())
    }
    .await;
    app.finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pays_a_contractor_after_review_and_approval() -> Result<()> {
    const LOWER: &str = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
    const CHECKSUMMED: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    let driver = start_driver().await?;
    let app = driver.new_session().await?;
    let outcome = async {
        app.wait_for("screen-invoices").await?;
        // The wallet that signs payouts.
        app.click("nav-settings").await?;
        app.wait_for("screen-settings").await?;
        app.fill(
            "settings-evm-wallet",
            "0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb",
        )
        .await?;
        app.click("settings-payout-save").await?;

        // A contractor, typed lowercase, stored checksummed.
        app.click("nav-contractors").await?;
        app.wait_for("screen-contractors").await?;
        app.click("contractor-new").await?;
        app.wait_for("screen-contractor-editor").await?;
        app.fill("contractor-name", "Ada Dev").await?;
        app.select("contractor-network", Choice::Value("sepolia"))
            .await?;
        app.fill("contractor-address", LOWER).await?;
        app.select("contractor-currency", Choice::Value("FAU-sepolia"))
            .await?;
        app.click("contractor-save").await?;
        app.click("nav-contractors").await?;
        wait_for_row(&app, "contractor-row", None, "Ada Dev").await?;

        // A draft, then the review: the full checksummed address, then a deliberate approval.
        app.click("nav-payouts").await?;
        app.wait_for("screen-payouts").await?;
        app.click("payout-new").await?;
        app.wait_for("screen-payout-editor").await?;
        app.select("payout-contractor", Choice::TextContains("Ada Dev"))
            .await?;
        app.fill("payout-amount", "25").await?;
        app.select("payout-currency", Choice::Value("FAU-sepolia"))
            .await?;
        app.click("payout-save").await?;
        app.wait_for("payout-state").await?;
        app.click("payout-review").await?;
        app.wait_for("screen-payout-review").await?;
        let shown = app
            .wait_for("review-address")
            .await?
            .attr("data-address")
            .await?
            .unwrap_or_default();
        anyhow::ensure!(shown == CHECKSUMMED, "review shows {shown}");
        shoot(&app, "payout-review").await?;
        app.click("review-confirm").await?;
        app.click("review-approve").await?;

        // The sender creates the payout link; it is opened to sign (a recording fake opener).
        let url = app
            .wait_text("payout-link-url", "a sandbox payout URL", |t| {
                t.starts_with("http://127.0.0.1:")
            })
            .await?;
        app.wait_for("payout-qr").await?;
        app.click("payout-open").await?;
        let opened = wait_opened(&driver, 1).await?;
        anyhow::ensure!(opened[0] == url, "opened {opened:?}, link {url}");
        let token = url
            .split("token=")
            .nth(1)
            .context("a token in the link")?
            .to_string();
        pay_on_sandbox(&driver.data_dir(), &token).await?;
        // Watched while open: polled every 10 s until paid.
        app.wait_text("payout-state", "the paid state", |t| t.contains("Paid"))
            .await?;
        app.wait_for("payout-tx").await?;
        app.wait_for_css(&format!(
            "{}[data-action='paid']",
            testid("payout-history-row")
        ))
        .await?;
        shoot(&app, "payout").await?;
        Ok(())
    }
    .await;
    app.finish(outcome)
        .await
        .inspect_err(|_| driver.print_log())
}

/// `POST /__sandbox/payments/{token}/pay` on the app's Test-mode sandbox (found through the
/// endpoint file it wrote in the data folder): the payer pays in full.
async fn pay_on_sandbox(data_dir: &std::path::Path, token: &str) -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let endpoint: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        data_dir.join("sandbox").join("endpoint.json"),
    )?)?;
    let base = endpoint["baseUrl"].as_str().context("baseUrl")?;
    let port: u16 = base
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .context("a port")?
        .parse()?;
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    s.write_all(
        format!(
            "POST /__sandbox/payments/{token}/pay HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).await?;
    anyhow::ensure!(
        raw.starts_with("HTTP/1.1 200"),
        "the sandbox answered {raw}"
    );
    Ok(())
}

/// Creates "Acme Studio" and an invoice for it; returns the invoice number.
async fn create_client_and_invoice(app: &AppSession) -> Result<String> {
    // Empty books: the invoice list suggests adding a client first.
    app.wait_for("screen-invoices").await?;
    app.wait_for("invoices-empty").await?;
    app.wait_for("empty-add-client").await?;
    shoot(app, "invoices-empty").await?;

    app.click("nav-clients").await?;
    app.wait_for("screen-clients").await?;
    app.click("client-new").await?;
    app.wait_for("screen-client-editor").await?;
    app.fill("client-name", CLIENT).await?;
    app.fill("client-email", "billing@acme.example").await?;
    shoot(app, "client-editor").await?;
    app.click("client-save").await?;
    wait_for_row(app, "client-row", None, CLIENT).await?;
    shoot(app, "clients").await?;

    app.click("nav-invoices").await?;
    app.wait_for("screen-invoices").await?;
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
    app.fill("line-taxRate-0", "20").await?;
    // 3 x 150.50 = 451.50, plus 20 % tax = 541.80 (shown as 541.80 or 541.800000).
    let total = app
        .wait_text("totals-total", "541.8", |t| {
            amount(t).as_deref() == Some("541.8")
        })
        .await?;
    println!("live total: {total:?}");
    shoot(app, "invoice-editor").await?;

    app.click("invoice-save").await?;
    let number = app
        .wait_text("invoice-heading-number", "an invoice number", |t| {
            !t.is_empty()
        })
        .await?;
    println!("saved invoice {number}");

    app.click("nav-invoices").await?;
    wait_for_row(app, "invoice-row", Some(&number), CLIENT).await?;
    shoot(app, "invoices").await?;

    app.click("nav-settings").await?;
    app.wait_for("screen-settings").await?;
    app.wait_for("settings-save").await?;
    shoot(app, "settings").await?;
    Ok(number)
}

async fn see_invoice_in_list(app: &AppSession, number: &str) -> Result<()> {
    app.wait_for("screen-invoices").await?;
    wait_for_row(app, "invoice-row", Some(number), CLIENT).await?;
    Ok(())
}

/// A displayed amount in canonical decimal form, without separators, currency or trailing zeros:
/// "541.800000", "USDC 541.80" and "541.8" all give "541.8". No float anywhere near money.
fn amount(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    if digits.is_empty() || digits.matches('.').count() > 1 {
        return None;
    }
    let canonical = if digits.contains('.') {
        digits.trim_end_matches('0').trim_end_matches('.')
    } else {
        digits.as_str()
    };
    Some(canonical.to_string())
}

#[test]
fn amount_ignores_separators_and_currency() {
    assert_eq!(amount("541.800000").as_deref(), Some("541.8"));
    assert_eq!(amount("USDC 1,541.80").as_deref(), Some("1541.8"));
    assert_eq!(amount("450").as_deref(), Some("450"));
    assert_eq!(amount("—"), None);
}
