//! Shared helpers: a sandbox with a manual clock and short webhook retries, a reqwest client
//! speaking to it, and an in-test webhook receiver that records raw bytes and headers.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::TimeZone;
use paydesk_sandbox::{ManualClock, Sandbox, SandboxConfig, SandboxHandle};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::watch;

/// How long a test waits for something asynchronous before failing.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A running sandbox plus what tests need around it.
pub struct Env {
    pub sandbox: SandboxHandle,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
}

/// A config for tests: manual clock, no rate limit, retries after 10/20/30 ms.
pub fn test_config(clock: Arc<ManualClock>) -> SandboxConfig {
    SandboxConfig {
        rate_limit_per_sec: 0,
        clock,
        webhook_retry_delays: vec![
            Duration::from_millis(10),
            Duration::from_millis(20),
            Duration::from_millis(30),
        ],
        webhook_timeout: Duration::from_secs(2),
        webhook_reorder_window: Duration::from_millis(100),
        ..SandboxConfig::default()
    }
}

pub fn clock() -> Arc<ManualClock> {
    let start = chrono::Utc
        .with_ymd_and_hms(2026, 9, 1, 12, 0, 0)
        .single()
        .expect("valid date");
    Arc::new(ManualClock::new(start))
}

pub async fn start() -> Env {
    start_with(|_| {}).await
}

pub async fn start_with(tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
    let clock = clock();
    let mut config = test_config(clock.clone());
    tweak(&mut config);
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    Env {
        sandbox,
        clock,
        http,
    }
}

/// Which credential a call presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    ApiKey,
    ClientId,
    Session,
    None,
}

/// A decoded answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.sandbox.base_url(),
            path.trim_start_matches('/')
        )
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Auth,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, self.url(path));
        request = match auth {
            Auth::ApiKey => request.header("x-api-key", self.sandbox.api_key()),
            Auth::ClientId => request.header("x-client-id", self.sandbox.client_id()),
            Auth::Session => request.bearer_auth(self.sandbox.session_token()),
            Auth::None => request,
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the sandbox");
        answer(response).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Auth::ApiKey, Some(body))
            .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, Auth::ApiKey, None).await
    }

    /// Creates a single incoming link for `amount`; returns the 201 body.
    pub async fn create(&self, body: Value) -> Value {
        let a = self.post("/v2/secure-payments", body).await;
        assert_eq!(a.status, StatusCode::CREATED, "create failed: {}", a.text);
        a.body
    }

    pub async fn create_amount(&self, amount: &str) -> String {
        let body = self
            .create(json!({ "requests": [{ "amount": amount }] }))
            .await;
        body["token"].as_str().expect("token").to_string()
    }

    pub async fn get_token(&self, token: &str) -> Answer {
        self.get(&format!("/v2/secure-payments/{token}")).await
    }

    /// Registers `url` as a webhook with the client id; returns `(id, secret)`.
    pub async fn register_webhook(&self, url: &str) -> (String, String) {
        let a = self
            .call(
                Method::POST,
                "/v1/webhook",
                Auth::ClientId,
                Some(json!({ "url": url })),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        (
            a.body["id"].as_str().expect("id").into(),
            a.body["secret"].as_str().expect("secret").into(),
        )
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }

    pub fn event(&self) -> String {
        self.json()["event"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    /// Status codes to answer with, in order; 200 once empty.
    script: Mutex<VecDeque<u16>>,
    delay: Mutex<Duration>,
    version: Option<watch::Sender<usize>>,
}

/// An axum server on 127.0.0.1 that records every webhook it gets.
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
    version: watch::Receiver<usize>,
    _server: tokio::task::JoinHandle<()>,
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let delay = *state.delay.lock().expect("lock");
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let code = state
        .script
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or(200);
    let count = {
        let mut r = state.received.lock().expect("lock");
        r.push(Received { headers, body });
        r.len()
    };
    if let Some(v) = &state.version {
        v.send_replace(count);
    }
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

impl Receiver {
    pub async fn start() -> Receiver {
        let (tx, rx) = watch::channel(0);
        let state = Arc::new(ReceiverState {
            version: Some(tx),
            ..Default::default()
        });
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url,
            state,
            version: rx,
            _server: server,
        }
    }

    /// Answers the next requests with these status codes (then 200).
    pub fn script(&self, codes: &[u16]) {
        self.state
            .script
            .lock()
            .expect("lock")
            .extend(codes.iter().copied());
    }

    /// Waits this long before answering each request.
    pub fn delay(&self, d: Duration) {
        *self.state.delay.lock().expect("lock") = d;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    /// Waits until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let mut rx = self.version.clone();
        let got = tokio::time::timeout(DEADLINE, rx.wait_for(|c| *c >= n)).await;
        assert!(
            got.is_ok(),
            "receiver got {} of {n} webhooks in time",
            self.received().len()
        );
        self.received()
    }
}

/// Independent check: hex HMAC-SHA256 of the raw bytes with the secret as key.
pub fn expected_signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}
