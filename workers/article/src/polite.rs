//! Per-host politeness: at most `per_host_concurrency` requests in flight to one host, request
//! starts at least `per_host_min_delay_ms` apart (or a robots.txt `Crawl-delay`), and a host
//! that answered 429/503 with `Retry-After` is left alone until then, for every item.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct HostSlot {
    in_flight: Arc<Semaphore>,
    /// Earliest start of the next request.
    next: tokio::sync::Mutex<Instant>,
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
                Arc::new(HostSlot { in_flight: Arc::new(Semaphore::new(self.concurrency)), next: tokio::sync::Mutex::new(Instant::now()) })
            })
            .clone()
    }

    /// Wait for a free slot and for the host's next start time; `delay` (at least the
    /// configured minimum) then separates this start from the next.
    pub async fn acquire(&self, host: &str, delay: Duration) -> HostPermit {
        let slot = self.slot(host);
        // The semaphore is never closed, so acquiring cannot fail; a closed one would just
        // let the request through without a slot.
        let permit = slot.in_flight.clone().acquire_owned().await.ok();
        let mut next = slot.next.lock().await;
        tokio::time::sleep_until(*next).await;
        *next = Instant::now() + delay.max(self.min_delay);
        drop(next);
        HostPermit { _permit: permit }
    }

    /// Keep every request to `host` from starting before `until` (Retry-After).
    pub async fn defer(&self, host: &str, until: Instant) {
        let slot = self.slot(host);
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
        let t0 = Instant::now();
        let _a = gate.acquire("a.example", Duration::ZERO).await;
        let _b = gate.acquire("a.example", Duration::ZERO).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(500));
        let _c = gate.acquire("b.example", Duration::ZERO).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(500), "another host starts at once");
        gate.defer("b.example", Instant::now() + Duration::from_secs(3)).await;
        let _d = gate.acquire("b.example", Duration::ZERO).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(3500));
    }
}
