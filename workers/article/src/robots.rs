//! robots.txt, read with texting_robots (Common Crawl's parser, tested against Google's and
//! others' suites) and cached per origin for `robots_ttl_secs`. What an answer means follows
//! RFC 9309: 2xx is parsed; 4xx means no rules (everything allowed); 5xx or no answer means
//! "unreachable", so nothing is fetched for now (a transient error, not cached).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use texting_robots::Robot;

/// robots.txt files larger than this are cut here (Google reads the first 500 KiB).
pub const ROBOTS_MAX_BYTES: u64 = 500 * 1024;

/// The rules for one origin.
pub enum Rules {
    /// No usable robots.txt (4xx, or unparseable): everything allowed.
    AllowAll,
    /// Parsed rules for our agent.
    Parsed(Box<Robot>),
}

impl Rules {
    /// Build from a 2xx robots.txt body; an unparseable file allows everything.
    pub fn from_body(agent: &str, body: &[u8]) -> Rules {
        let body = &body[..body.len().min(ROBOTS_MAX_BYTES as usize)];
        match Robot::new(agent, body) {
            Ok(robot) => Rules::Parsed(Box::new(robot)),
            Err(_) => Rules::AllowAll,
        }
    }

    /// Whether our agent may fetch `url`.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::Parsed(robot) => robot.allowed(url),
        }
    }

    /// The `Crawl-delay` asked of our agent, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Rules::Parsed(robot) => robot.delay.filter(|d| d.is_finite() && *d > 0.0).map(Duration::from_secs_f32),
            Rules::AllowAll => None,
        }
    }
}

/// Rules per origin (`scheme://host:port`), each kept for a time-to-live.
pub struct RobotsCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Arc<Rules>)>>,
    /// One robots.txt fetch per origin at a time: items arriving together wait for it.
    fetching: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl RobotsCache {
    /// An empty cache.
    pub fn new(ttl: Duration) -> RobotsCache {
        RobotsCache { ttl, entries: Mutex::new(HashMap::new()), fetching: Mutex::new(HashMap::new()) }
    }

    /// The cached rules of an origin, if still fresh.
    pub fn get(&self, origin: &str) -> Option<Arc<Rules>> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(origin) {
            Some((at, rules)) if at.elapsed() < self.ttl => Some(rules.clone()),
            Some(_) => {
                entries.remove(origin);
                None
            }
            None => None,
        }
    }

    /// Hold this while fetching an origin's robots.txt, then look in the cache again.
    pub async fn fetch_lock(&self, origin: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut fetching = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
            if fetching.len() > 10_000 {
                fetching.retain(|_, l| Arc::strong_count(l) > 1);
            }
            fetching.entry(origin.to_string()).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// Remember an origin's rules.
    pub fn put(&self, origin: &str, rules: Rules) -> Arc<Rules> {
        let rules = Arc::new(rules);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: a long-running worker meets many hosts; drop stale entries when large.
        if entries.len() > 10_000 {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
        }
        entries.insert(origin.to_string(), (Instant::now(), rules.clone()));
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_our_agent_apply_and_unparseable_files_allow_everything() {
        let txt = b"User-agent: *\nDisallow: /private/\n\nUser-agent: Copydesk\nDisallow: /news/drafts/\nCrawl-delay: 2\n";
        let rules = Rules::from_body("Copydesk", txt);
        assert!(!rules.allowed("https://h.example/news/drafts/x"));
        assert!(rules.allowed("https://h.example/private/x"), "our own group replaces the * group");
        assert_eq!(rules.crawl_delay(), Some(Duration::from_secs(2)));
        assert!(Rules::AllowAll.allowed("https://h.example/anything"));
    }

    #[test]
    fn cached_rules_expire() {
        let cache = RobotsCache::new(Duration::ZERO);
        cache.put("https://h.example", Rules::AllowAll);
        assert!(cache.get("https://h.example").is_none());
        let cache = RobotsCache::new(Duration::from_secs(60));
        cache.put("https://h.example", Rules::AllowAll);
        assert!(cache.get("https://h.example").is_some());
    }
}
