//! A real full disk, in two places.
//!
//! - **The file being written**: `paydesk invoice pdf` and `paydesk backup create` write their
//!   file onto a tiny tmpfs that cannot hold it, and must fail cleanly: a non-zero exit naming
//!   the disk and the file, the file that was already there untouched, no temp file left beside
//!   it, the books unchanged, and the next ordinary run fine. The data folder stays on the
//!   normal disk.
//! - **The data folder** (the SQLite books): a copy of the books is put on a tmpfs filled up to
//!   [`DATA_LEFT_BYTES`], then `paydesk backup create` (its database snapshot is a temp file in
//!   the data folder) and `paydesk client add` (a write to the books) must fail with the plain
//!   full-disk message, leave the data folder byte for byte as it was (no snapshot, journal or
//!   WAL left behind), and the books must still read the same on that full disk.
//!
//! This file owns those end-to-end checks; the unit tests in `paydesk-core/src/fsutil.rs` and
//! `paydesk-core/src/error.rs` cover the same paths with an injected failing writer and a made
//! up SQLite error. Here the kernel itself answers ENOSPC: the tmpfs is mounted by
//! `unshare -rm` in a private user and mount namespace, so the test needs no privileges beyond
//! unprivileged user namespaces, and the mount cannot leak onto the machine and vanishes with
//! the process. Because it exists only in that namespace, everything about it (exit code,
//! listing, the old file's content, the data folder afterwards) is recorded from inside the
//! shell script, into a report folder on the normal disk.

use std::collections::BTreeMap;
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

/// A finished run of `script` in a private user and mount namespace: the folders it used.
struct NamespaceRun {
    /// Holds `full` and `report`; removed on drop.
    _outside: tempfile::TempDir,
    /// The mount point of the tmpfs (`$FULL`): empty outside the namespace.
    full: std::path::PathBuf,
    /// What the script recorded (`$REPORT`), on the normal disk.
    report: std::path::PathBuf,
}

impl NamespaceRun {
    /// The text the script wrote to `file` in the report folder.
    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.report.join(file))
            .unwrap_or_else(|e| panic!("report {file}: {e}"))
    }

    /// A number the script wrote to `file`.
    fn number(&self, file: &str) -> i64 {
        let text = self.read(file);
        text.trim()
            .parse()
            .unwrap_or_else(|e| panic!("report {file} {text:?}: {e}"))
    }
}

/// Run `script` under `unshare -rm` with `$FULL` (an empty mount point) and `$REPORT` (a folder
/// on the normal disk) set, `b`'s environment plus `env`, `stdin` on its standard input, and
/// `paydesk <args>` as its positional parameters (`"$@"`, `$1` is the binary). `what` says what
/// the script does for the panic message when it fails: it never skips.
fn in_namespace(
    b: &Books,
    script: &str,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
    stdin: &[u8],
    what: &str,
) -> NamespaceRun {
    let outside = tempfile::tempdir().expect("temp dir");
    let full = outside.path().join("full");
    let report = outside.path().join("report");
    std::fs::create_dir(&full).expect("mount point");
    std::fs::create_dir(&report).expect("report folder");

    let paydesk = b.command();
    let mut cmd = Command::new("unshare");
    cmd.args(["-rm", "sh", "-c", script, "sh"])
        .arg(paydesk.get_program())
        .args(args);
    for (key, value) in paydesk.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    cmd.envs(env.iter().copied())
        .env("FULL", &full)
        .env("REPORT", &report);
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
        "could not run {what} in a private mount namespace (`unshare -rm`, then `mount -t \
         tmpfs`; exit {:?}; 90 = mount failed, 91+ = script step failed): this test needs \
         unprivileged user namespaces\nstderr: {}\nreport stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(report.join("list-stderr")).unwrap_or_default(),
    );
    NamespaceRun {
        _outside: outside,
        full,
        report,
    }
}

/// Run `paydesk <args> -o <tmpfs>/<name>` (with `b`'s environment and `stdin`) where `<tmpfs>`
/// is a private tmpfs of [`TMPFS_BYTES`] already holding `<name>` with the content "old".
/// Panics, never skips, when `unshare -rm` or the mount does not work here.
fn on_full_tmpfs(b: &Books, args: &[&str], name: &str, stdin: &[u8]) -> FullDiskRun {
    let size = TMPFS_BYTES.to_string();
    let env = [("SIZE", size.as_ref()), ("NAME", name.as_ref())];
    let what = format!("paydesk on a {TMPFS_BYTES}-byte tmpfs");
    let run = in_namespace(b, SCRIPT, args, &env, stdin, &what);
    FullDiskRun {
        target: run.full.join(name).display().to_string(),
        code: run.number("code") as i32,
        stdout: run.read("stdout"),
        stderr: run.read("stderr"),
        listing: run.read("listing").lines().map(str::to_string).collect(),
        old: run.read("old"),
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

/// The free space left on the data folder's tmpfs once the books are on it: 48 KiB. Opening the
/// books in WAL mode maps a 32 KiB `-shm` file, so reading them still works with 16 KiB to
/// spare; a backup's snapshot of the books (~270 KB) or a client with [`big_notes`] (~55 KB of
/// WAL) cannot fit. [`later_run_succeeds`] shows on every run that the failures come from the
/// disk, not the input.
const DATA_LEFT_BYTES: u64 = 48 * 1024;

/// The data folder's tmpfs: plenty for the copied books; the filler takes all but
/// [`DATA_LEFT_BYTES`].
const DATA_TMPFS_BYTES: u64 = 4 * 1024 * 1024;

/// Mounts the tmpfs on `$FULL`, copies the books in `$BOOKS` to `$FULL/data` (paydesk's
/// `PAYDESK_DATA_DIR`), fills the tmpfs up to `$LEFT` free bytes, runs paydesk (`"$@"`), and
/// records into `$REPORT`: what it printed, a copy of the data folder right after the run
/// (before another open could recover a leftover journal or WAL), and the books as a later run
/// on the same full disk lists them. Setup failures exit 90+.
const DATA_SCRIPT: &str = r#"
mount -t tmpfs -o "size=$SIZE" paydesk-disk-full "$FULL" || exit 90
mkdir "$FULL/data" && cp -a "$BOOKS/." "$FULL/data/" || exit 91
export PAYDESK_DATA_DIR="$FULL/data"
avail=$(df -B1 --output=avail "$FULL" | tail -n 1) || exit 92
[ "$avail" -gt "$LEFT" ] || exit 93
head -c "$((avail - LEFT))" /dev/zero > "$FULL/filler" || exit 94
df -B1 --output=avail "$FULL" | tail -n 1 > "$REPORT/free" || exit 95
"$@" > "$REPORT/stdout" 2> "$REPORT/stderr"
echo "$?" > "$REPORT/code" || exit 96
cp -a "$FULL/data" "$REPORT/data-after" || exit 97
"$1" --json client list < /dev/null > "$REPORT/clients" 2> "$REPORT/list-stderr" || exit 98
"$1" --json invoice list --limit 500 < /dev/null > "$REPORT/invoices" 2>> "$REPORT/list-stderr" || exit 99
"#;

/// What one paydesk run with the data folder on a full tmpfs did, seen from inside the namespace.
#[derive(Debug)]
struct FullDataRun {
    code: i32,
    stdout: String,
    stderr: String,
    /// Free bytes on the tmpfs just before the run.
    free: u64,
    /// Every file of the data folder right after the run, with its bytes.
    data_after: BTreeMap<String, Vec<u8>>,
    /// `paydesk --json client list` and `invoice list` afterwards, on the same full disk.
    clients: serde_json::Value,
    invoices: serde_json::Value,
}

/// Run `paydesk <args>` (with `b`'s environment and `stdin`) with `PAYDESK_DATA_DIR` on a private
/// tmpfs holding a copy of `b`'s data folder and only [`DATA_LEFT_BYTES`] free. `b`'s own data
/// folder is only read. Panics, never skips, when `unshare -rm` or the mount does not work here.
fn with_books_on_full_tmpfs(b: &Books, args: &[&str], stdin: &[u8]) -> FullDataRun {
    let size = DATA_TMPFS_BYTES.to_string();
    let left = DATA_LEFT_BYTES.to_string();
    let env = [
        ("SIZE", size.as_ref()),
        ("LEFT", left.as_ref()),
        ("BOOKS", b.path().as_os_str()),
    ];
    let what = format!(
        "paydesk with its data folder on a {DATA_TMPFS_BYTES}-byte tmpfs (98/99 = the books \
         could not be listed afterwards)"
    );
    let run = in_namespace(b, DATA_SCRIPT, args, &env, stdin, &what);
    let json = |file: &str| -> serde_json::Value {
        serde_json::from_str(&run.read(file)).unwrap_or_else(|e| panic!("report {file}: {e}"))
    };
    FullDataRun {
        code: run.number("code") as i32,
        stdout: run.read("stdout"),
        stderr: run.read("stderr"),
        free: run.number("free") as u64,
        data_after: folder_contents(&run.report.join("data-after")),
        clients: json("clients"),
        invoices: json("invoices"),
    }
}

/// Every file under `dir` (relative path, bytes).
fn folder_contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let entry = entry.expect("folder entry");
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().expect("file type").is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.insert(name, std::fs::read(entry.path()).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// The run failed for the full disk under the books, and left the data folder exactly as it
/// was in `before` (the same files, byte for byte: no snapshot, journal or WAL left, nothing of
/// the write in the database file), and the books still list as `books` on the full disk.
fn assert_books_untouched(
    run: &FullDataRun,
    before: &BTreeMap<String, Vec<u8>>,
    books: &(serde_json::Value, serde_json::Value),
) {
    let summary = format!(
        "exit {}, stdout {:?}, stderr {:?}, {} bytes free before the run, files after: {:?}",
        run.code,
        run.stdout,
        run.stderr,
        run.free,
        run.data_after.keys().collect::<Vec<_>>()
    );
    eprintln!("{summary}");
    assert_eq!(
        run.free, DATA_LEFT_BYTES,
        "the tmpfs was not filled as planned: {summary}"
    );
    assert_eq!(run.code, 7, "exit code (storage): {summary}");
    assert!(run.stdout.is_empty(), "{summary}");
    assert_eq!(
        run.stderr,
        "error: the disk holding your books is full: nothing was saved \
         (free some space and try again)\n",
        "{summary}"
    );
    assert_eq!(
        run.data_after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the data folder's files changed (a temp, snapshot, journal or WAL file left behind?): \
         {summary}"
    );
    for (name, bytes) in before {
        assert!(
            run.data_after[name] == *bytes,
            "{name} in the data folder was changed by the failed run: {summary}"
        );
    }
    assert_eq!(
        (&run.invoices, &run.clients),
        (&books.0, &books.1),
        "the books read differently on the full disk afterwards"
    );
}

/// A client note of the most characters allowed, four bytes each: ~40 KB, ten overflow pages.
fn big_notes() -> String {
    "\u{1F4B6}".repeat(10_000)
}

/// The same command on the normal disk succeeds: the failure came from the disk, not the input.
fn later_run_succeeds(b: &Books, args: &[&str], stdin: &[u8]) {
    let run = b.run_args(
        &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        stdin,
    );
    assert_eq!(
        run.code,
        0,
        "{:?} on a normal disk: {}",
        &args[..2],
        run.stderr
    );
}

#[test]
fn backup_create_with_the_books_on_a_full_disk_fails_and_leaves_them_unchanged() {
    let b = books_with_an_invoice();
    let books = b.snapshot();
    let before = folder_contents(b.path());
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("books.paydesk-backup");
    let target_arg = target.to_str().expect("UTF-8 temp path");

    let run = with_books_on_full_tmpfs(&b, &["backup", "create", "-o", target_arg], PASSPHRASE);
    assert_books_untouched(&run, &before, &books);
    assert!(
        std::fs::read_dir(out.path())
            .expect("output folder")
            .next()
            .is_none(),
        "a backup file was written to {} though the snapshot failed",
        out.path().display()
    );

    later_run_succeeds(&b, &["backup", "create", "-o", target_arg], PASSPHRASE);
    assert!(target.is_file(), "no backup written on a normal disk");
}

#[test]
fn client_add_with_the_books_on_a_full_disk_fails_and_leaves_them_unchanged() {
    let b = books_with_an_invoice();
    let books = b.snapshot();
    let before = folder_contents(b.path());
    let notes = big_notes();
    let args = [
        "client",
        "add",
        "--name",
        "Big Notes Ltd",
        "--notes",
        &notes,
    ];

    let run = with_books_on_full_tmpfs(&b, &args, b"");
    assert_books_untouched(&run, &before, &books);

    later_run_succeeds(&b, &args, b"");
    let clients = b.snapshot().1;
    assert_eq!(
        clients.as_array().map(Vec::len),
        books.1.as_array().map(|c| c.len() + 1),
        "the client was not added on a normal disk: {clients}"
    );
}
