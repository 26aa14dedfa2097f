//! URL hygiene: tracking parameters removed (so the same story reached from a newsletter, a
//! feed and a social post has one URL for dedup), canonical links resolved safely, and URLs
//! redacted for error messages and logs (no user info, no query, no fragment).

use url::Url;

/// Query parameters that only track where a reader came from. Names are compared
/// case-insensitively; `utm_*` and the other prefixes below match any suffix.
///
/// | parameter | who sets it |
/// |---|---|
/// | `utm_*` | Google Analytics campaign tags (everyone) |
/// | `fbclid`, `gclid`, `dclid`, `gbraid`, `wbraid`, `msclkid`, `yclid`, `twclid`, `ttclid`, `li_fat_id`, `igshid`, `srsltid` | ad and social click ids (Meta, Google, Microsoft, Yandex, X, TikTok, LinkedIn, Instagram) |
/// | `mc_cid`, `mc_eid` | Mailchimp |
/// | `_hsenc`, `_hsmi`, `hsctatracking` | HubSpot |
/// | `mkt_tok` | Marketo |
/// | `maca` | Deutsche Welle feeds |
/// | `ocid` | Microsoft / MSN |
/// | `cmpid`, `cmp`, `cid` (only `cmpid`/`cmp` by default), `s_cid`, `s_kwcid` | Adobe Analytics campaign ids |
/// | `ncid`, `sr_share`, `at_medium`, `at_campaign`, `at_custom*`, `ito`, `intcmp`, `xtor` | publisher campaign tags (Yahoo, Reuters, BBC/AT Internet, Guardian) |
/// | `_ga`, `_gl` | Google cross-domain linker |
/// | `ref_src`, `ref_url` | Twitter/X embeds |
/// | `__twitter_impression`, `smid`, `smtyp` | NYT/Twitter share tags |
pub const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id", "igshid",
    "srsltid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "maca", "ocid", "cmpid", "cmp",
    "s_cid", "s_kwcid", "ncid", "sr_share", "at_medium", "at_campaign", "ito", "intcmp", "xtor", "_ga", "_gl",
    "ref_src", "ref_url", "__twitter_impression", "smid", "smtyp",
];

/// Prefixes of tracking parameter names (`utm_source`, `at_custom1`, ...).
pub const TRACKING_PREFIXES: &[&str] = &["utm_", "at_custom", "pk_", "mtm_"];

/// Whether a query parameter name is a tracking parameter.
pub fn is_tracking_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&lower.as_str()) || TRACKING_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// The URL without tracking parameters and without a fragment; other parameters keep their
/// order. A query left empty is removed entirely.
pub fn strip_tracking_params(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    if url.query().is_none() {
        return out;
    }
    let kept: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| !is_tracking_param(k)).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.query_pairs_mut().clear().extend_pairs(kept);
    }
    out
}

/// [`strip_tracking_params`] for a string that may or may not be a URL (a feed guid): an
/// http(s) URL carrying tracking parameters comes back without them (and without a fragment);
/// anything else comes back byte for byte, so guids without tracking parameters keep their
/// identity exactly.
pub fn clean_link(link: &str) -> String {
    match Url::parse(link) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.query_pairs().any(|(k, _)| is_tracking_param(&k)) => {
            strip_tracking_params(&url).to_string()
        }
        _ => link.to_string(),
    }
}

/// A `<link rel="canonical">` href resolved against the page URL: http(s) only, tracking
/// parameters removed. `None` for anything else (`javascript:`, unparseable, empty), and for
/// a canonical naming a site's front page when the page itself is not one: a template that
/// points every article at the home page would otherwise make them all one story.
pub fn clean_canonical(href: &str, page: &Url) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = page.join(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    let url = strip_tracking_params(&url);
    if is_site_root(&url) && !is_site_root(&strip_tracking_params(page)) {
        return None;
    }
    Some(url)
}

/// Whether a URL is a site's front page (path `/`, no query): never an article's identity.
pub fn is_site_root(url: &Url) -> bool {
    matches!(url.path(), "" | "/") && url.query().is_none_or(str::is_empty)
}

/// A URL safe to put in an error or a log: scheme, host, port and path only.
pub fn redact(url: &Url) -> String {
    let mut out = url.clone();
    let _ = out.set_username("");
    let _ = out.set_password(None);
    out.set_query(None);
    out.set_fragment(None);
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn tracking_parameters_go_and_real_ones_stay_in_order() {
        let u = url("https://news.example/a?id=7&utm_source=x&UTM_Medium=y&maca=en-rss&page=2&fbclid=abc#top");
        assert_eq!(strip_tracking_params(&u).as_str(), "https://news.example/a?id=7&page=2");
        assert_eq!(strip_tracking_params(&url("https://n.example/b?ocid=1&cmpid=2")).as_str(), "https://n.example/b");
    }

    #[test]
    fn feed_guids_that_are_not_urls_are_left_alone() {
        assert_eq!(clean_link("urn:uuid:1234"), "urn:uuid:1234");
        assert_eq!(clean_link("https://dw.example/x?maca=en-rss-en-all"), "https://dw.example/x");
        assert_eq!(clean_link("HTTP://Dw.example/x?id=1#top"), "HTTP://Dw.example/x?id=1#top", "nothing to strip: unchanged");
    }

    #[test]
    fn canonical_links_resolve_against_the_page_and_must_be_http() {
        let page = url("https://site.example/news/story?utm_campaign=feed");
        assert_eq!(clean_canonical("/news/story-1?utm_source=rss", &page).map(String::from).as_deref(), Some("https://site.example/news/story-1"));
        assert_eq!(clean_canonical("javascript:alert(1)", &page), None);
        assert_eq!(clean_canonical("ftp://site.example/x", &page), None);
        assert_eq!(clean_canonical("  ", &page), None);
    }

    #[test]
    fn a_canonical_pointing_an_article_at_the_front_page_is_ignored() {
        let page = url("https://site.example/news/story-7");
        assert_eq!(clean_canonical("https://site.example/", &page), None);
        assert_eq!(clean_canonical("/?utm_source=x", &page), None, "the tracking query does not make it an article");
        assert!(clean_canonical("/", &url("https://site.example/?utm_source=x")).is_some(), "a front page may name itself");
        assert!(is_site_root(&url("https://site.example")) && !is_site_root(&url("https://site.example/?p=12")));
    }

    #[test]
    fn redaction_drops_credentials_query_and_fragment() {
        assert_eq!(redact(&url("https://user:secret@h.example:8443/p/q?token=abc#f")), "https://h.example:8443/p/q");
    }
}
