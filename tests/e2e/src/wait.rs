//! Waiting for a condition with a deadline: the only kind of waiting the suite does.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

/// How long a UI condition may take before the test fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// How often a condition is re-checked while waiting.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Re-checks `check` until it yields `Some`, or fails once `timeout` has passed.
///
/// An `Err` from `check` counts as "not yet" (the DOM changes under us: stale elements, screens
/// being swapped); the last one is reported if the deadline passes.
pub async fn poll_until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_error: Option<anyhow::Error> = None;
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) => last_error = Some(err),
        }
        if Instant::now() >= deadline {
            match last_error {
                Some(err) => {
                    bail!("timed out after {timeout:?} waiting for {what} (last error: {err:#})")
                }
                None => bail!("timed out after {timeout:?} waiting for {what}"),
            }
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
