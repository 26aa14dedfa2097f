//! Waiting for a condition with a deadline: the only way these tests wait.

use std::future::Future;
use std::time::Duration;

/// Poll `check` every 50 ms until it returns `Some`, or panic with `what` after `timeout`.
/// A check that itself hangs (a broker call during an outage) counts against the same deadline:
/// nothing here waits without one.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, check()).await {
            Ok(Some(value)) => return value,
            Ok(None) => {}
            Err(_) => panic!("timed out after {timeout:?} waiting for {what} (the last check did not return)"),
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Run `step` with the time left before `deadline`, or panic naming `what`.
pub async fn within<T>(what: &str, deadline: tokio::time::Instant, step: impl Future<Output = T>) -> T {
    match tokio::time::timeout_at(deadline, step).await {
        Ok(value) => value,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}
