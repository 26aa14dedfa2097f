//! Link targets: only `http`, `https` and `mailto` survive, normalised by the `url` crate.

/// The link target to emit for `raw`, or `None` when it must not become a link (`javascript:`,
/// `data:`, `vbscript:`, relative or unparsable addresses). Control characters and whitespace
/// that browsers strip before reading a scheme ("java\tscript:") cannot smuggle one past: the
/// address is parsed as a URL first and its scheme checked after.
pub fn safe_href(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().any(|c| c.is_control()) {
        return None;
    }
    let url = url::Url::parse(trimmed).ok()?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Some(url.to_string()),
        "mailto" if url.path().contains('@') => Some(url.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_targets_survive() {
        assert_eq!(safe_href("https://www.bloomberg.com").as_deref(), Some("https://www.bloomberg.com/"));
        assert_eq!(safe_href(" http://x.org/a?b=1 ").as_deref(), Some("http://x.org/a?b=1"));
        assert!(safe_href("mailto:desk@example.org").is_some());
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox",
            "/relative/path",
            "//evil.example/x",
            "file:///etc/passwd",
            "http://",
            "",
        ] {
            assert_eq!(safe_href(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn characters_that_would_end_an_attribute_are_percent_encoded() {
        let href = safe_href("https://x.org/a\"onmouseover=\"alert(1)").expect("http");
        assert!(!href.contains('"'), "{href}");
        let href = safe_href("https://x.org/<script>").expect("http");
        assert!(!href.contains('<') && !href.contains('>'), "{href}");
    }
}
