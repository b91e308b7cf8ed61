//! Helpers: a temporary data folder with an in-memory keychain, driven through the CLI's `run`
//! (in-process, commands written as typed: `b.cli_json("client add --name 'Acme Studio'")`) or
//! opened with the core's `Paydesk`.

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use paydesk_cli::Io;
use paydesk_core::secrets::MemoryStore;
use paydesk_core::{ClientInput, InvoiceInput, LineItemInput, Paydesk};
use serde_json::Value;
use tempfile::TempDir;

/// One data folder and the keychain its runs share.
pub struct Books {
    dir: TempDir,
    pub secrets: Arc<MemoryStore>,
}

/// What one CLI run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Books {
    /// Empty books with a working keychain.
    pub fn new() -> Books {
        Books::with_keychain(MemoryStore::new())
    }

    /// Empty books with `store` as the keychain (e.g. `MemoryStore::unavailable()`).
    pub fn with_keychain(store: MemoryStore) -> Books {
        Books {
            dir: tempfile::tempdir().expect("temp dir"),
            secrets: Arc::new(store),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `paydesk --data-dir <books> LINE` in-process, with empty stdin.
    pub fn cli(&self, line: &str) -> Run {
        self.cli_with_stdin(line, b"")
    }

    /// `paydesk --data-dir <books> LINE` in-process, reading `stdin`.
    pub fn cli_with_stdin(&self, line: &str, stdin: &[u8]) -> Run {
        let mut argv: Vec<OsString> = vec!["paydesk".into(), "--data-dir".into()];
        argv.push(self.path().as_os_str().to_owned());
        argv.extend(words(line).into_iter().map(OsString::from));
        let (mut input, mut stdout, mut stderr) = (stdin, Vec::new(), Vec::new());
        let mut io = Io {
            stdin: &mut input,
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdin_is_terminal: false,
            secrets: self.secrets.clone(),
        };
        let code = paydesk_cli::run(argv, &mut io);
        Run {
            code,
            stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
        }
    }

    /// `paydesk --json LINE`, which must succeed; its stdout parsed.
    pub fn cli_json(&self, line: &str) -> Value {
        let run = self.cli(&format!("--json {line}"));
        assert_eq!(run.code, 0, "{line}: {}", run.stderr);
        serde_json::from_str(&run.stdout).expect("JSON on stdout")
    }

    /// The core engine on the same folder and keychain.
    pub fn core(&self) -> Paydesk {
        Paydesk::open(self.path(), self.secrets.clone()).expect("open the books")
    }
}

/// Split a command line on spaces; 'single quotes' keep spaces (and may be empty).
pub fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(!quoted, "unbalanced quote in {line:?}");
    words.extend(word);
    words
}

/// A client input named `name`.
pub fn client(name: &str) -> ClientInput {
    ClientInput {
        name: name.into(),
        ..Default::default()
    }
}

/// A one-line EUR invoice for `client_id`, issued 2026-11-21, net 30.
pub fn invoice(client_id: &str, description: &str, unit_price: &str) -> InvoiceInput {
    InvoiceInput {
        client_id: client_id.into(),
        currency: "EUR".into(),
        issue_date: "2026-11-21".into(),
        payment_terms_days: Some(30),
        lines: vec![LineItemInput {
            description: description.into(),
            quantity: "1".into(),
            unit_price: unit_price.into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}
