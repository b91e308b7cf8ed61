//! The payment link's QR code as vector squares: the module matrix from `qrcode` (medium error
//! correction, like [`crate::qr`]) with the standard four-module quiet zone, merged into
//! horizontal runs so a 33-module code is a few hundred rectangles in one filled path.

use qrcode::{Color, EcLevel, QrCode};

use crate::error::{Error, Result};

/// Modules of the quiet zone on each side.
pub const QUIET_ZONE: usize = 4;

/// A QR code's modules, quiet zone included: `width × width`, row by row, `true` is dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrModules {
    pub width: usize,
    pub dark: Vec<bool>,
}

/// The modules of the QR code of `url`.
pub fn modules(url: &str) -> Result<QrModules> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| Error::invalid("link", format!("cannot be encoded as a QR code: {e}")))?;
    let inner = code.width();
    let colors = code.to_colors();
    let width = inner + 2 * QUIET_ZONE;
    let mut dark = vec![false; width * width];
    for (i, c) in colors.iter().enumerate() {
        let (row, col) = (i / inner, i % inner);
        dark[(row + QUIET_ZONE) * width + col + QUIET_ZONE] = *c == Color::Dark;
    }
    Ok(QrModules { width, dark })
}

impl QrModules {
    /// Dark runs as `(row, first column, length)` in modules.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for row in 0..self.width {
            let cells = &self.dark[row * self.width..(row + 1) * self.width];
            let mut col = 0;
            while col < self.width {
                if cells[col] {
                    let start = col;
                    while col < self.width && cells[col] {
                        col += 1;
                    }
                    runs.push((row, start, col - start));
                } else {
                    col += 1;
                }
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_zone_is_light_and_runs_cover_every_dark_module() {
        let m = modules("https://pay.example/?token=01KJRA0M9QG8MA4X887908T8A4").unwrap();
        assert!(m.width >= 21 + 2 * QUIET_ZONE);
        for i in 0..m.width {
            for q in 0..QUIET_ZONE {
                assert!(!m.dark[q * m.width + i] && !m.dark[i * m.width + q]);
            }
        }
        let covered: usize = m.runs().iter().map(|r| r.2).sum();
        assert_eq!(covered, m.dark.iter().filter(|d| **d).count());
    }
}
