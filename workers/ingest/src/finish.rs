//! Rules every format shares, applied after the format parser: clean text, fallback ids,
//! checksums, language, non-story recognition and the "a story needs a headline and a body" rule.

use copydesk_article::clean_link;
use copydesk_types::story::checksum;
use copydesk_types::{SourceFormat, Story};
use sha2::{Digest, Sha256};

use crate::formats::Doc;
use crate::text::{clean, detect_language, normalise_language, strip_markup, unlink_unsafe_markdown};
use crate::{IngestConfig, IngestError, Parsed};

/// Apply the shared rules to a parser's output.
///
/// In a multi-item document (a feed, a newsMessage with several items) a bad item becomes a
/// `Skipped` with the reason; in a single-story document it fails the whole document.
pub(crate) fn finish(items: Vec<Parsed>, doc: &Doc<'_>, cfg: &IngestConfig) -> Result<Vec<Parsed>, IngestError> {
    let multi = items.len() > 1
        || matches!(doc.format, SourceFormat::Rss2 | SourceFormat::Rss1 | SourceFormat::Atom);
    let whole = checksum(doc.bytes);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Parsed::Story(mut s) = item else {
            out.push(item);
            continue;
        };
        tidy(&mut s, &whole, cfg);
        match problem(&s) {
            None => out.push(Parsed::Story(s)),
            Some(reason) if multi => out.push(Parsed::Skipped { id: Some(s.guid), reason }),
            Some(reason) if reason.starts_with("non-story") => {
                out.push(Parsed::Skipped { id: Some(s.guid), reason })
            }
            Some(reason) => return Err(doc.invalid(format!("{reason}; a story needs a headline and body text"))),
        }
    }
    Ok(out)
}

/// Normalise text fields and fill what can be derived. Every text field leaves here as plain
/// text: markup the format parser's decoding uncovered (or that a plain-text story carried) is
/// removed, its text kept.
fn tidy(s: &mut Story, whole_checksum: &str, cfg: &IngestConfig) {
    let plain = |t: &str| clean(&unlink_unsafe_markdown(&strip_markup(t)));
    s.headline = plain(&s.headline);
    s.body = s.body.iter().map(|p| plain(p)).filter(|p| !p.is_empty()).collect();
    for opt in [&mut s.subheadline, &mut s.byline, &mut s.dateline, &mut s.located, &mut s.slugline, &mut s.source, &mut s.ednote] {
        *opt = opt.as_deref().map(plain).filter(|t| !t.is_empty());
    }
    s.keywords = s.keywords.iter().map(|k| plain(k)).collect();
    for link in &mut s.links {
        link.text = plain(&link.text);
    }
    s.links.retain(|l| !l.text.is_empty() && copydesk_render::safe_href(&l.href).is_some());
    s.uri = s.uri.as_deref().and_then(copydesk_render::safe_href);
    s.keywords.retain(|k| !k.trim().is_empty());
    s.keywords.dedup();
    if s.headline.is_empty() {
        if let Some(first) = s.body.first() {
            s.headline = headline_from(first);
        }
    }
    if s.checksum.is_empty() {
        s.checksum = whole_checksum.to_string();
    }
    s.guid = clean(&s.guid);
    if s.guid.is_empty() {
        s.guid = format!("urn:copydesk:sha256:{}", &content_hash(s)[..32]);
    }
    // Tracking parameters (`?maca=...`, `utm_*`) are no part of an item's identity: the same
    // item reached through two campaigns is one story. Only link-shaped ids that carry them
    // change; every other id is kept byte for byte.
    s.guid = clean_link(&s.guid);
    s.uri = s.uri.as_deref().map(clean_link);
    s.signals.refers_to = s.signals.refers_to.as_deref().map(clean_link);
    s.version = s.version.max(1);
    crate::lifecycle::apply_text_signals(s);
    drop_repeated_lead(&mut s.body);
    if s.dateline.is_none() {
        if let Some((dateline, place)) = s.body.first().and_then(|p| split_dateline(p)) {
            s.dateline = Some(dateline);
            s.located.get_or_insert(place);
        }
    }
    s.language = s.language.as_deref().and_then(normalise_language);
    if s.language.is_none() && cfg.detect_language {
        s.language = detect_language(&s.text());
    }
}

/// An abstract line repeated as the start of the next paragraph (AP ANPA headers) is dropped.
fn drop_repeated_lead(body: &mut Vec<String>) {
    if body.len() >= 2 && body[0].len() > 40 && body[1].contains(body[0].as_str()) {
        body.remove(0);
    }
}

/// "ATLANTA (AP) — Luol Deng..." -> ("ATLANTA (AP) —", "ATLANTA"); the agency tag in
/// parentheses followed by a dash within the first 120 characters marks a dateline.
pub fn split_dateline(first: &str) -> Option<(String, String)> {
    let window: String = first.chars().take(120).collect();
    let open = window.find('(')?;
    let close = open + window[open..].find(')')?;
    let agency = &window[open + 1..close];
    let plausible_agency = (2..=16).contains(&agency.len()) && agency.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '/' || c == '-' || c == '.');
    let after = window[close + 1..].trim_start();
    let dash = after.chars().next().filter(|c| matches!(c, '—' | '–' | '-' | '_'))?;
    let place = window[..open].trim().trim_end_matches(',').trim();
    if !plausible_agency || place.is_empty() || place.split_whitespace().count() > 8 {
        return None;
    }
    let end = close + 1 + (window[close + 1..].len() - after.len()) + dash.len_utf8();
    Some((window[..end].trim().to_string(), place.to_string()))
}

/// Why the story cannot go downstream, if it cannot.
fn problem(s: &Story) -> Option<String> {
    if let Some(kind) = non_story_kind(s) {
        return Some(format!("non-story item: {kind} ({:?})", s.headline));
    }
    if s.is_kill() {
        return None;
    }
    if s.headline.is_empty() && s.body.is_empty() {
        return Some(format!("item {} has neither headline nor body text", s.guid));
    }
    if s.body.is_empty() {
        return Some(format!("item {} ({:?}) has no body text", s.guid, s.headline));
    }
    None
}

/// Service notices, copyright messages and tests that agencies send down the story wire.
fn non_story_kind(s: &Story) -> Option<&'static str> {
    let head: String = s.headline.to_lowercase().chars().filter(|c| c.is_alphanumeric() || *c == ' ').collect();
    let head = head.trim();
    let kind = match head {
        "impressum" | "copyright" | "copyright notice" | "copyright message" => "copyright notice",
        "test" | "test message" | "testmeldung" | "ignore" | "test please ignore" => "test message",
        "service message" | "service notice" | "dienstmitteilung" | "servicemeldung" | "notice to subscribers" => {
            "service notice"
        }
        _ => {
            let body = s.body.join(" ").to_lowercase();
            if body.matches("copyright by").count() >= 2 {
                "copyright notice"
            } else {
                return None;
            }
        }
    };
    Some(kind)
}

/// A headline for an untitled item: the first sentence of the first paragraph, at most ~100 chars.
fn headline_from(first: &str) -> String {
    let sentence = first.split_inclusive(['.', '!', '?']).next().unwrap_or(first);
    if sentence.chars().count() <= 110 {
        return sentence.trim().to_string();
    }
    let mut out = String::new();
    for word in sentence.split_whitespace() {
        if out.chars().count() + word.chars().count() > 100 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

/// sha256 of the normalised headline and body: stable across re-sends and whitespace changes.
pub fn content_hash(s: &Story) -> String {
    let mut h = Sha256::new();
    h.update(normalise_for_hash(&s.headline).as_bytes());
    for p in &s.body {
        h.update(b"\n");
        h.update(normalise_for_hash(p).as_bytes());
    }
    hex::encode(h.finalize())
}

/// Lowercase alphanumerics only, so punctuation and spacing changes do not defeat dedup.
pub fn normalise_for_hash(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(format: SourceFormat) -> Doc<'static> {
        Doc::new(b"payload", "f.txt", format)
    }

    #[test]
    fn a_single_story_without_body_fails_the_document_with_the_file_named() {
        let s = Story::new("g", "Only a headline", vec![]);
        let err = finish(vec![Parsed::Story(s)], &doc(SourceFormat::PlainText), &IngestConfig::default())
            .expect_err("no body");
        assert!(err.to_string().contains("f.txt") && err.to_string().contains("no body text"), "{err}");
    }

    #[test]
    fn a_feed_item_without_body_is_skipped_with_a_reason() {
        let s = Story::new("g", "Title only", vec![]);
        let out = finish(vec![Parsed::Story(s)], &doc(SourceFormat::Rss2), &IngestConfig::default()).expect("ok");
        assert!(matches!(&out[0], Parsed::Skipped { reason, .. } if reason.contains("no body")));
    }

    #[test]
    fn missing_guid_is_derived_from_content_and_checksum_from_payload() {
        let a = Story::new("", "Head", vec!["Body  text.".into()]);
        let b = Story::new("", "head", vec!["Body text".into()]);
        let cfg = IngestConfig::default();
        let out_a = finish(vec![Parsed::Story(a)], &doc(SourceFormat::PlainText), &cfg).expect("ok");
        let out_b = finish(vec![Parsed::Story(b)], &doc(SourceFormat::PlainText), &cfg).expect("ok");
        let (Parsed::Story(a), Parsed::Story(b)) = (&out_a[0], &out_b[0]) else { panic!("stories") };
        assert!(a.guid.starts_with("urn:copydesk:sha256:"));
        assert_eq!(a.guid, b.guid);
        assert_eq!(a.checksum, checksum(b"payload"));
    }

    #[test]
    fn datelines_are_found_in_the_first_paragraph() {
        let (d, p) = split_dateline("KYIV, Ukraine (AP) — Russian forces...").expect("dateline");
        assert_eq!((d.as_str(), p.as_str()), ("KYIV, Ukraine (AP) —", "KYIV, Ukraine"));
        assert_eq!(split_dateline("Berlin (dpa) - Die Regierung").map(|x| x.1).as_deref(), Some("Berlin"));
        assert_eq!(split_dateline("He said (quietly) that nothing - happened"), None);
    }

    #[test]
    fn a_copyright_notice_is_skipped_not_failed() {
        let s = Story::new("g", "Impressum", vec!["copyright by dpa copyright by dpa".into()]);
        let out = finish(vec![Parsed::Story(s)], &doc(SourceFormat::Iptc7901), &IngestConfig::default()).expect("ok");
        assert!(matches!(&out[0], Parsed::Skipped { reason, .. } if reason.contains("copyright")));
    }
}
