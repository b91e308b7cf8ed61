//! A real full disk: `paydesk invoice pdf` and `paydesk backup create` write their file onto a
//! tiny tmpfs that cannot hold it, and must fail cleanly: a non-zero exit naming the disk and
//! the file, the file that was already there untouched, no temp file left beside it, the books
//! unchanged, and the next ordinary run fine.
//!
//! This file owns those end-to-end checks; the unit test in `paydesk-core/src/fsutil.rs` covers
//! the same path with an injected failing writer. Here the kernel itself answers ENOSPC: the
//! tmpfs is mounted by `unshare -rm` in a private user and mount namespace, so the test needs no
//! privileges beyond unprivileged user namespaces, and the mount cannot leak onto the machine
//! and vanishes with the process. Because it exists only in that namespace, everything about
//! it (exit code, listing, the old file's content) is recorded from inside the shell script,
//! into a report folder on the normal disk. The data folder (SQLite) stays on the normal disk.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::Books;

const PASSPHRASE: &[u8] = b"correct horse battery\n";

/// The tmpfs size: four pages. The old file takes one, so 12 KiB are left, well below a
/// one-line invoice's PDF (~21 KB) or an encrypted backup of those books (~270 KB);
/// [`later_run_writes`] checks that on every run.
const TMPFS_BYTES: u64 = 16 * 1024;

/// Mounts the tmpfs on `$FULL`, puts "old" in `$FULL/$NAME`, runs paydesk (`"$@"`) with
/// `-o $FULL/$NAME`, and records what happened into `$REPORT`. Setup failures exit 90+.
const SCRIPT: &str = r#"
mount -t tmpfs -o "size=$SIZE" paydesk-disk-full "$FULL" || exit 90
printf old > "$FULL/$NAME" || exit 91
"$@" -o "$FULL/$NAME" > "$REPORT/stdout" 2> "$REPORT/stderr"
echo "$?" > "$REPORT/code" || exit 92
ls -A "$FULL" > "$REPORT/listing" || exit 93
cat "$FULL/$NAME" > "$REPORT/old" || exit 94
"#;

/// What one paydesk run on the full tmpfs did, as seen from inside the namespace.
#[derive(Debug)]
struct FullDiskRun {
    /// The path paydesk was told to write (inside the tmpfs).
    target: String,
    code: i32,
    stdout: String,
    stderr: String,
    /// `ls -A` of the tmpfs afterwards.
    listing: Vec<String>,
    /// The content of the target afterwards.
    old: String,
}

/// Run `paydesk <args> -o <tmpfs>/<name>` (with `b`'s environment and `stdin`) where `<tmpfs>`
/// is a private tmpfs of [`TMPFS_BYTES`] already holding `<name>` with the content "old".
/// Panics, never skips, when `unshare -rm` or the mount does not work here.
fn on_full_tmpfs(b: &Books, args: &[&str], name: &str, stdin: &[u8]) -> FullDiskRun {
    let outside = tempfile::tempdir().expect("temp dir");
    let full = outside.path().join("full");
    let report = outside.path().join("report");
    std::fs::create_dir(&full).expect("mount point");
    std::fs::create_dir(&report).expect("report folder");

    let paydesk = b.command();
    let mut cmd = Command::new("unshare");
    cmd.args(["-rm", "sh", "-c", SCRIPT, "sh"])
        .arg(paydesk.get_program())
        .args(args)
        .env("SIZE", TMPFS_BYTES.to_string())
        .env("FULL", &full)
        .env("NAME", name)
        .env("REPORT", &report);
    for (key, value) in paydesk.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `unshare` (util-linux) for the tmpfs: {e}"));
    // paydesk may exit before reading: a closed pipe is fine.
    let _ = std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin);
    let out = child.wait_with_output().expect("wait for unshare");
    assert!(
        out.status.success(),
        "could not run paydesk on a {TMPFS_BYTES}-byte tmpfs in a private mount namespace \
         (`unshare -rm`, then `mount -t tmpfs`; exit {:?}; 90 = mount failed, 91+ = script \
         step failed): this test needs unprivileged user namespaces\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
    );

    let read = |file: &str| {
        std::fs::read_to_string(report.join(file)).unwrap_or_else(|e| panic!("report {file}: {e}"))
    };
    let code = read("code");
    FullDiskRun {
        target: full.join(name).display().to_string(),
        code: code
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("exit code {code:?}: {e}")),
        stdout: read("stdout"),
        stderr: read("stderr"),
        listing: read("listing").lines().map(str::to_string).collect(),
        old: read("old"),
    }
}

/// The run failed for a full disk, naming the file, and left the tmpfs as it found it.
fn assert_failed_cleanly(run: &FullDiskRun, name: &str) {
    eprintln!("{run:#?}");
    assert_eq!(run.code, 7, "exit code (storage): {run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    let expected = format!(
        "error: the disk is full: {} was not written (free some space and try again)",
        run.target
    );
    assert!(run.stderr.starts_with(&expected), "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "one error line: {run:#?}");
    assert_eq!(run.old, "old", "the old file was changed: {run:#?}");
    assert_eq!(run.listing, [name], "a temp file was left behind: {run:#?}");
}

/// Books with one invoice, INV-2026-0001.
fn books_with_an_invoice() -> Books {
    let b = Books::new();
    b.add_client("Acme Studio");
    b.add_invoice("Acme Studio", "Design;3;150.50;20%");
    b
}

/// A normal-disk run of `line` (ending in `-o`) writes a file bigger than the tmpfs: the
/// books were not left half-done, and the file really could not have fit.
fn later_run_writes(b: &Books, line: &str, stdin: &[u8], name: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    let run = b.run_with_stdin(&format!("{line} '{}'", path.display()), stdin);
    assert_eq!(run.code, 0, "{line}: {}", run.stderr);
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!("{name} on a normal disk: {bytes} bytes");
    assert!(
        bytes > TMPFS_BYTES,
        "{name} is {bytes} bytes: it fits the {TMPFS_BYTES}-byte tmpfs, the test proves nothing"
    );
}

#[test]
fn invoice_pdf_onto_a_full_disk_fails_and_leaves_the_old_file() {
    let b = books_with_an_invoice();
    let before = b.snapshot();

    let run = on_full_tmpfs(&b, &["invoice", "pdf", "INV-2026-0001"], "inv.pdf", b"");
    assert_failed_cleanly(&run, "inv.pdf");

    assert_eq!(b.snapshot(), before);
    assert_no_temp_files(b.path());
    later_run_writes(&b, "invoice pdf INV-2026-0001 -o", b"", "inv.pdf");
}

#[test]
fn backup_create_onto_a_full_disk_fails_and_leaves_the_old_file() {
    let b = books_with_an_invoice();
    let before = b.snapshot();

    let name = "books.paydesk-backup";
    let run = on_full_tmpfs(&b, &["backup", "create"], name, PASSPHRASE);
    assert_failed_cleanly(&run, name);

    assert_eq!(b.snapshot(), before);
    // Nor is the database snapshot the backup is made from (a temp file in the data folder).
    assert_no_temp_files(b.path());
    later_run_writes(&b, "backup create -o", PASSPHRASE, name);
}

/// No `.<name>.tmp-<ulid>` file in `dir`.
fn assert_no_temp_files(dir: &Path) {
    let temps: Vec<_> = std::fs::read_dir(dir)
        .expect("data folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(temps.is_empty(), "temp files left: {temps:?}");
}
