//! Loopback stub servers: an axum one that records every request and answers from a closure,
//! and a raw TCP one that can drop connections. Nothing here talks to anything but 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use paydesk_request::{ClientConfig, Credentials, RequestClient};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// The API key the tests configure; no error, value or log may contain it.
pub const KEY: &str = "rn_test_Sup3rSecretKey";
/// The client ID the tests configure; same rule.
pub const CLIENT_ID: &str = "cli_nz1bj41szV2fvjm9pbxdIhro3ld4x4";

/// One request as the stub saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the client sent JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// What the stub does with a request.
pub enum Reply {
    Now(Response),
    /// Never answers: the handler awaits a future that never resolves.
    Never,
}

/// A JSON answer.
pub fn reply(status: u16, body: &str) -> Reply {
    reply_with(status, &[("content-type", "application/json")], body)
}

/// An answer with the given headers.
pub fn reply_with(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut response = (StatusCode::from_u16(status).unwrap(), body.to_owned()).into_response();
    for (name, value) in headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    Reply::Now(response)
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct StubState {
    responder: Box<Responder>,
    log: Mutex<Vec<Recorded>>,
}

/// An axum server on 127.0.0.1:0 that records requests and answers with `responder`.
pub struct Stub {
    pub base: Url,
    state: Arc<StubState>,
}

impl Stub {
    pub async fn start(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Stub {
        let state = Arc::new(StubState {
            responder: Box::new(responder),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Stub { base, state }
    }

    /// A stub that answers every request with the same status and JSON body.
    pub async fn answering(status: u16, body: &'static str) -> Stub {
        Stub::start(move |_| reply(status, body)).await
    }

    pub fn hits(&self) -> usize {
        self.state.log.lock().unwrap().len()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn last(&self) -> Recorded {
        self.requests().pop().expect("the stub received a request")
    }

    /// A client with [`KEY`] whose both bases are this stub.
    pub fn client(&self) -> RequestClient {
        self.client_with(Credentials::api_key(KEY))
    }

    pub fn client_with(&self, credentials: Credentials) -> RequestClient {
        client_for(&self.base, &self.base, credentials, Duration::from_secs(5))
    }
}

pub fn client_for(
    api: &Url,
    auth: &Url,
    credentials: Credentials,
    timeout: Duration,
) -> RequestClient {
    RequestClient::new(
        ClientConfig::custom(api.clone(), auth.clone(), credentials).with_timeout(timeout),
    )
    .unwrap()
}

async fn handle(
    State(state): State<Arc<StubState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        method,
        path: uri.path().to_owned(),
        headers,
        body,
    };
    let reply = (state.responder)(&recorded);
    state.log.lock().unwrap().push(recorded);
    match reply {
        Reply::Now(response) => response,
        Reply::Never => std::future::pending().await,
    }
}

/// A raw HTTP/1.1 server that reads each request whole, drops the connection without answering
/// for the first `drop_first` connections, then answers `200` with `body`. Counts connections.
pub struct Flaky {
    pub base: Url,
    connections: Arc<AtomicUsize>,
}

impl Flaky {
    pub async fn start(drop_first: usize, body: &'static str) -> Flaky {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                read_request(&mut socket).await;
                if n > drop_first {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    socket.write_all(answer.as_bytes()).await.unwrap();
                }
                // Dropping the socket closes the connection (after the answer, if any).
            }
        });
        Flaky { base, connections }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn read_request(socket: &mut TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "client closed before sending a request");
        seen.extend_from_slice(&buf[..n]);
        if let Some(at) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    while seen.len() < head_end + length {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "client closed mid-body");
        seen.extend_from_slice(&buf[..n]);
    }
}

/// A loopback port with nothing listening (bound, then released).
pub async fn closed_port_base() -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    Url::parse(&format!("http://{addr}/")).unwrap()
}

/// Asserts that neither `Display` nor `Debug` of `value` carries `secret`, in any ASCII case.
pub fn assert_no_secret(secret: &str, value: &impl std::fmt::Debug, display: &str) {
    let debug = format!("{value:?}");
    for text in [debug.as_str(), display] {
        assert!(
            !text
                .to_ascii_lowercase()
                .contains(&secret.to_ascii_lowercase()),
            "credential leaked: {text}"
        );
    }
}
