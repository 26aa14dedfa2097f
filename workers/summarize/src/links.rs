//! Inline source links: where the article names a source and the story carries its link.
//!
//! The article's text stays plain; links are recorded as [`ArticleLink`]s, which the renderers
//! (`copydesk-render`) turn into Markdown or HTML links at the first occurrence of their text,
//! escaping everything else.

use copydesk_types::{Article, ArticleLink, Story};

/// Records a link for each linked text of the story, and for each cited source with a known
/// link, that the article's text actually contains.
pub(crate) fn link_sources(article: &mut Article, story: &Story, sources: &[String]) {
    let mut pairs: Vec<(String, String)> = story
        .links
        .iter()
        .filter(|l| l.text.trim().chars().count() >= 2 && !l.href.trim().is_empty())
        .map(|l| (l.text.trim().to_string(), l.href.trim().to_string()))
        .collect();
    for source in sources.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let squashed: String = source
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let href = story.links.iter().find(|l| {
            l.text.contains(source)
                || (!squashed.is_empty() && l.href.to_lowercase().contains(&squashed))
        });
        if let Some(link) = href {
            pairs.push((source.to_string(), link.href.clone()));
        }
    }
    for (text, href) in pairs {
        let used = std::iter::once(&article.lead)
            .chain(article.sections.iter().flat_map(|s| s.paragraphs.iter()))
            .any(|p| p.contains(&text));
        let known = article.links.iter().any(|l| l.text == text);
        if used && !known {
            article.links.push(ArticleLink { text, href });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::{Link, Section};

    #[test]
    fn a_cited_source_is_linked_once_where_named() {
        let mut story = Story::new("g", "h", vec![]);
        story.links = vec![Link {
            text: "a report".into(),
            href: "https://example.org/wsj/story".into(),
        }];
        let mut article = Article {
            lead: "Rates rose, The WSJ said.".into(),
            sections: vec![Section {
                heading: "x".into(),
                paragraphs: vec!["According to The WSJ, a report found more.".into()],
            }],
            short: false,
            links: Vec::new(),
        };
        link_sources(&mut article, &story, &["WSJ".to_string()]);
        assert_eq!(article.lead, "Rates rose, The WSJ said.", "the text stays plain");
        let links: Vec<(&str, &str)> = article
            .links
            .iter()
            .map(|l| (l.text.as_str(), l.href.as_str()))
            .collect();
        assert_eq!(
            links,
            [
                ("a report", "https://example.org/wsj/story"),
                ("WSJ", "https://example.org/wsj/story")
            ]
        );
    }
}
