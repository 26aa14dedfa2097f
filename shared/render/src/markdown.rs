//! Markdown where nothing the wire wrote can become markup: every character CommonMark could
//! read as syntax is backslash-escaped, line breaks are folded, and the only links are the
//! article's own ([`copydesk_types::ArticleLink`]) with a [`crate::safe_href`] target.

use copydesk_types::Article;

/// ASCII punctuation that starts or ends an inline construct anywhere in a line: emphasis,
/// code, links and images, raw HTML, entities, tables, strikethrough.
const INLINE: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '&', '|', '~', '#', '!'];

/// `text` as one line of Markdown that renders as exactly this text.
pub fn escape_markdown(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(folded.len() + 8);
    for c in folded.chars() {
        if INLINE.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    escape_block_start(out)
}

/// Escape what would make a line a list item, a heading, a thematic break or a quote.
fn escape_block_start(line: String) -> String {
    let first = line.chars().next();
    match first {
        Some('-' | '+' | '=' | ':') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            match line[digits..].chars().next() {
                Some('.' | ')') => format!("{}\\{}", &line[..digits], &line[digits..]),
                _ => line,
            }
        }
        _ => line,
    }
}

/// A paragraph of plain text with the links that apply to it, as Markdown.
fn paragraph(text: &str, spans: &[(usize, usize, String)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (start, end, href) in spans {
        out.push_str(&escape_inline(&text[at..*start]));
        out.push_str(&format!("[{}](<{href}>)", escape_inline(&text[*start..*end])));
        at = *end;
    }
    out.push_str(&escape_inline(&text[at..]));
    escape_block_start(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if INLINE.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The article as Markdown: the headline as `#` (when given), the lead, then `##` subheadings
/// with their paragraphs; each [`copydesk_types::ArticleLink`] links the first occurrence of
/// its text.
pub fn article_markdown(headline: &str, article: &Article) -> String {
    let paragraphs: Vec<&str> = std::iter::once(article.lead.as_str())
        .chain(article.sections.iter().flat_map(|s| s.paragraphs.iter().map(String::as_str)))
        .collect();
    let spans = crate::link_spans(&paragraphs, &article.links);
    let mut out = String::new();
    if !headline.trim().is_empty() {
        out.push_str(&format!("# {}\n\n", escape_markdown(headline)));
    }
    out.push_str(&paragraph(paragraphs[0], &spans[0]));
    out.push('\n');
    let mut i = 1;
    for section in &article.sections {
        // An untitled section (a short article's body) has no subheading.
        if !section.heading.trim().is_empty() {
            out.push_str(&format!("\n## {}\n", escape_markdown(&section.heading)));
        }
        for p in &section.paragraphs {
            out.push('\n');
            out.push_str(&paragraph(p, &spans[i]));
            out.push('\n');
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::{ArticleLink, Section};

    /// What a CommonMark renderer makes of `markdown`.
    fn rendered(markdown: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(markdown));
        html
    }

    #[test]
    fn markup_and_markdown_syntax_come_out_as_text() {
        let text = "<script>alert(1)</script> [x](javascript:alert(1)) ![i](data:x) *bold* `code` <http://a.b> &lt;b&gt; | a | ~~s~~";
        let html = rendered(&escape_markdown(text));
        for tag in ["<script", "<a ", "<img", "<em", "<code", "<strong", "<del", "<table"] {
            assert!(!html.contains(tag), "{tag} in {html}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("&amp;lt;b&amp;gt;"), "entities stay text: {html}");
    }

    #[test]
    fn a_line_cannot_become_a_heading_list_or_rule() {
        assert_eq!(escape_markdown("# Not a heading"), "\\# Not a heading");
        assert_eq!(escape_markdown("- not a list"), "\\- not a list");
        assert_eq!(escape_markdown("1. not a list"), "1\\. not a list");
        assert_eq!(escape_markdown("2024 was a year"), "2024 was a year");
        assert_eq!(escape_markdown("line\n\n# two"), "line \\# two");
    }

    #[test]
    fn an_untitled_section_prints_its_paragraphs_without_a_subheading() {
        let article = Article {
            lead: "Ferries resumed.".into(),
            sections: vec![Section { heading: String::new(), paragraphs: vec!["Fog lifted.".into()] }],
            short: true,
            links: Vec::new(),
        };
        let md = article_markdown("Ferries resume", &article);
        assert_eq!(md, "# Ferries resume\n\nFerries resumed.\n\nFog lifted.\n");
        assert!(!crate::article_html(&article).contains("<h2>"));
    }

    #[test]
    fn article_links_become_markdown_links_only_with_safe_targets() {
        let article = Article {
            lead: "According to Bloomberg and The Guardian, talks stalled.".into(),
            sections: vec![Section { heading: "Talks stall".into(), paragraphs: vec!["Evil said more.".into()] }],
            short: false,
            links: vec![
                ArticleLink { text: "Bloomberg".into(), href: "https://www.bloomberg.com".into() },
                ArticleLink { text: "Evil".into(), href: "javascript:alert(1)".into() },
            ],
        };
        let md = article_markdown("Talks stall", &article);
        assert!(md.contains("[Bloomberg](<https://www.bloomberg.com/>)"), "{md}");
        assert!(!md.contains("javascript"), "{md}");
        assert!(md.contains("Evil said more."), "{md}");
    }
}
