//! Invoice PDFs checked with real tools: poppler's `pdftotext`, `pdftoppm` and `pdfinfo` read
//! the text, the page count and size, and `rqrr` scans the printed QR code back to the link.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{TimeZone, Utc};
use common::{books, client, invoice_input, line, Books};
use paydesk_core::document::{self, Paper};
use paydesk_core::outbox::{GatewayError, LinkGateway};
use paydesk_core::store::CreatedLink;
use paydesk_core::{
    BusinessProfile, ClientInput, ErrorCode, LineItemInput, LinkOptions, LinkPayload,
};

/// Creates links whose URL ends in `tok-<n>`.
struct FakeLinks(AtomicU64);

impl LinkGateway for FakeLinks {
    async fn create_link(&self, _: &LinkPayload) -> Result<CreatedLink, GatewayError> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        Ok(CreatedLink {
            token: format!("tok-{n}"),
            request_ids: vec![format!("req-{n}")],
            secure_payment_url: format!("https://pay.example/pay?token=tok-{n}"),
        })
    }
}

/// Whether poppler's `tool` is installed; says so when it is not (CI installs poppler-utils).
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        eprintln!("SKIPPED: {tool} is not installed (apt-get install poppler-utils)");
    }
    ok
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn text_of(pdf: &Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-layout");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    run(cmd.arg(pdf).arg("-"))
}

fn info(pdf: &Path, key: &str) -> String {
    run(Command::new("pdfinfo").arg(pdf))
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("pdfinfo shows {key}"))
        .trim()
        .to_string()
}

/// Books with a profile, a client "Acme Studio" and one taxed, discounted invoice; its id.
fn taxed_invoice(b: &mut Books, lines: Vec<LineItemInput>) -> String {
    b.app
        .update_profile(&BusinessProfile {
            name: "Studio Nord".into(),
            email: "billing@studionord.example".into(),
            address: "Kastanienallee 12\n10435 Berlin".into(),
            tax_id: "DE123456789".into(),
        })
        .unwrap();
    let client_id = b
        .app
        .create_client(&ClientInput {
            name: "Acme Studio".into(),
            email: "ap@acme.example".into(),
            address: "1 Market Street\nSan Francisco".into(),
            tax_id: "US-99".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let mut input = invoice_input(&client_id, "2026-11-21");
    input.currency = "FAU-sepolia".into();
    input.lines = lines;
    input.notes = "Thank you for your business.".into();
    input.terms = "Payment due within 30 days.".into();
    b.app.create_invoice(&input).unwrap().id
}

fn design_lines() -> Vec<LineItemInput> {
    vec![
        LineItemInput {
            description: "Design of the landing page, including three rounds of revisions and \
                          the final hand-off of every asset"
                .into(),
            quantity: "3".into(),
            unit_price: "150.50".into(),
            tax_rate: "20".into(),
            discount: "10".into(),
        },
        line("Hosting", "1", "19.99"),
    ]
}

/// Send the invoice's queued link through the fake gateway at the books' clock time.
async fn send_link(b: &mut Books, gateway: &FakeLinks) {
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let report = b
        .app
        .outbox()
        .unwrap()
        .run_once(gateway, now)
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
}

async fn linked_invoice() -> (Books, String) {
    let mut b = books();
    let id = taxed_invoice(&mut b, design_lines());
    b.app.request_link(&id, &LinkOptions::default()).unwrap();
    send_link(&mut b, &FakeLinks(AtomicU64::new(0))).await;
    (b, id)
}

fn out_path(b: &Books, name: &str) -> PathBuf {
    b.dir.path().join(name)
}

#[tokio::test]
async fn pdf_text_shows_number_client_total_and_the_payment_link() {
    if !have("pdftotext") {
        return;
    }
    let (mut b, id) = linked_invoice().await;
    let inv = b.app.invoice(&id).unwrap();
    let path = out_path(&b, "invoice.pdf");
    let written = b
        .app
        .write_invoice_pdf(&inv.number, Paper::A4, &path)
        .unwrap();
    assert_eq!(written, path);
    let text = text_of(&path, None);
    let total = inv.totals.total.to_wire();
    for want in [
        inv.number.as_str(),
        "INVOICE",
        "Studio Nord",
        "DE123456789",
        "Acme Studio",
        "San Francisco",
        total.as_str(),
        "Scan to pay",
        "https://pay.example/pay?token=tok-0",
        "Link expires 2026-11-28 12:00 UTC",
        "Thank you for your business.",
        "Payment due within 30 days.",
        "Page 1 of 1",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    // 3 × 150.50 = 451.50, minus 10 % = 406.35 (+ 20 % tax), plus hosting 19.99.
    assert_eq!(total, "507.61");
    assert!(text.contains("406.35") && text.contains("19.99"), "{text}");
}

fn decode_qr(png: &Path) -> Vec<String> {
    let img = image::open(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .iter()
        .map(|g| g.decode().expect("decodes").1)
        .collect()
}

fn first_page_png(pdf: &Path) -> PathBuf {
    let prefix = pdf.with_extension("");
    run(Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&prefix));
    prefix.with_extension("png")
}

#[tokio::test]
async fn printed_qr_code_scans_back_to_exactly_the_link_and_follows_a_new_link() {
    if !have("pdftoppm") {
        return;
    }
    let (mut b, id) = linked_invoice().await;
    let path = out_path(&b, "qr.pdf");
    b.app.write_invoice_pdf(&id, Paper::A4, &path).unwrap();
    assert_eq!(
        decode_qr(&first_page_png(&path)),
        vec!["https://pay.example/pay?token=tok-0".to_string()]
    );

    // A new link changes the document: nothing is cached.
    b.app.void_link(&id).unwrap();
    assert!(b.app.invoice_document(&id).unwrap().link.is_none());
    let without = out_path(&b, "nolink.pdf");
    b.app.write_invoice_pdf(&id, Paper::A4, &without).unwrap();
    assert!(decode_qr(&first_page_png(&without)).is_empty());
    b.app.request_link(&id, &LinkOptions::default()).unwrap();
    send_link(&mut b, &FakeLinks(AtomicU64::new(1))).await;
    b.app.write_invoice_pdf(&id, Paper::A4, &path).unwrap();
    assert_eq!(
        decode_qr(&first_page_png(&path)),
        vec!["https://pay.example/pay?token=tok-1".to_string()]
    );
}

#[test]
fn five_hundred_lines_flow_over_pages_with_the_table_header_on_each() {
    if !have("pdftotext") || !have("pdfinfo") {
        return;
    }
    let mut b = books();
    let lines = (1..=500)
        .map(|i| line(&format!("Support hour {i:03}"), "1", "80"))
        .collect();
    let id = taxed_invoice(&mut b, lines);
    let path = out_path(&b, "long.pdf");
    let saved = b.app.save_invoice_pdf(&id, Paper::A4, &path).unwrap();
    let pages: usize = info(&path, "Pages").parse().unwrap();
    assert!(pages > 1, "{pages} pages");
    assert_eq!(saved.pages, pages);
    assert_eq!(saved.bytes, std::fs::metadata(&path).unwrap().len());
    let mut seen = 0;
    let mut pages_with_rows = 0;
    for p in 1..=pages {
        let text = text_of(&path, Some(p));
        assert!(
            text.contains(&format!("Page {p} of {pages}")),
            "page {p}:\n{text}"
        );
        let rows = (1..=500)
            .filter(|i| text.contains(&format!("Support hour {i:03}")))
            .count();
        if rows > 0 {
            pages_with_rows += 1;
            for header in [
                "Description",
                "Qty",
                "Unit price",
                "Tax %",
                "Discount",
                "Amount",
            ] {
                assert!(text.contains(header), "page {p} lacks {header:?}:\n{text}");
            }
        }
        seen += rows;
    }
    assert_eq!(seen, 500, "every line is printed exactly once");
    assert!(
        pages_with_rows > 1 && pages_with_rows >= pages - 1,
        "{pages_with_rows}"
    );
    let all = text_of(&path, None);
    assert!(
        all.contains("40000.00 FAU-sepolia"),
        "the total is printed once, after the table"
    );
    assert_eq!(all.matches("Total (FAU-sepolia)").count(), 1);
}

#[test]
fn letter_and_a4_have_their_page_sizes() {
    if !have("pdfinfo") {
        return;
    }
    let mut b = books();
    let id = taxed_invoice(&mut b, design_lines());
    for (paper, size) in [
        (Paper::A4, "595 x 842 pts"),
        (Paper::Letter, "612 x 792 pts"),
    ] {
        let path = out_path(&b, &format!("{}.pdf", paper.as_str()));
        b.app.write_invoice_pdf(&id, paper, &path).unwrap();
        let got = info(&path, "Page size");
        assert!(got.starts_with(size), "{paper:?}: {got}");
    }
}

#[test]
fn a_logo_is_printed_and_a_missing_one_names_logo_and_writes_nothing() {
    let mut b = books();
    let id = taxed_invoice(&mut b, design_lines());
    let logo = out_path(&b, "logo.png");
    std::fs::write(&logo, paydesk_core::qr::png("logo").unwrap()).unwrap();
    assert_eq!(b.app.set_logo(Some(&logo)).unwrap(), Some(logo.clone()));
    assert_eq!(b.app.logo_path().unwrap(), Some(logo.clone()));
    let with_logo = b.app.invoice_pdf(&id, Paper::A4).unwrap();
    let without = {
        b.app.set_logo(None).unwrap();
        b.app.invoice_pdf(&id, Paper::A4).unwrap()
    };
    assert!(with_logo.len() > without.len(), "the logo is embedded");

    b.app.set_logo(Some(&logo)).unwrap();
    std::fs::remove_file(&logo).unwrap();
    let target = out_path(&b, "out.pdf");
    let e = b
        .app
        .write_invoice_pdf(&id, Paper::A4, &target)
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        (ErrorCode::InvalidInput, Some("logo"))
    );
    assert!(e.to_string().contains("logo.png"), "{e}");
    assert!(!target.exists());

    let text = out_path(&b, "notes.txt");
    std::fs::write(&text, "not an image").unwrap();
    let e = b.app.set_logo(Some(&text)).unwrap_err();
    assert_eq!(e.field(), Some("logo"));
    assert!(e.to_string().contains("PNG or JPEG"), "{e}");
    let e = b.app.set_logo(Some(&out_path(&b, "gone.png"))).unwrap_err();
    assert_eq!(e.field(), Some("logo"));
}

#[test]
fn a_target_in_a_missing_folder_is_a_clear_error_and_nothing_is_written() {
    let mut b = books();
    let id = taxed_invoice(&mut b, design_lines());
    let target = out_path(&b, "no/such/folder/invoice.pdf");
    let e = b
        .app
        .write_invoice_pdf(&id, Paper::A4, &target)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Storage, "{e}");
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert!(e.to_string().contains("no/such/folder"), "{e}");
    assert!(!out_path(&b, "no").exists());
}

#[test]
fn a_disk_that_fills_up_mid_write_leaves_the_old_pdf_and_no_temp_file() {
    let mut b = books();
    let id = taxed_invoice(&mut b, design_lines());
    let pdf = b.app.invoice_pdf(&id, Paper::A4).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("invoice.pdf");
    std::fs::write(&target, b"the previous PDF").unwrap();
    let e = document::write_atomically_with(&target, &pdf, |file, bytes| {
        use std::io::Write;
        // Half of it fits, then the disk is full.
        file.write_all(&bytes[..bytes.len() / 2])?;
        Err(std::io::Error::from_raw_os_error(28))
    })
    .unwrap_err();
    assert!(e.to_string().contains("disk is full"), "{e}");
    assert!(e.to_string().contains("invoice.pdf"), "{e}");
    assert_eq!(std::fs::read(&target).unwrap(), b"the previous PDF");
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
}

#[test]
fn an_unknown_invoice_is_not_found() {
    let mut b = books();
    let _ = client(&mut b.app, "Nobody");
    let e = b.app.invoice_pdf("INV-404", Paper::A4).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn sending_writes_the_pdf_builds_the_mail_draft_and_marks_the_invoice_sent() {
    let mut b = books();
    let id = taxed_invoice(&mut b, design_lines());
    // No live link yet: nothing to pay, nothing sent.
    let err = b.app.send_invoice(&id, Paper::A4).unwrap_err();
    assert_eq!(err.field(), Some("link"));
    assert_eq!(b.app.invoice(&id).expect("invoice").sent_at, None);
    let (mut b, id) = linked_invoice().await;
    let sent = b.app.send_invoice(&id, Paper::A4).expect("send");
    let invoice = b.app.invoice(&id).expect("invoice");
    assert_eq!(invoice.sent_at.as_deref(), Some(sent.sent_at.as_str()));
    let pdf = Path::new(&sent.pdf_path);
    assert!(
        pdf.starts_with(b.dir.path().join("documents")),
        "{}",
        sent.pdf_path
    );
    assert!(std::fs::read(pdf).expect("pdf").starts_with(b"%PDF-"));
    assert!(sent.mailto.starts_with("mailto:"), "{}", sent.mailto);
    assert!(sent
        .mailto
        .contains(&format!("subject=Invoice%20{}", invoice.number)));
    if have("pdftotext") {
        assert!(text_of(pdf, None).contains(&invoice.number));
    }
}

#[tokio::test]
async fn the_kept_copy_of_a_sent_invoice_follows_a_reissued_link_and_a_void() {
    if !have("pdftoppm") || !have("pdfinfo") {
        return;
    }
    let (mut b, id) = linked_invoice().await;
    let sent = b.app.send_invoice(&id, Paper::Letter).expect("send");
    let kept = PathBuf::from(&sent.pdf_path);
    assert_eq!(
        decode_qr(&first_page_png(&kept)),
        vec!["https://pay.example/pay?token=tok-0".to_string()]
    );

    // The API refused the link (403): re-issued, and once the new link is stored the kept copy
    // shows it, still on the paper it was sent on.
    b.app.mark_link_expired("tok-0").unwrap();
    b.app.reissue_link(&id, &LinkOptions::default()).unwrap();
    let before = std::fs::read(&kept).unwrap();
    send_link(&mut b, &FakeLinks(AtomicU64::new(7))).await;
    assert_ne!(std::fs::read(&kept).unwrap(), before, "not printed again");
    assert_eq!(
        decode_qr(&first_page_png(&kept)),
        vec!["https://pay.example/pay?token=tok-7".to_string()]
    );
    assert!(info(&kept, "Page size").starts_with("612 x 792"));

    // Voided: the copy no longer offers a link to pay.
    b.app.void_link(&id).unwrap();
    assert!(decode_qr(&first_page_png(&kept)).is_empty());
    assert!(!text_of(&kept, None).contains("Scan to pay"));

    // An invoice never sent has no kept copy, and a new link does not make one.
    let other = taxed_invoice(&mut b, design_lines());
    b.app.request_link(&other, &LinkOptions::default()).unwrap();
    send_link(&mut b, &FakeLinks(AtomicU64::new(9))).await;
    let number = b.app.invoice(&other).unwrap().number;
    assert!(!b.app.sent_documents().path_for(&number).exists());
}
