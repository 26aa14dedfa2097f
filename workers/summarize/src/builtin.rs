//! [`BuiltinSummarizer`]: the offline, deterministic extractive engine.

use crate::article::build_article;
use crate::brief::brief_sentences;
use crate::doc::Doc;
use crate::focus::{focus_candidates, meta_first, settle_focus};
use crate::markup::{json_ld, open_graph, Seo};
use crate::salience::salient_terms;
use crate::seo::{keywords, meta_description, seo_headline, slug};
use copydesk_types::{Entities, Story, Summary};

/// Engine name written into [`Summary::engine`].
pub const BUILTIN_ENGINE: &str = "builtin-extractive-v1";

/// The extractive engine: every sentence it writes comes from the story.
#[derive(Debug, Clone, Default)]
pub struct BuiltinSummarizer {
    _private: (),
}

impl BuiltinSummarizer {
    /// A ready engine; it holds no state and loads nothing.
    pub fn new() -> Self {
        BuiltinSummarizer { _private: () }
    }

    /// Summarises one story; `entities` may be empty (capitalised phrases stand in for them).
    pub fn summarize_sync(&self, story: &Story, entities: &Entities) -> Summary {
        let doc = Doc::from_story(story);
        let terms = salient_terms(&doc, entities);
        let brief = brief_sentences(&doc);
        let headline = seo_headline(&doc, story, &brief);
        let candidates = meta_first(&focus_candidates(&doc, &terms, ""), |f| {
            meta_description(&doc, &brief, f)
        });
        let article = build_article(&doc, &terms, story, entities, &candidates);
        let (focus, meta) =
            settle_focus(&candidates, &article, |f| meta_description(&doc, &brief, f));
        let keywords = keywords(&terms, story);
        let seo = Seo {
            headline: &headline,
            description: &meta,
            keywords: &keywords,
            word_count: article.word_count(),
        };
        let json_ld = json_ld(story, &seo, &terms);
        let open_graph = open_graph(story, &seo);
        let brief_text = if brief.is_empty() {
            doc.headline.clone()
        } else {
            brief.join(" ")
        };
        Summary {
            brief: brief_text,
            slug: slug(doc.lang, story, &brief),
            article,
            headline,
            meta_description: meta,
            keywords,
            json_ld,
            open_graph,
            engine: BUILTIN_ENGINE.to_string(),
            focus_keyphrase: focus,
        }
    }

    /// The brief's sentences alone, one per element: what the ROUGE evaluation scores.
    pub fn brief_sentences(&self, story: &Story) -> Vec<String> {
        brief_sentences(&Doc::from_story(story))
    }
}
