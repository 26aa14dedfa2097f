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

/// Longest JSON-LD `headline` (schema.org and search engines: 110 characters).
pub(crate) const LD_HEADLINE_MAX: usize = 110;

/// Words that make a byline part an organisation ("Associated Press", "Reuters staff").
const ORG_WORDS: &[&str] = &[
    "press",
    "reuters",
    "agency",
    "news",
    "staff",
    "newsroom",
    "dpa",
    "afp",
    "ap",
    "ansa",
    "ntb",
    "stt",
    "efe",
    "copydesk",
    "bureau",
    "desk",
    "agence",
    "agenzia",
    "nyhetsbyrå",
    "service",
];
/// Words that make a byline part a job title, not an author ("AP Sports Writer").
const ROLE_WORDS: &[&str] = &[
    "writer",
    "correspondent",
    "editor",
    "reporter",
    "photographer",
    "columnist",
    "contributor",
];

fn title_case(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_string();
    }
    name.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|f| f.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The byline's authors as schema.org `Person`s, or the `Organization` when no person is named:
/// "By JANE DOE and Ola Nordmann, Associated Press" gives two people (the agency is their
/// affiliation), "By The Associated Press" the organisation; job titles are dropped.
pub(crate) fn authors(byline: &str) -> Vec<Value> {
    let b = byline.trim();
    let b = [
        "By ", "by ", "BY ", "Von ", "Af ", "Av ", "Di ", "Por ", "Par ",
    ]
    .iter()
    .find_map(|p| b.strip_prefix(p))
    .unwrap_or(b);
    let mut out = Vec::new();
    let parts = b.split([',', ';', '&', '/']).flat_map(|p| p.split(" and "));
    for part in parts {
        let name = part.trim().trim_end_matches('.');
        if name.is_empty() {
            continue;
        }
        let words: Vec<String> = name.split_whitespace().map(|w| w.to_lowercase()).collect();
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        let (kind, name) = if has(ROLE_WORDS) {
            continue;
        } else if has(ORG_WORDS) {
            ("Organization", name.trim_start_matches("The ").to_string())
        } else {
            ("Person", title_case(name))
        };
        if !out.iter().any(|v: &Value| v["name"] == name.as_str()) {
            out.push(json!({"@type": kind, "name": name}));
        }
    }
    // "By Jane Doe, Associated Press": the agency is her affiliation, not a second author.
    if out.iter().any(|v| v["@type"] == "Person") {
        out.retain(|v| v["@type"] == "Person");
    }
    out
}

fn author_name(story: &Story) -> Option<String> {
    let all = authors(story.byline.as_deref()?);
    let names: Vec<&str> = all.iter().filter_map(|a| a["name"].as_str()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn schema_type(kind: Option<EntityKind>) -> &'static str {
    match kind {
        Some(EntityKind::Person) => "Person",
        Some(EntityKind::Org) => "Organization",
        Some(EntityKind::Loc) => "Place",
        _ => "Thing",
    }
}

/// What the JSON-LD says about where an article comes from: one story, or an event's stories.
pub(crate) struct LdMeta {
    /// `identifier`.
    pub identifier: String,
    /// The page the article is the main entity of, when known.
    pub page: Option<String>,
    /// First publication, with its offset.
    pub published: Option<String>,
    /// Last modification, with its offset.
    pub modified: Option<String>,
    /// BCP 47 language.
    pub language: Option<String>,
    /// Authors from the byline(s).
    pub authors: Vec<Value>,
    /// The publishing organisation (the wire's provider).
    pub publisher: Option<String>,
    /// The main picture.
    pub image: Option<String>,
    /// Addresses of the wire stories an event article is based on.
    pub based_on: Vec<String>,
}

/// An image address among a story's links ("...jpg").
fn image_link(story: &Story) -> Option<String> {
    story
        .links
        .iter()
        .map(|l| l.href.trim())
        .find(|h| {
            let path = h.split(['?', '#']).next().unwrap_or("").to_lowercase();
            (h.starts_with("http://") || h.starts_with("https://"))
                && [".jpg", ".jpeg", ".png", ".webp", ".gif"]
                    .iter()
                    .any(|e| path.ends_with(e))
        })
        .map(str::to_string)
}

impl LdMeta {
    /// The JSON-LD facts of one story.
    pub(crate) fn from_story(story: &Story) -> LdMeta {
        // The page's address when the wire gives one; else the guid as an IRI (publish knows the
        // final address and may put it in).
        let page = story.uri.clone().or_else(|| {
            let g = story.guid.trim();
            (!g.is_empty()).then(|| {
                if g.contains(':') {
                    g.to_string()
                } else {
                    format!("urn:copydesk:{g}")
                }
            })
        });
        LdMeta {
            identifier: format!("{}#v{}", story.guid, story.version),
            page,
            published: story
                .first_created
                .or(story.version_created)
                .map(|t| t.to_rfc3339()),
            modified: story
                .version_created
                .or(story.first_created)
                .map(|t| t.to_rfc3339()),
            language: story.language.clone(),
            authors: story.byline.as_deref().map(authors).unwrap_or_default(),
            publisher: story.source.clone(),
            image: story.image.clone().or_else(|| image_link(story)),
            based_on: Vec::new(),
        }
    }
}

/// schema.org `NewsArticle` JSON-LD for one story.
pub(crate) fn json_ld(story: &Story, seo: &Seo<'_>, terms: &[Term]) -> Value {
    json_ld_for(&LdMeta::from_story(story), seo, terms)
}

/// schema.org `NewsArticle` JSON-LD: dates with their offset, authors from the byline, the
/// publisher, the page, the image when the wire has one, a headline of at most 110 characters;
/// never the article body. Kept a `serde_json::Value`: renderers make it script-safe.
pub(crate) fn json_ld_for(meta: &LdMeta, seo: &Seo<'_>, terms: &[Term]) -> Value {
    let mut ld = Map::new();
    ld.insert("@context".into(), json!("https://schema.org"));
    ld.insert("@type".into(), json!("NewsArticle"));
    let headline: String = if seo.headline.chars().count() > LD_HEADLINE_MAX {
        seo.headline.chars().take(LD_HEADLINE_MAX).collect()
    } else {
        seo.headline.to_string()
    };
    ld.insert("headline".into(), json!(headline));
    ld.insert("description".into(), json!(seo.description));
    ld.insert("identifier".into(), json!(meta.identifier));
    ld.insert("wordCount".into(), json!(seo.word_count));
    if !seo.keywords.is_empty() {
        ld.insert("keywords".into(), json!(seo.keywords.join(", ")));
    }
    if let Some(page) = &meta.page {
        if page.starts_with("http") {
            ld.insert("url".into(), json!(page));
        }
        ld.insert(
            "mainEntityOfPage".into(),
            json!({"@type": "WebPage", "@id": page}),
        );
    }
    if let Some(t) = &meta.published {
        ld.insert("datePublished".into(), json!(t));
    }
    if let Some(t) = &meta.modified {
        ld.insert("dateModified".into(), json!(t));
    }
    if let Some(lang) = &meta.language {
        ld.insert("inLanguage".into(), json!(lang));
    }
    match meta.authors.as_slice() {
        [] => {}
        [one] => {
            ld.insert("author".into(), one.clone());
        }
        many => {
            ld.insert("author".into(), Value::Array(many.to_vec()));
        }
    }
    if let Some(source) = &meta.publisher {
        ld.insert(
            "publisher".into(),
            json!({"@type": "Organization", "name": source}),
        );
        ld.insert(
            "sourceOrganization".into(),
            json!({"@type": "Organization", "name": source}),
        );
    }
    if let Some(image) = &meta.image {
        ld.insert("image".into(), json!([image]));
    }
    if !meta.based_on.is_empty() {
        ld.insert("isBasedOn".into(), json!(meta.based_on));
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    #[test]
    fn bylines_become_people_and_organisations_without_job_titles() {
        let a = authors("By PAUL LUND and Ana Vidal, Associated Press");
        assert_eq!(
            a,
            [
                json!({"@type": "Person", "name": "Paul Lund"}),
                json!({"@type": "Person", "name": "Ana Vidal"}),
            ]
        );
        assert_eq!(
            authors("By Kari Holm, AP Sports Writer"),
            [json!({"@type": "Person", "name": "Kari Holm"})]
        );
        assert_eq!(
            authors("By The Associated Press")[0]["@type"],
            "Organization"
        );
    }

    #[test]
    fn json_ld_carries_dates_with_offsets_page_publisher_and_image() {
        let mut story = Story::new("urn:x:1", "Ferries resume", vec!["Ferries resumed.".into()]);
        story.first_created = DateTime::parse_from_rfc3339("2026-03-01T08:00:00+01:00").ok();
        story.version_created = DateTime::parse_from_rfc3339("2026-03-01T09:30:00+01:00").ok();
        story.byline = Some("By Jane Roe".into());
        story.source = Some("Copydesk Wire".into());
        story.image = Some("https://example.org/ferry.jpg".into());
        let long = "Ferries ".repeat(30);
        let seo = Seo {
            headline: &long,
            description: "d",
            keywords: &[],
            word_count: 2,
        };
        let ld = json_ld(&story, &seo, &[]);
        assert_eq!(ld["datePublished"], "2026-03-01T08:00:00+01:00");
        assert_eq!(ld["dateModified"], "2026-03-01T09:30:00+01:00");
        assert_eq!(ld["author"]["@type"], "Person");
        assert_eq!(ld["publisher"]["name"], "Copydesk Wire");
        assert_eq!(ld["mainEntityOfPage"]["@id"], "urn:x:1");
        assert_eq!(ld["image"][0], "https://example.org/ferry.jpg");
        assert!(ld["headline"]
            .as_str()
            .is_some_and(|h| h.chars().count() <= LD_HEADLINE_MAX));
        assert!(ld.get("articleBody").is_none());
    }
}
