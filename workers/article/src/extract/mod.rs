//! Article extraction: the main text of a page (no navigation, related links, comments or
//! banners), its paragraphs, and what the page says about itself.
//!
//! Layout: `tree.rs` builds a compact tree from lol_html's tokenizer; `classify.rs` tells page
//! furniture from article; `content.rs` picks the article container and renders it; `text.rs`
//! turns a subtree into paragraphs; `meta.rs` reads JSON-LD and Open Graph; `paywall.rs`
//! recognises paywalled pages. [`extract`] is the one entry point, so the engine behind it can
//! change without touching callers.

mod classify;
mod content;
mod meta;
mod paywall;
mod text;
mod tree;

pub use meta::PageMeta;

use url::Url;

use crate::urls::clean_canonical;

/// What [`extract`] found in a page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Extracted {
    /// The article's paragraphs, in order, whitespace-collapsed (a paragraph may hold `\n`
    /// line breaks).
    pub paragraphs: Vec<String>,
    /// Words in `paragraphs` (whitespace-separated).
    pub word_count: usize,
    /// The page's metadata (JSON-LD, Open Graph, `<title>`).
    pub meta: PageMeta,
    /// `<link rel="canonical">` resolved against the page URL, http(s) only, tracking
    /// parameters removed; `None` when absent or unusable.
    pub canonical_url: Option<Url>,
    /// Why the page is taken to be paywalled, if it is.
    pub paywall: Option<String>,
}

impl Extracted {
    /// The body as text: paragraphs separated by blank lines.
    pub fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

/// Extract the article body and metadata from a decoded HTML page fetched from `url`.
///
/// Never fails: a page without an article gives no paragraphs (callers decide by
/// `word_count` whether the page is too short to replace a teaser).
pub fn extract(html: &str, url: &Url) -> Extracted {
    let tree = tree::parse(html);
    let meta = meta::read(&tree.head);
    let mut paragraphs = content::article_paragraphs(&tree);
    if let Some(body) = meta.article_body.as_deref() {
        paragraphs = prefer_json_ld_body(paragraphs, body);
    }
    let word_count = paragraphs.iter().map(|p| p.split_whitespace().count()).sum();
    let canonical_url = tree.head.canonical.as_deref().and_then(|href| clean_canonical(href, url));
    let paywall = paywall::detect(&tree, &meta, word_count);
    Extracted { paragraphs, word_count, meta, canonical_url, paywall }
}

/// The publisher's own `articleBody` wins when our extraction found much less of it (the
/// page shows the article in pieces we could not join), never when it is the shorter text.
fn prefer_json_ld_body(paragraphs: Vec<String>, body: &str) -> Vec<String> {
    let ours: usize = paragraphs.iter().map(|p| p.split_whitespace().count()).sum();
    let theirs = body.split_whitespace().count();
    if theirs >= 50 && ours * 2 < theirs {
        let mut sink = text::TextSink::default();
        for para in body.split("\n\n") {
            sink.push_text(para);
            sink.paragraph_break();
        }
        return sink.finish();
    }
    paragraphs
}

/// All visible text of the page's body, without any extraction (the benchmark's floor).
pub fn visible_text(html: &str) -> String {
    let tree = tree::parse(html);
    let body = tree.nodes.iter().position(|n| n.tag == "body").unwrap_or(0) as tree::NodeId;
    let mut sink = text::TextSink::default();
    text::render(&tree, body, &mut sink, &|_| false);
    sink.finish().join("\n\n")
}

/// For tuning: the ancestors (tag, id/class, furniture?) of the first text node containing
/// `needle`, innermost first.
#[doc(hidden)]
pub fn debug_path(html: &str, needle: &str) -> Vec<String> {
    let tree = tree::parse(html);
    let Some(start) = tree.nodes.iter().position(|n| n.is_text() && n.text.contains(needle)) else {
        return vec!["(not found)".into()];
    };
    let mut out = Vec::new();
    let mut id = tree.nodes[start].parent;
    while id != 0 {
        let n = &tree.nodes[id as usize];
        out.push(format!("{} [{}] boiler={} dropped={}", n.tag, n.id_class.trim(), classify::is_boiler(n), n.dropped));
        id = n.parent;
    }
    out
}

/// For benchmarking the parser alone: the node count of the page's tree.
#[doc(hidden)]
pub fn parse_node_count(html: &str) -> usize {
    tree::parse(html).nodes.len()
}
