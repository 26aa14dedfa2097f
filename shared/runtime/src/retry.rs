//! Retry delays: exponential backoff with jitter from `backon`, capped at `retry.max_delay_ms`.

use crate::config::RetrySettings;
use backon::{BackoffBuilder, ExponentialBuilder};
use std::time::Duration;

/// The delay before retry number `attempt` (1 = the first retry, after the first failure).
pub fn delay_for(retry: &RetrySettings, attempt: u32) -> Duration {
    let max = Duration::from_millis(retry.max_delay_ms);
    let mut delays = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(retry.initial_delay_ms))
        .with_max_delay(max)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build();
    let nth = attempt.saturating_sub(1) as usize;
    delays.nth(nth).unwrap_or(max).min(max)
}

/// What to do after a transient failure on attempt `attempt`.
#[derive(Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Try again after this delay, as attempt `next_attempt`.
    RetryAfter {
        /// The delay.
        delay: Duration,
        /// The attempt number the retried message carries.
        next_attempt: u32,
    },
    /// The attempts are used up: dead-letter.
    GiveUp,
}

/// Decide between another delayed attempt and the dead-letter queue.
pub fn decide(retry: &RetrySettings, attempt: u32) -> RetryDecision {
    if attempt >= retry.max_attempts {
        RetryDecision::GiveUp
    } else {
        RetryDecision::RetryAfter { delay: delay_for(retry, attempt), next_attempt: attempt + 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetrySettings {
        RetrySettings { max_attempts: 3, initial_delay_ms: 100, max_delay_ms: 1000 }
    }

    #[test]
    fn delays_grow_and_never_pass_the_maximum() {
        let p = policy();
        let first = delay_for(&p, 1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200), "{first:?}");
        for attempt in 1..20 {
            assert!(delay_for(&p, attempt) <= Duration::from_millis(1000));
        }
        assert!(delay_for(&p, 4) >= Duration::from_millis(800));
    }

    #[test]
    fn the_last_attempt_gives_up() {
        let p = policy();
        assert!(matches!(decide(&p, 1), RetryDecision::RetryAfter { next_attempt: 2, .. }));
        assert!(matches!(decide(&p, 2), RetryDecision::RetryAfter { next_attempt: 3, .. }));
        assert_eq!(decide(&p, 3), RetryDecision::GiveUp);
    }
}
