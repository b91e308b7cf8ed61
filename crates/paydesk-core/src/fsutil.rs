//! Writing files so that readers see the old one or the whole new one, never half of it: PDFs,
//! exports and backups all go through [`write_atomically`].

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Write `bytes` to `target` atomically: a temp file in the same folder, fsync, rename, fsync
/// of the folder. On failure (a full disk included) `target` is as it was and the temp file is
/// gone.
/// Returns the absolute path written.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_atomically_with(target, bytes, |file, bytes| file.write_all(bytes))
}

/// [`write_atomically`] with the write itself injected (tests simulate a full disk).
pub fn write_atomically_with(
    target: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> Result<PathBuf> {
    write_atomically_streaming(target, |file| write(file, bytes))
}

/// [`write_atomically`] for content produced piece by piece: `write` writes the whole new file
/// to the (new, empty) temp file, which is then fsynced and renamed over `target`. On failure
/// `target` is as it was and the temp file is gone.
pub fn write_atomically_streaming(
    target: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<PathBuf> {
    let target = &std::path::absolute(target)
        .map_err(|e| Error::io(format!("cannot resolve {}", target.display()), e))?;
    if let Some(dir) = target.parent().filter(|d| !d.is_dir()) {
        return Err(Error::io(
            format!(
                "cannot write {}: the folder {} does not exist",
                target.display(),
                dir.display()
            ),
            io::Error::from(io::ErrorKind::NotFound),
        ));
    }
    let tmp = temp_path_for(target)?;
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)?;
        sync_dir(target);
        Ok(target.clone())
    })();
    result.map_err(|e: io::Error| {
        let _ = std::fs::remove_file(&tmp);
        write_error(target, e)
    })
}

/// A temp file name beside `target` (same folder, so the rename stays on one file system).
pub(crate) fn temp_path_for(target: &Path) -> Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| Error::invalid("output", "must name a file"))?;
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".tmp-{}", ulid::Ulid::new()));
    Ok(target.with_file_name(tmp))
}

/// Make a finished rename durable (best effort: not every platform can open a folder).
pub(crate) fn sync_dir(file: &Path) {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Whether `e` means the disk (or the user's quota) is full.
pub(crate) fn is_disk_full(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::StorageFull
        || e.kind() == io::ErrorKind::QuotaExceeded
        || e.raw_os_error() == Some(28)
}

/// The error for a failed write of `target`: a full disk says so.
pub(crate) fn write_error(target: &Path, e: io::Error) -> Error {
    if is_disk_full(&e) {
        Error::io(
            format!(
                "the disk is full: {} was not written (free some space and try again)",
                target.display()
            ),
            e,
        )
    } else {
        Error::io(format!("cannot write {}", target.display()), e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("books.backup");
        std::fs::write(&target, b"old").unwrap();
        let err = write_atomically_with(&target, b"new contents", |f, b| {
            f.write_all(&b[..3])?;
            Err(io::Error::from(io::ErrorKind::StorageFull))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk is full"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
