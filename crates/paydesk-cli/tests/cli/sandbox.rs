//! `paydesk sandbox`: the emulator started from the CLI answers real HTTP on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the sandbox process when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET over loopback; returns the whole response text.
fn http_get(host_port: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let mut stream = TcpStream::connect(host_port).expect("connect to the sandbox");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host_port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

/// Starts `paydesk --json sandbox --port 0 <extra>` and waits (30 s at most) for the JSON
/// info it prints once the port is bound.
fn start_sandbox(extra: &[&str]) -> (Running, serde_json::Value) {
    let child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["--json", "sandbox", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start paydesk sandbox");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    // The JSON object is printed once the port is bound; read it line by line with a deadline
    // enforced by the reader thread below.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            text.push_str(&line);
            text.push('\n');
            if line == "}" {
                let _ = tx.send(text.clone());
                break;
            }
        }
    });
    let started = Instant::now();
    let printed = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no sandbox info after {:?}", started.elapsed()));
    let info: serde_json::Value = serde_json::from_str(&printed).expect("sandbox info is JSON");
    (running, info)
}

#[test]
fn sandbox_prints_its_credentials_and_answers_on_loopback() {
    let (_running, info) = start_sandbox(&[]);
    let base = info["baseUrl"].as_str().expect("baseUrl");
    let api_key = info["apiKey"].as_str().expect("apiKey");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(api_key.starts_with("rn_sandbox_"), "{api_key}");
    assert!(info["clientId"]
        .as_str()
        .expect("clientId")
        .starts_with("cli_sandbox_"));
    let host_port = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();

    let unknown = http_get(
        &host_port,
        "/v2/secure-payments/01JUNKNOWNTOKEN0000000000",
        &[("x-api-key", api_key)],
    );
    assert!(unknown.starts_with("HTTP/1.1 404"), "{unknown}");
    let unauthorized = http_get(&host_port, "/v2/secure-payments/whatever", &[]);
    assert!(unauthorized.starts_with("HTTP/1.1 401"), "{unauthorized}");
}

#[test]
fn sandbox_state_file_keeps_credentials_and_admits_one_process_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("sandbox.json");
    let state_arg = state.to_str().expect("utf-8 path");
    let (first, info) = start_sandbox(&["--state-file", state_arg]);
    assert!(state.exists(), "the state file is written at start");

    // A second sandbox on the same file exits at once with a clear message.
    let second = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["sandbox", "--port", "0", "--state-file", state_arg])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a second paydesk sandbox");
    let mut second = Running(second);
    let mut out = second.0.stdout.take().expect("stdout");
    let mut err = second.0.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        let _ = err.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    let text = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the second sandbox exits");
    let status = second.0.wait().expect("exit status");
    assert!(!status.success(), "{text}");
    let pid = first.0.id();
    assert!(
        text.contains(&format!(
            "the sandbox state is in use by another process (pid {pid})"
        )),
        "{text}"
    );

    // Once the first is gone (even killed: the OS drops its lock), a new run takes over the
    // file with the same credentials.
    drop(first);
    let (_third, again) = start_sandbox(&["--state-file", state_arg]);
    assert_eq!(again["apiKey"], info["apiKey"]);
    assert_eq!(again["clientId"], info["clientId"]);
}
