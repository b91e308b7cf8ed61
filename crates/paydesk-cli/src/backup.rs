//! `paydesk backup create|inspect|restore|auto|list|restore-auto`: encrypted backups of the current
//! mode's books, and the automatic daily copies in the data folder.
//!
//! The passphrase is never an argument: it is typed at a hidden prompt (twice for `create`), or
//! read from the first line of stdin when stdin is not a terminal. Restoring replaces the books,
//! so it asks first on a terminal; elsewhere it needs `--yes`.
//!
//! `restore` and `restore-auto` work even when the books cannot be opened (a damaged database
//! names `restore-auto` as the way back), so they do not open the engine first.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Subcommand;
use paydesk_core::backup::restore::{self, RestoredBackup, RestoredDatabase};
use paydesk_core::backup::{AutoBackup, AutoBackupKind, BackupInfo};
use paydesk_core::clock::SystemClock;
use paydesk_core::secrets::Secret;
use paydesk_core::{app, Error};

use crate::context::Ctx;
use crate::exit::Failure;
use crate::output;

/// Longest passphrase line read from stdin.
const MAX_PASSPHRASE_LINE: u64 = 4096;

/// `paydesk backup ...`
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Write an encrypted backup of the current mode's books (passphrase asked twice, or read
    /// from stdin).
    Create {
        /// The backup file to write (replaced only by a complete backup).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Also put this mode's credentials from the keychain inside the backup.
        #[arg(long)]
        include_secrets: bool,
    },
    /// Show what an encrypted backup holds (needs its passphrase; changes nothing).
    Inspect {
        /// The backup file.
        file: PathBuf,
    },
    /// Replace the current mode's books with an encrypted backup.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Do not ask before replacing the books (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Take today's automatic backup now unless there is one (what the app does daily; for
    /// scripts and cron), and prune old ones.
    Auto,
    /// List the automatic backups of the current mode (daily and pre-upgrade copies).
    List,
    /// Replace the current mode's books with an automatic backup (a path, or a name from
    /// `backup list`).
    RestoreAuto {
        /// The automatic backup file.
        file: PathBuf,
        /// Do not ask before replacing the books (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
}

/// Run a backup command; `data_dir` is the global `--data-dir`.
pub(crate) fn run(
    command: BackupCommand,
    data_dir: Option<&Path>,
    ctx: &mut Ctx<'_, '_>,
) -> Result<(), Failure> {
    match command {
        BackupCommand::Create {
            output,
            include_secrets,
        } => {
            let passphrase = read_passphrase(ctx, true)?;
            let info = ctx
                .app()?
                .create_backup(&output, &passphrase, include_secrets)?;
            ctx.emit(&info, |out, i| {
                writeln!(out, "Wrote an encrypted backup to {}.", i.path.display())?;
                write_info(out, i)
            })
        }
        BackupCommand::Inspect { file } => {
            let passphrase = read_passphrase(ctx, false)?;
            let (bytes, opened) = restore::read_backup(&file, &passphrase)?;
            let info = restore::info_of(&file, bytes, &opened);
            ctx.emit(&info, write_info)
        }
        BackupCommand::Restore { file, yes } => {
            let (dir, mode) = books(data_dir)?;
            let passphrase = read_passphrase(ctx, false)?;
            let prepared =
                restore::prepare(&dir, mode, ctx.io.secrets.as_ref(), &file, &passphrase)?;
            confirm(ctx, yes, mode.as_str())?;
            let database = app::database_path(&dir, mode);
            let secrets = ctx.io.secrets.clone();
            let (restored, _store) = restore::finish(
                &database,
                mode,
                prepared,
                secrets.as_ref(),
                Arc::new(SystemClock),
            )?;
            ctx.emit(&restored, |out, r: &RestoredBackup| {
                writeln!(
                    out,
                    "Restored the {} books from {}.",
                    mode.as_str(),
                    r.info.path.display()
                )?;
                write_previous(out, r.previous.as_deref())?;
                write_info(out, &r.info)
            })
        }
        BackupCommand::Auto => {
            let made = ctx.app()?.auto_backup_if_due(chrono::Utc::now())?;
            let result = serde_json::json!({ "created": made.is_some(), "path": made });
            ctx.emit(&result, |out, _| match &made {
                Some(path) => writeln!(out, "Saved today's automatic backup: {}", path.display()),
                None => writeln!(out, "Today's automatic backup already exists."),
            })
        }
        BackupCommand::List => {
            let (dir, mode) = books(data_dir)?;
            let list = paydesk_core::backup::schedule::list(&dir, mode)?;
            ctx.emit(&list, |out, l| write_list(out, l))
        }
        BackupCommand::RestoreAuto { file, yes } => {
            let (dir, mode) = books(data_dir)?;
            let source = restore::resolve_auto_backup(&dir, &file)?;
            // Check the file before asking (copy_candidate runs the integrity check).
            drop(restore::copy_candidate(&dir, &source)?);
            confirm(ctx, yes, mode.as_str())?;
            let (restored, _store) =
                restore::restore_auto_backup(&dir, mode, &source, Arc::new(SystemClock))?;
            ctx.emit(&restored, |out, r: &RestoredDatabase| {
                writeln!(
                    out,
                    "Restored the {} books from {}.",
                    mode.as_str(),
                    r.source.display()
                )?;
                write_previous(out, r.previous.as_deref())
            })
        }
    }
}

/// The data folder and its current mode, without opening the books.
fn books(data_dir: Option<&Path>) -> Result<(PathBuf, paydesk_core::Mode), Error> {
    let dir = app::resolve_data_dir(data_dir.filter(|d| !d.as_os_str().is_empty()))?;
    let mode = app::saved_mode(&dir)?;
    Ok((dir, mode))
}

/// Ask before replacing the books; without a terminal, only `--yes` goes ahead.
fn confirm(ctx: &mut Ctx<'_, '_>, yes: bool, mode: &str) -> Result<(), Error> {
    if yes {
        return Ok(());
    }
    if !ctx.io.stdin_is_terminal {
        return Err(Error::invalid(
            "yes",
            "restoring replaces the current books; pass --yes to confirm",
        ));
    }
    write!(
        ctx.io.stderr,
        "Replace the current {mode} books with this backup? [y/N] "
    )
    .and_then(|()| ctx.io.stderr.flush())
    .map_err(|e| Error::io("cannot ask for confirmation", e))?;
    let mut answer = String::new();
    ctx.io
        .stdin
        .read_line(&mut answer)
        .map_err(|e| Error::io("cannot read the answer", e))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::invalid(
            "yes",
            "not confirmed; the books were not changed",
        ))
    }
}

/// The passphrase: a hidden prompt on a terminal (twice when `twice`), else stdin's first line.
fn read_passphrase(ctx: &mut Ctx<'_, '_>, twice: bool) -> Result<Secret, Error> {
    let prompt_error =
        |e: io::Error| Error::invalid("passphrase", format!("cannot read from the terminal: {e}"));
    if ctx.io.stdin_is_terminal {
        let first = rpassword::prompt_password("Backup passphrase (input hidden): ")
            .map_err(prompt_error)?;
        let first = Secret::new(first);
        paydesk_core::backup::check_passphrase(&first)?;
        if twice {
            let again = rpassword::prompt_password("Type it again: ").map_err(prompt_error)?;
            if again != first.expose() {
                return Err(Error::invalid("passphrase", "the two entries differ"));
            }
        }
        return Ok(first);
    }
    let mut line = Vec::new();
    ctx.io
        .stdin
        .take(MAX_PASSPHRASE_LINE)
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::invalid("passphrase", format!("cannot read stdin: {e}")))?;
    let text =
        String::from_utf8(line).map_err(|_| Error::invalid("passphrase", "must be UTF-8 text"))?;
    let passphrase = Secret::new(text.trim_end_matches(['\n', '\r']));
    paydesk_core::backup::check_passphrase(&passphrase)?;
    Ok(passphrase)
}

fn write_info(out: &mut dyn Write, i: &BackupInfo) -> io::Result<()> {
    const W: usize = 16;
    let m = &i.manifest;
    output::field(out, W, "File", &i.path.display().to_string())?;
    output::field(out, W, "Size", &format!("{} bytes", i.file_bytes))?;
    output::field(out, W, "Mode", m.mode.as_str())?;
    output::field(out, W, "Created", &m.created_at)?;
    output::field(out, W, "Paydesk", &m.app_version)?;
    output::field(out, W, "Schema version", &m.schema_version.to_string())?;
    output::field(out, W, "Database", &format!("{} bytes", m.database_bytes))?;
    let secrets = if m.includes_secrets {
        i.secret_names.join(", ")
    } else {
        "not included".to_string()
    };
    output::field(out, W, "Secrets", &secrets)
}

/// Where the replaced books went (a restore can be undone with `restore-auto` on that file).
fn write_previous(out: &mut dyn Write, previous: Option<&Path>) -> io::Result<()> {
    match previous {
        Some(p) => writeln!(out, "The books it replaced were kept as {}.", p.display()),
        None => Ok(()),
    }
}

fn write_list(out: &mut dyn Write, list: &[AutoBackup]) -> io::Result<()> {
    let Some(first) = list.first() else {
        return writeln!(out, "No automatic backups yet.");
    };
    if let Some(dir) = first.path.parent() {
        writeln!(out, "In {}:", dir.display())?;
    }
    // Whole names, never cut: they are what `restore-auto` takes.
    for b in list {
        let kind = match b.kind {
            AutoBackupKind::Daily => "daily",
            AutoBackupKind::PreMigration => "before a schema upgrade",
            AutoBackupKind::PreRestore => "replaced by a restore",
        };
        writeln!(out, "  {}  ({kind}, {} bytes)", b.file_name, b.bytes)?;
    }
    Ok(())
}
