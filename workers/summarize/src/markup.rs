//! schema.org `NewsArticle` JSON-LD and Open Graph properties for the publish stage.

use crate::salience::Term;
use copydesk_types::{EntityKind, Story};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The SEO fields both markups are built from.
pub(crate) struct Seo<'a> {
    /// SEO headline.
    pub headline: &'a str,
    /// Meta description.
    pub description: &'a str,
    /// Keywords.
    pub keywords: &'a [String],
    /// Article word count.
    pub word_count: usize,
}

fn author_name(story: &Story) -> Option<String> {
    let byline = story.byline.as_deref()?.trim();
    let name = byline
        .strip_prefix("By ")
        .or_else(|| byline.strip_prefix("by "))
        .unwrap_or(byline);
    let name = name.split([',', ';']).next().unwrap_or(name).trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn schema_type(kind: Option<EntityKind>) -> &'static str {
    match kind {
        Some(EntityKind::Person) => "Person",
        Some(EntityKind::Org) => "Organization",
        Some(EntityKind::Loc) => "Place",
        _ => "Thing",
    }
}

/// schema.org `NewsArticle` JSON-LD.
pub(crate) fn json_ld(story: &Story, seo: &Seo<'_>, terms: &[Term]) -> Value {
    let mut ld = Map::new();
    ld.insert("@context".into(), json!("https://schema.org"));
    ld.insert("@type".into(), json!("NewsArticle"));
    ld.insert("headline".into(), json!(seo.headline));
    ld.insert("description".into(), json!(seo.description));
    ld.insert(
        "identifier".into(),
        json!(format!("{}#v{}", story.guid, story.version)),
    );
    ld.insert("wordCount".into(), json!(seo.word_count));
    if !seo.keywords.is_empty() {
        ld.insert("keywords".into(), json!(seo.keywords.join(", ")));
    }
    if let Some(uri) = &story.uri {
        ld.insert("url".into(), json!(uri));
        ld.insert(
            "mainEntityOfPage".into(),
            json!({"@type": "WebPage", "@id": uri}),
        );
    }
    if let Some(t) = story.first_created.or(story.version_created) {
        ld.insert("datePublished".into(), json!(t.to_rfc3339()));
    }
    if let Some(t) = story.version_created {
        ld.insert("dateModified".into(), json!(t.to_rfc3339()));
    }
    if let Some(lang) = &story.language {
        ld.insert("inLanguage".into(), json!(lang));
    }
    if let Some(name) = author_name(story) {
        ld.insert("author".into(), json!({"@type": "Person", "name": name}));
    }
    if let Some(source) = &story.source {
        ld.insert(
            "publisher".into(),
            json!({"@type": "Organization", "name": source}),
        );
        ld.insert(
            "sourceOrganization".into(),
            json!({"@type": "Organization", "name": source}),
        );
    }
    let about: Vec<Value> = terms
        .iter()
        .take(5)
        .map(|t| json!({"@type": schema_type(t.kind), "name": t.name}))
        .collect();
    if !about.is_empty() {
        ld.insert("about".into(), Value::Array(about));
    }
    Value::Object(ld)
}

/// Open Graph properties (`og:*` and `article:*`).
pub(crate) fn open_graph(story: &Story, seo: &Seo<'_>) -> BTreeMap<String, String> {
    let mut og = BTreeMap::new();
    og.insert("og:type".into(), "article".into());
    og.insert("og:title".into(), seo.headline.to_string());
    og.insert("og:description".into(), seo.description.to_string());
    if let Some(uri) = &story.uri {
        og.insert("og:url".into(), uri.clone());
    }
    if let Some(source) = &story.source {
        og.insert("og:site_name".into(), source.clone());
    }
    if let Some(lang) = &story.language {
        og.insert("og:locale".into(), lang.replace('-', "_"));
    }
    if let Some(t) = story.first_created.or(story.version_created) {
        og.insert("article:published_time".into(), t.to_rfc3339());
    }
    if let Some(t) = story.version_created {
        og.insert("article:modified_time".into(), t.to_rfc3339());
    }
    if let Some(name) = author_name(story) {
        og.insert("article:author".into(), name);
    }
    if !seo.keywords.is_empty() {
        og.insert("article:tag".into(), seo.keywords.join(", "));
    }
    og
}
