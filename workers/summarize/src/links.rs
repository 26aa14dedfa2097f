//! Inline source links: where the article names a source and the story carries its link.

use copydesk_types::{Article, Story};

/// Turns the first mention of each linked text, and of each cited source with a known link,
/// into a Markdown link.
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
        let slots = std::iter::once(&mut article.lead).chain(
            article
                .sections
                .iter_mut()
                .flat_map(|s| s.paragraphs.iter_mut()),
        );
        for slot in slots {
            if let Some(linked) = link_once(slot, &text, &href) {
                *slot = linked;
                break;
            }
        }
    }
}

/// The paragraph with its first unlinked occurrence of `text` linked, if there is one.
fn link_once(paragraph: &str, text: &str, href: &str) -> Option<String> {
    let mut from = 0;
    while let Some(pos) = paragraph[from..].find(text).map(|p| p + from) {
        let inside_link = paragraph[..pos].ends_with('[')
            || paragraph[..pos].matches('[').count() > paragraph[..pos].matches(']').count();
        if !inside_link {
            return Some(format!(
                "{}[{text}]({href}){}",
                &paragraph[..pos],
                &paragraph[pos + text.len()..]
            ));
        }
        from = pos + text.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::{Link, Section};

    #[test]
    fn a_cited_source_is_linked_once_where_first_named() {
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
        };
        link_sources(&mut article, &story, &["WSJ".to_string()]);
        assert_eq!(
            article.lead,
            "Rates rose, The [WSJ](https://example.org/wsj/story) said."
        );
        assert_eq!(
            article.sections[0].paragraphs[0],
            "According to The WSJ, [a report](https://example.org/wsj/story) found more."
        );
    }
}
