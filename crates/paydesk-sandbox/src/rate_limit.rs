//! The per-caller rate limit (CONTRACT.md §1.3): a fixed one-second window per credential and
//! client IP, `limit` calls per window (5 by default, 0 = off), answered with 429 and
//! `Retry-After`. Real time (not the sandbox clock), so a stopped test clock cannot stall it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::server::Shared;

const WINDOW: Duration = Duration::from_secs(1);

/// Counts calls per `(credential, ip)` in one-second windows.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: AtomicU32,
    windows: Mutex<HashMap<(String, IpAddr), (Instant, u32)>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32) -> Self {
        Self {
            limit: AtomicU32::new(limit),
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn set_limit(&self, limit: u32) {
        self.limit.store(limit, Ordering::Relaxed);
        self.reset();
    }

    pub(crate) fn limit(&self) -> u32 {
        self.limit.load(Ordering::Relaxed)
    }

    pub(crate) fn reset(&self) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Counts one call; `Err(seconds to wait)` when over the limit.
    pub(crate) fn check(&self, credential: &str, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let limit = self.limit();
        if limit == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows
            .entry((credential.to_string(), ip))
            .or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs_f64().ceil().max(1.0) as u64);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The credential a call presents, if any: the key the limit is counted under.
fn credential(request: &Request) -> Option<String> {
    let headers = request.headers();
    ["x-client-id", "x-api-key", "authorization", "cookie"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .map(|v| format!("{name}:{v}"))
        })
}

/// Answers 429 when the caller is over its limit.
pub(crate) async fn middleware(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(credential) = credential(&request) {
        let ip = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        if let Err(retry_after_secs) = shared.limiter.check(&credential, ip, Instant::now()) {
            return ApiError::RateLimited { retry_after_secs }.into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_per_second_then_429_then_a_new_window() {
        let limiter = RateLimiter::new(5);
        let ip = IpAddr::from([127, 0, 0, 1]);
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(limiter.check("cli", ip, t0), Ok(()));
        }
        assert_eq!(limiter.check("cli", ip, t0), Err(1));
        assert_eq!(limiter.check("other", ip, t0), Ok(()));
        assert_eq!(limiter.check("cli", ip, t0 + WINDOW), Ok(()));
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = RateLimiter::new(0);
        let ip = IpAddr::from([127, 0, 0, 1]);
        let t0 = Instant::now();
        assert!((0..100).all(|_| limiter.check("cli", ip, t0).is_ok()));
    }
}
