//! Draws laid-out pages with `krilla`: text as real text in the embedded (subset) Noto Sans,
//! rectangles and the QR code as filled paths, the logo as an image, and link annotations.

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::TextDirection;
use krilla::Document;

use super::fonts::{krilla_font, Face};
use super::layout::{Op, PageLayout};
use super::logo::LogoKind;
use super::model::InvoiceDocument;
use super::Paper;
use crate::error::{Error, Result};

fn internal(what: &str) -> Error {
    Error::io(
        format!("cannot render the invoice PDF: {what}"),
        std::io::Error::other(what.to_string()),
    )
}

fn fill(gray: u8) -> Fill {
    Fill {
        paint: luma::Color::new(gray).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn logo_image(doc: &InvoiceDocument) -> Result<Option<krilla::image::Image>> {
    let Some(logo) = &doc.logo else {
        return Ok(None);
    };
    let data: krilla::Data = logo.bytes.clone().into();
    match logo.kind {
        LogoKind::Png => krilla::image::Image::from_png(data, true),
        LogoKind::Jpeg => krilla::image::Image::from_jpeg(data, true),
    }
    .map(Some)
    .map_err(|e| Error::invalid("logo", format!("cannot be decoded ({e})")))
}

/// The PDF bytes of `pages`.
pub fn render(doc: &InvoiceDocument, paper: Paper, pages: &[PageLayout]) -> Result<Vec<u8>> {
    let regular = krilla_font(Face::Regular).ok_or_else(|| internal("the regular font"))?;
    let bold = krilla_font(Face::Bold).ok_or_else(|| internal("the bold font"))?;
    let logo = logo_image(doc)?;
    let (w, h) = paper.size();
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("Invoice {}", doc.number))
            .creator("Paydesk".to_string()),
    );
    for layout in pages {
        let settings = PageSettings::from_wh(w, h).ok_or_else(|| internal("the page size"))?;
        let mut page = document.start_page_with(settings);
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            for op in &layout.ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        face,
                        size,
                        gray,
                        text,
                    } => {
                        let font = match face {
                            Face::Regular => regular.clone(),
                            Face::Bold => bold.clone(),
                        };
                        surface.set_fill(Some(fill(*gray)));
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            font,
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Op::Rect { x, y, w, h, gray } => {
                        if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                            fill_rects(&mut surface, &[rect], *gray);
                        }
                    }
                    Op::Logo { x, y, w, h } => {
                        if let (Some(image), Some(size)) = (&logo, Size::from_wh(*w, *h)) {
                            surface.push_transform(&Transform::from_translate(*x, *y));
                            surface.draw_image(image.clone(), size);
                            surface.pop();
                        }
                    }
                    Op::Qr {
                        x,
                        y,
                        size,
                        modules,
                    } => {
                        let m = size / modules.width as f32;
                        if let Some(bg) = Rect::from_xywh(*x, *y, *size, *size) {
                            fill_rects(&mut surface, &[bg], 255);
                        }
                        let rects: Vec<Rect> = modules
                            .runs()
                            .into_iter()
                            .filter_map(|(row, col, len)| {
                                Rect::from_xywh(
                                    x + col as f32 * m,
                                    y + row as f32 * m,
                                    len as f32 * m,
                                    m,
                                )
                            })
                            .collect();
                        fill_rects(&mut surface, &rects, 0);
                    }
                    Op::Link { x, y, w, h, url } => {
                        if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                            links.push((rect, url.clone()));
                        }
                    }
                }
            }
            surface.finish();
        }
        for (rect, url) in links {
            page.add_annotation(Annotation::new_link(
                LinkAnnotation::new(rect, Target::Action(Action::Link(LinkAction::new(url)))),
                Some("Pay this invoice".to_string()),
            ));
        }
        page.finish();
    }
    document.finish().map_err(|e| internal(&format!("{e:?}")))
}

/// Fill `rects` as one path (adjacent squares merge without seams).
fn fill_rects(surface: &mut Surface<'_>, rects: &[Rect], gray: u8) {
    let mut pb = PathBuilder::new();
    for r in rects {
        pb.push_rect(*r);
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(fill(gray)));
        surface.draw_path(&path);
    }
}
