//! Plain text (first line is the headline) and Markdown (a leading `# ` line is the headline).

use copydesk_types::Link;

use super::Doc;
use crate::decode::{decode, Fallback};
use crate::text::{clean, plain_paragraphs};
use crate::{IngestError, Parsed};

/// Plain text: the first non-blank line is the headline, blank lines separate paragraphs.
pub(super) fn parse_plain(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = decode(doc.bytes, None, Fallback::Windows1252, doc.name)?;
    let text = text.trim_start();
    let (head, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut s = doc.story();
    s.headline = clean(head);
    s.body = plain_paragraphs(rest);
    Ok(vec![Parsed::Story(s)])
}

/// Markdown: `# ` heading as headline (else the first line), inline markup reduced, links kept.
pub(super) fn parse_markdown(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = decode(doc.bytes, None, Fallback::Windows1252, doc.name)?;
    let text = text.trim_start();
    let (head, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut s = doc.story();
    let mut links = Vec::new();
    s.headline = clean(&inline_markdown(head.trim_start_matches('#'), &mut links));
    s.body = plain_paragraphs(rest)
        .iter()
        .map(|p| clean(&inline_markdown(strip_block_marker(p), &mut links)))
        .filter(|p| !p.is_empty() && !p.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')))
        .collect();
    s.links = links;
    Ok(vec![Parsed::Story(s)])
}

/// Drop a heading, quote or list marker at the start of a paragraph.
fn strip_block_marker(p: &str) -> &str {
    let t = p.trim_start_matches('#').trim_start_matches('>').trim_start();
    t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")).unwrap_or(t)
}

/// Reduce `[text](href)` to text (recording the link when its target is `http`, `https` or
/// `mailto`), and drop emphasis markers and backticks. Linear in the input: once no `](` is
/// left no later `[` can open a link, so the scan stops instead of searching to the end again
/// from every `[`; a `](` that opens no destination is passed over, never looked at again.
fn inline_markdown(s: &str, links: &mut Vec<Link>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let href_part = &after[close + 2..];
        let Some(end) = crate::text::link_destination_end(href_part) else {
            out.push_str(&rest[..open + 1 + close + 2]);
            rest = href_part;
            continue;
        };
        out.push_str(&rest[..open]);
        let (text, href) = (&after[..close], &href_part[..end]);
        if text.contains('[') {
            // "[a [b](c)": the link is the innermost one; keep the outer bracket as text.
            let inner = text.rfind('[').unwrap_or(0);
            out.push('[');
            out.push_str(&text[..inner]);
            rest = &after[inner..];
            continue;
        }
        out.push_str(text);
        if let Some(href) = copydesk_render::safe_href(href) {
            links.push(Link { text: clean(text), href });
        }
        rest = &href_part[end + 1..];
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_scan_is_linear_on_hostile_brackets() {
        // A quadratic scan (searching to the end again from every '[') took minutes on this.
        let hostile = "[".repeat(200_000) + "](";
        let mut links = Vec::new();
        let out = inline_markdown(&hostile, &mut links);
        assert_eq!(out, hostile, "no link, every character kept");
        assert!(links.is_empty());
        let mut links = Vec::new();
        assert_eq!(inline_markdown("[a [b](https://b.test/) c", &mut links), "[a b c");
        assert_eq!(links.len(), 1, "the innermost bracket is the link");
    }

    #[test]
    fn script_links_are_text_only() {
        let mut links = Vec::new();
        let out = inline_markdown("see [this](javascript:alert(1)) and [that](https://ok.test/x)", &mut links);
        assert_eq!(out, "see this and that");
        assert_eq!(links, vec![Link { text: "that".into(), href: "https://ok.test/x".into() }]);
    }
    use copydesk_types::SourceFormat;

    fn story(bytes: &[u8], format: SourceFormat) -> copydesk_types::Story {
        let doc = Doc::new(bytes, "t", format);
        let parsed = if format == SourceFormat::Markdown { parse_markdown(&doc) } else { parse_plain(&doc) };
        match parsed.expect("parse").remove(0) {
            Parsed::Story(s) => s,
            other => panic!("not a story: {other:?}"),
        }
    }

    #[test]
    fn plain_text_first_line_is_headline_and_blank_lines_split_paragraphs() {
        let s = story(b"\n  Storm hits coast \r\n\r\nFirst para\nwraps here.\r\n\r\nSecond.\n", SourceFormat::PlainText);
        assert_eq!(s.headline, "Storm hits coast");
        assert_eq!(s.body, vec!["First para wraps here.", "Second."]);
    }

    #[test]
    fn markdown_heading_becomes_headline_and_links_are_kept() {
        let s = story(b"# Big **news**\n\nSee [the report](https://r.test/x) now.\n\n- item one\n", SourceFormat::Markdown);
        assert_eq!(s.headline, "Big news");
        assert_eq!(s.body, vec!["See the report now.", "item one"]);
        assert_eq!(s.links[0].href, "https://r.test/x");
    }
}
