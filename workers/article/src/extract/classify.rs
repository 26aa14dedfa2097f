//! Which elements are page furniture rather than article: navigation, comments, sharing,
//! related links, cookie and newsletter banners, ads. Decided from the tag, the ARIA role,
//! hiding, and words in the `id` and `class` attributes.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::tree::Node;

/// One automaton per pattern list: matching ~100 substrings per element one by one was a
/// third of the extraction time.
fn automaton(patterns: &[&str]) -> AhoCorasick {
    AhoCorasick::new(patterns).expect("constant patterns build an automaton")
}

static BOILER_AC: LazyLock<AhoCorasick> = LazyLock::new(|| automaton(BOILER_SUBSTRINGS));
static BODY_AC: LazyLock<AhoCorasick> = LazyLock::new(|| automaton(BODY_MARKERS));

/// Tags that never hold the article itself.
const BOILER_TAGS: &[&str] = &["nav", "footer", "aside", "menu", "header", "form", "dialog"];

/// ARIA roles of page furniture.
const BOILER_ROLES: &[&str] =
    &["navigation", "complementary", "banner", "contentinfo", "menu", "menubar", "dialog", "alertdialog", "search", "toolbar", "alert"];

/// Substrings of `id`/`class` that mark furniture wherever they occur ("relatedstories",
/// "comments-area", "newsletter-signup").
const BOILER_SUBSTRINGS: &[&str] = &[
    "comment", "related", "newsletter", "sidebar", "social", "share", "sharing", "subscri", "promo", "breadcrumb",
    "cookie", "consent", "gdpr", "outbrain", "taboola", "recommend", "trending", "popular", "advert", "sponsor",
    "disqus", "signup", "sign-up", "paywall", "pagination", "pager", "carousel", "slideshow", "masthead", "newsfeed",
    "most-read", "mostread", "more-stories", "morestories", "read-more", "readmore", "also-read", "see-also",
    "next-article", "prev-article", "author-bio", "authorbio", "bio-box", "byline", "dateline", "timestamp",
    "widget", "modal", "popup", "overlay", "toolbar", "sr-only", "visually-hidden", "screen-reader", "skip-link",
    "print-only", "hidden", "tags", "tag-list", "taglist", "keywords", "topics", "rating", "follow", "donate",
    "video-player", "jw-", "inline-ad", "ad-slot", "adslot", "ad-container", "adcontainer", "ad-wrapper", "dfp",
    "gpt-ad", "banner", "caption", "credit", "copyright", "disclaimer", "footnote", "feedback", "survey",
];

/// Whole words (after splitting on `-`, `_` and spaces) that mark furniture.
const BOILER_WORDS: &[&str] = &[
    "ad", "ads", "nav", "navbar", "menu", "footer", "header", "meta", "author", "share", "tag", "print", "email",
    "sidebar", "aside", "toc", "hide", "logo", "login", "search", "icons", "icon", "social", "links", "date",
    "sponsored", "teaser", "teasers", "rail", "headline", "title", "kicker", "figure",
];

/// Attribute words that mark the article body itself; these override the furniture words.
const BODY_MARKERS: &[&str] = &[
    "articlebody", "article-body", "article__body", "article_body", "story-body", "storybody", "story__body",
    "entry-content", "post-content", "post-body", "postbody", "article-content", "articlecontent", "article-text",
    "articletext", "story-content", "story-text", "body-text", "bodytext", "main-content", "article__content",
    "content-body", "rich-text", "richtext", "text-content", "paywall-content", "c-entry-content",
];

/// Whether the attributes name the article body.
pub(crate) fn is_body_marker(node: &Node) -> bool {
    node.itemprop == "articlebody" || (!node.id_class.is_empty() && BODY_AC.is_match(&node.id_class))
}

/// Whether the attributes name furniture (without looking at the tag).
pub(crate) fn has_boiler_attrs(node: &Node) -> bool {
    if node.id_class.is_empty() || is_body_marker(node) {
        return false;
    }
    if BOILER_AC.is_match(&node.id_class) {
        return true;
    }
    node.id_class.split([' ', '-', '_']).any(|w| BOILER_WORDS.contains(&w))
}


/// Whether a node is page furniture: a furniture tag or role, hidden, or furniture attributes.
pub(crate) fn is_boiler(node: &Node) -> bool {
    if node.is_text() {
        return false;
    }
    node.hidden
        || BOILER_TAGS.contains(&node.tag.as_str())
        || BOILER_ROLES.contains(&node.role.as_str())
        || has_boiler_attrs(node)
}

/// Whole paragraphs that are page furniture wherever they appear: ad labels (in several
/// languages), calls to action, gallery counters.
const FURNITURE_LINES: &[&str] = &[
    "advertisement", "advert", "ad", "ads", "sponsored", "sponsored content", "anzeige", "werbung", "publicité",
    "publicidad", "publicidade", "pubblicità", "reklama", "реклама", "iklan", "광고", "広告", "comments", "comment",
    "subscribe", "share", "share this", "share this article", "read more", "more", "related", "related articles",
    "related stories", "you may also like", "recommended", "most popular", "trending", "tell us what you think",
    "like this story share it with a friend", "click to tweet", "skip advertisement", "continue reading",
    "story continues below advertisement", "article continues below", "scroll to continue with content",
];

/// Whether a whole paragraph is furniture (see [`FURNITURE_LINES`]; also "Image 2 of 5").
pub(crate) fn is_furniture_line(paragraph: &str) -> bool {
    if paragraph.len() > 60 {
        return false;
    }
    let norm: String = paragraph
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' })
        .collect();
    let norm = norm.split_whitespace().collect::<Vec<_>>().join(" ");
    if FURNITURE_LINES.contains(&norm.as_str()) {
        return true;
    }
    let words: Vec<&str> = norm.split(' ').collect();
    matches!(words.as_slice(), [w, a, "of", b] if matches!(*w, "image" | "photo" | "slide") && a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standalone_furniture_paragraphs_are_recognised() {
        for line in ["ADVERTISEMENT", "Advert", "Iklan", "Share this article:", "Image 2 of 5", "You may also like:"] {
            assert!(is_furniture_line(line), "{line}");
        }
        for line in ["Ads are everywhere now.", "More than 40 people were hurt.", "Image rights matter"] {
            assert!(!is_furniture_line(line), "{line}");
        }
    }


    fn node(tag: &str, id_class: &str) -> Node {
        Node { tag: tag.into(), id_class: id_class.into(), ..Node::default() }
    }

    #[test]
    fn furniture_is_recognised_by_tag_and_attribute_words() {
        assert!(is_boiler(&node("nav", "")));
        assert!(is_boiler(&node("div", " comments-area")));
        assert!(is_boiler(&node("div", " related_stories")));
        assert!(is_boiler(&node("div", " ad top")));
        assert!(!is_boiler(&node("div", " canvas-wrapper")), "'nav' inside 'canvas' is not a word");
        assert!(!is_boiler(&node("div", " article-body share-enabled")), "a body marker wins");
        assert!(!is_boiler(&node("p", "")));
    }
}
