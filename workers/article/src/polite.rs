//! Per-host politeness: at most `per_host_concurrency` requests in flight to one host, request
//! starts at least `per_host_min_delay_ms` apart (or a robots.txt `Crawl-delay`), and a host
//! that answered 429/503 with `Retry-After` is left alone until then, for every item. A
//! request that would have to wait longer than the caller allows for such a hold is not
//! queued at all (the caller retries later), so one held host never stalls a whole feed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct HostSlot {
    in_flight: Arc<Semaphore>,
    /// Earliest start of the next request.
    next: tokio::sync::Mutex<Instant>,
    /// Until when the host asked us to stay away (Retry-After), as opposed to our own spacing.
    held_until: Mutex<Option<Instant>>,
}

/// The gate every request passes.
pub struct HostGate {
    concurrency: usize,
    min_delay: Duration,
    hosts: Mutex<HashMap<String, Arc<HostSlot>>>,
}

/// Held while a request to a host is in flight.
pub struct HostPermit {
    _permit: Option<OwnedSemaphorePermit>,
}

impl HostGate {
    /// A gate with the configured limits (a concurrency of 0 counts as 1).
    pub fn new(concurrency: u32, min_delay: Duration) -> HostGate {
        HostGate { concurrency: concurrency.max(1) as usize, min_delay, hosts: Mutex::new(HashMap::new()) }
    }

    fn slot(&self, host: &str) -> Arc<HostSlot> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        hosts
            .entry(host.to_string())
            .or_insert_with(|| {
                Arc::new(HostSlot {
                    in_flight: Arc::new(Semaphore::new(self.concurrency)),
                    next: tokio::sync::Mutex::new(Instant::now()),
                    held_until: Mutex::new(None),
                })
            })
            .clone()
    }

    /// Wait for a free slot and for the host's next start time; `delay` (at least the
    /// configured minimum) then separates this start from the next. When the host asked us to
    /// stay away for longer than `max_hold` from now, returns that remaining wait instead.
    pub async fn acquire(&self, host: &str, delay: Duration, max_hold: Duration) -> Result<HostPermit, Duration> {
        let slot = self.slot(host);
        let held = |slot: &HostSlot| {
            let until = *slot.held_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            until.map(|u| u.saturating_duration_since(Instant::now())).filter(|left| *left > max_hold)
        };
        if let Some(left) = held(&slot) {
            return Err(left);
        }
        // The semaphore is never closed, so acquiring cannot fail; a closed one would just
        // let the request through without a slot.
        let permit = slot.in_flight.clone().acquire_owned().await.ok();
        let mut next = slot.next.lock().await;
        // The hold may have come while this request queued behind others.
        if let Some(left) = held(&slot) {
            return Err(left);
        }
        tokio::time::sleep_until(*next).await;
        *next = Instant::now() + delay.max(self.min_delay);
        drop(next);
        Ok(HostPermit { _permit: permit })
    }

    /// Keep every request to `host` from starting before `until` (Retry-After).
    pub async fn defer(&self, host: &str, until: Instant) {
        let slot = self.slot(host);
        {
            let mut held = slot.held_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if held.is_none_or(|h| until > h) {
                *held = Some(until);
            }
        }
        let mut next = slot.next.lock().await;
        if until > *next {
            *next = until;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_to_one_host_are_spaced_and_other_hosts_are_not_held_up() {
        let gate = HostGate::new(4, Duration::from_millis(500));
        let hold = Duration::from_secs(30);
        let t0 = Instant::now();
        let _a = gate.acquire("a.example", Duration::ZERO, hold).await;
        let _b = gate.acquire("a.example", Duration::ZERO, hold).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(500));
        let _c = gate.acquire("b.example", Duration::ZERO, hold).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(500), "another host starts at once");
        gate.defer("b.example", Instant::now() + Duration::from_secs(3)).await;
        assert!(gate.acquire("b.example", Duration::ZERO, hold).await.is_ok());
        assert_eq!(t0.elapsed(), Duration::from_millis(3500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_host_held_longer_than_the_caller_allows_is_refused_at_once_not_queued() {
        let gate = HostGate::new(2, Duration::from_millis(100));
        gate.defer("held.example", Instant::now() + Duration::from_secs(600)).await;
        let t0 = Instant::now();
        let left = gate.acquire("held.example", Duration::ZERO, Duration::from_secs(30)).await.err();
        assert_eq!(t0.elapsed(), Duration::ZERO, "no waiting");
        assert_eq!(left, Some(Duration::from_secs(600)));
        assert!(gate.acquire("held.example", Duration::ZERO, Duration::from_secs(900)).await.is_ok(), "a caller that may wait that long waits");
        assert_eq!(t0.elapsed(), Duration::from_secs(600));
        assert!(gate.acquire("other.example", Duration::ZERO, Duration::ZERO).await.is_ok(), "our own spacing is not a hold");
    }
}
