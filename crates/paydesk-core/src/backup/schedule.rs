//! Automatic local backups: plain SQLite snapshots in `<data dir>/backups/`.
//!
//! One file a day per mode, named `paydesk-<mode>-<YYYY-MM-DD>.sqlite3` (the UTC date of `now`).
//! **Retention** (the rule of restic's `--keep-daily 7 --keep-weekly 4`): after each new backup,
//! keep the 7 newest daily files, and the newest file of each of the 4 newest ISO weeks
//! (Monday to Sunday) that have one; a file may count for both. Every other daily file of that
//! mode is deleted. Pre-migration snapshots (`paydesk-<mode>-pre-migration-v<N>-<time>.sqlite3`)
//! and the books a restore replaced (`paydesk-<mode>-pre-restore-<time>.sqlite3`) are listed
//! but never pruned.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::domain::Mode;
use crate::error::{Error, Result};

use super::BACKUPS_DIR;

/// Daily backups kept.
pub const KEEP_DAILY: usize = 7;
/// Weekly backups kept.
pub const KEEP_WEEKLY: usize = 4;

/// Which kind of automatic backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AutoBackupKind {
    /// The once-a-day copy.
    Daily,
    /// Taken before the schema of an older database was upgraded.
    PreMigration,
    /// The books a restore replaced (so the restore can be undone).
    PreRestore,
}

/// One automatic backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoBackup {
    pub path: PathBuf,
    pub file_name: String,
    pub kind: AutoBackupKind,
    /// The day of a daily backup.
    pub date: Option<NaiveDate>,
    /// When the file was last written (RFC 3339, UTC): the moment the books in it are from.
    pub created_at: Option<String>,
    pub bytes: u64,
}

/// The automatic-backup folder of `data_dir`.
pub fn backups_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(BACKUPS_DIR)
}

/// The daily file of `mode` for `date`.
pub fn daily_file_name(mode: Mode, date: NaiveDate) -> String {
    format!(
        "paydesk-{}-{}.sqlite3",
        mode.as_str(),
        date.format("%Y-%m-%d")
    )
}

fn classify(mode: Mode, name: &str) -> Option<(AutoBackupKind, Option<NaiveDate>)> {
    let rest = name
        .strip_prefix(&format!("paydesk-{}-", mode.as_str()))?
        .strip_suffix(".sqlite3")?;
    if rest.starts_with("pre-migration-") {
        return Some((AutoBackupKind::PreMigration, None));
    }
    if rest.starts_with("pre-restore-") {
        return Some((AutoBackupKind::PreRestore, None));
    }
    let date = NaiveDate::parse_from_str(rest, "%Y-%m-%d").ok()?;
    Some((AutoBackupKind::Daily, Some(date)))
}

/// The automatic backups of `mode`, newest first (daily by date, then pre-migration by name).
pub fn list(data_dir: &Path, mode: Mode) -> Result<Vec<AutoBackup>> {
    let dir = backups_dir(data_dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(format!("cannot read {}", dir.display()), e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, date)) = classify(mode, &name) else {
            continue;
        };
        let meta = entry.metadata().ok();
        out.push(AutoBackup {
            path: entry.path(),
            file_name: name,
            kind,
            date,
            created_at: meta.as_ref().and_then(written_at),
            bytes: meta.map_or(0, |m| m.len()),
        });
    }
    out.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(b.date.cmp(&a.date))
            .then(b.file_name.cmp(&a.file_name))
    });
    Ok(out)
}

/// When a backup file was last written (RFC 3339, UTC): the moment the books in it are from.
pub fn written_at(meta: &std::fs::Metadata) -> Option<String> {
    let time = meta.modified().ok()?;
    Some(crate::clock::timestamp(DateTime::<Utc>::from(time)))
}

/// The dates to keep among `dates` under the retention rule.
pub fn dates_to_keep(dates: &[NaiveDate]) -> BTreeSet<NaiveDate> {
    let mut newest_first: Vec<NaiveDate> = dates.to_vec();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    newest_first.dedup();
    let mut keep: BTreeSet<NaiveDate> = newest_first.iter().take(KEEP_DAILY).copied().collect();
    let mut weeks = Vec::new();
    for d in &newest_first {
        let week = d.iso_week();
        let week = (week.year(), week.week());
        if weeks.last() != Some(&week) {
            if weeks.len() == KEEP_WEEKLY {
                break;
            }
            weeks.push(week);
            keep.insert(*d);
        }
    }
    keep
}

/// Take today's backup of the database behind `source` unless there is one; then prune.
/// Returns the new file, or `None` when today's backup already exists.
pub fn backup_if_due(
    source: &Connection,
    data_dir: &Path,
    mode: Mode,
    now: DateTime<Utc>,
) -> Result<Option<PathBuf>> {
    let dir = backups_dir(data_dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let target = dir.join(daily_file_name(mode, now.date_naive()));
    if target.exists() {
        return Ok(None);
    }
    let tmp = crate::fsutil::temp_path_for(&target)?;
    super::snapshot::snapshot_to(source, &tmp)?;
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("cannot write {}", target.display()), e)
    })?;
    crate::fsutil::sync_dir(&target);
    prune(data_dir, mode)?;
    Ok(Some(target))
}

/// Delete the daily backups of `mode` the retention rule does not keep; the deleted files.
pub fn prune(data_dir: &Path, mode: Mode) -> Result<Vec<PathBuf>> {
    let daily: Vec<AutoBackup> = list(data_dir, mode)?
        .into_iter()
        .filter(|b| b.kind == AutoBackupKind::Daily)
        .collect();
    let dates: Vec<NaiveDate> = daily.iter().filter_map(|b| b.date).collect();
    let keep = dates_to_keep(&dates);
    let mut removed = Vec::new();
    for b in daily {
        if b.date.is_some_and(|d| !keep.contains(&d)) {
            std::fs::remove_file(&b.path)
                .map_err(|e| Error::io(format!("cannot remove {}", b.path.display()), e))?;
            removed.push(b.path);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_other_modes_and_files_are_ignored() {
        assert_eq!(
            classify(Mode::Test, "paydesk-test-2026-01-02.sqlite3"),
            Some((AutoBackupKind::Daily, NaiveDate::from_ymd_opt(2026, 1, 2)))
        );
        assert_eq!(
            classify(Mode::Live, "paydesk-test-2026-01-02.sqlite3"),
            None
        );
        assert_eq!(
            classify(Mode::Test, ".paydesk-test-2026-01-02.sqlite3.tmp-x"),
            None
        );
        assert_eq!(
            classify(
                Mode::Test,
                "paydesk-test-pre-migration-v4-20260101T000000.000Z.sqlite3"
            )
            .map(|c| c.0),
            Some(AutoBackupKind::PreMigration)
        );
    }
}
