//! What summarize writes: a brief, an SEO article and the metadata a CMS needs.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One section of an article: a plain subheading and its paragraphs.
///
/// A story too short for sections has one untitled section (an empty `heading`) holding the
/// body paragraphs after the lead; renderers print no subheading for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Plain, descriptive subheading (never "Introduction" or "Conclusion"); empty for the one
    /// untitled section of a short article.
    pub heading: String,
    /// Paragraphs of plain text: never Markdown or HTML. Renderers (`copydesk-render`) escape
    /// it for their format and turn [`Article::links`] into links.
    pub paragraphs: Vec<String>,
}

/// A link the article makes: the first occurrence of `text` in the lead or a section
/// paragraph links to `href` (only `http`, `https` and `mailto` targets are ever rendered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleLink {
    /// The words that carry the link, as they occur in the text ("Bloomberg").
    pub text: String,
    /// Where it points.
    pub href: String,
}

/// The search-friendly article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The lead paragraph, plain text.
    pub lead: String,
    /// The body sections, in order.
    pub sections: Vec<Section>,
    /// True when the source was too short for a full article and nothing was padded.
    #[serde(default)]
    pub short: bool,
    /// Inline links (sources named in the text), applied by the renderers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ArticleLink>,
}

impl Article {
    /// Words in the lead and all section paragraphs (headings excluded).
    pub fn word_count(&self) -> usize {
        let count = |s: &str| s.split_whitespace().count();
        count(&self.lead)
            + self
                .sections
                .iter()
                .flat_map(|s| s.paragraphs.iter())
                .map(|p| count(p))
                .sum::<usize>()
    }
}

/// Everything summarize produced for one story version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// A 2-4 sentence summary.
    pub brief: String,
    /// The SEO article.
    pub article: Article,
    /// SEO headline, at most about 60-70 characters.
    pub headline: String,
    /// Meta description, 120-160 characters, a complete sentence.
    pub meta_description: String,
    /// URL slug: lowercase ASCII and hyphens, stable across versions of a story.
    pub slug: String,
    /// Keywords, from the most salient entities.
    pub keywords: Vec<String>,
    /// schema.org `NewsArticle` JSON-LD.
    pub json_ld: serde_json::Value,
    /// Open Graph properties (`og:title`, `og:description`, `og:type`, ...).
    pub open_graph: BTreeMap<String, String>,
    /// Which engine wrote it ("builtin-extractive-v1", "llm:<model>", "builtin (llm fallback)").
    pub engine: String,
    /// The one phrase the article is optimised for (a salient name or key phrase), used in the
    /// headline or lead, the meta description and one subheading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus_keyphrase: Option<String>,
}
