//! Books that cannot be opened because their file is damaged: what is wrong, and which
//! automatic backups could replace them (the app's recovery screen; the CLI prints the same
//! path in its error). The restores themselves are [`super::restore`]'s, which keep the
//! damaged file in the backups folder rather than deleting it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::domain::Mode;
use crate::error::Result;

use super::schedule::{self, AutoBackup};
use super::snapshot::{self, open_read_only};

/// Damaged books and the automatic backups that could replace them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Damage {
    /// The damaged database file.
    pub database: PathBuf,
    /// Whose books: the mode saved in the data folder.
    pub mode: Mode,
    /// What SQLite's `PRAGMA integrity_check` (or opening the file) reported.
    pub problem: String,
    /// This mode's automatic backups, newest first.
    pub backups: Vec<AutoBackup>,
}

/// Whether the current mode's books in `data_dir` are damaged, by a full
/// `PRAGMA integrity_check` on a read-only connection. `None` when there is no file yet or it is
/// sound (the books then failed to open for another reason, which that error tells).
pub fn diagnose(data_dir: &Path) -> Result<Option<Damage>> {
    let mode = crate::app::saved_mode(data_dir)?;
    let database = crate::app::database_path(data_dir, mode);
    if !database.is_file() {
        return Ok(None);
    }
    let found = match open_read_only(&database) {
        Ok(conn) => snapshot::check(&conn).err(),
        Err(e) => Some(e.to_string()),
    };
    let Some(problem) = found else {
        return Ok(None);
    };
    Ok(Some(Damage {
        database,
        mode,
        problem,
        backups: schedule::list(data_dir, mode)?,
    }))
}
