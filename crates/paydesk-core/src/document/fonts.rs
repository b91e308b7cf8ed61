//! The two embedded faces (Noto Sans Regular and Bold, SIL OFL: `assets/fonts/LICENSE`) and
//! their glyph advances, to measure text for wrapping and right alignment.

use std::sync::LazyLock;

use skrifa::prelude::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// Characters below this have their advance precomputed.
const TABLE: usize = 0x800;

/// A face of the document font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

/// Advance widths of one face, in em.
struct Advances {
    data: &'static [u8],
    table: Vec<f32>,
}

impl Advances {
    fn new(data: &'static [u8]) -> Advances {
        let mut a = Advances {
            data,
            table: Vec::new(),
        };
        a.table = (0..TABLE as u32)
            .map(|c| char::from_u32(c).map_or(0.0, |c| a.lookup(c)))
            .collect();
        a
    }

    fn lookup(&self, c: char) -> f32 {
        let Ok(font) = FontRef::new(self.data) else {
            return 0.5;
        };
        let upem = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let gid = font.charmap().map(c).unwrap_or_default();
        let advance = font
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(gid)
            .unwrap_or(upem / 2.0);
        advance / upem.max(1.0)
    }

    fn em(&self, c: char) -> f32 {
        self.table
            .get(c as usize)
            .copied()
            .unwrap_or_else(|| self.lookup(c))
    }
}

static REGULAR_ADVANCES: LazyLock<Advances> = LazyLock::new(|| Advances::new(REGULAR));
static BOLD_ADVANCES: LazyLock<Advances> = LazyLock::new(|| Advances::new(BOLD));

/// The width of `text` in `face` at `size` points (no kerning: a close upper bound).
pub fn width(face: Face, size: f32, text: &str) -> f32 {
    let adv = match face {
        Face::Regular => &*REGULAR_ADVANCES,
        Face::Bold => &*BOLD_ADVANCES,
    };
    text.chars().map(|c| adv.em(c)).sum::<f32>() * size
}

/// The krilla font of `face` (parsed once per process).
pub fn krilla_font(face: Face) -> Option<krilla::text::Font> {
    static R: LazyLock<Option<krilla::text::Font>> =
        LazyLock::new(|| krilla::text::Font::new(REGULAR.into(), 0));
    static B: LazyLock<Option<krilla::text::Font>> =
        LazyLock::new(|| krilla::text::Font::new(BOLD.into(), 0));
    match face {
        Face::Regular => R.clone(),
        Face::Bold => B.clone(),
    }
}

/// `text` broken into lines no wider than `max` (at `size` in `face`): paragraphs split at
/// newlines, lines at spaces, and a word too long for a line is split between characters.
pub fn wrap(face: Face, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(face, size, &candidate) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: split it between characters while it is too wide.
            for c in word.chars() {
                line.push(c);
                if width(face, size, &line) > max && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_is_wider_and_width_scales_with_size() {
        let r = width(Face::Regular, 10.0, "Invoice 123");
        assert!(r > 30.0 && r < 80.0, "{r}");
        assert!(width(Face::Bold, 10.0, "Invoice 123") > r);
        assert!((width(Face::Regular, 20.0, "Invoice 123") - 2.0 * r).abs() < 0.01);
    }

    #[test]
    fn wrapping_keeps_every_word_and_fits_the_width() {
        let text = "Design of the landing page, three rounds of revisions\nand a supercalifragilisticexpialidocious-long-token-without-spaces";
        let lines = wrap(Face::Regular, 9.0, text, 80.0);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(
            lines.iter().all(|l| width(Face::Regular, 9.0, l) <= 80.0),
            "{lines:?}"
        );
        let joined: String = lines.concat().split_whitespace().collect();
        let want: String = text.split_whitespace().collect();
        assert_eq!(joined, want);
        assert!(krilla_font(Face::Bold).is_some());
    }
}
