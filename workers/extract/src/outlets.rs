//! The news outlets table (`model/outlets.tsv`: name, aliases, home page; written by us) and
//! [`cite`], which turns the outlets a story cites into [`CitedSource`]s with an address: the
//! story's own link whose text or host matches the outlet, else the outlet's home page.

use copydesk_types::{CitedSource, Link};
use std::sync::OnceLock;

const OUTLETS_TSV: &str = include_str!("../model/outlets.tsv");

/// One outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlet {
    /// The name readers know it by ("The Guardian").
    pub name: String,
    /// Other names the text may use ("Guardian").
    pub aliases: Vec<String>,
    /// Home page (http or https).
    pub url: String,
}

/// The table of known outlets.
pub struct Outlets {
    list: Vec<Outlet>,
}

/// Lowercase, single-spaced, without a leading "the" and a trailing possessive.
pub fn norm(name: &str) -> String {
    let mut s = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('\u{2019}', "'");
    for suffix in ["'s", "'"] {
        if let Some(t) = s.strip_suffix(suffix) {
            s = t.to_string();
        }
    }
    s.strip_prefix("the ").map(str::to_string).unwrap_or(s)
}

impl Outlets {
    /// The embedded table, parsed once.
    pub fn embedded() -> &'static Outlets {
        static TABLE: OnceLock<Outlets> = OnceLock::new();
        TABLE.get_or_init(|| Outlets::parse(OUTLETS_TSV))
    }

    /// Parse `name  aliases  url` lines; lines without an http(s) address are skipped.
    pub fn parse(tsv: &str) -> Outlets {
        let list = tsv
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut c = l.split('\t');
                let (name, aliases, url) = (c.next()?, c.next()?, c.next()?);
                let ok = url.starts_with("https://") || url.starts_with("http://");
                ok.then(|| Outlet {
                    name: name.to_string(),
                    aliases: aliases
                        .split('|')
                        .filter(|a| !a.is_empty())
                        .map(str::to_string)
                        .collect(),
                    url: url.to_string(),
                })
            })
            .collect();
        Outlets { list }
    }

    /// Every outlet.
    pub fn all(&self) -> &[Outlet] {
        &self.list
    }

    /// The outlet a name refers to ("the Guardian's" -> The Guardian), if known.
    pub fn find(&self, name: &str) -> Option<&Outlet> {
        let n = norm(name);
        if n.is_empty() {
            return None;
        }
        self.list.iter().find(|o| {
            std::iter::once(&o.name)
                .chain(&o.aliases)
                .any(|a| norm(a) == n)
        })
    }
}

/// The host of an http(s) address, without "www." (None for other schemes).
fn host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let h = rest
        .split(['/', '?', '#'])
        .next()?
        .split('@')
        .next_back()?
        .split(':')
        .next()?
        .to_lowercase();
    Some(h.strip_prefix("www.").map(str::to_string).unwrap_or(h))
}

/// True when link host `h` is the outlet's host or a subdomain of it ("edition.cnn.com").
fn same_site(h: &str, outlet_host: &str) -> bool {
    h == outlet_host
        || h.ends_with(&format!(".{outlet_host}"))
        || outlet_host.ends_with(&format!(".{h}"))
}

/// Cited sources with addresses, one per outlet, in the order of `names`.
pub fn cite(names: &[String], links: &[Link]) -> Vec<CitedSource> {
    let table = Outlets::embedded();
    let web: Vec<&Link> = links.iter().filter(|l| host(&l.href).is_some()).collect();
    let mut out: Vec<CitedSource> = Vec::new();
    for name in names {
        let outlet = table.find(name);
        let shown = outlet.map_or(name.clone(), |o| o.name.clone());
        if out.iter().any(|c| c.name == shown) {
            continue;
        }
        let spellings: Vec<String> = match outlet {
            Some(o) => std::iter::once(&o.name)
                .chain(&o.aliases)
                .map(|a| norm(a))
                .collect(),
            None => vec![norm(name)],
        };
        let by_text = web.iter().find(|l| spellings.contains(&norm(&l.text)));
        let outlet_host = outlet.and_then(|o| host(&o.url));
        let by_host = || {
            web.iter().find(|l| {
                outlet_host
                    .as_deref()
                    .is_some_and(|oh| host(&l.href).is_some_and(|h| same_site(&h, oh)))
            })
        };
        let url = by_text
            .or_else(by_host)
            .map(|l| l.href.clone())
            .or_else(|| outlet.map(|o| o.url.clone()));
        out.push(CitedSource { name: shown, url });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(text: &str, href: &str) -> Link {
        Link {
            text: text.into(),
            href: href.into(),
        }
    }

    #[test]
    fn outlets_are_found_by_name_alias_and_possessive() {
        let t = Outlets::embedded();
        assert_eq!(
            t.find("the Guardian's").map(|o| o.name.as_str()),
            Some("The Guardian")
        );
        assert_eq!(t.find("Russia Today").map(|o| o.name.as_str()), Some("RT"));
        assert!(t.find("Acme Gazette").is_none());
    }

    #[test]
    fn a_story_link_to_the_outlet_wins_over_its_home_page() {
        let links = [
            link(
                "reported",
                "https://www.bloomberg.com/news/articles/2025-01-01/deal",
            ),
            link("Guardian", "javascript:alert(1)"),
        ];
        let cited = cite(
            &["Bloomberg".into(), "Guardian".into(), "Acme Gazette".into()],
            &links,
        );
        assert_eq!(
            cited[0].url.as_deref(),
            Some("https://www.bloomberg.com/news/articles/2025-01-01/deal")
        );
        assert_eq!(cited[1].name, "The Guardian");
        assert_eq!(
            cited[1].url.as_deref(),
            Some("https://www.theguardian.com"),
            "only http(s) links are used"
        );
        assert_eq!(cited[2].url, None);
    }
}
