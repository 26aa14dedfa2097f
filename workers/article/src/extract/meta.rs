//! What the page says about itself: schema.org JSON-LD (`NewsArticle` and its relatives,
//! also inside `@graph`) first, then Open Graph and `<meta>` tags, then `<title>`.

use serde_json::Value;

use super::tree::HeadInfo;

/// Metadata read from JSON-LD and `<meta>` tags. Every field is what the page claims, as text.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct PageMeta {
    /// JSON-LD `headline`, else `og:title`, else `<title>`.
    pub title: Option<String>,
    /// JSON-LD `author` names, else `author` / `article:author` meta.
    pub authors: Vec<String>,
    /// JSON-LD `datePublished`, else `article:published_time` (as written, usually ISO 8601).
    pub published: Option<String>,
    /// JSON-LD `dateModified`, else `article:modified_time`.
    pub modified: Option<String>,
    /// JSON-LD `image`, else `og:image` (as written; resolve against the page URL).
    pub image: Option<String>,
    /// JSON-LD `articleSection`, else `article:section`.
    pub section: Option<String>,
    /// `og:description`, else `description`.
    pub description: Option<String>,
    /// `og:site_name`, else JSON-LD `publisher.name`.
    pub site_name: Option<String>,
    /// `<html lang>`, else `og:locale`.
    pub language: Option<String>,
    /// JSON-LD `articleBody` when the page carries one.
    pub article_body: Option<String>,
    /// JSON-LD `isAccessibleForFree` (`false` on paywalled articles), on the article or a part.
    pub accessible_for_free: Option<bool>,
}

const ARTICLE_TYPES: &[&str] = &[
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
    "techarticle", "scholarlyarticle", "report", "posting",
];

fn is_article(obj: &serde_json::Map<String, Value>) -> bool {
    let matches = |t: &str| ARTICLE_TYPES.contains(&t.rsplit(['/', ':']).next().unwrap_or(t).to_ascii_lowercase().as_str());
    match obj.get("@type") {
        Some(Value::String(t)) => matches(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

/// Every object in a JSON-LD document, depth-first (`@graph`, arrays, nested values).
fn objects<'a>(v: &'a Value, out: &mut Vec<&'a serde_json::Map<String, Value>>, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Object(o) => {
            out.push(o);
            for child in o.values() {
                objects(child, out, depth + 1);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| objects(i, out, depth + 1)),
        _ => {}
    }
}

/// Parse a JSON-LD script body, tolerating the wrappers pages put around it.
fn parse_json_ld(raw: &str) -> Option<Value> {
    let s = raw.trim().trim_start_matches("<!--").trim_end_matches("-->").trim();
    let s = s.trim_start_matches("//<![CDATA[").trim_end_matches("//]]>").trim().trim_end_matches(';');
    serde_json::from_str(s).ok().or_else(|| {
        // Raw newlines inside strings are a common publisher mistake.
        serde_json::from_str(&s.replace(['\n', '\r', '\t'], " ")).ok()
    })
}

fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_string(),
        Value::Array(items) => return items.iter().find_map(|i| text(Some(i))),
        Value::Object(o) => return text(o.get("name").or_else(|| o.get("url")).or_else(|| o.get("@value"))),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then(|| html_escape::decode_html_entities(&s).into_owned())
}

fn names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
        Some(other) => text(Some(other)).into_iter().collect(),
        None => Vec::new(),
    }
}

fn image(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Object(o) => text(o.get("url").or_else(|| o.get("contentUrl"))),
        Value::Array(items) => items.iter().find_map(|i| image(Some(i))),
        other => text(Some(other)),
    }
}

fn free_flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "false" | "no" => Some(false),
            "true" | "yes" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

fn from_json_ld(head: &HeadInfo, meta: &mut PageMeta) {
    let docs: Vec<Value> = head.json_ld.iter().filter_map(|raw| parse_json_ld(raw)).collect();
    let mut all = Vec::new();
    for doc in &docs {
        objects(doc, &mut all, 0);
    }
    let Some(article) = all.iter().find(|o| is_article(o)) else {
        return;
    };
    meta.title = text(article.get("headline")).or_else(|| text(article.get("name")));
    meta.authors = names(article.get("author").or_else(|| article.get("creator")));
    meta.published = text(article.get("datePublished"));
    meta.modified = text(article.get("dateModified"));
    meta.image = image(article.get("image").or_else(|| article.get("thumbnailUrl")));
    meta.section = text(article.get("articleSection"));
    meta.article_body = text(article.get("articleBody")).filter(|b| b.split_whitespace().count() > 0);
    meta.site_name = article.get("publisher").and_then(|p| text(Some(p)));
    meta.accessible_for_free = free_flag(article.get("isAccessibleForFree"));
    // A part marked not free (Google's paywalled-content markup) makes the page paywalled.
    let parts = article.get("hasPart").map(|p| match p {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        other => vec![other],
    });
    if parts.unwrap_or_default().iter().any(|p| free_flag(p.get("isAccessibleForFree")) == Some(false)) {
        meta.accessible_for_free = Some(false);
    }
}

/// Read the page's own metadata.
pub(crate) fn read(head: &HeadInfo) -> PageMeta {
    let mut meta = PageMeta::default();
    from_json_ld(head, &mut meta);
    let get = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            head.metas.iter().find(|(name, v)| name == k && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string())
        })
    };
    meta.title = meta.title.take().or_else(|| get(&["og:title", "twitter:title"]));
    if meta.title.is_none() && !head.title.trim().is_empty() {
        meta.title = Some(head.title.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if meta.authors.is_empty() {
        meta.authors = get(&["author", "article:author", "byl", "dc.creator"])
            .filter(|a| !a.starts_with("http"))
            .into_iter()
            .collect();
    }
    meta.published = meta.published.take().or_else(|| get(&["article:published_time", "datepublished", "pubdate", "date"]));
    meta.modified = meta.modified.take().or_else(|| get(&["article:modified_time", "og:updated_time", "datemodified"]));
    meta.image = meta.image.take().or_else(|| get(&["og:image", "og:image:url", "twitter:image"]));
    meta.section = meta.section.take().or_else(|| get(&["article:section"]));
    meta.description = get(&["og:description", "description", "twitter:description"]);
    meta.site_name = get(&["og:site_name"]).or(meta.site_name.take());
    meta.language = Some(head.lang.trim().to_string()).filter(|l| !l.is_empty()).or_else(|| get(&["og:locale"]));
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(json_ld: &str, metas: &[(&str, &str)]) -> HeadInfo {
        HeadInfo {
            json_ld: vec![json_ld.to_string()],
            metas: metas.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            title: "Site | Page".into(),
            ..HeadInfo::default()
        }
    }

    #[test]
    fn news_article_json_ld_inside_a_graph_is_read() {
        let ld = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"X"},
            {"@type":["NewsArticle"],"headline":"Harbour reopens","author":[{"@type":"Person","name":"Ana Ruiz"},{"name":"Bo Lin"}],
             "datePublished":"2024-03-01T08:00:00Z","dateModified":"2024-03-01T09:30:00Z",
             "image":{"@type":"ImageObject","url":"https://img.example/h.jpg"},"articleSection":["Local","News"],
             "articleBody":"The harbour reopened on Friday.","isAccessibleForFree":"False",
             "publisher":{"@type":"Organization","name":"Coast Times"}}]}"#;
        let m = read(&head(ld, &[("og:title", "ignored"), ("og:description", "Short.")]));
        assert_eq!(m.title.as_deref(), Some("Harbour reopens"));
        assert_eq!(m.authors, vec!["Ana Ruiz", "Bo Lin"]);
        assert_eq!(m.published.as_deref(), Some("2024-03-01T08:00:00Z"));
        assert_eq!(m.modified.as_deref(), Some("2024-03-01T09:30:00Z"));
        assert_eq!(m.image.as_deref(), Some("https://img.example/h.jpg"));
        assert_eq!(m.section.as_deref(), Some("Local"));
        assert_eq!(m.article_body.as_deref(), Some("The harbour reopened on Friday."));
        assert_eq!(m.accessible_for_free, Some(false));
        assert_eq!(m.site_name.as_deref(), Some("Coast Times"));
        assert_eq!(m.description.as_deref(), Some("Short."));
    }

    #[test]
    fn open_graph_fills_in_without_json_ld() {
        let metas = [
            ("og:title", "Mill closes"),
            ("og:image", "/m.jpg"),
            ("article:published_time", "2024-02-02"),
            ("article:section", "Business"),
            ("author", "Dee Kay"),
        ];
        let m = read(&head("not json", &metas));
        assert_eq!(m.title.as_deref(), Some("Mill closes"));
        assert_eq!(m.image.as_deref(), Some("/m.jpg"));
        assert_eq!(m.published.as_deref(), Some("2024-02-02"));
        assert_eq!(m.section.as_deref(), Some("Business"));
        assert_eq!(m.authors, vec!["Dee Kay"]);
        assert_eq!(m.accessible_for_free, None);
    }
}
