//! QR codes of payment links: PNG and SVG for the app and exports, text for the terminal.
//!
//! Every renderer encodes the URL's exact bytes with medium error correction and the standard
//! four-module quiet zone, so phone cameras and decoders read it back unchanged.

use std::io::Cursor;

use image::{ImageFormat, Luma};
use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Result};

fn code(url: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| Error::invalid("url", format!("cannot be encoded as a QR code: {e}")))
}

/// A PNG (8-bit grey, at least 256 px wide) of the QR code of `url`.
pub fn png(url: &str) -> Result<Vec<u8>> {
    let img = code(url)?
        .render::<Luma<u8>>()
        .min_dimensions(256, 256)
        .build();
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).map_err(|e| {
        Error::io(
            "cannot encode the QR code as PNG",
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(out.into_inner())
}

/// A standalone SVG document of the QR code of `url`.
pub fn svg(url: &str) -> Result<String> {
    Ok(code(url)?
        .render()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The QR code of `url` as lines of Unicode half blocks (two modules per character row) for a
/// terminal: light modules and the quiet zone are drawn as blocks, dark modules are left blank,
/// so it scans on the usual dark terminal background.
pub fn terminal(url: &str) -> Result<String> {
    Ok(code(url)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_terminal_render_something_square() {
        let s = svg("https://pay.example/?token=01KJRA0M9QG8MA4X887908T8A4").unwrap();
        assert!(s.starts_with("<?xml") && s.contains("<svg"), "{s}");
        let t = terminal("https://pay.example/?token=01KJRA0M9QG8MA4X887908T8A4").unwrap();
        let lines: Vec<_> = t.lines().collect();
        assert!(lines.len() > 10);
        assert!(lines
            .iter()
            .all(|l| l.chars().count() == lines[0].chars().count()));
    }
}
