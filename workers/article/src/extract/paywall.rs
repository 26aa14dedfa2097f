//! Paywalled pages: the publisher says so in JSON-LD (`isAccessibleForFree: false`, Google's
//! markup for subscription content), or the page carries a paywall widget and shows little
//! text. Such pages keep the feed's teaser.

use super::meta::PageMeta;
use super::tree::Tree;

/// `id`/`class` fragments of paywall and registration-wall widgets.
const PAYWALL_MARKERS: &[&str] = &[
    "paywall", "pay-wall", "regwall", "reg-wall", "subscriber-only", "subscribers-only", "premium-content",
    "piano-offer", "tp-container-inner", "meteredcontent", "metered-content", "locked-content", "article-locked",
];

/// Phrases paywalls show in place of the article.
const PAYWALL_PHRASES: &[&str] = &[
    "subscribe to continue reading",
    "subscribe to read",
    "this article is for subscribers",
    "this content is for subscribers",
    "available to subscribers only",
    "to continue reading, subscribe",
    "already a subscriber? log in",
    "already a subscriber? sign in",
];

/// Below this many words, a page with a paywall marker counts as paywalled.
const MARKED_MAX_WORDS: usize = 150;

/// Why the page is paywalled, or `None`.
pub(crate) fn detect(tree: &Tree, meta: &PageMeta, words: usize) -> Option<String> {
    if meta.accessible_for_free == Some(false) {
        return Some("the page's JSON-LD says isAccessibleForFree: false".into());
    }
    if words >= MARKED_MAX_WORDS {
        return None;
    }
    if let Some(marker) = tree
        .nodes
        .iter()
        .filter(|n| !n.is_text() && !n.id_class.is_empty())
        .find_map(|n| PAYWALL_MARKERS.iter().find(|m| n.id_class.contains(*m)))
    {
        return Some(format!("a paywall element (`{marker}`) and only {words} words of text"));
    }
    let phrase = tree.nodes.iter().filter(|n| n.is_text() && !n.dropped).find_map(|n| {
        let t = n.text.to_lowercase();
        PAYWALL_PHRASES.iter().find(|p| t.contains(*p))
    });
    phrase.map(|p| format!("the page says \"{p}\" and shows only {words} words"))
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    #[test]
    fn a_paywall_widget_on_a_short_page_is_detected_but_not_on_a_long_one() {
        let tree = parse(r#"<div class="article-paywall">Subscribe</div><p>Teaser text.</p>"#);
        assert!(detect(&tree, &PageMeta::default(), 2).is_some());
        assert!(detect(&tree, &PageMeta::default(), 400).is_none());
    }

    #[test]
    fn a_subscription_phrase_marks_a_short_page() {
        let tree = parse("<p>First lines.</p><p>Subscribe to continue reading this story.</p>");
        let why = detect(&tree, &PageMeta::default(), 8).unwrap_or_default();
        assert!(why.contains("subscribe to continue reading"), "{why}");
    }
}
