//! Redaction of secrets that travel inside addresses: webhook, feed, WordPress, broker and
//! database URLs often carry a token in their user info or query string. Every URL that is
//! logged, stored (feed state, dead-letter headers) or sent (events) goes through here.

/// `url` with its user info and query string (and fragment) replaced by `***`: what may be
/// shown. Text that is not a URL comes back unchanged.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let scheme = &url[..scheme_end];
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return url.to_string();
    }
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_string(),
    };
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, after) = tail.split_at(path_end);
    let hidden = if after.is_empty() { "" } else { "?***" };
    format!("{scheme}://{host}{path}{hidden}")
}

/// Free text (an error message, a reason) with every URL in it redacted.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        // Walk back over the scheme, forward to the end of the address.
        let start = rest[..pos].rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))).map(|i| i + 1).unwrap_or(0);
        let end = rest[pos..]
            .find(|c: char| c.is_whitespace() || "\"'<>`),;".contains(c))
            .map(|i| pos + i)
            .unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        if start < pos {
            out.push_str(&redact_url(&rest[start..end]));
        } else {
            out.push_str(&rest[start..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_and_query_strings_are_hidden() {
        assert_eq!(redact_url("amqp://u:secret@h:5672/%2f"), "amqp://***@h:5672/%2f");
        assert_eq!(redact_url("https://hooks.example/x?token=abc&y=1"), "https://hooks.example/x?***");
        assert_eq!(redact_url("https://news.example/wp-json/wp/v2/posts"), "https://news.example/wp-json/wp/v2/posts");
        assert_eq!(redact_url("https://user:pw@feeds.example/rss#frag"), "https://***@feeds.example/rss?***");
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn every_url_in_a_message_is_redacted() {
        let text = "webhook https://h.example/hook?key=s3cret (delivery d1) refused; broker amqp://a:pw@b:5672/x down";
        let out = redact_text(text);
        assert!(!out.contains("s3cret") && !out.contains(":pw@"), "{out}");
        assert!(out.contains("https://h.example/hook?***") && out.contains("amqp://***@b:5672/x"), "{out}");
        assert_eq!(redact_text("no address here"), "no address here");
    }
}
