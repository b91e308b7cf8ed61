//! The business logo: a PNG or JPEG file, recognised by its magic bytes.

use std::path::Path;

use crate::error::{Error, Result};

/// The image formats a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoKind {
    Png,
    Jpeg,
}

impl LogoKind {
    /// The format of `bytes` by its magic bytes, if it is PNG or JPEG.
    pub fn sniff(bytes: &[u8]) -> Option<LogoKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(LogoKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(LogoKind::Jpeg)
        } else {
            None
        }
    }
}

/// A logo's bytes, known to start like a PNG or JPEG.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    pub kind: LogoKind,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logo")
            .field("kind", &self.kind)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

const RULE: &str = "must be a readable PNG or JPEG file; choose another or clear the logo";

impl Logo {
    /// `bytes` as a logo; `Invalid` naming `logo` unless they are PNG or JPEG.
    pub fn from_bytes(bytes: Vec<u8>, origin: &str) -> Result<Logo> {
        match LogoKind::sniff(&bytes) {
            Some(kind) => Ok(Logo { kind, bytes }),
            None => Err(Error::invalid(
                "logo",
                format!("{origin} is not a PNG or JPEG image; the logo {RULE}"),
            )),
        }
    }

    /// Read the logo at `path`; a missing or unreadable file, or one that is not PNG or JPEG,
    /// is `Invalid` naming `logo` and the path.
    pub fn read(path: &Path) -> Result<Logo> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::invalid(
                "logo",
                format!("cannot read {} ({e}); the logo {RULE}", path.display()),
            )
        })?;
        Logo::from_bytes(bytes, &path.display().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_png_and_jpeg_magic_bytes_are_logos() {
        assert_eq!(
            LogoKind::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(LogoKind::Png)
        );
        assert_eq!(
            LogoKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(LogoKind::Jpeg)
        );
        assert_eq!(LogoKind::sniff(b"GIF89a"), None);
        let e = Logo::from_bytes(b"<svg/>".to_vec(), "/tmp/x.svg").unwrap_err();
        assert_eq!(e.field(), Some("logo"));
        assert!(e.to_string().contains("/tmp/x.svg"), "{e}");
    }
}
