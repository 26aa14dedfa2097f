//! Every way Copydesk turns article text into a format someone else will interpret.
//!
//! Wire and feed text is untrusted: from ingest on it is plain text, and every renderer escapes
//! it for its format here, so no renderer can forget. Links are structured data
//! ([`copydesk_types::ArticleLink`]) and survive only with an `http`, `https` or `mailto` target.
//!
//! Layout:
//! - [`href`]: which link targets may be emitted at all ([`safe_href`]).
//! - [`markdown`]: Markdown with every inline and block construct escaped ([`article_markdown`]).
//! - [`html`]: HTML for a CMS, escaped and then passed through `ammonia` ([`article_html`]).
//! - [`json`]: JSON that is safe inside a `<script>` element ([`script_json`]).
//! - [`head`]: a page head (title, description, Open Graph, JSON-LD) ([`head_html`]).

pub mod head;
pub mod href;
pub mod html;
pub mod json;
pub mod markdown;

pub use head::head_html;
pub use href::safe_href;
pub use html::{article_html, escape_html};
pub use json::script_json;
pub use markdown::{article_markdown, escape_markdown};

/// Where in a paragraph each link of the article applies: the first occurrence of each link
/// text, in article order, never overlapping another link.
pub(crate) fn link_spans<'a>(
    paragraphs: &[&'a str],
    links: &'a [copydesk_types::ArticleLink],
) -> Vec<Vec<(usize, usize, String)>> {
    let mut spans: Vec<Vec<(usize, usize, String)>> = vec![Vec::new(); paragraphs.len()];
    for link in links {
        let Some(href) = safe_href(&link.href) else { continue };
        let text = link.text.trim();
        if text.is_empty() {
            continue;
        }
        'paragraphs: for (i, p) in paragraphs.iter().enumerate() {
            let mut from = 0;
            while let Some(pos) = p[from..].find(text).map(|at| at + from) {
                let end = pos + text.len();
                let overlaps = spans[i].iter().any(|&(s, e, _)| pos < e && s < end);
                if !overlaps {
                    spans[i].push((pos, end, href));
                    break 'paragraphs;
                }
                from = end;
            }
        }
    }
    for s in &mut spans {
        s.sort_by_key(|&(start, _, _)| start);
    }
    spans
}
