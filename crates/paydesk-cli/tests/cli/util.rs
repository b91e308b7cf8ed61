//! Running the binary against one isolated data folder.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// One isolated set of books and keychain namespace.
pub struct Books {
    dir: TempDir,
    keychain_service: String,
    /// Extra environment for every run (e.g. a private D-Bus session with a keyring).
    env: Vec<(String, String)>,
}

/// What one run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `--json` error object on stderr.
    pub fn error_json(&self) -> Value {
        serde_json::from_str(&self.stderr)
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}):\n{}", self.stderr))
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

impl Books {
    pub fn new() -> Books {
        Books {
            dir: tempfile::tempdir().expect("temp dir"),
            keychain_service: format!("paydesk-cli-test-{}", ulid::Ulid::new()),
            env: Vec::new(),
        }
    }

    /// Set `key` to `value` in the environment of every later run.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `paydesk` with this data folder and keychain namespace, and nothing else inherited that
    /// could point it elsewhere. Its Test-mode sandbox takes a free port, never the fixed one.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paydesk"));
        cmd.env("PAYDESK_DATA_DIR", self.path())
            .env("PAYDESK_KEYCHAIN_SERVICE", &self.keychain_service)
            .env("PAYDESK_SANDBOX_PORT", "0")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Run `line` with empty stdin.
    pub fn run(&self, line: &str) -> Run {
        self.run_args(&words(line), b"")
    }

    /// Run `line` reading `stdin`.
    pub fn run_with_stdin(&self, line: &str, stdin: &[u8]) -> Run {
        self.run_args(&words(line), stdin)
    }

    /// Run with exact arguments.
    pub fn run_args(&self, args: &[String], stdin: &[u8]) -> Run {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn paydesk");
        // paydesk may exit before reading (e.g. no keychain): a closed pipe is fine.
        let _ = child.stdin.take().expect("stdin").write_all(stdin);
        let out = child.wait_with_output().expect("wait for paydesk");
        Run {
            code: out.status.code().expect("exited, not killed"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        }
    }

    /// Run `line` with `--json`, expect success and a quiet stderr; the parsed stdout.
    pub fn ok(&self, line: &str) -> Value {
        let run = self.run(&format!("--json {line}"));
        assert_eq!(run.code, 0, "{line}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{line}: {}", run.stderr);
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{line}: stdout is not JSON ({e}):\n{}", run.stdout))
    }

    /// Run `line` and expect exit `code`.
    pub fn fails(&self, line: &str, code: i32) -> Run {
        let run = self.run(line);
        assert_eq!(
            run.code, code,
            "{line}\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
        run
    }

    /// Add a client; its id.
    pub fn add_client(&self, name: &str) -> String {
        let c = self.ok(&format!("client add --name '{name}'"));
        c["id"].as_str().expect("client id").to_string()
    }

    /// A EUR invoice for `client`, issued 2026-11-21, net 30, with one `--line`.
    pub fn add_invoice(&self, client: &str, line: &str) -> Value {
        self.ok(&format!(
            "invoice create --client '{client}' --currency EUR --issue-date 2026-11-21 \
             --terms 30 --line '{line}'"
        ))
    }

    /// Everything the books hold, to prove a failed command wrote nothing.
    pub fn snapshot(&self) -> (Value, Value) {
        (self.ok("invoice list --limit 500"), self.ok("client list"))
    }
}

#[test]
fn words_split_like_a_shell_with_single_quotes() {
    assert_eq!(
        words("client add --name 'Acme Studio' --notes '' --x  a;b"),
        [
            "client",
            "add",
            "--name",
            "Acme Studio",
            "--notes",
            "",
            "--x",
            "a;b"
        ]
    );
}
