//! The address guard: a feed must not become a way to reach internal services. Every host of
//! every hop is resolved by us, every resolved address is checked, and the HTTP client then
//! connects only to the addresses we checked (our resolver hands them over), so neither a DNS
//! name, a redirect nor a DNS answer that changes between check and connect reaches a
//! private, loopback, link-local, unique-local or unspecified address, unless the host is
//! listed in `allow_hosts`.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use url::{Host, Url};

use crate::error::FetchError;
use crate::urls::redact;

/// A pending name lookup.
pub type LookupFuture = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// Name resolution, replaceable in tests (a name that resolves to `::1`).
pub trait Lookup: Send + Sync {
    /// The addresses of `host`.
    fn lookup(&self, host: &str) -> LookupFuture;
}

/// The system resolver (getaddrinfo through tokio).
#[derive(Debug, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        let host = host.to_string();
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.map(|a| a.ip()).collect()) })
    }
}

/// The internal range an address falls in, or `None` for a public address.
pub fn internal_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_range(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_range(v4);
            }
            let seg = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("unique-local")
            } else if seg[0] & 0xffc0 == 0xfe80 || seg[0] & 0xffc0 == 0xfec0 {
                Some("link-local")
            } else if seg[0] & 0xff00 == 0xff00 {
                Some("multicast")
            } else if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || seg[0] == 0x2002 {
                // NAT64 and 6to4 embed an IPv4 address; judge that one.
                let v4 = if seg[0] == 0x2002 { [seg[1], seg[2]] } else { [seg[6], seg[7]] };
                v4_range(Ipv4Addr::new((v4[0] >> 8) as u8, v4[0] as u8, (v4[1] >> 8) as u8, v4[1] as u8))
            } else if seg[..6] == [0, 0, 0, 0, 0, 0] {
                Some("IPv4-compatible")
            } else {
                None
            }
        }
    }
}

fn v4_range(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if o[0] == 0 {
        Some("unspecified")
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        Some("shared (carrier-grade NAT)")
    } else if o[0] == 198 && (o[1] == 18 || o[1] == 19) {
        Some("benchmarking")
    } else if ip.is_multicast() || o[0] >= 240 {
        Some("multicast or reserved")
    } else if o[..3] == [192, 0, 0] {
        Some("IETF protocol assignments")
    } else {
        None
    }
}

/// Resolves and checks hosts, and remembers what it checked for the HTTP client.
pub struct Guard {
    allow: HashSet<String>,
    lookup: Arc<dyn Lookup>,
    /// Checked addresses per host, handed to reqwest by [`PinnedResolver`].
    pinned: Mutex<HashMap<String, Vec<IpAddr>>>,
}

impl Guard {
    /// A guard allowing internal addresses only for `allow_hosts`.
    pub fn new(allow_hosts: &[String], lookup: Arc<dyn Lookup>) -> Guard {
        Guard {
            allow: allow_hosts.iter().map(|h| h.trim().trim_matches(['[', ']']).to_ascii_lowercase()).collect(),
            lookup,
            pinned: Mutex::new(HashMap::new()),
        }
    }

    fn allowed(&self, host: &str) -> bool {
        self.allow.contains(&host.trim_matches(['[', ']']).to_ascii_lowercase())
    }

    /// Check a URL's host before any request: literal IPs directly, names by resolving them
    /// and checking every address. The addresses are pinned for the client's resolver.
    pub async fn check(&self, url: &Url) -> Result<(), FetchError> {
        let refuse = |host: &str, ip: IpAddr, kind: &'static str| FetchError::PrivateAddress {
            url: redact(url),
            host: host.to_string(),
            addr: ip.to_string(),
            kind,
        };
        match url.host() {
            None => Err(FetchError::BadUrl { url: redact(url), reason: "no host".into() }),
            Some(Host::Ipv4(v4)) => self.check_ip(&v4.to_string(), IpAddr::V4(v4)).map_err(|k| refuse(&v4.to_string(), IpAddr::V4(v4), k)),
            Some(Host::Ipv6(v6)) => self.check_ip(&v6.to_string(), IpAddr::V6(v6)).map_err(|k| refuse(&v6.to_string(), IpAddr::V6(v6), k)),
            Some(Host::Domain(name)) => {
                let addrs = self.lookup.lookup(name).await.map_err(|e| FetchError::Connect {
                    url: redact(url),
                    detail: format!("DNS lookup of {name} failed: {e}"),
                })?;
                if addrs.is_empty() {
                    return Err(FetchError::Connect { url: redact(url), detail: format!("{name} has no addresses") });
                }
                if !self.allowed(name) {
                    if let Some((ip, kind)) = addrs.iter().find_map(|&ip| internal_range(ip).map(|k| (ip, k))) {
                        return Err(refuse(name, ip, kind));
                    }
                }
                if let Ok(mut pinned) = self.pinned.lock() {
                    pinned.insert(name.to_ascii_lowercase(), addrs);
                }
                Ok(())
            }
        }
    }

    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), &'static str> {
        match internal_range(ip) {
            Some(kind) if !self.allowed(host) => Err(kind),
            _ => Ok(()),
        }
    }

    fn pinned(&self, host: &str) -> Option<Vec<IpAddr>> {
        self.pinned.lock().ok()?.get(&host.to_ascii_lowercase()).cloned()
    }
}

/// reqwest's resolver: only addresses the guard checked for this host; a host the guard has
/// not seen is refused (every request goes through [`Guard::check`] first).
pub struct PinnedResolver(pub Arc<Guard>);

impl reqwest::dns::Resolve for PinnedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addrs = self.0.pinned(name.as_str());
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = addrs.ok_or_else(|| -> Box<dyn std::error::Error + Send + Sync> {
                format!("{host} was not checked by the address guard").into()
            })?;
            let out: reqwest::dns::Addrs = Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(out)
        })
    }
}

/// A fixed name table, for tests and for pinning hosts in configuration-free tools.
#[derive(Debug, Default, Clone)]
pub struct StaticLookup(pub HashMap<String, Vec<IpAddr>>);

impl Lookup for StaticLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        let found = self.0.get(&host.to_ascii_lowercase()).cloned();
        let host = host.to_string();
        Box::pin(async move { found.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("{host}: unknown name"))) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn internal_ranges_are_recognised() {
        for (addr, kind) in [
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("127.0.0.1", "loopback"),
            ("169.254.169.254", "link-local"),
            ("0.0.0.0", "unspecified"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fd00::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("::ffff:10.0.0.1", "private"),
            ("64:ff9b::a00:1", "private"),
        ] {
            assert_eq!(internal_range(ip(addr)), Some(kind), "{addr}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
            assert_eq!(internal_range(ip(public)), None, "{public}");
        }
    }

    #[tokio::test]
    async fn names_resolving_inside_are_refused_unless_allowed() {
        let table = StaticLookup(HashMap::from([
            ("intranet.test".to_string(), vec![ip("93.184.216.34"), ip("::1")]),
            ("public.test".to_string(), vec![ip("93.184.216.34")]),
        ]));
        let guard = Guard::new(&["allowed.test".into(), "127.0.0.1".into()], Arc::new(table));
        let url = |s: &str| Url::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let err = guard.check(&url("http://intranet.test/x?secret=1")).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("::1") && err.contains("loopback") && !err.contains("secret"), "{err}");
        assert!(guard.check(&url("http://public.test/")).await.is_ok());
        assert!(guard.check(&url("http://127.0.0.1:8080/")).await.is_ok(), "allowed literal");
        assert!(matches!(guard.check(&url("http://10.0.0.5/")).await, Err(FetchError::PrivateAddress { .. })));
        assert!(matches!(guard.check(&url("http://[fe80::1]/")).await, Err(FetchError::PrivateAddress { .. })));
    }
}
