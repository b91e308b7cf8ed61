//! Lays an [`InvoiceDocument`] out on pages as simple drawing operations (text runs, filled
//! rectangles, the logo, the QR code), so pagination can be reasoned about (and tested)
//! without a PDF. Coordinates are PDF points from the top-left corner; `y` of text is its
//! baseline.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::fonts::{width, wrap, Face};
use super::logo::LogoKind;
use super::model::InvoiceDocument;
use super::qr_draw::{self, QrModules};
use super::Paper;
use crate::domain::InvoiceStatus;
use crate::error::{Error, Result};
use crate::money::totals::format_amount;

/// Page margin on every side.
const MARGIN: f32 = 48.0;
/// Space kept free at the bottom for the footer.
const FOOTER_SPACE: f32 = 28.0;
/// Body text size and line height.
const BODY: f32 = 9.0;
const LINE: f32 = 12.5;
/// The table's header row height.
const HEADER_ROW: f32 = 18.0;
/// Printed size of the QR code, quiet zone included.
const QR_SIZE: f32 = 118.0;
/// Largest logo box.
const LOGO_W: f32 = 150.0;
const LOGO_H: f32 = 56.0;

/// The table's column headers, left to right.
pub const TABLE_HEADERS: [&str; 6] = [
    "Description",
    "Qty",
    "Unit price",
    "Tax %",
    "Discount",
    "Amount",
];
/// Widths of the numeric columns (all but the description), left to right.
const NUMBER_COLUMNS: [f32; 5] = [44.0, 78.0, 44.0, 52.0, 84.0];

/// One drawing operation.
#[derive(Debug, Clone)]
pub enum Op {
    /// A run of text at its baseline, in `gray` (0 black .. 255 white).
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        gray: u8,
        text: String,
    },
    /// A filled rectangle.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: u8,
    },
    /// The logo, scaled into this box.
    Logo { x: f32, y: f32, w: f32, h: f32 },
    /// A QR code (quiet zone included) as a `size`-point square.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        modules: QrModules,
    },
    /// A clickable area opening `url`.
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        url: String,
    },
}

/// The operations of one page.
#[derive(Debug, Clone, Default)]
pub struct PageLayout {
    pub ops: Vec<Op>,
}

impl PageLayout {
    /// The page's text runs, in drawing order (for tests).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.ops.iter().filter_map(|op| match op {
            Op::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// Pages being filled, top to bottom.
struct Flow {
    width: f32,
    height: f32,
    pages: Vec<PageLayout>,
    y: f32,
    /// Repeat the table header on new pages.
    in_table: bool,
    decimals: u32,
}

impl Flow {
    fn left(&self) -> f32 {
        MARGIN
    }
    fn right(&self) -> f32 {
        self.width - MARGIN
    }
    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }
    fn bottom(&self) -> f32 {
        self.height - MARGIN - FOOTER_SPACE
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").ops.push(op);
    }

    fn text(&mut self, x: f32, y: f32, face: Face, size: f32, text: &str) {
        self.gray_text(x, y, face, size, 0, text);
    }

    fn gray_text(&mut self, x: f32, y: f32, face: Face, size: f32, gray: u8, text: &str) {
        if text.is_empty() {
            return;
        }
        self.push(Op::Text {
            x,
            y,
            face,
            size,
            gray,
            text: text.to_string(),
        });
    }

    /// Text whose right edge is at `right`.
    fn text_right(&mut self, right: f32, y: f32, face: Face, size: f32, text: &str) {
        let x = right - width(face, size, text);
        self.text(x, y, face, size, text);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, gray: u8) {
        self.push(Op::Rect { x, y, w, h, gray });
    }

    fn new_page(&mut self) {
        self.pages.push(PageLayout::default());
        self.y = MARGIN;
        if self.in_table {
            self.table_header();
        }
    }

    /// Start a new page unless `h` more points fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom() {
            self.new_page();
        }
    }

    /// Right edges of the numeric columns, left to right.
    fn column_rights(&self) -> [f32; 5] {
        let mut rights = [0.0; 5];
        let mut right = self.right() - 4.0;
        for i in (0..5).rev() {
            rights[i] = right;
            right -= NUMBER_COLUMNS[i];
        }
        rights
    }

    fn description_width(&self) -> f32 {
        self.content_width() - NUMBER_COLUMNS.iter().sum::<f32>() - 12.0
    }

    fn table_header(&mut self) {
        let (left, y) = (self.left(), self.y);
        let w = self.content_width();
        self.rect(left, y, w, HEADER_ROW, 236);
        let base = y + 12.0;
        self.text(left + 4.0, base, Face::Bold, 8.5, TABLE_HEADERS[0]);
        let rights = self.column_rights();
        for (i, right) in rights.into_iter().enumerate() {
            self.text_right(right, base, Face::Bold, 8.5, TABLE_HEADERS[i + 1]);
        }
        self.y += HEADER_ROW + 4.0;
    }

    fn money(&self, v: Decimal) -> String {
        format_amount(v, self.decimals)
    }
}

fn percent(p: Decimal) -> String {
    format!("{}%", p.normalize())
}

fn status_label(s: InvoiceStatus) -> &'static str {
    match s {
        InvoiceStatus::Draft => "Draft",
        InvoiceStatus::Issued => "Issued",
        InvoiceStatus::PartiallyPaid => "Partially paid",
        InvoiceStatus::Paid => "Paid",
        InvoiceStatus::Overdue => "Overdue",
        InvoiceStatus::Expired => "Expired",
        InvoiceStatus::Void => "Void",
    }
}

/// `2026-11-28T12:00:00Z` as `2026-11-28 12:00 UTC` (unparseable values are shown as stored).
pub fn display_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// The logo's size in pixels, read from its header.
fn logo_pixels(doc: &InvoiceDocument) -> Result<Option<(u32, u32)>> {
    let Some(logo) = &doc.logo else {
        return Ok(None);
    };
    let data: krilla::Data = logo.bytes.clone().into();
    let image = match logo.kind {
        LogoKind::Png => krilla::image::Image::from_png(data, true),
        LogoKind::Jpeg => krilla::image::Image::from_jpeg(data, true),
    }
    .map_err(|e| {
        Error::invalid(
            "logo",
            format!("cannot be decoded ({e}); it must be a valid PNG or JPEG image"),
        )
    })?;
    Ok(Some(image.size()))
}

/// Lay `doc` out on `paper`: at least one page, "Page n of m" on each.
pub fn lay_out(doc: &InvoiceDocument, paper: Paper) -> Result<Vec<PageLayout>> {
    let (w, h) = paper.size();
    let mut f = Flow {
        width: w,
        height: h,
        pages: vec![PageLayout::default()],
        y: MARGIN,
        in_table: false,
        decimals: doc.decimals,
    };
    header(&mut f, doc)?;
    parties(&mut f, doc);
    dates(&mut f, doc);
    table(&mut f, doc);
    totals(&mut f, doc);
    paragraph(&mut f, "Notes", &doc.notes);
    paragraph(&mut f, "Terms", &doc.terms);
    if let Some(link) = &doc.link {
        payment_link(&mut f, &link.url, &link.expires_at)?;
    }
    footers(&mut f, doc);
    Ok(f.pages)
}

fn header(f: &mut Flow, doc: &InvoiceDocument) -> Result<()> {
    let top = f.y;
    let mut left_y = top;
    if let Some((pw, ph)) = logo_pixels(doc)? {
        let scale = (LOGO_W / pw.max(1) as f32).min(LOGO_H / ph.max(1) as f32);
        let (lw, lh) = (pw as f32 * scale, ph as f32 * scale);
        f.push(Op::Logo {
            x: f.left(),
            y: top,
            w: lw,
            h: lh,
        });
        left_y += lh + 8.0;
    }
    let name = if doc.business.name.is_empty() {
        "Your business"
    } else {
        &doc.business.name
    };
    let name_width = f.content_width() * 0.55;
    for line in wrap(Face::Bold, 15.0, name, name_width) {
        left_y += 17.0;
        f.text(f.left(), left_y, Face::Bold, 15.0, &line);
    }
    let right = f.right();
    f.text_right(right, top + 24.0, Face::Bold, 24.0, "INVOICE");
    f.text_right(right, top + 42.0, Face::Regular, 12.0, &doc.number);
    let status = format!("Status: {}", status_label(doc.status));
    let x = right - width(Face::Regular, BODY, &status);
    f.gray_text(x, top + 56.0, Face::Regular, BODY, 90, &status);
    f.y = left_y.max(top + 56.0) + 26.0;
    Ok(())
}

/// One "From" / "Bill to" block; returns where it ends.
fn party(f: &mut Flow, x: f32, col: f32, label: &str, p: &super::model::Party) -> f32 {
    let mut y = f.y;
    f.gray_text(x, y, Face::Bold, 8.0, 100, label);
    y += 14.0;
    for line in wrap(Face::Bold, 10.5, &p.name, col) {
        f.text(x, y, Face::Bold, 10.5, &line);
        y += 13.5;
    }
    let mut lines = wrap(Face::Regular, BODY, &p.address, col);
    lines.retain(|l| !l.is_empty());
    if !p.email.is_empty() {
        lines.extend(wrap(Face::Regular, BODY, &p.email, col));
    }
    if !p.tax_id.is_empty() {
        lines.extend(wrap(
            Face::Regular,
            BODY,
            &format!("Tax ID: {}", p.tax_id),
            col,
        ));
    }
    for line in lines {
        f.text(x, y, Face::Regular, BODY, &line);
        y += LINE;
    }
    y
}

fn parties(f: &mut Flow, doc: &InvoiceDocument) {
    let col = f.content_width() / 2.0 - 12.0;
    let (l, r) = (f.left(), f.left() + f.content_width() / 2.0);
    let a = party(f, l, col, "FROM", &doc.business);
    let b = party(f, r, col, "BILL TO", &doc.client);
    f.y = a.max(b) + 14.0;
}

fn dates(f: &mut Flow, doc: &InvoiceDocument) {
    let step = f.content_width() / 4.0;
    let fields = [
        ("Invoice number", doc.number.as_str()),
        ("Issue date", doc.issue_date.as_str()),
        ("Due date", doc.due_date.as_str()),
        ("Currency", doc.currency.as_str()),
    ];
    let y = f.y;
    for (i, (label, value)) in fields.into_iter().enumerate() {
        let x = f.left() + step * i as f32;
        f.gray_text(x, y, Face::Regular, 8.0, 100, label);
        f.text(x, y + 13.0, Face::Bold, 10.0, value);
    }
    f.y = y + 30.0;
}

fn table(f: &mut Flow, doc: &InvoiceDocument) {
    f.ensure(HEADER_ROW + 4.0 + LINE * 2.0);
    f.in_table = true;
    f.table_header();
    let desc_w = f.description_width();
    let rights = f.column_rights();
    for line in &doc.lines {
        let wrapped = wrap(Face::Regular, BODY, &line.description, desc_w);
        let row_h = wrapped.len() as f32 * LINE + 6.0;
        let page_room = f.bottom() - MARGIN - HEADER_ROW - 4.0;
        f.ensure(row_h.min(page_room));
        let numbers = [
            line.quantity.normalize().to_string(),
            f.money(line.unit_price),
            percent(line.tax_rate),
            if line.discount.is_zero() {
                "-".to_string()
            } else {
                percent(line.discount)
            },
            f.money(line.amount),
        ];
        let first = f.y + BODY;
        for (i, text) in numbers.iter().enumerate() {
            f.text_right(rights[i], first, Face::Regular, BODY, text);
        }
        for (i, text) in wrapped.iter().enumerate() {
            if i > 0 {
                f.ensure(LINE);
            }
            let y = if i == 0 { first } else { f.y + BODY };
            f.text(f.left() + 4.0, y, Face::Regular, BODY, text);
            f.y += LINE;
        }
        f.y += 3.0;
        let (l, w) = (f.left(), f.content_width());
        f.rect(l, f.y, w, 0.5, 220);
        f.y += 3.0;
    }
    f.in_table = false;
    f.y += 8.0;
}

fn totals(f: &mut Flow, doc: &InvoiceDocument) {
    let t = &doc.totals;
    let mut rows = vec![("Subtotal".to_string(), f.money(t.subtotal))];
    if !t.discount.is_zero() {
        rows.push(("Discount".to_string(), format!("-{}", f.money(t.discount))));
    }
    rows.push(("Tax".to_string(), f.money(t.tax)));
    f.ensure(rows.len() as f32 * 15.0 + 30.0);
    let right = f.right() - 4.0;
    let label_x = f.right() - 230.0;
    for (label, value) in rows {
        f.y += 15.0;
        f.text(label_x, f.y, Face::Regular, 10.0, &label);
        f.text_right(right, f.y, Face::Regular, 10.0, &value);
    }
    f.y += 8.0;
    f.rect(label_x, f.y, right - label_x, 0.8, 0);
    f.y += 17.0;
    f.text(
        label_x,
        f.y,
        Face::Bold,
        12.0,
        &format!("Total ({})", doc.currency),
    );
    let total = format!("{} {}", f.money(t.total), doc.currency);
    f.text_right(right, f.y, Face::Bold, 12.0, &total);
    f.y += 24.0;
}

fn paragraph(f: &mut Flow, title: &str, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    let lines = wrap(Face::Regular, BODY, text, f.content_width());
    f.ensure(14.0 + LINE);
    f.y += 10.0;
    f.text(f.left(), f.y, Face::Bold, 10.0, title);
    f.y += 4.0;
    for line in lines {
        f.ensure(LINE);
        f.y += LINE;
        f.text(f.left(), f.y, Face::Regular, BODY, &line);
    }
    f.y += 12.0;
}

fn payment_link(f: &mut Flow, url: &str, expires_at: &str) -> Result<()> {
    let modules = qr_draw::modules(url)?;
    f.ensure(QR_SIZE + 16.0);
    f.y += 8.0;
    let (x, y) = (f.left(), f.y);
    f.push(Op::Qr {
        x,
        y,
        size: QR_SIZE,
        modules,
    });
    f.push(Op::Link {
        x,
        y,
        w: QR_SIZE,
        h: QR_SIZE,
        url: url.to_string(),
    });
    let tx = x + QR_SIZE + 14.0;
    let text_w = f.right() - tx;
    let mut ty = y + 26.0;
    f.text(tx, ty, Face::Bold, 14.0, "Scan to pay");
    ty += 18.0;
    f.gray_text(tx, ty, Face::Regular, BODY, 90, "or open this link:");
    for line in wrap(Face::Regular, 8.5, url, text_w) {
        ty += 12.0;
        f.text(tx, ty, Face::Regular, 8.5, &line);
        f.push(Op::Link {
            x: tx,
            y: ty - 9.0,
            w: width(Face::Regular, 8.5, &line),
            h: 12.0,
            url: url.to_string(),
        });
    }
    ty += 16.0;
    let expiry = format!("Link expires {}", display_time(expires_at));
    f.text(tx, ty, Face::Regular, BODY, &expiry);
    f.y = (y + QR_SIZE).max(ty) + 8.0;
    Ok(())
}

fn footers(f: &mut Flow, doc: &InvoiceDocument) {
    let n = f.pages.len();
    let base = f.height - MARGIN + 10.0;
    let (left, right) = (f.left(), f.right());
    let label = if doc.business.name.is_empty() {
        format!("Invoice {}", doc.number)
    } else {
        format!("{} · Invoice {}", doc.business.name, doc.number)
    };
    for (i, page) in f.pages.iter_mut().enumerate() {
        let text = format!("Page {} of {n}", i + 1);
        page.ops.push(Op::Rect {
            x: left,
            y: base - 14.0,
            w: right - left,
            h: 0.5,
            gray: 200,
        });
        page.ops.push(Op::Text {
            x: left,
            y: base,
            face: Face::Regular,
            size: 8.0,
            gray: 110,
            text: label.clone(),
        });
        page.ops.push(Op::Text {
            x: right - width(Face::Regular, 8.0, &text),
            y: base,
            face: Face::Regular,
            size: 8.0,
            gray: 110,
            text,
        });
    }
}
