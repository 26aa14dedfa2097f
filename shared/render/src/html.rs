//! HTML for a CMS post body: text escaped with `html-escape`, links only from the article's own
//! link list, and the result passed through `ammonia` with an allow-list of `p`, `h2` and `a`,
//! so even a bug upstream cannot put a script, an event handler or a `javascript:` URL on a
//! live site.

use copydesk_types::Article;
use std::collections::HashSet;

/// `text` escaped for an HTML text node or a double-quoted attribute.
pub fn escape_html(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

fn paragraph(text: &str, spans: &[(usize, usize, String)]) -> String {
    let mut out = String::from("<p>");
    let mut at = 0;
    for (start, end, href) in spans {
        out.push_str(&escape_html(&text[at..*start]));
        out.push_str(&format!("<a href=\"{}\">{}</a>", escape_html(href), escape_html(&text[*start..*end])));
        at = *end;
    }
    out.push_str(&escape_html(&text[at..]));
    out.push_str("</p>\n");
    out
}

/// The article body as sanitized HTML: the lead paragraph, then `<h2>` subheadings and their
/// paragraphs. The headline is not included (a CMS keeps it as the post title).
pub fn article_html(article: &Article) -> String {
    let paragraphs: Vec<&str> = std::iter::once(article.lead.as_str())
        .chain(article.sections.iter().flat_map(|s| s.paragraphs.iter().map(String::as_str)))
        .collect();
    let spans = crate::link_spans(&paragraphs, &article.links);
    let mut html = paragraph(paragraphs[0], &spans[0]);
    let mut i = 1;
    for section in &article.sections {
        // An untitled section (a short article's body) has no subheading.
        if !section.heading.trim().is_empty() {
            html.push_str(&format!("<h2>{}</h2>\n", escape_html(&section.heading)));
        }
        for p in &section.paragraphs {
            html.push_str(&paragraph(p, &spans[i]));
            i += 1;
        }
    }
    sanitize(&html)
}

/// The allow-list every post body passes: `p`, `h2`, `a href` with web and mail schemes.
fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .tags(HashSet::from(["p", "h2", "a"]))
        .generic_attributes(HashSet::new())
        .tag_attributes(std::collections::HashMap::from([("a", HashSet::from(["href"]))]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::{ArticleLink, Section};

    #[test]
    fn wire_markup_is_text_in_the_post_body() {
        let article = Article {
            lead: "<img src=x onerror=alert(1)> and </p><script>alert(2)</script>".into(),
            sections: vec![Section { heading: "<svg onload=alert(3)>".into(), paragraphs: vec!["ok".into()] }],
            short: false,
            links: vec![ArticleLink { text: "ok".into(), href: "https://example.org/\"><script>".into() }],
        };
        let html = article_html(&article);
        assert!(!html.contains("<img") && !html.contains("<script") && !html.contains("<svg"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(html.contains("<a href=\"https://example.org/%22%3E%3Cscript%3E\""), "{html}");
    }
}
