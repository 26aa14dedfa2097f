//! Inline source links: where the article names a source and a link for it is known.
//!
//! The article's text stays plain; links are recorded as [`ArticleLink`]s, which the renderers
//! (`copydesk-render`) turn into Markdown or HTML links at the first occurrence of their text,
//! escaping everything else. Links come from four places, first found first used:
//! the addresses the wire wrote into the text ("Bloomberg (https://...)", see `urls`), the
//! story's own links (`Story::links`), extract's cited outlets with their addresses
//! (`Entities::cited`), and cited outlets (`Entities::sources_cited`) whose name a story link's
//! text or address carries.

use crate::urls::FoundLink;
use copydesk_types::{Article, ArticleLink, Entities, Story};

/// Every (text, address) pair the story offers, in order of trust.
pub(crate) fn candidate_links(
    story: &Story,
    entities: &Entities,
    text_links: &[FoundLink],
) -> Vec<(String, String)> {
    let clean = |t: &str, h: &str| {
        let (t, h) = (t.trim(), h.trim());
        (t.chars().count() >= 2 && !h.is_empty()).then(|| (t.to_string(), h.to_string()))
    };
    let mut pairs: Vec<(String, String)> = text_links
        .iter()
        .filter_map(|l| clean(&l.text, &l.href))
        .collect();
    pairs.extend(story.links.iter().filter_map(|l| clean(&l.text, &l.href)));
    pairs.extend(
        entities
            .cited
            .iter()
            .filter_map(|c| clean(&c.name, c.url.as_deref()?)),
    );
    for source in entities
        .sources_cited
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
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
    pairs
}

/// Records a link for each candidate whose text the article's text contains, once per text.
pub(crate) fn apply_links(article: &mut Article, pairs: Vec<(String, String)>) {
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

/// [`candidate_links`] applied to one story's article.
pub(crate) fn link_sources(
    article: &mut Article,
    story: &Story,
    entities: &Entities,
    text_links: &[FoundLink],
) {
    apply_links(article, candidate_links(story, entities, text_links));
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::{CitedSource, Link, Section};

    fn article(lead: &str, body: &str) -> Article {
        Article {
            lead: lead.into(),
            sections: vec![Section {
                heading: "x".into(),
                paragraphs: vec![body.into()],
            }],
            short: false,
            links: Vec::new(),
        }
    }

    #[test]
    fn a_cited_source_is_linked_once_where_named() {
        let mut story = Story::new("g", "h", vec![]);
        story.links = vec![Link {
            text: "a report".into(),
            href: "https://example.org/wsj/story".into(),
        }];
        let mut a = article(
            "Rates rose, The WSJ said.",
            "According to The WSJ, a report found more.",
        );
        let entities = Entities {
            sources_cited: vec!["WSJ".to_string()],
            ..Entities::default()
        };
        link_sources(&mut a, &story, &entities, &[]);
        assert_eq!(a.lead, "Rates rose, The WSJ said.", "the text stays plain");
        let links: Vec<(&str, &str)> = a
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

    #[test]
    fn every_cited_outlet_with_an_address_becomes_a_link() {
        let story = Story::new("g", "h", vec![]);
        let entities = Entities {
            cited: vec![
                CitedSource {
                    name: "Bloomberg".into(),
                    url: Some("https://www.bloomberg.com".into()),
                },
                CitedSource {
                    name: "The Harbour Gazette".into(),
                    url: Some("https://gazette.example.org".into()),
                },
                CitedSource {
                    name: "Radio Nord".into(),
                    url: None,
                },
            ],
            ..Entities::default()
        };
        let mut a = article(
            "According to reporting by Bloomberg, talks stalled.",
            "The Harbour Gazette and Radio Nord confirmed it.",
        );
        link_sources(&mut a, &story, &entities, &[]);
        let texts: Vec<&str> = a.links.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Bloomberg", "The Harbour Gazette"],
            "no address, no link"
        );
    }
}
